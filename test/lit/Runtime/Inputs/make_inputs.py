#!/usr/bin/env python3
"""Writes the .npy inputs and references of the autoglm-run lit tests with
NumPy (run once; the outputs are committed, so the tests need no NumPy).

The test model (test/runtime/TestArtifacts.h): main(x, y f32[3x50]) ->
(sum = x + y, scaled = sum * 2.5); echo_<dtype>(x <dtype>[2x3]) -> x.
"""
import os

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))


def save(name, array, **kwargs):
    path = os.path.join(here, name)
    if "version" in kwargs:
        with open(path, "wb") as f:
            np.lib.format.write_array(f, array, version=kwargs["version"])
    else:
        np.save(path, array)


i = np.arange(150, dtype=np.float32).reshape(3, 50)
x = i * np.float32(0.5)
y = np.float32(1) - i
total = x + y
save("x.npy", x)
save("y.npy", y)
save("sum.npy", total)
save("scaled.npy", total * np.float32(2.5))
bad = total * np.float32(2.5)
bad[1, 20] += np.float32(0.25)
bad[2, 3] += np.float32(0.5)
save("scaled_bad.npy", bad)

# NaN in, NaN out: compares equal to a NaN reference.
x_nan = x.copy()
x_nan[0, 0] = np.nan
save("x_nan.npy", x_nan)
sum_nan = x_nan + y
save("sum_nan.npy", sum_nan)

# Inputs autoglm-run must refuse.
save("x_2x3.npy", np.zeros((2, 3), np.float32))
save("x_f64.npy", x.astype(np.float64))
save("x_fortran.npy", np.asfortranarray(x))
save("x_bigendian.npy", x.astype(">f4"))
save("x_v2.npy", x, version=(2, 0))

# echo_<dtype> inputs.
values = np.array([[1, -2, 3], [-4, 5, 127]])
for name, dtype in [("f32", np.float32), ("f64", np.float64),
                    ("f16", np.float16), ("i8", np.int8), ("i16", np.int16),
                    ("i32", np.int32), ("i64", np.int64)]:
    scale = 0.25 if name.startswith("f") else 1
    save(f"echo_{name}.npy", (values * scale).astype(dtype))
for name, dtype in [("u8", np.uint8), ("u16", np.uint16), ("u32", np.uint32),
                    ("u64", np.uint64)]:
    save(f"echo_{name}.npy", np.abs(values).astype(dtype))
save("echo_bool.npy", np.array([[True, False, True], [True, False, False]]))
# bf16 travels as f32; these values are exact in bf16.
save("echo_bf16.npy", np.array([[1.5, -2, 0.125], [3, -0.5, 256]], np.float32))
