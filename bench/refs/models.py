"""The converter-made whole models of the golden set: small Keras nets trained briefly on
Fashion-MNIST (accuracy is not the point; covering the converter's operators is), then converted
with full-integer post-training quantisation.

Each entry of WHOLE_MODELS gives: which trained net it uses (nets are trained once and shared,
e.g. the three LeNet-5 variants have the same weights), how the graph is presented to the
converter (dynamic or fixed batch), and the conversion options.
"""

import time

import numpy as np

import fmnist
import tflite_tools as tt

EPOCHS = 1
BATCH = 32
CALIBRATION_IMAGES = 200  # training images, chosen with a seeded RNG
SEED = 0


def _layers():
    import tensorflow as tf

    return tf.keras.layers


def lenet5():
    """LeNet-5 exactly as in docs/recipes/python-references.md."""
    L = _layers()
    return [L.Conv2D(6, 5, padding="same", activation="relu"), L.MaxPooling2D(2),
            L.Conv2D(16, 5, padding="valid", activation="relu"), L.MaxPooling2D(2),
            L.Flatten(), L.Dense(120, activation="relu"), L.Dense(84, activation="relu"),
            L.Dense(10)]


def mixed_net(inp):
    """A small DAG with the operators LeNet-5 lacks: depthwise convolution (multipliers 1 and 2),
    average pooling, a residual ADD, CONCATENATION, global average pooling (MEAN) and SOFTMAX;
    stride 2, SAME and VALID padding, dilation 2, odd channel counts."""
    L = _layers()
    x = L.Conv2D(7, 5, padding="valid", activation="relu", name="conv5x5_valid")(inp)  # 24x24x7
    x = L.AveragePooling2D(2, name="avgpool")(x)  # 12x12x7
    a = L.DepthwiseConv2D(3, depth_multiplier=2, padding="same", activation="relu",
                          name="dw_m2_same")(x)  # 12x12x14
    r = L.Conv2D(7, 1, name="pointwise")(a)  # 12x12x7
    s = L.ReLU(name="res_relu")(L.Add(name="residual_add")([x, r]))  # ADD with fused RELU
    b1 = L.Conv2D(9, 3, dilation_rate=2, padding="same", activation="relu",
                  name="conv_dil2")(s)  # 12x12x9
    b2 = L.DepthwiseConv2D(3, padding="same", activation="relu6", name="dw_m1")(s)  # 12x12x7
    c = L.Concatenate(name="concat")([b1, b2])  # 12x12x16
    y = L.Conv2D(24, 3, strides=2, padding="same", activation="relu",
                 name="conv_s2_same")(c)  # 6x6x24 (asymmetric SAME padding: 0 before, 1 after)
    y = L.DepthwiseConv2D(3, strides=2, padding="valid", name="dw_s2_valid")(y)  # 2x2x24
    g = L.GlobalAveragePooling2D(name="gap")(y)  # MEAN -> 24
    return L.Softmax(name="softmax")(L.Dense(10, name="logits")(g))


def sigmoid_net(inp):
    """ZeroPadding2D (PAD), a multi-label sigmoid head (LOGISTIC); converted with uint8 input
    (QUANTIZE uint8 -> int8 in front) and float output (DEQUANTIZE at the end)."""
    L = _layers()
    x = L.ZeroPadding2D(((2, 1), (1, 2)), name="pad")(inp)  # 31x31x1
    x = L.Conv2D(5, 5, strides=2, padding="valid", activation="relu", name="conv")(x)  # 14x14x5
    x = L.MaxPooling2D(3, strides=2, padding="same", name="maxpool")(x)  # 7x7x5
    x = L.Conv2D(11, 3, padding="valid", activation="relu6", name="conv2")(x)  # 5x5x11
    x = L.Flatten(name="flatten")(x)
    return L.Activation("sigmoid", name="sigmoid")(L.Dense(10, name="dense")(x))


WHOLE_MODELS = [
    {"name": "lenet5_dynamic", "net": "lenet5", "fixed_batch": False,
     "description": "LeNet-5 (recipe), dynamic batch: Flatten becomes SHAPE/STRIDED_SLICE/PACK + "
                    "RESHAPE; per-channel dense weights (the converter's default)"},
    {"name": "lenet5_fixed", "net": "lenet5", "fixed_batch": True,
     "description": "the same LeNet-5 weights on a fixed batch of 1: Flatten is one RESHAPE"},
    {"name": "lenet5_fixed_pt", "net": "lenet5", "fixed_batch": True, "dense_per_tensor": True,
     "description": "the same LeNet-5 weights, fixed batch 1, per-tensor FULLY_CONNECTED weights"},
    # Fixed batch: with a dynamic batch the converter lowers the dilated conv to
    # SPACE_TO_BATCH_ND + CONV_2D + BATCH_TO_SPACE_ND, and TFLM (no dynamic shapes) then computes
    # only a quarter of the space-to-batch output: its results are wrong (LiteRT differs by
    # up to 198 on 254 of 256 images, int8 accuracy 0.67 vs float 0.78).
    {"name": "mixed_ops", "net": "mixed", "fixed_batch": True,
     "description": "fixed batch 1; depthwise (multiplier 1 and 2), average pool, residual ADD (fused RELU), "
                    "CONCATENATION, dilation 2, stride 2 SAME/VALID, odd channels, MEAN, SOFTMAX"},
    {"name": "sigmoid_u8_float", "net": "sigmoid", "fixed_batch": False,
     "input_type": "uint8", "output_type": "float32",
     "description": "uint8 input (QUANTIZE to int8), ZeroPadding2D (PAD), MAX_POOL 3x3 s2 SAME, "
                    "RELU6, sigmoid head (LOGISTIC), float output (DEQUANTIZE)"},
]


def _build(net, inp):
    import tensorflow as tf

    if net == "lenet5":
        return tf.keras.Model(inp, tf.keras.Sequential(lenet5(), name="lenet5")(inp))
    if net == "mixed":
        return tf.keras.Model(inp, mixed_net(inp))
    if net == "sigmoid":
        return tf.keras.Model(inp, sigmoid_net(inp))
    raise KeyError(net)


def train(net, data, log=print):
    """Train net for EPOCHS on the training split, seeded. Returns (model, float test accuracy)."""
    import tensorflow as tf

    (x_train, y_train), (x_test, y_test) = data
    tf.keras.backend.clear_session()
    tf.keras.utils.set_random_seed(SEED)
    model = _build(net, tf.keras.Input(shape=(28, 28, 1), name="image"))
    if net == "mixed":  # ends in SOFTMAX
        loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=False)
        y_fit = y_train
    elif net == "sigmoid":  # multi-label head trained on one-hot targets
        loss = tf.keras.losses.BinaryCrossentropy(from_logits=False)
        y_fit = np.eye(10, dtype=np.float32)[y_train]
    else:
        loss = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        y_fit = y_train
    model.compile(optimizer="adam", loss=loss)
    t0 = time.perf_counter()
    model.fit(fmnist.float_images(x_train), y_fit, batch_size=BATCH, epochs=EPOCHS,
              shuffle=True, verbose=0)
    dt = time.perf_counter() - t0
    pred = model.predict(fmnist.float_images(x_test), batch_size=500, verbose=0)
    acc = float(np.mean(np.argmax(pred, axis=1) == y_test))
    log(f"  trained {net}: {EPOCHS} epoch(s) in {dt:.0f} s, float test accuracy {acc:.4f}")
    return model, acc


def convert(spec, model, x_train_u8):
    """Convert a trained net as spec says. Returns the .tflite bytes."""
    import tensorflow as tf

    if spec["fixed_batch"]:
        # Same layers on an Input with batch_size=1 (the recipe's trick: the concrete-function
        # route fails in calibration with Keras 3).
        inp = tf.keras.Input(shape=(28, 28, 1), batch_size=1, name="image")
        fixed = _build(spec["net"], inp)
        fixed.set_weights(model.get_weights())
        model = fixed
    rng = np.random.default_rng(SEED)
    idx = rng.choice(len(x_train_u8), CALIBRATION_IMAGES, replace=False)
    calib = fmnist.float_images(x_train_u8[np.sort(idx)])

    def representative():
        for i in range(len(calib)):
            yield {"image": calib[i:i + 1]}

    return tt.convert_keras(model, representative, input_type=spec.get("input_type", "int8"),
                            output_type=spec.get("output_type", "int8"),
                            dense_per_tensor=spec.get("dense_per_tensor", False))
