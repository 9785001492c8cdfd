#!/usr/bin/env python3
"""Prints the DSP kernel sources' fingerprint: FNV-1a (64-bit) over each file's path from the
repository root, a NUL byte and its bytes, files in path order (Sources/Runtime/Kernels/CortexM
and firmware/dsp). dsp_suite.sh keeps it beside its measurements (dsp/kernel-sources.txt);
EstimatorTests computes the same and fails when the kernels changed after them."""
import glob, os

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
PATTERNS = ["Sources/Runtime/Kernels/CortexM/*.swift", "firmware/dsp/*"]


def fingerprint():
    files = sorted(os.path.relpath(p, ROOT) for pattern in PATTERNS
                   for p in glob.glob(os.path.join(ROOT, pattern)) if os.path.isfile(p))
    h = 0xCBF29CE484222325
    for name in files:
        with open(os.path.join(ROOT, name), "rb") as f:
            data = name.encode() + b"\0" + f.read()
        for b in data:
            h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"FNV-1a 0x{h:016x} over {len(files)} files"


if __name__ == "__main__":
    print(fingerprint())
