"""A PNG folder of three shapes (circle, square, triangle) in random colours on random
backgrounds, for training tests a new user would run: train/<class>/*.png and test/<class>/*.png,
with the PNG flavours people's folders mix (RGB, palette, RGBA, 8-bit gray), written by hand with
zlib (no imaging package needed). With --format cifar the same kind of images (32x32 RGB) go into
a CIFAR-10 binary folder instead: data_batch_1.bin, test_batch.bin (records of a label byte and
the red, green and blue planes) and batches.meta.txt with the class names.

    python3 bench/refs/shapes_folder.py OUT [--size 40] [--train 200] [--test 50] [--seed 0]
    python3 bench/refs/shapes_folder.py OUT --format cifar [--train 200] [--test 50]
"""

import argparse
import os
import struct
import zlib

import numpy as np

CLASSES = ["circle", "square", "triangle"]


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(
        ">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def write_png(path, rgb, flavour):
    """rgb: [H, W, 3] uint8. flavour: rgb, palette, rgba or gray."""
    h, w, _ = rgb.shape
    extra = b""
    if flavour == "rgb":
        color_type, rows = 2, rgb
    elif flavour == "rgba":
        color_type, rows = 6, np.concatenate([rgb, np.full((h, w, 1), 255, np.uint8)], axis=2)
    elif flavour == "gray":
        color_type = 0
        rows = (rgb @ np.array([0.299, 0.587, 0.114])).round().clip(0, 255).astype(np.uint8)
        rows = rows[:, :, None]
    else:  # palette: at most 256 distinct colours (these images have a handful)
        colours, index = np.unique(rgb.reshape(-1, 3), axis=0, return_inverse=True)
        assert len(colours) <= 256
        color_type, rows = 3, index.reshape(h, w, 1).astype(np.uint8)
        extra = _chunk(b"PLTE", colours.astype(np.uint8).tobytes())
    raw = b"".join(b"\x00" + rows[y].tobytes() for y in range(h))
    ihdr = struct.pack(">IIBBBBB", w, h, 8, color_type, 0, 0, 0)
    data = (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + extra
            + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b""))
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def draw(rng, label, size):
    """One image: a flat random background, one shape of a different random colour."""
    while True:
        bg, fg = rng.integers(0, 256, 3), rng.integers(0, 256, 3)
        if np.abs(bg.astype(int) - fg).sum() > 150:
            break
    img = np.empty((size, size, 3), np.uint8)
    img[:] = bg
    r = rng.uniform(0.2, 0.35) * size
    cy, cx = rng.uniform(r, size - r, 2)
    y, x = np.mgrid[0:size, 0:size] + 0.5
    if label == 0:
        mask = (y - cy) ** 2 + (x - cx) ** 2 <= r * r
    elif label == 1:
        mask = (np.abs(y - cy) <= r * 0.85) & (np.abs(x - cx) <= r * 0.85)
    else:  # an upward triangle: apex at the top, base at the bottom
        top, bottom = cy - r, cy + r * 0.8
        half = (y - top) / (bottom - top) * r
        mask = (y >= top) & (y <= bottom) & (np.abs(x - cx) <= half)
    img[mask] = fg
    return img


def write_cifar_batch(path, images, labels):
    """CIFAR-10's binary records: the label, then the 1024 red, green and blue bytes (planar)."""
    planar = np.stack(images).transpose(0, 3, 1, 2).reshape(len(images), -1)
    records = np.concatenate([np.array(labels, np.uint8)[:, None], planar], axis=1)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(records.astype(np.uint8).tobytes())
    os.replace(tmp, path)


def write_cifar(out, rng, train, test):
    """A CIFAR-10 binary folder of 32x32 shapes, classes interleaved as CIFAR's files are."""
    os.makedirs(out, exist_ok=True)
    for name, n in (("data_batch_1.bin", train), ("test_batch.bin", test)):
        labels = [i % len(CLASSES) for i in range(n * len(CLASSES))]
        write_cifar_batch(os.path.join(out, name), [draw(rng, y, 32) for y in labels], labels)
    with open(os.path.join(out, "batches.meta.txt"), "w") as f:
        f.write("\n".join(CLASSES) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--size", type=int, default=None, help="pixels (default 40; 32 for cifar)")
    ap.add_argument("--train", type=int, default=200, help="images per class")
    ap.add_argument("--test", type=int, default=50, help="images per class")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--flavours", default="rgb,palette,rgba,gray")
    ap.add_argument("--format", choices=["png", "cifar"], default="png")
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    if a.size is None:
        a.size = 32 if a.format == "cifar" else 40
    if a.format == "cifar":
        if a.size != 32:
            ap.error("--format cifar writes 32x32 images (CIFAR-10's size); leave --size at 32")
        return write_cifar(a.out, rng, a.train, a.test)
    flavours = a.flavours.split(",")
    for split, n in (("train", a.train), ("test", a.test)):
        for label, name in enumerate(CLASSES):
            folder = os.path.join(a.out, split, name)
            os.makedirs(folder, exist_ok=True)
            for i in range(n):
                write_png(os.path.join(folder, f"{i:04d}.png"), draw(rng, label, a.size),
                          flavours[i % len(flavours)])


if __name__ == "__main__":
    main()
