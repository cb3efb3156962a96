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

Standard library only: the .pb tensors are decoded by a small protobuf
reader and written as .npy files for autoglm-run.
"""
import argparse
import collections
import concurrent.futures
import os
import re
import struct
import subprocess
import sys
import tempfile

DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"
HERE = os.path.dirname(os.path.abspath(__file__))

# TensorProto data_type -> (numpy dtype string, struct format, byte size).
DTYPES = {1: ("<f4", "f", 4), 2: ("|u1", "B", 1), 3: ("|i1", "b", 1),
          4: ("<u2", "H", 2), 5: ("<i2", "h", 2), 6: ("<i4", "i", 4),
          7: ("<i8", "q", 8), 9: ("|b1", "?", 1), 10: ("<f2", "e", 2),
          11: ("<f8", "d", 8), 12: ("<u4", "I", 4), 13: ("<u8", "Q", 8)}
INTEGER_TYPES = {2, 3, 4, 5, 6, 7, 9, 12, 13}
SHAPE_INPUT_NAMES = {"scales", "sizes", "roi", "start", "limit", "delta",
                     "depth"}


def varint(data, pos):
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            return value, pos


def parse_tensor(data):
    """Fields of a serialized TensorProto: name, dtype, dims, raw bytes."""
    fields = collections.defaultdict(list)
    pos = 0
    while pos < len(data):
        key, pos = varint(data, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = varint(data, pos)
            fields[field].append(value)
        elif wire == 2:
            length, pos = varint(data, pos)
            fields[field].append(bytes(data[pos:pos + length]))
            pos += length
        elif wire == 1:
            fields[field].append(bytes(data[pos:pos + 8]))
            pos += 8
        elif wire == 5:
            fields[field].append(bytes(data[pos:pos + 4]))
            pos += 4
        else:
            raise ValueError("unsupported wire type")
    dims = []
    for entry in fields[1]:  # dims: packed or not
        if isinstance(entry, bytes):
            p = 0
            while p < len(entry):
                v, p = varint(entry, p)
                dims.append(v)
        else:
            dims.append(entry)
    dtype = fields[2][0] if fields[2] else 1
    name = fields[8][0].decode() if fields[8] else ""
    count = 1
    for d in dims:
        count *= d
    if dtype not in DTYPES:
        raise ValueError(f"data type {dtype}")
    npy, fmt, size = DTYPES[dtype]
    if fields[9]:
        raw = fields[9][0]
    else:
        raw = typed_field_bytes(fields, dtype, fmt, count)
    return name, dtype, dims, raw


def typed_field_bytes(fields, dtype, fmt, count):
    """Bytes of a tensor stored in float_data/int32_data/int64_data/..."""
    def packed(entries, reader):
        values = []
        for e in entries:
            if isinstance(e, bytes) and reader is not None:
                values.extend(reader(e))
            else:
                values.append(e)
        return values
    if dtype == 1:
        vals = packed(fields[4], lambda b: struct.unpack(f"<{len(b)//4}f", b))
        return struct.pack(f"<{len(vals)}f", *vals)
    if dtype == 11:
        vals = packed(fields[10], lambda b: struct.unpack(f"<{len(b)//8}d", b))
        return struct.pack(f"<{len(vals)}d", *vals)
    def varints(b):
        out, p = [], 0
        while p < len(b):
            v, p = varint(b, p)
            out.append(v)
        return out
    if dtype == 7:
        vals = [v - (1 << 64) if v >= 1 << 63 else v
                for v in packed(fields[7], varints)]
        return struct.pack(f"<{len(vals)}q", *vals)
    if dtype in (12, 13):
        vals = packed(fields[11], varints)
        return struct.pack(f"<{len(vals)}{fmt}", *vals)
    # int32_data holds every narrower type (and f16/bf16 bits) as varints;
    # keep the low bytes, two's complement.
    size = DTYPES[dtype][2]
    unsigned = {1: "B", 2: "H", 4: "I"}[size]
    mask = (1 << (8 * size)) - 1
    vals = [v & mask for v in packed(fields[5], varints)]
    return struct.pack(f"<{len(vals)}{unsigned}", *vals)


def write_npy(path, dtype, dims, raw):
    npy = DTYPES[dtype][0]
    shape = "(" + "".join(f"{d}, " for d in dims).rstrip(" ")
    if len(dims) == 1:
        shape = f"({dims[0]},)"
    elif len(dims) > 1:
        shape = "(" + ", ".join(str(d) for d in dims) + ")"
    else:
        shape = "()"
    header = f"{{'descr': '{npy}', 'fortran_order': False, 'shape': {shape}, }}"
    header += " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
        f.write(header.encode("latin1"))
        f.write(raw)


def run_test(args, test):
    test_dir = os.path.join(args.data, test)
    with tempfile.TemporaryDirectory(prefix="agm-conf-") as work:
        artifact = os.path.join(work, "model.agm")
        sets = sorted(d for d in os.listdir(test_dir)
                      if d.startswith("test_data_set_"))
        if not sets:
            return "skipped", "no test data"
        data_dir = os.path.join(test_dir, sets[0])
        compile_cmd = [args.compiler, os.path.join(test_dir, "model.onnx"),
                       "-o", artifact]
        result = subprocess.run(compile_cmd, capture_output=True, text=True,
                                timeout=args.timeout)
        if result.returncode != 0 and "must be known at " in result.stderr:
            for entry in sorted(os.listdir(data_dir)):
                if entry.startswith("input_"):
                    path = os.path.join(data_dir, entry)
                    name, dtype, _, _ = parse_tensor(open(path, "rb").read())
                    if dtype in INTEGER_TYPES or name in SHAPE_INPUT_NAMES:
                        compile_cmd.append(f"--const-input={name}={path}")
            result = subprocess.run(compile_cmd, capture_output=True,
                                    text=True, timeout=args.timeout)
        if result.returncode != 0:
            return "compile", first_error(result.stderr)
        bound = {c.split("=", 2)[1] for c in compile_cmd
                 if c.startswith("--const-input=")}
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
    args = parser.parse_args()

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
