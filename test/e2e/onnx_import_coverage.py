#!/usr/bin/env python3
"""Runs `autoglm-compile --check` over every ONNX backend node test model.

The models come from Debian's libonnx-testdata. The script prints how many
import, groups the failures by reason, and enforces the importer's promise:
every model whose op types are all in REQUIRED_OPS (the op list of the ONNX
importer issue) imports, except the models listed with a reason in
onnx_import_exceptions.txt. A listed model that starts importing must be
removed from that file, so the list never goes stale.

Usage: onnx_import_coverage.py AUTOGLM_COMPILE [--data DIR] [--jobs N]
Exit code: 0 when the promise holds, 1 otherwise. Python standard library
only.
"""
import argparse
import collections
import concurrent.futures
import os
import re
import subprocess
import sys

REQUIRED_OPS = set("""
Abs Acos Acosh Add And Asin Asinh Atan Atanh Ceil Celu Clip Cos Cosh Div Elu
Equal Erf Exp Floor Gelu Greater GreaterOrEqual HardSigmoid HardSwish IsInf
IsNaN LeakyRelu Less LessOrEqual Log Max Mean Min Mod Mul Neg Not Or Pow PRelu
Reciprocal Relu Round Selu Shrink Sigmoid Sign Sin Sinh Softplus Softsign Sqrt
Sub Sum Tan Tanh ThresholdedRelu Where Xor Cast CastLike
MatMul Gemm Conv ConvTranspose BatchNormalization InstanceNormalization
LayerNormalization MaxPool AveragePool GlobalAveragePool GlobalMaxPool Softmax
LogSoftmax Hardmax Dropout Flatten Einsum LRN MeanVarianceNormalization
ReduceSum ReduceMean ReduceMax ReduceMin ReduceProd ReduceL1 ReduceL2
ReduceLogSum ReduceLogSumExp ReduceSumSquare ArgMax ArgMin CumSum TopK
Reshape Transpose Squeeze Unsqueeze Concat Split Slice Gather GatherElements
GatherND ScatterElements ScatterND Expand Tile Pad Shape Size ConstantOfShape
Range Identity Constant Trilu Resize DepthToSpace SpaceToDepth OneHot EyeLike
QuantizeLinear DequantizeLinear DynamicQuantizeLinear MatMulInteger
QLinearMatMul ConvInteger QLinearConv
""".split())

DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"

# Node tests feed shape-determining values (Reshape's shape, Resize's scales,
# TopK's k, ...) as graph inputs. A model that fails because such a value
# must be known at compile time is checked again with those inputs bound to
# the test's data (--const-input), as a user would specialize it.
from onnx_testdata import shape_inputs


def run_check(compiler, model, extra=()):
    result = subprocess.run([compiler, "--check", model, *extra],
                            capture_output=True, text=True, timeout=120)
    return result.returncode, result.stderr + result.stdout


def check(compiler, model):
    returncode, output = run_check(compiler, model)
    if returncode != 0 and "must be known at " in output:
        data_dir = os.path.join(os.path.dirname(model), "test_data_set_0")
        flags = [f"--const-input={name}={path}"
                 for name, path in (shape_inputs(data_dir)
                                    if os.path.isdir(data_dir) else [])]
        if flags:
            returncode, output = run_check(compiler, model, flags)
    ops = set()
    match = re.search(r": op types: (.*)", output)
    if match:
        ops = {entry.rsplit(" x", 1)[0] for entry in match.group(1).split(", ")}
    reasons = []
    for line in output.splitlines():
        if ": error: " in line:
            reason = line.split(": error: ", 1)[1]
            # Group by the part after the node name, without numbers.
            reason = re.sub(r"^node '[^']*' ", "", reason)
            reasons.append(reason)
    return returncode == 0, ops, reasons


def load_exceptions(path):
    exceptions = {}
    if not os.path.exists(path):
        return exceptions
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)
            name = line[0].strip()
            if name:
                exceptions[name] = line[1].strip() if len(line) > 1 else ""
    return exceptions


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("compiler")
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--exceptions", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)),
        "onnx_import_exceptions.txt"))
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    if not os.path.isdir(args.data):
        print(f"error: {args.data} not found; install libonnx-testdata "
              "(scripts/bootstrap does)", file=sys.stderr)
        return 1
    tests = sorted(d for d in os.listdir(args.data)
                   if os.path.exists(os.path.join(args.data, d, "model.onnx")))
    exceptions = load_exceptions(args.exceptions)

    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = dict(zip(tests, pool.map(
            lambda t: check(args.compiler,
                            os.path.join(args.data, t, "model.onnx")), tests)))

    imported = [t for t, (ok, _, _) in results.items() if ok]
    required = [t for t, (_, ops, _) in results.items()
                if ops and ops <= REQUIRED_OPS]
    required_ok = [t for t in required if results[t][0]]
    broken = [t for t in required if not results[t][0] and t not in exceptions]
    stale = [t for t in exceptions if t in results and results[t][0]]
    unknown = [t for t in exceptions if t not in results]

    by_reason = collections.defaultdict(list)
    for test, (ok, ops, reasons) in results.items():
        if not ok:
            key = reasons[0] if reasons else "failed without a node error"
            by_reason[re.sub(r"\d+", "N", key)[:150]].append(test)

    print(f"ONNX backend node tests: {len(imported)} / {len(tests)} import")
    print(f"models using only the required ops: {len(required_ok)} / "
          f"{len(required)} import, {len(required) - len(required_ok) - len(broken)} "
          "listed exceptions")
    print("failures by reason (first error of each model):")
    for reason, names in sorted(by_reason.items(), key=lambda e: -len(e[1])):
        shown = ", ".join(names[:4]) + (" ..." if len(names) > 4 else "")
        print(f"  {len(names):4d}  {reason}\n        {shown}")
    status = 0
    for test in broken:
        print(f"FAIL: {test} uses only required ops but does not import: "
              f"{'; '.join(results[test][2]) or 'see autoglm-compile --check'}")
        status = 1
    for test in stale:
        print(f"FAIL: {test} imports now; remove it from {args.exceptions}")
        status = 1
    for test in unknown:
        print(f"FAIL: {test} in {args.exceptions} is not a node test")
        status = 1
    print(f"{len(required) - len(broken)} passed, {len(broken) + len(stale) + len(unknown)} failed")
    return status


if __name__ == "__main__":
    sys.exit(main())
