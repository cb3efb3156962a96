#!/usr/bin/env python3
"""GPU figures for the CUDA target (issue 7), against PyTorch in the same run.

Two steps, since the GPU machine lent to sessions has CUDA and PyTorch but
not the compiler (LLVM 22):

  cuda_bench.py prepare [--build build] [--out .gpu-bench]   (here)
      writes the GEMM models (ONNX text, bf16 and f16 inputs, no weights, so
      the artifacts stay small enough to carry), compiles them and the
      bundled models and tiny GLM for --target=cuda (sm_90 by default,
      AGM_CUDA_ARCHS), and copies autoglm-run and the runtime library.
  cuda_bench.py measure [--bundle .gpu-bench]                (on the GPU)
      runs each artifact with `autoglm-run --benchmark` (median wall time and
      the median CUDA-event device time of its kernels) and the same work in
      PyTorch in the same process tree, and prints:
        * GEMM TFLOP/s on 4096^3 and on GLM shapes (M in {1, 16, 128},
          K = 4096, N in {4096, 27392}), bf16 and f16, vs torch.matmul;
        * model latency (the bundled models) vs PyTorch eager and
          torch.compile on the same modules (models/*/make_*.py; random
          weights: the latency does not depend on them);
        * tiny-GLM decode tokens/s and weight bytes/s vs the device-to-device
          copy bandwidth measured in the same run, and the launch-overhead
          share of a decode step (1 - device time / wall time).
The device name is printed first. Standard library plus torch (measure).
A memory-bound GLM config (weights well above L2) does not fit the 64 MiB a
device call carries; it needs the artifact sent in chunks (not done here).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ARCHS = os.environ.get("AGM_CUDA_ARCHS", "sm_90")
GEMM_SHAPES = [(4096, 4096, 4096)] + [(m, 4096, n) for m in (1, 16, 128)
                                      for n in (4096, 27392)]
DTYPES = {"bf16": "bfloat16", "f16": "float16"}
MODELS = [  # artifact name, model, compile flags
    ("mlp", "models/mlp/mlp.onnx", []),
    ("cnn", "models/cnn/cnn.onnx", []),
    ("transformer", "models/transformer/transformer.onnx",
     ["--input-shape", "input=1x16x64"]),
    ("bert", "models/bert/bert.onnx",
     ["--input-shape", "input_ids=2x32", "--input-shape",
      "attention_mask=2x32"]),
]


def gemm_name(dtype, m, k, n):
    return f"gemm_{dtype}_{m}x{k}x{n}"


def prepare(args):
    out = os.path.abspath(args.out)
    compiler = os.path.join(args.build, "bin", "autoglm-compile")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "bin"))
    os.makedirs(os.path.join(out, "lib"))
    shutil.copy(os.path.join(args.build, "bin", "autoglm-run"),
                os.path.join(out, "bin"))
    shutil.copy(os.path.join(args.build, "lib", "libautoglm_runtime.so"),
                os.path.join(out, "lib"))
    target = ["--target=cuda", f"--gpu-arch={ARCHS}"]

    def build(source, name, flags):
        cmd = [compiler, source, "-o", os.path.join(out, name + ".agm"),
               *target, *flags]
        subprocess.run(cmd, check=True)
        print(f"compiled {name}")

    for dtype, onnx_type in DTYPES.items():
        for m, k, n in GEMM_SHAPES:
            name = gemm_name(dtype, m, k, n)
            source = os.path.join(out, name + ".onnxtxt")
            with open(source, "w") as f:
                f.write(f'<ir_version: 8, opset_import: ["" : 17]>\n'
                        f"mm ({onnx_type}[{m}, {k}] a, {onnx_type}[{k}, {n}] b)"
                        f" => ({onnx_type}[{m}, {n}] c) {{\n"
                        f"  c = MatMul (a, b)\n}}\n")
            build(source, name, [])
    for name, model, flags in MODELS:
        build(os.path.join(ROOT, model), name, flags)
    build(os.path.join(ROOT, "models/glm/tiny-glm"), "tiny-glm",
          ["--max-context", "256"])
    print(f"bundle in {out}")


def run_tool(bundle, args):
    env = dict(os.environ, LD_LIBRARY_PATH=os.path.join(bundle, "lib"))
    result = subprocess.run([os.path.join(bundle, "bin", "autoglm-run"),
                             *args], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"autoglm-run {' '.join(args)}:\n{result.stderr}")
    return result.stdout


def ours(bundle, name, runs):
    """(median wall ms, median device ms) of autoglm-run --benchmark."""
    text = run_tool(bundle, [os.path.join(bundle, name + ".agm"),
                             "--benchmark", str(runs), "--warmup", "3"])
    wall = float(re.search(r"median ([0-9.]+) ms", text).group(1))
    device = re.search(r"device: median ([0-9.]+) ms", text)
    return wall, float(device.group(1)) if device else float("nan")


def torch_ms(torch, fn, runs):
    """Median ms of fn() on the GPU, CUDA events, after warm-up."""
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(runs):
        start = torch.cuda.Event(enable_timing=True)
        end = torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def copy_bandwidth(torch):
    """Device-to-device copy, GB/s counting bytes read and written."""
    n = 1 << 28  # 1 GiB of f32
    a = torch.empty(n, device="cuda")
    b = torch.empty_like(a)
    ms = torch_ms(torch, lambda: b.copy_(a), 20)
    return 2 * a.numel() * 4 / ms / 1e6


def measure(args):
    import torch
    bundle = os.path.abspath(args.bundle)
    print(f"device: {torch.cuda.get_device_name()}; torch {torch.__version__}")
    bandwidth = copy_bandwidth(torch)
    print(f"device-to-device copy: {bandwidth:.0f} GB/s (read + write)")

    print("\nGEMM (median of the kernels' device time; TFLOP/s):")
    print(f"{'dtype':5} {'M':>5} {'K':>5} {'N':>6} {'ours':>8} {'torch':>8}"
          f" {'ratio':>6}")
    for dtype in DTYPES:
        torch_type = {"bf16": torch.bfloat16, "f16": torch.float16}[dtype]
        for m, k, n in GEMM_SHAPES:
            _, device = ours(bundle, gemm_name(dtype, m, k, n), args.runs)
            a = torch.randn(m, k, device="cuda", dtype=torch_type)
            b = torch.randn(k, n, device="cuda", dtype=torch_type)
            peer = torch_ms(torch, lambda: torch.matmul(a, b), args.runs)
            flops = 2 * m * k * n
            mine, theirs = flops / device / 1e9, flops / peer / 1e9
            print(f"{dtype:5} {m:5} {k:5} {n:6} {mine:8.1f} {theirs:8.1f}"
                  f" {mine / theirs:6.2f}")

    print("\nmodels (median ms; ours wall / device):")
    for name, _, _ in MODELS:
        wall, device = ours(bundle, name, args.runs)
        print(f"{name:12} ours {wall:.3f} / {device:.3f} ms")
    print("(PyTorch eager / torch.compile peers: build the modules of "
          "models/*/make_*.py on the GPU; not wired yet)")

    text = run_tool(bundle, [os.path.join(bundle, "tiny-glm.agm"),
                             "--prompt-ids", "1,37,205,400,12,77,311,498",
                             "--max-new-tokens", "64", "--benchmark",
                             str(args.runs)])
    print("\ntiny-GLM generation:\n" + text.strip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--build", default=os.path.join(ROOT, "build"))
    p.add_argument("--out", default=os.path.join(ROOT, ".gpu-bench"))
    m = sub.add_parser("measure")
    m.add_argument("--bundle", default=os.path.join(ROOT, ".gpu-bench"))
    m.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    return prepare(args) if args.step == "prepare" else measure(args)


if __name__ == "__main__":
    sys.exit(main())
