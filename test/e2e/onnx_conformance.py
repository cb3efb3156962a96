#!/usr/bin/env python3
"""ONNX backend node-test conformance: compile, run, compare.

For every node test of Debian's libonnx-testdata (model.onnx plus
test_data_set_*/{input,output}_*.pb) this compiles the model with
autoglm-compile to an .agm artifact, runs it with autoglm-run on each data
set's inputs and compares every output with the test's tolerances (ONNX's
defaults: rtol 1e-3, atol 1e-7). It prints `N passed, M failed, K skipped`
with the failures grouped by reason, and enforces the checked-in list of
tests expected to pass (onnx_conformance_expected.txt): a listed test that
fails is a regression (exit 1); a passing test missing from the list is
reported so it gets added (--update-expected rewrites the list).

Standard library only: the .pb tensors are decoded by onnx_testdata.py and
written as .npy files for autoglm-run. --target=cuda runs the same tests
on the GPU (compiled for sm_80 and sm_90).
"""
import argparse
import collections
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile

DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"
HERE = os.path.dirname(os.path.abspath(__file__))

from compile_and_compare import add_artifact_options, target_flags
from onnx_testdata import parse_tensor, shape_inputs, write_npy

def run_test(args, test):
    test_dir = os.path.join(args.data, test)
    with tempfile.TemporaryDirectory(prefix="agm-conf-") as work:
        artifact = os.path.join(work, "model.agm")
        if args.artifact_dir:
            artifact = os.path.join(args.artifact_dir, test + ".agm")
        # The inputs bound at compile time (--const-input), kept beside a
        # kept artifact for --prebuilt runs.
        bound_file = artifact + ".const-inputs"
        sets = sorted(d for d in os.listdir(test_dir)
                      if d.startswith("test_data_set_"))
        if not sets:
            return "skipped", "no test data"
        data_dir = os.path.join(test_dir, sets[0])
        if args.prebuilt:
            if not os.path.exists(artifact):
                return "compile", "no prebuilt artifact"
            bound = set()
            if os.path.exists(bound_file):
                bound = set(open(bound_file).read().split())
        else:
            compile_cmd = [args.compiler,
                           os.path.join(test_dir, "model.onnx"), "-o",
                           artifact, *target_flags(args.target)]
            result = subprocess.run(compile_cmd, capture_output=True,
                                    text=True, timeout=args.timeout)
            if (result.returncode != 0 and
                    "must be known at " in result.stderr):
                for name, path in shape_inputs(data_dir):
                    compile_cmd.append(f"--const-input={name}={path}")
                result = subprocess.run(compile_cmd, capture_output=True,
                                        text=True, timeout=args.timeout)
            if result.returncode != 0:
                return "compile", first_error(result.stderr)
            bound = {c.split("=", 2)[1] for c in compile_cmd
                     if c.startswith("--const-input=")}
            if args.artifact_dir and bound:
                with open(bound_file, "w") as f:
                    f.write("\n".join(sorted(bound)) + "\n")
        if args.compile_only:
            return "passed", ""
        for data_set in sets:
            run_cmd = [args.runner, artifact, "--threads", "1"]
            data_dir = os.path.join(test_dir, data_set)
            for entry in sorted(os.listdir(data_dir)):
                path = os.path.join(data_dir, entry)
                try:
                    name, dtype, dims, raw = parse_tensor(open(path, "rb").read())
                except ValueError as e:
                    return "skipped", f"test data {entry}: {e}"
                npy = os.path.join(work, f"{data_set}_{entry}.npy")
                write_npy(npy, dtype, dims, raw)
                if entry.startswith("input_") and name not in bound:
                    run_cmd.append(f"--input={name}={npy}")
                elif entry.startswith("output_"):
                    run_cmd.append(f"--compare={name}={npy}")
            run_cmd += ["--rtol", "1e-3", "--atol", "1e-7"]
            result = subprocess.run(run_cmd, capture_output=True, text=True,
                                    timeout=args.timeout)
            if result.returncode != 0:
                kind = "mismatch" if "mismatch" in result.stderr + result.stdout else "run"
                return kind, first_error(result.stderr + result.stdout)
    return "passed", ""


def first_error(text):
    for line in text.splitlines():
        if "error" in line or "mismatch" in line:
            return line.strip()[:200]
    return (text.strip().splitlines() or ["(no output)"])[0][:200]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("compiler")
    parser.add_argument("runner")
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--timeout", type=int, default=300)
    parser.add_argument("--filter", default="")
    parser.add_argument("--expected", default=os.path.join(
        HERE, "onnx_conformance_expected.txt"))
    parser.add_argument("--update-expected", action="store_true")
    parser.add_argument("--compile-only", action="store_true",
                        help="stop after compiling (with --artifact-dir: "
                             "prepare a --prebuilt run elsewhere)")
    add_artifact_options(parser)
    parser.add_argument("--target", choices=["cpu", "cuda"], default="cpu",
                        help="cuda: compile for sm_80,sm_90 and run on the "
                             "GPU, against the same expected list (the "
                             "tests that pass on the CPU)")
    args = parser.parse_args()
    if args.artifact_dir:
        os.makedirs(args.artifact_dir, exist_ok=True)

    tests = sorted(t for t in os.listdir(args.data)
                   if re.search(args.filter, t) and
                   os.path.exists(os.path.join(args.data, t, "model.onnx")))
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        results = dict(zip(tests, pool.map(lambda t: run_test(args, t), tests)))

    expected = set()
    if os.path.exists(args.expected):
        expected = {l.strip() for l in open(args.expected)
                    if l.strip() and not l.startswith("#")}
    passed = sorted(t for t, (k, _) in results.items() if k == "passed")
    skipped = [t for t, (k, _) in results.items() if k == "skipped"]
    failed = [t for t, (k, _) in results.items() if k not in ("passed", "skipped")]
    groups = collections.defaultdict(list)
    for test in failed:
        kind, why = results[test]
        groups[f"{kind}: " + re.sub(r"\d+", "N", why)[:120]].append(test)
    print("failures by reason:")
    for reason, names in sorted(groups.items(), key=lambda e: -len(e[1])):
        print(f"  {len(names):4d}  {reason}\n        "
              + ", ".join(names[:5]) + (" ..." if len(names) > 5 else ""))
    regressions = sorted(t for t in expected if t in results and t not in passed)
    new = sorted(t for t in passed if t not in expected)
    for test in regressions:
        print(f"REGRESSION: {test}: {results[test][0]}: {results[test][1]}")
    if new:
        print(f"{len(new)} tests pass that are not in {args.expected}: "
              + ", ".join(new[:10]) + (" ..." if len(new) > 10 else ""))
    if args.update_expected:
        with open(args.expected, "w") as f:
            f.write("# ONNX backend node tests that must pass (onnx_conformance.py\n"
                    "# --update-expected rewrites this list).\n")
            f.writelines(t + "\n" for t in passed)
    print(f"{len(passed)} passed, {len(failed)} failed, {len(skipped)} skipped")
    return 1 if regressions and not args.update_expected else 0


if __name__ == "__main__":
    sys.exit(main())
