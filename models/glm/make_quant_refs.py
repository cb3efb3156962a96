#!/usr/bin/env python3
"""Reference outputs of the tiny GLM fixtures with int8 / int4 weights.

`autoglm-compile --quantize=int8|int4` rounds every matmul weight (q/k/v/o,
gate_up, down, lm_head; not the embedding table, which is a gather) to
  int8: symmetric, one scale per output channel: s = max|w[n, :]| / 127,
        q = clamp(round(w / s), -127, 127);
  int4: symmetric, one scale per group of 128 along K (the input dim):
        s = max|w[n, g]| / 7, q = clamp(round(w / s), -8, 7)
(scales stored as f32; round half to even) and computes with q * s. This
script applies the same rounding to the transformers model's weights (a
tied lm_head is untied first: the embedding lookup keeps f32 weights, as in
the artifact), then runs transformers' own forward: so the e2e test compares
our quantized GEMMs with transformers computing on the dequantized weights,
not with our rounding error against fp32.

Writes next to the weights of tiny-glm and tiny-glm4:
  prefill_logits_<mode>.npy  float32 [1, 8, V]  logits of prompt_ids.npy
  greedy_ids_<mode>.npy      int64   [32]       greedy continuation
and prints the smallest top-1 minus top-2 logit margin of the greedy steps
(a float32 reimplementation cannot flip a step whose margin is far above
its ~1e-5 error). Needs torch and transformers (pip).
"""
from pathlib import Path

import numpy as np
import torch
from transformers import AutoModelForCausalLM

HERE = Path(__file__).resolve().parent
NEW_TOKENS = 32


def fake_quantize(w, mode):
    w = w.detach().to(torch.float64)
    if mode == "int8":
        scale = (w.abs().amax(1, keepdim=True) / 127).to(torch.float32)
        scale = scale.to(torch.float64)
        q = torch.clamp(torch.round(w / scale), -127, 127)
        return (q * scale).to(torch.float32)
    out = torch.empty_like(w)
    for k0 in range(0, w.shape[1], 128):
        block = w[:, k0:k0 + 128]
        scale = (block.abs().amax(1, keepdim=True) / 7).to(torch.float32)
        scale = scale.to(torch.float64)
        scale[scale == 0] = 1
        out[:, k0:k0 + 128] = torch.clamp(torch.round(block / scale), -8, 7) * scale
    return out.to(torch.float32)


def quantized_model(path, mode):
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32,
                                                 attn_implementation="eager")
    model.eval()
    with torch.no_grad():
        if model.lm_head.weight is model.model.embed_tokens.weight:
            model.lm_head.weight = torch.nn.Parameter(
                model.model.embed_tokens.weight.detach().clone())
        for name, module in model.named_modules():
            if isinstance(module, torch.nn.Linear):
                module.weight.copy_(fake_quantize(module.weight, mode))
    return model


def main():
    for name in ["tiny-glm", "tiny-glm4"]:
        d = HERE / name
        prompt = torch.from_numpy(np.load(d / "prompt_ids.npy"))
        for mode in ["int8", "int4"]:
            model = quantized_model(d, mode)
            with torch.no_grad():
                prefill = model(prompt).logits
                out = model.generate(prompt, max_new_tokens=NEW_TOKENS,
                                     do_sample=False, use_cache=True,
                                     output_logits=True,
                                     return_dict_in_generate=True,
                                     pad_token_id=0)
            ids = out.sequences[0, prompt.shape[1]:]
            margins = []
            for step in out.logits:
                top = torch.topk(step[0], 2).values
                margins.append(float(top[0] - top[1]))
            np.save(d / f"prefill_logits_{mode}.npy",
                    prefill.numpy().astype(np.float32))
            np.save(d / f"greedy_ids_{mode}.npy", ids.numpy().astype(np.int64))
            print(f"{name} {mode}: {len(set(ids.tolist()))} distinct of "
                  f"{len(ids)} tokens, smallest greedy margin "
                  f"{min(margins):.4f}")


if __name__ == "__main__":
    main()
