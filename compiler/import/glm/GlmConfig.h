//===- GlmConfig.h - config.json of a GLM / GLM-4 checkpoint ----*- C++ -*-===//
//
// The fields of transformers' GlmConfig / Glm4Config that the modeling code
// reads, with those classes' defaults for absent keys (which are not the
// generic Llama-like ones: head_dim 128, rms_norm_eps 1.5625e-7, partial
// rotary factor 0.5). Rope parameters come in transformers 5.x's form
// (`rope_parameters` dict) or 4.x's (top-level `rope_theta`,
// `partial_rotary_factor`, `rope_scaling`). Every unsupported or invalid
// value is collected, so one error lists them all.
// docs/design/glm-importer.md says where each field is used.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_IMPORT_GLM_GLMCONFIG_H
#define AUTOGLM_COMPILER_IMPORT_GLM_GLMCONFIG_H

#include "mlir/Support/LLVM.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mlir::autoglm::glm_import {

enum class GlmArchitecture {
  Glm,  // GlmForCausalLM, model_type glm
  Glm4, // Glm4ForCausalLM, model_type glm4: two extra RMSNorms per layer
};

struct GlmConfig {
  GlmArchitecture architecture = GlmArchitecture::Glm;
  int64_t vocabSize = 151552;
  int64_t hiddenSize = 4096;
  int64_t intermediateSize = 13696;
  int64_t numHiddenLayers = 40;
  int64_t numAttentionHeads = 32;
  int64_t numKeyValueHeads = 2;
  /// The class default, not hidden_size / num_attention_heads.
  int64_t headDim = 128;
  std::string hiddenAct = "silu";
  double rmsNormEps = 1.5625e-07;
  bool attentionBias = true;
  bool tieWordEmbeddings = false;
  int64_t maxPositionEmbeddings = 131072;
  std::string ropeType = "default";
  double ropeTheta = 10000.0;
  double partialRotaryFactor = 0.5;

  /// "glm" or "glm4" (model_type).
  StringRef modelType() const;
  /// "GlmForCausalLM" or "Glm4ForCausalLM".
  StringRef className() const;
  /// Channels of each head that rotate: head_dim * partial_rotary_factor
  /// (validated to be a positive even integer).
  int64_t rotaryDim() const;
};

/// Parses config.json's text. On failure the error's message starts with
/// `displayName` and lists every problem, one per line.
llvm::Expected<GlmConfig> parseGlmConfig(StringRef text, StringRef displayName);

/// Reads and parses the config.json at `path`.
llvm::Expected<GlmConfig> readGlmConfig(StringRef path);

} // namespace mlir::autoglm::glm_import

#endif // AUTOGLM_COMPILER_IMPORT_GLM_GLMCONFIG_H
