//===- AutoGLMOps.td - ag dialect operations -----------------*- tablegen -*-===//
//
// The op set of DESIGN.md section 3. Families: constant, elementwise
// (unary/binary with numpy broadcasting, compare, select, cast), NN (matmul,
// conv, conv_transpose, pool, reduce, arg_reduce, cumsum, topk, softmax,
// norms), data movement (including gather and scatter), LLM and quantization.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_OPS_TD
#define AUTOGLM_OPS_TD

include "dialects/AutoGLM/IR/AutoGLMBase.td"
include "mlir/IR/OpAsmInterface.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Constant
//===----------------------------------------------------------------------===//

def AG_ConstantOp : AutoGLM_Op<"constant", [ConstantLike, Pure,
    AllTypesMatch<["value", "result"]>,
    DeclareOpInterfaceMethods<OpAsmOpInterface, ["getAsmResultNames"]>]> {
  let summary = "tensor constant (weights, shapes, scalars)";
  let description = [{
    A constant tensor. Weights use `DenseResourceElementsAttr` blobs so that
    they are shared, never copied per op, and elided in IR dumps; small values
    use `dense<...>`.

    ```mlir
    %0 = ag.constant dense<[1.0, 2.0]> : tensor<2xf32>
    %w = ag.constant dense_resource<fc1.weight> : tensor<256x784xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs AG_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Fusion groups
//===----------------------------------------------------------------------===//

def AG_FusionOp : AutoGLM_Op<"fusion", [RecursiveMemoryEffects,
    RecursivelySpeculatable, SingleBlockImplicitTerminator<"YieldOp">]> {
  let summary = "ops that compile into one dispatch (one kernel)";
  let description = [{
    A group of `ag` ops formed by `ag-fuse` (elementwise chains, a matmul or
    conv with its epilogue) that dispatch formation outlines as one kernel,
    so intermediate values stay in registers or cache instead of round trips
    through memory. The body reads values defined above it (no block
    arguments) and yields the group's results.

    ```mlir
    %y = ag.fusion -> tensor<16x3072xf32> {
      %0 = ag.matmul %x, %w bias %b
          : (tensor<16x768xf32>, tensor<768x3072xf32>, tensor<3072xf32>)
          -> tensor<16x3072xf32>
      %1 = ag.gelu %0 : tensor<16x3072xf32>
      ag.yield %1 : tensor<16x3072xf32>
    }
    ```
  }];
  let results = (outs Variadic<AG_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = "(`->` type($results)^)? $body attr-dict";
  let hasVerifier = 1;
}

def AG_YieldOp : AutoGLM_Op<"yield", [Pure, Terminator,
    HasParent<"FusionOp">]> {
  let summary = "the results of an `ag.fusion` group";
  let description = [{
    Terminates the body of `ag.fusion`; its operands become the group's
    results.
  }];
  let arguments = (ins Variadic<AG_Tensor>:$values);
  let builders = [OpBuilder<(ins), [{ /* nothing to yield */ }]>];
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
}

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

class AG_UnaryOp<string mnemonic, Type tensorType, string what,
                 list<Trait> traits = []>
    : AutoGLM_Op<mnemonic, !listconcat(traits,
        [Pure, Elementwise, SameOperandsAndResultType])> {
  let summary = "elementwise " # what;
  let description = "Computes " # what # " of each element; the result has "
    # "the operand's type.\n\n```mlir\n%y = ag." # mnemonic
    # " %x : tensor<2x4xf32>\n```";
  let arguments = (ins tensorType:$input);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
}

def AG_AbsOp : AG_UnaryOp<"abs", AG_NumericTensor, "absolute value |x|">;
def AG_NegOp : AG_UnaryOp<"neg", AG_NumericTensor, "negation -x">;
def AG_SignOp : AG_UnaryOp<"sign", AG_NumericTensor, "sign (-1, 0 or 1)">;
def AG_ReluOp : AG_UnaryOp<"relu", AG_NumericTensor, "rectifier max(x, 0)">;
def AG_ExpOp : AG_UnaryOp<"exp", AG_FloatTensor, "exponential e^x">;
def AG_LogOp : AG_UnaryOp<"log", AG_FloatTensor, "natural logarithm">;
def AG_SqrtOp : AG_UnaryOp<"sqrt", AG_FloatTensor, "square root">;
def AG_RsqrtOp : AG_UnaryOp<"rsqrt", AG_FloatTensor, "reciprocal square root">;
def AG_ReciprocalOp : AG_UnaryOp<"reciprocal", AG_FloatTensor, "reciprocal 1/x">;
def AG_SinOp : AG_UnaryOp<"sin", AG_FloatTensor, "sine">;
def AG_CosOp : AG_UnaryOp<"cos", AG_FloatTensor, "cosine">;
def AG_TanOp : AG_UnaryOp<"tan", AG_FloatTensor, "tangent">;
def AG_AsinOp : AG_UnaryOp<"asin", AG_FloatTensor, "arcsine">;
def AG_AcosOp : AG_UnaryOp<"acos", AG_FloatTensor, "arccosine">;
def AG_AtanOp : AG_UnaryOp<"atan", AG_FloatTensor, "arctangent">;
def AG_SinhOp : AG_UnaryOp<"sinh", AG_FloatTensor, "hyperbolic sine">;
def AG_CoshOp : AG_UnaryOp<"cosh", AG_FloatTensor, "hyperbolic cosine">;
def AG_AsinhOp : AG_UnaryOp<"asinh", AG_FloatTensor, "inverse hyperbolic sine">;
def AG_AcoshOp : AG_UnaryOp<"acosh", AG_FloatTensor, "inverse hyperbolic cosine">;
def AG_AtanhOp : AG_UnaryOp<"atanh", AG_FloatTensor, "inverse hyperbolic tangent">;
def AG_TanhOp : AG_UnaryOp<"tanh", AG_FloatTensor, "hyperbolic tangent">;
def AG_ErfOp : AG_UnaryOp<"erf", AG_FloatTensor, "Gauss error function">;
def AG_SigmoidOp : AG_UnaryOp<"sigmoid", AG_FloatTensor, "logistic 1/(1+e^-x)">;
def AG_SiluOp : AG_UnaryOp<"silu", AG_FloatTensor, "SiLU (swish) x*sigmoid(x)">;
def AG_SoftplusOp : AG_UnaryOp<"softplus", AG_FloatTensor, "softplus log(1+e^x)">;
def AG_FloorOp : AG_UnaryOp<"floor", AG_FloatTensor, "rounding toward -inf">;
def AG_CeilOp : AG_UnaryOp<"ceil", AG_FloatTensor, "rounding toward +inf">;
def AG_RoundOp : AG_UnaryOp<"round", AG_FloatTensor,
                            "rounding to nearest, ties to even">;
def AG_NotOp : AG_UnaryOp<"not", AG_BoolTensor, "logical negation">;

def AG_GeluOp : AutoGLM_Op<"gelu", [Pure, Elementwise,
                                    SameOperandsAndResultType]> {
  let summary = "elementwise GELU";
  let description = [{
    `x * Phi(x)` with the exact erf form (`approximation none`, the default)
    or the tanh approximation `0.5x(1+tanh(sqrt(2/pi)(x+0.044715x^3)))`.

    ```mlir
    %y = ag.gelu %x : tensor<2x8xf32>
    %z = ag.gelu %x approximation tanh : tensor<2x8xf32>
    ```
  }];
  let arguments = (ins AG_FloatTensor:$input,
      DefaultValuedAttr<AG_GeluApproximationAttr,
                        "GeluApproximation::none">:$approximation);
  let results = (outs AG_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`approximation` $approximation^)? attr-dict `:` type($input)
  }];
}

def AG_ClampOp : AutoGLM_Op<"clamp", [Pure, Elementwise,
                                      SameOperandsAndResultType]> {
  let summary = "elementwise clamp to [min, max]";
  let description = [{
    Clamps each element to `[min, max]`; a missing bound is unbounded.
    Bounds are given as f64 and converted to the element type.

    ```mlir
    %y = ag.clamp %x min 0.0 max 6.0 : tensor<4xf32>
    ```
  }];
  let arguments = (ins AG_NumericTensor:$input, OptionalAttr<F64Attr>:$min,
                       OptionalAttr<F64Attr>:$max);
  let results = (outs AG_NumericTensor:$result);
  let assemblyFormat = [{
    $input (`min` $min^)? (`max` $max^)? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def AG_LeakyReluOp : AutoGLM_Op<"leaky_relu", [Pure, Elementwise,
                                               SameOperandsAndResultType]> {
  let summary = "elementwise leaky rectifier";
  let description = [{
    `x` where `x >= 0`, `alpha * x` elsewhere.

    ```mlir
    %y = ag.leaky_relu %x alpha 0.01 : tensor<4xf32>
    ```
  }];
  let arguments = (ins AG_FloatTensor:$input, F64Attr:$alpha);
  let results = (outs AG_FloatTensor:$result);
  let assemblyFormat = "$input `alpha` $alpha attr-dict `:` type($input)";
}

class AG_FloatPredicateOp<string mnemonic, string what>
    : AutoGLM_Op<mnemonic, [Pure, Elementwise, SameOperandsAndResultShape,
                            DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "elementwise test: " # what;
  let description = "Yields `i1` true where the element is " # what
    # ".\n\n```mlir\n%m = ag." # mnemonic # " %x : tensor<4xf32>\n```";
  let arguments = (ins AG_FloatTensor:$input);
  let results = (outs AG_BoolTensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input)";
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location>,
        ::mlir::ValueRange operands, ::mlir::DictionaryAttr,
        ::mlir::OpaqueProperties, ::mlir::RegionRange,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      auto type = ::llvm::cast<::mlir::RankedTensorType>(operands[0].getType());
      inferred.push_back(type.clone(::mlir::IntegerType::get(context, 1)));
      return ::mlir::success();
    }
  }];
}
def AG_IsNanOp : AG_FloatPredicateOp<"is_nan", "NaN">;
def AG_IsInfOp : AG_FloatPredicateOp<"is_inf", "+inf or -inf">;

//===----------------------------------------------------------------------===//
// Elementwise binary and ternary, numpy broadcasting
//===----------------------------------------------------------------------===//

/// Shared by every broadcasting op: the result shape is the numpy broadcast of
/// the operand shapes; the element type is that of `lhs` (or i1).
class AG_BroadcastOp<string mnemonic, list<Trait> traits = []>
    : AutoGLM_Op<mnemonic, !listconcat(traits,
        [Pure, DeclareOpInterfaceMethods<InferTypeOpInterface>])>;

class AG_BinaryOp<string mnemonic, Type tensorType, string what,
                  list<Trait> traits = []>
    : AG_BroadcastOp<mnemonic, traits> {
  let summary = "elementwise " # what # " with broadcasting";
  let description = "Computes " # what # " elementwise; the operands "
    # "broadcast numpy-style and share their element type.\n\n```mlir\n"
    # "%z = ag." # mnemonic # " %x, %y : tensor<2x4xf32>, tensor<4xf32>\n```";
  let arguments = (ins tensorType:$lhs, tensorType:$rhs);
  let results = (outs tensorType:$result);
  let assemblyFormat = "$lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)";
  let hasVerifier = 1;
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(
        ::mlir::MLIRContext *context, std::optional<::mlir::Location> location,
        ::mlir::ValueRange operands, ::mlir::DictionaryAttr attributes,
        ::mlir::OpaqueProperties properties, ::mlir::RegionRange regions,
        ::llvm::SmallVectorImpl<::mlir::Type> &inferred) {
      return inferBroadcastType(location, operands, /*resultElement=*/{},
                                inferred);
    }
    ::llvm::LogicalResult $cppClass::verify() {
      return verifySameElementTypes(getOperation(), {getLhs(), getRhs()});
    }
  }];
}

def AG_AddOp : AG_BinaryOp<"add", AG_NumericTensor, "sum x + y",
                           [Commutative]> { let hasFolder = 1; }
def AG_SubOp : AG_BinaryOp<"sub", AG_NumericTensor, "difference x - y"> {
  let hasFolder = 1;
}
def AG_MulOp : AG_BinaryOp<"mul", AG_NumericTensor, "product x * y",
                           [Commutative]> { let hasFolder = 1; }
def AG_DivOp : AG_BinaryOp<"div", AG_NumericTensor,
    "quotient x / y (integers truncate toward zero)"> { let hasFolder = 1; }
def AG_PowOp : AG_BinaryOp<"pow", AG_NumericTensor, "power x ^ y"> {
  let hasFolder = 1;
}
def AG_MaxOp : AG_BinaryOp<"max", AG_NumericTensor,
    "maximum (NaN propagates)", [Commutative]>;
def AG_MinOp : AG_BinaryOp<"min", AG_NumericTensor,
    "minimum (NaN propagates)", [Commutative]>;
def AG_AndOp : AG_BinaryOp<"and", AG_BoolTensor, "logical and",
                           [Commutative]> { let hasFolder = 1; }
def AG_OrOp : AG_BinaryOp<"or", AG_BoolTensor, "logical or",
                          [Commutative]> { let hasFolder = 1; }
def AG_XorOp : AG_BinaryOp<"xor", AG_BoolTensor, "logical exclusive or",
                           [Commutative]>;

def AG_ModOp : AG_BroadcastOp<"mod"> {
  let summary = "elementwise remainder with broadcasting";
  let description = [{
    The remainder of `lhs / rhs`. Without `fmod` the result takes the sign of
    the divisor (Python `%`, integers only); with `fmod` it takes the sign of
    the dividend (C `fmod`), as ONNX `Mod` defines. Floats require `fmod`.

    ```mlir
    %r = ag.mod %x, %y : tensor<4xi32>, tensor<4xi32>
    %f = ag.mod %a, %b fmod : tensor<4xf32>, tensor<4xf32>
    ```
  }];
  let arguments = (ins AG_NumericTensor:$lhs, AG_NumericTensor:$rhs,
                       UnitAttr:$fmod);
  let results = (outs AG_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`fmod` $fmod^)? attr-dict `:` type($lhs) `,` type($rhs)
  }];
  let hasVerifier = 1;
}

def AG_CompareOp : AG_BroadcastOp<"compare"> {
  let summary = "elementwise comparison with broadcasting";
  let description = [{
    Compares `lhs` and `rhs` with the predicate and yields `i1`. Unsigned
    integer types compare unsigned; float comparisons are ordered except `ne`.

    ```mlir
    %m = ag.compare lt, %x, %y : tensor<2x4xf32>, tensor<4xf32>
    ```
  }];
  let arguments = (ins AG_CompareKindAttr:$predicate, AG_Tensor:$lhs,
                       AG_Tensor:$rhs);
  let results = (outs AG_BoolTensor:$result);
  let assemblyFormat = [{
    $predicate `,` $lhs `,` $rhs attr-dict `:` type($lhs) `,` type($rhs)
  }];
  let hasVerifier = 1;
}

def AG_SelectOp : AG_BroadcastOp<"select"> {
  let summary = "elementwise choice with broadcasting";
  let description = [{
    `condition ? on_true : on_false`, all three broadcasting together (ONNX
    `Where`).

    ```mlir
    %r = ag.select %c, %a, %b : tensor<4xi1>, tensor<4xf32>, tensor<f32>
    ```
  }];
  let arguments = (ins AG_BoolTensor:$condition, AG_Tensor:$on_true,
                       AG_Tensor:$on_false);
  let results = (outs AG_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:` type($condition) `,`
    type($on_true) `,` type($on_false)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def AG_CastOp : AutoGLM_Op<"cast", [Pure, Elementwise,
                                    SameOperandsAndResultShape]> {
  let summary = "elementwise element type conversion";
  let description = [{
    Converts each element to the result's element type. Float to integer
    truncates toward zero (saturating), integer to bool tests `!= 0`; unsigned
    types convert as unsigned.

    ```mlir
    %h = ag.cast %x : tensor<2x4xf32> to tensor<2x4xf16>
    ```
  }];
  let arguments = (ins AG_Tensor:$input);
  let results = (outs AG_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Neural network ops
//===----------------------------------------------------------------------===//

def AG_MatmulOp : AutoGLM_Op<"matmul", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "batched matrix product with optional bias";
  let description = [{
    numpy `matmul` over the last two dimensions of operands of rank >= 2;
    leading (batch) dimensions broadcast. `transpose_lhs` / `transpose_rhs`
    swap the last two dimensions of that operand first. The optional `bias`
    broadcasts to the result and is added (an epilogue fused in the kernel).
    Operands share one element type, except that an `f32` lhs may take a
    `bf16` / `f16` rhs (mixed precision: 16-bit products, f32 result).

    ```mlir
    %y = ag.matmul %x, %w bias %b transpose_rhs
        : (tensor<8x128x768xf32>, tensor<3072x768xf32>, tensor<3072xf32>)
        -> tensor<8x128x3072xf32>
    ```
  }];
  let arguments = (ins AG_NumericTensor:$lhs, AG_NumericTensor:$rhs,
                       Optional<AG_NumericTensor>:$bias,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs AG_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`bias` $bias^)? (`transpose_lhs` $transpose_lhs^)?
    (`transpose_rhs` $transpose_rhs^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def AG_ConvOp : AutoGLM_Op<"conv", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "N-d grouped, strided, dilated, padded convolution";
  let description = [{
    Cross-correlation as ONNX `Conv` defines it. `input` is
    `N x C x D1..Dn`, `filter` is `F x C/groups x K1..Kn`, the optional `bias`
    is `F`. `pads` holds the `n` begin paddings then the `n` end paddings.
    Output size per spatial dim:
    `floor((D + pad_begin + pad_end - dilation * (K - 1) - 1) / stride) + 1`.
    Operands share one element type, float or integer: ONNX `ConvInteger`
    imports as an `i32` conv of its zero-point-shifted operands.

    ```mlir
    %y = ag.conv %x, %w bias %b strides [1, 1] dilations [1, 1]
           pads [1, 1, 1, 1] groups 1
        : (tensor<1x3x32x32xf32>, tensor<16x3x3x3xf32>, tensor<16xf32>)
        -> tensor<1x16x32x32xf32>
    ```
  }];
  let arguments = (ins AG_NumericTensor:$input, AG_NumericTensor:$filter,
                       Optional<AG_NumericTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs AG_NumericTensor:$result);
  let assemblyFormat = [{
    $input `,` $filter (`bias` $bias^)? `strides` $strides
    `dilations` $dilations `pads` $pads `groups` $groups attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def AG_ConvTransposeOp : AutoGLM_Op<"conv_transpose", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "N-d grouped, strided, dilated, padded transposed convolution";
  let description = [{
    The transpose of `ag.conv` (its gradient with respect to the input), as
    ONNX `ConvTranspose` defines it. `input` is `N x C x D1..Dn`, `filter` is
    `C x F/groups x K1..Kn`, the optional `bias` is `F`, and the result is
    `N x F x O1..On`. `pads` holds the `n` begin paddings then the `n` end
    paddings, which crop the full output; `output_padding` adds that many
    elements at the end of each spatial dim. Output size per spatial dim,
    with `P = pad_begin + pad_end`:
    `stride * (D - 1) + output_padding + (K - 1) * dilation + 1 - P`.
    The importer resolves ONNX `auto_pad` and `output_shape` into `pads` and
    `output_padding`. Operands share one element type, float or integer.

    ```mlir
    %y = ag.conv_transpose %x, %w bias %b strides [2, 2] dilations [1, 1]
           pads [1, 1, 1, 1] output_padding [1, 1] groups 1
        : (tensor<1x16x8x8xf32>, tensor<16x8x3x3xf32>, tensor<8xf32>)
        -> tensor<1x8x16x16xf32>
    ```
  }];
  let arguments = (ins AG_NumericTensor:$input, AG_NumericTensor:$filter,
                       Optional<AG_NumericTensor>:$bias,
                       DenseI64ArrayAttr:$strides, DenseI64ArrayAttr:$dilations,
                       DenseI64ArrayAttr:$pads,
                       DenseI64ArrayAttr:$output_padding,
                       DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs AG_NumericTensor:$result);
  let assemblyFormat = [{
    $input `,` $filter (`bias` $bias^)? `strides` $strides
    `dilations` $dilations `pads` $pads `output_padding` $output_padding
    `groups` $groups attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def AG_PoolOp : AutoGLM_Op<"pool", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "N-d max or average pooling";
  let description = [{
    Pools windows of `kernel` over the spatial dims of an `N x C x D1..Dn`
    tensor, as ONNX `MaxPool` / `AveragePool` define. `pads` holds begin then
    end paddings; padded elements never win a max and, for `avg`, count in
    the divisor only with `count_include_pad`. `ceil_mode` rounds the output
    size up. Global pooling is `ag.reduce` over the spatial dims.

    ```mlir
    %y = ag.pool max %x kernel [2, 2] strides [2, 2] dilations [1, 1]
           pads [0, 0, 0, 0] : tensor<1x16x32x32xf32> -> tensor<1x16x16x16xf32>
    ```
  }];
  let arguments = (ins AG_PoolKindAttr:$kind, AG_FloatTensor:$input,
                       DenseI64ArrayAttr:$kernel, DenseI64ArrayAttr:$strides,
                       DenseI64ArrayAttr:$dilations, DenseI64ArrayAttr:$pads,
                       UnitAttr:$ceil_mode, UnitAttr:$count_include_pad);
  let results = (outs AG_FloatTensor:$result);
  let assemblyFormat = [{
    $kind $input `kernel` $kernel `strides` $strides `dilations` $dilations
    `pads` $pads (`ceil_mode` $ceil_mode^)?
    (`count_include_pad` $count_include_pad^)? attr-dict `:` type($input)
    `->` type($result)
  }];
}

def AG_ReduceOp : AutoGLM_Op<"reduce", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "reduction over a set of axes";
  let description = [{
    Reduces `input` over `axes` (sorted, unique, non-negative) with `kind`:
    `sum`, `mean`, `max`, `min`, `prod`, `sum_square`, `l1` (sum of |x|),
    `l2` (sqrt of sum of squares), `log_sum`, `log_sum_exp`. With
    `keep_dims` the reduced dims stay as size 1. Over an empty `axes` list
    each element is reduced alone: the identity for `sum`, `mean`, `max`,
    `min`, `prod` and `log_sum_exp`, the elementwise part (x^2, |x|, log x)
    for the others. Integer `mean` truncates toward zero.

    ```mlir
    %m = ag.reduce mean %x axes [2] keep_dims
        : tensor<1x128x768xf32> -> tensor<1x128x1xf32>
    ```
  }];
  let arguments = (ins AG_ReduceKindAttr:$kind, AG_NumericTensor:$input,
                       DenseI64ArrayAttr:$axes, UnitAttr:$keep_dims);
  let results = (outs AG_NumericTensor:$result);
  let assemblyFormat = [{
    $kind $input `axes` $axes (`keep_dims` $keep_dims^)? attr-dict `:`
    type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def AG_ArgReduceOp : AutoGLM_Op<"arg_reduce", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "index of the maximum or minimum along one axis";
  let description = [{
    ONNX `ArgMax` (`max`) / `ArgMin` (`min`): the `i64` position along
    `axis` (non-negative) of the largest or smallest element. On ties the
    first position wins, the last with `select_last_index`. With `keep_dims`
    the reduced dim stays as size 1, otherwise it is dropped.

    ```mlir
    %i = ag.arg_reduce max %x axis 1 keep_dims
        : tensor<2x8xf32> -> tensor<2x1xi64>
    ```
  }];
  let arguments = (ins AG_ArgReduceKindAttr:$kind, AG_NumericTensor:$input,
                       I64Attr:$axis, UnitAttr:$keep_dims,
                       UnitAttr:$select_last_index);
  let results = (outs AG_I64Tensor:$result);
  let assemblyFormat = [{
    $kind $input `axis` $axis (`keep_dims` $keep_dims^)?
    (`select_last_index` $select_last_index^)? attr-dict `:` type($input)
    `->` type($result)
  }];
  let hasFolder = 1;
}

def AG_CumSumOp : AutoGLM_Op<"cumsum", [Pure, SameOperandsAndResultType]> {
  let summary = "cumulative sum along one axis";
  let description = [{
    ONNX `CumSum`: element `i` along `axis` is the sum of elements `0..i`.
    With `exclusive` element `i` itself is left out (the first sum is 0);
    with `reverse` the sums run from the end of the axis.

    ```mlir
    %y = ag.cumsum %x axis 1 exclusive : tensor<2x8xf32>
    ```
  }];
  let arguments = (ins AG_NumericTensor:$input, I64Attr:$axis,
                       UnitAttr:$exclusive, UnitAttr:$reverse);
  let results = (outs AG_NumericTensor:$result);
  let assemblyFormat = [{
    $input `axis` $axis (`exclusive` $exclusive^)? (`reverse` $reverse^)?
    attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def AG_TopKOp : AutoGLM_Op<"topk", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "the k largest or smallest elements along one axis";
  let description = [{
    ONNX `TopK` with a static `k`: `values` holds the `k` largest elements
    along `axis` (the smallest without `largest`) and `indices` their `i64`
    positions; both have the input's shape with dim `axis` replaced by `k`.
    With `sorted` they come in order (descending for `largest`, ascending
    otherwise), else in an unspecified order. Among equal elements the lower
    position comes first.

    ```mlir
    %v, %i = ag.topk %x k 4 axis 1 largest sorted
        : tensor<2x8xf32> -> tensor<2x4xf32>, tensor<2x4xi64>
    ```
  }];
  let arguments = (ins AG_NumericTensor:$input, I64Attr:$k, I64Attr:$axis,
                       UnitAttr:$largest, UnitAttr:$sorted);
  let results = (outs AG_NumericTensor:$values, AG_I64Tensor:$indices);
  let assemblyFormat = [{
    $input `k` $k `axis` $axis (`largest` $largest^)? (`sorted` $sorted^)?
    attr-dict `:` type($input) `->` type($values) `,` type($indices)
  }];
}

def AG_SoftmaxOp : AutoGLM_Op<"softmax", [Pure, SameOperandsAndResultType]> {
  let summary = "softmax (or log-softmax) along one axis";
  let description = [{
    `exp(x - max) / sum(exp(x - max))` along `axis`, computed stably; with
    `log` the result is its logarithm (ONNX `LogSoftmax`).

    ```mlir
    %p = ag.softmax %x axis 3 : tensor<1x12x128x128xf32>
    ```
  }];
  let arguments = (ins AG_FloatTensor:$input, I64Attr:$axis, UnitAttr:$log);
  let results = (outs AG_FloatTensor:$result);
  let assemblyFormat = [{
    $input `axis` $axis (`log` $log^)? attr-dict `:` type($input)
  }];
  let hasVerifier = 1;
}

def AG_LayerNormOp : AutoGLM_Op<"layer_norm", [Pure,
    AttrSizedOperandSegments, AllTypesMatch<["input", "result"]>]> {
  let summary = "layer normalization over the trailing dims";
  let description = [{
    Normalizes over dims `[axis, rank)` to zero mean and unit variance
    (`epsilon` added to the variance), then multiplies by `scale` and adds
    `bias` when given; both have the normalized dims' shape.

    ```mlir
    %y = ag.layer_norm %x scale %g bias %b axis 2 epsilon 1.0e-05
        : (tensor<1x128x768xf32>, tensor<768xf32>, tensor<768xf32>)
        -> tensor<1x128x768xf32>
    ```
  }];
  let arguments = (ins AG_FloatTensor:$input, Optional<AG_FloatTensor>:$scale,
                       Optional<AG_FloatTensor>:$bias, I64Attr:$axis,
                       F64Attr:$epsilon);
  let results = (outs AG_FloatTensor:$result);
  let assemblyFormat = [{
    $input (`scale` $scale^)? (`bias` $bias^)? `axis` $axis `epsilon` $epsilon
    attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def AG_RmsNormOp : AutoGLM_Op<"rms_norm", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "RMS normalization over the trailing dims";
  let description = [{
    `x / sqrt(mean(x^2 over dims [axis, rank)) + epsilon) * weight`, with
    `weight` of the normalized dims' shape (GLM's `RMSNorm`).

    ```mlir
    %y = ag.rms_norm %x, %w axis 2 epsilon 1.0e-05
        : tensor<1x16x128xf32>, tensor<128xf32>
    ```
  }];
  let arguments = (ins AG_FloatTensor:$input, AG_FloatTensor:$weight,
                       I64Attr:$axis, F64Attr:$epsilon);
  let results = (outs AG_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $weight `axis` $axis `epsilon` $epsilon attr-dict `:`
    type($input) `,` type($weight)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def AG_ReshapeOp : AutoGLM_Op<"reshape", [Pure]> {
  let summary = "reinterpret the shape, keeping row-major element order";
  let description = [{
    The result holds the same elements in the same row-major order; element
    counts must match.

    ```mlir
    %y = ag.reshape %x : tensor<1x128x768xf32> -> tensor<128x12x64xf32>
    ```
  }];
  let arguments = (ins AG_Tensor:$input);
  let results = (outs AG_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def AG_TransposeOp : AutoGLM_Op<"transpose", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "permute dimensions";
  let description = [{
    Result dim `i` is input dim `permutation[i]`.

    ```mlir
    %y = ag.transpose %x [0, 2, 1, 3]
        : tensor<1x128x12x64xf32> -> tensor<1x12x128x64xf32>
    ```
  }];
  let arguments = (ins AG_Tensor:$input, DenseI64ArrayAttr:$permutation);
  let results = (outs AG_Tensor:$result);
  let assemblyFormat = [{
    $input $permutation attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def AG_ConcatOp : AutoGLM_Op<"concat", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "join tensors along one axis";
  let description = [{
    All inputs share rank, element type and every dim except `axis`.

    ```mlir
    %y = ag.concat %a, %b axis 1
        : (tensor<2x3xf32>, tensor<2x5xf32>) -> tensor<2x8xf32>
    ```
  }];
  let arguments = (ins Variadic<AG_Tensor>:$inputs, I64Attr:$axis);
  let results = (outs AG_Tensor:$result);
  let assemblyFormat = [{
    $inputs `axis` $axis attr-dict `:` functional-type($inputs, $result)
  }];
  let hasFolder = 1;
}

def AG_SliceOp : AutoGLM_Op<"slice", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "strided window of a tensor";
  let description = [{
    Result element `[i0, i1, ...]` is input element
    `[starts[0] + i0 * steps[0], ...]`; dim `d` of the result has
    `sizes[d]` elements. Steps may be negative (reversal) but not zero. The
    importer normalizes ONNX `Slice` (negative and clamped bounds, axes) to
    this form.

    ```mlir
    %y = ag.slice %x starts [0, 2] sizes [4, 3] steps [1, 2]
        : tensor<4x8xf32> -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins AG_Tensor:$input, DenseI64ArrayAttr:$starts,
                       DenseI64ArrayAttr:$sizes, DenseI64ArrayAttr:$steps);
  let results = (outs AG_Tensor:$result);
  let assemblyFormat = [{
    $input `starts` $starts `sizes` $sizes `steps` $steps attr-dict `:`
    type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def AG_GatherOp : AutoGLM_Op<"gather", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "take slices along an axis by index (embedding lookup)";
  let description = [{
    ONNX `Gather`: the result shape is
    `input.shape[:axis] + indices.shape + input.shape[axis+1:]`. Negative
    indices count from the end of `axis`.

    ```mlir
    %e = ag.gather %table, %ids axis 0
        : (tensor<512x128xf32>, tensor<1x8xi64>) -> tensor<1x8x128xf32>
    ```
  }];
  let arguments = (ins AG_Tensor:$input, AG_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs AG_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $indices `axis` $axis attr-dict `:`
    functional-type(operands, results)
  }];
}

def AG_GatherElementsOp : AutoGLM_Op<"gather_elements", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "take elements along an axis by per-element index";
  let description = [{
    ONNX `GatherElements`: `indices` has the input's rank and the result has
    the shape of `indices`; the result element at position `p` is the input
    element at `p` with its coordinate on `axis` replaced by `indices[p]`
    (negative indices count from the end). Dims other than `axis` of
    `indices` are at most those of `input`.

    ```mlir
    %y = ag.gather_elements %x, %i axis 1
        : (tensor<3x4xf32>, tensor<3x2xi64>) -> tensor<3x2xf32>
    ```
  }];
  let arguments = (ins AG_Tensor:$input, AG_IndexTensor:$indices,
                       I64Attr:$axis);
  let results = (outs AG_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $indices `axis` $axis attr-dict `:`
    functional-type(operands, results)
  }];
}

def AG_GatherNDOp : AutoGLM_Op<"gather_nd", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "take slices by multi-dimensional index tuples";
  let description = [{
    ONNX `GatherND`. The last dim `m` of `indices` (static, in
    `[1, rank(input) - batch_dims]`) is the index depth: each `m`-tuple
    indexes dims `[batch_dims, batch_dims + m)` of the input and picks the
    slice of the remaining dims. The first `batch_dims` dims of `input` and
    `indices` are equal and index both together. The result shape is
    `indices.shape[:-1] + input.shape[batch_dims + m:]`.

    ```mlir
    %y = ag.gather_nd %x, %i
        : (tensor<2x3x4xf32>, tensor<5x2xi64>) -> tensor<5x4xf32>
    %z = ag.gather_nd %x, %j batch_dims 1
        : (tensor<2x3x4xf32>, tensor<2x1xi64>) -> tensor<2x4xf32>
    ```
  }];
  let arguments = (ins AG_Tensor:$input, AG_IndexTensor:$indices,
                       DefaultValuedAttr<I64Attr, "0">:$batch_dims);
  let results = (outs AG_Tensor:$result);
  let assemblyFormat = [{
    $input `,` $indices (`batch_dims` $batch_dims^)? attr-dict `:`
    functional-type(operands, results)
  }];
}

def AG_ScatterElementsOp : AutoGLM_Op<"scatter_elements", [Pure,
    AllTypesMatch<["data", "result"]>]> {
  let summary = "write elements along an axis at per-element indices";
  let description = [{
    ONNX `ScatterElements`: a copy of `data` where, for each position `p` of
    `indices`, the element at `p` with its coordinate on `axis` replaced by
    `indices[p]` (negative counts from the end) becomes `updates[p]`.
    `indices` and `updates` have one shape, of `data`'s rank. `reduction`
    (`none`, `add`, `mul`, `max`, `min`) combines the update with the
    element instead of replacing it; with `none`, duplicate indices leave
    which update wins unspecified.

    ```mlir
    %y = ag.scatter_elements %x, %i, %u axis 0 reduction add
        : tensor<3x4xf32>, tensor<2x4xi64>, tensor<2x4xf32>
    ```
  }];
  let arguments = (ins AG_Tensor:$data, AG_IndexTensor:$indices,
                       AG_Tensor:$updates, I64Attr:$axis,
                       DefaultValuedAttr<AG_ScatterReductionAttr,
                                         "ScatterReduction::none">:$reduction);
  let results = (outs AG_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates `axis` $axis
    (`reduction` $reduction^)? attr-dict `:` type($data) `,` type($indices)
    `,` type($updates)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def AG_ScatterNDOp : AutoGLM_Op<"scatter_nd", [Pure,
    AllTypesMatch<["data", "result"]>]> {
  let summary = "write slices at multi-dimensional index tuples";
  let description = [{
    ONNX `ScatterND`: a copy of `data` where each `k`-tuple of `indices`
    (`k`, the last dim of `indices`, static and at most `rank(data)`)
    addresses the slice `data[i0, ..., ik-1, ...]`, which becomes the
    matching slice of `updates`, so
    `updates.shape == indices.shape[:-1] + data.shape[k:]`. `reduction`
    combines as in `ag.scatter_elements`.

    ```mlir
    %y = ag.scatter_nd %x, %i, %u reduction add
        : tensor<4x5xf32>, tensor<2x1xi64>, tensor<2x5xf32>
    ```
  }];
  let arguments = (ins AG_Tensor:$data, AG_IndexTensor:$indices,
                       AG_Tensor:$updates,
                       DefaultValuedAttr<AG_ScatterReductionAttr,
                                         "ScatterReduction::none">:$reduction);
  let results = (outs AG_Tensor:$result);
  let assemblyFormat = [{
    $data `,` $indices `,` $updates (`reduction` $reduction^)? attr-dict `:`
    type($data) `,` type($indices) `,` type($updates)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

def AG_PadOp : AutoGLM_Op<"pad", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "pad (or crop, with negative pads) each dim";
  let description = [{
    `pads` holds the begin amounts of every dim, then the end amounts.
    `constant` fills with `value` (converted to the element type); `reflect`,
    `edge` and `wrap` follow ONNX `Pad`.

    ```mlir
    %y = ag.pad constant %x pads [0, 1, 0, 1] value 0.0
        : tensor<3x4xf32> -> tensor<3x6xf32>
    ```
  }];
  let arguments = (ins AG_PadModeAttr:$mode, AG_Tensor:$input,
                       DenseI64ArrayAttr:$pads,
                       DefaultValuedAttr<F64Attr, "0.0">:$value);
  let results = (outs AG_Tensor:$result);
  let assemblyFormat = [{
    $mode $input `pads` $pads (`value` $value^)? attr-dict `:` type($input)
    `->` type($result)
  }];
  let hasFolder = 1;
}

def AG_ExpandOp : AutoGLM_Op<"expand", [Pure]> {
  let summary = "broadcast to a larger shape";
  let description = [{
    numpy broadcast of `input` to the result shape: the input's dims, aligned
    to the right, are 1 or equal to the result's.

    ```mlir
    %y = ag.expand %x : tensor<1x3xf32> -> tensor<4x3xf32>
    ```
  }];
  let arguments = (ins AG_Tensor:$input);
  let results = (outs AG_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `->` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def AG_ResizeOp : AutoGLM_Op<"resize", [Pure]> {
  let summary = "resample to the result's shape";
  let description = [{
    ONNX `Resize` with its scales or sizes resolved into the result type.
    `coordinate_mode` maps output to input coordinates; `nearest_mode`
    rounds them for `nearest`; `cubic_coeff_a` and `exclude_outside` shape
    the `cubic` kernel. `scales`, when present, is the per-dim scale the
    coordinate mapping divides by (ONNX uses the given scale even when
    `floor(size * scale)` makes the output/input ratio differ); absent, the
    scale is output size / input size.

    ```mlir
    %y = ag.resize nearest %x coordinate_mode asymmetric nearest_mode floor
        : tensor<1x3x8x8xf32> -> tensor<1x3x16x16xf32>
    ```
  }];
  let arguments = (ins AG_ResizeModeAttr:$mode, AG_FloatTensor:$input,
      DefaultValuedAttr<AG_CoordinateModeAttr,
                        "CoordinateMode::half_pixel">:$coordinate_mode,
      DefaultValuedAttr<AG_NearestModeAttr,
                        "NearestMode::round_prefer_floor">:$nearest_mode,
      DefaultValuedAttr<F64Attr, "-0.75">:$cubic_coeff_a,
      UnitAttr:$exclude_outside, OptionalAttr<DenseF64ArrayAttr>:$scales);
  let results = (outs AG_FloatTensor:$result);
  let assemblyFormat = [{
    $mode $input (`coordinate_mode` $coordinate_mode^)?
    (`nearest_mode` $nearest_mode^)? attr-dict `:` type($input) `->`
    type($result)
  }];
  let hasVerifier = 1;
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// LLM ops
//===----------------------------------------------------------------------===//

def AG_RopeOp : AutoGLM_Op<"rope", [Pure,
    AllTypesMatch<["input", "result"]>]> {
  let summary = "rotary position embedding (full or partial)";
  let description = [{
    Rotates channel pairs of the first `rotary_dim` channels of
    `input : batch x heads x seq x head_dim` by `position * theta^(-2i/rotary_dim)`;
    the other channels pass through. `positions : batch x seq` holds each
    token's position. `layout interleaved` pairs channels `(2i, 2i+1)` (GLM);
    `layout half` pairs `(i, i + rotary_dim/2)` (NeoX / Llama).

    ```mlir
    %q2 = ag.rope %q, %pos layout interleaved rotary_dim 32 theta 10000.0
        : tensor<1x4x8x64xf32>, tensor<1x8xi64>
    ```
  }];
  let arguments = (ins AG_FloatTensor:$input, AG_IndexTensor:$positions,
                       AG_RopeLayoutAttr:$layout, I64Attr:$rotary_dim,
                       F64Attr:$theta);
  let results = (outs AG_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $positions `layout` $layout `rotary_dim` $rotary_dim
    `theta` $theta attr-dict `:` type($input) `,` type($positions)
  }];
  let hasVerifier = 1;
}

def AG_AttentionOp : AutoGLM_Op<"attention", [Pure, AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "scaled dot-product attention with GQA, masks and a KV cache";
  let description = [{
    `softmax(q k^T * scale + mask) v` per head, with
    `q : B x Hq x Sq x D`, `k : B x Hkv x Skv x D`, `v : B x Hkv x Skv x Dv`
    and result `B x Hq x Sq x Dv`. Grouped-query attention: `Hq` is a
    multiple of `Hkv`, query head `h` reads KV head `h / (Hq / Hkv)`.
    `scale` defaults to `1/sqrt(D)`. `mask` (additive float, or `i1` where
    true keeps) broadcasts to `B x Hq x Sq x Skv`. `kv_len` (0-d integer),
    when given, says how many leading KV positions are valid (the filled part
    of a KV cache); positions past it are masked. With `causal`, query `i`
    sits at position `kv_len - Sq + i` and sees keys at positions up to it.

    ```mlir
    %o = ag.attention %q, %kc, %vc kv_len %n causal
        : (tensor<1x4x1x64xf32>, tensor<1x2x2048x64xf32>,
           tensor<1x2x2048x64xf32>, tensor<i64>) -> tensor<1x4x1x64xf32>
    ```
  }];
  let arguments = (ins AG_FloatTensor:$query, AG_FloatTensor:$key,
                       AG_FloatTensor:$value, Optional<AG_Tensor>:$mask,
                       Optional<AG_ScalarIntTensor>:$kv_len,
                       UnitAttr:$causal, OptionalAttr<F64Attr>:$scale);
  let results = (outs AG_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`mask` $mask^)? (`kv_len` $kv_len^)?
    (`causal` $causal^)? (`scale` $scale^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def AG_KVCacheWriteOp : AutoGLM_Op<"kv_cache_write", [Pure,
    AllTypesMatch<["cache", "result"]>]> {
  let summary = "write new keys or values into a KV cache at a position";
  let description = [{
    Returns `cache` with `cache[:, :, position : position + S, :]` replaced
    by `update : B x H x S x D`; `cache` is `B x H x max_context x D`. Value
    semantics; bufferization makes it an in-place write to the runtime's
    persistent cache buffer. Positions past `max_context` are a runtime error.

    ```mlir
    %kc2 = ag.kv_cache_write %k into %kc at %pos
        : tensor<1x2x1x64xf32>, tensor<1x2x2048x64xf32>, tensor<i64>
    ```
  }];
  let arguments = (ins AG_FloatTensor:$update, AG_FloatTensor:$cache,
                       AG_ScalarIntTensor:$position);
  let results = (outs AG_FloatTensor:$result);
  let assemblyFormat = [{
    $update `into` $cache `at` $position attr-dict `:` type($update) `,`
    type($cache) `,` type($position)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantization: one canonical form for QDQ, QOperator and int4 weights
//===----------------------------------------------------------------------===//

defvar AG_QuantParamsDoc = [{
    Quantization parameters, as ONNX (opset 21) defines them: `scale` is 0-d
    (per tensor), 1-d of the size of dim `axis` (per axis), or, with
    `group_size = G > 0`, of the quantized tensor's rank with dim `axis`
    divided into `ceil(size / G)` groups (blocked, e.g. int4 weights).
    `zero_point`, when present, has `scale`'s shape and the storage type;
    absent means symmetric (zero point 0).
  }];

def AG_QuantizeOp : AutoGLM_Op<"quantize", [Pure]> {
  let summary = "float to integer: saturate(round(x / scale) + zero_point)";
  let description = !strconcat(AG_QuantParamsDoc, [{

    Rounding is to nearest even; the result saturates to the storage type.

    ```mlir
    %q = ag.quantize %x, %s zero_point %zp
        : (tensor<4x8xf32>, tensor<f32>, tensor<ui8>) -> tensor<4x8xui8>
    ```
  }]);
  let arguments = (ins AG_FloatTensor:$input, AG_FloatTensor:$scale,
                       Optional<AG_QuantStorageTensor>:$zero_point,
                       DefaultValuedAttr<I64Attr, "0">:$axis,
                       DefaultValuedAttr<I64Attr, "0">:$group_size);
  let results = (outs AG_QuantStorageTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale (`zero_point` $zero_point^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def AG_DequantizeOp : AutoGLM_Op<"dequantize", [Pure,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "integer to float: (q - zero_point) * scale";
  let description = !strconcat(AG_QuantParamsDoc, [{

    The result has `input`'s shape and `scale`'s element type. A
    `dequantize` of a constant is the quantized-weight form: fusion turns
    `matmul(x, dequantize(w))` into `ag.dequant_matmul`.

    ```mlir
    %w = ag.dequantize %wq, %s {axis = 1 : i64, group_size = 128 : i64}
        : (tensor<4096x4096xi4>, tensor<4096x32xf32>) -> tensor<4096x4096xf32>
    ```
  }]);
  let arguments = (ins AG_QuantStorageTensor:$input, AG_FloatTensor:$scale,
                       Optional<AG_QuantStorageTensor>:$zero_point,
                       DefaultValuedAttr<I64Attr, "0">:$axis,
                       DefaultValuedAttr<I64Attr, "0">:$group_size);
  let results = (outs AG_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale (`zero_point` $zero_point^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def AG_DequantMatmulOp : AutoGLM_Op<"dequant_matmul", [Pure,
    AttrSizedOperandSegments,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "matmul with a quantized weight, dequantized in the kernel";
  let description = !strconcat([{
    `matmul(lhs, dequantize(weight, scale, zero_point))`, with `weight` a
    rank-2 `K x N` tensor (`N x K` with `transpose_rhs`) that stays quantized
    in memory: the kernel dequantizes tiles as it loads them.
  }], AG_QuantParamsDoc, [{
    The optional `bias` is added as in `ag.matmul`.

    ```mlir
    %y = ag.dequant_matmul %x, %wq, %s transpose_rhs
           {axis = 1 : i64, group_size = 128 : i64}
        : (tensor<1x16x4096xf32>, tensor<11008x4096xi4>, tensor<11008x32xf32>)
        -> tensor<1x16x11008xf32>
    ```
  }]);
  let arguments = (ins AG_FloatTensor:$lhs, AG_QuantStorageTensor:$weight,
                       AG_FloatTensor:$scale,
                       Optional<AG_QuantStorageTensor>:$zero_point,
                       Optional<AG_FloatTensor>:$bias,
                       DefaultValuedAttr<I64Attr, "0">:$axis,
                       DefaultValuedAttr<I64Attr, "0">:$group_size,
                       UnitAttr:$transpose_rhs);
  let results = (outs AG_FloatTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $weight `,` $scale (`zero_point` $zero_point^)?
    (`bias` $bias^)? (`transpose_rhs` $transpose_rhs^)? attr-dict `:`
    functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

#endif // AUTOGLM_OPS_TD
