"""Times one training epoch of LeNet-5 on Fashion-MNIST in Keras (TensorFlow CPU): the reference
for bench/train_speed.sh. The same net as TinyCNN's `lenet5` (conv 6@5x5 same + ReLU, max pool 2,
conv 16@5x5 valid + ReLU, max pool 2, fc 120/84 + ReLU, fc 10), the same preprocessing
(pixel/255), Adam at 0.001, softmax cross-entropy on logits, shuffled mini-batches.

    python bench/keras_lenet5_epoch.py --batch 64 [--threads 2] [--no-warmup]

By default a short warm-up fit (20 batches) runs first, so the timed epoch excludes graph
tracing and XLA/oneDNN setup: the comparison is with Keras at its steady-state speed. Prints one
JSON object on stdout: images_per_second, seconds, batch, threads, test_accuracy (after the
timed epoch, not timed), cpu_seconds (process CPU time of the epoch, all threads), versions.
"""

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "refs"))
import fmnist  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--threads", type=int, default=0,
                        help="intra-op threads (0: TensorFlow's default, one per core)")
    parser.add_argument("--no-warmup", action="store_true",
                        help="time the first epoch including tracing")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    import numpy as np
    import tensorflow as tf

    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    tf.keras.utils.set_random_seed(args.seed)

    x_train, y_train = fmnist.load("train")
    x_test, y_test = fmnist.load("test")
    x_train, x_test = fmnist.float_images(x_train), fmnist.float_images(x_test)

    L = tf.keras.layers
    model = tf.keras.Sequential([
        tf.keras.Input(shape=(28, 28, 1)),
        L.Conv2D(6, 5, padding="same", activation="relu"), L.MaxPooling2D(2),
        L.Conv2D(16, 5, padding="valid", activation="relu"), L.MaxPooling2D(2),
        L.Flatten(), L.Dense(120, activation="relu"), L.Dense(84, activation="relu"), L.Dense(10),
    ])
    model.compile(optimizer=tf.keras.optimizers.Adam(1e-3), metrics=["accuracy"],
                  loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True))

    if not args.no_warmup:
        n = 20 * args.batch
        model.fit(x_train[:n], y_train[:n], batch_size=args.batch, epochs=1, verbose=0)

    start, cpu_start = time.perf_counter(), time.process_time()
    model.fit(x_train, y_train, batch_size=args.batch, epochs=1, shuffle=True, verbose=0)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu_start  # all threads of the process
    accuracy = float(model.evaluate(x_test, y_test, batch_size=500, verbose=0)[1])

    print(json.dumps({
        "framework": "keras",
        "images_per_second": len(x_train) / seconds,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "images": int(len(x_train)),
        "batch": args.batch,
        "threads": args.threads or os.cpu_count(),
        "warmup": not args.no_warmup,
        "test_accuracy": accuracy,
        "tensorflow": tf.__version__,
        "keras": tf.keras.__version__ if hasattr(tf.keras, "__version__") else "",
    }, sort_keys=True))


if __name__ == "__main__":
    main()
