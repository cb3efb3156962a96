//===- ReductionOps.cpp - ONNX Reduction ops into ag ---------------------------------===//

#include "compiler/import/onnx/NodeContext.h"

namespace mlir::autoglm::onnx_import {

void registerReductionHandlers(HandlerTable &table) {}

} // namespace mlir::autoglm::onnx_import
