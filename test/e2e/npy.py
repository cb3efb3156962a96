"""Reads .npy files (little-endian f4 / f8 / i4 / i8, C order) without numpy,
for the e2e scripts, which use the standard library only."""
import array
import ast
import struct

_TYPECODES = {"<f4": "f", "<f8": "d", "<i4": "i", "<i8": "q"}


def load(path):
    """Returns (shape tuple, flat list of values)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise ValueError(f"{path}: not an .npy file")
    major = data[6]
    if major == 1:
        (header_len,) = struct.unpack("<H", data[8:10])
        start = 10
    else:
        (header_len,) = struct.unpack("<I", data[8:12])
        start = 12
    header = ast.literal_eval(data[start:start + header_len].decode("latin1"))
    if header["fortran_order"]:
        raise ValueError(f"{path}: Fortran order is not supported")
    typecode = _TYPECODES.get(header["descr"])
    if typecode is None:
        raise ValueError(f"{path}: dtype {header['descr']} is not supported")
    values = array.array(typecode)
    values.frombytes(data[start + header_len:])
    shape = tuple(header["shape"])
    count = 1
    for d in shape:
        count *= d
    if len(values) != count:
        raise ValueError(f"{path}: {len(values)} values for shape {shape}")
    return shape, list(values)


def rows(shape, values):
    """The flat values as rows of the last dimension."""
    width = shape[-1] if shape else 1
    return [values[i:i + width] for i in range(0, len(values), width)]
