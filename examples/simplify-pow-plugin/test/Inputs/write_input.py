"""Writes a float32 .npy of shape 2x8 with positive values (stdlib only)."""
import struct
import sys

shape = (2, 8)
values = [0.25 + 0.37 * i for i in range(shape[0] * shape[1])]
header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 8), }"
# Magic, version 1.0, header length; the header pads to 64 bytes with '\n'.
total = 10 + len(header) + 1
header += " " * ((64 - total % 64) % 64) + "\n"
with open(sys.argv[1], "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)))
    f.write(header.encode("latin1"))
    f.write(struct.pack("<%df" % len(values), *values))
