"""Training speed of TinyCNN binaries and Keras side by side, in one run: for each model, each
tinycnn binary, then Keras (parity_keras.py, the same graph), train EPOCHS epochs on the first
LIMIT Fashion-MNIST images (batch 64, Adam 0.002, constant rate, seed 0, as train_parity.sh
runs them); prints the last epoch's wall and CPU seconds of each, and each binary's ratio to
Keras's. Run it on a quiet machine: wall time is the issue's measure, CPU time what an epoch
costs.

    bench/.venv/bin/python bench/refs/train_side_by_side.py \\
        before=/path/to/old/tinycnn,after=.build/release/tinycnn lenet5,cnn-small,resnet8 \\
        [EPOCHS=2] [LIMIT=10000]
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def tinycnn_epoch(binary, model, epochs, limit, folder):
    out = subprocess.run(
        ["nice", "-n", "5", binary, "train", "--model", model, "--dataset", "fashion-mnist",
         "--epochs", str(epochs), "--limit", str(limit), "--batch-size", "64",
         "--optimizer", "adam", "--lr", "0.002", "--schedule", "constant", "--seed", "0",
         "--quiet", "--json", "--out", os.path.join(folder, f"{model}.safetensors")],
        capture_output=True, text=True, check=True).stdout
    last = json.loads(out)["training"]["history"][-1]
    return last["seconds"], last["cpu_seconds"]


def keras_epoch(model, epochs, limit):
    out = subprocess.run(
        ["nice", "-n", "5", sys.executable, os.path.join(HERE, "parity_keras.py"), "--model",
         model, "--dataset", "fashion-mnist", "--epochs", str(epochs), "--limit", str(limit),
         "--batch", "64", "--optimizer", "adam", "--lr", "0.002", "--seed", "0",
         "--schedule", "constant"],
        capture_output=True, text=True, check=True).stdout
    d = json.loads(out)
    return d["epoch_seconds"][-1], d["epoch_cpu_seconds"][-1]


def main():
    binaries = dict(b.split("=", 1) for b in sys.argv[1].split(","))
    models = sys.argv[2].split(",")
    settings = dict(a.split("=", 1) for a in sys.argv[3:])
    epochs, limit = int(settings.get("EPOCHS", 2)), int(settings.get("LIMIT", 10000))
    times = {}
    with tempfile.TemporaryDirectory() as folder:  # the trained models are not kept
        for model in models:
            for name, binary in binaries.items():
                times[model, name] = tinycnn_epoch(binary, model, epochs, limit, folder)
            times[model, "keras"] = keras_epoch(model, epochs, limit)
    names = list(binaries) + ["keras"]
    print(f"{'model':10}" + "".join(f"{n + ' wall/CPU s':>22}" for n in names)
          + "".join(f"{n + ' / keras wall/CPU':>26}" for n in binaries))
    for model in models:
        keras = times[model, "keras"]
        row = f"{model:10}" + "".join(
            f"{times[model, n][0]:>12.2f}/{times[model, n][1]:<9.2f}" for n in names)
        row += "".join(
            f"{times[model, n][0] / keras[0]:>16.2f}/{times[model, n][1] / keras[1]:<9.2f}"
            for n in binaries)
        print(row)
    print("load average", " ".join(open("/proc/loadavg").read().split()[:3]))


if __name__ == "__main__":
    main()
