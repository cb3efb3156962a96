#!/usr/bin/env python3
"""The ONNX conformance tests that pass on the CPU, compiled for CUDA.

For every test in onnx_conformance_expected.txt (the node tests that compile,
run and match on the CPU) this compiles the model into a CUDA artifact with
`autoglm-compile --target=cuda --gpu-arch=sm_80,sm_90 --ptxas=PTXAS`, which
assembles each arch's PTX with ptxas into a cubin, and checks that the
artifact holds PTX and a cubin for both archs (issue 7: "every conformance
test that passes on the CPU also compiles for cuda, and its PTX assembles
with ptxas"). No GPU is needed. It prints `N passed, M failed`
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
import struct
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


def cuda_images(path):
    """(arch, format) of each image in an artifact's CODE_CUDA section
    (artifact_format.h: section table after the 64-byte header; the section
    starts with agm_cuda_code, then agm_cuda_image records)."""
    with open(path, "rb") as f:
        data = f.read()
    count, table = struct.unpack_from("<I", data, 12)[0], 64
    for i in range(count):
        kind, _, offset, _, _ = struct.unpack_from("<IIQQQ", data,
                                                   table + 32 * i)
        if kind == 6:
            images = struct.unpack_from("<I", data, offset)[0]
            return sorted(struct.unpack_from("<II", data, offset + 8 + 24 * j)
                          for j in range(images))
    return []


def run_test(args, test):
    test_dir = os.path.join(args.data, test)
    with tempfile.TemporaryDirectory(prefix="agm-ptx-") as work:
        sets = sorted(d for d in os.listdir(test_dir)
                      if d.startswith("test_data_set_"))
        artifact = os.path.join(work, "model.agm")
        # One compile for both archs: PTX for each, assembled by ptxas into
        # a cubin each, and the plan's launches.
        cmd = [args.compiler, os.path.join(test_dir, "model.onnx"),
               "--target=cuda", "--gpu-arch=" + ",".join(ARCHS),
               "--ptxas=" + args.ptxas, "-o", artifact]
        result = subprocess.run(cmd, capture_output=True, text=True,
                                timeout=args.timeout)
        if (result.returncode != 0 and "must be known at " in result.stderr
                and sets):
            data_dir = os.path.join(test_dir, sets[0])
            cmd += [f"--const-input={name}={path}"
                    for name, path in shape_inputs(data_dir)]
            result = subprocess.run(cmd, capture_output=True, text=True,
                                    timeout=args.timeout)
        if result.returncode != 0:
            kind = "ptxas" if "ptxas (" in result.stderr else "compile"
            return kind, first_line(result.stderr)
        want = sorted((int(a[3:]), f) for a in ARCHS for f in (0, 1))
        if cuda_images(artifact) != want:
            return "artifact", f"CUDA images {cuda_images(artifact)}, " \
                               f"expected {want} ((arch, 0 PTX / 1 cubin))"
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
