#!/usr/bin/env python3
"""Compiles the bundled models (models/) and runs them against ONNX
Runtime's reference outputs committed beside each model.

Usage: run_models.py AUTOGLM_COMPILE AUTOGLM_RUN [--extra-compile-flag F]...
    [--quantize=int8|int4] [--precision=bf16|fp16] [--target=cuda]
    [--compile-only] [--artifact-dir DIR [--prebuilt]]
--target=cuda compiles for sm_80 and sm_90 (PTX and ptxas cubins) and runs
on the GPU with the same tolerances; --compile-only stops after compiling
(the CI check that every model builds for CUDA where there is no GPU);
--artifact-dir keeps the artifacts, and --prebuilt runs them without
compiling (on a GPU machine without the compiler: scripts/gpu-bundle).
Prints one line per model and `N passed, M failed`; exit code 1 on any
failure. Standard library only.
"""
import argparse
import os
import sys
import tempfile

from compile_and_compare import (add_artifact_options, compile_and_compare,
                                 target_flags)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# model, compile flags, {input name: .npy}, {output name: .npy}, rtol, atol;
# the .npy files sit beside the model.
MODELS = [
    ("models/mlp/mlp.onnx", [], {"image": "input.npy"},
     {"probs": "output.npy"}, 1e-4, 1e-6),
    ("models/cnn/cnn.onnx", [], {"image": "input.npy"},
     {"logits": "output.npy"}, 1e-4, 1e-5),
    ("models/transformer/transformer.onnx", ["--input-shape", "input=1x16x64"],
     {"input": "input.npy"}, {"output": "output.npy"}, 1e-4, 1e-5),
    # int64 input_ids and attention_mask (the second row padded); erf GELU,
    # LayerNorm and masked attention fused at -O2.
    ("models/bert/bert.onnx", ["--input-shape", "input_ids=2x32",
                               "--input-shape", "attention_mask=2x32"],
     {"input_ids": "input_ids.npy", "attention_mask": "attention_mask.npy"},
     {"last_hidden_state": "output.npy", "pooler_output": "pooler_output.npy"},
     1e-4, 1e-5),
]


# Tolerances with --quantize (weights rounded to int8 / int4). The error of a
# quantized matmul output is sum_k x[k] * e[k, n] with |e| <= step / 2, step
# = max|w[:, n]| / 127 per column (int8) or max|w| / 7 per group of K (int4,
# 18x coarser); independent rounding errors grow like sqrt(K) * |x| * step /
# sqrt(12), then pass through the rest of the model (softmax compresses
# them in the MLP; LayerNorm rescales them in the transformer layer).
# Measured max abs errors vs the fp32 reference on the committed inputs:
#   mlp:         int8 8.0e-5, int4 1.6e-3  (probabilities in [0, 1])
#   transformer: int8 4.2e-3, int4 7.3e-2  (LayerNorm outputs, |y| ~ 1)
#   cnn:         not quantized (its only matmul has N = 10 < min-size 16)
#   bert:        int8 4.8e-3, int4 7.4e-2  (LayerNorm outputs and the tanh
#                pooler, |y| ~ 1-4; 2 layers of 128-wide matmuls)
# The bounds are about 3x those: a wrong scale, zero point or nibble order
# gives errors the size of the outputs and fails.
QUANT_TOLERANCES = {
    # model: {mode: (rtol, atol)}
    "models/mlp/mlp.onnx": {"int8": (0, 3e-4), "int4": (0, 5e-3)},
    "models/cnn/cnn.onnx": {"int8": (1e-4, 1e-5), "int4": (1e-4, 1e-5)},
    "models/transformer/transformer.onnx": {"int8": (0, 1.5e-2),
                                            "int4": (0, 0.2)},
    "models/bert/bert.onnx": {"int8": (0, 1.5e-2), "int4": (0, 0.25)},
}

# Tolerances with --precision: weights and activations rounded to bf16 (8
# significant bits: relative rounding error <= 2^-9) or fp16 (11 bits,
# <= 2^-12) before f32 accumulation; a dot product of length K errs by about
# sqrt(K) * 2^-9 * |x| |w| (bf16). Measured max abs errors vs fp32:
#   mlp:         bf16 6.6e-5, fp16 1.2e-5
#   transformer: bf16 2.8e-3, fp16 2.7e-4  (about the 2^-3 ratio expected)
#   cnn:         unchanged (convs stay fp32; its matmul has N = 10)
#   bert:        bf16 2.1e-3, fp16 2.1e-4
# Bounds are about 3x the measured errors.
PRECISION_TOLERANCES = {
    "models/mlp/mlp.onnx": {"bf16": (0, 2e-4), "fp16": (0, 5e-5)},
    "models/cnn/cnn.onnx": {"bf16": (1e-4, 1e-5), "fp16": (1e-4, 1e-5)},
    "models/transformer/transformer.onnx": {"bf16": (0, 1e-2),
                                            "fp16": (0, 1e-3)},
    "models/bert/bert.onnx": {"bf16": (0, 7e-3), "fp16": (0, 1e-3)},
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("compiler")
    parser.add_argument("runner")
    parser.add_argument("--extra-compile-flag", action="append", default=[])
    parser.add_argument("--quantize", choices=["int8", "int4"],
                        help="compile with --quantize and compare within "
                             "QUANT_TOLERANCES")
    parser.add_argument("--precision", choices=["bf16", "fp16"],
                        help="compile with --precision and compare within "
                             "PRECISION_TOLERANCES")
    parser.add_argument("--target", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--compile-only", action="store_true")
    add_artifact_options(parser)
    args = parser.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="agm-models-") as work:
        if args.artifact_dir:
            work = args.artifact_dir
            os.makedirs(work, exist_ok=True)
        for model, flags, inputs, outputs, rtol, atol in MODELS:
            folder = os.path.join(ROOT, os.path.dirname(model))
            artifact = os.path.join(work, os.path.basename(model) + ".agm")
            if args.quantize:
                flags = flags + ["--quantize=" + args.quantize]
                rtol, atol = QUANT_TOLERANCES[model][args.quantize]
            if args.precision:
                flags = flags + ["--precision=" + args.precision]
                rtol, atol = PRECISION_TOLERANCES[model][args.precision]
            compile_cmd = None if args.prebuilt else [
                args.compiler, os.path.join(ROOT, model), "-o", artifact,
                *flags, *args.extra_compile_flag, *target_flags(args.target)]
            run_cmd = None if args.compile_only else [
                args.runner, artifact, "--rtol", str(rtol),
                "--atol", str(atol)]
            if run_cmd:
                run_cmd += [f"--input={name}={folder}/{npy}"
                            for name, npy in inputs.items()]
                run_cmd += [f"--compare={name}={folder}/{npy}"
                            for name, npy in outputs.items()]
            if compile_and_compare(model, compile_cmd, run_cmd):
                passed += 1
            else:
                failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
