#!/usr/bin/env python3
"""Exports a BERT-like encoder (transformers' BertModel) with torch.onnx.export.

The model is built from a BertConfig with random weights (fixed seed; nothing
is downloaded) and exported by the TorchScript exporter at opset 17 with
batch and sequence dynamic, as real exports are, so the graph carries the
embedding Gathers, the extended attention mask ((1 - mask) * finfo.min added
to the scores) and the Shape -> Gather -> Concat -> Reshape chains of the
head split. Eager attention is used (BERT's classic QK^T / sqrt(d) + mask ->
softmax -> @V); torch writes LayerNormalization (an ONNX op since opset 17)
and GELU as its erf form. Biases and LayerNorm parameters are randomized too
(BERT's init leaves them 0 and 1, which folding would erase). Inputs
input_ids (int64) and attention_mask (int64, the last few positions of the
second sequence padded); outputs last_hidden_state and pooler_output.

Default: a small encoder (2 layers, hidden 128, 4 heads, intermediate 512,
vocab 1024) at batch 2, seq 32; writes bert.onnx, input_ids.npy,
attention_mask.npy and ONNX Runtime's outputs output.npy (last_hidden_state)
and pooler_output.npy beside this script. Compile with
--input-shape input_ids=2x32 --input-shape attention_mask=2x32.

--large DIR: a BERT-base-shaped encoder (12 layers, hidden 768, 12 heads,
intermediate 3072, vocab 30522) at batch 1, seq 128, written to DIR (about
440 MB; for benchmarks only, never committed).

Needs torch, transformers, onnx, onnxruntime, numpy.
"""
import argparse
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch
from transformers import BertConfig, BertModel

HERE = Path(__file__).resolve().parent

SMALL = dict(vocab_size=1024, hidden_size=128, num_hidden_layers=2,
             num_attention_heads=4, intermediate_size=512,
             max_position_embeddings=128, batch=2, seq=32)
LARGE = dict(vocab_size=30522, hidden_size=768, num_hidden_layers=12,
             num_attention_heads=12, intermediate_size=3072,
             max_position_embeddings=512, batch=1, seq=128)


class Encoder(torch.nn.Module):
    """BertModel returning its two outputs as a tuple, not a ModelOutput."""

    def __init__(self, bert):
        super().__init__()
        self.bert = bert

    def forward(self, input_ids, attention_mask):
        out = self.bert(input_ids=input_ids, attention_mask=attention_mask,
                        return_dict=True)
        return out.last_hidden_state, out.pooler_output


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", metavar="DIR",
                        help="write the BERT-base-shaped model to DIR instead")
    args = parser.parse_args()
    shape = LARGE if args.large else SMALL
    out = Path(args.large) if args.large else HERE
    out.mkdir(parents=True, exist_ok=True)
    batch, seq = shape["batch"], shape["seq"]

    torch.manual_seed(0)
    config = BertConfig(**{k: v for k, v in shape.items()
                           if k not in ("batch", "seq")},
                        hidden_act="gelu", hidden_dropout_prob=0.0,
                        attention_probs_dropout_prob=0.0,
                        attn_implementation="eager")
    bert = BertModel(config, add_pooling_layer=True)
    # BERT's init zeroes every bias and sets LayerNorm to (1, 0); constant
    # folding would then drop those adds, which a trained model keeps.
    with torch.no_grad():
        for name, param in bert.named_parameters():
            if "LayerNorm.weight" in name:
                param.uniform_(0.8, 1.2)
            elif name.endswith("bias"):
                param.normal_(0.0, 0.02)
    model = Encoder(bert).eval()

    rng = np.random.default_rng(0)
    input_ids = rng.integers(0, shape["vocab_size"], (batch, seq), dtype=np.int64)
    attention_mask = np.ones((batch, seq), dtype=np.int64)
    if batch > 1:
        attention_mask[1, seq - seq // 4:] = 0   # padding on the second row

    onnx_path = out / "bert.onnx"
    dynamic = {0: "batch", 1: "seq"}
    with torch.no_grad():
        torch.onnx.export(model, (torch.from_numpy(input_ids),
                                  torch.from_numpy(attention_mask)),
                          str(onnx_path),
                          input_names=["input_ids", "attention_mask"],
                          output_names=["last_hidden_state", "pooler_output"],
                          dynamic_axes={"input_ids": dynamic,
                                        "attention_mask": dynamic,
                                        "last_hidden_state": dynamic,
                                        "pooler_output": {0: "batch"}},
                          opset_version=17, dynamo=False)
    session = ort.InferenceSession(str(onnx_path),
                                   providers=["CPUExecutionProvider"])
    feeds = {"input_ids": input_ids, "attention_mask": attention_mask}
    hidden, pooled = session.run(None, feeds)
    with torch.no_grad():
        ref_hidden, ref_pooled = model(torch.from_numpy(input_ids),
                                       torch.from_numpy(attention_mask))
    print(f"{onnx_path}: {onnx_path.stat().st_size / 1e6:.1f} MB; ORT vs torch "
          f"max abs diff {np.abs(hidden - ref_hidden.numpy()).max():.2e}, "
          f"{np.abs(pooled - ref_pooled.numpy()).max():.2e}")
    np.save(out / "input_ids.npy", input_ids)
    np.save(out / "attention_mask.npy", attention_mask)
    np.save(out / "output.npy", hidden)
    np.save(out / "pooler_output.npy", pooled)


if __name__ == "__main__":
    main()
