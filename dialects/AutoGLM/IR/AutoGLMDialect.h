//===- AutoGLMDialect.h - ag dialect declaration ----------------*- C++ -*-===//
//
// Include this to use the `ag` dialect: it pulls in the dialect, its enums,
// attributes and ops.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_DIALECT_AUTOGLM_IR_AUTOGLMDIALECT_H
#define AUTOGLM_DIALECT_AUTOGLM_IR_AUTOGLMDIALECT_H

#include "mlir/IR/Dialect.h"

#include "dialects/AutoGLM/IR/AutoGLMDialect.h.inc"

#include "dialects/AutoGLM/IR/AutoGLMOps.h"

#endif // AUTOGLM_DIALECT_AUTOGLM_IR_AUTOGLMDIALECT_H
