# -*- Python -*-
# lit configuration for AutoGLM's FileCheck tests.

import os

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
llvm_config.add_tool_substitutions(["autoglm-opt", "autoglm-compile"], tool_dirs)
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
