//===- QuantOps.cpp - ONNX Quant ops into ag ---------------------------------===//

#include "compiler/import/onnx/NodeContext.h"

namespace mlir::autoglm::onnx_import {

void registerQuantHandlers(HandlerTable &table) {}

} // namespace mlir::autoglm::onnx_import
