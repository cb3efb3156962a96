#!/usr/bin/env python3
"""GLM decode benchmark: tokens/s and weight bytes/s vs memory bandwidth.

Compiles a GLM checkpoint folder with autoglm-compile as fp32, int8 and int4
(`DIR -o X.agm [--quantize=...] --max-context M`; timed, with the compiler's
peak RSS) and reports, all measured in this one run (DESIGN.md section 7:
shared machines are noisy, read the ratios):
- each artifact's size and the weight bytes one decode step reads;
- prefill and decode tokens/s as `autoglm-run X.agm --prompt-ids ...
  --max-new-tokens N --threads T` prints them, at every thread count (best
  of --repeats runs);
- decode weight GB/s = decode tokens/s x weight bytes per token, and that as
  a fraction of the memory read bandwidth measured now at the same thread
  count (over a 1 GiB float32 tensor, torch.set_num_threads(T), best of 5:
  torch.sum, and torch.mv of it as a matrix, decode's access pattern; both
  before and after the timed runs; the largest of the four is used);
- the logit error of each mode on the checkpoint's reference prompt
  (prompt_ids.npy): vs fp32 and vs transformers' reference logits
  (prefill_logits.npy / decode_logits.npy written by models/glm/make_glm.py),
  and greedy agreement with both;
- a peer in the same run: transformers (torch eager, float32, same thread
  count), greedy `generate(use_cache=True)` on the same checkpoint and prompt.

Weight bytes per decode token are read from the artifact itself: the
distinct weight-section ranges (AGM_BUFFER_WEIGHT buffers) that the `decode`
entry's dispatches bind, minus the ranges bound only by gather kernels (the
embedding table: decode reads one row of it, which is added back). The
KV cache, activations and the code are not counted, so this is a lower
bound of the bytes a decode step moves.

Usage: bench/glm_bench.py [--build build] [--checkpoint DIR | --tiny]
           [--modes fp32,int8,int4] [--threads 1,2] [--max-context 2048]
           [--prompt-len 128] [--new-tokens 64] [--repeats 2] [--no-peer]
Without --checkpoint the memory-bound checkpoint of `make_glm.py --large`
(483M parameters, 1.9 GB float32) is used, made in /tmp/autoglm-glm-large
unless it is there; --tiny runs the bundled models/glm/tiny-glm. Until
autoglm-compile compiles GLM checkpoints (issue 6) the bench prints the
bandwidth and transformers figures, says why there is nothing else, and
exits with status 1. Not a test.
Needs numpy, torch and transformers (bench only).
"""
import argparse
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LARGE_DIR = "/tmp/autoglm-glm-large"
QUANT = {"fp32": [], "int8": ["--quantize=int8"], "int4": ["--quantize=int4"]}


# --- the artifact's weights (runtime/include/autoglm/artifact_format.h) ---

def decode_weight_bytes(path, vocab, entry="decode"):
    """(weight bytes one `entry` call reads, weights section bytes, note)."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:8] != b"AGMART01":
            raise ValueError(f"{path}: not an .agm artifact")
        _, count, _, table = struct.unpack_from("<IIQQ", head, 8)
        f.seek(table)
        sections = {}
        for i in range(count):
            kind, _, off, size, _ = struct.unpack("<IIQQQ", f.read(32))
            sections[kind] = (off, size)

        def read(kind):
            off, size = sections[kind]
            f.seek(off)
            return f.read(size)

        strings, meta, plan = read(5), read(1), read(2)
        weights_size = sections.get(4, (0, 0))[1]

    def string(off):
        return strings[off:strings.index(b"\0", off)].decode()

    entry_count = struct.unpack_from("<I", meta, 4)[0]
    entries = {}
    for i in range(entry_count):
        name, _, _, _, _, first, n, _ = struct.unpack_from("<8I", meta, 48 + 32 * i)
        entries[string(name)] = (first, n)
    if entry not in entries:
        raise ValueError(f"{path}: no {entry} entry (entries: {sorted(entries)})")
    (_, _, nbuf, ndisp, nbind, _, buf_off, disp_off, bind_off,
     _) = struct.unpack_from("<QQIIIIQQQQ", plan, 0)
    buffers = [struct.unpack_from("<IIQQ", plan, buf_off + 24 * i) for i in range(nbuf)]
    bindings = struct.unpack_from(f"<{nbind}I", plan, bind_off)
    first, n = entries[entry]
    by_range = {}  # (offset, size) -> names of the kernels that bind it
    for d in range(first, first + n):
        kernel, count, first_binding, _, _ = struct.unpack_from("<IIIIQ", plan,
                                                                disp_off + 24 * d)
        for b in bindings[first_binding:first_binding + count]:
            kind, _, off, size = buffers[b]
            if kind == 1:  # AGM_BUFFER_WEIGHT
                by_range.setdefault((off, size), set()).add(string(kernel))
    total = sum(size for _, size in by_range)
    # A table only gathers read, with vocab rows: the embedding.
    gathers = [size for (_, size), kernels in by_range.items()
               if all("gather" in k for k in kernels) and size % vocab == 0]
    note = "no gather-only weight of vocab rows: nothing subtracted"
    for size in gathers:
        total -= size - size // vocab  # one row stays read
    if gathers:
        note = (f"minus {len(gathers)} gather-only table(s) of "
                f"{sum(gathers) / 1e6:.1f} MB, one row each added back")
    return total, weights_size, note


# --- measurements ---

def bandwidth(threads):
    """Memory read bandwidth in GB/s at `threads` threads over a 1 GiB float32
    tensor, best of 5 each: {"sum": torch.sum, "gemv": torch.mv of it as a
    16384 x 16384 matrix (the decode access pattern)}."""
    import torch
    torch.set_num_threads(threads)
    x = torch.ones(1 << 28, dtype=torch.float32)
    m, v = x.view(1 << 14, 1 << 14), torch.ones(1 << 14)
    result = {}
    for name, f in (("sum", x.sum), ("gemv", lambda: torch.mv(m, v))):
        f()
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            f()
            best = min(best, time.perf_counter() - start)
        result[name] = x.numel() * 4 / best / 1e9
    return result


def compile_model(compiler, checkpoint, artifact, flags, max_context):
    """Runs the compiler under /usr/bin/time -v; returns (seconds, peak RSS
    MB, output, rc). (getrusage of a child this process forks would count
    this process's own RSS: Linux keeps the pre-exec peak.)"""
    cmd = [compiler, checkpoint, "-o", artifact, *flags,
           "--max-context", str(max_context)]
    report = artifact + ".time"
    start = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-v", "-o", report, *cmd],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True)
    seconds = time.perf_counter() - start
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                  open(report).read())
    return (seconds, int(m.group(1)) / 1024 if m else float("nan"),
            proc.stdout, proc.returncode)


NUMBER = r"([0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)"
RATE = r"tok(?:en)?s?\s*/\s*s"


def parse_rate(text, phase):
    """tokens/s of `phase` from autoglm-run's output: the line naming the
    phase, with a number followed by tokens/s (or tok/s), or after it."""
    for line in text.splitlines():
        if not re.search(rf"\b{phase}\b", line, re.I):
            continue
        m = (re.search(rf"{NUMBER}\s*{RATE}", line, re.I) or
             re.search(rf"{RATE}\s*[:=]?\s*{NUMBER}", line, re.I))
        if m:
            return float(m.group(1))
    raise ValueError(f"no '{phase} ... tokens/s' line in autoglm-run's output:\n"
                     + text)


def run_artifact(runner, artifact, prompt, new_tokens, threads, out_dir=None):
    cmd = [runner, artifact, "--prompt-ids", ",".join(map(str, prompt)),
           "--max-new-tokens", str(new_tokens), "--threads", str(threads)]
    if out_dir:
        cmd += ["--output-dir", out_dir]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        lines = [l for l in (proc.stdout + proc.stderr).splitlines() if l.strip()]
        raise RuntimeError(lines[-1] if lines else f"rc {proc.returncode}")
    text = proc.stdout + proc.stderr
    return parse_rate(text, "prefill"), parse_rate(text, "decode")


def peer(checkpoint, prompt, new_tokens, threads, repeats):
    """transformers' prefill and decode tokens/s, greedy generate with the KV
    cache: a logits processor stamps the time of every step, so prefill =
    prompt length / (first stamp - call) and decode = (N - 1) / (last stamp
    - first stamp), both from one generate call (best of `repeats`)."""
    import torch
    from transformers import (AutoModelForCausalLM, GenerationConfig,
                              LogitsProcessor, LogitsProcessorList)

    class Stamp(LogitsProcessor):
        def __init__(self):
            self.times = []

        def __call__(self, input_ids, scores):
            self.times.append(time.perf_counter())
            return scores

    model = AutoModelForCausalLM.from_pretrained(checkpoint, dtype=torch.float32)
    model.eval()
    ids = torch.tensor([prompt], dtype=torch.int64)
    config = GenerationConfig(do_sample=False, use_cache=True,
                              max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                              eos_token_id=None, pad_token_id=0)
    rows = {}
    for t in threads:
        torch.set_num_threads(t)
        best = [0.0, 0.0]
        for i in range(repeats + 1):  # the first is a warm-up
            stamp = Stamp()
            start = time.perf_counter()
            with torch.no_grad():
                model.generate(ids, generation_config=config,
                               logits_processor=LogitsProcessorList([stamp]))
            assert len(stamp.times) == new_tokens
            got = (len(prompt) / (stamp.times[0] - start),
                   (new_tokens - 1) / (stamp.times[-1] - stamp.times[0]))
            if i:
                best = [max(a, b) for a, b in zip(best, got)]
        rows[t] = best
    del model
    return rows


# --- logits ---

def reference_steps(folder):
    """transformers' step logits in autoglm-run's step_logits.npy order:
    row 0 from the prompt's last position, row i from the decode that fed
    greedy token i - 1."""
    prefill = np.load(os.path.join(folder, "prefill_logits.npy"))
    decode = np.load(os.path.join(folder, "decode_logits.npy"))
    ids = np.load(os.path.join(folder, "greedy_ids.npy"))
    return np.concatenate([prefill[0, -1:], decode[:len(ids) - 1]]), ids, prefill


def agreement(ids, ref_ids):
    """Length of the common greedy prefix."""
    n = 0
    while n < min(len(ids), len(ref_ids)) and ids[n] == ref_ids[n]:
        n += 1
    return n


def logit_error(steps, ids, ref_steps, ref_ids):
    """Max abs error and max abs error / max |reference| over the step rows
    whose context is the same in both runs: up to the first greedy mismatch
    (the row that chose it included)."""
    rows = min(agreement(ids, ref_ids) + 1, len(steps), len(ref_steps))
    a, b = steps[:rows].astype(np.float64), ref_steps[:rows].astype(np.float64)
    err = float(np.max(np.abs(a - b)))
    return err, err / float(np.max(np.abs(b))), rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--checkpoint", metavar="DIR",
                       help=f"GLM checkpoint folder (default: {LARGE_DIR}, "
                       "made by models/glm/make_glm.py --large if absent)")
    which.add_argument("--tiny", action="store_true",
                       help="the bundled models/glm/tiny-glm")
    parser.add_argument("--modes", default="fp32,int8,int4")
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--max-context", type=int, default=2048)
    parser.add_argument("--prompt-len", type=int, default=128,
                        help="prompt tokens of the timed runs")
    parser.add_argument("--new-tokens", type=int, default=64,
                        help="generated tokens of the timed runs")
    parser.add_argument("--repeats", type=int, default=2,
                        help="timed runs per figure; the best is kept")
    parser.add_argument("--no-peer", action="store_true",
                        help="skip the transformers timings")
    args = parser.parse_args()
    compiler = os.path.join(args.build, "bin", "autoglm-compile")
    runner = os.path.join(args.build, "bin", "autoglm-run")
    for tool in (compiler, runner, "/usr/bin/time"):
        if not os.access(tool, os.X_OK):
            parser.error(f"{tool} not found: build first or pass --build")
    threads = [int(t) for t in args.threads.split(",")]
    modes = args.modes.split(",")
    if args.tiny:
        checkpoint = os.path.join(ROOT, "models/glm/tiny-glm")
    else:
        checkpoint = os.path.abspath(args.checkpoint or LARGE_DIR)
        if args.checkpoint is None and not os.path.exists(
                os.path.join(checkpoint, "config.json")):
            print(f"making the large GLM checkpoint in {checkpoint} ...", flush=True)
            subprocess.run([sys.executable, os.path.join(ROOT, "models/glm/make_glm.py"),
                            "--large", checkpoint], check=True)
    config = json.load(open(os.path.join(checkpoint, "config.json")))
    vocab, hidden = config["vocab_size"], config["hidden_size"]
    if args.prompt_len + args.new_tokens > args.max_context:
        parser.error("--prompt-len + --new-tokens exceeds --max-context")
    ref_prompt = np.load(os.path.join(checkpoint, "prompt_ids.npy"))[0].tolist()
    ref_steps, ref_ids, ref_prefill = reference_steps(checkpoint)
    prompt = np.random.default_rng(0).integers(3, vocab, args.prompt_len).tolist()
    print(f"{checkpoint}: {config['architectures'][0]}, hidden {hidden}, "
          f"{config['num_hidden_layers']} layers, vocab {vocab}; timed runs: "
          f"prompt {args.prompt_len} tokens, {args.new_tokens} new, best of "
          f"{args.repeats}", flush=True)

    bw_start = {t: bandwidth(t) for t in threads}
    peers = ({} if args.no_peer else
             peer(checkpoint, prompt, args.new_tokens, threads, args.repeats))

    static, rates, errors, rejected = {}, {}, {}, {}
    outputs = {}
    with tempfile.TemporaryDirectory(prefix="agm-glm-bench-") as work:
        for mode in modes:
            artifact = os.path.join(work, mode + ".agm")
            seconds, rss, out, rc = compile_model(compiler, checkpoint, artifact,
                                                  QUANT[mode], args.max_context)
            if rc != 0:
                lines = [l for l in out.splitlines() if l.strip()]
                rejected[mode] = lines[0] if lines else f"rc {rc}"
                continue
            try:
                read, section, note = decode_weight_bytes(artifact, vocab)
                out_dir = os.path.join(work, mode + ".out")
                run_artifact(runner, artifact, ref_prompt, len(ref_ids), threads[0],
                             out_dir)
                outputs[mode] = (np.load(os.path.join(out_dir, "step_logits.npy")),
                                 np.load(os.path.join(out_dir, "generated_ids.npy")),
                                 np.load(os.path.join(out_dir, "prefill_logits.npy")))
                mode_rates = {}
                for t in threads:
                    best = [0.0, 0.0]
                    for _ in range(args.repeats):
                        got = run_artifact(runner, artifact, prompt, args.new_tokens, t)
                        best = [max(a, b) for a, b in zip(best, got)]
                    mode_rates[mode, t] = best
            except (RuntimeError, ValueError, OSError) as e:
                rejected[mode] = f"run failed: {e}"
                outputs.pop(mode, None)
                continue
            rates.update(mode_rates)
            static[mode] = dict(compile_s=seconds, rss=rss,
                                size=os.path.getsize(artifact), section=section,
                                read=read, note=note)
            print(f"... {mode} done", flush=True)

    # Again after the timed runs; the best of both is the bandwidth used.
    bw_end = {t: bandwidth(t) for t in threads}
    bw = {t: max(*bw_start[t].values(), *bw_end[t].values()) for t in threads}

    for mode, (steps, ids, prefill) in outputs.items():
        e_ref = logit_error(steps, ids, ref_steps, ref_ids)
        p_ref = float(np.max(np.abs(prefill.astype(np.float64) - ref_prefill)))
        row = dict(ref=e_ref, prefill_ref=p_ref, agree_ref=agreement(ids, ref_ids),
                   n=len(ids))
        if "fp32" in outputs and mode != "fp32":
            base_steps, base_ids, _ = outputs["fp32"]
            row["fp32"] = logit_error(steps, ids, base_steps, base_ids)
            row["agree_fp32"] = agreement(ids, base_ids)
        errors[mode] = row

    print("\nMemory read bandwidth, GB/s (1 GiB float32, best of 5: torch.sum, and "
          "torch.mv of it as a 16384^2 matrix; before and after the timed runs). "
          "The largest of the four is the bandwidth the ratios use.")
    print("| threads | sum before | gemv before | sum after | gemv after | used |")
    print("|---:|---:|---:|---:|---:|---:|")
    for t in threads:
        print(f"| {t} | {bw_start[t]['sum']:.1f} | {bw_start[t]['gemv']:.1f} | "
              f"{bw_end[t]['sum']:.1f} | {bw_end[t]['gemv']:.1f} | {bw[t]:.1f} |")
    if peers:
        print("\ntransformers (torch eager, float32, greedy generate with use_cache)")
        print("| threads | prefill tok/s | decode tok/s | decode weight GB/s | of bandwidth |")
        print("|---:|---:|---:|---:|---:|")
        counts = _param_counts(config)
        torch_read = 4 * (sum(counts.values()) + hidden -
                          (counts["embed"] if counts["lm_head"] else 0))
        for t, (p, d) in peers.items():
            print(f"| {t} | {p:.1f} | {d:.2f} | {d * torch_read / 1e9:.2f} | "
                  f"{d * torch_read / 1e9 / bw[t]:.0%} |")
        print(f"(weight bytes per token {torch_read / 1e9:.3f} GB: the float32 "
              "parameters counted from config.json, less the embedding table but "
              "one row when it is not tied)")

    if static:
        print(f"\nCompile and artifacts (--max-context {args.max_context}; decode reads: "
              "weight bytes per decode step, see the docstring)")
        print("| mode | compile s | peak MB | artifact MB | weights MB | decode reads MB |")
        print("|---|---:|---:|---:|---:|---:|")
        for mode, s in static.items():
            print(f"| {mode} | {s['compile_s']:.1f} | {s['rss']:.0f} | "
                  f"{s['size'] / 1e6:.1f} | {s['section'] / 1e6:.1f} | "
                  f"{s['read'] / 1e6:.1f} |")
        for mode, s in static.items():
            print(f"  {mode}: decode reads = weights bound by decode's dispatches, "
                  f"{s['note']}")

        print("\nGeneration (autoglm-run; ratios to transformers at the same thread count)")
        print("| mode | threads | prefill tok/s | decode tok/s | weight GB/s | of bandwidth "
              "| prefill / torch | decode / torch |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for (mode, t), (p, d) in rates.items():
            gbs = d * static[mode]["read"] / 1e9
            vs = [f"{a / peers[t][i]:.2f}" if t in peers else "n/a"
                  for i, a in enumerate((p, d))]
            print(f"| {mode} | {t} | {p:.1f} | {d:.2f} | {gbs:.2f} | {gbs / bw[t]:.0%} "
                  f"| {vs[0]} | {vs[1]} |")

        print(f"\nLogit error on the reference prompt ({len(ref_prompt)} tokens, "
              f"{len(ref_ids)} greedy): step_logits rows up to the first greedy "
              "mismatch; rel = max abs / max |reference|; agree = common greedy "
              "prefix")
        print("| mode | vs fp32 max abs | vs fp32 rel | agree fp32 | vs transformers "
              "max abs | rel | prefill max abs | agree transformers |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        for mode, r in errors.items():
            f32 = r.get("fp32")
            print(f"| {mode} | {f'{f32[0]:.2e}' if f32 else '-'} | "
                  f"{f'{f32[1]:.2e}' if f32 else '-'} | "
                  f"{str(r['agree_fp32']) + '/' + str(r['n']) if f32 else '-'} | "
                  f"{r['ref'][0]:.2e} | {r['ref'][1]:.2e} | {r['prefill_ref']:.2e} | "
                  f"{r['agree_ref']}/{len(ref_ids)} |")

    if rejected:
        print("\nn/a: the compiler rejected these (or their run failed)")
        for mode, line in rejected.items():
            print(f"  {mode}: {line}")
    if not static:
        print(f"\nglm_bench: no GLM artifact was produced: {compiler} does not "
              f"compile {checkpoint} (the GLM importer of issue 6 is not in this "
              "build yet, or it failed; see above). Only the bandwidth and "
              "transformers figures were measured.", file=sys.stderr)
        return 1
    return 0


def _param_counts(config):
    """Parameter counts of a glm / glm4 checkpoint from its config.json."""
    h, v, layers = config["hidden_size"], config["vocab_size"], config["num_hidden_layers"]
    heads, kv = config["num_attention_heads"], config["num_key_value_heads"]
    d = config.get("head_dim") or h // heads
    inter = config["intermediate_size"]
    bias = config.get("attention_bias", False)
    attn = h * heads * d + 2 * h * kv * d + heads * d * h
    if bias:
        attn += heads * d + 2 * kv * d
    norms = (4 if config["model_type"] == "glm4" else 2) * h
    per_layer = attn + h * 2 * inter + inter * h + norms
    tied = config.get("tie_word_embeddings", False)
    return {"embed": v * h, "layers": layers * per_layer, "norm": h,
            "lm_head": 0 if tied else v * h}


if __name__ == "__main__":
    sys.exit(main())
