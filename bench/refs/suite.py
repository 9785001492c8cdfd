"""The benchmark suite: MLPerf Tiny architectures in their published shapes, with seeded random
weights, converted by TensorFlow's converter with full-integer post-training quantisation (int8
input and output) and calibrated on seeded random data. Accuracy is meaningless (nothing is
trained); the point is real layer shapes, real operator mixes and real converter output.

The Keras definitions follow mlcommons/tiny benchmark/training/*/keras_model.py (keyword
spotting `ds_cnn`, image classification `resnet_v1_eembc`, the visual wake words MobileNetV1,
anomaly detection's dense autoencoder) and, for the 1-D wake-word net, the depthwise-separable
blocks of streaming_wakeword's `ds_tcn` (DepthwiseConv2D kx1 + Conv2D 1x1 + BN + ReLU on a
[time, 1, features] input). Differences from those files are listed in each builder's docstring.

Weights: Keras's initialisers under tf.keras.utils.set_random_seed(seed). BatchNormalization is
made to look trained: gamma U(0.5, 1.5), beta U(-0.25, 0.25), and the moving mean and variance set,
layer by layer in graph order, to the statistics of that layer's input over the calibration
batch, so every folded layer has normalised, data-dependent outputs (identity BN with mean 0 and
variance 1 would let activations grow or vanish through the stack). The converter folds BN into
the preceding convolution / dense layer.

Calibration: CALIBRATION_SAMPLES float32 inputs drawn uniformly over the input's range (the same
distribution, once quantised, as the golden rows: uniform over the whole int8 range).
"""

import numpy as np

CALIBRATION_SAMPLES = 64


def _L():
    import tensorflow as tf

    return tf.keras.layers


def ds_cnn(inp):
    """MLPerf Tiny keyword spotting DS-CNN (49x10x1 MFCC, 12 classes). As the reference: conv
    10x4 stride 2 SAME, 4 depthwise-separable blocks of 64 channels, AveragePooling2D with
    pool (int(49/2), int(10/2)) = (24, 5) on the 25x5 map (VALID: one output, the last time row
    is not averaged), Flatten, Dense 12 softmax. Dropout is inference-time identity (dropped)."""
    L = _L()
    x = L.Conv2D(64, (10, 4), strides=(2, 2), padding="same", name="conv1")(inp)
    x = L.BatchNormalization(name="conv1_bn")(x)
    x = L.Activation("relu")(x)
    for i in range(1, 5):
        x = L.DepthwiseConv2D((3, 3), padding="same", name=f"dw{i}")(x)
        x = L.BatchNormalization(name=f"dw{i}_bn")(x)
        x = L.Activation("relu")(x)
        x = L.Conv2D(64, (1, 1), padding="same", name=f"pw{i}")(x)
        x = L.BatchNormalization(name=f"pw{i}_bn")(x)
        x = L.Activation("relu")(x)
    x = L.AveragePooling2D(pool_size=(24, 5), name="avgpool")(x)
    x = L.Flatten()(x)
    return L.Dense(12, activation="softmax", name="fc")(x)


def wakeword_1d(inp):
    """A 1-D depthwise-separable wake-word net on [30 frames, 1, 40 features], built from
    streaming_wakeword ds_tcn's block (DepthwiseConv2D (k, 1) without bias, Conv2D 1x1 without
    bias, BN, ReLU) with 128 channels, and a stride-2 and two dilated blocks instead of ds_tcn's
    four VALID ones (to cover those depthwise variants); GlobalAveragePooling2D (MEAN) instead
    of Flatten; Dense 3 logits (ds_tcn's label count). Shapes: 30 -> 30 -> 15 -> 15 -> 7."""
    L = _L()
    blocks = [  # (kernel, stride, dilation, padding)
        (5, 1, 1, "same"),
        (3, 2, 1, "same"),
        (3, 1, 2, "same"),
        (3, 1, 4, "valid"),
    ]
    x = inp
    for i, (k, s, d, pad) in enumerate(blocks, 1):
        x = L.DepthwiseConv2D((k, 1), strides=(s, s), dilation_rate=(d, 1), padding=pad,
                              use_bias=False, name=f"dw{i}")(x)
        x = L.Conv2D(128, 1, use_bias=False, padding="valid", name=f"pw{i}")(x)
        x = L.BatchNormalization(name=f"pw{i}_bn")(x)
        x = L.Activation("relu")(x)
    x = L.GlobalAveragePooling2D(name="gap")(x)
    return L.Dense(3, name="fc")(x)


def mobilenet_v1_025(inp):
    """MLPerf Tiny visual wake words MobileNetV1, alpha 0.25, 96x96x3: conv 3x3 stride 2 with 8
    filters, 13 depthwise-separable blocks (pointwise 16, 32, 32, 64, 64, 128, 128 x5, 256, 256;
    depthwise strides 1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1), all SAME, BN after every conv,
    AveragePooling2D over the whole 3x3 map, Flatten, Dense 2 softmax. ReLU6 (Keras's MobileNet)
    where the MLPerf file uses ReLU."""
    L = _L()
    x = L.Conv2D(8, 3, strides=2, padding="same", name="conv1")(inp)
    x = L.BatchNormalization(name="conv1_bn")(x)
    x = L.ReLU(6.0)(x)
    blocks = [(16, 1), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2)] + [(128, 1)] * 5 + \
        [(256, 2), (256, 1)]
    for i, (filters, stride) in enumerate(blocks, 1):
        x = L.DepthwiseConv2D(3, strides=stride, padding="same", name=f"dw{i}")(x)
        x = L.BatchNormalization(name=f"dw{i}_bn")(x)
        x = L.ReLU(6.0)(x)
        x = L.Conv2D(filters, 1, padding="same", name=f"pw{i}")(x)
        x = L.BatchNormalization(name=f"pw{i}_bn")(x)
        x = L.ReLU(6.0)(x)
    x = L.AveragePooling2D(pool_size=tuple(x.shape[1:3]), name="avgpool")(x)
    x = L.Flatten()(x)
    return L.Dense(2, activation="softmax", name="fc")(x)


def resnet8(inp):
    """MLPerf Tiny image classification ResNet-8 (resnet_v1_eembc with 16/32/64 filters), 32x32x3:
    conv 16 3x3 + BN + ReLU; stack 1: two 3x3 conv 16 (BN, ReLU between) + identity ADD + ReLU;
    stacks 2 and 3: 3x3 stride-2 conv + 3x3 conv (BN each), 1x1 stride-2 conv shortcut (no BN),
    ADD, ReLU; AveragePooling2D 8x8, Flatten, Dense 10 softmax."""
    L = _L()
    x = L.Conv2D(16, 3, padding="same", kernel_initializer="he_normal", name="conv1")(inp)
    x = L.BatchNormalization(name="conv1_bn")(x)
    x = L.Activation("relu")(x)
    for stack, filters in enumerate((16, 32, 64), 1):
        stride = 1 if stack == 1 else 2
        y = L.Conv2D(filters, 3, strides=stride, padding="same", kernel_initializer="he_normal",
                     name=f"s{stack}_conv_a")(x)
        y = L.BatchNormalization(name=f"s{stack}_bn_a")(y)
        y = L.Activation("relu")(y)
        y = L.Conv2D(filters, 3, padding="same", kernel_initializer="he_normal",
                     name=f"s{stack}_conv_b")(y)
        y = L.BatchNormalization(name=f"s{stack}_bn_b")(y)
        if stride != 1:
            x = L.Conv2D(filters, 1, strides=stride, padding="same",
                         kernel_initializer="he_normal", name=f"s{stack}_shortcut")(x)
        x = L.Add(name=f"s{stack}_add")([x, y])
        x = L.Activation("relu")(x)
    x = L.AveragePooling2D(pool_size=8, name="avgpool")(x)
    x = L.Flatten()(x)
    return L.Dense(10, activation="softmax", kernel_initializer="he_normal", name="fc")(x)


def dense_autoencoder(inp):
    """MLPerf Tiny anomaly detection autoencoder (ToyCar, 640 = 5 frames x 128 mels): Dense 128
    x4, Dense 8, Dense 128 x4 (each with BN and ReLU, as the reference), Dense 640 linear."""
    L = _L()
    x = inp
    for i, units in enumerate([128] * 4 + [8] + [128] * 4, 1):
        x = L.Dense(units, name=f"fc{i}")(x)
        x = L.BatchNormalization(name=f"fc{i}_bn")(x)
        x = L.Activation("relu")(x)
    return L.Dense(640, name="fc_out")(x)


def _suite(name, build, shape, calib_range, rows, desc, published, **kw):
    return dict(name=name, kind="suite", build=build, shape=shape, calib_range=calib_range,
                rows=rows, description=desc, published=published, **kw)


SUITE = [
    _suite("suite_ds_cnn", ds_cnn, (49, 10, 1), (-1.0, 1.0), 256,
           "MLPerf Tiny keyword spotting DS-CNN (49x10x1 -> 12), seeded random weights",
           "mlcommons/tiny keyword_spotting ds_cnn: 23,756 trainable parameters (BN included)"),
    _suite("suite_wakeword_1d", wakeword_1d, (30, 1, 40), (-1.0, 1.0), 256,
           "1-D depthwise-separable wake-word net (30x1x40 -> 3): depthwise kx1 with stride 2 "
           "and dilation 2 / 4, 1x1 conv 128, MEAN, seeded random weights",
           "after mlcommons/tiny streaming_wakeword ds_tcn blocks"),
    _suite("suite_mobilenet_v1_025", mobilenet_v1_025, (96, 96, 3), (0.0, 1.0), 64,
           "MLPerf Tiny visual wake words MobileNetV1 alpha 0.25, 96x96x3 -> 2, ReLU6, seeded "
           "random weights",
           "mlcommons/tiny visual_wake_words MobileNetV1 0.25: about 0.22 M parameters"),
    _suite("suite_resnet8", resnet8, (32, 32, 3), (0.0, 1.0), 256,
           "MLPerf Tiny image classification ResNet-8 (32x32x3 -> 10), seeded random weights",
           "mlcommons/tiny image_classification resnet_v1_eembc 16/32/64: about 78 K parameters"),
    _suite("suite_dense_autoencoder", dense_autoencoder, (640,), (-1.0, 1.0), 256,
           "MLPerf Tiny anomaly detection dense autoencoder (640 -> 128x4 -> 8 -> 128x4 -> 640), "
           "per-tensor FULLY_CONNECTED weights, seeded random weights",
           "mlcommons/tiny anomaly_detection ToyCar autoencoder: about 0.27 M parameters",
           dense_per_tensor=True),
]


def calibration_data(c, seed):
    lo, hi = c["calib_range"]
    rng = np.random.default_rng(seed)
    return rng.uniform(lo, hi, (CALIBRATION_SAMPLES, 1) + c["shape"]).astype(np.float32)


def build_model(c, seed):
    """The Keras model of suite case c (fixed batch 1), weights seeded, BN statistics from the
    calibration data (see the module docstring). Returns (model, calibration array)."""
    import tensorflow as tf

    tf.keras.backend.clear_session()
    tf.keras.utils.set_random_seed(seed)
    inp = tf.keras.Input(shape=c["shape"], batch_size=1, name="x")
    model = tf.keras.Model(inp, c["build"](inp), name=c["name"])
    calib = calibration_data(c, seed + 1)
    batch = calib[:, 0]
    # A batch-free twin shares the weights, so BN inputs can be computed on the whole batch.
    inp_n = tf.keras.Input(shape=c["shape"], name="x")
    twin = tf.keras.Model(inp_n, c["build"](inp_n))
    twin.set_weights(model.get_weights())
    rng = np.random.default_rng(seed + 2)
    bn_names = [l.name for l in model.layers if isinstance(l, tf.keras.layers.BatchNormalization)]
    for name in bn_names:
        probe = tf.keras.Model(twin.input, twin.get_layer(name).input)
        a = probe.predict(batch, batch_size=16, verbose=0).astype(np.float64)
        axes = tuple(range(a.ndim - 1))
        mean, var = a.mean(axis=axes), a.var(axis=axes)
        n = mean.shape[0]
        gamma = rng.uniform(0.5, 1.5, n)
        beta = rng.uniform(-0.25, 0.25, n)
        weights = [w.astype(np.float32) for w in (gamma, beta, mean, var)]
        twin.get_layer(name).set_weights(weights)
        model.get_layer(name).set_weights(weights)
    return model, calib


def convert(c, seed):
    """(tflite bytes, Keras parameter counts) of suite case c."""
    import tensorflow as tf

    import tflite_tools as tt

    model, calib = build_model(c, seed)

    def representative():
        for x in calib:
            yield {"x": x}

    buf = tt.convert_keras(model, representative, dense_per_tensor=c.get("dense_per_tensor",
                                                                         False))
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    total = int(sum(np.prod(w.shape) for w in model.weights))
    return buf, {"trainable": trainable, "total_including_bn_statistics": total}


def macs_and_params(buf):
    """Multiply-accumulates per inference of the CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED
    operators of a .tflite (BN already folded), and their weight + bias element counts."""
    from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb

    m = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(buf, 0))
    sg = m.subgraphs[0]
    B = fb.BuiltinOperator
    macs, params, per_op = 0, 0, {}
    for op in sg.operators:
        oc = m.operatorCodes[op.opcodeIndex]
        code = max(oc.builtinCode, oc.deprecatedBuiltinCode)
        if code not in (B.CONV_2D, B.DEPTHWISE_CONV_2D, B.FULLY_CONNECTED):
            continue
        out = [int(v) for v in sg.tensors[op.outputs[0]].shape]
        w = [int(v) for v in sg.tensors[op.inputs[1]].shape]
        if code == B.CONV_2D:  # filter [O, KH, KW, I]
            n = int(np.prod(out)) * w[1] * w[2] * w[3]
        elif code == B.DEPTHWISE_CONV_2D:  # filter [1, KH, KW, O]
            n = int(np.prod(out)) * w[1] * w[2]
        else:  # filter [O, I]
            n = int(np.prod(out)) * w[1]
        macs += n
        p = int(np.prod(w))
        if len(op.inputs) > 2 and op.inputs[2] >= 0:
            p += int(np.prod(sg.tensors[op.inputs[2]].shape))
        params += p
        name = {B.CONV_2D: "CONV_2D", B.DEPTHWISE_CONV_2D: "DEPTHWISE_CONV_2D",
                B.FULLY_CONNECTED: "FULLY_CONNECTED"}[code]
        per_op[name] = per_op.get(name, 0) + n
    return {"macs": macs, "macs_by_op": per_op, "params": params}


def random_inputs(info, rows, seed):
    """rows - 4 rows uniform over the whole integer range, then all-min, all-max, all-zero-point
    and a min/max checkerboard row."""
    t = info["inputs"][0]
    shape = tuple(t["shape"][1:])
    rng = np.random.default_rng(seed)
    x = rng.integers(-128, 128, (rows - 4,) + shape)
    zp = t.get("zero_point", 0)
    checker = np.where(np.indices(shape).sum(axis=0) % 2 == 0, -128, 127)
    extremes = np.stack([np.full(shape, -128), np.full(shape, 127), np.full(shape, zp), checker])
    return np.concatenate([x, extremes]).astype(np.int8)
