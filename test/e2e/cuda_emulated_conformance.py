#!/usr/bin/env python3
"""ONNX node tests run through the CUDA target's generated code on a SIMT
emulator (no GPU): whole dispatches, the way the runtime's CUDA executor runs
them.

For each test in onnx_conformance_expected.txt (those that pass on the CPU)
the model is compiled with `autoglm-compile --target=cuda --emit=ptx
--mlir-print-ir-after-all`; from the dump it takes
  * the host function of each dispatch (after gpu-kernel-outlining:
    memref.alloc temporaries, views, gpu.launch_func in order with their grid
    and block sizes), and
  * each gpu.module as it is right before expand-strided-metadata, i.e. after
    the all-reduce lowering (lowerAllReduces): block reductions appear as the
    shuffles, barriers and workgroup memory that reach the PTX, not as
    gpu.all_reduce,
prints them in generic form with mlir-opt and runs them on simt_emulator.py.
Only models that are ONE dispatch whose arguments are exactly the model's
(unbound) inputs then its outputs are run (weights / constants live in
memref.globals and are read from the IR); the outputs are compared with the
test's expected outputs with the conformance tolerances (rtol 1e-3,
atol 1e-7; integers and booleans exactly; NaN where NaN is expected).

Prints one line per failing test and `N passed, M failed, K skipped`, with
the skip reasons counted. cuda_emulated_expected_failures.txt lists the
known failures: an unlisted failure fails the script, a listed test that
passes is reported (--update-expected rewrites the list).

Usage: cuda_emulated_conformance.py AUTOGLM_COMPILE MLIR_OPT [--jobs N]
  [--filter REGEX] [-v]
Needs numpy (as the lit GEMM emulation test does).
"""
import argparse
import collections
import concurrent.futures
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mlir_generic import memref_type, parse_module, split_top, walk  # noqa
from onnx_testdata import DTYPES, parse_tensor, shape_inputs  # noqa
import simt_emulator as se  # noqa

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = "/usr/share/libonnx-testdata/data/node"
EXPECTED = os.path.join(HERE, "onnx_conformance_expected.txt")
FAILURES = os.path.join(HERE, "cuda_emulated_expected_failures.txt")
# thread-op executions per test (one op on one thread is one unit); tests
# above it are skipped as too large to emulate
BUDGET = 3e8
ONNX_ELEM = {1: 'f32', 2: 'i8', 3: 'i8', 4: 'i16', 5: 'i16', 6: 'i32',
             7: 'i64', 9: 'i1', 10: 'f16', 11: 'f64', 12: 'i32', 13: 'i64'}

# ops whose use the summary reports (the block reductions' shuffles,
# barriers and workgroup memory; the tiled GEMM's vector loads)
COVERAGE = {'gpu.shuffle', 'gpu.barrier', 'memref.get_global',
            'vector.load', 'vector.store', 'cf.cond_br', 'func.call'}

HEADER = re.compile(r"^// -----// IR Dump (Before|After) (\S+) .*$",
                    re.M)


def sections(dump):
    """The module of each dispatch right after the all-reduce lowering: the
    first dump before expand-strided-metadata after each outlining (the
    whole module: the host function and every gpu.module, none lowered
    further yet; the nested pipeline runs one gpu.module at a time)."""
    found, waiting = [], False
    marks = list(HEADER.finditer(dump))
    for k, m in enumerate(marks):
        end = marks[k + 1].start() if k + 1 < len(marks) else len(dump)
        when, name = m.group(1), m.group(2)
        if when == 'After' and name == 'GpuKernelOutliningPass':
            waiting = True
        elif waiting and when == 'Before' and \
                name == 'ExpandStridedMetadataPass':
            found.append(dump[m.end():end])
            waiting = False
    return found


def to_generic(mlir_opt, texts):
    joined = "\n// -----\n".join(texts)
    r = subprocess.run([mlir_opt, "--mlir-print-op-generic",
                        "--split-input-file", "-"], input=joined,
                       capture_output=True, text=True, timeout=120)
    if r.returncode:
        raise se.Unsupported("mlir-opt: " + r.stderr.strip()[-300:])
    parts = r.stdout.split("\n// -----\n")
    if len(parts) != len(texts):
        raise se.Unsupported("mlir-opt output does not split")
    return [parse_module(inline_aliases(p)) for p in parts]


def inline_aliases(text):
    """Replaces attribute aliases (#map = affine_map<...>) by their value."""
    aliases = dict(re.findall(r'^(#[\w.]+) = (.*)$', text, re.M))
    if not aliases:
        return text
    pattern = re.compile('|'.join(re.escape(a) + r'(?![\w.])' for a in
                                  sorted(aliases, key=len, reverse=True)))
    body = re.sub(r'^#[\w.]+ = .*$', '', text, flags=re.M)
    return pattern.sub(lambda m: aliases[m.group(0)], body)


def load_tensor(path):
    name, dtype, dims, raw = parse_tensor(open(path, "rb").read())
    arr = np.frombuffer(raw, dtype=np.dtype(DTYPES[dtype][0])).reshape(dims)
    return name, dtype, arr


def run_dispatch(host_blocks, arrays, budget):
    """Runs the host function on `arrays` (its arguments, numpy, in place)."""
    host = [op for op in host_blocks[0][1][0].regions[0][0][1]
            if op.name == 'func.func' and
            any(o.name == 'gpu.launch_func' for o in walk(op.regions[0]))]
    if len(host) != 1:
        raise se.Unsupported(f'{len(host)} host functions')
    host = host[0]
    args, ops = host.regions[0][0]
    types = split_top(host.attr(r'function_type = \((.*?)\) -> ')
                      or '')
    if len(types) != len(arrays):
        raise se.Unsupported('argument count')
    mems = []
    for t, arr in zip(types, arrays):
        shape, elem, _ = memref_type(t)
        if int(np.prod(shape)) != arr.size:
            raise se.Unsupported(f'argument shape {t} vs {arr.shape}')
        flat = arr.reshape(-1)
        if flat.dtype.kind == 'u':  # signless integers: the signed view
            flat = flat.view(flat.dtype.str.replace('u', 'i'))
        mems.append(se.Mem(flat, shape, elem=elem,
                           name='argument'))
    # the kernels' functions and globals, by gpu.module
    modules = {}
    for mod in host_blocks[0][1][0].regions[0][0][1]:
        if mod.name == 'gpu.module':
            name = mod.attr(r'sym_name = "(\w+)"')
            modules[name] = se.Interpreter(mod.regions[0][0][1], budget)
    hostrun = se.Interpreter([], budget)
    hostrun.L = se.Launch((1, 1, 1), (1, 1, 1))
    hostrun.T = 1
    env = dict(zip(args, mems))
    mask = np.ones(1, bool)
    launches = 0
    left = budget
    for op in ops:
        if op.name == 'func.return':
            break
        if op.name != 'gpu.launch_func':
            out = hostrun.run_op(op, env, mask)
            if out is not None:
                outs = out if isinstance(out, list) else [out]
                for r, value in zip(op.results, outs):
                    env[r] = value
            continue
        seg = op.segments()
        v = [env[o] for o in op.operands]
        pos = seg[0]
        grid = [int(x[0]) for x in v[pos:pos + 3]]
        block = [int(x[0]) for x in v[pos + 3:pos + 6]]
        pos += 6 + sum(seg[7:11])
        kargs = v[pos:pos + seg[11]]
        mod, fname = re.search(r'kernel = @(\w+)::@(\w+)', op.rest).groups()
        if mod not in modules:
            raise se.Unsupported(f'kernel module {mod} not found')
        interp = modules[mod]
        funcs = [o for o in interp.funcs.values() if o.name == 'gpu.func']
        if len(funcs) != 1:
            raise se.Unsupported(f'{len(funcs)} kernels in {mod}')
        launch = se.Launch(grid, block)
        interp.budget = left
        interp.run_kernel(funcs[0], launch, kargs)
        left = interp.budget
        launches += 1
    return launches


def run_test(compiler, mlir_opt, data, test):
    test_dir = os.path.join(data, test)
    sets = sorted(d for d in os.listdir(test_dir)
                  if d.startswith("test_data_set_"))
    if not sets:
        return "skipped", "no test data"
    data_dir = os.path.join(test_dir, sets[0])
    cmd = [compiler, os.path.join(test_dir, "model.onnx"), "--target=cuda",
           "--emit=ptx", "-o", "/dev/null", "--mlir-print-ir-after-all"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    bound = set()
    if r.returncode and "must be known at " in r.stderr:
        for name, path in shape_inputs(data_dir):
            cmd.append(f"--const-input={name}={path}")
            bound.add(name)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if r.returncode:
        return "failed", "compile: " + r.stderr.strip()[-200:]
    hosts = sections(r.stderr)
    if len(hosts) == 0:
        return "skipped", "no dispatch"
    if len(hosts) > 1:
        return "skipped", "several dispatches"
    try:
        parsed = to_generic(mlir_opt, hosts)
    except se.Unsupported as e:
        return "skipped", f"emulator: {e}"
    except subprocess.TimeoutExpired:
        return "skipped", "emulator: mlir-opt timed out"
    inputs, outputs = [], []
    for data_set in sets:
        d = os.path.join(test_dir, data_set)
        ins, outs = [], []
        for entry in sorted(os.listdir(d)):
            try:
                name, dtype, arr = load_tensor(os.path.join(d, entry))
            except ValueError as e:
                return "skipped", f"test data: {e}"
            if entry.startswith("input_") and name not in bound:
                ins.append((dtype, arr))
            elif entry.startswith("output_"):
                outs.append((name, dtype, arr))
        inputs.append(ins)
        outputs.append(outs)
    for ins, outs in zip(inputs, outputs):
        arrays = []
        for dtype, arr in ins:
            a = np.array(arr, copy=True)
            if dtype == 9:
                a = a.astype(bool)
            arrays.append(a)
        results = []
        for name, dtype, arr in outs:
            fill = np.nan if arr.dtype.kind == 'f' else 0
            results.append(np.full(arr.shape, fill, dtype=arr.dtype))
        try:
            order = arg_order(parsed[0], ins, outs)
            every = arrays + results
            run_dispatch(parsed[0], [every[i] for i in order], BUDGET)
        except se.TooMuchWork:
            return "skipped", "too large to emulate"
        except se.Unsupported as e:
            return "skipped", f"emulator: {e}"
        except se.Failure as e:
            return "failed", f"kernel fault: {e}"
        for (name, dtype, want), got in zip(outs, results):
            bad = compare(got, want)
            if bad:
                return "failed", f"mismatch in {name}: {bad}"
    return "passed", ""


def arg_order(host_blocks, ins, outs):
    """For each dispatch argument, the index of the model input (then
    output) it is: in order where the types agree; else (operands in another
    order, inputs the dispatch does not read: CastLike's, Shape's) each
    operand is the one input of its element type and size."""
    host = [op for op in host_blocks[0][1][0].regions[0][0][1]
            if op.name == 'func.func' and
            any(o.name == 'gpu.launch_func' for o in walk(op.regions[0]))][0]
    types = split_top(host.attr(r'function_type = \((.*?)\) -> ') or '')
    want = [(ONNX_ELEM.get(d), a.size) for d, a in ins] + \
        [(ONNX_ELEM.get(d), a.size) for _, d, a in outs]
    have = []
    for t in types:
        shape, elem, _ = memref_type(t)
        have.append((elem, int(np.prod(shape))))
    if have == want:
        return list(range(len(want)))
    n_in, n_ops = len(ins), len(have) - len(outs)
    if n_ops < 0 or n_ops > n_in or have[n_ops:] != want[n_in:]:
        raise se.Unsupported('the dispatch arguments are not the model\'s '
                             'inputs and outputs')
    order = []
    for h in have[:n_ops]:
        match = [i for i, w in enumerate(want[:n_in]) if w == h]
        if len(match) != 1 or have[:n_ops].count(h) != 1:
            raise se.Unsupported('dispatch operands not in the model\'s '
                                 'input order')
        order.append(match[0])
    return order + list(range(n_in, len(want)))


def compare(got, want):
    if want.dtype.kind != 'f':
        if np.array_equal(got.astype(want.dtype), want):
            return ''
        bad = np.argwhere(got.astype(want.dtype) != want)
        i = tuple(bad[0])
        return f'{len(bad)} elements differ, first at {i}: {got[i]} vs ' \
            f'{want[i]}'
    g, w = got.astype(np.float64), want.astype(np.float64)
    nan_ok = np.isnan(g) == np.isnan(w)
    with np.errstate(all='ignore'):
        close = (np.abs(g - w) <= 1e-7 + 1e-3 * np.abs(w)) | (g == w)
    ok = (close | (np.isnan(g) & np.isnan(w))) & nan_ok
    if ok.all():
        return ''
    bad = np.argwhere(~ok)
    i = tuple(bad[0])
    return f'{len(bad)} of {ok.size} elements differ, first at {i}: ' \
        f'{g[i]} vs {w[i]}'


ONNXTXT_ELEM = {'float': ('f32', np.float32), 'int64': ('i64', np.int64),
                'int32': ('i32', np.int32), 'double': ('f64', np.float64),
                'bool': ('i1', np.bool_)}


def onnxtxt_signature(path):
    """[(name, numpy dtype, shape)] of the inputs and of the outputs of an
    ONNX text model's graph line `name (float[4, 8] x, ...) => (...)`."""
    text = open(path).read()
    m = re.search(r'^\w+ \((.*?)\) => \((.*?)\)', text, re.M)
    if not m:
        raise SystemExit(f'{path}: no graph signature line')

    def values(part):
        out = []
        for v in split_top(part):
            t = re.match(r'\s*(\w+)\[([\d, ]*)\] (\w+)', v)
            dims = tuple(int(d) for d in t.group(2).split(',') if d.strip())
            out.append((t.group(3), ONNXTXT_ELEM[t.group(1)][1], dims))
        return out
    return values(m.group(1)), values(m.group(2))


def run_model(args):
    """--model: one single-dispatch ONNX text model on random inputs, its
    CUDA dispatch emulated against the CPU build of the same model
    (autoglm-run) within --rtol / --atol. Prints the launches and which of
    the COVERAGE ops ran, for FileCheck."""
    ins, outs = onnxtxt_signature(args.model)
    rng = np.random.default_rng(args.seed)
    with tempfile.TemporaryDirectory(prefix="agm-emu-") as work:
        inputs = []
        run = [args.runner, os.path.join(work, "cpu.agm"), "--threads", "1",
               "--output-dir", work]
        for name, dtype, dims in ins:
            if dtype == np.bool_:
                a = rng.integers(0, 2, dims).astype(bool)
            elif np.issubdtype(dtype, np.integer):
                a = rng.integers(-5, 6, dims).astype(dtype)
            else:
                a = rng.uniform(-1, 1, dims).astype(dtype)
            path = os.path.join(work, f"in_{name}.npy")
            np.save(path, a)
            run.append(f"--input={name}={path}")
            inputs.append(a)
        r = subprocess.run([args.compiler, args.model, "-o",
                            os.path.join(work, "cpu.agm")] + args.flag,
                           capture_output=True, text=True)
        if r.returncode:
            raise SystemExit(r.stderr)
        r = subprocess.run(run, capture_output=True, text=True)
        if r.returncode:
            raise SystemExit(r.stderr)
        want = [np.load(os.path.join(work, f"{name}.npy"))
                for name, _, _ in outs]
    r = subprocess.run([args.compiler, args.model, "--target=cuda",
                        "--emit=ptx", "-o", "/dev/null",
                        "--mlir-print-ir-after-all"] + args.flag,
                       capture_output=True, text=True)
    if r.returncode:
        raise SystemExit(r.stderr)
    hosts = sections(r.stderr)
    if len(hosts) != 1:
        raise SystemExit(f'{len(hosts)} dispatches: only single-dispatch '
                         f'models are emulated')
    parsed = to_generic(args.mlir_opt, hosts)[0]
    got = [np.full(w.shape, np.nan if w.dtype.kind == 'f' else 0, w.dtype)
           for w in want]
    se.EXECUTED.clear()
    launches = run_dispatch(parsed, [a.copy() for a in inputs] + got,
                            BUDGET)
    name = os.path.basename(args.model)
    for (oname, _, _), g, w in zip(outs, got, want):
        with np.errstate(all='ignore'):
            err = np.abs(g.astype(np.float64) - w.astype(np.float64))
            ok = (err <= args.atol + args.rtol * np.abs(w)) | \
                (np.isnan(g) & np.isnan(w.astype(np.float64)))
        if not ok.all():
            i = tuple(np.argwhere(~ok)[0])
            print(f'FAIL {name}: output {oname}: {int((~ok).sum())} of '
                  f'{ok.size} elements differ from the CPU, first at {i}: '
                  f'{g[i]} vs {w[i]}')
            return 1
    used = ', '.join(sorted(se.EXECUTED & COVERAGE)) or 'none'
    print(f'ok {name}: {launches} launches match the CPU; ran: {used}')
    return 0


def read_list(path):
    if not os.path.exists(path):
        return []
    return [l.split('#')[0].strip() for l in open(path)
            if l.split('#')[0].strip()]


def worker(item):
    compiler, mlir_opt, data, test = item
    start = time.time()
    se.EXECUTED.clear()
    try:
        status, why = run_test(compiler, mlir_opt, data, test)
    except Exception as e:  # an emulator bug: reported, not hidden
        status, why = "failed", f"emulator error: {type(e).__name__}: {e}"
    used = sorted(se.EXECUTED & COVERAGE) if status == "passed" else []
    return test, status, why, time.time() - start, used


def main():
    p = argparse.ArgumentParser()
    p.add_argument("compiler")
    p.add_argument("mlir_opt")
    p.add_argument("--data", default=DEFAULT_DATA)
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--filter")
    p.add_argument("--update-expected", action="store_true")
    p.add_argument("-v", "--verbose", action="store_true")
    p.add_argument("--model", help="run this single-dispatch ONNX text "
                   "model on random inputs against the CPU (needs --runner)")
    p.add_argument("--runner", help="autoglm-run, for --model")
    p.add_argument("--flag", action="append", default=[],
                   help="extra autoglm-compile flag, for --model")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--rtol", type=float, default=1e-3)
    p.add_argument("--atol", type=float, default=1e-5)
    args = p.parse_args()
    if args.model:
        return run_model(args)
    if not os.path.isdir(args.data):
        print(f"skipped: no ONNX test data at {args.data}")
        return 0
    tests = read_list(EXPECTED)
    if args.filter:
        tests = [t for t in tests if re.search(args.filter, t)]
    known = set(read_list(FAILURES))
    counts = collections.Counter()
    skips = collections.Counter()
    failed, slow = [], []
    covered = collections.defaultdict(list)
    items = [(args.compiler, args.mlir_opt, args.data, t) for t in tests]
    with concurrent.futures.ProcessPoolExecutor(args.jobs) as pool:
        for test, status, why, secs, used in pool.map(worker, items):
            counts[status] += 1
            for name in used:
                covered[name].append(test)
            slow.append((secs, test))
            if status == "skipped":
                skips[why] += 1
            elif status == "failed":
                failed.append(test)
                print(f"FAIL {test}: {why}" +
                      (" (expected)" if test in known else ""))
            if args.verbose:
                print(f"{status} {test} ({secs:.2f}s) {why}")
    print(f"{counts['passed']} passed, {counts['failed']} failed, "
          f"{counts['skipped']} skipped")
    for why, n in skips.most_common():
        print(f"  skipped {n}: {why}")
    for name in sorted(covered):
        tests_ = covered[name]
        print(f"  {name} ran in {len(tests_)} passing tests "
              f"(e.g. {', '.join(tests_[:3])})")
    slow.sort(reverse=True)
    print("slowest: " + ", ".join(f"{t} {s:.1f}s" for s, t in slow[:5]))
    if args.update_expected:
        with open(FAILURES, "w") as f:
            f.write("# ONNX node tests whose CUDA dispatch fails on the SIMT "
                    "emulator\n# (cuda_emulated_conformance.py "
                    "--update-expected rewrites this list).\n")
            for t in sorted(failed):
                f.write(t + "\n")
        return 0
    unexpected = [t for t in failed if t not in known]
    fixed = [t for t in known if t in tests and t not in failed]
    for t in fixed:
        print(f"now passes (remove from the expected failures): {t}")
    if unexpected:
        print(f"{len(unexpected)} unexpected failures")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
