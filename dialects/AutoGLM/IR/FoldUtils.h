//===- FoldUtils.h - attribute matchers for ag folds ------------*- C++ -*-===//

#ifndef AUTOGLM_DIALECT_AUTOGLM_IR_FOLDUTILS_H
#define AUTOGLM_DIALECT_AUTOGLM_IR_FOLDUTILS_H

#include "mlir/IR/BuiltinAttributes.h"

#include <optional>
#include <vector>

namespace mlir::autoglm {

/// True if `attr` is a dense splat whose every element equals `value`
/// (compared as a double for floats, as an integer for integers and i1).
bool isSplatOf(Attribute attr, double value);

/// The f32 elements of a constant's value in row-major order (dense, splats
/// expanded, or dense_resource blobs); nullopt for other element types or
/// attribute kinds.
std::optional<std::vector<float>> getF32Values(ElementsAttr attr);

} // namespace mlir::autoglm

#endif // AUTOGLM_DIALECT_AUTOGLM_IR_FOLDUTILS_H
