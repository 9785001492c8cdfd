#!/usr/bin/env python3
"""Reduces one measure.sh run to the committed measurement file: per operator its shape, the
exact instruction count, the bytes read from code memory ("flash") and its cycles under each
listed core's timing rules (cycles.py).

  python3 collect.py BUILD_DIR OUT.json CORE [CORE...]      (standard library only)
"""
import json, os, sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cycles, fit

build, out, cores = sys.argv[1], sys.argv[2], sys.argv[3:]
layers = fit.read_layers(os.path.join(build, "layers.h"))
insn = cycles.parse_dis(os.path.join(build, "fw.dis"))
regions = cycles.parse_profile(os.path.join(build, "profile.txt"))
assert len(layers) == len(regions), f"{build}: {len(layers)} layers, {len(regions)} regions"
rows = []
for l, r in zip(layers, regions):
    row = dict(l)
    row["insns"] = r["insns"]
    row["flash_read_bytes"] = r["flash_read_bytes"]
    row["cycles"] = {c: round(cycles.region_cycles(insn, r, c)[0]) for c in cores}
    rows.append(row)
with open(out + ".tmp", "w") as f:
    json.dump({"build": os.path.basename(build), "layers": rows}, f, indent=None, separators=(",", ":"))
    f.write("\n")
os.replace(out + ".tmp", out)
