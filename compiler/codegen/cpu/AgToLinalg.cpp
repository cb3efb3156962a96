//===- AgToLinalg.cpp - the ag-to-linalg pattern set and its limits -------===//

#include "compiler/codegen/cpu/AgToLinalg.h"
#include "compiler/codegen/cpu/LoweringUtils.h"
#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

using namespace mlir;
using namespace mlir::autoglm;

void mlir::autoglm::populateAgToLinalgPatterns(TypeConverter &converter,
                                               RewritePatternSet &patterns) {
  populateElementwiseToLinalgPatterns(converter, patterns);
  populateNNToLinalgPatterns(converter, patterns);
  populateReductionToLinalgPatterns(converter, patterns);
  populateDataMovementToLinalgPatterns(converter, patterns);
  populateGatherScatterToLinalgPatterns(converter, patterns);
  populateAttentionToLinalgPatterns(converter, patterns);
}

bool mlir::autoglm::isLoweredAfterLinalg(Operation *op) {
  return isa<RopeOp, KVCacheWriteOp, QuantizeOp, DequantizeOp, DequantMatmulOp>(
      op);
}

std::optional<std::string> mlir::autoglm::getUnsupportedReason(Operation *op) {
  if (!hasStaticTensorTypes(op))
    return std::string("operand and result shapes must be static");
  if (auto reduce = dyn_cast<ReduceOp>(op))
    if (reduce.getKind() == ReduceKind::log_sum_exp &&
        !isa<FloatType>(elementTypeOf(reduce.getInput())))
      return std::string("log_sum_exp is lowered for floats only");
  if (auto attention = dyn_cast<AttentionOp>(op))
    if (attention.getKvLen())
      return std::string("the KV-cache form (kv_len operand) is not "
                         "supported yet");
  return std::nullopt;
}
