//===- FoldUtils.h - attribute matchers for ag folds ------------*- C++ -*-===//

#ifndef AUTOGLM_DIALECT_AUTOGLM_IR_FOLDUTILS_H
#define AUTOGLM_DIALECT_AUTOGLM_IR_FOLDUTILS_H

#include "mlir/IR/BuiltinAttributes.h"

namespace mlir::autoglm {

/// True if `attr` is a dense splat whose every element equals `value`
/// (compared as a double for floats, as an integer for integers and i1).
bool isSplatOf(Attribute attr, double value);

} // namespace mlir::autoglm

#endif // AUTOGLM_DIALECT_AUTOGLM_IR_FOLDUTILS_H
