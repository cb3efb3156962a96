#!/usr/bin/env python3
"""Compiles the bundled tiny GLM checkpoints (models/glm/) and generates with
them, against the transformers references saved beside them by
models/glm/make_glm.py.

Usage: run_glm.py AUTOGLM_COMPILE AUTOGLM_RUN [--quantize=int8|int4]
    [--target=cuda] [--compile-only] [--artifact-dir DIR [--prebuilt]]

--target=cuda compiles for sm_80 and sm_90 and generates on the GPU with the
same checks (the host memory check is skipped: the cache lives on the
device); --compile-only stops after compiling; --artifact-dir keeps the
artifacts and --prebuilt runs them without compiling (scripts/gpu-bundle).

fp32 (the default), for each checkpoint:
  - prefill logits of the 8-token prompt within rtol 1e-3 (+ atol 1e-4) of
    transformers';
  - the 32 greedy tokens identical to transformers';
  - the logits of every decode step (KV cache) within the same tolerance of
    transformers' full-sequence recompute (decode_logits.npy), and within
    1e-4 of our own prefill of the whole 40-token sequence (no cache), so
    the cache path equals a recompute by the same compiled model.
The checkpoints are compiled with different --prefill-length values, so that
the prompt runs as one padded chunk, or as three chunks (the last padded).

--quantize: the weights are int8 / int4. The references are transformers'
outputs with the same rounding applied to its weights
(models/glm/make_quant_refs.py documents the scheme): prefill logits within
the same tolerance and the 32 greedy tokens identical; the error against the
fp32 logits (the rounding itself) is printed.

Prints one line per check and `N passed, M failed`; exit code 1 on any
failure. Standard library only.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import npy
from compile_and_compare import add_artifact_options, target_flags

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GLM = os.path.join(ROOT, "models", "glm")

# checkpoint dir, reference dir, extra compile flags.
CHECKPOINTS = [
    ("tiny-glm", "tiny-glm", []),
    # 8 prompt tokens in chunks of 3: 3 prefill calls, the last padded.
    ("tiny-glm4", "tiny-glm4", ["--prefill-length", "3", "--max-context",
                                "96"]),
    # Sharded safetensors, legacy flat config; same weights as tiny-glm4.
    ("tiny-glm4-sharded", "tiny-glm4", ["--prefill-length", "16",
                                        "--max-context", "128"]),
]

RTOL, ATOL = 1e-3, 1e-4
def run(cmd):
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({result.returncode}):\n"
                           f"{result.stdout}{result.stderr}")
    return result.stdout


def max_errors(ours, ref):
    """(max abs error, max error / (atol + rtol |ref|))."""
    worst_abs, worst_ratio = 0.0, 0.0
    for a, b in zip(ours, ref):
        d = abs(a - b)
        worst_abs = max(worst_abs, d)
        worst_ratio = max(worst_ratio, d / (ATOL + RTOL * abs(b)))
    return worst_abs, worst_ratio


class Report:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, ok, label, detail):
        print(f"{'PASS' if ok else 'FAIL'}: {label}: {detail}")
        if ok:
            self.passed += 1
        else:
            self.failed += 1


def generate(run_tool, artifact, ids, new_tokens, out_dir):
    """autoglm-run's generation; returns (prefill logits, step logits,
    generated ids) as (shape, values) pairs and the printed text."""
    os.makedirs(out_dir, exist_ok=True)
    text = run([run_tool, artifact, "--prompt-ids", ",".join(map(str, ids)),
                "--max-new-tokens", str(new_tokens), "--output-dir", out_dir])
    load = lambda name: npy.load(os.path.join(out_dir, name))
    return (load("prefill_logits.npy"), load("step_logits.npy"),
            load("generated_ids.npy"), text)


def check_fp32(report, name, ref_dir, run_tool, artifact, tmp):
    _, prompt = npy.load(os.path.join(ref_dir, "prompt_ids.npy"))
    _, ref_prefill = npy.load(os.path.join(ref_dir, "prefill_logits.npy"))
    _, greedy = npy.load(os.path.join(ref_dir, "greedy_ids.npy"))
    decode_shape, ref_decode = npy.load(
        os.path.join(ref_dir, "decode_logits.npy"))
    steps, vocab = decode_shape
    # One token more than the reference's 32, so that 32 decode steps run
    # (the last one feeds greedy[31]).
    (pshape, prefill), (sshape, step), (_, ids), _ = generate(
        run_tool, artifact, prompt, steps + 1, os.path.join(tmp, "gen"))
    err, ratio = max_errors(prefill, ref_prefill)
    report.check(pshape == (1, len(prompt), vocab) and ratio <= 1.0,
                 f"{name}: prefill logits",
                 f"shape {pshape}, max abs error {err:.2e}, "
                 f"{ratio:.2f} of the tolerance")
    same = [int(a) == int(b) for a, b in zip(ids[:steps], greedy)]
    report.check(len(ids) == steps + 1 and all(same),
                 f"{name}: {steps} greedy tokens",
                 f"{sum(same)} of {steps} identical to transformers'")
    decode = step[vocab:vocab * (steps + 1)]
    err, ratio = max_errors(decode, ref_decode)
    report.check(sshape == (steps + 1, vocab) and ratio <= 1.0,
                 f"{name}: decode logits vs transformers' recompute",
                 f"max abs error {err:.2e} over {steps} steps, "
                 f"{ratio:.2f} of the tolerance")
    # Our own recompute: the whole sequence through prefill, no cache.
    sequence = list(prompt) + [int(t) for t in ids[:steps]]
    (rshape, recompute), _, _, _ = generate(
        run_tool, artifact, sequence, 1, os.path.join(tmp, "recompute"))
    recomputed = recompute[len(prompt) * vocab:]
    worst = max(abs(a - b) for a, b in zip(decode, recomputed))
    report.check(rshape == (1, len(sequence), vocab) and worst <= 1e-4,
                 f"{name}: decode logits vs our full-sequence prefill",
                 f"max abs difference {worst:.2e} over {steps} steps")


def peak_rss_mb(cmd):
    """Runs `cmd` in a child of a fresh interpreter and returns the child's
    peak resident set in MB (RUSAGE_CHILDREN counts only that child)."""
    probe = ("import resource, subprocess, sys; "
             "r = subprocess.run(sys.argv[1:], capture_output=True); "
             "print(r.returncode, "
             "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    out = run([sys.executable, "-c", probe] + cmd).split()
    if out[0] != "0":
        raise RuntimeError(f"{' '.join(cmd)} failed ({out[0]})")
    return int(out[1]) / 1024


def check_memory(report, name, run_tool, artifact):
    """Decode steps must not grow memory: kernels free their temporaries
    (a leak of the attention's scratch grew ~1 MB per step)."""
    sizes = {}
    for steps in (50, 1000):
        sizes[steps] = peak_rss_mb([run_tool, artifact, "--prompt-ids", "1,2,3",
                                    "--max-new-tokens", str(steps)])
    growth = sizes[1000] - sizes[50]
    report.check(growth < 32, f"{name}: memory over 1000 decode steps",
                 f"peak RSS {sizes[50]:.1f} MB after 50 steps, "
                 f"{sizes[1000]:.1f} MB after 1000")


def check_quantized(report, name, ref_dir, mode, run_tool, artifact, tmp):
    _, prompt = npy.load(os.path.join(ref_dir, "prompt_ids.npy"))
    _, fp32_prefill = npy.load(os.path.join(ref_dir, "prefill_logits.npy"))
    _, ref_prefill = npy.load(
        os.path.join(ref_dir, f"prefill_logits_{mode}.npy"))
    _, greedy = npy.load(os.path.join(ref_dir, f"greedy_ids_{mode}.npy"))
    steps = len(greedy)
    (pshape, prefill), _, (_, ids), _ = generate(
        run_tool, artifact, prompt, steps, os.path.join(tmp, "gen"))
    err, ratio = max_errors(prefill, ref_prefill)
    scale = max(abs(v) for v in fp32_prefill)
    rounding = max(abs(a - b) for a, b in zip(prefill, fp32_prefill))
    report.check(ratio <= 1.0, f"{name} {mode}: prefill logits",
                 f"max abs error {err:.2e} against transformers on the "
                 f"{mode}-rounded weights ({ratio:.2f} of the tolerance); "
                 f"{rounding:.3f} = {rounding / scale:.1%} of max|logit| "
                 f"from fp32 (the rounding itself)")
    same = [int(a) == int(b) for a, b in zip(ids, greedy)]
    report.check(len(ids) == steps and all(same),
                 f"{name} {mode}: {steps} greedy tokens",
                 f"{sum(same)} of {steps} identical to transformers' on the "
                 f"{mode}-rounded weights")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("compile_tool")
    parser.add_argument("run_tool")
    parser.add_argument("--quantize", choices=["int8", "int4"])
    parser.add_argument("--target", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--compile-only", action="store_true")
    add_artifact_options(parser)
    args = parser.parse_args()
    report = Report()
    with tempfile.TemporaryDirectory() as tmp:
        for name, ref, flags in CHECKPOINTS:
            work = os.path.join(tmp, name)
            os.makedirs(work)
            artifact = os.path.join(work, "model.agm")
            if args.artifact_dir:
                os.makedirs(args.artifact_dir, exist_ok=True)
                artifact = os.path.join(args.artifact_dir, name + ".agm")
            cmd = [args.compile_tool, os.path.join(GLM, name), "-o",
                   artifact] + flags + target_flags(args.target)
            if args.quantize:
                cmd.append(f"--quantize={args.quantize}")
            ref_dir = os.path.join(GLM, ref)
            try:
                if not args.prebuilt:
                    run(cmd)
                if args.compile_only:
                    report.check(True, f"{name}: compiled", "")
                elif args.quantize:
                    check_quantized(report, name, ref_dir, args.quantize,
                                    args.run_tool, artifact, work)
                else:
                    check_fp32(report, name, ref_dir, args.run_tool,
                               artifact, work)
                    if name == "tiny-glm" and args.target == "cpu":
                        check_memory(report, name, args.run_tool, artifact)
            except (RuntimeError, OSError, ValueError) as error:
                report.check(False, name, str(error))
    print(f"{report.passed} passed, {report.failed} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
