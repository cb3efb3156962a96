//===- Passes.h - AutoGLM passes --------------------------------*- C++ -*-===//
//
// Declares every AutoGLM pass (create*Pass, options structs) and
// registerAutoGLMPasses(), all generated from Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_PASSES_PASSES_H
#define AUTOGLM_PASSES_PASSES_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/Pass.h"
#include "passes/PassStatistics.h"

namespace mlir::autoglm {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace mlir::autoglm

#endif // AUTOGLM_PASSES_PASSES_H
