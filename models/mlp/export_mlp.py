#!/usr/bin/env python3
"""Exports a small MLP classifier with torch.onnx.export.

784 -> 128 (ReLU) -> 64 (ReLU) -> 10 (softmax), fixed-seed weights. Writes
mlp.onnx and ONNX Runtime's output for a fixed-seed input (input.npy,
output.npy) as the reference the e2e test compares against.
Needs torch, onnx, onnxruntime, numpy.
"""
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

HERE = Path(__file__).parent
torch.manual_seed(1)


def main():
    model = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(784, 128), torch.nn.ReLU(),
        torch.nn.Linear(128, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10),
        torch.nn.Softmax(dim=-1)).eval()
    example = torch.randn(2, 1, 28, 28)
    torch.onnx.export(model, (example,), HERE / "mlp.onnx",
                      input_names=["image"], output_names=["probs"],
                      opset_version=17, dynamo=False)
    x = np.random.default_rng(1).standard_normal((2, 1, 28, 28)).astype(np.float32)
    session = ort.InferenceSession(str(HERE / "mlp.onnx"),
                                   providers=["CPUExecutionProvider"])
    (y,) = session.run(None, {"image": x})
    np.save(HERE / "input.npy", x)
    np.save(HERE / "output.npy", y)


if __name__ == "__main__":
    main()
