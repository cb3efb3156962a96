"""Reads ONNX backend test data without onnx or numpy.

A small protobuf reader for serialized TensorProto files (the node tests'
test_data_set_*/{input,output}_*.pb) and an .npy writer, shared by the
import-coverage and conformance scripts. Checked against onnx's own reader
on every tensor of libonnx-testdata.
"""
import collections
import os
import struct

# TensorProto data_type -> (numpy dtype string, struct format, byte size).
DTYPES = {1: ("<f4", "f", 4), 2: ("|u1", "B", 1), 3: ("|i1", "b", 1),
          4: ("<u2", "H", 2), 5: ("<i2", "h", 2), 6: ("<i4", "i", 4),
          7: ("<i8", "q", 8), 9: ("|b1", "?", 1), 10: ("<f2", "e", 2),
          11: ("<f8", "d", 8), 12: ("<u4", "I", 4), 13: ("<u8", "Q", 8)}
# Inputs the scripts bind with --const-input when a model fails because a
# shape-determining value must be known at compile time: integer tensors and
# these float ones (Resize's scales, Range's bounds, OneHot's depth, ...).
INTEGER_TYPES = {2, 3, 4, 5, 6, 7, 9, 12, 13}
SHAPE_INPUT_NAMES = {"scales", "sizes", "roi", "start", "limit", "delta",
                     "depth"}


def shape_inputs(data_dir):
    """(name, path) of the data set's shape-like inputs."""
    found = []
    for entry in sorted(os.listdir(data_dir)):
        if entry.startswith("input_"):
            path = os.path.join(data_dir, entry)
            name, dtype, _, _ = parse_tensor(open(path, "rb").read())
            if dtype in INTEGER_TYPES or name in SHAPE_INPUT_NAMES:
                found.append((name, path))
    return found


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
