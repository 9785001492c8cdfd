#!/usr/bin/env python3
"""Writes the model description files (tinycnn graph JSON) of the published models that
validation.md compares against board measurements. Written by hand from the published
architectures (MLPerf Tiny benchmark/training/*/keras_model.py, TFLM person_detection);
standard library only. Usage: python3 bench/estimator/make_models.py"""
import json, os

here = os.path.dirname(os.path.abspath(__file__))

class Graph:
    def __init__(self, c, h, w):
        self.nodes = [{"name": "input", "op": "input", "shape": [c, h, w]}]
        self.last = "input"
    def add(self, name, op, inputs=None, **fields):
        node = {"name": name, "op": op, "inputs": inputs or [self.last], **fields}
        self.nodes.append(node)
        self.last = name
        return name
    def conv(self, name, c, k, s=1, p=0, groups=1, relu=True, bn=True, src=None):
        kk = k if isinstance(k, list) else [k, k]
        pp = p if isinstance(p, list) else [p, p]
        self.add(name, "conv2d", [src or self.last], out_channels=c, kernel=kk, stride=[s, s],
                 padding=pp, groups=groups)
        if bn: self.add(name + "_bn", "batch_norm2d")
        if relu: self.add(name + "_relu", "relu")
        return self.last
    def write(self, file):
        with open(os.path.join(here, "models", file), "w") as f:
            json.dump({"format": "tinycnn-graph", "version": 1, "nodes": self.nodes}, f, indent=1)
            f.write("\n")

def resnet8():
    # MLPerf Tiny IC: resnet_v1_eembc with 16 filters (the pretrained v0.5+ model).
    g = Graph(3, 32, 32)
    x = g.conv("conv0", 16, 3, p=1)
    y = g.conv("s1a", 16, 3, p=1)
    y = g.conv("s1b", 16, 3, p=1, relu=False)
    x = g.add("add1", "add", [x, y]); x = g.add("relu1", "relu")
    for stage, c in ((2, 32), (3, 64)):
        y = g.conv(f"s{stage}a", c, 3, s=2, p=1, src=x)
        y = g.conv(f"s{stage}b", c, 3, p=1, relu=False)
        sc = g.conv(f"s{stage}sc", c, 1, s=2, relu=False, bn=False, src=x)
        x = g.add(f"add{stage}", "add", [sc, y]); x = g.add(f"relu{stage}", "relu")
    g.add("pool", "avg_pool2d", kernel=[8, 8])
    g.add("flatten", "flatten"); g.add("fc", "linear", out_features=10); g.add("softmax", "softmax")
    g.write("mlperf-tiny-ic-resnet8.json")

def dscnn():
    # MLPerf Tiny KWS: DS-CNN small, 49x10 MFCC input, conv 64 10x4 stride 2 'same', 4 x
    # (depthwise 3x3 + pointwise 64), average pool over the 25x5 map, fc 12.
    g = Graph(1, 49, 10)
    g.conv("conv1", 64, [10, 4], s=2, p=[5, 1])
    for i in range(1, 5):
        g.conv(f"dw{i}", 64, 3, p=1, groups=64)
        g.conv(f"pw{i}", 64, 1)
    g.add("pool", "avg_pool2d", kernel=[25, 5])
    g.add("flatten", "flatten"); g.add("fc", "linear", out_features=12); g.add("softmax", "softmax")
    g.write("mlperf-tiny-kws-dscnn.json")

def mobilenet_v1(file, channels, classes, alpha=0.25, size=96):
    # MobileNetV1 (Howard et al. 2017) at width 0.25: the MLPerf Tiny VWW model (96x96x3) and
    # TFLM's person_detection model (96x96x1).
    g = Graph(channels, size, size)
    c = lambda n: int(n * alpha)
    g.conv("conv0", c(32), 3, s=2, p=1)
    plan = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    inC = c(32)
    for i, (out, s) in enumerate(plan, 1):
        g.conv(f"dw{i}", inC, 3, s=s, p=1, groups=inC)
        g.conv(f"pw{i}", c(out), 1)
        inC = c(out)
    g.add("pool", "global_avg_pool")
    g.add("fc", "linear", out_features=classes); g.add("softmax", "softmax")
    g.write(file)

def autoencoder():
    # MLPerf Tiny AD: FC autoencoder 640 -> 4 x 128 -> 8 -> 4 x 128 -> 640, BN + ReLU between.
    g = Graph(640, 1, 1)
    widths = [128] * 4 + [8] + [128] * 4
    for i, w in enumerate(widths):
        g.add(f"fc{i}", "linear", out_features=w)
        g.add(f"bn{i}", "batch_norm2d")
        g.add(f"relu{i}", "relu")
    g.add("out", "linear", out_features=640)
    g.write("mlperf-tiny-ad-autoencoder.json")

os.makedirs(os.path.join(here, "models"), exist_ok=True)
resnet8(); dscnn(); autoencoder()
mobilenet_v1("mlperf-tiny-vww-mobilenetv1-025.json", 3, 2)
mobilenet_v1("tflm-person-detection.json", 1, 2)
print("wrote", sorted(os.listdir(os.path.join(here, "models"))))
