#!/usr/bin/env python3
"""Exports the decomposed patterns that ag-fuse recognizes, as torch writes them.

Each small module is exported with torch.onnx.export (TorchScript exporter,
fixed seeds) at an opset where torch decomposes it: LayerNorm (opset 16:
ReduceMean/Sub/Pow/ReduceMean/Add/Sqrt/Div/Mul/Add), RMSNorm as HF Llama and
GLM write it, GELU in erf and tanh forms (F.gelu below opset 20 and HF's
NewGELU), SiLU, a hand-written softmax, and attention: manual
QK^T * scale (+ additive mask) -> softmax -> @V, F.scaled_dot_product_attention
(scale split as sqrt(scale) on q and k^T, causal mask built from Trilu/Where),
and GQA through HF's repeat_kv (Unsqueeze/Expand/Reshape).

Writes, under test/lit/Passes/Inputs/fusion/: NAME.onnx, and for each model
its fixed-seed inputs NAME.in.INPUT.npy and ONNX Runtime's outputs
NAME.out.OUTPUT.npy (test/e2e/run_fusion_patterns.py compares against them).
Needs torch, onnx, onnxruntime and numpy; the tests need none of them.
"""
import math
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
import torch.nn.functional as F

OUT = (Path(__file__).resolve().parent.parent / "test" / "lit" / "Passes" /
       "Inputs" / "fusion")


class LayerNorm(torch.nn.Module):
    """torch.nn.LayerNorm over the last dim."""

    def __init__(self, dim=32):
        super().__init__()
        self.norm = torch.nn.LayerNorm(dim, eps=1e-5)
        with torch.no_grad():
            self.norm.weight.uniform_(0.5, 1.5)
            self.norm.bias.uniform_(-0.5, 0.5)

    def forward(self, x):
        return self.norm(x)


class LlamaRMSNorm(torch.nn.Module):
    """HF LlamaRMSNorm: casts to f32, weight multiplied after the cast back."""

    def __init__(self, dim=32, eps=1e-6):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.rand(dim) + 0.5)
        self.variance_epsilon = eps

    def forward(self, hidden_states):
        input_dtype = hidden_states.dtype
        hidden_states = hidden_states.to(torch.float32)
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance +
                                                    self.variance_epsilon)
        return self.weight * hidden_states.to(input_dtype)


class GlmRMSNorm(torch.nn.Module):
    """ChatGLM's RMSNorm: no casts, weight on the left of the product."""

    def __init__(self, dim=32, eps=1e-5):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.rand(dim) + 0.5)
        self.eps = eps

    def forward(self, hidden_states):
        variance = hidden_states.pow(2).mean(-1, keepdim=True)
        hidden_states = hidden_states * torch.rsqrt(variance + self.eps)
        return self.weight * hidden_states


class GeluErf(torch.nn.Module):
    def forward(self, x):
        return F.gelu(x)


class GeluTanh(torch.nn.Module):
    def forward(self, x):
        return F.gelu(x, approximate="tanh")


class NewGelu(torch.nn.Module):
    """HF NewGELUActivation (GPT-2): tanh form written out with pow(x, 3)."""

    def forward(self, x):
        return 0.5 * x * (1.0 + torch.tanh(
            math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class ManualGeluErf(torch.nn.Module):
    """The erf form as BERT-era code writes it."""

    def forward(self, x):
        return x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))


class Silu(torch.nn.Module):
    def forward(self, x):
        return F.silu(x)


class ManualSoftmax(torch.nn.Module):
    """exp(x - max) / sum, as hand-written softmaxes are exported."""

    def forward(self, x):
        e = torch.exp(x - x.amax(dim=-1, keepdim=True))
        return e / e.sum(dim=-1, keepdim=True)


class ManualAttention(torch.nn.Module):
    """q @ k^T * scale + additive mask -> softmax -> @ v (eager attention)."""

    def forward(self, q, k, v, mask):
        scores = torch.matmul(q, k.transpose(2, 3)) * (q.shape[-1] ** -0.5)
        scores = scores + mask
        probs = F.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        return torch.matmul(probs, v)


class DivAttention(torch.nn.Module):
    """q @ k^T / sqrt(d) -> softmax -> @ v, no mask."""

    def forward(self, q, k, v):
        scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        return torch.softmax(scores, dim=-1) @ v


class SdpaCausal(torch.nn.Module):
    """F.scaled_dot_product_attention with is_causal."""

    def forward(self, q, k, v):
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)


def repeat_kv(hidden_states, n_rep):
    """HF's repeat_kv: (B, Hkv, S, D) -> (B, Hkv * n_rep, S, D)."""
    batch, heads, slen, head_dim = hidden_states.shape
    if n_rep == 1:
        return hidden_states
    hidden_states = hidden_states[:, :, None, :, :].expand(
        batch, heads, n_rep, slen, head_dim)
    return hidden_states.reshape(batch, heads * n_rep, slen, head_dim)


class GqaAttention(torch.nn.Module):
    """HF Llama eager attention with GQA (repeat_kv) and a causal mask."""

    def __init__(self, n_rep=2):
        super().__init__()
        self.n_rep = n_rep

    def forward(self, q, k, v, mask):
        k = repeat_kv(k, self.n_rep)
        v = repeat_kv(v, self.n_rep)
        scores = torch.matmul(q, k.transpose(2, 3)) * (q.shape[-1] ** -0.5)
        scores = scores + mask
        probs = F.softmax(scores, dim=-1, dtype=torch.float32).to(q.dtype)
        return torch.matmul(probs, v)


class SdpaGqa(torch.nn.Module):
    """repeat_kv then F.scaled_dot_product_attention with an explicit scale."""

    def forward(self, q, k, v):
        k = repeat_kv(k, 2)
        v = repeat_kv(v, 2)
        return F.scaled_dot_product_attention(q, k, v, scale=0.2)


def causal_mask(seq):
    """HF's additive causal mask: 0 on and below the diagonal, finfo.min above."""
    mask = torch.full((seq, seq), torch.finfo(torch.float32).min)
    return torch.triu(mask, diagonal=1)[None, None]


def randn(*shape):
    return torch.randn(*shape)


def models():
    b, h, s, d = 1, 4, 8, 16
    padding = torch.zeros(b, 1, s, s)
    padding[..., -2:] = torch.finfo(torch.float32).min  # last 2 keys padded
    return [
        ("layer_norm", LayerNorm(), {"x": randn(2, 5, 32)}, 16),
        ("rms_norm_llama", LlamaRMSNorm(), {"x": randn(2, 5, 32)}, 14),
        ("rms_norm_glm", GlmRMSNorm(), {"x": randn(2, 5, 32)}, 14),
        ("gelu_erf", GeluErf(), {"x": randn(2, 64)}, 14),
        ("gelu_tanh", GeluTanh(), {"x": randn(2, 64)}, 14),
        ("gelu_new", NewGelu(), {"x": randn(2, 64)}, 14),
        ("gelu_manual_erf", ManualGeluErf(), {"x": randn(2, 64)}, 14),
        ("silu", Silu(), {"x": randn(2, 64)}, 14),
        ("softmax_manual", ManualSoftmax(), {"x": randn(3, 4, 10)}, 14),
        ("attention_manual", ManualAttention(),
         {"q": randn(b, h, s, d), "k": randn(b, h, s, d),
          "v": randn(b, h, s, d), "mask": padding}, 14),
        ("attention_div", DivAttention(),
         {"q": randn(b, h, s, d), "k": randn(b, h, 12, d),
          "v": randn(b, h, 12, 8)}, 14),
        ("attention_sdpa_causal", SdpaCausal(),
         {"q": randn(b, h, s, d), "k": randn(b, h, s, d),
          "v": randn(b, h, s, d)}, 14),
        ("attention_gqa", GqaAttention(),
         {"q": randn(b, h, s, d), "k": randn(b, h // 2, s, d),
          "v": randn(b, h // 2, s, d), "mask": causal_mask(s)}, 14),
        ("attention_sdpa_gqa", SdpaGqa(),
         {"q": randn(2, 6, 4, d), "k": randn(2, 3, 4, d),
          "v": randn(2, 3, 4, d)}, 14),
    ]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    for name, module, inputs, opset in models():
        module.eval()
        path = OUT / f"{name}.onnx"
        names = list(inputs)
        torch.onnx.export(module, tuple(inputs.values()), path,
                          input_names=names, output_names=["y"],
                          opset_version=opset, dynamo=False)
        session = ort.InferenceSession(str(path),
                                       providers=["CPUExecutionProvider"])
        feeds = {n: t.numpy() for n, t in inputs.items()}
        (y,) = session.run(None, feeds)
        with torch.no_grad():
            expected = module(*inputs.values()).numpy()
        assert np.allclose(y, expected, rtol=1e-4, atol=1e-5), name
        for n, value in feeds.items():
            np.save(OUT / f"{name}.in.{n}.npy", value)
        np.save(OUT / f"{name}.out.y.npy", y)
        print(f"{name}: opset {opset}, {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
