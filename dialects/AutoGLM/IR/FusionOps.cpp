//===- FusionOps.cpp - ag.fusion and ag.yield ----------------------------===//

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

namespace mlir::autoglm {

LogicalResult FusionOp::verify() {
  Block &body = getBody().front();
  auto yield = cast<YieldOp>(body.getTerminator());
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError("yields ")
           << yield.getValues().getTypes() << " but the group's results are "
           << getResultTypes();
  for (Operation &op : body.without_terminator()) {
    if (!isa_and_nonnull<AutoGLMDialect>(op.getDialect()))
      return op.emitOpError("cannot be part of an ag.fusion group (only ag "
                            "ops compile into a dispatch)");
    if (isa<FusionOp>(op))
      return op.emitOpError("cannot be nested in another ag.fusion group");
  }
  return success();
}

} // namespace mlir::autoglm
