//===- EinsumOps.cpp - ONNX Einsum ops into ag ---------------------------------===//

#include "compiler/import/onnx/NodeContext.h"

namespace mlir::autoglm::onnx_import {

void registerEinsumHandlers(HandlerTable &table) {}

} // namespace mlir::autoglm::onnx_import
