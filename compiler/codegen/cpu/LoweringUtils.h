//===- LoweringUtils.h - ag-to-linalg shared helpers ------------*- C++ -*-===//
//
// Type conversion (signed/unsigned integers to signless), numpy broadcast
// indexing maps, identity values per reduction kind, scalar constants and the
// builders of elementwise and reduction linalg.generic ops that every op
// family uses.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_CODEGEN_CPU_LOWERINGUTILS_H
#define AUTOGLM_COMPILER_CODEGEN_CPU_LOWERINGUTILS_H

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/Transforms/DialectConversion.h"

namespace mlir::autoglm {

//===----------------------------------------------------------------------===//
// Types
//===----------------------------------------------------------------------===//

/// Maps `siN`/`uiN` (alone or as tensor elements) to `iN`; other types map to
/// themselves. Value conversions go through unrealized_conversion_cast.
void populateSignlessTypeConversion(TypeConverter &converter);

/// `type` with signed/unsigned integers (also as tensor elements) made
/// signless.
Type toSignless(Type type);

/// True for element types whose integer semantics are unsigned: `uiN` and
/// `i1` (bools compare, extend and convert as 0/1).
bool isUnsignedElement(Type type);

/// The element type of a ranked tensor value or type.
inline Type elementTypeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getElementType();
}

/// True if every operand and result of `op` is a statically shaped tensor.
bool hasStaticTensorTypes(Operation *op);

//===----------------------------------------------------------------------===//
// Scalars and combiners
//===----------------------------------------------------------------------===//

/// An arith.constant of a float, integer or index `type` holding `value`
/// (converted; integers truncate toward zero).
Value createScalar(OpBuilder &b, Location loc, Type type, double value);

/// How two elements combine in a reduction or a scatter.
enum class Combiner { add, mul, max, min };

/// The identity of `kind` for `type`: 0, 1, -inf / +inf (floats), the
/// smallest / largest value (integers, per `isUnsigned`).
TypedAttr getIdentityAttr(Combiner kind, Type type, bool isUnsigned);

/// `lhs kind rhs`; float max/min propagate NaN.
Value combine(OpBuilder &b, Location loc, Combiner kind, Value lhs, Value rhs,
              bool isUnsigned);

/// Converts an integer scalar to `index` (sign-extending unless unsigned).
Value toIndex(OpBuilder &b, Location loc, Value value, bool isUnsigned = false);

/// Where ag.kv_cache_write puts its `update` (B x H x S x D) in the `cache`
/// (B x H x MAX x D): offsets [0, 0, p, 0] with p the 0-d integer tensor
/// `position` clamped into [0, MAX - S] (a bad position cannot write outside
/// the cache), the update's sizes, unit strides.
void getCacheWriteWindow(OpBuilder &b, Location loc, Value position,
                         RankedTensorType update, RankedTensorType cache,
                         SmallVectorImpl<OpFoldResult> &offsets,
                         SmallVectorImpl<OpFoldResult> &sizes,
                         SmallVectorImpl<OpFoldResult> &strides);

/// A possibly negative index `index` (an `index` value) normalized against
/// `dimSize`: `index + dimSize` when negative.
Value normalizeIndex(OpBuilder &b, Location loc, Value index, int64_t dimSize);

//===----------------------------------------------------------------------===//
// Indexing maps and linalg builders
//===----------------------------------------------------------------------===//

/// The numpy broadcast map from an iteration space of shape `to` to an operand
/// of shape `from` (aligned on the right; size-1 dims that broadcast read 0).
AffineMap getBroadcastMap(ArrayRef<int64_t> from, ArrayRef<int64_t> to,
                          MLIRContext *context);

/// The map of `rank` dims dropping `dims` (sorted): a reduction's output.
AffineMap getDropDimsMap(int64_t rank, ArrayRef<int64_t> dims,
                         MLIRContext *context);

/// `n` parallel iterators, with `reductionDims` marked as reductions.
SmallVector<utils::IteratorType>
getIterators(int64_t n, ArrayRef<int64_t> reductionDims = {});

/// A tensor.empty of `type` (static shape).
Value createEmpty(OpBuilder &b, Location loc, RankedTensorType type);

/// A tensor of `type` filled with `value` (linalg.fill of a tensor.empty).
Value createFilled(OpBuilder &b, Location loc, RankedTensorType type,
                   TypedAttr value);

/// `input` padded by `low`/`high` elements per dim with the scalar
/// `padValue` (tensor.pad); negative amounts crop (tensor.extract_slice).
/// `input` itself when nothing changes.
Value createPadded(OpBuilder &b, Location loc, Value input,
                   ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                   Value padValue);

/// Builds the body of an elementwise generic from its input scalars.
using ScalarFn = function_ref<Value(OpBuilder &, Location, ValueRange)>;

/// A linalg.generic computing `fn` elementwise into a new tensor of
/// `resultType`, every input broadcast numpy-style to the result shape.
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange inputs, ScalarFn fn);

/// Reduces `input` over `dims` (sorted) into a tensor without those dims,
/// starting from `init` and folding `fn(element, accumulator)`. `extraInputs`
/// broadcast along the reduced dims (their maps are given) and reach `fn`
/// after the element: fn(b, loc, {element, extra..., accumulator}).
Value buildReduction(OpBuilder &b, Location loc, Value input,
                     ArrayRef<int64_t> dims, TypedAttr init, ScalarFn fn,
                     ValueRange extraInputs = {},
                     ArrayRef<AffineMap> extraMaps = {});

/// `value` reshaped to `type` (same element count, row-major order):
/// tensor.collapse_shape or expand_shape, through 1-D when it is neither.
Value createReshape(OpBuilder &b, Location loc, Value value,
                    RankedTensorType type);

/// A vector of `n` values produced by `fn(i)`.
template <typename Fn> SmallVector<AffineExpr> makeExprs(int64_t n, Fn fn) {
  SmallVector<AffineExpr> exprs;
  for (int64_t i = 0; i < n; ++i)
    exprs.push_back(fn(i));
  return exprs;
}

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_CODEGEN_CPU_LOWERINGUTILS_H
