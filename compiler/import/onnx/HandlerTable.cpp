//===- HandlerTable.cpp - the ONNX op type -> handler table --------------===//

#include "compiler/import/onnx/NodeContext.h"

namespace mlir::autoglm::onnx_import {

const HandlerTable &getHandlerTable() {
  static const HandlerTable table = [] {
    HandlerTable t;
    registerMathHandlers(t);
    registerNNHandlers(t);
    registerReductionHandlers(t);
    registerTensorHandlers(t);
    registerQuantHandlers(t);
    registerEinsumHandlers(t);
    registerNormalizationHandlers(t);
    return t;
  }();
  return table;
}

} // namespace mlir::autoglm::onnx_import
