//===- AutoGLMDialect.cpp - ag dialect registration and constants ---------===//
//
// Registers the dialect and holds the generated op, enum and attribute
// definitions. Op-specific verifiers, inference and folds live in the
// per-family files (ElementwiseOps.cpp, NNOps.cpp, ...).
//
//===----------------------------------------------------------------------===//

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::autoglm;

#include "dialects/AutoGLM/IR/AutoGLMDialect.cpp.inc"
#include "dialects/AutoGLM/IR/AutoGLMEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/AutoGLM/IR/AutoGLMAttrs.cpp.inc"

#define GET_OP_CLASSES
#include "dialects/AutoGLM/IR/AutoGLMOps.cpp.inc"

void AutoGLMDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/AutoGLM/IR/AutoGLMAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "dialects/AutoGLM/IR/AutoGLMOps.cpp.inc"
      >();
}

Operation *AutoGLMDialect::materializeConstant(OpBuilder &builder,
                                               Attribute value, Type type,
                                               Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return ConstantOp::create(builder, loc, type, elements);
}

//===----------------------------------------------------------------------===//
// ConstantOp
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValue(); }

void ConstantOp::getAsmResultNames(OpAsmSetValueNameFn setNameFn) {
  setNameFn(getResult(), "cst");
}
