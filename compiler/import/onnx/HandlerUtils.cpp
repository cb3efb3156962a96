//===- HandlerUtils.cpp - small helpers every handler family uses --------===//

#include "compiler/import/onnx/HandlerUtils.h"

#include "llvm/Support/raw_ostream.h"

namespace mlir::autoglm::onnx_import {

std::string typeName(Type type) {
  std::string text;
  llvm::raw_string_ostream(text) << type;
  return text;
}

LogicalResult bind(NodeContext &ctx, FailureOr<Value> value,
                   unsigned output) {
  if (failed(value))
    return failure();
  ctx.setOutput(output, *value);
  return success();
}

FailureOr<Value> castTo(NodeContext &ctx, Value value, Type elementType) {
  if (elementTypeOf(value) == elementType)
    return value;
  return ctx.makeTyped<CastOp>(typeOf(value).clone(elementType), value);
}

} // namespace mlir::autoglm::onnx_import
