#!/usr/bin/env python3
"""Runs the GEMM kernels autoglm-compile generates for the CUDA target (on
tensor cores and in shared-memory tiles) on a small SIMT emulator, to check
their tiling and fragment index math without a GPU.

The kernels are taken as generated: the IR after gpu-kernel-outlining
(`--mlir-print-ir-after-all`), printed in generic form by mlir-opt, is
interpreted op by op for every block of the grid, the 128 threads of a block
in lockstep (each SSA value is an array over the threads; scf.if masks them).
nvgpu.ldmatrix, nvgpu.device_async_copy and nvvm.mma.sync m16n8k16 are
emulated from the PTX ISA's definitions (ldmatrix's row addresses and
per-thread fragments; the mma.m16n8k16 A/B/C fragment layouts), which the
generator's comments also follow, so the check is of the generated index math
against the ISA, not of the generator against itself.

Checks, for each kernel with shared-memory tiles (memref.get_global):
  * C equals C_init + A @ B exactly (small integer inputs: every product and
    sum is exact in bf16/f16/f32), i.e. every (m, n, k) product is
    accumulated exactly once and nothing else is;
  * every element of C is stored exactly once (none twice, none missed);
  * no read of shared memory that no thread wrote (NaN-filled), no access out
    of any buffer's bounds, ldmatrix / cp.async addresses 16-byte aligned;
  * no shared-memory race between threads without a gpu.barrier between
    them (read after write, write after read, write after write); a
    cp.async's destination counts as written from its issue to the
    cp.async.wait_group that completes it (groups modelled), and no copy is
    in flight when the kernel ends.
Not checked: the hardware itself, LLVM's NVPTX back end and ptxas (the PTX is
checked by FileCheck and assembled by ptxas in the lit tests).

Usage: emulate_tensor_core_kernels.py AUTOGLM_COMPILE MLIR_OPT INPUT
  [compile options...]. Prints one line per GEMM kernel; exits 1 on the
  first failure.
"""

import os
import re
import subprocess
import sys

import numpy as np

T = 128  # threads per block: the kernel's known block size, set per kernel


class Failure(Exception):
    pass


# ---------------------------------------------------------------- parsing --
# The generic-form reader is shared with the whole-dispatch emulator
# (test/e2e/cuda_emulated_conformance.py).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                *[os.pardir] * 4, 'e2e'))
from mlir_generic import Op, parse_module, split_top, walk  # noqa: E402


# -------------------------------------------------------------- emulation --

def dtype_of(type_text):
    t = type_text.strip()
    for name in ('bf16', 'f16', 'f32', 'f64'):
        if t.endswith(name) or t.endswith(name + '>'):
            return name
    return 'int'


def round_to(values, kind):
    values = np.asarray(values, dtype=np.float64)
    if kind == 'f32':
        return values.astype(np.float32).astype(np.float64)
    if kind == 'f16':
        return values.astype(np.float16).astype(np.float64)
    if kind == 'bf16':  # round to nearest even on the f32 bits
        f = values.astype(np.float32)
        bits = f.view(np.uint32).astype(np.uint64)
        bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
        return bits.astype(np.uint32).view(np.float32).astype(np.float64)
    return values


class Shared:
    """A shared-memory buffer with race tracking."""

    def __init__(self, shape):
        self.data = np.full(shape, np.nan)
        self.writer = np.full(shape, -1)
        self.wepoch = np.full(shape, -1)
        self.reader = np.full(shape, -1)
        self.repoch = np.full(shape, -1)
        self.inflight = np.zeros(shape, bool)  # a cp.async not waited for


class Block:
    def __init__(self, emu, block_id):
        self.emu, self.block_id = emu, block_id
        self.epoch = 0
        self.shared = {}
        self.uncommitted = []  # cp.async copies issued, not yet committed
        self.groups = []  # committed groups of copies, oldest first
        self.tid = np.arange(T)

    # memory ----------------------------------------------------------------
    def buffer(self, ref):
        return ref

    def check_bounds(self, shape, idx, what):
        for d, (i, n) in enumerate(zip(idx, shape)):
            if np.any(i < 0) or np.any(i >= n):
                raise Failure(f'{what}: index {d} out of bounds '
                              f'(max {int(np.max(i))}, size {n})')

    def read(self, ref, idx, threads):
        """idx: tuple of index arrays (one entry per element read),
        threads: the reading thread of each."""
        if isinstance(ref, Shared):
            self.check_bounds(ref.data.shape, idx, 'shared read')
            if np.any(ref.inflight[idx]):
                raise Failure('read of shared memory a cp.async may still '
                              'be writing')
            same = ref.wepoch[idx] == self.epoch
            if np.any(same & (ref.writer[idx] != threads)):
                raise Failure('shared memory read after another thread\'s '
                              'write without a barrier')
            values = ref.data[idx]
            if np.any(np.isnan(values)):
                raise Failure('read of shared memory no thread wrote')
            mine = ref.repoch[idx] == self.epoch
            other = mine & (ref.reader[idx] != threads)
            ref.reader[idx] = np.where(other, -2, threads)
            ref.repoch[idx] = self.epoch
            return values
        self.check_bounds(ref.shape, idx, 'global read')
        return ref[idx]

    def write(self, ref, idx, values, threads):
        if isinstance(ref, Shared):
            self.check_bounds(ref.data.shape, idx, 'shared write')
            if np.any((ref.repoch[idx] == self.epoch) &
                      (ref.reader[idx] != threads)):
                raise Failure('shared memory write after another thread\'s '
                              'read without a barrier')
            if np.any((ref.wepoch[idx] == self.epoch) &
                      (ref.writer[idx] != threads)):
                raise Failure('two threads write one shared element '
                              'without a barrier')
            ref.data[idx] = values
            ref.writer[idx] = threads
            ref.wepoch[idx] = self.epoch
            return
        self.check_bounds(ref.shape, idx, 'global write')
        flat = np.ravel_multi_index(idx, ref.shape)
        if len(np.unique(flat)) != len(flat):
            raise Failure('two threads store one element of C at once')
        ref[idx] = values
        self.emu.writes[id(ref)][idx] += 1

    # execution -------------------------------------------------------------
    def run_region(self, blocks, args, env, mask):
        block_args, ops = blocks[0]
        for name, value in zip(block_args, args):
            env[name] = value
        for op in ops:
            if op.name in ('scf.yield', 'gpu.return'):
                return [env[o] for o in op.operands]
            self.run_op(op, env, mask)
        return []

    def run_op(self, op, env, mask):
        v = [env[o] for o in op.operands]
        n = op.name
        out = None
        full = bool(np.all(mask))
        if n == 'arith.constant':
            value = op.attr(r'value = ([^ :]+)')
            splat = re.match(r'dense<([^>]+)>', value)
            if splat:  # a splat vector<Nx...>
                shape = tuple(int(x) for x in re.match(
                    r'vector<([\dx]+)x', op.result_types()).group(1)
                    .split('x'))
                out = np.full((T,) + shape, float(splat.group(1)))
            elif value in ('true', 'false'):
                out = np.full(T, value == 'true')
            elif dtype_of(op.result_types()) == 'int':
                out = np.full(T, int(value), dtype=np.int64)
            else:
                out = np.full(T, float(value))
        elif n in ('arith.addi', 'arith.subi', 'arith.muli', 'arith.divui',
                   'arith.remui', 'arith.divsi', 'arith.remsi', 'arith.minui',
                   'arith.maxui', 'arith.minsi', 'arith.maxsi', 'arith.andi',
                   'arith.ori'):
            a, b = v
            out = {
                'arith.addi': lambda: a + b, 'arith.subi': lambda: a - b,
                'arith.muli': lambda: a * b,
                'arith.divui': lambda: a // np.where(b == 0, 1, b),
                'arith.remui': lambda: a % np.where(b == 0, 1, b),
                'arith.divsi': lambda: np.trunc(a / b).astype(np.int64),
                'arith.remsi': lambda: np.fmod(a, b).astype(np.int64),
                'arith.minui': lambda: np.minimum(a, b),
                'arith.maxui': lambda: np.maximum(a, b),
                'arith.minsi': lambda: np.minimum(a, b),
                'arith.maxsi': lambda: np.maximum(a, b),
                'arith.andi': lambda: a & b, 'arith.ori': lambda: a | b,
            }[n]()
            if n in ('arith.minui', 'arith.maxui', 'arith.divui',
                     'arith.remui') and (np.any(a < 0) or np.any(b < 0)):
                raise Failure(f'{n} on a negative index')
        elif n == 'arith.cmpi':
            a, b = v
            pred = int(op.attr(r'predicate = (\d+)'))
            out = [a == b, a != b, a < b, a <= b, a > b, a >= b,
                   a < b, a <= b, a > b, a >= b][pred]
        elif n == 'arith.select':
            c, a, b = v
            if a.ndim > 1:
                c = c.reshape((T,) + (1,) * (a.ndim - 1))
            out = np.where(c, a, b)
        elif n in ('arith.truncf', 'arith.extf'):
            out = round_to(v[0], dtype_of(op.result_types()))
        elif n in ('arith.addf', 'arith.mulf', 'arith.subf'):
            a, b = v
            out = round_to({'arith.addf': a + b, 'arith.mulf': a * b,
                            'arith.subf': a - b}[n],
                           dtype_of(op.result_types()))
        elif n == 'arith.index_cast':
            out = v[0]
        elif n in ('gpu.thread_id', 'gpu.block_id', 'gpu.block_dim',
                   'gpu.grid_dim'):
            d = 'xyz'.index(op.attr(r'dim ([xyz])'))
            out = np.full(T, {
                'gpu.thread_id': None,
                'gpu.block_id': self.block_id[d],
                'gpu.block_dim': (T, 1, 1)[d],
                'gpu.grid_dim': self.emu.grid[d]}[n], dtype=np.int64) \
                if n != 'gpu.thread_id' else (
                    self.tid.copy() if d == 0 else np.zeros(T, np.int64))
        elif n == 'memref.get_global':
            name = op.attr(r'name = @([\w]+)')
            if name not in self.shared:
                shape = self.emu.globals[name]
                self.shared[name] = Shared(shape)
            out = self.shared[name]
        elif n == 'memref.load':
            ref, idx = v[0], v[1:]
            active = np.nonzero(mask)[0]
            values = np.full(T, np.nan)
            values[active] = self.read(
                ref, tuple(i[active] for i in idx), active)
            out = values
        elif n == 'memref.store':
            value, ref, idx = v[0], v[1], v[2:]
            active = np.nonzero(mask)[0]
            self.write(ref, tuple(i[active] for i in idx), value[active],
                       active)
        elif n in ('vector.load', 'vector.store'):
            # one vector per thread along the innermost dimension
            store = n == 'vector.store'
            value, ref, idx = (v[0], v[1], v[2:]) if store else \
                (None, v[0], v[1:])
            width = (value.shape[1] if store else int(re.search(
                r'vector<(\d+)x', op.result_types()).group(1)))
            align = op.attr(r'alignment = (\d+)')
            data = ref.data if isinstance(ref, Shared) else ref
            elem = 4 if dtype_of(op.rest.split('memref<')[1].split(',')[0]
                                 .split('>')[0]) == 'f32' else 2
            if align is None or (data.shape[-1] * elem) % int(align):
                raise Failure(f'{n} without a usable alignment')
            if np.any((idx[-1] * elem) % int(align)):
                raise Failure(f'{n} address not {align}-byte aligned')
            active = np.nonzero(mask)[0]
            lanes = np.repeat(active, width)
            full_idx = tuple(np.repeat(i[active], width) for i in idx[:-1]) \
                + ((idx[-1][active][:, None] + np.arange(width)).ravel(),)
            if store:
                self.write(ref, full_idx, value[active].ravel(), lanes)
            else:
                values = np.full((T, width), np.nan)
                values[active] = self.read(ref, full_idx, lanes) \
                    .reshape(-1, width)
                out = values
        elif n == 'nvgpu.device_async_copy':
            if not full:
                raise Failure('cp.async under a mask')
            seg = [int(x) for x in
                   op.attr(r'operandSegmentSizes = array<i32: ([\d, ]+)>')
                   .split(',')]
            pos = 0
            parts = []
            for size in seg:
                parts.append(v[pos:pos + size])
                pos += size
            dst, dst_idx, src, src_idx, src_elems = parts
            count = int(op.attr(r'dstElements = (\d+)'))
            n_src = src_elems[0] if src_elems else np.full(T, count)
            copy = (dst[0], dst_idx, src[0], src_idx, count, n_src)
            self.start_copy(*copy)
            self.uncommitted.append(copy)
            out = np.zeros(T)
        elif n == 'nvgpu.device_async_create_group':
            self.groups.append(self.uncommitted)
            self.uncommitted = []
            out = np.zeros(T)
        elif n == 'nvgpu.device_async_wait':
            # cp.async.wait_group N: all but the N most recent groups done.
            keep = int(op.attr(r'numGroups = (\d+)') or 0)
            done = self.groups[:len(self.groups) - keep] if keep else \
                self.groups
            self.groups = self.groups[len(done):]
            for group in done:
                for copy in group:
                    self.apply_copy(*copy)
        elif n == 'gpu.barrier':
            if not full:
                raise Failure('barrier under a mask')
            self.epoch += 1
        elif n == 'nvgpu.ldmatrix':
            if not full:
                raise Failure('ldmatrix under a mask')
            out = self.ldmatrix(v[0], v[1:], op)
        elif n == 'vector.extract':
            pos = [int(x) for x in
                   op.attr(r'static_position = array<i64: ([\d, ]+)>')
                   .split(',')]
            out = v[0]
            for p in pos:
                out = out[:, p]
        elif n == 'llvm.bitcast':
            out = v[0]  # two 16-bit values as one i32: kept as the pair
        elif n == 'nvvm.mma.sync':
            if not full:
                raise Failure('mma.sync under a mask')
            if 'm = 16, n = 8, k = 16' not in op.rest or \
                    'layoutA = #nvvm.mma_layout<row>' not in op.rest or \
                    'layoutB = #nvvm.mma_layout<col>' not in op.rest:
                raise Failure('unexpected mma shape or layout')
            out = self.mma(v[0:4], v[4:6], v[6:10])
        elif n == 'llvm.extractvalue':
            p = int(op.attr(r'position = array<i64: (\d+)>'))
            out = v[0][:, p]
        elif n == 'scf.for':
            lb, ub, step = v[0], v[1], v[2]
            for x in (lb, ub, step):
                if not np.all(x == x[0]):
                    raise Failure('scf.for with non-uniform bounds')
            carried = v[3:]
            for i in range(int(lb[0]), int(ub[0]), int(step[0])):
                carried = self.run_region(
                    op.regions[0], [np.full(T, i, np.int64)] + carried,
                    env, mask)
            for r, value in zip(op.results, carried):
                env[r] = value
            return
        elif n == 'scf.if':
            cond = v[0].astype(bool)
            then = self.run_region(op.regions[0], [], env, mask & cond)
            other = (self.run_region(op.regions[1], [], env, mask & ~cond)
                     if len(op.regions) > 1 and op.regions[1][0][1] else [])
            for r, a, b in zip(op.results, then, other):
                env[r] = np.where(cond, a, b)
            return
        else:
            raise Failure(f'op {n} is not emulated')
        if op.results:
            env[op.results[0]] = out

    @staticmethod
    def copy_destination(dst_idx, t, count):
        lead = [np.full(count, int(i[t])) for i in dst_idx[:-1]]
        return tuple(lead) + (int(dst_idx[-1][t]) + np.arange(count),)

    def start_copy(self, dst, dst_idx, src, src_idx, count, n_src):
        """At issue: the destination must be free (no other thread read it
        since the last barrier, no copy in flight to it); it is in flight
        until a wait completes the copy."""
        for t in range(T):
            if int(dst_idx[-1][t]) % 8 or (dst.data.shape[-1] * 2) % 16:
                raise Failure('cp.async destination not 16-byte aligned')
            d = self.copy_destination(dst_idx, t, count)
            self.check_bounds(dst.data.shape, d, 'cp.async destination')
            if np.any(dst.inflight[d]):
                raise Failure('two cp.async in flight to one element')
            if np.any((dst.repoch[d] == self.epoch) &
                      (dst.reader[d] != t)):
                raise Failure('cp.async into shared memory another thread '
                              'read without a barrier since')
            dst.inflight[d] = True

    def apply_copy(self, dst, dst_idx, src, src_idx, count, n_src):
        for t in range(T):
            sidx = [int(i[t]) for i in src_idx]
            if (sidx[-1] * 2) % 16 or (src.shape[-1] * 2) % 16:
                raise Failure('cp.async source not 16-byte aligned')
            k = int(n_src[t])
            values = np.zeros(count)
            if k:
                s = tuple(np.array([sidx[:-1] + [sidx[-1] + e]
                                    for e in range(k)]).T)
                values[:k] = self.read(src, s, np.full(k, t))
            d = self.copy_destination(dst_idx, t, count)
            dst.inflight[d] = False
            self.write(dst, d, values, np.full(count, t))

    def ldmatrix(self, smem, indices, op):
        lead, rows, cols = indices[:-2], indices[-2], indices[-1]
        if int(op.attr(r'numTiles = (\d+)')) != 4:
            raise Failure('ldmatrix with numTiles != 4')
        trans = op.attr(r'transpose = (\w+)') == 'true'
        out = np.zeros((T, 4, 2))
        for warp in range(T // 32):
            lanes = np.arange(32) + 32 * warp
            for lane in lanes:
                if int(cols[lane]) % 8 or (smem.data.shape[1] * 2) % 16:
                    raise Failure('ldmatrix row address not 16-byte aligned')
            # matrix j: rows from lanes 8j..8j+7, 8 elements each
            mats = []
            for j in range(4):
                src = lanes[8 * j:8 * j + 8]
                r = np.repeat(rows[src], 8)
                c = (cols[src][:, None] + np.arange(8)).ravel()
                at = tuple(np.repeat(i[src], 8) for i in lead) + (r, c)
                mats.append(self.read(smem, at, np.repeat(src, 8))
                            .reshape(8, 8))
            for lane in range(32):
                g, t = lane // 4, lane % 4
                for j in range(4):
                    m = mats[j]
                    out[32 * warp + lane, j] = (
                        m[2 * t:2 * t + 2, g] if trans else
                        m[g, 2 * t:2 * t + 2])
        return out

    def mma(self, a_regs, b_regs, c):
        d = [np.zeros(T) for _ in range(4)]
        for warp in range(T // 32):
            A = np.full((16, 16), np.nan)
            B = np.full((16, 8), np.nan)
            C = np.full((16, 8), np.nan)
            for lane in range(32):
                x = 32 * warp + lane
                g, t = lane // 4, lane % 4
                # PTX ISA, mma.m16n8k16 .bf16/.f16 fragments:
                # a_i: row g (+8 for a2,a3,a6,a7), col 2t + (i & 1) (+8 for
                # a4..a7); registers hold (a0,a1) (a2,a3) (a4,a5) (a6,a7).
                for i in range(8):
                    row = g + (8 if i in (2, 3, 6, 7) else 0)
                    col = 2 * t + (i & 1) + (8 if i >= 4 else 0)
                    A[row, col] = a_regs[i // 2][x][i % 2]
                # b_i: row (k) 2t + (i & 1) (+8 for b2,b3), col g.
                for i in range(4):
                    B[2 * t + (i & 1) + (8 if i >= 2 else 0), g] = \
                        b_regs[i // 2][x][i % 2]
                # c_i: row g (+8 for c2,c3), col 2t + (i & 1).
                for i in range(4):
                    C[g + (8 if i >= 2 else 0), 2 * t + (i & 1)] = c[i][x]
            D = round_to(A @ B + C, 'f32')
            if np.any(np.isnan(D)):
                raise Failure('mma.sync fragment element undefined')
            for lane in range(32):
                x = 32 * warp + lane
                g, t = lane // 4, lane % 4
                for i in range(4):
                    d[i][x] = D[g + (8 if i >= 2 else 0), 2 * t + (i & 1)]
        return np.stack(d, axis=1)


class Emulator:
    def __init__(self, module_blocks):
        self.globals = {}
        for op in walk(module_blocks):
            if op.name == 'memref.global':
                name = op.attr(r'sym_name = "([\w]+)"')
                shape = op.attr(r'type = memref<([\dx]+)x(?:bf16|f16|f32)')
                self.globals[name] = tuple(int(s) for s in shape.split('x'))
        self.writes = {}


def memref_shape(type_text):
    m = re.match(r'memref<([\dx]+)x(\w+)>', type_text.strip())
    return tuple(int(s) for s in m.group(1).split('x')), m.group(2)


def run_kernel(module_blocks, func, seed):
    emu = Emulator(module_blocks)
    grid = [int(x) for x in
            func.attr(r'known_grid_size = array<i32: ([\d, ]+)>').split(',')]
    block = [int(x) for x in
             func.attr(r'known_block_size = array<i32: ([\d, ]+)>')
             .split(',')]
    global T
    if block[1:] != [1, 1] or block[0] % 32:
        raise Failure(f'block size {block}, expected a multiple of 32 x 1 x 1')
    T = block[0]
    emu.grid = grid
    sig = func.attr(r'function_type = \((.*?)\) -> \(\)')
    types = split_top(sig)
    rng = np.random.default_rng(seed)
    arrays = []
    for t in types:
        shape, elem = memref_shape(t)
        arrays.append((rng.integers(-3, 4, size=shape).astype(np.float64),
                       elem))
    # Which argument is C: the one the kernel stores to.
    args = func.regions[0][0][0]
    stored = {op.operands[1] for op in walk(func.regions[0])
              if op.name == 'memref.store'}
    c_index = [i for i, a in enumerate(args) if a in stored]
    if len(c_index) != 1:
        raise Failure('cannot tell C from the kernel arguments')
    c_index = c_index[0]
    others = [i for i in range(len(args)) if i != c_index]
    # A and B: A is the one whose last dim is the K of B's; both orders tried
    # against the result below.
    # A kernel that reads C accumulates into it (a bias broadcast into C
    # before the GEMM); one that does not starts from zero (a zero fill
    # folded into the accumulators).
    loads_c = any(op.name == 'memref.load' and op.operands[0] == args[c_index]
                  for op in walk(func.regions[0]))
    if not loads_c:
        arrays[c_index] = (np.full(arrays[c_index][0].shape, np.nan),
                           arrays[c_index][1])
    c_init = (arrays[c_index][0].copy() if loads_c else
              np.zeros(arrays[c_index][0].shape))
    ref = {i: arrays[i][0].copy() for i in range(len(arrays))}
    emu.writes[id(ref[c_index])] = np.zeros(c_init.shape, np.int64)
    for z in range(grid[2]):
        for y in range(grid[1]):
            for x in range(grid[0]):
                blk = Block(emu, (x, y, z))
                env = {}
                blk.run_region(func.regions[0], [ref[i] for i in
                                                 range(len(args))],
                               env, np.ones(T, bool))
                if blk.uncommitted or any(blk.groups):
                    raise Failure('cp.async copies in flight at the end')
    out = ref[c_index]
    writes = emu.writes[id(out)]
    if np.any(writes != 1):
        raise Failure(f'{int(np.sum(writes == 0))} elements of C never '
                      f'stored, {int(np.sum(writes > 1))} stored twice')
    a_i, b_i = others
    a, b = arrays[a_i][0], arrays[b_i][0]
    expected = None
    for (x, y) in ((a, b), (b, a)):
        for yt in (y, np.swapaxes(y, -1, -2)):
            try:
                product = np.matmul(x, yt)
            except ValueError:
                continue
            if product.shape == c_init.shape:
                candidate = c_init + product
                if np.array_equal(candidate, out):
                    return c_init.shape
                expected = candidate
    if expected is None:
        raise Failure('no operand order gives C\'s shape')
    bad = np.argwhere(expected != out)
    raise Failure(f'{len(bad)} elements of C differ from C + A @ B, '
                  f'first at {tuple(bad[0])}: {out[tuple(bad[0])]} vs '
                  f'{expected[tuple(bad[0])]}')


def main():
    compiler, mlir_opt, source = sys.argv[1:4]
    extra = sys.argv[4:]
    dump = subprocess.run(
        [compiler, source, '--target=cuda', '--emit=ptx', '-o', '/dev/null',
         '--mlir-print-ir-after-all'] + extra,
        capture_output=True, text=True)
    if dump.returncode:
        sys.exit(dump.stderr[-2000:])
    sections = re.split(r'// -----// IR Dump (?:After|Before) .*\n',
                        dump.stderr)
    headers = re.findall(r'// -----// IR Dump (After|Before) (\S+)',
                         dump.stderr)
    checked = 0
    for (when, name), text in zip(headers, sections[1:]):
        if when != 'After' or name != 'GpuKernelOutliningPass' or \
                'memref.get_global' not in text:
            continue
        generic = subprocess.run(
            [mlir_opt, '--mlir-print-op-generic', '-'], input=text,
            capture_output=True, text=True)
        if generic.returncode:
            sys.exit(generic.stderr[-2000:])
        blocks = parse_module(generic.stdout)
        for module in walk(blocks):
            if module.name != 'gpu.module':
                continue
            # The PTX entry is named after its gpu.module.
            entry = module.attr(r'sym_name = "([\w]+)"')
            for op in walk(module.regions[0]):
                # The GEMM kernels: those with shared-memory tiles.
                if op.name != 'gpu.func' or not any(
                        o.name == 'memref.get_global' and
                        'address_space<workgroup>' in o.rest
                        for o in walk(op.regions[0])):
                    continue
                try:
                    shape = run_kernel(blocks, op, seed=checked)
                except Failure as e:
                    print(f'FAIL {entry}: {e}')
                    sys.exit(1)
                print(f'ok {entry}: C {"x".join(map(str, shape))} = '
                      f'C + A @ B, every element stored once, '
                      f'no shared-memory race')
                checked += 1
    if not checked:
        sys.exit('no GEMM kernel found')


if __name__ == '__main__':
    main()
