"""The Keras side of bench/train_parity.sh: trains one of TinyCNN's zoo networks (lenet5,
cnn-small, resnet8), rebuilt layer for layer in Keras, on the data TinyCNN's `--dataset` reads,
with TinyCNN's training settings, and prints one JSON object: the test accuracy, the per-epoch
times and the trainable parameter count (which the script checks against TinyCNN's).

    python bench/refs/parity_keras.py --model cnn-small --dataset FOLDER --epochs 10 \\
        --batch 64 --optimizer adam --lr 0.002 --seed 0 [--schedule cosine] [--limit N]

What "the same" means here, layer by layer (Sources/Graph/ModelZoo*.swift is the source):
- PyTorch paddings become Keras paddings with the same arithmetic: padding k//2 at stride 1 is
  "same"; ResNet-8's stride-2 3x3 convolutions pad one pixel on every side
  (ZeroPadding2D(1) + "valid"), as TinyCNN's graph does, where Keras's "same" would pad 0 before
  and 1 after.
- Convolutions before batch norm keep their biases (TinyCNN's resnet8, like the MLPerf Keras
  source). Batch norm uses TinyCNN's (PyTorch's) momentum 0.1 and epsilon 1e-5: Keras's
  momentum=0.9, epsilon=1e-5 (Keras's default 0.99 would make the moving statistics lag for
  short runs).
- Adam: beta 0.9 / 0.999, epsilon 1e-8 (TinyCNN's, PyTorch's; Keras's default is 1e-7); SGD:
  momentum 0.9 as PyTorch applies it, which for a constant rate equals Keras's SGD(momentum=0.9).
  The rate constant, or with --schedule cosine Keras's CosineDecay to 0 over all steps, which
  is TinyCNN's `--schedule cosine` (rate(step) = lr (1 + cos(pi step / steps)) / 2, step
  0-based, updated every batch). Glorot-uniform weights, zero biases (both sides' defaults).
- Data: pixel / 255 (TinyCNN's preprocessing); `--limit N` keeps the first N images of each
  split, as TinyCNN's `--limit`; PNG folders decode to RGB (gray, palette and RGBA files too),
  class folders sorted by name; batches shuffled every epoch, the last one partial.
TinyCNN flattens CHW where Keras flattens HWC: a fixed permutation of fc1's inputs, which changes
nothing for a net trained from a random start.

Time per epoch: model.fit's wall time per epoch from a callback; the first epoch includes
tf.function tracing, so the script compares the median of the epochs after the first. After
each timed epoch the callback measures the test accuracy (untimed), as TinyCNN's record has it.
"""

import argparse
import glob
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fmnist  # noqa: E402

import numpy as np  # noqa: E402


# ---- data: the three forms of `--dataset` the parity run uses -------------------------------

def load_dataset(spec, split):
    """(images (N, H, W, C) uint8, labels (N,) int) for `fashion-mnist`, `cifar10:FOLDER` or a
    folder of PNGs with train/ and test/ class sub-folders."""
    if spec == "fashion-mnist":
        x, y = fmnist.load(split)
        return x[..., None], y.astype(np.int64)
    if spec.startswith("cifar10:"):
        return load_cifar(spec.split(":", 1)[1], split)
    return load_png_folder(spec, split)


def load_cifar(folder, split):
    names = ([f"data_batch_{i}.bin" for i in range(1, 6)] if split == "train"
             else ["test_batch.bin"])
    files = [os.path.join(folder, n) for n in names if os.path.isfile(os.path.join(folder, n))]
    if not files:
        sys.exit(f"{folder}: no CIFAR-10 {split} batch")
    records = np.concatenate([np.fromfile(f, np.uint8).reshape(-1, 3073) for f in files])
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)  # planar -> HWC
    return np.ascontiguousarray(images), records[:, 0].astype(np.int64)


def load_png_folder(root, split):
    import tensorflow as tf

    folder = os.path.join(root, split)
    classes = sorted(d for d in os.listdir(folder) if os.path.isdir(os.path.join(folder, d)))
    images, labels = [], []
    for label, name in enumerate(classes):
        for path in sorted(glob.glob(os.path.join(folder, name, "*.png"))):
            png = tf.io.decode_png(tf.io.read_file(path), channels=3)  # gray/palette/RGBA -> RGB
            images.append(png.numpy())
            labels.append(label)
    return np.stack(images), np.array(labels, np.int64)


# ---- the zoo's networks in Keras ------------------------------------------------------------

def lenet5(L, classes):
    return [L.Conv2D(6, 5, padding="same"), L.ReLU(), L.MaxPooling2D(2),
            L.Conv2D(16, 5, padding="valid"), L.ReLU(), L.MaxPooling2D(2),
            L.Flatten(), L.Dense(120), L.ReLU(), L.Dense(84), L.ReLU(), L.Dense(classes)]


def cnn_small(L, classes):
    return [L.Conv2D(32, 3, padding="same"), L.ReLU(), L.MaxPooling2D(2),
            L.Conv2D(64, 3, padding="same"), L.ReLU(), L.MaxPooling2D(2),
            L.Flatten(), L.Dense(128), L.ReLU(), L.Dropout(0.5), L.Dense(classes)]


def resnet8(L, inp, classes):
    """ModelZoo.resnet8: conv-BN-ReLU stem; three stacks (16, 32, 64) of conv-BN-ReLU, conv-BN,
    + identity or a 1x1 stride-2 conv shortcut, ReLU; average pool over the last map, fc."""
    def bn(x):
        return L.BatchNormalization(momentum=0.9, epsilon=1e-5)(x)

    def conv3(x, filters, stride=1):
        if stride == 1:
            return L.Conv2D(filters, 3, padding="same")(x)
        return L.Conv2D(filters, 3, strides=stride)(L.ZeroPadding2D(1)(x))

    x = L.ReLU()(bn(conv3(inp, 16)))
    for stack, filters in enumerate([16, 32, 64]):
        stride = 1 if stack == 0 else 2
        y = L.ReLU()(bn(conv3(x, filters, stride)))
        y = bn(conv3(y, filters))
        if stride != 1:
            x = L.Conv2D(filters, 1, strides=stride)(x)
        x = L.ReLU()(L.Add()([x, y]))
    window = min(x.shape[1], x.shape[2])
    x = L.Flatten()(L.AveragePooling2D(window)(x))
    return L.Dense(classes)(x)


def build(name, shape, classes):
    import tensorflow as tf

    L = tf.keras.layers
    inp = tf.keras.Input(shape=shape)
    if name == "resnet8":
        return tf.keras.Model(inp, resnet8(L, inp, classes))
    layers = {"lenet5": lenet5, "cnn-small": cnn_small}[name](L, classes)
    return tf.keras.Sequential([inp] + layers)


# ---- training -------------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, choices=["lenet5", "cnn-small", "resnet8"])
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--optimizer", choices=["adam", "sgd"], default="adam")
    ap.add_argument("--lr", type=float, default=0.002)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--schedule", choices=["constant", "cosine"], default="constant")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--threads", type=int, default=0)
    a = ap.parse_args()

    import tensorflow as tf

    if a.threads:
        tf.config.threading.set_intra_op_parallelism_threads(a.threads)
        tf.config.threading.set_inter_op_parallelism_threads(a.threads)
    tf.keras.utils.set_random_seed(a.seed)

    (x_train, y_train), (x_test, y_test) = (load_dataset(a.dataset, s) for s in ("train", "test"))
    if a.limit:
        x_train, y_train, x_test, y_test = (
            x_train[:a.limit], y_train[:a.limit], x_test[:a.limit], y_test[:a.limit])
    x_train = x_train.astype(np.float32) / 255.0
    x_test = x_test.astype(np.float32) / 255.0
    classes = int(max(y_train.max(), y_test.max())) + 1

    model = build(a.model, x_train.shape[1:], classes)
    lr = a.lr
    if a.schedule == "cosine":
        steps = a.epochs * -(-len(x_train) // a.batch)  # the last batch of an epoch is partial
        lr = tf.keras.optimizers.schedules.CosineDecay(a.lr, decay_steps=steps)
    optimizer = (tf.keras.optimizers.Adam(lr, beta_1=0.9, beta_2=0.999, epsilon=1e-8)
                 if a.optimizer == "adam" else tf.keras.optimizers.SGD(lr, momentum=0.9))
    model.compile(optimizer=optimizer, metrics=["accuracy"],
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))

    epoch_seconds, epoch_cpu, epoch_test = [], [], []

    class Timer(tf.keras.callbacks.Callback):
        """Times each epoch, then (untimed, as TinyCNN's test pass) measures the test accuracy."""

        def on_epoch_begin(self, epoch, logs=None):
            self.start, self.cpu = time.perf_counter(), time.process_time()

        def on_epoch_end(self, epoch, logs=None):
            epoch_seconds.append(time.perf_counter() - self.start)
            epoch_cpu.append(time.process_time() - self.cpu)
            result = self.model.evaluate(x_test, y_test, batch_size=500, verbose=0)
            epoch_test.append(float(result[1]))

    history = model.fit(x_train, y_train, batch_size=a.batch, epochs=a.epochs, shuffle=True,
                        verbose=0, callbacks=[Timer()])
    loss, accuracy = model.evaluate(x_test, y_test, batch_size=500, verbose=0)
    trainable = int(sum(np.prod(w.shape) for w in model.trainable_weights))
    print(json.dumps({
        "framework": "keras", "model": a.model, "dataset": a.dataset, "seed": a.seed,
        "schedule": a.schedule,
        "test_accuracy": float(accuracy), "test_loss": float(loss),
        "train_loss": [float(v) for v in history.history["loss"]],
        "epoch_seconds": epoch_seconds, "epoch_cpu_seconds": epoch_cpu,
        "epoch_test_accuracy": epoch_test,
        "trainable_parameters": trainable,
        "train_images": int(len(x_train)), "test_images": int(len(x_test)),
        "tensorflow": tf.__version__,
    }, sort_keys=True))


if __name__ == "__main__":
    main()
