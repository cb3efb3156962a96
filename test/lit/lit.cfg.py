# -*- Python -*-
# lit configuration for AutoGLM's FileCheck tests.

import os
import shutil
import subprocess

import lit.formats
from lit.llvm import llvm_config

config.name = "AutoGLM"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.excludes = ["Inputs", "lit.cfg.py", "lit.site.cfg.py", "make_broken_models.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.autoglm_obj_root, "test", "lit")

# Captured FileCheck variables die at each CHECK-LABEL.
config.environment["FILECHECK_OPTS"] = "--enable-var-scope"

config.substitutions.append(("%autoglm_src", config.autoglm_src_root))

llvm_config.use_default_substitutions()
tool_dirs = [os.path.join(config.autoglm_obj_root, "bin"), config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["autoglm-opt", "autoglm-compile", "autoglm-run"], tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

# Numeric tests of generated code (test/lit/Codegen/CPU/run-*.mlir): lower
# with %lower_to_llvm after ag-to-linalg and run on mlir-runner with MLIR's
# runner utils (printMemref*), which Debian ships under the LLVM prefix.
llvm_lib_dir = os.path.join(os.path.dirname(config.llvm_tools_dir), "lib")
config.substitutions.append(
    ("%mlir_runner_utils", os.path.join(llvm_lib_dir, "libmlir_runner_utils.so")))
config.substitutions.append(
    ("%mlir_c_runner_utils", os.path.join(llvm_lib_dir, "libmlir_c_runner_utils.so")))
config.substitutions.append(
    ("%lower_to_llvm",
     "--one-shot-bufferize=bufferize-function-boundaries "
     "--convert-linalg-to-loops --convert-scf-to-cf --expand-strided-metadata "
     "--lower-affine --convert-math-to-funcs=convert-ctlz=false "
     "--convert-math-to-llvm --convert-math-to-libm --convert-to-llvm "
     "--reconcile-unrealized-casts"))
llvm_config.add_tool_substitutions(["mlir-runner"], [config.llvm_tools_dir])

# CUDA codegen tests that assemble the PTX (test/lit/Codegen/CUDA): `ptxas`
# from PATH or the CUDA toolkit's default prefix.
ptxas = shutil.which("ptxas") or (
    "/usr/local/cuda/bin/ptxas"
    if os.access("/usr/local/cuda/bin/ptxas", os.X_OK) else None)
if ptxas:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))

# The SIMT emulator of the CUDA kernels needs numpy in the python3 on PATH
# (scripts/bootstrap installs it): `REQUIRES: numpy`.
try:
    if subprocess.run(["python3", "-c", "import numpy"],
                      capture_output=True, timeout=60).returncode == 0:
        config.available_features.add("numpy")
except (OSError, subprocess.SubprocessError):
    pass

# Whole CUDA dispatches on the SIMT emulator against the CPU
# (test/lit/Codegen/CUDA/dispatch-emulation.test): python3 with numpy, as the
# GEMM emulation test.
config.substitutions.append(
    ("%emulate",
     "python3 " + os.path.join(config.autoglm_src_root, "test", "e2e",
                               "cuda_emulated_conformance.py")
     + " " + os.path.join(config.autoglm_obj_root, "bin", "autoglm-compile")
     + " mlir-opt --runner "
     + os.path.join(config.autoglm_obj_root, "bin", "autoglm-run")
     + " --model"))

# Tests that run CUDA artifacts on a real GPU (REQUIRES: cuda): only where
# nvidia-smi lists one; everywhere else they are skipped (the executor's
# other tests use a mock driver).
nvidia_smi = shutil.which("nvidia-smi")
if nvidia_smi:
    try:
        listed = subprocess.run([nvidia_smi, "-L"], capture_output=True,
                                text=True, timeout=30)
        if listed.returncode == 0 and "GPU " in listed.stdout:
            config.available_features.add("cuda")
    except (OSError, subprocess.SubprocessError):
        pass
