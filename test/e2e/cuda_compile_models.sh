#!/bin/sh
# Every e2e model and tiny GLM checkpoint compiled for --target=cuda
# (sm_80 and sm_90, PTX and ptxas cubins) in each precision the CPU e2e
# tests run; nothing runs (no GPU needed). Stops at the first failure.
# Usage: cuda_compile_models.sh E2E_DIR AUTOGLM_COMPILE AUTOGLM_RUN
set -e
dir=$1; shift
py=${PYTHON:-python3}
for variant in "" --quantize=int8 --quantize=int4 --precision=bf16 --precision=fp16; do
  echo "== models $variant"
  $py "$dir/run_models.py" "$@" --target=cuda --compile-only $variant
done
for variant in "" --quantize=int8 --quantize=int4; do
  echo "== glm $variant"
  $py "$dir/run_glm.py" "$@" --target=cuda --compile-only $variant
done
