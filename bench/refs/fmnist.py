"""Fashion-MNIST from the Debian package dataset-fashion-mnist (gzip IDX files).

    from fmnist import load, float_images, int8_images
    x, y = load("test")                 # (10000, 28, 28) uint8, (10000,) uint8

As a script it exports the float test split (item "float test set" of the bench), generated on
demand and never committed:

    python bench/refs/fmnist.py export [--out bench/out/fmnist]   # x_test_f32.npy, y_test.npy ...
"""

import argparse
import gzip
import os
import sys

import numpy as np

FMNIST_DIR = os.environ.get("FMNIST_DIR", "/usr/share/datasets/fashion-mnist")
CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


def _read_idx(path):
    try:
        with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        sys.exit(f"{path}: not found (apt-get install dataset-fashion-mnist, or set FMNIST_DIR)")
    magic = int.from_bytes(data[0:4], "big")
    if magic >> 8 != 0x08:  # 0x08 = unsigned byte elements
        sys.exit(f"{path}: not an unsigned-byte IDX file (magic {magic:#010x})")
    ndim = magic & 0xFF
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    expected = 4 + 4 * ndim + int(np.prod(dims))
    if len(data) != expected:
        sys.exit(f"{path}: {len(data)} bytes, header says {expected}")
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(split="train"):
    """(images (N, 28, 28) uint8, labels (N,) uint8) of split "train" or "test"."""
    p = {"train": "train", "test": "t10k"}[split]
    return (_read_idx(os.path.join(FMNIST_DIR, f"{p}-images-idx3-ubyte.gz")),
            _read_idx(os.path.join(FMNIST_DIR, f"{p}-labels-idx1-ubyte.gz")))


def float_images(u8):
    """The training preprocessing: [0, 1] float32, NHWC with one channel."""
    return (u8.astype(np.float32) / 255.0)[..., None]


def quantize_images(u8, scale, zero_point, dtype=np.int8):
    """Images quantized with an input tensor's parameters, exactly as TFLite's QUANTIZE would do
    with the float preprocessing (round half away from zero, as std::round). For the converter's
    usual input (scale 1/255, zero point -128) this is u8 - 128."""
    info = np.iinfo(dtype)
    v = float_images(u8) / np.float32(scale)  # float32 division, as TFLM's AffineQuantize
    q = np.sign(v) * np.floor(np.abs(v) + np.float32(0.5))  # round half away from zero
    return np.clip(q + zero_point, info.min, info.max).astype(dtype)


def save_npy(path, array):
    """np.save to a temporary name, then rename: a crash never leaves half a file."""
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        np.save(f, array)
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    ex = sub.add_parser("export", help="write the test split as .npy (float32 [0,1], uint8, int8)")
    ex.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "out", "fmnist"))
    ex.add_argument("--split", default="test", choices=["train", "test"])
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    x, y = load(args.split)
    files = {f"x_{args.split}_f32.npy": float_images(x),       # (N, 28, 28, 1) float32 in [0, 1]
             f"x_{args.split}_u8.npy": x[..., None],           # (N, 28, 28, 1) uint8
             f"x_{args.split}_i8.npy": (x.astype(np.int16) - 128).astype(np.int8)[..., None],
             f"y_{args.split}.npy": y.astype(np.int64)}
    for name, arr in files.items():
        path = os.path.join(args.out, name)
        save_npy(path, arr)
        print(f"wrote {os.path.normpath(path)}: {arr.dtype} {list(arr.shape)}")


if __name__ == "__main__":
    main()
