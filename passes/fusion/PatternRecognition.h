//===- PatternRecognition.h - decomposed patterns to fused ag ops -*- C++ -*-===//
//
// The first stage of ag-fuse: rewrites of the decomposed forms that exporters
// emit (torch.onnx.export below the opsets that have the fused operators)
// into the fused ag ops: layer_norm, rms_norm, gelu, silu, softmax and
// attention. Patterns are split by family; each rewrites only when every
// intermediate value of the match is used inside the match, its constants
// are constants with the expected values, and the fused op computes exactly
// what the decomposed one did (same shapes, axes the fused op can express).
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_PASSES_FUSION_PATTERNRECOGNITION_H
#define AUTOGLM_PASSES_FUSION_PATTERNRECOGNITION_H

#include "mlir/IR/PatternMatch.h"

#include <cstdint>

namespace mlir::autoglm {

/// How many patterns of each kind were rewritten (the pass turns these into
/// its statistics). Patterns given no counter count nothing.
struct RecognitionCounts {
  int64_t layerNorms = 0;
  int64_t rmsNorms = 0;
  int64_t gelus = 0;
  int64_t silus = 0;
  int64_t softmaxes = 0;
  int64_t attentions = 0;
};

/// LayerNorm (mean/sub/pow/mean/add/sqrt/div, optional scale and bias) and
/// RMSNorm (pow/mean/add/rsqrt/mul times a weight, with or without casts).
void populateNormPatterns(RewritePatternSet &patterns,
                          RecognitionCounts *counts = nullptr);

/// GELU (erf and tanh forms, any association of the products) and SiLU.
void populateActivationPatterns(RewritePatternSet &patterns,
                                RecognitionCounts *counts = nullptr);

/// exp(x - max(x)) / sum(exp(x - max(x))) along one axis.
void populateSoftmaxPatterns(RewritePatternSet &patterns,
                             RecognitionCounts *counts = nullptr);

/// softmax(q k^T * scale (+ mask)) v, with GQA head repetition (HF
/// repeat_kv) folded into the attention op and causal masks made `causal`.
void populateAttentionPatterns(RewritePatternSet &patterns,
                               RecognitionCounts *counts = nullptr);

/// Every family above.
void populatePatternRecognition(RewritePatternSet &patterns,
                                RecognitionCounts *counts = nullptr);

} // namespace mlir::autoglm

#endif // AUTOGLM_PASSES_FUSION_PATTERNRECOGNITION_H
