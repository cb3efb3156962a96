#!/usr/bin/env python3
"""Graph passes and quantization benchmark: -O0 vs -O2, fp32 vs int8 vs int4.

For each bundled model (mlp, cnn, transformer, bert; and a BERT-base-shaped
encoder with --large) it compiles at -O0 and -O2 (timed, with the peak
memory of the compiler) and at -O2 with --quantize=int8 and --quantize=int4,
counts the dispatches (`autoglm-compile -v` prints one 'dispatch ...' line
each), gives each artifact's size, runs every artifact once on the committed
inputs to get its max abs error against ONNX Runtime's reference outputs,
and measures median latency with `autoglm-run --benchmark N --threads T`
next to ONNX Runtime's on the same .onnx and the same inputs at the same
thread count. A compiler that rejects a --quantize flag gets 'n/a' and its
error below the tables. Machines are shared and noisy: read the ratios, all
measured in this one run, not the absolute numbers. Not a test.

Usage: bench/graph_passes_bench.py [--build build] [--runs 20]
           [--threads 1,2] [--large DIR] [--models mlp,cnn,...]
--large DIR adds the BERT-base-shaped encoder (12 layers, hidden 768, seq
128), made in DIR by models/bert/make_bert.py --large unless it is there.
Needs numpy and onnxruntime (pip); --large also torch and transformers.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BERT_SHAPE = ["--input-shape", "input_ids=2x32", "--input-shape",
              "attention_mask=2x32"]
BERT_LARGE_SHAPE = ["--input-shape", "input_ids=1x128", "--input-shape",
                    "attention_mask=1x128"]
BERT_IO = ({"input_ids": "input_ids.npy", "attention_mask": "attention_mask.npy"},
           {"last_hidden_state": "output.npy", "pooler_output": "pooler_output.npy"})

# name, .onnx, compile flags, {input: .npy}, {output: reference .npy};
# the .npy files sit beside the model.
MODELS = [
    ("mlp", "models/mlp/mlp.onnx", [], {"image": "input.npy"},
     {"probs": "output.npy"}),
    ("cnn", "models/cnn/cnn.onnx", [], {"image": "input.npy"},
     {"logits": "output.npy"}),
    ("transformer", "models/transformer/transformer.onnx",
     ["--input-shape", "input=1x16x64"], {"input": "input.npy"},
     {"output": "output.npy"}),
    ("bert", "models/bert/bert.onnx", BERT_SHAPE, *BERT_IO),
]
VARIANTS = [("O0", ["-O0"]), ("O2", ["-O2"]),
            ("int8", ["-O2", "--quantize=int8"]),
            ("int4", ["-O2", "--quantize=int4"])]


def compile_model(compiler, model, flags, artifact):
    """Runs the compiler; returns (seconds, peak RSS MB, stdout+stderr, rc)."""
    start = time.perf_counter()
    proc = subprocess.Popen([compiler, model, "-o", artifact, "-v", *flags],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return (time.perf_counter() - start, usage.ru_maxrss / 1024, out,
            proc.returncode)


def run_outputs(runner, artifact, inputs, outputs, work):
    """Runs the artifact once; returns the max abs error over its outputs."""
    out_dir = os.path.join(work, "out")
    subprocess.run([runner, artifact, *inputs, "--output-dir", out_dir],
                   capture_output=True, text=True, check=True)
    return max(float(np.max(np.abs(
        np.load(os.path.join(out_dir, name + ".npy")).astype(np.float64) -
        np.load(ref).astype(np.float64)))) for name, ref in outputs.items())


def ours(runner, artifact, inputs, threads, runs):
    out = subprocess.run([runner, artifact, *inputs, "--benchmark", str(runs),
                          "--warmup", "3", "--threads", str(threads)],
                         capture_output=True, text=True, check=True).stdout
    return float(re.search(r"median ([0-9.]+) ms", out).group(1))


def onnxruntime(model, feeds, threads, runs):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(model, options,
                                   providers=["CPUExecutionProvider"])
    for _ in range(3):
        session.run(None, feeds)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        session.run(None, feeds)
        times.append((time.perf_counter() - start) * 1e3)
    return float(np.median(times))


def large_bert(folder):
    if not os.path.exists(os.path.join(folder, "bert.onnx")):
        print(f"making the BERT-base-shaped model in {folder} ...", flush=True)
        subprocess.run([sys.executable, os.path.join(ROOT, "models/bert/make_bert.py"),
                        "--large", folder], check=True, capture_output=True)
    return ("bert-base", os.path.join(folder, "bert.onnx"), BERT_LARGE_SHAPE,
            *BERT_IO)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--large", metavar="DIR",
                        help="also the BERT-base-shaped encoder, kept in DIR")
    parser.add_argument("--models", help="comma-separated subset of "
                        + ",".join(m[0] for m in MODELS))
    args = parser.parse_args()
    compiler = os.path.join(args.build, "bin", "autoglm-compile")
    runner = os.path.join(args.build, "bin", "autoglm-run")
    threads = [int(t) for t in args.threads.split(",")]
    models = [m for m in MODELS
              if not args.models or m[0] in args.models.split(",")]
    if args.large:
        models.append(large_bert(os.path.abspath(args.large)))

    rejected = {}
    static_rows, latency_rows = [], []
    with tempfile.TemporaryDirectory(prefix="agm-graph-bench-") as work:
        for name, model, flags, inputs, outputs in models:
            model = model if os.path.isabs(model) else os.path.join(ROOT, model)
            folder = os.path.dirname(model)
            inputs = {k: os.path.join(folder, v) for k, v in inputs.items()}
            outputs = {k: os.path.join(folder, v) for k, v in outputs.items()}
            input_flags = [f"--input={k}={v}" for k, v in inputs.items()]
            feeds = {k: np.load(v) for k, v in inputs.items()}
            row = {"name": name}
            artifacts = {}
            for variant, vflags in VARIANTS:
                artifact = os.path.join(work, f"{name}.{variant}.agm")
                seconds, rss, out, rc = compile_model(compiler, model,
                                                      flags + vflags, artifact)
                if rc != 0:
                    lines = [l for l in out.splitlines() if l.strip()]
                    rejected[f"{name} {variant}"] = lines[0] if lines else f"rc {rc}"
                    continue
                try:
                    err = run_outputs(runner, artifact, input_flags, outputs, work)
                except subprocess.CalledProcessError as e:
                    lines = [l for l in (e.stdout + e.stderr).splitlines()
                             if l.strip()]
                    rejected[f"{name} {variant}"] = "run failed: " + (
                        lines[-1] if lines else f"rc {e.returncode}")
                    continue
                artifacts[variant] = artifact
                row[variant] = dict(
                    compile_s=seconds, rss=rss,
                    dispatches=sum(l.startswith("dispatch ")
                                   for l in out.splitlines()),
                    size=os.path.getsize(artifact) / 1e6, err=err)
            static_rows.append(row)
            for t in threads:
                lat = {"name": name, "threads": t,
                       "ort": onnxruntime(model, feeds, t, args.runs)}
                for variant, artifact in artifacts.items():
                    lat[variant] = ours(runner, artifact, input_flags, t, args.runs)
                latency_rows.append(lat)
            print(f"... {name} done", flush=True)

    def cell(row, variant, key, fmt):
        return format(row[variant][key], fmt) if variant in row else "n/a"

    print(f"\nCompile and artifacts (-O2 unless named; err = max abs error vs "
          f"ONNX Runtime's reference output)")
    print(f"{'model':12} {'disp O0':>7} {'disp O2':>7} {'compile s O0/O2':>15} "
          f"{'peak MB O2':>10} {'MB fp32':>8} {'MB int8':>8} {'MB int4':>8} "
          f"{'err fp32':>9} {'err int8':>9} {'err int4':>9}")
    for row in static_rows:
        print(f"{row['name']:12} {cell(row, 'O0', 'dispatches', 'd'):>7} "
              f"{cell(row, 'O2', 'dispatches', 'd'):>7} "
              f"{cell(row, 'O0', 'compile_s', '.2f') + '/' + cell(row, 'O2', 'compile_s', '.2f'):>15} "
              f"{cell(row, 'O2', 'rss', '.0f'):>10} "
              f"{cell(row, 'O2', 'size', '.3f'):>8} {cell(row, 'int8', 'size', '.3f'):>8} "
              f"{cell(row, 'int4', 'size', '.3f'):>8} {cell(row, 'O2', 'err', '.1e'):>9} "
              f"{cell(row, 'int8', 'err', '.1e'):>9} {cell(row, 'int4', 'err', '.1e'):>9}")

    print(f"\nMedian latency, {args.runs} runs: ONNX Runtime's ms, then ours ÷ ORT's "
          f"(below 1: faster than ORT), and -O2 speedup over -O0")
    print(f"{'model':12} {'thr':>3} {'ORT ms':>8} {'O2 ms':>8} {'O0/ORT':>7} {'O2/ORT':>7} "
          f"{'int8/ORT':>8} {'int4/ORT':>8} {'O0/O2':>6}")
    for lat in latency_rows:
        ratio = lambda v: f"{lat[v] / lat['ort']:.2f}" if v in lat else "n/a"
        speedup = (f"{lat['O0'] / lat['O2']:.2f}" if "O0" in lat and "O2" in lat
                   else "n/a")
        print(f"{lat['name']:12} {lat['threads']:3d} {lat['ort']:8.3f} {lat.get('O2', float('nan')):8.3f} "
              f"{ratio('O0'):>7} {ratio('O2'):>7} {ratio('int8'):>8} "
              f"{ratio('int4'):>8} {speedup:>6}")
    if rejected:
        print("\nn/a: the compiler rejected these (or their run failed)")
        for key, line in rejected.items():
            print(f"  {key}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
