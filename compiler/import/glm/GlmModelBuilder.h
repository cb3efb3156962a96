//===- GlmModelBuilder.h - the ag IR of a GLM model -------------*- C++ -*-===//
//
// Internal to the GLM importer: which checkpoint tensors an architecture
// expects, and the module of @prefill / @decode built from them.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_IMPORT_GLM_GLMMODELBUILDER_H
#define AUTOGLM_COMPILER_IMPORT_GLM_GLMMODELBUILDER_H

#include "compiler/import/glm/GlmConfig.h"
#include "compiler/import/glm/GlmImporter.h"

#include "mlir/IR/BuiltinAttributeInterfaces.h"
#include "llvm/ADT/StringMap.h"

#include <vector>

namespace mlir::autoglm::glm_import {

/// A checkpoint tensor the model reads, with its shape.
struct ExpectedTensor {
  std::string name;
  SmallVector<int64_t> shape;
  /// lm_head.weight of a tied model: used when present, else the embedding.
  bool optional = false;
};

/// Every tensor `config`'s architecture reads (transformers' names).
std::vector<ExpectedTensor> expectedGlmTensors(const GlmConfig &config);

/// The imported weights (f32), by checkpoint name: one attribute per tensor,
/// shared by both functions.
struct GlmWeights {
  llvm::StringMap<ElementsAttr> tensors;
  /// The tensor the logits are computed with: lm_head.weight, or
  /// model.embed_tokens.weight when a tied checkpoint has no lm_head.
  std::string lmHead;
};

/// Builds the module of @prefill and @decode (see GlmImporter.h). Returns
/// null after reporting to `errs` if it fails to verify (an importer bug).
OwningOpRef<ModuleOp> buildGlmModule(const GlmConfig &config,
                                     const GlmImportOptions &options,
                                     const GlmWeights &weights,
                                     Location location, MLIRContext &context,
                                     llvm::raw_ostream &errs);

} // namespace mlir::autoglm::glm_import

#endif // AUTOGLM_COMPILER_IMPORT_GLM_GLMMODELBUILDER_H
