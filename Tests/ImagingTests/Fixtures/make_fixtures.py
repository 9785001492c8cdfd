#!/usr/bin/env python3
"""Writes the PNG fixtures of ImagingTests and the pixels each one must decode to.

Standard library only (zlib, struct, json). Every chunk, filter and Adam7 pass is written by hand
here, so neither the fixtures nor the expected pixels come from libpng, the decoder under test.
Run once from this folder; the outputs are committed:

    python3 make_fixtures.py

The expected pixels follow TinyCNN's decoding rules (Sources/Imaging/PNGDecode.swift), computed
here independently of it:
  - a sample of bit depth d becomes 8 bits as round(v * 255 / (2^d - 1));
  - alpha (an alpha channel or a tRNS chunk) composites onto black: round(c * a / 255), per channel;
  - RGB -> gray is ITU-R 601 luma in PIL's integer form: (19595 R + 38470 G + 7471 B + 32768) >> 16,
    applied after compositing;
  - gray -> RGB repeats the gray value;
  - 16-bit Adam7 files only: alpha composites onto black at 16 bits, round(c * a / 65535), before
    the rounding to 8 bits (libpng's linear path, which TinyCNN uses there; PNGDecode.swift says
    why).
expected.json lists, per fixture, width, height and the decoded pixels as hex strings (HWC).
"""

import json
import struct
import zlib

GRAY, RGB, PALETTE, GRAY_ALPHA, RGBA = 0, 2, 3, 4, 6
CHANNELS = {GRAY: 1, RGB: 3, PALETTE: 1, GRAY_ALPHA: 2, RGBA: 4}
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]


class Lcg:
    """A small deterministic generator (Numerical Recipes' LCG) so reruns give the same files."""

    def __init__(self, seed):
        self.state = seed & 0xFFFFFFFF

    def next(self, bound):
        self.state = (1664525 * self.state + 1013904223) & 0xFFFFFFFF
        return (self.state >> 8) % bound


# --- PNG writing -----------------------------------------------------------------------------


def chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def row_bytes(samples, depth):
    """Packs one row of samples (a flat list) big-endian, MSB-first below 8 bits, padded to a byte."""
    if depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    if depth == 8:
        return bytes(samples)
    out, acc, nbits = bytearray(), 0, 0
    for s in samples:
        acc = (acc << depth) | s
        nbits += depth
        if nbits == 8:
            out.append(acc)
            acc, nbits = 0, 0
    if nbits:
        out.append(acc << (8 - nbits))
    return bytes(out)


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def filter_row(kind, row, prior, bpp):
    """PNG filter types 0-4 (PNG spec section 9.2); the decoder must undo each."""
    out = bytearray([kind])
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prior[i]
        c = prior[i - bpp] if i >= bpp else 0
        predictor = [0, a, b, (a + b) // 2, paeth(a, b, c)][kind]
        out.append((x - predictor) & 0xFF)
    return bytes(out)


def scanlines(pixels, width, height, depth, channels, interlaced):
    """The filtered scanline stream; pixels[y][x] is a tuple of samples."""
    bpp = max(1, channels * depth // 8)
    passes = ADAM7 if interlaced else [(0, 0, 1, 1)]
    stream, line = bytearray(), 0
    for x0, y0, dx, dy in passes:
        xs, ys = range(x0, width, dx), range(y0, height, dy)
        if len(xs) == 0 or len(ys) == 0:
            continue  # an empty Adam7 pass has no scanlines at all, not even filter bytes
        prior = None
        for y in ys:
            row = row_bytes([s for x in xs for s in pixels[y][x]], depth)
            prior = prior or bytes(len(row))
            stream += filter_row(line % 5, row, prior, bpp)  # cycle through all five filters
            prior = row
            line += 1
    return bytes(stream)


def png_bytes(f):
    ihdr = struct.pack(">IIBBBBB", f["width"], f["height"], f["depth"], f["color"], 0, 0,
                       1 if f.get("interlaced") else 0)
    out = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    out += chunk(b"tEXt", b"Comment\x00TinyCNN test fixture")
    out += chunk(b"tiNy", b"an unknown ancillary chunk the decoder must skip")
    if "palette" in f:
        out += chunk(b"PLTE", b"".join(bytes(rgb) for rgb in f["palette"]))
    if "trns" in f:
        t = f["trns"]
        if f["color"] == PALETTE:
            out += chunk(b"tRNS", bytes(t))
        else:
            out += chunk(b"tRNS", b"".join(struct.pack(">H", s) for s in t))
    data = zlib.compress(scanlines(f["pixels"], f["width"], f["height"], f["depth"],
                                   CHANNELS[f["color"]], f.get("interlaced", False)), 9)
    pieces = f.get("idat_pieces", 1)
    step = -(-len(data) // pieces)
    for i in range(pieces):
        out += chunk(b"IDAT", data[i * step:(i + 1) * step])
    if pieces > 1:
        out += chunk(b"IDAT", b"")  # an empty IDAT is legal and must change nothing
    return out + chunk(b"IEND", b"")


# --- expected pixels: TinyCNN's rules, independent of libpng ---------------------------------


def to8(v, depth):
    top = (1 << depth) - 1
    return (v * 255 * 2 + top) // (2 * top)  # round(v * 255 / top); never a tie for these depths


def rgba8(f, px):
    """One pixel as 8-bit (r, g, b, a) before compositing."""
    color, depth = f["color"], f["depth"]
    if color == PALETTE:
        r, g, b = f["palette"][px[0]]
        trns = f.get("trns", [])
        a = trns[px[0]] if px[0] < len(trns) else 255
        return r, g, b, a
    if color in (GRAY, RGB):
        a = 0 if "trns" in f and tuple(f["trns"]) == tuple(px) else 255
        c = [to8(s, depth) for s in px]
        return (c[0], c[0], c[0], a) if color == GRAY else (c[0], c[1], c[2], a)
    c = [to8(s, depth) for s in px]
    return (c[0], c[0], c[0], c[1]) if color == GRAY_ALPHA else tuple(c)


def composite_on_black(c, a):
    return (c * a + 127) // 255  # round(c * a / 255): c * a / 255 is never exactly k + 1/2


def luma601(r, g, b):
    return (19595 * r + 38470 * g + 7471 * b + 32768) >> 16


def rgb16_composited(f, px):
    """16-bit Adam7 files (see PNGDecode.swift, libpng bug #853): composite onto black at 16 bits,
    round(c * a / 65535), then round to 8 bits."""
    color = f["color"]
    if color in (GRAY, RGB):
        a = 0 if "trns" in f and tuple(f["trns"]) == tuple(px) else 65535
        c = px * 3 if color == GRAY else px
    else:
        c, a = (px[:1] * 3 if color == GRAY_ALPHA else px[:3]), px[-1]
    return [to8((v * a + 32767) // 65535, 16) for v in c]


def expected(f):
    gray, rgb = bytearray(), bytearray()
    for y in range(f["height"]):
        for x in range(f["width"]):
            if f["depth"] == 16 and f.get("interlaced"):
                r, g, b = rgb16_composited(f, f["pixels"][y][x])
            else:
                r, g, b, a = rgba8(f, f["pixels"][y][x])
                r, g, b = (composite_on_black(c, a) for c in (r, g, b))
            rgb += bytes([r, g, b])
            gray.append(luma601(r, g, b))
    return {"file": f["name"] + ".png", "width": f["width"], "height": f["height"],
            "gray": gray.hex(), "rgb": rgb.hex()}


# --- the fixtures ----------------------------------------------------------------------------


def random_pixels(seed, width, height, channels, depth, forced=()):
    """Random samples, with the extremes 0 and max forced into the first pixels of each row."""
    rng, top = Lcg(seed), (1 << depth) - 1
    rows = []
    for y in range(height):
        row = [tuple(rng.next(top + 1) for _ in range(channels)) for _ in range(width)]
        row[0] = (0,) * channels
        if width > 1:
            row[1] = (top,) * channels
        for (fx, fy), value in forced:
            if fy == y:
                row[fx] = value
        rows.append(row)
    return rows


def fixture(name, color, depth, width=7, height=5, seed=1, **extra):
    channels = CHANNELS[color]
    palette = extra.get("palette")
    top = (len(palette) - 1) if palette else (1 << depth) - 1
    forced = extra.pop("forced", ())
    pixels = random_pixels(seed, width, height, channels, depth, forced)
    if palette:
        pixels = [[(min(p[0], top),) for p in row] for row in pixels]
    return dict(name=name, color=color, depth=depth, width=width, height=height, pixels=pixels,
                **extra)


def palette(n, seed):
    rng = Lcg(seed)
    return [(rng.next(256), rng.next(256), rng.next(256)) for _ in range(n)]


def trns_100():
    rng = Lcg(85)
    return [rng.next(256) for _ in range(100)]


def fixtures():
    fs = []
    for depth in (1, 2, 4, 8, 16):
        fs.append(fixture(f"gray-{depth}bit", GRAY, depth, seed=depth))
    # tRNS on gray/RGB makes exactly one sample value transparent; pixel (2, 1) is forced to it.
    fs.append(fixture("gray-2bit-trns", GRAY, 2, seed=21, trns=[2], forced=[((2, 1), (2,))]))
    fs.append(fixture("gray-8bit-trns", GRAY, 8, seed=22, trns=[77], forced=[((2, 1), (77,))]))
    fs.append(fixture("gray-16bit-trns", GRAY, 16, seed=23, trns=[40000],
                      forced=[((2, 1), (40000,)), ((3, 1), (40001,))]))
    fs.append(fixture("graya-8bit", GRAY_ALPHA, 8, seed=31))
    fs.append(fixture("graya-16bit", GRAY_ALPHA, 16, seed=32))
    fs.append(fixture("rgb-8bit", RGB, 8, seed=41))
    fs.append(fixture("rgb-16bit", RGB, 16, seed=42))
    fs.append(fixture("rgb-8bit-trns", RGB, 8, seed=43, trns=[10, 200, 30],
                      forced=[((2, 1), (10, 200, 30)), ((3, 1), (10, 200, 31))]))
    fs.append(fixture("rgb-16bit-trns", RGB, 16, seed=44, trns=[1000, 2000, 3000],
                      forced=[((2, 1), (1000, 2000, 3000)), ((3, 1), (1000, 2000, 3001))]))
    fs.append(fixture("rgba-8bit", RGBA, 8, seed=51))
    fs.append(fixture("rgba-16bit", RGBA, 16, seed=52))
    for depth in (1, 2, 4, 8):
        n = min(1 << depth, 200)
        fs.append(fixture(f"palette-{depth}bit", PALETTE, depth, seed=60 + depth,
                          palette=palette(n, 70 + depth)))
    # tRNS shorter than the palette: the entries past its end stay opaque.
    fs.append(fixture("palette-4bit-trns", PALETTE, 4, seed=81, palette=palette(16, 82),
                      trns=[0, 128, 255, 1, 254, 60]))
    fs.append(fixture("palette-8bit-trns", PALETTE, 8, seed=83, palette=palette(256, 84),
                      trns=trns_100()))
    # Adam7: 11x7 fills all seven passes; 1x1, 2x3 and 5x1 leave some passes empty.
    for name, color, depth, extra in [
        ("gray-1bit", GRAY, 1, {}),
        ("gray-16bit", GRAY, 16, {}),
        ("graya-8bit", GRAY_ALPHA, 8, {}),
        ("rgb-8bit", RGB, 8, {}),
        ("rgba-16bit", RGBA, 16, {}),
        ("rgb-16bit", RGB, 16, {}),
        ("graya-16bit", GRAY_ALPHA, 16, {}),
        ("gray-16bit-trns", GRAY, 16, {"trns": [65535]}),  # column 1 holds 65535
        ("palette-4bit-trns", PALETTE, 4, {"palette": palette(16, 91), "trns": [0, 100, 200]}),
    ]:
        fs.append(fixture(f"{name}-interlaced", color, depth, width=11, height=7, seed=90 + depth,
                          interlaced=True, **extra))
    for w, h in [(1, 1), (2, 3), (5, 1)]:
        fs.append(fixture(f"rgb-8bit-interlaced-{w}x{h}", RGB, 8, width=w, height=h, seed=w * 10 + h,
                          interlaced=True))
    fs.append(fixture("gray-8bit-1x1", GRAY, 8, width=1, height=1, seed=5))
    fs.append(fixture("rgb-8bit-multi-idat", RGB, 8, width=13, height=9, seed=7, idat_pieces=3))
    return fs


def header_only(width, height):
    """A valid signature and IHDR for a big image, then a token IDAT: the decoder must refuse it
    from the header alone."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, GRAY, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


def edge_cases():
    files = {
        "oversized-16385x1.png": header_only(16385, 1),
        "oversized-1x16385.png": header_only(1, 16385),
        "oversized-100000x100000.png": header_only(100000, 100000),
    }
    # 16384 x 1 is at the limit and must decode: 1-bit gray, every third pixel white.
    width = 16384
    row = [(1 if x % 3 == 0 else 0,) for x in range(width)]
    files["limit-16384x1.png"] = png_bytes(dict(width=width, height=1, depth=1, color=GRAY,
                                                pixels=[row]))
    # Correct CRCs around an IDAT whose zlib stream is garbage: only inflate can notice.
    good = fixture("x", GRAY, 8, seed=3)
    ihdr = struct.pack(">IIBBBBB", good["width"], good["height"], 8, GRAY, 0, 0, 0)
    files["corrupt-zlib.png"] = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
                                 + chunk(b"IDAT", b"\x78\x9c" + bytes(range(7, 200, 3)))
                                 + chunk(b"IEND", b""))
    # Bit depth 3 does not exist.
    bad = struct.pack(">IIBBBBB", 4, 4, 3, GRAY, 0, 0, 0)
    files["bad-bit-depth.png"] = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", bad)
                                  + chunk(b"IDAT", zlib.compress(b"\x00" * 12))
                                  + chunk(b"IEND", b""))
    return files


def main():
    table = []
    for f in fixtures():
        with open(f["name"] + ".png", "wb") as out:
            out.write(png_bytes(f))
        table.append(expected(f))
    for name, data in edge_cases().items():
        with open(name, "wb") as out:
            out.write(data)
    with open("expected.json", "w") as out:
        json.dump({"fixtures": table}, out, indent=1)
        out.write("\n")
    print(f"wrote {len(table)} decodable fixtures and {len(edge_cases())} edge cases")


if __name__ == "__main__":
    main()
