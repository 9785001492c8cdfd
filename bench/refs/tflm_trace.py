"""Every operator's output tensor as TFLite Micro computes it, for one input row: the tool for
finding the first layer where another runtime departs from TFLM.

    python bench/refs/tflm_trace.py MODEL.tflite --input input_0.npy [--row K] [--out DIR]
        [--litert]

Prints one line per operator (index, op, output tensor index, shape, dtype, scale, zero point,
value range); with --out writes op<NN>_<OP>_t<tensor>.npy per operator output; with --litert
also runs LiteRT's reference kernels on the same row and prints how many elements of each
operator output differ from TFLM (and the largest difference).
"""

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import numpy as np

import tflite_tools as tt
from tflite_micro import runtime as tflm
from tflite_micro.tensorflow.lite.micro.python import schema_py_generated as fb


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("model")
    ap.add_argument("--input", action="append", required=True,
                    help=".npy with [N, ...] rows (repeat for several model inputs)")
    ap.add_argument("--row", type=int, default=0)
    ap.add_argument("--out", help="folder for the per-operator .npy files")
    ap.add_argument("--litert", action="store_true", help="diff against LiteRT BUILTIN_REF")
    args = ap.parse_args()

    with open(args.model, "rb") as f:
        buf = f.read()
    info = tt.model_info(buf)
    m = fb.ModelT.InitFromObj(fb.Model.GetRootAsModel(buf, 0))
    sg = m.subgraphs[0]
    rows = [np.load(p)[args.row] for p in args.input]
    if len(rows) != len(info["inputs"]):
        raise SystemExit(f"{args.model}: {len(info['inputs'])} inputs, {len(rows)} --input given")

    it = tflm.Interpreter.from_bytes(buf, intrepreter_config=tflm.InterpreterConfig.kPreserveAllTensors)
    for i, x in enumerate(rows):
        it.set_input(np.ascontiguousarray(x.reshape(info["inputs"][i]["shape"])), i)
    it.invoke()

    lite = None
    if args.litert:
        from ai_edge_litert.interpreter import Interpreter, OpResolverType

        lite = Interpreter(model_content=buf, num_threads=1,
                           experimental_op_resolver_type=OpResolverType.BUILTIN_REF,
                           experimental_preserve_all_tensors=True)
        lite.allocate_tensors()
        for idx, t, x in zip(info["input_indices"], info["inputs"], rows):
            lite.set_tensor(idx, np.ascontiguousarray(x.reshape(t["shape"])))
        lite.invoke()

    if args.out:
        os.makedirs(args.out, exist_ok=True)
    for n, op in enumerate(sg.operators):
        name = info["ops"][n]["op"]
        for o in op.outputs:
            t = sg.tensors[o]
            data = it.GetTensor(int(o), 0)["tensor_data"]
            q = t.quantization
            qs = (f"scale {q.scale[0]:.6g} zp {q.zeroPoint[0]}"
                  if q is not None and q.scale is not None and len(q.scale) else "float")
            line = (f"{n:3d} {name:18} t{o:<4d} {str(list(data.shape)):18} {str(data.dtype):8} "
                    f"{qs:26} range [{data.min()}, {data.max()}]")
            if lite is not None:
                other = lite.get_tensor(int(o))
                if other.size == data.size:
                    d = np.abs(other.astype(np.float64).ravel() - data.astype(np.float64).ravel())
                    line += f"  LiteRT-REF: {int((d > 0).sum())} differ, max {d.max():g}"
                else:
                    line += f"  LiteRT-REF shape {list(other.shape)}"
            print(line)
            if args.out:
                np.save(os.path.join(args.out, f"op{n:02d}_{name}_t{o}.npy"), data)


if __name__ == "__main__":
    main()
