# -*- Python -*-
# lit configuration for the example plug-in's tests: AutoGLM's tools load
# the plug-in built next to this configuration (%plugin).

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "AutoGLM-SimplifyPow-plugin"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.plugin_obj_root, "test")
config.environment["FILECHECK_OPTS"] = "--enable-var-scope"

config.substitutions.append(("%plugin", config.plugin_path))
config.substitutions.append(("%autoglm_src", config.autoglm_src_root))

llvm_config.use_default_substitutions()
llvm_config.add_tool_substitutions(
    ["autoglm-opt", "autoglm-compile", "autoglm-run"],
    [config.autoglm_tools_dir])
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
config.excludes = ["Inputs"]
