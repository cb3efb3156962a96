//===- ReductionOps.cpp - ONNX reductions, ArgMax/Min, CumSum, TopK -------===//
//
// The Reduce* family becomes ag.reduce with its axes resolved at import time:
// an attribute before opset 13 (ReduceSum) or 18 (the others), an optional
// input after, which must then be known while importing. ArgMax / ArgMin,
// CumSum and TopK map to their ag ops with the axis and k folded into
// attributes. Integer reductions of values known at import time (shape
// arithmetic) are evaluated on the host so they never reach the graph.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/onnx/HandlerUtils.h"

#include <algorithm>

namespace mlir::autoglm::onnx_import {
namespace {

//===----------------------------------------------------------------------===//
// Axes
//===----------------------------------------------------------------------===//

/// The axes a Reduce* node reduces: sorted, unique and non-negative. Empty
/// means nothing is reduced (noop_with_empty_axes, or a 0-d input).
FailureOr<SmallVector<int64_t>> reductionAxes(NodeContext &ctx, int64_t rank,
                                              int64_t axesInputSince) {
  std::optional<SmallVector<int64_t>> axes;
  bool noop = false;
  if (ctx.opset() < axesInputSince) {
    if (ctx.hasInput(1)) {
      (void)ctx.unsupported("axes is an attribute before opset " +
                            Twine(axesInputSince) + ", not an input");
      return failure();
    }
    axes = ctx.intsAttr("axes");
  } else {
    if (ctx.hasAttr("axes")) {
      (void)ctx.unsupported("axes is an input since opset " +
                            Twine(axesInputSince) + ", not an attribute");
      return failure();
    }
    noop = ctx.intAttr("noop_with_empty_axes", 0) != 0;
    if (ctx.hasInput(1)) {
      const HostTensor *known = ctx.knownInput(1);
      if (!known) {
        (void)ctx.unsupported("the axes input must be known at import time, "
                              "but it is computed at run time");
        return failure();
      }
      std::vector<int64_t> values = known->toInts();
      axes = SmallVector<int64_t>(values.begin(), values.end());
    }
  }
  SmallVector<int64_t> result;
  if (!axes || axes->empty()) {
    if (!noop)
      for (int64_t d = 0; d < rank; ++d)
        result.push_back(d);
    return result;
  }
  for (int64_t axis : *axes) {
    FailureOr<int64_t> normalized =
        ctx.normalizeAxis(axis, rank, "reduction axis");
    if (failed(normalized))
      return failure();
    result.push_back(*normalized);
  }
  llvm::sort(result);
  result.erase(std::unique(result.begin(), result.end()), result.end());
  return result;
}

//===----------------------------------------------------------------------===//
// Host evaluation of integer reductions
//===----------------------------------------------------------------------===//

/// Sum, product, max or min of a known integer tensor, or nullopt when the
/// kind or the type is not evaluated on the host (or a max/min is empty).
std::optional<HostTensor> hostReduce(const HostTensor &x,
                                     ArrayRef<int64_t> axes, bool keepDims,
                                     ReduceKind kind) {
  if (x.isFloat() || !isa<IntegerType>(x.elementType) ||
      x.elementType.isInteger(1))
    return std::nullopt;
  if (kind != ReduceKind::sum && kind != ReduceKind::prod &&
      kind != ReduceKind::max && kind != ReduceKind::min)
    return std::nullopt;
  int64_t rank = x.shape.size();
  // Kept shape (reduced dims as 1) indexes the accumulators.
  SmallVector<int64_t> kept(x.shape), outShape;
  for (int64_t d = 0; d < rank; ++d) {
    bool reduced = llvm::is_contained(axes, d);
    if (reduced)
      kept[d] = 1;
    if (!reduced || keepDims)
      outShape.push_back(kept[d]);
  }
  int64_t outCount = numElementsOf(kept);
  if (x.ints.empty() && outCount > 0 &&
      (kind == ReduceKind::max || kind == ReduceKind::min))
    return std::nullopt;
  std::vector<int64_t> acc(outCount, kind == ReduceKind::prod ? 1 : 0);
  std::vector<bool> seen(outCount, false);
  SmallVector<int64_t> inStrides = stridesOf(x.shape),
                       outStrides = stridesOf(kept);
  for (int64_t i = 0, e = x.ints.size(); i < e; ++i) {
    int64_t out = 0;
    for (int64_t d = 0; d < rank; ++d)
      if (kept[d] != 1)
        out += (i / inStrides[d]) % x.shape[d] * outStrides[d];
    int64_t v = x.ints[i];
    int64_t &a = acc[out];
    switch (kind) {
    case ReduceKind::sum:
      a = int64_t(uint64_t(a) + uint64_t(v));
      break;
    case ReduceKind::prod:
      a = int64_t(uint64_t(a) * uint64_t(v));
      break;
    case ReduceKind::max:
      a = seen[out] ? std::max(a, v) : v;
      break;
    default:
      a = seen[out] ? std::min(a, v) : v;
      break;
    }
    seen[out] = true;
  }
  for (int64_t &a : acc)
    a = wrapIntToType(x.elementType, a);
  return HostTensor::ofInts(x.elementType, outShape, std::move(acc));
}

//===----------------------------------------------------------------------===//
// Reduce*
//===----------------------------------------------------------------------===//

/// A reduction over no axes is its kind applied to each element on its own
/// (what ONNX's reference computes for noop_with_empty_axes).
FailureOr<Value> reduceNothing(NodeContext &ctx, ReduceKind kind, Value x) {
  switch (kind) {
  case ReduceKind::sum_square:
    return ctx.make<MulOp>(x, x);
  case ReduceKind::l1:
  case ReduceKind::l2:
    return ctx.make<AbsOp>(x);
  case ReduceKind::log_sum:
    return ctx.make<LogOp>(x);
  default:
    return x;
  }
}

FailureOr<Value> reduce(NodeContext &ctx, ReduceKind kind, Value x,
                        ArrayRef<int64_t> axes, bool keepDims) {
  if (axes.empty())
    return reduceNothing(ctx, kind, x);
  return ctx.make<ReduceOp>(kind, x, axes, keepDims);
}

/// `x ? 1 : 0` as i32, for max/min of booleans.
FailureOr<Value> boolToI32(NodeContext &ctx, Value x) {
  Type i32 = ctx.builder().getI32Type();
  return ctx.make<SelectOp>(x, ctx.scalar(i32, 1), ctx.scalar(i32, 0));
}

/// ReduceMax / ReduceMin of booleans (opset 20): any / all.
LogicalResult reduceBool(NodeContext &ctx, ReduceKind kind,
                         ArrayRef<int64_t> axes, bool keepDims) {
  if (kind != ReduceKind::max && kind != ReduceKind::min)
    return ctx.unsupported("bool input is only allowed for ReduceMax and "
                           "ReduceMin");
  FailureOr<Value> asInt = boolToI32(ctx, ctx.input(0));
  if (failed(asInt))
    return failure();
  FailureOr<Value> reduced = reduce(ctx, kind, *asInt, axes, keepDims);
  if (failed(reduced))
    return failure();
  Value zero = ctx.scalar(ctx.builder().getI32Type(), 0);
  return bind(ctx, ctx.make<CompareOp>(CompareKind::ne, *reduced, zero));
}

/// Kinds that are not closed over integers (a mean, or built from log, exp
/// or sqrt): on integers they are computed in f64 and truncated back toward
/// zero, as ONNX's reference (numpy) does.
bool needsFloat(ReduceKind kind) {
  return kind == ReduceKind::mean || kind == ReduceKind::l2 ||
         kind == ReduceKind::log_sum || kind == ReduceKind::log_sum_exp;
}

LogicalResult reduceInFloat(NodeContext &ctx, ReduceKind kind,
                            ArrayRef<int64_t> axes, bool keepDims) {
  Value x = ctx.input(0);
  Type f64 = ctx.builder().getF64Type();
  FailureOr<Value> wide = ctx.makeTyped<CastOp>(ctx.inputType(0).clone(f64), x);
  if (failed(wide))
    return failure();
  FailureOr<Value> reduced = reduce(ctx, kind, *wide, axes, keepDims);
  if (failed(reduced))
    return failure();
  auto type = cast<RankedTensorType>(reduced->getType());
  return bind(ctx,
              ctx.makeTyped<CastOp>(type.clone(elementTypeOf(x)), *reduced));
}

template <ReduceKind Kind, int64_t AxesInputSince>
LogicalResult importReduce(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  FailureOr<SmallVector<int64_t>> axes =
      reductionAxes(ctx, type.getRank(), AxesInputSince);
  if (failed(axes))
    return failure();
  bool keepDims = ctx.intAttr("keepdims", 1) != 0;
  Type element = type.getElementType();
  if (ctx.allInputsKnown())
    if (auto folded = hostReduce(*ctx.knownInput(0), *axes, keepDims, Kind)) {
      ctx.setOutputConstant(0, std::move(*folded));
      return success();
    }
  if (element.isInteger(1))
    return reduceBool(ctx, Kind, *axes, keepDims);
  if (!isa<FloatType, IntegerType>(element))
    return ctx.unsupported("element type " + typeName(element) +
                           " is not supported");
  if (isa<IntegerType>(element) && needsFloat(Kind))
    return reduceInFloat(ctx, Kind, *axes, keepDims);
  return bind(ctx, reduce(ctx, Kind, ctx.input(0), *axes, keepDims));
}

//===----------------------------------------------------------------------===//
// ArgMax, ArgMin, CumSum, TopK
//===----------------------------------------------------------------------===//

/// Numeric (not bool) element types, which the arg/scan ops accept.
LogicalResult checkNumeric(NodeContext &ctx, Type element) {
  if (isa<FloatType>(element) ||
      (isa<IntegerType>(element) && !element.isInteger(1)))
    return success();
  return ctx.unsupported("element type " + typeName(element) +
                         " is not supported (expected a float or integer)");
}

template <ArgReduceKind Kind> LogicalResult importArgReduce(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (failed(checkNumeric(ctx, type.getElementType())))
    return failure();
  if (type.getRank() == 0)
    return ctx.unsupported("the input must have rank >= 1");
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.intAttr("axis", 0), type.getRank());
  if (failed(axis))
    return failure();
  bool keepDims = ctx.intAttr("keepdims", 1) != 0;
  bool last = ctx.intAttr("select_last_index", 0) != 0;
  return bind(ctx, ctx.make<ArgReduceOp>(Kind, ctx.input(0), uint64_t(*axis),
                                         keepDims, last));
}

/// A one-element integer input that must be known at import time.
FailureOr<int64_t> knownScalarInput(NodeContext &ctx, unsigned index,
                                    StringRef what) {
  if (!ctx.hasInput(index)) {
    (void)ctx.unsupported("the " + what + " input is missing");
    return failure();
  }
  const HostTensor *known = ctx.knownInput(index);
  if (!known) {
    (void)ctx.unsupported("the " + what +
                          " input must be known at import "
                          "time, but it is computed at run time");
    return failure();
  }
  if (known->size() != 1 || known->isFloat()) {
    (void)ctx.unsupported("the " + what +
                          " input must hold one integer, "
                          "got " +
                          Twine(known->size()) + " elements");
    return failure();
  }
  return known->ints[0];
}

LogicalResult importCumSum(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (failed(checkNumeric(ctx, type.getElementType())))
    return failure();
  if (type.getRank() == 0)
    return ctx.unsupported("the input must have rank >= 1");
  FailureOr<int64_t> axis = knownScalarInput(ctx, 1, "axis");
  if (failed(axis))
    return failure();
  FailureOr<int64_t> normalized = ctx.normalizeAxis(*axis, type.getRank());
  if (failed(normalized))
    return failure();
  bool exclusive = ctx.intAttr("exclusive", 0) != 0;
  bool reverse = ctx.intAttr("reverse", 0) != 0;
  return bind(ctx,
              ctx.makeTyped<CumSumOp>(type, ctx.input(0), uint64_t(*normalized),
                                      exclusive, reverse));
}

/// K: an attribute before opset 10, a known one-element input after.
FailureOr<int64_t> topKCount(NodeContext &ctx) {
  if (ctx.opset() >= 10)
    return knownScalarInput(ctx, 1, "K");
  if (!ctx.hasAttr("k")) {
    (void)ctx.unsupported("the k attribute is missing");
    return failure();
  }
  return ctx.intAttr("k", 0);
}

LogicalResult importTopK(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (failed(checkNumeric(ctx, type.getElementType())))
    return failure();
  if (type.getRank() == 0)
    return ctx.unsupported("the input must have rank >= 1");
  FailureOr<int64_t> k = topKCount(ctx);
  if (failed(k))
    return failure();
  if (*k < 0)
    return ctx.unsupported("k must be non-negative, got " + Twine(*k));
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.intAttr("axis", -1), type.getRank());
  if (failed(axis))
    return failure();
  // largest and sorted exist since opset 11; before, both are implied.
  bool largest = ctx.opset() < 11 || ctx.intAttr("largest", 1) != 0;
  bool sorted = ctx.opset() < 11 || ctx.intAttr("sorted", 1) != 0;
  Type none = NoneType::get(ctx.context());
  auto op = TopKOp::create(ctx.builder(), ctx.loc(), none, none, ctx.input(0),
                           uint64_t(*k), uint64_t(*axis), largest, sorted);
  if (failed(ctx.finish(op, /*infer=*/true)))
    return failure();
  ctx.setOutput(0, op.getValues());
  ctx.setOutput(1, op.getIndices());
  return success();
}

} // namespace

void registerReductionHandlers(HandlerTable &table) {
  table["ReduceSum"] = importReduce<ReduceKind::sum, 13>;
  table["ReduceMean"] = importReduce<ReduceKind::mean, 18>;
  table["ReduceMax"] = importReduce<ReduceKind::max, 18>;
  table["ReduceMin"] = importReduce<ReduceKind::min, 18>;
  table["ReduceProd"] = importReduce<ReduceKind::prod, 18>;
  table["ReduceL1"] = importReduce<ReduceKind::l1, 18>;
  table["ReduceL2"] = importReduce<ReduceKind::l2, 18>;
  table["ReduceLogSum"] = importReduce<ReduceKind::log_sum, 18>;
  table["ReduceLogSumExp"] = importReduce<ReduceKind::log_sum_exp, 18>;
  table["ReduceSumSquare"] = importReduce<ReduceKind::sum_square, 18>;
  table["ArgMax"] = importArgReduce<ArgReduceKind::max>;
  table["ArgMin"] = importArgReduce<ArgReduceKind::min>;
  table["CumSum"] = importCumSum;
  table["TopK"] = importTopK;
}

} // namespace mlir::autoglm::onnx_import
