#!/usr/bin/env python3
"""Compiles the bundled models (models/) and runs them against ONNX
Runtime's reference outputs committed beside each model.

Usage: run_models.py AUTOGLM_COMPILE AUTOGLM_RUN [--extra-compile-flag F]...
Prints one line per model and `N passed, M failed`; exit code 1 on any
failure. Standard library only.
"""
import argparse
import os
import subprocess
import sys
import tempfile

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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("compiler")
    parser.add_argument("runner")
    parser.add_argument("--extra-compile-flag", action="append", default=[])
    args = parser.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="agm-models-") as work:
        for model, flags, inputs, outputs, rtol, atol in MODELS:
            folder = os.path.join(ROOT, os.path.dirname(model))
            artifact = os.path.join(work, os.path.basename(model) + ".agm")
            compile_cmd = [args.compiler, os.path.join(ROOT, model), "-o",
                           artifact, *flags, *args.extra_compile_flag]
            run_cmd = [args.runner, artifact, "--rtol", str(rtol),
                       "--atol", str(atol)]
            run_cmd += [f"--input={name}={folder}/{npy}"
                        for name, npy in inputs.items()]
            run_cmd += [f"--compare={name}={folder}/{npy}"
                        for name, npy in outputs.items()]
            for cmd in (compile_cmd, run_cmd):
                result = subprocess.run(cmd, capture_output=True, text=True)
                if result.returncode != 0:
                    print(f"FAIL: {model}: {' '.join(cmd)}\n{result.stdout}"
                          f"{result.stderr}")
                    failed += 1
                    break
            else:
                summary = [l for l in result.stdout.splitlines()
                           if l.startswith("compare")]
                print(f"PASS: {model}: {'; '.join(summary)}")
                passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
