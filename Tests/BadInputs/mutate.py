#!/usr/bin/env python3
"""The hostile-input sweep of issue 16, repeatable: mutates the good files of this folder the way
the issue's table did (flipped, overwritten, truncated and inserted bytes; absurd numbers in the
JSON) and runs each through the command that reads it. Every run must end with exit code 0, 1 or
64, a one-line "Error: " naming the file when it is not 0, and no signal or hang.

    python3 Tests/BadInputs/mutate.py .build/release/tinycnn [cases per class] [seed]

Prints, per class: cases, exit codes, signals, hangs (no exit within 60 s), errors without the
file's name, and the slowest case's seconds (a loaded machine makes these long; rerun a "hang"
alone before believing it).
Exits 1 when any class has a signal, a hang or an unnamed error; with MUTATE_KEEP=DIR the inputs
of those cases are copied there. Standard library only."""
import collections, json, os, random, shutil, struct, subprocess, sys, tempfile, time

here = os.path.dirname(os.path.abspath(__file__))
binary = os.path.abspath(sys.argv[1])
per_class = int(sys.argv[2]) if len(sys.argv) > 2 else 200
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 16)
os.chdir(here)

ABSURD = [0, -1, -1e300, 1e300, 1e19, 2**63, 2**64, -2**63, 1e-300, 4294967296, 0.5, 1e5, 1e6,
          float("nan"), float("inf")]


def mutate_bytes(data):
    data = bytearray(data)
    kind = rng.randrange(4)
    if kind == 0:  # flip bits
        for _ in range(rng.randint(1, 8)):
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
    elif kind == 1:  # overwrite a run with random or extreme bytes
        i = rng.randrange(len(data))
        n = rng.randint(1, 8)
        fill = rng.choice([None, 0x00, 0xFF, 0x7F, 0x80])
        for j in range(i, min(i + n, len(data))):
            data[j] = rng.randrange(256) if fill is None else fill
    elif kind == 2:  # truncate
        del data[rng.randrange(len(data)):]
    else:  # insert
        i = rng.randrange(len(data) + 1)
        data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    return bytes(data)


def absurd_json(value):
    """Replaces one number somewhere in `value` (nested dicts/lists) by an absurd one."""
    paths = []

    def walk(v, path):
        if isinstance(v, bool):
            return
        if isinstance(v, (int, float)):
            paths.append(path)
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(x, path + [k])
        elif isinstance(v, list):
            for k, x in enumerate(v):
                walk(x, path + [k])

    walk(value, [])
    if not paths:
        return value
    path = rng.choice(paths)
    target = value
    for k in path[:-1]:
        target = target[k]
    target[path[-1]] = rng.choice(ABSURD)
    return value


def mutate_json_text(text):
    if rng.random() < 0.5:
        out = json.dumps(absurd_json(json.loads(text)))
        # json.dumps writes NaN/Infinity, which are not JSON: half the time keep them as text.
        return out.replace("NaN", "1e999") if rng.random() < 0.5 else out
    return mutate_bytes(text.encode()).decode("latin-1")


def mutate_safetensors(raw):
    if rng.random() < 0.5:
        return mutate_bytes(raw)
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    data = bytearray(raw[8 + n:])
    choice = rng.randrange(3)
    if choice == 0:  # an absurd shape or offset
        name = rng.choice([k for k in header if k != "__metadata__"])
        absurd_json(header[name])
    elif choice == 1:  # an absurd weight value (1e19, NaN, inf)
        i = rng.randrange(len(data) // 4) * 4
        data[i:i + 4] = struct.pack("<f", rng.choice([1e19, 1e30, float("nan"), float("inf"), -3e38]))
    else:  # an absurd number in the graph
        meta = header["__metadata__"]
        meta["graph"] = json.dumps(absurd_json(json.loads(meta["graph"])))
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + bytes(data)


# class name -> (good file, mutation, command with FILE and OUT)
CLASSES = {
    "target file (estimate --target-file)": (
        "good/target.json", mutate_json_text,
        ["estimate", "--model", "lenet5", "--target-file", "FILE"]),
    ".safetensors (quantize)": (
        "good/model.safetensors", mutate_safetensors,
        ["quantize", "FILE", "-o", "OUT/q.tflite", "--dataset", "good/idx", "--samples", "3"]),
    ".safetensors (eval)": (
        "good/model.safetensors", mutate_safetensors,
        ["eval", "--float", "FILE", "--int8", "good/model.tflite", "--dataset", "good/idx",
         "--limit", "10"]),
    "graph .json (train --model)": (
        "good/graph.json", mutate_json_text,
        ["train", "--model", "FILE", "--dataset", "good/idx", "--epochs", "1", "-o", "OUT/m.safetensors"]),
    "graph .json (estimate)": (
        "good/graph.json", mutate_json_text, ["estimate", "--model", "FILE", "--target", "rp2040"]),
    ".tflite (estimate)": (
        "good/model.tflite", mutate_bytes, ["estimate", "--model", "FILE", "--target", "rp2040"]),
    ".tflite (inspect)": ("good/model.tflite", mutate_bytes, ["inspect", "FILE"]),
}


def run_class(name, good, mutate, command):
    tally = collections.Counter()
    problems = []
    slowest = 0.0
    raw = open(good, "rb").read()
    text_input = good.endswith(".json")
    with tempfile.TemporaryDirectory(prefix="tinycnn-mutate-") as out:
        suffix = os.path.splitext(good)[1]
        path = os.path.join(out, "input" + suffix)
        for case in range(per_class):
            mutated = mutate(raw.decode() if text_input else raw)
            with open(path, "wb") as f:
                f.write(mutated.encode("latin-1") if isinstance(mutated, str) else mutated)
            args = [binary] + [a.replace("FILE", path).replace("OUT", out) for a in command] + ["--quiet"]
            start = time.monotonic()
            try:
                p = subprocess.run(args, capture_output=True, timeout=60)
            except subprocess.TimeoutExpired:
                tally["hang"] += 1
                problems.append((case, "hang"))
                keep(name, case, path)
                continue
            slowest = max(slowest, time.monotonic() - start)
            if p.returncode < 0:
                tally[f"signal {-p.returncode}"] += 1
                problems.append((case, f"signal {-p.returncode}: {p.stderr.decode()[-300:]}"))
                keep(name, case, path)
                continue
            tally[f"exit {p.returncode}"] += 1
            if p.returncode != 0:
                errors = [l for l in p.stderr.decode(errors="replace").splitlines() if l.startswith("Error: ")]
                if not errors or (p.returncode == 1 and path not in errors[0] and "input" not in errors[0]):
                    tally["unnamed"] += 1
                    problems.append((case, f"no file in: {p.stderr.decode(errors='replace')[:200]}"))
                    keep(name, case, path)
    return tally, problems, slowest


def keep(name, case, path):
    folder = os.environ.get("MUTATE_KEEP")
    if folder:
        os.makedirs(folder, exist_ok=True)
        slug = "".join(c if c.isalnum() else "-" for c in name)
        shutil.copy(path, os.path.join(folder, f"{slug}-{case}{os.path.splitext(path)[1]}"))


failed = False
for name, (good, mutate, command) in CLASSES.items():
    tally, problems, slowest = run_class(name, good, mutate, command)
    bad = sum(v for k, v in tally.items() if k.startswith("signal") or k in ("hang", "unnamed"))
    failed |= bad > 0
    print(f"{name}: {per_class} cases, " + ", ".join(f"{k} {v}" for k, v in sorted(tally.items()))
          + f"; slowest {slowest:.1f} s")
    for case, what in problems[:3]:
        print(f"    case {case}: {what}")
sys.exit(1 if failed else 0)
