"""A SIMT emulator of the CUDA target's kernels and dispatches, on the IR
after gpu-kernel-outlining (the host function) and after the all-reduce
lowering (each gpu.module, as `--mlir-print-ir-after-all` shows it right
before expand-strided-metadata), read in MLIR's generic form.

Every thread of every block of a launch runs in lockstep: an SSA value is a
numpy array over all grid * block threads (vectors: one more axis), scf.if /
scf.for / scf.while mask threads, unstructured control flow (cf.br /
cf.cond_br, from the all-reduce lowering and math helper functions) runs by
minimum-block-index scheduling (threads reconverge at the join block), and
each op is executed once per step for all active threads.

Memory: every memref is a view (flat buffer, element offset, shape, strides)
of a numpy buffer; loads and stores check each index against the view's
shape. Workgroup memory (memref.global in address space 3) has one copy per
block; a read of an element another thread of the block wrote since the last
gpu.barrier, or a write over one another thread read or wrote, is a race.
gpu.barrier in divergent code (some threads of a block not there), a
gpu.shuffle from an inactive lane, and reads of workgroup memory or
temporaries nobody wrote (NaN-filled) fail.
"""

import math
import re

import numpy as np

from mlir_generic import memref_type, split_top, walk


# names of the ops executed (coverage reporting)
EXECUTED = set()


class Failure(Exception):
    """The kernel did something wrong (or the emulator cannot tell)."""


class Unsupported(Exception):
    """An op or form the emulator does not model."""


class TooMuchWork(Exception):
    pass


# ------------------------------------------------------------------ types --

NP = {'f16': np.float16, 'bf16': np.float32, 'f32': np.float32,
      'f64': np.float64, 'i1': np.bool_, 'i8': np.int8, 'i16': np.int16,
      'i32': np.int32, 'i64': np.int64, 'index': np.int64}
UNSIGNED = {np.dtype(np.int8): np.uint8, np.dtype(np.int16): np.uint16,
            np.dtype(np.int32): np.uint32, np.dtype(np.int64): np.uint64,
            np.dtype(np.bool_): np.bool_}


def scalar_type(t):
    t = t.strip()
    m = re.match(r'vector<(?:\d+x)*(\w+)>', t)
    if m:
        t = m.group(1)
    if t not in NP:
        raise Unsupported(f'type {t}')
    return t


def vector_shape(t):
    m = re.match(r'vector<((?:\d+x)+)\w+>', t.strip())
    return tuple(int(d) for d in m.group(1).split('x') if d) if m else ()


def round_bf16(values):
    f = np.asarray(values, dtype=np.float32)
    bits = f.view(np.uint32).astype(np.uint64)
    nan = np.isnan(f)
    bits = (bits + 0x7FFF + ((bits >> 16) & 1)) & 0xFFFF0000
    out = bits.astype(np.uint32).view(np.float32)
    return np.where(nan, f, out)


def cast_to(values, t):
    """Values as MLIR type `t` (rounded: bf16 is kept in f32 storage)."""
    if t == 'bf16':
        return round_bf16(values)
    return np.asarray(values).astype(NP[t])


def parse_scalar(text, t):
    """An attribute value of type t: ints, floats, true/false, hex bits."""
    text = text.strip()
    if text in ('true', 'false'):
        return text == 'true'
    if text.startswith('0x') or text.startswith('-0x'):
        bits = int(text, 16)
        if t in ('f32',):
            return np.array([bits], np.uint32).view(np.float32)[0]
        if t == 'f64':
            return np.array([bits], np.uint64).view(np.float64)[0]
        if t == 'f16':
            return np.array([bits], np.uint16).view(np.float16)[0]
        if t == 'bf16':
            return np.array([bits << 16], np.uint32).view(np.float32)[0]
        return bits
    if t.startswith('f') or t == 'bf16':
        return float(text)
    return int(text)


def parse_dense(text, t, shape):
    """`dense<...>` contents (a splat, a nested list or hex bytes)."""
    text = text.strip()
    count = int(np.prod(shape)) if shape else 1
    if text.startswith('"0x'):
        raw = bytes.fromhex(text[3:-1])
        dt = {'f32': '<f4', 'f64': '<f8', 'f16': '<f2', 'i8': 'i1',
              'i16': '<i2', 'i32': '<i4', 'i64': '<i8', 'index': '<i8',
              'i1': 'u1', 'bf16': '<u2'}[t]
        arr = np.frombuffer(raw, dtype=dt)
        if t == 'bf16':
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        if t == 'i1':
            arr = arr.astype(bool)
        if arr.size == 1 and count > 1:
            arr = np.full(count, arr[0])
        return cast_to(arr, t).reshape(shape)
    flat = text.replace('[', ' ').replace(']', ' ').replace('(', ' ') \
        .replace(')', ' ')
    vals = [parse_scalar(v, t) for v in flat.split(',') if v.strip()]
    if len(vals) == 1 and count > 1:
        vals = vals * count
    return cast_to(np.array(vals), t).reshape(shape)


# ----------------------------------------------------------------- memory --

class Mem:
    """A view of a buffer: data (flat numpy array, one copy per block for
    workgroup memory, or per thread for memref.alloca), offset (an int or an
    array over threads), shape, strides."""

    def __init__(self, data, shape, strides=None, offset=0, space=None,
                 per=0, elem='f32', tracker=None, name=''):
        self.data, self.shape, self.offset = data, tuple(shape), offset
        if strides is None:
            strides, s = [], 1
            for d in reversed(self.shape):
                strides.insert(0, s)
                s *= d
        self.strides = tuple(strides)
        self.space, self.per, self.elem = space, per, elem
        self.tracker, self.name = tracker, name

    def view(self, shape, strides, offset):
        return Mem(self.data, shape, strides, offset, self.space, self.per,
                   self.elem, self.tracker, self.name)


class Tracker:
    """Race bookkeeping of one workgroup buffer (all blocks' copies)."""

    def __init__(self, size):
        self.writer = np.full(size, -1, np.int64)
        self.wepoch = np.full(size, -1, np.int64)
        self.reader = np.full(size, -1, np.int64)
        self.repoch = np.full(size, -1, np.int64)
        self.wwarp = np.full(size, -1, np.int64)
        self.wsync = np.full(size, -1, np.int64)
        self.rwarp = np.full(size, -1, np.int64)
        self.rsync = np.full(size, -1, np.int64)


# ---------------------------------------------------------------- threads --

class Launch:
    """One kernel launch: all threads of all blocks."""

    def __init__(self, grid, block):
        self.grid, self.block = grid, block
        nb = grid[0] * grid[1] * grid[2]
        bs = block[0] * block[1] * block[2]
        self.T, self.nblocks, self.bs = nb * bs, nb, bs
        t = np.arange(self.T, dtype=np.int64)
        self.blk = t // bs
        local = t % bs
        self.local = local
        self.tid = (local % block[0], local // block[0] % block[1],
                    local // (block[0] * block[1]))
        self.bid = (self.blk % grid[0], self.blk // grid[0] % grid[1],
                    self.blk // (grid[0] * grid[1]))
        self.lane = local % 32
        self.epoch = np.zeros(nb, np.int64)
        warps = -(-bs // 32)
        self.warp = self.blk * warps + local // 32
        self.wsync = np.zeros(nb * warps, np.int64)  # shuffles per warp


class Interpreter:
    """Runs regions of ops for a Launch."""

    def __init__(self, module_ops, budget):
        self.funcs = {}
        self.globals = {}
        for op in module_ops:
            if op.name in ('func.func', 'gpu.func'):
                self.funcs[op.attr(r'sym_name = "(\w+)"')] = op
            elif op.name == 'memref.global':
                self.globals[op.attr(r'sym_name = "(\w+)"')] = op
        self.budget = budget  # thread-op executions left
        self.shared = {}
        self.global_data = {}

    # ---------------------------------------------------------------- run --
    def charge(self, n):
        self.budget -= n
        if self.budget < 0:
            raise TooMuchWork()

    def run_kernel(self, func, launch, args):
        self.L = launch
        self.T = launch.T
        self.shared = {}
        env = {}
        mask = np.ones(self.T, bool)
        # workgroup attributions: entry block arguments past the kernel's
        region = func.regions[0]
        types = region.arg_types.get(0, [])
        args = list(args)
        for k in range(len(args), len(region[0][0])):
            args.append(self.workgroup_buffer(f'workgroup #{k}', types[k]))
        self.run_region(region, args, env, mask)

    def workgroup_buffer(self, name, type_text):
        shape, elem, space = memref_type(type_text)
        if space != 'workgroup':
            raise Unsupported(f'kernel argument {type_text} not given')
        size = int(np.prod(shape)) if shape else 1
        nb = self.L.nblocks
        data = np.full(size * nb, np.nan if elem[0] in 'fb' else 0,
                       dtype=NP[elem])
        return Mem(data, shape, offset=self.L.blk * size, space='workgroup',
                   per=size, elem=elem, tracker=Tracker(size * nb),
                   name=name)

    def run_region(self, region, args, env, mask):
        """Runs a region for the threads in mask; returns the values its
        terminator yields (merged over threads)."""
        if len(region) == 1:
            block_args, ops = region[0]
            for name, value in zip(block_args, args):
                env[name] = value
            return self.run_ops(ops, env, mask, merge=False)
        return self.run_cfg(region, args, env, mask)

    def run_cfg(self, region, args, env, mask):
        T = self.T
        pc = np.where(mask, 0, -1)
        for name, value in zip(region[0][0], args):
            env[name] = value
        results = None
        steps = 0
        while True:
            pending = pc >= 0
            if not pending.any():
                return results or []
            b = int(pc[pending].min())
            sub = pending & (pc == b)
            steps += 1
            block_args, ops = region[b]
            term = ops[-1]
            self.run_ops(ops[:-1], env, sub, merge=True)
            n = term.name
            v = [env[o] for o in term.operands]
            if n in ('cf.br', 'llvm.br'):
                target = region.labels[term.successors[0]]
                self.set_args(region[target][0], v, env, sub)
                pc = np.where(sub, target, pc)
            elif n in ('cf.cond_br', 'llvm.cond_br'):
                seg = term.segments() or [1, len(v) - 1, 0]
                c = v[0].astype(bool)
                tv = v[1:1 + seg[1]]
                fv = v[1 + seg[1]:1 + seg[1] + seg[2]]
                t_, f_ = (region.labels[s] for s in term.successors)
                yes, no = sub & c, sub & ~c
                self.set_args(region[t_][0], tv, env, yes)
                self.set_args(region[f_][0], fv, env, no)
                pc = np.where(yes, t_, np.where(no, f_, pc))
            elif n in ('gpu.return', 'func.return', 'scf.yield',
                       'llvm.return'):
                if v:
                    if results is None:
                        results = [np.array(x, copy=True) for x in v]
                    else:
                        results = [self.where(sub, x, r)
                                   for x, r in zip(v, results)]
                pc = np.where(sub, -1, pc)
            else:
                raise Unsupported(f'terminator {n}')

    def set_args(self, names, values, env, mask):
        for name, value in zip(names, values):
            old = env.get(name)
            env[name] = value if old is None else self.where(mask, value,
                                                              old)

    @staticmethod
    def where(mask, a, b):
        if isinstance(a, Mem) or isinstance(b, Mem):
            if a is b:
                return a
            if isinstance(a, Mem) and isinstance(b, Mem) and \
                    a.data is b.data and a.shape == b.shape:
                return a.view(a.shape, a.strides,
                              np.where(mask, a.offset, b.offset))
            raise Unsupported('a memref chosen per thread')
        a, b = np.asarray(a), np.asarray(b)
        m = mask.reshape(mask.shape + (1,) * (max(a.ndim, b.ndim) - 1))
        return np.where(m, a, b)

    def run_ops(self, ops, env, mask, merge):
        for op in ops:
            n = op.name
            if n in ('scf.yield', 'gpu.return', 'func.return', 'scf.reduce',
                     'gpu.terminator', 'scf.condition'):
                return [env[o] for o in op.operands]
            self.charge(self.T)
            EXECUTED.add(n)
            out = self.run_op(op, env, mask)
            if out is None:
                continue
            if len(op.results) == 1 and not isinstance(out, list):
                out = [out]
            for r, value in zip(op.results, out):
                if merge and r in env:
                    env[r] = self.where(mask, value, env[r])
                else:
                    env[r] = value
        return []

    # ---------------------------------------------------------------- ops --
    def full(self, value, t, shape=()):
        return np.full((self.T,) + shape, value, dtype=NP[t])

    def run_op(self, op, env, mask):
        n = op.name
        v = [env[o] for o in op.operands]
        handler = getattr(self, 'op_' + n.replace('.', '_'), None)
        if handler is not None:
            return handler(op, v, env, mask)
        if n in ARITH_BINARY:
            t = scalar_type(op.result_types())
            with np.errstate(all='ignore'):
                return cast_to(ARITH_BINARY[n](v[0], v[1]), t)
        if n in UNARY_FLOAT:
            t = scalar_type(op.result_types())
            with np.errstate(all='ignore'):
                x = v[0]
                work = x.astype(np.float64) if t == 'f16' or t == 'bf16' \
                    else x
                return cast_to(UNARY_FLOAT[n](work), t)
        if n in INT_DIV:
            return self.int_div(op, v)
        raise Unsupported(f'op {n}')

    # arith
    def op_arith_constant(self, op, v, env, mask):
        t = op.result_types()
        value = op.attr(r'value = (dense<.*?>|[^ :}]+)')
        st = scalar_type(t)
        shape = vector_shape(t)
        if value.startswith('dense<'):
            arr = parse_dense(value[6:-1], st, shape)
            return np.broadcast_to(arr, (self.T,) + shape).copy()
        return self.full(parse_scalar(value, st), st)

    def int_div(self, op, v):
        n = op.name
        a, b = v
        if np.any((b == 0) & self.cur_mask_any(b)):
            pass
        with np.errstate(all='ignore'):
            bs = np.where(b == 0, 1, b)
            if n in ('arith.divui', 'arith.remui', 'arith.ceildivui'):
                ut = UNSIGNED[a.dtype]
                au, bu = a.view(ut) if a.dtype != np.bool_ else a, \
                    bs.astype(a.dtype).view(ut)
                r = {'arith.divui': lambda: au // bu,
                     'arith.remui': lambda: au % bu,
                     'arith.ceildivui': lambda: (au + bu - 1) // bu}[n]()
                return r.astype(ut).view(a.dtype)
            q = np.trunc(a.astype(np.float64) / bs).astype(a.dtype) \
                if a.dtype.itemsize < 8 else self.trunc_div(a, bs)
            if n == 'arith.divsi':
                return q
            if n == 'arith.remsi':
                return (a - q * bs).astype(a.dtype)
            if n == 'arith.floordivsi':
                return (a // bs).astype(a.dtype)
            if n == 'arith.ceildivsi':
                return (-((-a) // bs)).astype(a.dtype)
        raise Unsupported(n)

    @staticmethod
    def trunc_div(a, b):
        q = np.abs(a) // np.abs(b)
        return np.where((a < 0) != (b < 0), -q, q)

    @staticmethod
    def cur_mask_any(b):
        return True

    def op_arith_cmpi(self, op, v, env, mask):
        a, b = v
        pred = int(op.attr(r'predicate = (\d+)'))
        if pred >= 6 and a.dtype != np.bool_:
            ut = UNSIGNED[a.dtype]
            a, b = a.view(ut), b.astype(a.dtype).view(ut)
        return [a == b, a != b, a < b, a <= b, a > b, a >= b,
                a < b, a <= b, a > b, a >= b][pred]

    def op_arith_cmpf(self, op, v, env, mask):
        a, b = v
        pred = int(op.attr(r'predicate = (\d+)'))
        unord = np.isnan(a) | np.isnan(b)
        with np.errstate(all='ignore'):
            cmp = [None, a == b, a > b, a >= b, a < b, a <= b, a != b,
                   None, None, a == b, a > b, a >= b, a < b, a <= b, a != b,
                   None][pred]
        if pred == 0:
            return np.zeros(a.shape, bool)
        if pred == 15:
            return np.ones(a.shape, bool)
        if pred == 7:
            return ~unord
        if pred == 8:
            return unord
        return (cmp & ~unord) if pred < 8 else (cmp | unord)

    def op_arith_select(self, op, v, env, mask):
        c, a, b = v
        if isinstance(a, Mem):
            return self.where(c, a, b)
        if a.ndim > 1 and c.ndim == 1:
            c = c.reshape((self.T,) + (1,) * (a.ndim - 1))
        return np.where(c, a, b)

    def op_arith_extf(self, op, v, env, mask):
        return cast_to(v[0], scalar_type(op.result_types()))

    op_arith_truncf = op_arith_extf

    def op_arith_extsi(self, op, v, env, mask):
        t = scalar_type(op.result_types())
        x = v[0]
        if x.dtype == np.bool_:
            return np.where(x, -1, 0).astype(NP[t])
        return x.astype(NP[t])

    def op_arith_extui(self, op, v, env, mask):
        t = scalar_type(op.result_types())
        x = v[0]
        if x.dtype != np.bool_:
            x = x.view(UNSIGNED[x.dtype])
        return x.astype(NP[t])

    def op_arith_trunci(self, op, v, env, mask):
        t = scalar_type(op.result_types())
        if t == 'i1':
            return (v[0] & 1).astype(bool)
        return v[0].astype(NP[t])

    def op_arith_index_cast(self, op, v, env, mask):
        return self.op_arith_extsi(op, v, env, mask) if \
            v[0].dtype != np.int64 or True else v[0]

    op_arith_index_castui = op_arith_extui

    def op_arith_sitofp(self, op, v, env, mask):
        return cast_to(v[0].astype(np.float64), scalar_type(op.result_types()))

    def op_arith_uitofp(self, op, v, env, mask):
        x = v[0]
        if x.dtype != np.bool_:
            x = x.view(UNSIGNED[x.dtype])
        return cast_to(x.astype(np.float64), scalar_type(op.result_types()))

    def op_arith_fptosi(self, op, v, env, mask):
        t = scalar_type(op.result_types())
        with np.errstate(all='ignore'):
            x = np.trunc(v[0].astype(np.float64))
            info = np.iinfo(NP[t]) if t != 'i1' else None
            if info is not None:
                x = np.clip(np.nan_to_num(x), info.min, info.max)
            return x.astype(NP[t])

    def op_arith_fptoui(self, op, v, env, mask):
        t = scalar_type(op.result_types())
        with np.errstate(all='ignore'):
            x = np.trunc(v[0].astype(np.float64))
            ut = UNSIGNED[np.dtype(NP[t])]
            info = np.iinfo(ut)
            x = np.clip(np.nan_to_num(x), info.min, info.max)
            return x.astype(ut).view(NP[t])

    def op_arith_bitcast(self, op, v, env, mask):
        t = scalar_type(op.result_types())
        x = v[0]
        if t == 'bf16' or x.dtype == np.float32 and t == 'i16':
            raise Unsupported('bf16 bitcast')
        return x.view(NP[t])

    def op_arith_negf(self, op, v, env, mask):
        return -v[0]

    def op_arith_shli(self, op, v, env, mask):
        a, b = v
        bits = a.dtype.itemsize * 8
        r = np.left_shift(a, np.minimum(b, bits - 1).astype(a.dtype))
        return np.where(b >= bits, 0, r).astype(a.dtype)

    def op_arith_shrsi(self, op, v, env, mask):
        a, b = v
        bits = a.dtype.itemsize * 8
        return np.right_shift(a, np.minimum(b, bits - 1).astype(a.dtype))

    def op_arith_shrui(self, op, v, env, mask):
        a, b = v
        bits = a.dtype.itemsize * 8
        ut = UNSIGNED[a.dtype]
        r = np.right_shift(a.view(ut), np.minimum(b, bits - 1).astype(ut))
        return np.where(b >= bits, 0, r).astype(ut).view(a.dtype)

    def op_arith_minui(self, op, v, env, mask):
        ut = UNSIGNED[v[0].dtype]
        return np.minimum(v[0].view(ut), v[1].view(ut)).view(v[0].dtype)

    def op_arith_maxui(self, op, v, env, mask):
        ut = UNSIGNED[v[0].dtype]
        return np.maximum(v[0].view(ut), v[1].view(ut)).view(v[0].dtype)

    # math
    def op_math_fma(self, op, v, env, mask):
        t = scalar_type(op.result_types())
        a, b, c = (x.astype(np.float64) for x in v)
        return cast_to(a * b + c, t)

    def op_math_fpowi(self, op, v, env, mask):
        t = scalar_type(op.result_types())
        with np.errstate(all='ignore'):
            return cast_to(np.power(v[0].astype(np.float64),
                                    v[1].astype(np.float64)), t)

    def op_math_ipowi(self, op, v, env, mask):
        a, b = v
        out = np.ones_like(a)
        base, e = a.copy(), b.copy()
        neg = e < 0
        e = np.where(neg, 0, e)
        while np.any(e > 0):
            out = np.where(e & 1, out * base, out)
            base = base * base
            e = e >> 1
        # negative exponents: 1 / a**-b in integers
        special = np.where(a == 1, 1, np.where(a == -1, np.where(b & 1, -1, 1),
                                               0))
        return np.where(neg, special, out).astype(a.dtype)

    def op_math_isnan(self, op, v, env, mask):
        return np.isnan(v[0])

    def op_math_isinf(self, op, v, env, mask):
        return np.isinf(v[0])

    def op_math_isfinite(self, op, v, env, mask):
        return np.isfinite(v[0])

    def op_math_absi(self, op, v, env, mask):
        return np.abs(v[0])

    def op_math_ctlz(self, op, v, env, mask):
        raise Unsupported('math.ctlz')

    # gpu
    def _ids(self, op, which):
        d = 'xyz'.index(op.attr(r'dimension = #gpu<dim ([xyz])>') or
                        op.attr(r'dim ([xyz])'))
        L = self.L
        if which == 'thread_id':
            return L.tid[d].copy()
        if which == 'block_id':
            return L.bid[d].copy()
        if which == 'block_dim':
            return self.full(L.block[d], 'index')
        return self.full(L.grid[d], 'index')

    def op_gpu_thread_id(self, op, v, env, mask):
        return self._ids(op, 'thread_id')

    def op_gpu_block_id(self, op, v, env, mask):
        return self._ids(op, 'block_id')

    def op_gpu_block_dim(self, op, v, env, mask):
        return self._ids(op, 'block_dim')

    def op_gpu_grid_dim(self, op, v, env, mask):
        return self._ids(op, 'grid_dim')

    def op_gpu_lane_id(self, op, v, env, mask):
        return self.L.lane.copy()

    def op_gpu_subgroup_size(self, op, v, env, mask):
        return self.full(32, 'index')

    def op_gpu_barrier(self, op, v, env, mask):
        L = self.L
        present = np.bincount(L.blk[mask], minlength=L.nblocks)
        touched = present > 0
        if np.any(present[touched] != L.bs):
            raise Failure('gpu.barrier reached by only some threads of a '
                          'block (divergent barrier)')
        L.epoch[touched] += 1

    def op_gpu_shuffle(self, op, v, env, mask):
        value, offset, width = v
        mode = op.attr(r'mode = #gpu<shuffle_mode (\w+)>')
        L = self.L
        lane = L.lane
        if mode == 'xor':
            src = lane ^ offset
            valid = src < width
        elif mode == 'down':
            src = lane + offset
            valid = src < width
        elif mode == 'up':
            src = lane - offset
            valid = src >= 0
        elif mode == 'idx':
            src = offset.copy()
            valid = src < width
        else:
            raise Unsupported(f'shuffle mode {mode}')
        src_t = np.arange(self.T) - lane + np.where(valid, src, lane)
        warp_end = np.minimum(np.arange(self.T) - lane + 32,
                              (L.blk + 1) * L.bs)
        if np.any(mask & valid & ((src_t >= warp_end) |
                                  ~mask[np.clip(src_t, 0, self.T - 1)])):
            raise Failure('gpu.shuffle reads a lane that is not active')
        src_t = np.clip(src_t, 0, self.T - 1)
        L.wsync[np.unique(L.warp[mask])] += 1
        return [value[src_t], valid]

    # memref
    def op_memref_alloc(self, op, v, env, mask):
        shape, elem, _ = memref_type(op.result_types())
        size = int(np.prod(shape)) if shape else 1
        data = np.full(size, np.nan if elem.startswith('f') or
                       elem == 'bf16' else 0, dtype=NP[elem])
        return Mem(data, shape, elem=elem, name='temporary')

    def op_memref_alloca(self, op, v, env, mask):
        shape, elem, _ = memref_type(op.result_types())
        size = int(np.prod(shape)) if shape else 1
        data = np.full(size * self.T, np.nan if elem[0] in 'fb' else 0,
                       dtype=NP[elem])
        return Mem(data, shape, offset=np.arange(self.T) * size,
                   elem=elem, name='alloca')

    def op_memref_get_global(self, op, v, env, mask):
        name = op.attr(r'name = @(\w+)')
        g = self.globals[name]
        shape, elem, space = memref_type(g.attr(r'type = (memref<[^>]*>)'))
        size = int(np.prod(shape)) if shape else 1
        if space == 'workgroup':
            if name not in self.shared:
                self.shared[name] = self.workgroup_buffer(
                    name, g.attr(r'type = (memref<[^>]*>>)'))
            return self.shared[name]
        if name not in self.global_data:
            init = g.attr(r'initial_value = dense<(.*?)> : tensor')
            if init is None:
                raise Unsupported(f'global {name} without a value')
            data = parse_dense(init, elem, (size,))
            self.global_data[name] = Mem(data.copy(), shape, elem=elem,
                                         name=name)
        return self.global_data[name]

    def linear(self, ref, idx, mask, what):
        """Flat indices of the active threads' accesses."""
        active = np.nonzero(mask)[0]
        off = ref.offset
        flat = (off[active] if isinstance(off, np.ndarray) else
                np.full(len(active), off, np.int64))
        for d, (i, n, s) in enumerate(zip(idx, ref.shape, ref.strides)):
            i = i[active]
            if np.any(i < 0) or np.any(i >= n):
                bad = i[(i < 0) | (i >= n)][0]
                raise Failure(f'{what} of {ref.name or "a buffer"}: index '
                              f'{d} is {int(bad)}, size {n}')
            flat = flat + i * s
        if np.any(flat < 0) or np.any(flat >= ref.data.size):
            raise Failure(f'{what} of {ref.name}: outside the buffer')
        return active, flat

    def op_memref_load(self, op, v, env, mask):
        ref, idx = v[0], v[1:]
        active, flat = self.linear(ref, idx, mask, 'load')
        out = np.zeros(self.T, ref.data.dtype)
        vals = ref.data[flat]
        if ref.space == 'workgroup':
            self.track_read(ref, flat, active)
        out[active] = vals
        return out

    def op_memref_store(self, op, v, env, mask):
        value, ref, idx = v[0], v[1], v[2:]
        active, flat = self.linear(ref, idx, mask, 'store')
        if ref.space == 'workgroup':
            self.track_write(ref, flat, active, value[active])
        else:
            self.check_same_values(ref, flat, value[active])
        ref.data[flat] = value[active].astype(ref.data.dtype)

    # A conflict between two threads of one block since the last barrier is
    # a race unless both are in one warp and a gpu.shuffle (shfl.sync, which
    # synchronizes the warp) ran in that warp between them.
    def ordered(self, other_warp, other_sync, active):
        L = self.L
        warp = L.warp[active]
        return (other_warp == warp) & (other_sync != L.wsync[warp])

    def track_read(self, ref, flat, active):
        tr, L = ref.tracker, self.L
        ep = L.epoch[L.blk[active]]
        vals = ref.data[flat]
        if ref.data.dtype.kind == 'f' and np.any(np.isnan(vals)) and \
                np.any(tr.writer[flat][np.isnan(vals)] < 0):
            raise Failure(f'read of workgroup memory {ref.name} that no '
                          f'thread wrote')
        if np.any((tr.wepoch[flat] == ep) & (tr.writer[flat] != active) &
                  ~self.ordered(tr.wwarp[flat], tr.wsync[flat], active)):
            raise Failure(f'workgroup memory {ref.name}: read after another '
                          f'thread\'s write without a barrier')
        warp = L.warp[active]
        same = tr.repoch[flat] == ep
        other = same & (tr.reader[flat] != active)
        tr.reader[flat] = np.where(other, -2, active)
        tr.rwarp[flat] = np.where(same & (tr.rwarp[flat] != warp), -2, warp)
        tr.rsync[flat] = L.wsync[warp]
        tr.repoch[flat] = ep

    def track_write(self, ref, flat, active, values):
        tr, L = ref.tracker, self.L
        ep = L.epoch[L.blk[active]]
        if np.any((tr.repoch[flat] == ep) & (tr.reader[flat] != active) &
                  ~self.ordered(tr.rwarp[flat], tr.rsync[flat], active)):
            raise Failure(f'workgroup memory {ref.name}: write after another '
                          f'thread\'s read without a barrier')
        if np.any((tr.wepoch[flat] == ep) & (tr.writer[flat] != active) &
                  ~self.ordered(tr.wwarp[flat], tr.wsync[flat], active)):
            raise Failure(f'workgroup memory {ref.name}: two threads write '
                          f'one element without a barrier')
        self.check_same_values(ref, flat, values)
        warp = L.warp[active]
        tr.writer[flat] = active
        tr.wepoch[flat] = ep
        tr.wwarp[flat] = warp
        tr.wsync[flat] = L.wsync[warp]

    @staticmethod
    def check_same_values(ref, flat, vals):
        """One store by several threads to one element: fine (as on the
        GPU, one of them lands) only if they store the same value."""
        if len(np.unique(flat)) == len(flat):
            return
        order = np.argsort(flat, kind='stable')
        f, x = flat[order], vals[order]
        same = f[1:] == f[:-1]
        if np.any(same & ~((x[1:] == x[:-1]) |
                           (np.isnan(x[1:]) & np.isnan(x[:-1])))):
            raise Failure(f'threads store different values to one '
                          f'element of {ref.name} at once')

    def op_vector_load(self, op, v, env, mask):
        ref, idx = v[0], v[1:]
        width = vector_shape(op.result_types())[-1]
        outs = []
        for k in range(width):
            j = list(idx[:-1]) + [idx[-1] + k]
            outs.append(self.op_memref_load(op, [ref] + j, env, mask))
        return np.stack(outs, axis=1)

    def op_vector_store(self, op, v, env, mask):
        value, ref, idx = v[0], v[1], v[2:]
        for k in range(value.shape[1]):
            j = list(idx[:-1]) + [idx[-1] + k]
            self.op_memref_store(op, [value[:, k], ref] + j, env, mask)

    def op_vector_extract(self, op, v, env, mask):
        pos = op.attr(r'static_position = array<i64: ([\d, ]+)>')
        out = v[0]
        for p in pos.split(','):
            out = out[:, int(p)]
        return out

    def op_vector_broadcast(self, op, v, env, mask):
        shape = vector_shape(op.result_types())
        x = v[0]
        return np.broadcast_to(x.reshape((self.T,) + (1,) * len(shape)),
                               (self.T,) + shape).copy()

    def op_vector_splat(self, op, v, env, mask):
        return self.op_vector_broadcast(op, v, env, mask)

    def op_memref_dim(self, op, v, env, mask):
        return self.full(0, 'index') + np.asarray(v[0].shape)[v[1]]

    def op_memref_cast(self, op, v, env, mask):
        return v[0]

    def _static(self, op, name, dyn):
        s = op.attr(name + r' = array<i64(?:: ([-\d, ]+))?>')
        vals = [int(x) for x in s.split(',')] if s else []
        out, k = [], 0
        for x in vals:
            if x <= -(1 << 62):  # ShapedType::kDynamic
                d = dyn[k]
                k += 1
                out.append(d if isinstance(d, np.ndarray) else d)
            else:
                out.append(x)
        return out

    def _offsets_sizes_strides(self, op, v):
        """A subview's or reinterpret_cast's offsets, sizes and strides, the
        static ones from the attributes, the dynamic ones from v[1:]."""
        seg = op.segments()
        dyn = v[1:]
        return (self._static(op, 'static_offsets', dyn[:seg[1]]),
                self._static(op, 'static_sizes', dyn[seg[1]:seg[1] + seg[2]]),
                self._static(op, 'static_strides', dyn[seg[1] + seg[2]:]))

    def op_memref_subview(self, op, v, env, mask):
        src = v[0]
        offs, sizes, steps = self._offsets_sizes_strides(op, v)
        offset = src.offset
        for o, s in zip(offs, src.strides):
            offset = offset + o * s
        for s in sizes:
            if isinstance(s, np.ndarray):
                raise Unsupported('subview with dynamic sizes')
        shape = list(sizes)
        strides = [a * b for a, b in zip(src.strides, steps)]
        rshape, _, _ = memref_type(op.result_types()) \
            if 'strided' not in op.result_types() else \
            (tuple(int(d) for d in re.match(
                r'memref<((?:\d+x)*)', op.result_types()).group(1)
                .split('x') if d), None, None)
        if len(rshape) != len(shape):  # rank-reducing: drop unit dims
            keep, j = [], 0
            for i, s in enumerate(shape):
                if j < len(rshape) and s == rshape[j]:
                    keep.append(i)
                    j += 1
            if len(keep) != len(rshape):
                raise Unsupported('rank-reducing subview')
            shape = [shape[i] for i in keep]
            strides = [strides[i] for i in keep]
        return src.view(shape, strides, offset)

    def op_memref_reinterpret_cast(self, op, v, env, mask):
        src = v[0]
        offs, sizes, steps = self._offsets_sizes_strides(op, v)
        # The new offset counts from the buffer's start: a scalar view offset
        # is dropped; a per-thread one (an array) is kept as it was.
        base = src.offset if isinstance(src.offset, np.ndarray) else 0
        return src.view(sizes, steps, base + offs[0])

    def _reassoc(self, op):
        text = op.attr(r'reassociation = (\[\[.*?\]\])')
        if text is None:
            return []
        return [[int(x) for x in g.split(',') if x.strip()]
                for g in re.findall(r'\[([\d, ]*)\]', text[1:-1])]

    def op_memref_collapse_shape(self, op, v, env, mask):
        src = v[0]
        shape, strides = [], []
        for group in self._reassoc(op):
            size = 1
            for d in group:
                size *= src.shape[d]
            shape.append(size)
            # contiguity within the group is what the verifier requires
            # (the stride of the innermost non-unit dim: a unit dim's
            # stride is arbitrary)
            inner = [d for d in group if src.shape[d] != 1]
            strides.append(src.strides[inner[-1]] if inner else 1)
        return src.view(shape, strides, src.offset)

    def op_memref_expand_shape(self, op, v, env, mask):
        src = v[0]
        rtype = op.result_types()
        rshape = tuple(int(d) for d in re.match(
            r'memref<((?:\d+x)*)', rtype).group(1).split('x') if d)
        strides = [1] * len(rshape)
        for k, group in enumerate(self._reassoc(op)):
            s = src.strides[k]
            for d in reversed(group):
                strides[d] = s
                s *= rshape[d]
        return src.view(rshape, strides, src.offset)

    # scf
    def op_scf_for(self, op, v, env, mask):
        lb, ub, step = v[0], v[1], v[2]
        carried = list(v[3:])
        region = op.regions[0]
        iv = lb.copy()
        active = mask & (iv < ub)
        uniform = (np.all(lb == lb[0]) and np.all(ub == ub[0]) and
                   np.all(step == step[0]))
        while np.any(active):
            new = self.run_region(region, [iv] + carried, env, active)
            if uniform:
                carried = new
            else:
                carried = [self.where(active, a, b)
                           for a, b in zip(new, carried)]
            iv = iv + step
            active = active & (iv < ub)
        return carried

    def op_scf_parallel(self, op, v, env, mask):
        # parallel loops left inside a kernel run sequentially per thread
        n = (len(v)) // 3
        lbs, ubs, steps = v[:n], v[n:2 * n], v[2 * n:3 * n]
        if any(not np.all(x == x[0]) for x in lbs + ubs + steps):
            raise Unsupported('scf.parallel with non-uniform bounds')
        if op.results:
            raise Unsupported('scf.parallel with reductions')
        import itertools
        ranges = [range(int(a[0]), int(b[0]), int(c[0]))
                  for a, b, c in zip(lbs, ubs, steps)]
        for ivs in itertools.product(*ranges):
            self.run_region(op.regions[0],
                            [self.full(i, 'index') for i in ivs], env, mask)

    def op_scf_if(self, op, v, env, mask):
        cond = v[0].astype(bool)
        then = self.run_region(op.regions[0], [], env, mask & cond) \
            if np.any(mask & cond) or op.results else []
        other = (self.run_region(op.regions[1], [], env, mask & ~cond)
                 if len(op.regions) > 1 and op.regions[1][0][1] else [])
        if not op.results:
            return None
        return [self.where(cond, a, b) for a, b in zip(then, other)]

    def op_scf_while(self, op, v, env, mask):
        carried = list(v)
        active = mask.copy()
        results = [np.array(x, copy=True) for x in carried]
        before, after = op.regions
        while np.any(active):
            block_args, ops = before[0]
            for name, value in zip(block_args, carried):
                env[name] = value
            cond_op = ops[-1]
            self.run_ops(ops[:-1], env, active, merge=False)
            c = env[cond_op.operands[0]].astype(bool)
            passed = [env[o] for o in cond_op.operands[1:]]
            stop = active & ~c
            results = [self.where(stop, p, r) for p, r in
                       zip(passed, results)]
            active = active & c
            if not np.any(active):
                break
            new = self.run_region(after, passed, env, active)
            carried = [self.where(active, a, b) for a, b in
                       zip(new, carried)]
        return results

    def op_scf_execute_region(self, op, v, env, mask):
        return self.run_region(op.regions[0], [], env, mask)

    def op_func_call(self, op, v, env, mask):
        callee = op.attr(r'callee = @(\w+)')
        func = self.funcs.get(callee)
        if func is None:
            raise Unsupported(f'call to {callee}')
        return self.run_region(func.regions[0], v, {}, mask)

    def op_affine_apply(self, op, v, env, mask):
        m = re.search(r'map = affine_map<\(([^)]*)\)(?:\[([^\]]*)\])? -> '
                      r'\((.*)\)>', op.rest)
        names = [x.strip() for x in m.group(1).split(',') if x.strip()]
        if m.group(2):
            names += [x.strip() for x in m.group(2).split(',') if x.strip()]
        expr = m.group(3)
        if 'ceildiv' in expr or ',' in expr:
            raise Unsupported('affine.apply with ceildiv')
        expr = expr.replace('floordiv', '//').replace('mod', '%')
        return eval(expr, {}, dict(zip(names, v))).astype(np.int64)


def _minmaxf(fn, nan_propagates):
    def f(a, b):
        if nan_propagates:
            return fn(a, b)
        # maxnum/minnum: the non-NaN operand
        return np.where(np.isnan(a), b, np.where(np.isnan(b), a, fn(a, b)))
    return f


def _maximumf(a, b):
    r = np.maximum(a, b)
    # -0 < +0 for maximumf/minimumf
    both0 = (a == 0) & (b == 0)
    return np.where(both0, np.where(np.signbit(a), b, a), r)


def _minimumf(a, b):
    r = np.minimum(a, b)
    both0 = (a == 0) & (b == 0)
    return np.where(both0, np.where(np.signbit(a), a, b), r)


ARITH_BINARY = {
    'arith.addf': np.add, 'arith.subf': np.subtract,
    'arith.mulf': np.multiply, 'arith.divf': np.divide,
    'arith.remf': np.fmod,
    'arith.maximumf': _maximumf, 'arith.minimumf': _minimumf,
    'arith.maxnumf': _minmaxf(np.maximum, False),
    'arith.minnumf': _minmaxf(np.minimum, False),
    'arith.addi': np.add, 'arith.subi': np.subtract,
    'arith.muli': np.multiply, 'arith.andi': np.bitwise_and,
    'arith.ori': np.bitwise_or, 'arith.xori': np.bitwise_xor,
    'arith.maxsi': np.maximum, 'arith.minsi': np.minimum,
    'math.powf': np.power, 'math.atan2': np.arctan2,
    'math.copysign': np.copysign,
}
INT_DIV = {'arith.divsi', 'arith.remsi', 'arith.divui', 'arith.remui',
           'arith.floordivsi', 'arith.ceildivsi', 'arith.ceildivui'}

_erf = np.vectorize(math.erf, otypes=[np.float64])


def _round_half_away(x):
    return np.where(x >= 0, np.floor(x + 0.5), np.ceil(x - 0.5))


UNARY_FLOAT = {
    'math.exp': np.exp, 'math.exp2': np.exp2, 'math.expm1': np.expm1,
    'math.log': np.log, 'math.log2': np.log2, 'math.log10': np.log10,
    'math.log1p': np.log1p, 'math.sqrt': np.sqrt,
    'math.rsqrt': lambda x: 1 / np.sqrt(x), 'math.tanh': np.tanh,
    'math.sin': np.sin, 'math.cos': np.cos, 'math.tan': np.tan,
    'math.atan': np.arctan, 'math.asin': np.arcsin, 'math.acos': np.arccos,
    'math.sinh': np.sinh, 'math.cosh': np.cosh, 'math.asinh': np.arcsinh,
    'math.acosh': np.arccosh, 'math.atanh': np.arctanh,
    'math.erf': lambda x: _erf(x.astype(np.float64)),
    'math.floor': np.floor, 'math.ceil': np.ceil,
    'math.round': _round_half_away, 'math.roundeven': np.rint,
    'math.trunc': np.trunc, 'math.absf': np.abs, 'math.cbrt': np.cbrt,
}
