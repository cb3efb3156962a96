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

/// Prints the full form `mnemonic<value>` of whichever enum attribute `attr`
/// is; returns false if it is none of `Attrs`.
template <typename... Attrs>
static bool printEnumAttribute(Attribute attr, DialectAsmPrinter &printer) {
  auto tryOne = [&](auto typed) {
    if (!typed)
      return false;
    printer << decltype(typed)::getMnemonic() << "<";
    typed.print(printer);
    printer << ">";
    return true;
  };
  return (tryOne(dyn_cast<Attrs>(attr)) || ...);
}

void AutoGLMDialect::printAttribute(Attribute attr,
                                   DialectAsmPrinter &printer) const {
  if (!printEnumAttribute<
#define GET_ATTRDEF_LIST
#include "dialects/AutoGLM/IR/AutoGLMAttrs.cpp.inc"
          >(attr, printer))
    (void)generatedAttributePrinter(attr, printer);
}

/// Parses the value of the enum attribute whose mnemonic is `mnemonic`.
template <typename... Attrs>
static Attribute parseEnumAttribute(StringRef mnemonic,
                                    DialectAsmParser &parser, Type type) {
  Attribute result;
  auto tryOne = [&](StringRef candidate, auto parse) {
    if (result || mnemonic != candidate)
      return;
    result = parse(parser, type);
  };
  (tryOne(Attrs::getMnemonic(), &Attrs::parse), ...);
  return result;
}

Attribute AutoGLMDialect::parseAttribute(DialectAsmParser &parser,
                                         Type type) const {
  // The generated parser expects `mnemonic value`; the full form here is
  // `mnemonic<value>`, so dispatch by hand.
  (void)&generatedAttributeParser;
  llvm::SMLoc loc = parser.getCurrentLocation();
  StringRef mnemonic;
  if (failed(parser.parseKeyword(&mnemonic)) || failed(parser.parseLess()))
    return {};
  Attribute attr = parseEnumAttribute<
#define GET_ATTRDEF_LIST
#include "dialects/AutoGLM/IR/AutoGLMAttrs.cpp.inc"
      >(mnemonic, parser, type);
  if (!attr) {
    parser.emitError(loc, "unknown ag attribute '") << mnemonic << "'";
    return {};
  }
  if (failed(parser.parseGreater()))
    return {};
  return attr;
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
