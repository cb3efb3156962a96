"""A small reader of MLIR's generic op form (`mlir-opt --mlir-print-op-generic`)
shared by the SIMT emulators of generated CUDA kernels
(test/lit/Codegen/CUDA/Inputs/emulate_gemm_kernels.py and
test/e2e/cuda_emulated_conformance.py through simt_emulator.py).

An op is one line `%r:N = "dialect.op"(%a, %b)[^succ] <{props}> ({ regions })
{attrs} : (types) -> types`; a region is a list of blocks, a block is
(args, ops, label).
"""

import re

OP_RE = re.compile(
    r'^\s*(?:(%[\w]+)(?::(\d+))? = )?"([\w.]+)"\(([^)]*)\)(.*)$')
BLOCK_RE = re.compile(r'^\s*(\^bb\d+)(?:\((.*)\))?:\s*(?://.*)?$')


class Op:
    def __init__(self, name, results, operands, rest):
        self.name, self.results, self.operands, self.rest = (
            name, results, operands, rest)
        self.regions = []
        m = re.match(r'\[([^\]]*)\]', rest)
        self.successors = ([s.strip() for s in m.group(1).split(',')]
                           if m else [])

    def attr(self, pattern):
        m = re.search(pattern, self.rest)
        return m.group(1) if m else None

    def result_types(self):
        # the trailing ": (operand types) -> result types"
        arrow = self.rest.rfind('->')
        return self.rest[arrow + 2:].strip() if arrow >= 0 else ''

    def operand_types(self):
        arrow = self.rest.rfind('->')
        colon = self.rest.rfind(' : (', 0, arrow)
        if arrow < 0 or colon < 0:
            return []
        return [t.strip() for t in
                split_top(self.rest[colon + 4:arrow].strip()[:-1]) if
                t.strip()]

    def segments(self):
        s = self.attr(r'operandSegmentSizes = array<i32: ([\d, ]+)>')
        return [int(x) for x in s.split(',')] if s else None


def parse_block_args(text):
    return [a.split(':')[0].strip() for a in split_top(text) if a.strip()]


def split_top(text):
    """Splits at top-level commas."""
    parts, depth, cur = [], 0, ''
    for ch in text:
        if ch in '<([{':
            depth += 1
        elif ch in '>)]}':
            depth -= 1
        if ch == ',' and depth == 0:
            parts.append(cur)
            cur = ''
        else:
            cur += ch
    parts.append(cur)
    return parts


def parse_ops(lines, i, stop):
    """Parses ops from lines[i] until a line that `stop` accepts; returns
    (blocks, index of the stopping line). A block is (args, ops); the labels
    are in the region's `labels` (label -> block index)."""
    blocks = [([], [])]
    labels = {}
    arg_types = {}
    while i < len(lines):
        line = lines[i]
        if stop(line):
            blocks_list = Region(blocks)
            blocks_list.labels, blocks_list.arg_types = labels, arg_types
            return blocks_list, i
        m = BLOCK_RE.match(line)
        if m:
            if blocks[-1][1] or blocks[-1][0]:
                blocks.append(([], []))
            labels[m.group(1)] = len(blocks) - 1
            if m.group(2):
                blocks[-1][0].extend(parse_block_args(m.group(2)))
                arg_types[len(blocks) - 1] = [
                    a.split(':', 1)[1].strip()
                    for a in split_top(m.group(2)) if a.strip()]
            i += 1
            continue
        m = OP_RE.match(line)
        if not m:
            i += 1
            continue
        res, count, name, operands, rest = m.groups()
        results = []
        if res:
            results = ([f'{res}#{k}' for k in range(int(count))]
                       if count else [res])
        ops = [o.strip() for o in operands.split(',') if o.strip()]
        op = Op(name, results, ops, rest)
        i += 1
        if rest.rstrip().endswith('({'):
            while True:
                region, i = parse_ops(
                    lines, i, lambda l: re.match(r'^\s*\}(, \{| *\))', l))
                op.regions.append(region)
                end = lines[i]
                i += 1
                if re.match(r'^\s*\}, \{', end):
                    continue
                op.rest += end  # trailing attributes and types
                break
        blocks[-1][1].append(op)
    region = Region(blocks)
    region.labels, region.arg_types = labels, arg_types
    return region, i


class Region(list):
    """A region's blocks, each (argument names, ops); labels: block label
    -> index; arg_types: block index -> argument types."""
    labels = {}
    arg_types = {}


def parse_module(text):
    lines = text.splitlines()
    blocks, _ = parse_ops(lines, 0, lambda l: False)
    return blocks


def walk(blocks):
    for _, ops in blocks:
        for op in ops:
            yield op
            for region in op.regions:
                yield from walk(region)


def memref_type(type_text):
    """(shape, element type, memory space or None) of `memref<...>`."""
    t = type_text.strip()
    m = re.match(r'memref<((?:\d+x)*)(\w+)(.*)>$', t)
    if not m:
        raise ValueError(f'not a static memref: {t}')
    dims = tuple(int(d) for d in m.group(1).split('x') if d)
    space = 'workgroup' if 'workgroup' in m.group(3) else None
    return dims, m.group(2), space
