//===- MatchUtils.h - helpers shared by the recognition patterns -*- C++ -*-===//
//
// Scalar constants, products flattened over any association of their
// factors, reduction checks and the "every intermediate stays inside the
// match" guard that all recognition patterns use.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_PASSES_FUSION_MATCHUTILS_H
#define AUTOGLM_PASSES_FUSION_MATCHUTILS_H

#include "dialects/AutoGLM/IR/AutoGLMOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/Operation.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SetVector.h"

#include <optional>

namespace mlir::autoglm::fusion {

/// The ops a match consumed; all but the root are erased by the rewrite.
using MatchedOps = llvm::SetVector<Operation *>;

/// The value of a float constant holding one value (a splat, or a single
/// element of any shape); nullopt for anything else (non-constant values
/// included).
std::optional<double> getScalarConstant(Value value);

/// `value`, a constant read from an `element`-typed tensor, as the shortest
/// decimal that still rounds to the same `element` value (f32's 1e-5 is
/// 9.99999974e-06 as a double): attributes then print as the model wrote
/// them and convert back to exactly the model's value.
double shortestDecimal(double value, Type element);

/// True when `value` is a scalar constant within `relTol` of `expected`
/// (absolute for expected 0).
bool isScalarConstant(Value value, double expected, double relTol = 1e-4);

/// True when `a` and `b` are within `relTol` of each other.
bool isClose(double a, double b, double relTol = 1e-4);

/// A product of factors: `constant` times the non-constant `terms`, found
/// by flattening ag.mul (and ag.div by a scalar constant) over any
/// association and operand order.
struct Product {
  double constant = 1.0;
  SmallVector<Value> terms;
};

/// Flattens `value` into a product. The op defining `value` is always
/// entered; nested muls/divs only when their single use is inside the
/// product. Every op entered is added to `ops`.
Product flattenProduct(Value value, MatchedOps &ops);

/// For a term list of exactly two entries, the one that is not `other`; null
/// if neither or both are.
Value otherTerm(ArrayRef<Value> terms, Value other);

/// True if `reduce` is a keep-dims reduction of `kind` over the trailing
/// dims [axis, rank) of its input, for some axis; sets `axis`.
bool isTrailingReduction(ReduceOp reduce, ReduceKind kind, int64_t &axis);

/// True if every result of every op in `ops` except `root` is used only by
/// ops in `ops` (an extra consumer must keep the decomposed form alive, so
/// fusing would duplicate work instead of removing it).
bool usesStayInside(const MatchedOps &ops, Operation *root);

/// True if `value` is `x * x` or `x ^ 2` (ag.pow with a constant 2), adding
/// the op to `ops`; sets `x`.
bool matchSquare(Value value, Value &x, MatchedOps &ops);

/// True if `value` is 1/sqrt(`inner`): ag.rsqrt, ag.reciprocal of ag.sqrt
/// or ag.div of a constant 1 by ag.sqrt. Sets `inner`; adds the ops.
bool matchRsqrt(Value value, Value &inner, MatchedOps &ops);

/// The location of a fused op: the locations of every op it replaces, so
/// diagnostics still name the source nodes.
Location fusedLocation(const MatchedOps &ops);

/// True if `param` can serve as a per-channel norm parameter of `shape` and
/// element type `element`: the same shape up to leading 1s (what the
/// broadcasting mul/add of the decomposed form reads).
bool isNormParam(Value param, ArrayRef<int64_t> shape, Type element);

/// `param` (isNormParam) with exactly `shape`: itself or an ag.reshape.
Value asNormParam(OpBuilder &builder, Location loc, Value param,
                  ArrayRef<int64_t> shape);

/// A shape with its leading 1s dropped.
ArrayRef<int64_t> dropLeadingOnes(ArrayRef<int64_t> shape);

} // namespace mlir::autoglm::fusion

#endif // AUTOGLM_PASSES_FUSION_MATCHUTILS_H
