#!/usr/bin/env python3
"""Independent numpy (float64) forward of the tiny GLM / GLM-4 fixtures.

An executable form of docs/design/glm-importer.md: reads config.json and the
safetensors (single file or sharded via model.safetensors.index.json; new
rope_parameters or legacy flat config), recomputes the prompt's logits without
torch or transformers and compares them with prefill_logits.npy. Written to
confirm the spec (interleaved partial RoPE, gate/up split order, GLM-4's extra
norms, tied lm_head); not needed to build anything. Needs numpy, safetensors.
"""
import json
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file

HERE = Path(__file__).resolve().parent


def load_weights(d):
    index = d / "model.safetensors.index.json"
    if not index.exists():
        return load_file(d / "model.safetensors")
    W = {}
    for shard in sorted(set(json.loads(index.read_text())["weight_map"].values())):
        W.update(load_file(d / shard))
    return W


def run(d, ref_dir):
    d = HERE / d
    W = load_weights(d)
    c = json.loads((d / "config.json").read_text())
    glm4 = c["model_type"] == "glm4"
    H, nh, nkv, hd, eps = c['hidden_size'], c['num_attention_heads'], c['num_key_value_heads'], c['head_dim'], c['rms_norm_eps']
    rp = c.get('rope_parameters') or c; theta = rp['rope_theta']; rd = int(hd*rp['partial_rotary_factor'])
    ids = np.load(HERE / ref_dir / 'prompt_ids.npy')[0]; T = len(ids)
    rms = lambda x, w: w * (x / np.sqrt((x*x).mean(-1, keepdims=True) + eps))
    inv = theta ** (-np.arange(0, rd, 2) / rd)              # [rd/2]
    ang = np.arange(T)[:, None] * inv[None]                 # [T, rd/2]
    cos, sin = np.cos(ang), np.sin(ang)
    def rope(x):  # x [heads, T, hd]; pairs (2i, 2i+1) of the first rd dims rotate by ang[:, i]
        x = x.copy(); a, b = x[..., 0:rd:2].copy(), x[..., 1:rd:2].copy()
        x[..., 0:rd:2] = a*cos - b*sin; x[..., 1:rd:2] = b*cos + a*sin; return x
    x = W['model.embed_tokens.weight'][ids].astype(np.float64)
    for l in range(c['num_hidden_layers']):
        p = lambda n: W[f'model.layers.{l}.{n}'].astype(np.float64)
        h = rms(x, p('input_layernorm.weight'))
        q = (h @ p('self_attn.q_proj.weight').T + p('self_attn.q_proj.bias')).reshape(T, nh, hd).transpose(1,0,2)
        k = (h @ p('self_attn.k_proj.weight').T + p('self_attn.k_proj.bias')).reshape(T, nkv, hd).transpose(1,0,2)
        v = (h @ p('self_attn.v_proj.weight').T + p('self_attn.v_proj.bias')).reshape(T, nkv, hd).transpose(1,0,2)
        q, k = rope(q), rope(k)
        k = np.repeat(k, nh//nkv, 0); v = np.repeat(v, nh//nkv, 0)   # query head j uses kv head j // (nh/nkv)
        s = q @ k.transpose(0,2,1) / np.sqrt(hd) + np.triu(np.full((T,T), -np.inf), 1)
        s = np.exp(s - s.max(-1, keepdims=True)); s /= s.sum(-1, keepdims=True)
        a = (s @ v).transpose(1,0,2).reshape(T, nh*hd) @ p('self_attn.o_proj.weight').T
        if glm4: a = rms(a, p('post_self_attn_layernorm.weight'))
        x = x + a
        h = rms(x, p('post_attention_layernorm.weight'))
        gu = h @ p('mlp.gate_up_proj.weight').T; I = gu.shape[-1]//2
        g, u = gu[:, :I], gu[:, I:]
        m = (u * g/(1+np.exp(-g))) @ p('mlp.down_proj.weight').T
        if glm4: m = rms(m, p('post_mlp_layernorm.weight'))
        x = x + m
    x = rms(x, W['model.norm.weight'])
    lm = W.get('lm_head.weight', W['model.embed_tokens.weight'])
    ref = np.load(HERE / ref_dir / 'prefill_logits.npy')[0]
    err = np.abs(x @ lm.T - ref).max()
    print(f"{d.name}: max |numpy - prefill_logits| = {err:.2e}")
    assert err < 1e-4


if __name__ == "__main__":
    run("tiny-glm", "tiny-glm")
    run("tiny-glm4", "tiny-glm4")
    run("tiny-glm4-sharded", "tiny-glm4")
