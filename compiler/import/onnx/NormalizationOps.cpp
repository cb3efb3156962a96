//===- NormalizationOps.cpp - ONNX Normalization ops into ag ---------------------------------===//

#include "compiler/import/onnx/NodeContext.h"

namespace mlir::autoglm::onnx_import {

void registerNormalizationHandlers(HandlerTable &table) {}

} // namespace mlir::autoglm::onnx_import
