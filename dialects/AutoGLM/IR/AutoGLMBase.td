//===- AutoGLMBase.td - ag dialect definition and shared constraints -----===//
//
// The `ag` dialect: tensor-level ops with value semantics that both importers
// (ONNX, GLM checkpoints) produce and that fusion and codegen consume.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_BASE_TD
#define AUTOGLM_BASE_TD

include "mlir/IR/OpBase.td"
include "mlir/IR/AttrTypeBase.td"
include "mlir/IR/EnumAttr.td"

def AutoGLM_Dialect : Dialect {
  let name = "ag";
  let cppNamespace = "::mlir::autoglm";
  let summary = "AutoGLM's tensor-level model dialect";
  let description = [{
    The `ag` dialect models neural networks as tensor-level ops with value
    semantics on ranked tensors. Elementwise ops follow numpy broadcasting.
    Layout conventions follow ONNX: activations of convolutions and pools are
    `N x C x spatial...`, attention operands are `batch x heads x seq x dim`.
    Every op's location names its source (ONNX node or checkpoint tensor).
  }];
  let hasConstantMaterializer = 1;
  // Enum attributes print bare in op formats and as #ag.kind<value> in full
  // (see AutoGLMDialect.cpp).
  let useDefaultAttributePrinterParser = 0;
  let extraClassDeclaration = [{
    ::mlir::Attribute parseAttribute(::mlir::DialectAsmParser &parser,
                                     ::mlir::Type type) const override;
    void printAttribute(::mlir::Attribute attr,
                        ::mlir::DialectAsmPrinter &printer) const override;
  }];
}

class AutoGLM_Op<string mnemonic, list<Trait> traits = []>
    : Op<AutoGLM_Dialect, mnemonic, traits>;

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def AG_Bool : TypeAlias<I1, "bool">;

/// Element types a model tensor may carry.
def AG_ElementType : AnyTypeOf<[AnyFloat, AnyInteger, Index]>;
def AG_Tensor : RankedTensorOf<[AG_ElementType]>;
def AG_FloatTensor : RankedTensorOf<[AnyFloat]>;
def AG_IntTensor : RankedTensorOf<[AnyInteger]>;
def AG_BoolTensor : RankedTensorOf<[I1]>;
def AG_NumericTensor : RankedTensorOf<[AnyFloat, AnySignlessInteger,
                                       AnySignedInteger, AnyUnsignedInteger]>;
def AG_IndexTensor : RankedTensorOf<[I32, I64, SI32, SI64]>;
/// Positions produced by arg_reduce and topk (ONNX returns int64).
def AG_I64Tensor : RankedTensorOf<[I64]>;
/// A 0-d integer tensor holding a position or a length.
def AG_ScalarIntTensor : 0DTensorOf<[I32, I64, SI32, SI64]>;
/// Storage of quantized values: 4, 8 or 16-bit integers of any signedness.
def AG_QuantStorageTensor : RankedTensorOf<[I<4>, SI<4>, UI<4>, I8, SI8, UI8,
                                            I16, SI16, UI16]>;

//===----------------------------------------------------------------------===//
// Enums
//===----------------------------------------------------------------------===//

/// Enum attributes print as a bare keyword (`sum`, `half_pixel`) in op
/// formats; upstream's default format would add a second space. The dialect
/// wraps the full form in `<>`: `#ag.reduce_kind<sum>`.
class AG_EnumAttr<EnumInfo info, string name>
    : EnumAttr<AutoGLM_Dialect, info, name> {
  let assemblyFormat = ?;
  let hasCustomAssemblyFormat = 1;
  let extraClassDefinition = [{
    ::mlir::Attribute $cppClass::parse(::mlir::AsmParser &parser, ::mlir::Type) {
      ::llvm::SMLoc loc = parser.getCurrentLocation();
      ::llvm::StringRef keyword;
      if (::mlir::failed(parser.parseKeyword(&keyword)))
        return {};
      auto value = ::mlir::autoglm::symbolizeEnum<::mlir::autoglm::}]
      # info.className # [{>(keyword);
      if (!value) {
        parser.emitError(loc, "unknown }] # info.summary # [{ '")
            << keyword << "'";
        return {};
      }
      return $cppClass::get(parser.getContext(), *value);
    }
    void $cppClass::print(::mlir::AsmPrinter &printer) const {
      printer << ::mlir::autoglm::stringifyEnum(getValue());
    }
  }];
}

def AG_CompareKind : I32EnumAttr<"CompareKind", "comparison predicate", [
    I32EnumAttrCase<"eq", 0>, I32EnumAttrCase<"ne", 1>,
    I32EnumAttrCase<"lt", 2>, I32EnumAttrCase<"le", 3>,
    I32EnumAttrCase<"gt", 4>, I32EnumAttrCase<"ge", 5>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::autoglm";
}
def AG_CompareKindAttr : AG_EnumAttr<AG_CompareKind, "compare_kind">;

def AG_ReduceKind : I32EnumAttr<"ReduceKind", "reduction kind", [
    I32EnumAttrCase<"sum", 0>, I32EnumAttrCase<"mean", 1>,
    I32EnumAttrCase<"max", 2>, I32EnumAttrCase<"min", 3>,
    I32EnumAttrCase<"prod", 4>, I32EnumAttrCase<"sum_square", 5>,
    I32EnumAttrCase<"l1", 6>, I32EnumAttrCase<"l2", 7>,
    I32EnumAttrCase<"log_sum", 8>, I32EnumAttrCase<"log_sum_exp", 9>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::autoglm";
}
def AG_ReduceKindAttr : AG_EnumAttr<AG_ReduceKind, "reduce_kind">;

def AG_PoolKind : I32EnumAttr<"PoolKind", "pooling kind", [
    I32EnumAttrCase<"max", 0>, I32EnumAttrCase<"avg", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::autoglm";
}
def AG_PoolKindAttr : AG_EnumAttr<AG_PoolKind, "pool_kind">;

def AG_ArgReduceKind : I32EnumAttr<"ArgReduceKind",
    "which extreme an arg reduction locates", [
    I32EnumAttrCase<"max", 0>, I32EnumAttrCase<"min", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::autoglm";
}
def AG_ArgReduceKindAttr
    : AG_EnumAttr<AG_ArgReduceKind, "arg_reduce_kind">;

def AG_ScatterReduction : I32EnumAttr<"ScatterReduction",
    "how a scattered update combines with the element it lands on", [
    I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"add", 1>,
    I32EnumAttrCase<"mul", 2>, I32EnumAttrCase<"max", 3>,
    I32EnumAttrCase<"min", 4>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::autoglm";
}
def AG_ScatterReductionAttr
    : AG_EnumAttr<AG_ScatterReduction, "scatter_reduction">;

def AG_PadMode : I32EnumAttr<"PadMode", "padding mode", [
    I32EnumAttrCase<"constant", 0>, I32EnumAttrCase<"reflect", 1>,
    I32EnumAttrCase<"edge", 2>, I32EnumAttrCase<"wrap", 3>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::autoglm";
}
def AG_PadModeAttr : AG_EnumAttr<AG_PadMode, "pad_mode">;

def AG_ResizeMode : I32EnumAttr<"ResizeMode", "interpolation mode", [
    I32EnumAttrCase<"nearest", 0>, I32EnumAttrCase<"linear", 1>,
    I32EnumAttrCase<"cubic", 2>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::autoglm";
}
def AG_ResizeModeAttr : AG_EnumAttr<AG_ResizeMode, "resize_mode">;

def AG_CoordinateMode : I32EnumAttr<"CoordinateMode",
    "how an output coordinate maps to an input coordinate in resize", [
    I32EnumAttrCase<"half_pixel", 0>, I32EnumAttrCase<"pytorch_half_pixel", 1>,
    I32EnumAttrCase<"align_corners", 2>, I32EnumAttrCase<"asymmetric", 3>,
    I32EnumAttrCase<"half_pixel_symmetric", 4>,
    I32EnumAttrCase<"tf_half_pixel_for_nn", 5>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::autoglm";
}
def AG_CoordinateModeAttr
    : AG_EnumAttr<AG_CoordinateMode, "coordinate_mode">;

def AG_NearestMode : I32EnumAttr<"NearestMode",
    "rounding of the input coordinate in nearest resize", [
    I32EnumAttrCase<"round_prefer_floor", 0>,
    I32EnumAttrCase<"round_prefer_ceil", 1>,
    I32EnumAttrCase<"floor", 2>, I32EnumAttrCase<"ceil", 3>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::autoglm";
}
def AG_NearestModeAttr
    : AG_EnumAttr<AG_NearestMode, "nearest_mode">;

def AG_GeluApproximation : I32EnumAttr<"GeluApproximation",
    "gelu formula", [
    I32EnumAttrCase<"none", 0>, I32EnumAttrCase<"tanh", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::autoglm";
}
def AG_GeluApproximationAttr
    : AG_EnumAttr<AG_GeluApproximation, "gelu_approximation">;

def AG_RopeLayout : I32EnumAttr<"RopeLayout",
    "which channels of the rotary part form a rotated pair", [
    I32EnumAttrCase<"interleaved", 0>, I32EnumAttrCase<"half", 1>]> {
  let genSpecializedAttr = 0;
  let cppNamespace = "::mlir::autoglm";
}
def AG_RopeLayoutAttr : AG_EnumAttr<AG_RopeLayout, "rope_layout">;

#endif // AUTOGLM_BASE_TD
