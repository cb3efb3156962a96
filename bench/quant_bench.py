#!/usr/bin/env python3
"""Weight-only quantization benchmark: a GEMV (1 x K) * (K x N), the LLM
decode shape, compiled by autoglm-compile as fp32, --quantize=int8 and
--quantize=int4, run with autoglm-run --benchmark. Prints latency, weight
bytes streamed per second and the ratios to fp32 in one run (DESIGN.md
section 7: shared machines are noisy, ratios within one run are what
counts), plus each artifact's size.

Usage: quant_bench.py BUILD_DIR [--k 4096] [--n 4096] [--threads 1]
Needs numpy and onnx (bench only; tests do not).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def make_model(path, k, n):
    rng = np.random.default_rng(0)
    w = (rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "gemv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, n])],
        [numpy_helper.from_array(w, "w")])
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]),
              path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build")
    parser.add_argument("--k", type=int, default=4096)
    parser.add_argument("--n", type=int, default=4096)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    compiler = os.path.join(args.build, "bin", "autoglm-compile")
    runner = os.path.join(args.build, "bin", "autoglm-run")
    weight_bytes = {"fp32": 4.0, "int8": 1.0, "int4": 0.5}
    rows = []
    with tempfile.TemporaryDirectory(prefix="agm-quant-bench-") as work:
        model = os.path.join(work, "gemv.onnx")
        make_model(model, args.k, args.n)
        for mode in ("fp32", "int8", "int4"):
            artifact = os.path.join(work, mode + ".agm")
            flags = [] if mode == "fp32" else ["--quantize=" + mode]
            subprocess.run([compiler, model, "-o", artifact, *flags], check=True)
            out = subprocess.run(
                [runner, artifact, "--benchmark", str(args.runs), "--warmup", "5",
                 "--threads", str(args.threads)],
                check=True, capture_output=True, text=True).stdout
            median = float(re.search(r"median ([0-9.]+) ms", out).group(1))
            # Scales: one f32 per column (int8) or per 128 rows and column.
            streamed = args.k * args.n * weight_bytes[mode]
            rows.append((mode, median, streamed / median / 1e6,
                         os.path.getsize(artifact)))
    base = rows[0]
    print(f"GEMV 1x{args.k} * {args.k}x{args.n}, {args.threads} thread(s), "
          f"median of {args.runs}")
    print(f"{'weights':8} {'ms':>8} {'GB/s':>7} {'speedup':>8} "
          f"{'artifact MB':>12} {'size ratio':>10}")
    for mode, ms, gbs, size in rows:
        print(f"{mode:8} {ms:8.3f} {gbs:7.2f} {base[1] / ms:8.2f} "
              f"{size / 1e6:12.2f} {size / base[3]:10.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
