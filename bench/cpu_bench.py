#!/usr/bin/env python3
"""CPU benchmark: AutoGLM vs ONNX Runtime, as ratios measured in one run.

For each model (the bundled ones and two GEMMs) it compiles with
autoglm-compile (timed), runs `autoglm-run --benchmark` and ONNX Runtime
(pip onnxruntime) on the same .onnx at 1 and 2 threads, and prints median
latencies and our/ORT ratios. GEMM throughput is also given as a fraction of
the FMA peak measured in this same run by a small C program (one core,
independent vector FMAs). Machines are shared and noisy: read the ratios,
not the absolute numbers. Not a test.

Usage: bench/cpu_bench.py [--build build] [--runs 20]
Needs numpy, onnx and onnxruntime (pip).
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FMA_PEAK_C = r"""
#include <stdio.h>
#include <time.h>
typedef float vf __attribute__((vector_size(64)));
#define STEP(x) x = x * a + b;
int main(void) {
  /* 12 independent accumulators in registers hide the FMA latency. */
  vf a = (vf){0} + 1.0000001f, b = (vf){0} + 0.9999999f;
  vf x0 = a, x1 = b, x2 = a, x3 = b, x4 = a, x5 = b;
  vf x6 = a, x7 = b, x8 = a, x9 = b, x10 = a, x11 = b;
  long iters = 50000000L;
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long n = 0; n < iters; ++n) {
    STEP(x0) STEP(x1) STEP(x2) STEP(x3) STEP(x4) STEP(x5)
    STEP(x6) STEP(x7) STEP(x8) STEP(x9) STEP(x10) STEP(x11)
    __asm__ volatile("" : "+v"(x0), "+v"(x1), "+v"(x2), "+v"(x3), "+v"(x4),
                     "+v"(x5), "+v"(x6), "+v"(x7), "+v"(x8), "+v"(x9),
                     "+v"(x10), "+v"(x11));
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (t1.tv_sec - t0.tv_sec) + 1e-9 * (t1.tv_nsec - t0.tv_nsec);
  vf sum = x0 + x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9 + x10 + x11;
  printf("%f %f\n", 2.0 * 16 * 12 * iters / s / 1e9, sum[0]);
  return 0;
}
"""


def fma_peak():
    with tempfile.TemporaryDirectory() as work:
        src, exe = os.path.join(work, "peak.c"), os.path.join(work, "peak")
        open(src, "w").write(FMA_PEAK_C)
        subprocess.run(["cc", "-O2", "-march=native", src, "-o", exe], check=True)
        return max(float(subprocess.run([exe], capture_output=True, text=True,
                                        check=True).stdout.split()[0])
                   for _ in range(3))


def gemm_model(path, m, k, n):
    w = numpy_helper.from_array(
        np.random.default_rng(0).standard_normal((k, n)).astype(np.float32), "w")
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "gemm",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])], [w])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)
    return 2.0 * m * k * n


def conv_model(path, n, c, h, w, f, k):
    weight = numpy_helper.from_array(np.random.default_rng(0).standard_normal(
        (f, c, k, k)).astype(np.float32) * 0.1, "w")
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "w"], ["y"], pads=[k // 2] * 4)], "conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [n, c, h, w])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [n, f, h, w])],
        [weight])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.save(model, path)
    return 2.0 * n * f * h * w * c * k * k


def ours(args, artifact, threads):
    out = subprocess.run([os.path.join(args.build, "bin", "autoglm-run"),
                          artifact, "--benchmark", str(args.runs), "--warmup",
                          "3", "--threads", str(threads)],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"median ([0-9.]+) ms", out).group(1))


def onnxruntime(model, shapes, threads, runs):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(model, options,
                                   providers=["CPUExecutionProvider"])
    feeds = {i.name: np.random.default_rng(0).standard_normal(
        shapes.get(i.name, i.shape)).astype(np.float32)
        for i in session.get_inputs()}
    for _ in range(3):
        session.run(None, feeds)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        session.run(None, feeds)
        times.append((time.perf_counter() - t) * 1e3)
    return float(np.median(times))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    compiler = os.path.join(args.build, "bin", "autoglm-compile")
    peak = fma_peak()
    print(f"FMA peak (1 core, measured now): {peak:.1f} GFLOP/s")
    with tempfile.TemporaryDirectory(prefix="agm-bench-") as work:
        models = [("mlp", os.path.join(ROOT, "models/mlp/mlp.onnx"), [], {}, 0),
                  ("cnn", os.path.join(ROOT, "models/cnn/cnn.onnx"), [], {}, 0),
                  ("transformer", os.path.join(ROOT, "models/transformer/transformer.onnx"),
                   ["--input-shape", "input=1x16x64"], {"input": [1, 16, 64]}, 0)]
        for m, k, n in ((128, 768, 3072), (1024, 1024, 1024)):
            path = os.path.join(work, f"gemm_{m}x{k}x{n}.onnx")
            flops = gemm_model(path, m, k, n)
            models.append((f"gemm {m}x{k}x{n}", path, [], {}, flops))
        path = os.path.join(work, "conv.onnx")
        flops = conv_model(path, 1, 64, 56, 56, 64, 3)
        models.append(("conv 64x56x56 3x3", path, [], {}, flops))
        header = (f"{'model':22} {'compile s':>9} {'ours 1t ms':>10} {'ORT 1t ms':>9} "
                  f"{'ratio':>6} {'ours 2t ms':>10} {'ORT 2t ms':>9} {'ratio':>6}  GFLOP/s 1t (of peak), 2t")
        print(header)
        for name, path, flags, shapes, flops in models:
            artifact = os.path.join(work, name.replace(" ", "_") + ".agm")
            t = time.perf_counter()
            subprocess.run([compiler, path, "-o", artifact, *flags], check=True)
            compile_s = time.perf_counter() - t
            row = [ours(args, artifact, 1), onnxruntime(path, shapes, 1, args.runs),
                   ours(args, artifact, 2), onnxruntime(path, shapes, 2, args.runs)]
            line = (f"{name:22} {compile_s:9.2f} {row[0]:10.3f} {row[1]:9.3f} "
                    f"{row[0] / row[1]:6.2f} {row[2]:10.3f} {row[3]:9.3f} "
                    f"{row[2] / row[3]:6.2f}")
            if flops:
                g1, g2 = flops / row[0] / 1e6, flops / row[2] / 1e6
                o1, o2 = flops / row[1] / 1e6, flops / row[3] / 1e6
                line += (f"  {g1:.0f} ({g1 / peak:.0%}), {g2:.0f}; ORT {o1:.0f}, {o2:.0f}"
                         f"; ours/ORT {g1 / o1:.2f}, {g2 / o2:.2f}")
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
