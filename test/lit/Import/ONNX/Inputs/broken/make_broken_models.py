#!/usr/bin/env python3
"""Writes the broken (and one valid external-data) ONNX files the importer's
error tests read. Run with the `onnx` pip package; the outputs are
committed, so the tests themselves need no Python."""
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = Path(__file__).parent


def model(nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    return m


def tensor_info(name, shape):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, shape)


def matmul_model(weight):
    return model([helper.make_node("MatMul", ["x", "w"], ["y"], name="mm")],
                 [tensor_info("x", [1, 4])], [tensor_info("y", [1, 3])],
                 [weight])


def main():
    w = numpy_helper.from_array(
        np.arange(12, dtype=np.float32).reshape(4, 3), "w")
    good = matmul_model(w).SerializeToString()

    (HERE / "empty.onnx").write_bytes(b"")
    (HERE / "not-protobuf.onnx").write_text("this is a text file, not a model\n")
    (HERE / "truncated.onnx").write_bytes(good[: len(good) // 2])

    # raw_data shorter than the 4x3 shape needs.
    short = onnx.TensorProto()
    short.CopyFrom(w)
    short.raw_data = short.raw_data[:20]
    (HERE / "short-data.onnx").write_bytes(
        matmul_model(short).SerializeToString())

    # A node reads a value nobody defines.
    bad_ref = model([helper.make_node("Relu", ["nowhere"], ["y"], name="r")],
                    [tensor_info("x", [2])], [tensor_info("y", [2])])
    (HERE / "undefined-input.onnx").write_bytes(bad_ref.SerializeToString())

    # External data: one model whose file exists, one whose file is missing.
    ext = onnx.TensorProto()
    ext.CopyFrom(w)
    raw = ext.raw_data
    ext.ClearField("raw_data")
    ext.data_location = TensorProto.EXTERNAL
    for key, value in (("location", "external.bin"), ("offset", "0"),
                       ("length", str(len(raw)))):
        entry = ext.external_data.add()
        entry.key, entry.value = key, value
    (HERE / "external.bin").write_bytes(raw)
    (HERE / "external.onnx").write_bytes(matmul_model(ext).SerializeToString())
    ext.external_data[0].value = "missing.bin"
    (HERE / "missing-external.onnx").write_bytes(
        matmul_model(ext).SerializeToString())


if __name__ == "__main__":
    main()
