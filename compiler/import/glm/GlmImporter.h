//===- GlmImporter.h - GLM checkpoints into the ag dialect ------*- C++ -*-===//
//
// Public entry points of the GLM checkpoint importer. A checkpoint is a
// Hugging Face folder: config.json (GlmForCausalLM or Glm4ForCausalLM) and
// model.safetensors or shards with model.safetensors.index.json. The
// importer builds a module with `func.func @prefill` (a chunk of
// `prefillLength` tokens) and `func.func @decode` (one token), both taking
// and returning the per-layer KV caches (`ag.state` arguments and results)
// of `maxContext` positions. docs/design/glm-importer.md describes the IR.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_IMPORT_GLM_GLMIMPORTER_H
#define AUTOGLM_COMPILER_IMPORT_GLM_GLMIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdint>
#include <string>

namespace mlir::autoglm::glm_import {

struct GlmImportOptions {
  /// Positions of the KV cache (the longest prompt + generation); a
  /// positive multiple of prefillLength.
  int64_t maxContext = 2048;
  /// Tokens per prefill call: a prompt of S tokens takes ceil(S / C) calls.
  int64_t prefillLength = 64;
};

/// Why `options` cannot be used (e.g. "--max-context 100 is not a multiple
/// of --prefill-length 64"), or an empty string when they can.
std::string checkGlmImportOptions(const GlmImportOptions &options);

/// True for a folder (which the importer then expects to hold config.json)
/// or a file named config.json: what autoglm-compile imports as a GLM
/// checkpoint rather than an ONNX model.
bool isGlmCheckpoint(StringRef path);

/// Imports the checkpoint at `path` (its folder or its config.json). Every
/// problem is written to `errs` as `file: error: what` before failing:
/// config values and tensor mismatches (missing, unexpected, wrong shape or
/// dtype) are each listed together in one error.
FailureOr<OwningOpRef<ModuleOp>>
importGlmCheckpoint(StringRef path, const GlmImportOptions &options,
                    MLIRContext &context, llvm::raw_ostream &errs);

} // namespace mlir::autoglm::glm_import

#endif // AUTOGLM_COMPILER_IMPORT_GLM_GLMIMPORTER_H
