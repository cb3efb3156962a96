#!/usr/bin/env python3
"""The ONNX conformance tests that pass on the CPU, compiled for CUDA.

For every test in onnx_conformance_expected.txt (the node tests that compile,
run and match on the CPU) this compiles the model with
`autoglm-compile --target=cuda --gpu-arch=ARCH --emit=ptx` for sm_80 and
sm_90 and assembles each PTX with `ptxas -arch=ARCH` (issue 7: "every
conformance test that passes on the CPU also compiles for cuda, and its PTX
assembles with ptxas"). No GPU is needed. It prints `N passed, M failed`
with the failures grouped by reason, and enforces
cuda_ptx_expected_failures.txt: a test that fails without being listed
fails the script, a listed one that passes is reported so the list shrinks
(--update-expected rewrites it).

Usage: cuda_ptx_conformance.py AUTOGLM_COMPILE PTXAS [--jobs N]
Standard library only.
"""
import argparse
import collections
import concurrent.futures
import os
import subprocess
import sys
import tempfile

from onnx_testdata import shape_inputs

DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"
HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED_PASS = os.path.join(HERE, "onnx_conformance_expected.txt")
EXPECTED_FAILURES = os.path.join(HERE, "cuda_ptx_expected_failures.txt")
ARCHS = ["sm_80", "sm_90"]


def read_list(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [l.split("#")[0].strip() for l in f
                if l.split("#")[0].strip()]


def first_line(text):
    for line in text.splitlines():
        if "error" in line:
            return line.strip()[:200]
    return (text.strip().splitlines() or ["(no output)"])[0][:200]


def run_test(args, test):
    test_dir = os.path.join(args.data, test)
    with tempfile.TemporaryDirectory(prefix="agm-ptx-") as work:
        sets = sorted(d for d in os.listdir(test_dir)
                      if d.startswith("test_data_set_"))
        extra = []
        for arch in ARCHS:
            ptx = os.path.join(work, f"{arch}.ptx")
            cmd = [args.compiler, os.path.join(test_dir, "model.onnx"),
                   "--target=cuda", f"--gpu-arch={arch}", "--emit=ptx",
                   "-o", ptx] + extra
            result = subprocess.run(cmd, capture_output=True, text=True,
                                    timeout=args.timeout)
            if (result.returncode != 0 and "must be known at " in
                    result.stderr and sets and not extra):
                data_dir = os.path.join(test_dir, sets[0])
                extra = [f"--const-input={name}={path}"
                         for name, path in shape_inputs(data_dir)]
                result = subprocess.run(cmd + extra, capture_output=True,
                                        text=True, timeout=args.timeout)
            if result.returncode != 0:
                return "compile", first_line(result.stderr)
            result = subprocess.run(
                [args.ptxas, f"-arch={arch}", "-o", os.devnull, ptx],
                capture_output=True, text=True, timeout=args.timeout)
            if result.returncode != 0:
                return f"ptxas {arch}", first_line(result.stderr)
    return "pass", ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("compiler")
    parser.add_argument("ptxas")
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--timeout", type=int, default=120)
    parser.add_argument("--update-expected", action="store_true")
    args = parser.parse_args()

    tests = read_list(EXPECTED_PASS)
    expected_failures = set(read_list(EXPECTED_FAILURES))
    results = {}
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(run_test, args, t): t for t in tests}
        for future in concurrent.futures.as_completed(futures):
            test = futures[future]
            try:
                results[test] = future.result()
            except subprocess.TimeoutExpired:
                results[test] = ("timeout", f"over {args.timeout} s")

    by_reason = collections.defaultdict(list)
    for test, (status, detail) in sorted(results.items()):
        if status != "pass":
            by_reason[f"{status}: {detail}"].append(test)
    for reason, names in sorted(by_reason.items(), key=lambda x: -len(x[1])):
        print(f"{len(names):4d}  {reason}")
        print(f"      {' '.join(names[:8])}{' ...' if len(names) > 8 else ''}")
    failed = sorted(t for t, (s, _) in results.items() if s != "pass")
    passed = len(results) - len(failed)
    print(f"{passed} passed, {len(failed)} failed (of the {len(tests)} "
          f"tests that pass on the CPU; archs {', '.join(ARCHS)})")

    if args.update_expected:
        with open(EXPECTED_FAILURES, "w") as f:
            f.write("# ONNX node tests that pass on the CPU but do not yet "
                    "compile for CUDA\n# or whose PTX ptxas refuses "
                    "(cuda_ptx_conformance.py --update-expected).\n")
            for test in failed:
                f.write(test + "\n")
        print(f"wrote {len(failed)} names to {EXPECTED_FAILURES}")
        return 0
    new_failures = [t for t in failed if t not in expected_failures]
    fixed = sorted(expected_failures - set(failed))
    if fixed:
        print(f"now passing, remove from {os.path.basename(EXPECTED_FAILURES)}:"
              f" {' '.join(fixed)}")
    if new_failures:
        print(f"REGRESSION: {len(new_failures)} failing tests not in "
              f"{os.path.basename(EXPECTED_FAILURES)}: "
              f"{' '.join(new_failures)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
