#!/usr/bin/env python3
"""Writes the bad-input corpus of Tests/BadInputs (issue 16): one small file or folder per cause,
made from good ones by one mutation each. The expected message of each is in cases.txt, which
Tests/CLITests/BadInputTests.swift runs through the tinycnn binary.

    python3 Tests/BadInputs/make-corpus.py .build/release/tinycnn

The binary trains the small float model the .safetensors cases start from (good/model.safetensors)
and quantizes it (good/model.tflite); everything else is written here byte by byte. Standard
library only."""
import json, os, random, shutil, struct, subprocess, sys, zlib, gzip

here = os.path.dirname(os.path.abspath(__file__))
os.chdir(here)
binary = os.path.abspath(sys.argv[1])
random.seed(16)

def write(path, data):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

def idx(dims, payload, kind=0x08):
    return bytes([0, 0, kind, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + bytes(payload)

def idx_folder(path, train=None, test=None, n=30, side=12, gz=False, test_labels=None):
    """A small IDX dataset; `train`/`test` replace the image file of that split."""
    shutil.rmtree(path, ignore_errors=True)
    for split, override in (("train", train), ("t10k", test)):
        images = override if override is not None else idx(
            [n, side, side], [random.randrange(256) for _ in range(n * side * side)])
        labels = idx([n], [i % 3 for i in range(n)])
        if split == "t10k" and test_labels is not None:
            labels = test_labels
        name = f"{path}/{split}-images-idx3-ubyte"
        if gz:
            write(name + ".gz", gzip.compress(images))
        else:
            write(name, images)
        write(f"{path}/{split}-labels-idx1-ubyte", labels)

def png(width, height, rows=None, color_type=0, depth=8):
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    channels = {0: 1, 2: 3, 6: 4}[color_type]
    raw = rows if rows is not None else b"".join(
        b"\0" + bytes(random.randrange(256) for _ in range(width * channels)) for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")

def png_folder(path, splits):
    """splits: {"train": {"cat": n, ...}, "test": {...}} or {"": {...}} for no split folders."""
    shutil.rmtree(path, ignore_errors=True)
    for split, classes in splits.items():
        for name, count in classes.items():
            for i in range(count):
                write(f"{path}/{split}/{name}/{i}.png".replace("//", "/"), png(8, 8))

def npy(descr, shape, data, fortran=False, magic=b"\x93NUMPY"):
    header = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (
        descr, "True" if fortran else "False", shape)
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    return magic + b"\x01\x00" + struct.pack("<H", len(header)) + header.encode() + data

def safetensors(header, data=b""):
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + data

def read_safetensors(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    return json.loads(raw[8:8 + n]), bytearray(raw[8 + n:])

# --- good inputs the mutations start from ------------------------------------------------------
idx_folder("good/idx")
if not os.path.exists("good/model.safetensors"):
    subprocess.run([binary, "train", "--model", "lenet5", "--dataset", "good/idx", "--epochs", "1",
                    "-o", "good/model.safetensors", "--quiet"], check=True)
    subprocess.run([binary, "quantize", "good/model.safetensors", "-o", "good/model.tflite",
                    "--dataset", "good/idx", "--samples", "10", "--quiet"], check=True)
target = {"name": "b", "core": "cortex-m4", "clock_mhz": 80, "flash_kb": 256, "sram_kb": 64,
          "flash_read": {"stall_cycles": 2, "access_bytes": 8, "data_cache_kb": 0}}
write("good/target.json", json.dumps(target))
graph = {"format": "tinycnn-graph", "version": 1, "nodes": [
    {"name": "input", "op": "input", "shape": [1, 12, 12]},
    {"name": "conv1", "op": "conv2d", "inputs": ["input"], "out_channels": 4, "kernel": 3},
    {"name": "relu1", "op": "relu", "inputs": ["conv1"]},
    {"name": "flatten", "op": "flatten", "inputs": ["relu1"]},
    {"name": "fc", "op": "linear", "inputs": ["flatten"], "out_features": 3}]}
write("good/graph.json", json.dumps(graph))

# --- target files ------------------------------------------------------------------------------
def target_with(path, **changes):
    t = json.loads(json.dumps(target))
    for key, value in changes.items():
        if "." in key:
            outer, inner = key.split(".")
            t[outer][inner] = value
        elif value is None:
            del t[key]
        else:
            t[key] = value
    write(f"target/{path}.json", json.dumps(t))

target_with("clock-huge", clock_mhz=1e300)
target_with("clock-tiny", clock_mhz=1e-300)
target_with("clock-string", clock_mhz="fast")
target_with("flash-huge", flash_kb=1e30)
target_with("sram-negative", sram_kb=-8)
target_with("stall-huge", **{"flash_read.stall_cycles": 1e19})
target_with("access-fraction", **{"flash_read.access_bytes": 8.5})
target_with("access-zero", **{"flash_read.access_bytes": 0})
target_with("cache-huge", **{"flash_read.data_cache_kb": 1e300})
target_with("unknown-core", core="cortex-m99")
target_with("bad-name", name="my board")
target_with("no-flash-read", flash_read=None)
t = dict(target); t["clok_mhz"] = 80
write("target/unknown-field.json", json.dumps(t))
write("target/not-json.json", '{"name": ')
write("target/array.json", "[1, 2]")
write("target/not-utf8.json", b'{"name": "\xff\xfe"}')
os.makedirs("target/directory.json", exist_ok=True)
write("target/directory.json/.keep", "")

# --- graph files -------------------------------------------------------------------------------
def graph_with(path, node, **changes):
    g = json.loads(json.dumps(graph))
    for n in g["nodes"]:
        if n["name"] == node:
            n.update(changes)
    write(f"graph/{path}.json", json.dumps(g))

graph_with("channels-huge", "conv1", out_channels=1e15)
graph_with("kernel-fraction", "conv1", kernel=2.5)
graph_with("kernel-too-big", "conv1", kernel=40)
graph_with("input-zero", "input", shape=[1, 0, 12])
graph_with("activations-huge", "conv1", out_channels=100000, kernel=1)
graph_with("parameters-huge", "fc", out_features=200000)
graph_with("dimension-overflow", "conv1", out_channels=16000000)
graph_with("groups", "conv1", groups=3)
graph_with("stride-zero", "conv1", stride=0)
graph_with("unknown-op", "relu1", op="gelu")
graph_with("bad-input-ref", "relu1", inputs=["nowhere"])
graph_with("input-mismatch", "input", shape=[3, 32, 32])
g = json.loads(json.dumps(graph)); g["nodes"][2]["name"] = "conv1"
write("graph/duplicate-name.json", json.dumps(g))
g = json.loads(json.dumps(graph)); g["nodes"].insert(3, {"name": "drop", "op": "dropout", "inputs": ["relu1"], "rate": 1.5}); g["nodes"][4]["inputs"] = ["drop"]
write("graph/dropout-rate.json", json.dumps(g))
g = json.loads(json.dumps(graph)); g["nodes"].insert(2, {"name": "bn", "op": "batch_norm2d", "inputs": ["conv1"], "epsilon": -1}); g["nodes"][3]["inputs"] = ["bn"]
write("graph/bn-epsilon.json", json.dumps(g))
write("graph/not-object.json", "[1]")
write("graph/no-nodes.json", '{"format": "tinycnn-graph"}')

# --- .safetensors files ------------------------------------------------------------------------
header, data = read_safetensors("good/model.safetensors")
def st_with(path, mutate, raw=None):
    h = json.loads(json.dumps(header)); d = bytearray(data)
    mutate(h, d)
    write(f"safetensors/{path}.safetensors", raw if raw is not None else safetensors(h, bytes(d)))

write("safetensors/short.safetensors", b"\x10\x00\x00")
write("safetensors/header-length-huge.safetensors", struct.pack("<Q", 2**62) + b"{}")
write("safetensors/header-not-json.safetensors", struct.pack("<Q", 4) + b"{{{{")
first = "conv1.weight"
def set_tensor(key, value):
    def mutate(h, d): h[first][key] = value
    return mutate
st_with("shape-huge", set_tensor("shape", [1e30, 1]))
st_with("shape-overflow", set_tensor("shape", [2**40, 2**40]))
st_with("shape-fraction", set_tensor("shape", [6, 1.5, 5, 5]))
st_with("offsets-overflow", set_tensor("data_offsets", [0, 2**63 - 1]))
st_with("offsets-negative", set_tensor("data_offsets", [-8, 592]))
st_with("dtype", set_tensor("dtype", "F16"))
def no_graph(h, d): del h["__metadata__"]["graph"]
st_with("no-graph", no_graph)
def graph_garbage(h, d): h["__metadata__"]["graph"] = "{"
st_with("graph-not-json", graph_garbage)
def nan_weight(h, d):
    start = h["fc3.weight"]["data_offsets"][0]
    d[start:start + 4] = struct.pack("<f", float("nan"))
st_with("nan-weight", nan_weight)
def inf_weight(h, d):
    start = h["conv2.bias"]["data_offsets"][0]
    d[start:start + 4] = struct.pack("<f", float("inf"))
st_with("inf-weight", inf_weight)
def missing_tensor(h, d): del h["fc3.bias"]
st_with("missing-tensor", missing_tensor)
def class_names(h, d): h["__metadata__"]["class_names"] = "[1, 2]"
st_with("class-names", class_names)
write("safetensors/truncated.safetensors", open("good/model.safetensors", "rb").read()[:4000])

# --- .npy files --------------------------------------------------------------------------------
good_input = bytes(random.randrange(256) for _ in range(144))
write("npy/bad-magic.npy", npy("|i1", "(1, 12, 12, 1)", good_input, magic=b"\x93NUMPX"))
write("npy/fortran.npy", npy("|i1", "(1, 12, 12, 1)", good_input, fortran=True))
write("npy/big-endian.npy", npy(">i4", "(1, 12, 12, 1)", good_input * 4))
write("npy/dtype.npy", npy("<f8", "(1, 12, 12, 1)", good_input * 8))
write("npy/short-data.npy", npy("|i1", "(1, 12, 12, 1)", good_input[:100]))
write("npy/shape-overflow.npy", npy("|i1", "(9223372036854775807, 4)", good_input))
write("npy/wrong-shape.npy", npy("|i1", "(1, 5, 5, 1)", good_input[:25]))
write("npy/header-garbage.npy", b"\x93NUMPY\x01\x00\x10\x00{'descr': 1,}  \n")

# --- IDX dataset folders -----------------------------------------------------------------------
pixels = [random.randrange(256) for _ in range(30 * 144)]
idx_folder("idx/bad-magic", train=b"\x01\x02" + idx([30, 12, 12], pixels)[2:])
idx_folder("idx/element-type", train=idx([30, 12, 12], pixels, kind=0x0D))
idx_folder("idx/truncated", train=idx([30, 12, 12], pixels)[:1000])
idx_folder("idx/zero-pixels", train=idx([30, 0, 0], []))
idx_folder("idx/huge-dimensions", train=idx([0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF], []))
idx_folder("idx/label-count", train=idx([29, 12, 12], pixels[:29 * 144]))
idx_folder("idx/channels", train=idx([30, 12, 6, 2], pixels))
idx_folder("idx/empty-split", test=idx([0, 12, 12], []), test_labels=idx([0], []))
idx_folder("idx/gzip-corrupt", gz=True)
raw = open("idx/gzip-corrupt/train-images-idx3-ubyte.gz", "rb").read()
write("idx/gzip-corrupt/train-images-idx3-ubyte.gz", raw[:20] + bytes(b ^ 0x55 for b in raw[20:60]) + raw[60:])
idx_folder("idx/gzip-bomb", gz=True, train=idx([30000, 12, 12], [0] * (30000 * 144)))
idx_folder("idx/gzip-truncated", gz=True)
raw = open("idx/gzip-truncated/train-images-idx3-ubyte.gz", "rb").read()
write("idx/gzip-truncated/train-images-idx3-ubyte.gz", raw[: len(raw) // 2])

# --- PNG files and folders ---------------------------------------------------------------------
write("png/empty.png", b"")
write("png/not-png.png", b"GIF89a" + bytes(100))
write("png/header-bomb.png", png(16384, 16384, rows=b"\0" * 10, color_type=6))
write("png/side-too-large.png", png(20000, 1, rows=b"\0" + bytes(20000)))
good_png = bytearray(png(8, 8))
good_png[40] ^= 0xFF  # inside IDAT: the CRC no longer matches
write("png/crc-error.png", bytes(good_png))
write("png/truncated.png", png(28, 28)[:60])
os.makedirs("png/directory.png", exist_ok=True)
write("png/directory.png/.keep", "")
png_folder("folders/test-extra-class", {"train": {"cat": 3, "dog": 3}, "test": {"cat": 2, "dog": 2, "eel": 2}})
png_folder("folders/one-class", {"": {"cat": 5}})
png_folder("folders/empty-test", {"train": {"cat": 3, "dog": 3}, "test": {}})
os.makedirs("folders/empty-test/test", exist_ok=True)
write("folders/empty-test/test/.keep", "")
png_folder("folders/bad-image", {"train": {"cat": 3, "dog": 3}, "test": {"cat": 1, "dog": 1}})
write("folders/bad-image/train/dog/1.png", png(16384, 16384, rows=b"\0" * 10))

# --- CIFAR-10 folders --------------------------------------------------------------------------
record = bytes([3]) + bytes(3072)
write("cifar/partial-record/data_batch_1.bin", record * 3 + record[:100])
write("cifar/partial-record/test_batch.bin", record * 2)
write("cifar/bad-label/data_batch_1.bin", record * 2 + bytes([12]) + bytes(3072))
write("cifar/bad-label/test_batch.bin", record * 2)
print("corpus written to", here)
