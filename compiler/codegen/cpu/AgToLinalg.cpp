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
  populateLLMToLinalgPatterns(converter, patterns);
  populateQuantToLinalgPatterns(converter, patterns);
}

std::optional<std::string> mlir::autoglm::getUnsupportedReason(Operation *op) {
  if (!hasStaticTensorTypes(op))
    return std::string("operand and result shapes must be static");
  if (auto reduce = dyn_cast<ReduceOp>(op))
    if (reduce.getKind() == ReduceKind::log_sum_exp &&
        !isa<FloatType>(elementTypeOf(reduce.getInput())))
      return std::string("log_sum_exp is lowered for floats only");
  if (auto dequantMatmul = dyn_cast<DequantMatmulOp>(op))
    return getDequantMatmulUnsupportedReason(dequantMatmul);
  // Packed 4-bit tensors are readable by the quantized GEMM only.
  if (isa<QuantizeOp, DequantizeOp>(op))
    for (Value v : llvm::concat<Value>(op->getOperands(), op->getResults()))
      if (auto type = dyn_cast<RankedTensorType>(v.getType());
          type && type.getElementType().isInteger(4))
        return std::string("4-bit tensors are lowered only as "
                           "dequant_matmul weights");
  return std::nullopt;
}
