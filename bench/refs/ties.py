"""fc_per_tensor_ties: a per-tensor FULLY_CONNECTED whose rows are built to land on the
requantisation boundaries where the order of widening in the multiplier matters.

TFLM (tensorflow/lite/kernels/kernel_util.cc, GetQuantizedConvolutionMultipler) computes the
real multiplier as double(input_scale) * double(filter_scale) / double(output_scale); an older
formula takes the product in float32 first, double(float(input_scale * filter_scale)) /
double(output_scale). The two products differ by up to 2^-24 relative, so the quantised
multipliers differ by a few dozen units in 2^31, and an output differs only when
acc * multiplier lands within about |y| * 2^-24 of a rounding boundary (y = the output before
its zero point). Random rows almost never do; these rows are constructed to:

1. The model: Dense(400 -> 8), per-tensor weights, no activation. Kernel column j has weight
   +MAX at input 8 + j (quantised 127) and MAX/127 at input j (quantised exactly 1); the rest
   have random signs and magnitudes in [0.7, 0.95] MAX. Half the calibration rows are +-1 aligned
   with a column's signs, so the output range (and so output_scale) is wide: accumulators run to
   a few million and the multiplier is about 1.5e-5, which makes boundary-crossing accumulators
   common enough to find.
2. Every accumulator value in the reachable range is requantised with both multipliers (exact
   integer emulation of TFLM's MultiplyByQuantizedMultiplier); the ones whose outputs differ are
   the targets.
3. Row r aims output channel j = r % 8 at a target: start from a seeded random row, move the
   inputs with the largest |weight| towards the target, and finish with the input whose weight
   is exactly 1. The row is kept only if channel j's accumulator equals the target.
"""

import math

import numpy as np

IN, OUT = 400, 8
# Picked from 0.30-0.60 by converting each and counting the accumulators in range whose output
# the float32 product changes: 0.39 gives 37 (multipliers 1673295042 vs 1673294991, shift -15);
# most other values give 2-16.
MAX_W = 0.39
CALIBRATION = 64


def quantize_multiplier(real):
    """TFLite's QuantizeMultiplier: real = M * 2^(shift - 31), M in [2^30, 2^31)."""
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    m = int(math.floor(q * (1 << 31) + 0.5))  # std::round: half away from zero (q > 0)
    if m == 1 << 31:
        m //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return m, shift


def _srdhm(a, b):
    """SaturatingRoundingDoublingHighMul on int64 arrays (no saturation case reachable here)."""
    ab = a * np.int64(b)
    nudge = np.where(ab >= 0, np.int64(1 << 30), np.int64(1 - (1 << 30)))
    s = ab + nudge
    return np.where(s >= 0, s // (1 << 31), -((-s) // (1 << 31)))  # C division truncates


def _rdbpot(x, e):
    mask = np.int64((1 << e) - 1)
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0)
    return (x >> e) + (remainder > threshold)


def requantize(acc, m, shift, zp_out, lo=-128, hi=127):
    """TFLM's MultiplyByQuantizedMultiplier + output zero point + clamp, on int64 arrays."""
    acc = np.asarray(acc, np.int64)
    left, right = max(shift, 0), max(-shift, 0)
    y = _rdbpot(_srdhm(acc * (1 << left), m), right)
    return np.clip(y + zp_out, lo, hi)


def multipliers(s_in, s_w, s_out):
    """(TFLM's double-product multiplier, the float32-product one), each (M, shift)."""
    double = float(np.float64(s_in) * np.float64(s_w) / np.float64(s_out))
    single = float(np.float64(np.float32(s_in) * np.float32(s_w)) / np.float64(s_out))
    return quantize_multiplier(double), quantize_multiplier(single)


def build(seed):
    """(Keras model, calibration list) of the tie case."""
    import tensorflow as tf

    tf.keras.backend.clear_session()
    tf.keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    inp = tf.keras.Input(shape=(IN,), batch_size=1, name="x0")
    layer = tf.keras.layers.Dense(OUT, name="fc")
    model = tf.keras.Model(inp, layer(inp))
    sign = np.where(rng.random((IN, OUT)) < 0.5, -1.0, 1.0)
    k = (sign * rng.uniform(0.7 * MAX_W, 0.95 * MAX_W, (IN, OUT))).astype(np.float32)
    for j in range(OUT):
        k[j, j] = MAX_W / 127.0
        k[OUT + j, j] = MAX_W
    b = rng.uniform(-1.0, 1.0, OUT).astype(np.float32)
    layer.set_weights([k, b])
    calib = []
    for n in range(CALIBRATION):
        if n % 2 == 0:  # aligned with column j's signs: outputs near the extremes
            j = (n // 2) % OUT
            sign = 1.0 if (n // 2) % (2 * OUT) < OUT else -1.0
            x = sign * np.sign(k[:, j])
        else:
            x = rng.uniform(-1.0, 1.0, IN)
        x[0], x[1] = -1.0, 1.0  # the input range is exactly [-1, 1]
        calib.append({"x0": x[None].astype(np.float32)})
    return model, calib


def fc_params(buf):
    """Quantised weights [OUT, IN], bias, and the scales / zero points of the one FC op."""
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

    m = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(buf, 0))
    sg = m.subgraphs[0]
    op = sg.operators[0]
    t_in, t_w, t_b, t_out = (sg.tensors[i] for i in (op.inputs[0], op.inputs[1], op.inputs[2],
                                                     op.outputs[0]))

    def data(t, dt):
        return np.frombuffer(bytes(bytearray(m.buffers[t.buffer].data)), dt).reshape(t.shape)

    if len(t_w.quantization.scale) != 1:
        raise SystemExit("fc_per_tensor_ties: the converter made per-channel weights")
    return {"w": data(t_w, np.int8).astype(np.int64), "b": data(t_b, np.int32).astype(np.int64),
            "s_in": float(t_in.quantization.scale[0]), "zp_in": int(t_in.quantization.zeroPoint[0]),
            "s_w": float(t_w.quantization.scale[0]),
            "s_out": float(t_out.quantization.scale[0]),
            "zp_out": int(t_out.quantization.zeroPoint[0])}


def accumulators(p, x):
    """int64 [N, OUT] accumulators (bias included) for int8 rows x [N, IN]."""
    return (x.astype(np.int64) - p["zp_in"]) @ p["w"].T + p["b"]


def tie_rows(p, seed, want=32, random_rows=16):
    """Rows: random_rows uniform int8 rows, then up to `want` constructed rows (see module
    docstring), then all -128 and all 127. Returns (rows, facts for the manifest)."""
    (md, sd), (mf, sf) = multipliers(p["s_in"], p["s_w"], p["s_out"])
    lo_acc = int(math.floor((-128 - p["zp_out"] - 1) * p["s_out"] / (p["s_in"] * p["s_w"])))
    hi_acc = int(math.ceil((127 - p["zp_out"] + 1) * p["s_out"] / (p["s_in"] * p["s_w"])))
    accs = np.arange(lo_acc, hi_acc + 1, dtype=np.int64)
    differ = accs[requantize(accs, md, sd, p["zp_out"]) != requantize(accs, mf, sf, p["zp_out"])]
    rng = np.random.default_rng(seed)
    rows = [rng.integers(-128, 128, IN) for _ in range(random_rows)]
    targets = rng.permutation(differ)
    built = 0
    for t in targets:
        if built >= want:
            break
        j = built % OUT
        x = rng.integers(-64, 64, IN).astype(np.int64)
        x[j] = p["zp_in"]
        w = p["w"][j]
        order = [i for i in np.argsort(-np.abs(w), kind="stable") if i != j and w[i] != 0]
        for _ in range(3):  # a few greedy sweeps
            r = t - int(accumulators(p, x[None])[0, j])
            for i in order:
                if r == 0:
                    break
                d = int(round(r / w[i]))
                new = int(np.clip(x[i] + d, -128, 127))
                r -= (new - x[i]) * w[i]
                x[i] = new
        r = t - int(accumulators(p, x[None])[0, j])
        if p["w"][j, j] != 1 or not -128 <= x[j] + r <= 127:
            continue
        x[j] += r
        if accumulators(p, x[None])[0, j] == t:
            rows.append(x)
            built += 1
    rows += [np.full(IN, -128), np.full(IN, 127)]
    rows = np.stack(rows).astype(np.int8)
    acc = accumulators(p, rows)
    y_double = requantize(acc, md, sd, p["zp_out"])
    y_single = requantize(acc, mf, sf, p["zp_out"])
    facts = {
        "tflm_multiplier": {"multiplier": md, "shift": sd,
                            "formula": "double(input_scale) * double(filter_scale) / "
                                       "double(output_scale)"},
        "float_product_multiplier": {"multiplier": mf, "shift": sf,
                                     "formula": "double(float(input_scale * filter_scale)) / "
                                                "double(output_scale)"},
        "differing_accumulators_in_range": int(len(differ)),
        "constructed_rows": built,
        "rows_where_float_product_differs": int(np.any(y_double != y_single, axis=1).sum()),
        "outputs_where_float_product_differs": int((y_double != y_single).sum()),
    }
    return rows, facts, y_double.astype(np.int8)
