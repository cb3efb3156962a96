#!/usr/bin/env python3
"""Exports a small CNN (conv, batchnorm, pooling) with torch.onnx.export.

Two conv -> batchnorm -> ReLU -> max-pool blocks, global average pooling
and a linear classifier; batchnorm statistics are randomized so inference
batchnorm is not the identity. Writes cnn.onnx and ONNX Runtime's output for
a fixed-seed input (input.npy, output.npy). Needs torch, onnx, onnxruntime,
numpy.
"""
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

HERE = Path(__file__).parent
torch.manual_seed(2)


def block(cin, cout):
    bn = torch.nn.BatchNorm2d(cout)
    bn.running_mean.uniform_(-0.5, 0.5)
    bn.running_var.uniform_(0.5, 2.0)
    bn.weight.data.uniform_(0.5, 1.5)
    bn.bias.data.uniform_(-0.2, 0.2)
    return [torch.nn.Conv2d(cin, cout, 3, padding=1), bn, torch.nn.ReLU(),
            torch.nn.MaxPool2d(2)]


def main():
    model = torch.nn.Sequential(
        *block(3, 8), *block(8, 16), torch.nn.AdaptiveAvgPool2d(1),
        torch.nn.Flatten(), torch.nn.Linear(16, 10)).eval()
    example = torch.randn(1, 3, 32, 32)
    # do_constant_folding=False keeps BatchNormalization in the graph.
    torch.onnx.export(model, (example,), HERE / "cnn.onnx",
                      input_names=["image"], output_names=["logits"],
                      opset_version=17, dynamo=False,
                      do_constant_folding=False, training=torch.onnx.TrainingMode.EVAL)
    x = np.random.default_rng(2).standard_normal((1, 3, 32, 32)).astype(np.float32)
    session = ort.InferenceSession(str(HERE / "cnn.onnx"),
                                   providers=["CPUExecutionProvider"])
    (y,) = session.run(None, {"image": x})
    np.save(HERE / "input.npy", x)
    np.save(HERE / "output.npy", y)


if __name__ == "__main__":
    main()
