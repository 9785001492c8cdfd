"""Generate TinyCNN's golden data: converter-made .tflite files with TFLite Micro's outputs.

    bench/.venv/bin/python bench/refs/make_golden.py            # everything (trains ~2 min)
    bench/.venv/bin/python bench/refs/make_golden.py --only conv_1x1_c3,lenet5_fixed
    bench/.venv/bin/python bench/refs/make_golden.py --check    # regenerate in a temp dir, diff
    bench/.venv/bin/python bench/refs/make_golden.py --list

(bench/make_golden.sh sets up the venv and runs this niced.)

For every case it writes Tests/RuntimeTests/Golden/<case>/:
  model.tflite                 made by TensorFlow's converter (full-integer PTQ)
  input_<i>.npy                one array per model input, [N, ...]: row k is invocation k
  output_<j>.npy               TFLM's output j for each row, [N, ...]
and Tests/RuntimeTests/Golden/MANIFEST.json (see FORMAT below). Deterministic: seeds come from
the case names, training is seeded with op determinism on, so a rerun gives identical files.

Three kinds of case: single-operator models ("single_op", including fc_per_tensor_ties, whose
rows are built to hit requantisation boundaries: ties.py), Fashion-MNIST whole models ("model":
models.py) and the benchmark suite ("suite": MLPerf Tiny architectures with seeded random
weights and random int8 rows, suite.py; names start with suite_).
"""

import argparse
import filecmp
import json
import os
import re
import shutil
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np

import fmnist
import models
import suite
import ties
import tflite_tools as tt

REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
GOLDEN = os.path.join(REPO, "Tests", "RuntimeTests", "Golden")
MODEL_ROWS = 256  # Fashion-MNIST test images per whole-model case (the first ones)
RANDOM_ROWS = 16  # random rows per single-op case, before the extreme rows
CALIBRATION_SAMPLES = 64

FORMAT = (
    "Each case folder holds model.tflite, input_<i>.npy and output_<j>.npy (i, j = the model's "
    "subgraph input / output order). Row k of every input_<i>.npy, reshaped to the model's "
    "input shape (batch 1), is one invocation; row k of output_<j>.npy is TFLM's output j for "
    "it. dtypes are the model's (int8, uint8 or float32). 'npy_shape' is the file's shape. "
    "tflm.arena_size is the smallest arena_size (bytes) with which TFLM's Python interpreter "
    "(64-bit host) allocates and invokes, found by bisection; arena_head is the planned "
    "non-persistent part at that size. litert.* counts rows whose outputs differ from TFLM's "
    "(TFLM is the oracle; LiteRT is documented, not trusted).")


def seed_of(name):
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


# ---------------------------------------------------------------------------------------------
# Single-operator cases. Each: inputs = [(shape without batch, (float lo, float hi))], the range
# being the calibration range of that input; layer(*inputs) -> output(s); expected op list.
# ---------------------------------------------------------------------------------------------

def _L():
    import tensorflow as tf

    return tf.keras.layers


def _init():
    """Weights large enough that outputs span a real range (Glorot would give tiny ones)."""
    import tensorflow as tf

    return dict(kernel_initializer=tf.keras.initializers.RandomUniform(-0.5, 0.5),
                bias_initializer=tf.keras.initializers.RandomUniform(-0.3, 0.3))


def _dw_init():
    import tensorflow as tf

    return dict(depthwise_initializer=tf.keras.initializers.RandomUniform(-0.5, 0.5),
                bias_initializer=tf.keras.initializers.RandomUniform(-0.3, 0.3))


def conv(filters, k, **kw):
    return lambda x: _L().Conv2D(filters, k, **_init(), **kw)(x)


def dw(k, **kw):
    return lambda x: _L().DepthwiseConv2D(k, **_dw_init(), **kw)(x)


def dense(units, **kw):
    return lambda x: _L().Dense(units, **_init(), **kw)(x)


def conv_zero_channel(x):
    """CONV_2D whose output channel 2 has all-zero weights and bias (a degenerate per-channel
    scale the converter must still encode)."""
    layer = _L().Conv2D(4, 3, padding="same", **_init())
    y = layer(x)
    k, b = layer.get_weights()
    k[..., 2] = 0.0
    b[2] = 0.0
    layer.set_weights([k, b])
    return y


def matched_pairs(shape):
    """Calibration inputs in channel triples (v, v, free): v in [-1, 1], the free channel in
    [-4, 4] (it sets the input scale). With summing()'s weights (1, -126/127, 0) the int32
    accumulator is just (v_q - zp) per triple, at most ~32 in size, so the calibrated output
    scale is finer than the accumulator's step: requantisation multipliers above 1 (TFLite's
    left-shift path)."""
    def draw(rng):
        x = rng.uniform(-4.0, 4.0, shape).astype(np.float32)
        v = rng.uniform(-1.0, 1.0, x[..., 0::3].shape).astype(np.float32)
        x[..., 0::3] = v
        x[..., 1::3] = v
        return [x]
    return draw


def summing(layer_cls, gains, **kw):
    """A layer whose output channel c is gains[c] * sum over triples of (x0 - 126/127 x1 + 0 x2),
    zero bias (see matched_pairs)."""
    def build(x):
        layer = layer_cls(len(gains), **kw)
        y = layer(x)
        k, b = layer.get_weights()
        n_in = k.shape[-2]
        pattern = np.resize(np.array([1.0, -126.0 / 127.0, 0.0], np.float32), n_in)
        k[...] = np.outer(pattern, np.asarray(gains, np.float32))
        layer.set_weights([k, np.zeros_like(b)])
        return y
    return build


def case(name, ops, inputs, layer, desc, **kw):
    return dict(name=name, kind="single_op", ops=ops, inputs=inputs, layer=layer,
                description=desc, **kw)


L1 = (-1.0, 1.0)
SINGLE_OP = [
    # CONV_2D
    case("conv_1x1_c3", ["CONV_2D"], [((6, 6, 3), L1)], conv(5, 1), "1x1, 3->5 channels, NONE"),
    case("conv_1x1_s2_valid", ["CONV_2D"], [((7, 7, 2), L1)], conv(3, 1, strides=2),
         "1x1 stride 2 VALID on odd 7x7"),
    case("conv_3x3_same_relu_c1", ["CONV_2D"], [((7, 7, 1), (0.0, 1.0))],
         conv(8, 3, padding="same", activation="relu"), "3x3 SAME RELU, 1 input channel"),
    case("conv_3x3_valid_c2", ["CONV_2D"], [((9, 9, 2), L1)], conv(3, 3),
         "3x3 VALID, 2->3 channels"),
    case("conv_5x5_same_relu6_c3", ["CONV_2D"], [((10, 10, 3), (-4.0, 4.0))],
         conv(7, 5, padding="same", activation="relu6"), "5x5 SAME RELU6, 3->7 channels"),
    case("conv_5x5_valid_c1", ["CONV_2D"], [((9, 9, 1), (0.0, 1.0))], conv(4, 5),
         "5x5 VALID, 1 input channel"),
    case("conv_3x3_s2_same_odd", ["CONV_2D"], [((9, 9, 3), L1)],
         conv(4, 3, strides=2, padding="same", activation="relu"),
         "3x3 stride 2 SAME on 9x9 (padding 1 each side), RELU"),
    case("conv_3x3_s2_same_even", ["CONV_2D"], [((8, 8, 3), L1)],
         conv(5, 3, strides=2, padding="same"),
         "3x3 stride 2 SAME on 8x8 (asymmetric padding: 0 before, 1 after)"),
    case("conv_3x3_s2_valid", ["CONV_2D"], [((10, 10, 2), L1)], conv(5, 3, strides=2),
         "3x3 stride 2 VALID"),
    case("conv_3x3_dil2_same_relu", ["CONV_2D"], [((9, 9, 3), L1)],
         conv(6, 3, dilation_rate=2, padding="same", activation="relu"),
         "3x3 dilation 2 SAME RELU"),
    case("conv_3x3_dil2_valid_c1", ["CONV_2D"], [((11, 11, 1), L1)],
         conv(3, 3, dilation_rate=2), "3x3 dilation 2 VALID, 1 input channel"),
    case("conv_1x3_s2x1_same", ["CONV_2D"], [((7, 8, 2), L1)],
         conv(4, (1, 3), strides=(2, 1), padding="same"),
         "non-square 1x3 kernel, strides (2, 1), SAME"),
    case("conv_3x3_c32", ["CONV_2D"], [((6, 6, 32), L1)], conv(16, 3, padding="same"),
         "3x3 SAME, 32->16 channels (long accumulations)"),
    case("conv_zero_channel", ["CONV_2D"], [((6, 6, 3), L1)], conv_zero_channel,
         "3x3 SAME; output channel 2 has all-zero weights and bias"),
    case("conv_3x3_s3_valid", ["CONV_2D"], [((11, 11, 3), L1)], conv(4, 3, strides=3),
         "3x3 stride 3 VALID"),
    case("conv_3x3_s3_same", ["CONV_2D"], [((10, 10, 2), L1)],
         conv(3, 3, strides=3, padding="same"), "3x3 stride 3 SAME on 10x10 (padding 1 after)"),
    case("conv_3x3_dil3_same", ["CONV_2D"], [((10, 10, 2), L1)],
         conv(5, 3, dilation_rate=3, padding="same"), "3x3 dilation 3 SAME"),
    case("conv_1x1_multiplier_gt1", ["CONV_2D"], [((5, 5, 3), (-4.0, 4.0))],
         summing(_L().Conv2D, [1.0, 0.5, 0.25], kernel_size=1),
         "weights (1, -126/127, 0) x gain on inputs (v, v, free): requantisation multipliers "
         "about 4, 2 and 1 (left shifts); random rows saturate, rows 8-15 stay in range",
         calibration=matched_pairs((5, 5, 3))),
    # DEPTHWISE_CONV_2D
    case("dw_3x3_m1_same_relu", ["DEPTHWISE_CONV_2D"], [((8, 8, 5), L1)],
         dw(3, padding="same", activation="relu"), "depthwise 3x3 multiplier 1 SAME RELU, 5 ch"),
    case("dw_3x3_m2_valid", ["DEPTHWISE_CONV_2D"], [((7, 7, 3), L1)],
         dw(3, depth_multiplier=2), "depthwise 3x3 multiplier 2 VALID, 3 -> 6 channels"),
    case("dw_5x5_m1_s2_same", ["DEPTHWISE_CONV_2D"], [((9, 9, 4), L1)],
         dw(5, strides=2, padding="same"), "depthwise 5x5 stride 2 SAME"),
    case("dw_3x3_m2_dil2_same_relu6", ["DEPTHWISE_CONV_2D"], [((9, 9, 3), (-3.0, 3.0))],
         dw(3, depth_multiplier=2, dilation_rate=2, padding="same", activation="relu6"),
         "depthwise 3x3 multiplier 2 dilation 2 SAME RELU6"),
    case("dw_3x3_m3_s2_valid_c1", ["DEPTHWISE_CONV_2D"], [((8, 8, 1), L1)],
         dw(3, depth_multiplier=3, strides=2), "depthwise 1 channel multiplier 3 stride 2 VALID"),
    case("dw_3x3_m1_dil2_valid", ["DEPTHWISE_CONV_2D"], [((10, 10, 6), L1)],
         dw(3, dilation_rate=2), "depthwise 3x3 dilation 2 VALID, 6 channels"),
    case("dw_3x3_m1_s3_same", ["DEPTHWISE_CONV_2D"], [((10, 10, 3), L1)],
         dw(3, strides=3, padding="same"), "depthwise 3x3 stride 3 SAME"),
    case("dw_3x3_m2_dil3_valid", ["DEPTHWISE_CONV_2D"], [((10, 10, 2), L1)],
         dw(3, depth_multiplier=2, dilation_rate=3), "depthwise multiplier 2 dilation 3 VALID"),
    # FULLY_CONNECTED
    case("fc_per_channel", ["FULLY_CONNECTED"], [((20,), L1)], dense(7),
         "20 -> 7, per-channel weights (the converter's default), NONE"),
    case("fc_per_channel_relu", ["FULLY_CONNECTED"], [((33,), L1)], dense(16, activation="relu"),
         "33 -> 16 per-channel, RELU"),
    case("fc_per_channel_400", ["FULLY_CONNECTED"], [((400,), (0.0, 2.0))], dense(10),
         "400 -> 10 per-channel (LeNet-5's last-but-two width)"),
    case("fc_per_tensor", ["FULLY_CONNECTED"], [((20,), L1)], dense(7),
         "20 -> 7, per-tensor weights", dense_per_tensor=True),
    case("fc_per_tensor_relu6", ["FULLY_CONNECTED"], [((9,), (-6.0, 6.0))],
         dense(12, activation="relu6"), "9 -> 12 per-tensor, RELU6", dense_per_tensor=True),
    case("fc_keep_dims_3d", ["FULLY_CONNECTED"], [((3, 5), L1)], dense(4),
         "Dense on a [1, 3, 5] input: FC with keep_num_dims, output [1, 3, 4]"),
    case("fc_multiplier_gt1", ["FULLY_CONNECTED"], [((6,), (-4.0, 4.0))],
         summing(_L().Dense, [1.0, 0.7, 0.3, 0.1]),
         "as conv_1x1_multiplier_gt1 for FULLY_CONNECTED: per-channel multipliers about 2 down "
         "to 0.2", calibration=matched_pairs((6,))),
    # Pooling
    case("maxpool_2x2_s2_valid", ["MAX_POOL_2D"], [((8, 8, 3), L1)],
         lambda x: _L().MaxPooling2D(2)(x), "2x2 stride 2 VALID"),
    case("maxpool_3x3_s2_same", ["MAX_POOL_2D"], [((9, 9, 5), L1)],
         lambda x: _L().MaxPooling2D(3, strides=2, padding="same")(x), "3x3 stride 2 SAME"),
    case("maxpool_3x3_s1_same", ["MAX_POOL_2D"], [((6, 6, 2), L1)],
         lambda x: _L().MaxPooling2D(3, strides=1, padding="same")(x), "3x3 stride 1 SAME"),
    case("maxpool_2x3_s1_valid", ["MAX_POOL_2D"], [((7, 6, 4), L1)],
         lambda x: _L().MaxPooling2D((2, 3), strides=1)(x), "2x3 stride 1 VALID"),
    case("avgpool_2x2_s2_valid", ["AVERAGE_POOL_2D"], [((8, 8, 3), L1)],
         lambda x: _L().AveragePooling2D(2)(x), "2x2 stride 2 VALID"),
    case("avgpool_3x3_s2_same", ["AVERAGE_POOL_2D"], [((9, 9, 5), L1)],
         lambda x: _L().AveragePooling2D(3, strides=2, padding="same")(x),
         "3x3 stride 2 SAME (edge windows average only the valid cells)"),
    case("avgpool_3x3_s1_same", ["AVERAGE_POOL_2D"], [((6, 6, 2), (0.0, 4.0))],
         lambda x: _L().AveragePooling2D(3, strides=1, padding="same")(x), "3x3 stride 1 SAME"),
    case("avgpool_2x3_s1_valid", ["AVERAGE_POOL_2D"], [((7, 6, 4), L1)],
         lambda x: _L().AveragePooling2D((2, 3), strides=1)(x), "2x3 stride 1 VALID"),
    # MEAN
    case("mean_hw", ["MEAN"], [((6, 6, 3), (-1.0, 3.0))],
         lambda x: _L().GlobalAveragePooling2D()(x), "global average pooling -> [1, 3]"),
    case("mean_hw_keepdims", ["MEAN"], [((5, 7, 4), L1)],
         lambda x: _L().GlobalAveragePooling2D(keepdims=True)(x), "keepdims -> [1, 1, 1, 4]"),
    case("mean_hw_12x12x10", ["MEAN"], [((12, 12, 10), (0.0, 6.0))],
         lambda x: _L().GlobalAveragePooling2D()(x), "144 cells per channel"),
    # ADD
    case("add_diff_scales", ["ADD"], [((4, 4, 3), L1), ((4, 4, 3), (-3.0, 5.0))],
         lambda a, b: _L().Add()([a, b]), "inputs with scales 2/255 and 8/255"),
    case("add_relu", ["ADD"], [((5, 3, 6), (-2.0, 2.0)), ((5, 3, 6), (-1.0, 0.5))],
         lambda a, b: _L().ReLU()(_L().Add()([a, b])), "ADD with fused RELU"),
    case("add_scale_ratio_80", ["ADD"], [((2, 2, 4), (-0.1, 0.1)), ((2, 2, 4), (-8.0, 8.0))],
         lambda a, b: _L().Add()([a, b]), "input scales 80x apart"),
    # CONCATENATION
    case("concat_channels_2", ["CONCATENATION"], [((4, 4, 3), L1), ((4, 4, 5), (-3.0, 5.0))],
         lambda a, b: _L().Concatenate()([a, b]), "last axis, 3 + 5 channels"),
    case("concat_channels_3", ["CONCATENATION"],
         [((3, 3, 2), L1), ((3, 3, 1), (0.0, 4.0)), ((3, 3, 4), (-2.0, 0.0))],
         lambda a, b, c: _L().Concatenate()([a, b, c]), "three inputs, 2 + 1 + 4 channels"),
    case("concat_width", ["CONCATENATION"], [((3, 2, 4), L1), ((3, 5, 4), L1)],
         lambda a, b: _L().Concatenate(axis=2)([a, b]), "along the width axis (2)"),
    case("concat_requantize", ["LOGISTIC", "QUANTIZE", "CONCATENATION"], [((8,), (-4.0, 4.0))],
         lambda x: _L().Concatenate()([_L().Activation("sigmoid")(x), x]),
         "sigmoid(x) ++ x: the fixed 1/256 LOGISTIC scale is requantised (QUANTIZE int8->int8)"),
    # PAD
    case("pad_asym", ["PAD"], [((5, 5, 3), (0.0, 2.0))],
         lambda x: _L().ZeroPadding2D(((1, 2), (0, 1)))(x),
         "ZeroPadding2D ((1,2),(0,1)); zero point -128, so padding is -128"),
    case("pad_2_each", ["PAD"], [((4, 6, 2), (-1.0, 3.0))],
         lambda x: _L().ZeroPadding2D(2)(x), "2 on every side, non-trivial zero point"),
    # SOFTMAX
    case("softmax_10", ["SOFTMAX"], [((10,), (-4.0, 4.0))], lambda x: _L().Softmax()(x),
         "10 logits in [-4, 4]"),
    case("softmax_37_wide", ["SOFTMAX"], [((37,), (-16.0, 16.0))], lambda x: _L().Softmax()(x),
         "37 logits in [-16, 16] (large input scale)"),
    case("softmax_4d", ["SOFTMAX"], [((3, 3, 6), (-2.0, 2.0))], lambda x: _L().Softmax()(x),
         "over the last axis of a [1, 3, 3, 6] tensor"),
    # LOGISTIC
    case("logistic_16", ["LOGISTIC"], [((16,), (-8.0, 8.0))],
         lambda x: _L().Activation("sigmoid")(x), "16 values in [-8, 8]"),
    case("logistic_4d", ["LOGISTIC"], [((4, 4, 3), (-3.0, 3.0))],
         lambda x: _L().Activation("sigmoid")(x), "[1, 4, 4, 3] in [-3, 3]"),
    # QUANTIZE / DEQUANTIZE (the RESHAPE is there because the converter drops an empty graph)
    case("quantize_f32_in", ["QUANTIZE", "RESHAPE"], [((2, 2, 3), L1)],
         lambda x: _L().Reshape((12,))(x), "float32 input -> QUANTIZE to int8 (rows go past "
         "the calibration range and hit exact ties)", input_type="float32"),
    case("dequantize_f32_out", ["RESHAPE", "DEQUANTIZE"], [((2, 2, 3), (-1.0, 3.0))],
         lambda x: _L().Reshape((12,))(x), "int8 -> DEQUANTIZE to float32 output",
         output_type="float32"),
    case("quantize_u8_io", ["QUANTIZE", "RESHAPE", "QUANTIZE"], [((2, 2, 3), (0.0, 3.0))],
         lambda x: _L().Reshape((12,))(x),
         "uint8 input (QUANTIZE uint8 -> int8) and uint8 output (QUANTIZE int8 -> uint8)",
         input_type="uint8", output_type="uint8"),
    # RESHAPE and the dynamic-batch trio
    case("reshape_flatten_fixed", ["RESHAPE"], [((3, 4, 5), L1)],
         lambda x: _L().Flatten()(x), "Flatten with a fixed batch of 1 -> [1, 60]"),
    case("reshape_3d", ["RESHAPE"], [((3, 4, 5), L1)], lambda x: _L().Reshape((6, 10))(x),
         "[1, 3, 4, 5] -> [1, 6, 10]"),
    case("flatten_dynamic_batch", ["SHAPE", "STRIDED_SLICE", "PACK", "RESHAPE"],
         [((3, 4, 5), L1)], lambda x: _L().Flatten()(x),
         "Flatten with a dynamic batch: SHAPE / STRIDED_SLICE / PACK compute the new shape "
         "(int32 tensors), then RESHAPE", dynamic_batch=True),
]


def single_op_model(c):
    import tensorflow as tf

    tf.keras.backend.clear_session()
    tf.keras.utils.set_random_seed(seed_of(c["name"]))
    batch = None if c.get("dynamic_batch") else 1
    ins = [tf.keras.Input(shape=s, batch_size=batch, name=f"x{i}")
           for i, (s, _) in enumerate(c["inputs"])]
    model = tf.keras.Model(ins, c["layer"](*ins))
    rng = np.random.default_rng(seed_of(c["name"]) + 1)
    if "calibration" in c:  # a case-specific input distribution
        calib = [{f"x{i}": a[None] for i, a in enumerate(c["calibration"](rng))}
                 for _ in range(CALIBRATION_SAMPLES)]
    else:
        calib = [{f"x{i}": rng.uniform(lo, hi, (1,) + s).astype(np.float32)
                  for i, (s, (lo, hi)) in enumerate(c["inputs"])}
                 for _ in range(CALIBRATION_SAMPLES)]

    def representative():
        yield from calib

    return tt.convert_keras(model, representative, input_type=c.get("input_type", "int8"),
                            output_type=c.get("output_type", "int8"),
                            dense_per_tensor=c.get("dense_per_tensor", False))


def single_op_inputs(c, info):
    """RANDOM_ROWS uniform rows over the whole integer range, then the extreme rows (every
    combination of all-min / all-max over the inputs). Float inputs: uniform over 1.5x the
    calibration range (so QUANTIZE saturates), exact rounding ties, and huge values."""
    rng = np.random.default_rng(seed_of(c["name"]) + 2)
    arrays = []
    n_in = len(info["inputs"])
    for i, t in enumerate(info["inputs"]):
        shape = tuple(t["shape"][1:])
        dt = tt.np_dtype(t["dtype"])
        if dt == np.float32:
            lo, hi = c["inputs"][i][1]
            span = hi - lo
            rows = rng.uniform(lo - span / 4, hi + span / 4, (RANDOM_ROWS,) + shape)
            s = info["quantize_scale"]  # a float input has no scale: take QUANTIZE's output's
            ties = (rng.integers(-200, 200, (2,) + shape) + 0.5) * s
            extremes = np.stack([np.full(shape, -1e6), np.full(shape, 1e6)])
            arrays.append(np.concatenate([rows, ties, extremes]).astype(np.float32))
        else:
            ii = np.iinfo(dt)
            rows = rng.integers(ii.min, ii.max + 1, (RANDOM_ROWS,) + shape)
            if "calibration" in c:  # half the rows from the case's own distribution, quantised
                drawn = np.stack([c["calibration"](rng)[i] for _ in range(RANDOM_ROWS // 2)])
                q = np.round(drawn / t["scale"]) + t["zero_point"]
                rows[RANDOM_ROWS // 2:] = np.clip(q, ii.min, ii.max)
            combos = [[(k >> j) & 1 for j in range(n_in)] for k in range(1 << n_in)]
            extremes = np.stack([np.full(shape, ii.max if cmb[i] else ii.min) for cmb in combos])
            arrays.append(np.concatenate([rows, extremes]).astype(dt))
    return arrays


# ---------------------------------------------------------------------------------------------
# Generation
# ---------------------------------------------------------------------------------------------

def _quantize_scale(buf):
    """Scale of the first QUANTIZE's output (used to place exact ties for float inputs)."""
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

    m = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(buf, 0))
    sg = m.subgraphs[0]
    for op in sg.operators:
        code = m.operatorCodes[op.opcodeIndex]
        if max(code.builtinCode, code.deprecatedBuiltinCode) == fb.BuiltinOperator.QUANTIZE:
            return float(sg.tensors[op.outputs[0]].quantization.scale[0])
    return None


def describe(c, buf, info, inputs, outputs, extra):
    ops_seq = [o["op"] for o in info["ops"]]
    entry = {"name": c["name"], "kind": c["kind"], "description": c["description"],
             "ops": sorted(set(ops_seq), key=ops_seq.index),
             "operators": info["ops"],
             "model_bytes": len(buf),
             "rows": int(len(inputs[0])),
             "inputs": [], "outputs": []}
    for kind, tensors, arrays in (("input", info["inputs"], inputs),
                                  ("output", info["outputs"], outputs)):
        for i, (t, a) in enumerate(zip(tensors, arrays)):
            d = {"file": f"{kind}_{i}.npy", "name": t["name"], "dtype": t["dtype"],
                 "shape": t["shape"], "shape_signature": t["shape_signature"],
                 "npy_shape": list(a.shape)}
            for k in ("scale", "zero_point"):
                if k in t:
                    d[k] = t[k]
            entry[kind + "s"].append(d)
    entry.update(extra)
    return entry


def compact_json(obj):
    """Indented JSON with lists of scalars (shapes, scales) kept on one line."""
    text = json.dumps(obj, indent=1)
    return re.sub(r"\[\s*([^\[\]{}]*?)\s*\]",
                  lambda m: "[" + ", ".join(v.strip() for v in m.group(1).split(",")) + "]"
                  if m.group(1).strip() else "[]", text)


def check_io(c, info, inputs, outputs):
    for t, a in zip(info["inputs"] + info["outputs"], inputs + outputs):
        if t["shape"][0] != 1:
            raise SystemExit(f"{c['name']}: tensor {t['name']} has batch {t['shape'][0]}, want 1")
        if list(a.shape[1:]) != t["shape"][1:] or a.dtype != tt.np_dtype(t["dtype"]):
            raise SystemExit(f"{c['name']}: array {a.dtype}{list(a.shape)} does not match "
                             f"tensor {t['dtype']}{t['shape']}")


def litert_agreement(buf, inputs, outputs):
    res = {}
    for resolver in ("BUILTIN_REF", "AUTO"):
        try:
            res[resolver] = tt.diff_stats(outputs, tt.litert_run(buf, inputs, resolver))
        except (RuntimeError, ValueError) as e:  # LiteRT refusing a model is a finding too
            res[resolver] = {"error": str(e).strip().splitlines()[-1][:200]}
    return res


def write_case(out_dir, name, buf, inputs, outputs):
    """Write into <name>.tmp, then swap it in: a crash never leaves a half-written case."""
    final = os.path.join(out_dir, name)
    tmp = final + ".tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(tmp)
    with open(os.path.join(tmp, "model.tflite"), "wb") as f:
        f.write(buf)
    for kind, arrays in (("input", inputs), ("output", outputs)):
        for i, a in enumerate(arrays):
            np.save(os.path.join(tmp, f"{kind}_{i}.npy"), np.ascontiguousarray(a))
    shutil.rmtree(final, ignore_errors=True)
    os.replace(tmp, final)


def run_single_op(c, out_dir, log):
    t0 = time.perf_counter()
    buf = single_op_model(c)
    info = tt.model_info(buf)
    info["quantize_scale"] = _quantize_scale(buf)
    got = [o["op"] for o in info["ops"]]
    if got != c["ops"]:
        raise SystemExit(f"{c['name']}: converter emitted {got}, expected {c['ops']}")
    inputs = single_op_inputs(c, info)
    outputs = tt.tflm_run(buf, inputs)
    check_io(c, info, inputs, outputs)
    extra = {"tflm": tt.tflm_arena(buf, inputs), "litert": litert_agreement(buf, inputs, outputs)}
    write_case(out_dir, c["name"], buf, inputs, outputs)
    entry = describe(c, buf, info, inputs, outputs, extra)
    log(f"  {c['name']}: {' '.join(got)}; arena {extra['tflm']['arena_size']} B; "
        f"LiteRT REF/XNNPACK differ {_d(extra['litert'], 'BUILTIN_REF')}/"
        f"{_d(extra['litert'], 'AUTO')} of {len(inputs[0])}  ({time.perf_counter() - t0:.1f} s)")
    return entry


def _d(lr, k):
    r = lr[k]
    return "error" if "error" in r else f"{r['differing_vectors']}(max {r['max_abs_diff']})"


def model_inputs(info, x_u8):
    t = info["inputs"][0]
    dt = tt.np_dtype(t["dtype"])
    if dt == np.float32:
        return fmnist.float_images(x_u8)
    return fmnist.quantize_images(x_u8, t["scale"], t["zero_point"], dt)


def run_whole_models(specs, out_dir, log, reuse, previous):
    """Train the nets these specs need (each once), convert, run. With reuse, the committed
    model.tflite files are used as they are and the Keras figures come from the old manifest."""
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    data = (fmnist.load("train"), fmnist.load("test"))
    x_test, y_test = data[1]
    trained = {}
    entries = []
    for spec in specs:
        t0 = time.perf_counter()
        c = dict(spec, kind="model")
        if reuse:
            with open(os.path.join(GOLDEN, c["name"], "model.tflite"), "rb") as f:
                buf = f.read()
            keras = previous.get(c["name"], {}).get("keras")
        else:
            if spec["net"] not in trained:
                trained[spec["net"]] = models.train(spec["net"], data, log)
            model, acc = trained[spec["net"]]
            buf = models.convert(spec, model, data[0][0])
            keras = {"float_test_accuracy": acc, "epochs": models.EPOCHS,
                     "batch_size": models.BATCH, "seed": models.SEED,
                     "calibration_images": models.CALIBRATION_IMAGES}
        if len(buf) > 200_000:
            raise SystemExit(f"{c['name']}: {len(buf)} bytes, over the 200 KB budget")
        info = tt.model_info(buf)
        all_inputs = [model_inputs(info, x_test)]
        all_out = tt.tflm_run(buf, all_inputs)  # the whole test split: int8 accuracy
        int8_acc = float(np.mean(np.argmax(all_out[0].reshape(len(y_test), -1), 1) == y_test))
        inputs = [a[:MODEL_ROWS] for a in all_inputs]
        outputs = [a[:MODEL_ROWS] for a in all_out]
        check_io(c, info, inputs, outputs)
        extra = {"tflm": tt.tflm_arena(buf, inputs),
                 "litert": litert_agreement(buf, inputs, outputs),
                 "keras": keras,
                 "tflm_int8_test_accuracy": int8_acc,
                 "input_preprocessing": "Fashion-MNIST test images 0..%d: pixel/255 quantised "
                                        "with the input tensor's scale and zero point"
                                        % (MODEL_ROWS - 1)}
        write_case(out_dir, c["name"], buf, inputs, outputs)
        entries.append(describe(c, buf, info, inputs, outputs, extra))
        f_acc = keras["float_test_accuracy"] if keras else float("nan")
        log(f"  {c['name']}: {len(buf)} B, {' '.join(o['op'] for o in info['ops'])}; arena "
            f"{extra['tflm']['arena_size']} B; accuracy float {f_acc:.4f} int8(TFLM) "
            f"{int8_acc:.4f}; LiteRT REF/XNNPACK differ {_d(extra['litert'], 'BUILTIN_REF')}/"
            f"{_d(extra['litert'], 'AUTO')} of {MODEL_ROWS}  ({time.perf_counter() - t0:.0f} s)")
    return entries


def run_suite(c, out_dir, log):
    """A suite model: build (seeded weights, BN statistics from the calibration data), convert,
    run c["rows"] random full-range int8 rows (the last four: all -128, all 127, all the zero
    point, a -128/127 checkerboard) through TFLM."""
    import tensorflow as tf

    t0 = time.perf_counter()
    tf.config.experimental.enable_op_determinism()
    seed = seed_of(c["name"])
    buf, keras_params = suite.convert(c, seed)
    info = tt.model_info(buf)
    if c.get("dense_per_tensor"):
        _require_per_tensor_fc(c["name"], buf)
    inputs = [suite.random_inputs(info, c["rows"], seed + 3)]
    outputs = tt.tflm_run(buf, inputs)
    check_io(c, info, inputs, outputs)
    size = len(buf) + sum(a.nbytes for a in inputs + outputs)
    if size > 3_000_000:
        raise SystemExit(f"{c['name']}: {size} bytes, over the 3 MB budget per case")
    work = suite.macs_and_params(buf)
    flat = outputs[0].reshape(len(outputs[0]), -1)
    extra = {"tflm": tt.tflm_arena(buf, inputs), "litert": litert_agreement(buf, inputs, outputs),
             "macs": work["macs"], "macs_by_op": work["macs_by_op"],
             "params": work["params"], "keras_params": keras_params,
             "published": c["published"],
             "distinct_output_rows": int(len(np.unique(flat, axis=0))),
             "calibration": f"{suite.CALIBRATION_SAMPLES} float32 inputs uniform over "
                            f"{list(c['calib_range'])}, seeded",
             "input_rows": f"{c['rows'] - 4} uniform over the int8 range, then all -128, all 127,"
                           " all the zero point, a -128/127 checkerboard; seeded"}
    write_case(out_dir, c["name"], buf, inputs, outputs)
    entry = describe(c, buf, info, inputs, outputs, extra)
    log(f"  {c['name']}: {len(buf)} B, {work['macs']:,} MACs, {work['params']:,} params, "
        f"{len(info['ops'])} ops; arena {extra['tflm']['arena_size']} B; "
        f"{extra['distinct_output_rows']} distinct output rows of {c['rows']}; LiteRT "
        f"REF/XNNPACK differ {_d(extra['litert'], 'BUILTIN_REF')}/{_d(extra['litert'], 'AUTO')}"
        f"  ({time.perf_counter() - t0:.0f} s)")
    return entry


def _require_per_tensor_fc(name, buf):
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

    m = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(buf, 0))
    sg = m.subgraphs[0]
    for op in sg.operators:
        code = m.operatorCodes[op.opcodeIndex]
        if max(code.builtinCode, code.deprecatedBuiltinCode) == fb.BuiltinOperator.FULLY_CONNECTED:
            if len(sg.tensors[op.inputs[1]].quantization.scale) != 1:
                raise SystemExit(f"{name}: FULLY_CONNECTED weights are not per-tensor")


TIES = dict(name="fc_per_tensor_ties", kind="single_op", ops=["FULLY_CONNECTED"],
            description="400 -> 8 per-tensor FULLY_CONNECTED; rows 16.. are built so that one "
                        "output each lands where TFLM's double-product multiplier and the "
                        "float32-product one round differently (bench/refs/ties.py)")


def run_ties(c, out_dir, log):
    t0 = time.perf_counter()
    seed = seed_of(c["name"])
    model, calib = ties.build(seed)
    buf = tt.convert_keras(model, lambda: iter(calib), dense_per_tensor=True)
    info = tt.model_info(buf)
    got = [o["op"] for o in info["ops"]]
    if got != c["ops"]:
        raise SystemExit(f"{c['name']}: converter emitted {got}, expected {c['ops']}")
    p = ties.fc_params(buf)
    rows, facts, emulated = ties.tie_rows(p, seed + 2)
    inputs = [rows]
    outputs = tt.tflm_run(buf, inputs)
    check_io(c, info, inputs, outputs)
    if not np.array_equal(outputs[0], emulated):
        raise SystemExit(f"{c['name']}: the numpy emulation of TFLM disagrees with TFLM")
    if facts["rows_where_float_product_differs"] < 4:
        raise SystemExit(f"{c['name']}: only {facts['rows_where_float_product_differs']} rows "
                         "would catch the float32-product multiplier")
    facts["checked"] = "TFLM's outputs equal the numpy emulation with TFLM's multiplier, row for row"
    extra = {"tflm": tt.tflm_arena(buf, inputs), "litert": litert_agreement(buf, inputs, outputs),
             "ties": facts}
    write_case(out_dir, c["name"], buf, inputs, outputs)
    entry = describe(c, buf, info, inputs, outputs, extra)
    log(f"  {c['name']}: multiplier {facts['tflm_multiplier']['multiplier']} (float32 product: "
        f"{facts['float_product_multiplier']['multiplier']}), shift "
        f"{facts['tflm_multiplier']['shift']}; the float32 product changes "
        f"{facts['rows_where_float_product_differs']} of {len(rows)} rows; arena "
        f"{extra['tflm']['arena_size']} B  ({time.perf_counter() - t0:.1f} s)")
    return entry


def generate(out_dir, only, reuse, log):
    os.makedirs(out_dir, exist_ok=True)
    manifest_path = os.path.join(out_dir, "MANIFEST.json")
    old_path = manifest_path if os.path.exists(manifest_path) else os.path.join(GOLDEN,
                                                                                "MANIFEST.json")
    previous = {}
    if os.path.exists(old_path):
        with open(old_path) as f:
            previous = {c["name"]: c for c in json.load(f)["cases"]}
    names = ([c["name"] for c in SINGLE_OP] + [TIES["name"]] +
             [m["name"] for m in models.WHOLE_MODELS] + [c["name"] for c in suite.SUITE])
    if only:
        unknown = set(only) - set(names)
        if unknown:
            raise SystemExit(f"unknown case(s): {', '.join(sorted(unknown))}")
    want = lambda n: not only or n in only  # noqa: E731
    entries = dict(previous)
    for c in SINGLE_OP:
        if want(c["name"]):
            entries[c["name"]] = run_single_op(c, out_dir, log)
    if want(TIES["name"]):
        entries[TIES["name"]] = run_ties(TIES, out_dir, log)
    specs = [m for m in models.WHOLE_MODELS if want(m["name"])]
    if specs:
        for e in run_whole_models(specs, out_dir, log, reuse, previous):
            entries[e["name"]] = e
    for c in suite.SUITE:
        if want(c["name"]):
            entries[c["name"]] = run_suite(c, out_dir, log)
    missing = [n for n in names if n not in entries]
    if missing:
        raise SystemExit(f"no data for case(s) {', '.join(missing)}: run without --only first")
    manifest = {"generator": "bench/refs/make_golden.py", "versions": tt.versions(),
                "format": FORMAT, "cases": [entries[n] for n in names]}
    tmp = manifest_path + ".tmp"
    with open(tmp, "w") as f:
        f.write(compact_json(manifest) + "\n")
    os.replace(tmp, manifest_path)
    total = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(out_dir) for f in fs)
    log(f"wrote {len(names)} cases to {out_dir}: {total / 1e6:.2f} MB")


def check(only, reuse, log):
    """Regenerate into a temporary folder and compare with the committed files byte for byte."""
    with tempfile.TemporaryDirectory(prefix="golden-check-") as tmp:
        if only:  # a partial run needs the other cases' manifest entries
            shutil.copy(os.path.join(GOLDEN, "MANIFEST.json"), tmp)
        generate(tmp, only, reuse, log)
        bad = []
        for d, _, files in os.walk(tmp):
            for f in files:
                new = os.path.join(d, f)
                old = os.path.join(GOLDEN, os.path.relpath(new, tmp))
                if not os.path.exists(old) or not filecmp.cmp(new, old, shallow=False):
                    bad.append(os.path.relpath(new, tmp))
        if bad:
            log(f"DIFFERENT from the committed golden data: {', '.join(sorted(bad))}")
            return 1
        log("regenerated golden data is identical to the committed files")
        return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--only", help="comma-separated case names")
    ap.add_argument("--out", default=GOLDEN)
    ap.add_argument("--check", action="store_true", help="regenerate in a temp dir and diff")
    ap.add_argument("--reuse-models", action="store_true",
                    help="whole models: take the committed model.tflite instead of training")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    if args.list:
        for c in SINGLE_OP:
            print(f"{c['name']:28} {' '.join(c['ops']):40} {c['description']}")
        print(f"{TIES['name']:28} {' '.join(TIES['ops']):40} {TIES['description']}")
        for m in models.WHOLE_MODELS:
            print(f"{m['name']:28} {'(whole model)':40} {m['description']}")
        for c in suite.SUITE:
            print(f"{c['name']:28} {'(suite model)':40} {c['description']}")
        return 0
    try:
        os.nice(10)  # the machine's cores are shared with Swift builds
    except OSError:
        pass
    only = set(args.only.split(",")) if args.only else None
    log = lambda s: print(s, flush=True)  # noqa: E731
    if args.check:
        return check(only, args.reuse_models, log)
    generate(args.out, only, args.reuse_models, log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
