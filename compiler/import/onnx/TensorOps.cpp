//===- TensorOps.cpp - ONNX Tensor ops into ag ---------------------------------===//

#include "compiler/import/onnx/NodeContext.h"

namespace mlir::autoglm::onnx_import {

void registerTensorHandlers(HandlerTable &table) {}

} // namespace mlir::autoglm::onnx_import
