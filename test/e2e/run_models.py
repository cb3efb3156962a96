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

# model, compile flags, input name, output name, rtol, atol.
MODELS = [
    ("models/mlp/mlp.onnx", [], "image", "probs", 1e-4, 1e-6),
    ("models/cnn/cnn.onnx", [], "image", "logits", 1e-4, 1e-5),
    ("models/transformer/transformer.onnx", ["--input-shape", "input=1x16x64"],
     "input", "output", 1e-4, 1e-5),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("compiler")
    parser.add_argument("runner")
    parser.add_argument("--extra-compile-flag", action="append", default=[])
    args = parser.parse_args()
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="agm-models-") as work:
        for model, flags, input_name, output_name, rtol, atol in MODELS:
            folder = os.path.join(ROOT, os.path.dirname(model))
            artifact = os.path.join(work, os.path.basename(model) + ".agm")
            compile_cmd = [args.compiler, os.path.join(ROOT, model), "-o",
                           artifact, *flags, *args.extra_compile_flag]
            run_cmd = [args.runner, artifact,
                       f"--input={input_name}={folder}/input.npy",
                       f"--compare={output_name}={folder}/output.npy",
                       "--rtol", str(rtol), "--atol", str(atol)]
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
                print(f"PASS: {model}: {summary[0] if summary else ''}")
                passed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
