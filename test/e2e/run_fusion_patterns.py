#!/usr/bin/env python3
"""Compiles the exported fusion-pattern models (test/lit/Passes/Inputs/fusion,
made by models/make_fusion_patterns.py) at -O2, where ag-fuse rewrites them
into the fused ag ops, runs them and compares with ONNX Runtime's outputs.

Usage: run_fusion_patterns.py AUTOGLM_COMPILE AUTOGLM_RUN [-O LEVEL]
Each model NAME.onnx sits beside its inputs NAME.in.INPUT.npy and reference
outputs NAME.out.OUTPUT.npy. Prints one line per model and `N passed, M
failed`; exit code 1 on any failure. Standard library only.
"""
import argparse
import glob
import os
import sys
import tempfile

from compile_and_compare import compile_and_compare

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FOLDER = os.path.join(ROOT, "test", "lit", "Passes", "Inputs", "fusion")
# f32 end to end; the fused kernels reorder sums (row max/sum, GEMM
# microkernel), so results match ORT to a few ulps of the largest terms.
RTOL, ATOL = 1e-4, 1e-5


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("compiler")
    parser.add_argument("runner")
    parser.add_argument("-O", dest="opt", default="2")
    args = parser.parse_args()
    passed = failed = 0
    models = sorted(glob.glob(os.path.join(FOLDER, "*.onnx")))
    with tempfile.TemporaryDirectory(prefix="agm-fusion-") as work:
        for model in models:
            name = os.path.basename(model)[:-len(".onnx")]
            artifact = os.path.join(work, name + ".agm")
            inputs = sorted(glob.glob(os.path.join(FOLDER, name + ".in.*.npy")))
            outputs = sorted(glob.glob(os.path.join(FOLDER, name + ".out.*.npy")))
            compile_cmd = [args.compiler, model, "-o", artifact, f"-O{args.opt}"]
            run_cmd = [args.runner, artifact, "--rtol", str(RTOL), "--atol", str(ATOL)]
            for path in inputs:
                run_cmd.append(f"--input={path.split('.in.')[-1][:-4]}={path}")
            for path in outputs:
                run_cmd.append(f"--compare={path.split('.out.')[-1][:-4]}={path}")
            if compile_and_compare(name, compile_cmd, run_cmd):
                passed += 1
            else:
                failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed or not models else 0


if __name__ == "__main__":
    sys.exit(main())
