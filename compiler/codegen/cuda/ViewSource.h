//===- ViewSource.h - the buffer a memref view is of ------------*- C++ -*-===//

#ifndef AUTOGLM_COMPILER_CODEGEN_CUDA_VIEWSOURCE_H
#define AUTOGLM_COMPILER_CODEGEN_CUDA_VIEWSOURCE_H

#include "mlir/IR/Value.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::autoglm {

/// The buffer `value` is a view of, through any chain of view-like ops
/// (itself when it is not a view).
inline Value viewSourceBuffer(Value value) {
  while (Operation *def = value.getDefiningOp()) {
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      break;
    value = view.getViewSource();
  }
  return value;
}

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_CODEGEN_CUDA_VIEWSOURCE_H
