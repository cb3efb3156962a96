//===- NNOps.cpp - ONNX NN ops into ag ---------------------------------===//

#include "compiler/import/onnx/NodeContext.h"

namespace mlir::autoglm::onnx_import {

void registerNNHandlers(HandlerTable &table) {}

} // namespace mlir::autoglm::onnx_import
