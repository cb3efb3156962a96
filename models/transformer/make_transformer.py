#!/usr/bin/env python3
"""Exports a small transformer encoder layer with torch.onnx.export.

The export keeps batch and sequence dynamic, as real exports do, so the
graph carries the Shape -> Gather -> Concat -> Reshape chains that AutoGLM
must turn into static shapes (compile with --input-shape input=1x16x64).
Writes transformer.onnx and, for a fixed-seed input, ONNX Runtime's output
as reference: input.npy, output.npy. Needs torch, onnx, onnxruntime, numpy.
"""
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

HERE = Path(__file__).parent
torch.manual_seed(0)


class EncoderLayer(torch.nn.Module):
    """Pre-norm encoder layer: self-attention and a GELU MLP."""

    def __init__(self, dim=64, heads=4, hidden=128):
        super().__init__()
        self.heads = heads
        self.norm1 = torch.nn.LayerNorm(dim)
        self.qkv = torch.nn.Linear(dim, 3 * dim)
        self.proj = torch.nn.Linear(dim, dim)
        self.norm2 = torch.nn.LayerNorm(dim)
        self.fc1 = torch.nn.Linear(dim, hidden)
        self.fc2 = torch.nn.Linear(hidden, dim)

    def forward(self, x):
        b, s, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).chunk(3, dim=-1)
        split = lambda t: t.reshape(b, s, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(q), split(k), split(v)
        scores = q @ k.transpose(-2, -1) / (d // self.heads) ** 0.5
        attn = torch.softmax(scores, dim=-1) @ v
        x = x + self.proj(attn.transpose(1, 2).reshape(b, s, d))
        return x + self.fc2(torch.nn.functional.gelu(self.fc1(self.norm2(x))))


def main():
    model = EncoderLayer().eval()
    example = torch.randn(1, 16, 64)
    torch.onnx.export(model, (example,), HERE / "transformer.onnx",
                      input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch", 1: "seq"},
                                    "output": {0: "batch", 1: "seq"}},
                      opset_version=17, dynamo=False)
    x = np.random.default_rng(0).standard_normal((1, 16, 64)).astype(np.float32)
    session = ort.InferenceSession(str(HERE / "transformer.onnx"),
                                   providers=["CPUExecutionProvider"])
    (y,) = session.run(None, {"input": x})
    np.save(HERE / "input.npy", x)
    np.save(HERE / "output.npy", y)


if __name__ == "__main__":
    main()
