//===- HandlerUtils.h - small helpers every handler family uses -*- C++ -*-===//

#ifndef AUTOGLM_COMPILER_IMPORT_ONNX_HANDLERUTILS_H
#define AUTOGLM_COMPILER_IMPORT_ONNX_HANDLERUTILS_H

#include "compiler/import/onnx/NodeContext.h"

#include <string>

namespace mlir::autoglm::onnx_import {

/// The ranked tensor type of an imported value (all of them are).
inline RankedTensorType typeOf(Value value) {
  return cast<RankedTensorType>(value.getType());
}
inline Type elementTypeOf(Value value) {
  return typeOf(value).getElementType();
}

/// `f32`, `tensor<2x3xi8>`, ... for messages.
std::string typeName(Type type);

/// Binds output `output` to `value` when it was built; propagates failure.
LogicalResult bind(NodeContext &ctx, FailureOr<Value> value,
                   unsigned output = 0);

/// `value` converted to `elementType` (no op when it already is).
FailureOr<Value> castTo(NodeContext &ctx, Value value, Type elementType);

} // namespace mlir::autoglm::onnx_import

#endif // AUTOGLM_COMPILER_IMPORT_ONNX_HANDLERUTILS_H
