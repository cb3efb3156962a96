//===- AutoGLMOps.h - ag dialect ops ----------------------------*- C++ -*-===//

#ifndef AUTOGLM_DIALECT_AUTOGLM_IR_AUTOGLMOPS_H
#define AUTOGLM_DIALECT_AUTOGLM_IR_AUTOGLMOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "dialects/AutoGLM/IR/AutoGLMEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/AutoGLM/IR/AutoGLMAttrs.h.inc"

#include "dialects/AutoGLM/IR/ShapeUtils.h"

#define GET_OP_CLASSES
#include "dialects/AutoGLM/IR/AutoGLMOps.h.inc"

#endif // AUTOGLM_DIALECT_AUTOGLM_IR_AUTOGLMOPS_H
