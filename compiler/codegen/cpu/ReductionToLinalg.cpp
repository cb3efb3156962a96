//===- ReductionToLinalg.cpp - ag reductions, softmax, norms to linalg ----===//
//
// reduce, arg_reduce, softmax, layer_norm and rms_norm become linalg.generic
// reductions (a linalg.fill of the identity as the accumulator) chained with
// elementwise generics; reduced tensors are re-expanded to keep their dims so
// numpy broadcasting applies. cumsum and topk are scf.for loops over the axis
// whose bodies are linalg ops on slices.
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cpu/AgToLinalg.h"
#include "compiler/codegen/cpu/LoweringUtils.h"
#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <numeric>

using namespace mlir;
using namespace mlir::autoglm;

namespace {

bool isFloat(Type type) { return isa<FloatType>(type); }

/// `shape` with dim `axis` set to 1.
RankedTensorType withUnitDim(RankedTensorType type, int64_t axis) {
  SmallVector<int64_t> shape(type.getShape());
  shape[axis] = 1;
  return type.clone(shape);
}

/// Dims `[from, rank)`.
SmallVector<int64_t> trailingDims(int64_t from, int64_t rank) {
  SmallVector<int64_t> dims(rank - from);
  std::iota(dims.begin(), dims.end(), from);
  return dims;
}

int64_t countElements(RankedTensorType type, ArrayRef<int64_t> dims) {
  int64_t count = 1;
  for (int64_t d : dims)
    count *= type.getDimSize(d);
  return count;
}

using ScalarMap = Value (*)(OpBuilder &, Location, Value);

/// Reduces `input` over `dims` with `kind` after mapping each element
/// through `pre` (may be null), keeping the reduced dims as size 1 unless
/// `keepDims` is false.
Value reduceKeepDims(OpBuilder &b, Location loc, Value input,
                     ArrayRef<int64_t> dims, Combiner kind, bool isUnsigned,
                     ScalarMap pre = nullptr, bool keepDims = true) {
  auto type = cast<RankedTensorType>(input.getType());
  Value reduced =
      buildReduction(b, loc, input, dims,
                     getIdentityAttr(kind, type.getElementType(), isUnsigned),
                     [&](OpBuilder &nb, Location nl, ValueRange args) {
                       Value x = pre ? pre(nb, nl, args[0]) : args[0];
                       return combine(nb, nl, kind, x, args.back(), isUnsigned);
                     });
  if (!keepDims)
    return reduced;
  SmallVector<int64_t> shape(type.getShape());
  for (int64_t d : dims)
    shape[d] = 1;
  return createReshape(b, loc, reduced, type.clone(shape));
}

Value square(OpBuilder &b, Location loc, Value x) {
  return isFloat(x.getType()) ? arith::MulFOp::create(b, loc, x, x).getResult()
                              : arith::MulIOp::create(b, loc, x, x).getResult();
}

Value absolute(OpBuilder &b, Location loc, Value x) {
  return isFloat(x.getType()) ? math::AbsFOp::create(b, loc, x).getResult()
                              : math::AbsIOp::create(b, loc, x).getResult();
}

Value exponential(OpBuilder &b, Location loc, Value x) {
  return math::ExpOp::create(b, loc, x);
}

/// Applies `fn` to an integer through f64 (sqrt, log of integer reductions),
/// truncating back.
Value viaF64(OpBuilder &b, Location loc, Value x, bool isUnsigned,
             Value (*fn)(OpBuilder &, Location, Value)) {
  if (isFloat(x.getType()))
    return fn(b, loc, x);
  Type f64 = b.getF64Type();
  Value wide = isUnsigned ? arith::UIToFPOp::create(b, loc, f64, x).getResult()
                          : arith::SIToFPOp::create(b, loc, f64, x).getResult();
  Value result = fn(b, loc, wide);
  if (isUnsigned)
    return arith::FPToUIOp::create(b, loc, x.getType(), result);
  return arith::FPToSIOp::create(b, loc, x.getType(), result);
}

//===----------------------------------------------------------------------===//
// reduce
//===----------------------------------------------------------------------===//

struct ReduceLowering : OpConversionPattern<ReduceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = getTypeConverter()->convertType<RankedTensorType>(op.getType());
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    ArrayRef<int64_t> axes = op.getAxes();
    bool isUnsigned = isUnsignedElement(op.getInput().getType());
    ReduceKind kind = op.getKind();
    if (kind == ReduceKind::log_sum_exp && !isFloat(inputType.getElementType()))
      return rewriter.notifyMatchFailure(op, "log_sum_exp needs floats");

    auto reduce = [&](Combiner combiner, ScalarMap pre = nullptr) {
      return reduceKeepDims(rewriter, loc, input, axes, combiner, isUnsigned,
                            pre, /*keepDims=*/false);
    };
    Value result;
    switch (kind) {
    case ReduceKind::sum:
    case ReduceKind::mean:
    case ReduceKind::log_sum:
      result = reduce(Combiner::add);
      break;
    case ReduceKind::max:
      result = reduce(Combiner::max);
      break;
    case ReduceKind::min:
      result = reduce(Combiner::min);
      break;
    case ReduceKind::prod:
      result = reduce(Combiner::mul);
      break;
    case ReduceKind::sum_square:
    case ReduceKind::l2:
      result = reduce(Combiner::add, square);
      break;
    case ReduceKind::l1:
      result = reduce(Combiner::add, isUnsigned ? nullptr : absolute);
      break;
    case ReduceKind::log_sum_exp:
      result = buildLogSumExp(rewriter, loc, input, axes);
      break;
    }
    result = applyEpilogue(rewriter, loc, result, kind, isUnsigned,
                           countElements(inputType, axes));
    rewriter.replaceOp(op, createReshape(rewriter, loc, result, type));
    return success();
  }

  /// What follows the reduction: the mean's division, l2's sqrt, log_sum's
  /// log.
  static Value applyEpilogue(OpBuilder &b, Location loc, Value reduced,
                             ReduceKind kind, bool isUnsigned, int64_t count) {
    auto type = cast<RankedTensorType>(reduced.getType());
    switch (kind) {
    case ReduceKind::mean:
      return buildElementwise(
          b, loc, type, reduced,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            Value n = createScalar(nb, nl, args[0].getType(), double(count));
            if (isFloat(args[0].getType()))
              return arith::DivFOp::create(nb, nl, args[0], n).getResult();
            if (isUnsigned)
              return arith::DivUIOp::create(nb, nl, args[0], n).getResult();
            return arith::DivSIOp::create(nb, nl, args[0], n).getResult();
          });
    case ReduceKind::l2:
    case ReduceKind::log_sum:
      return buildElementwise(
          b, loc, type, reduced,
          [&](OpBuilder &nb, Location nl, ValueRange args) {
            auto sqrt = [](OpBuilder &ob, Location ol, Value x) -> Value {
              return math::SqrtOp::create(ob, ol, x);
            };
            auto log = [](OpBuilder &ob, Location ol, Value x) -> Value {
              return math::LogOp::create(ob, ol, x);
            };
            return viaF64(nb, nl, args[0], isUnsigned,
                          kind == ReduceKind::l2 ? +sqrt : +log);
          });
    default:
      return reduced;
    }
  }

  /// m + log(sum(exp(x - m))) with m the maximum (0 where it is infinite, so
  /// all -inf gives -inf and +inf gives +inf or NaN as the math says).
  static Value buildLogSumExp(OpBuilder &b, Location loc, Value input,
                              ArrayRef<int64_t> axes) {
    auto type = cast<RankedTensorType>(input.getType());
    Value max = reduceKeepDims(b, loc, input, axes, Combiner::max, false);
    auto maxType = cast<RankedTensorType>(max.getType());
    Value shift = buildElementwise(
        b, loc, maxType, max, [](OpBuilder &nb, Location nl, ValueRange args) {
          Value m = args[0];
          Value inf = createScalar(nb, nl, m.getType(), INFINITY);
          Value isInf =
              arith::CmpFOp::create(nb, nl, arith::CmpFPredicate::OEQ,
                                    math::AbsFOp::create(nb, nl, m), inf);
          return arith::SelectOp::create(
                     nb, nl, isInf, createScalar(nb, nl, m.getType(), 0.0), m)
              .getResult();
        });
    Value shifted = buildElementwise(
        b, loc, type, {input, shift},
        [](OpBuilder &nb, Location nl, ValueRange args) {
          return arith::SubFOp::create(nb, nl, args[0], args[1]).getResult();
        });
    Value sum = reduceKeepDims(b, loc, shifted, axes, Combiner::add, false,
                               exponential);
    return buildElementwise(
        b, loc, maxType, {sum, shift},
        [](OpBuilder &nb, Location nl, ValueRange args) {
          Value log = math::LogOp::create(nb, nl, args[0]);
          return arith::AddFOp::create(nb, nl, log, args[1]).getResult();
        });
  }
};

//===----------------------------------------------------------------------===//
// arg_reduce
//===----------------------------------------------------------------------===//

/// One generic with two accumulators (value, i64 position) reduced along the
/// axis. The first extreme wins, the last with select_last_index; a NaN wins
/// over numbers.
struct ArgReduceLowering : OpConversionPattern<ArgReduceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ArgReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = inputType.getRank(), axis = op.getAxis();
    Type elementType = inputType.getElementType();
    bool isUnsigned = isUnsignedElement(op.getInput().getType());
    bool isMax = op.getKind() == ArgReduceKind::max;
    bool last = op.getSelectLastIndex();

    SmallVector<int64_t> shape(inputType.getShape());
    shape.erase(shape.begin() + axis);
    Value values =
        createFilled(rewriter, loc, RankedTensorType::get(shape, elementType),
                     getIdentityAttr(isMax ? Combiner::max : Combiner::min,
                                     elementType, isUnsigned));
    Value positions = createFilled(
        rewriter, loc, RankedTensorType::get(shape, rewriter.getI64Type()),
        rewriter.getI64IntegerAttr(0));
    AffineMap reduced = getDropDimsMap(rank, {axis}, rewriter.getContext());
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{values.getType(), positions.getType()}, input,
        ValueRange{values, positions},
        {rewriter.getMultiDimIdentityMap(rank), reduced, reduced},
        getIterators(rank, {axis}),
        [&](OpBuilder &b, Location nl, ValueRange args) {
          Value x = args[0], best = args[1], bestIndex = args[2];
          Value better = buildIsBetter(b, nl, x, best, isMax, last, isUnsigned);
          Value index = arith::IndexCastOp::create(
              b, nl, b.getI64Type(), linalg::IndexOp::create(b, nl, axis));
          linalg::YieldOp::create(
              b, nl,
              ValueRange{
                  arith::SelectOp::create(b, nl, better, x, best),
                  arith::SelectOp::create(b, nl, better, index, bestIndex)});
        });
    Value result = generic.getResult(1);
    auto type = cast<RankedTensorType>(op.getType());
    rewriter.replaceOp(op, createReshape(rewriter, loc, result, type));
    return success();
  }

  static Value buildIsBetter(OpBuilder &b, Location loc, Value x, Value best,
                             bool isMax, bool last, bool isUnsigned) {
    if (isFloat(x.getType())) {
      using P = arith::CmpFPredicate;
      P predicate = isMax ? (last ? P::OGE : P::OGT) : (last ? P::OLE : P::OLT);
      Value better = arith::CmpFOp::create(b, loc, predicate, x, best);
      Value xNaN = arith::CmpFOp::create(b, loc, P::UNO, x, x);
      Value bestNumber = arith::CmpFOp::create(b, loc, P::ORD, best, best);
      Value nanWins =
          last ? xNaN
               : arith::AndIOp::create(b, loc, xNaN, bestNumber).getResult();
      return arith::OrIOp::create(b, loc, better, nanWins);
    }
    using P = arith::CmpIPredicate;
    P predicate = isMax ? (last ? (isUnsigned ? P::uge : P::sge)
                                : (isUnsigned ? P::ugt : P::sgt))
                        : (last ? (isUnsigned ? P::ule : P::sle)
                                : (isUnsigned ? P::ult : P::slt));
    return arith::CmpIOp::create(b, loc, predicate, x, best);
  }
};

//===----------------------------------------------------------------------===//
// cumsum, topk: loops over the axis
//===----------------------------------------------------------------------===//

/// Offsets selecting position `index` along `axis` (zero elsewhere).
SmallVector<OpFoldResult> axisOffsets(OpBuilder &b, int64_t rank, int64_t axis,
                                      Value index) {
  SmallVector<OpFoldResult> offsets(rank, b.getIndexAttr(0));
  offsets[axis] = index;
  return offsets;
}

SmallVector<OpFoldResult> unitStrides(OpBuilder &b, int64_t rank) {
  return SmallVector<OpFoldResult>(rank, b.getIndexAttr(1));
}

/// The size-1 slice of `source` at `index` along `axis`.
Value extractAxisSlice(OpBuilder &b, Location loc, Value source, int64_t axis,
                       Value index) {
  auto type = cast<RankedTensorType>(source.getType());
  RankedTensorType sliceType = withUnitDim(type, axis);
  return tensor::ExtractSliceOp::create(
      b, loc, sliceType, source, axisOffsets(b, type.getRank(), axis, index),
      getAsIndexOpFoldResult(b.getContext(), sliceType.getShape()),
      unitStrides(b, type.getRank()));
}

/// `slice` (size 1 along `axis`) written into `dest` at `index`.
Value insertAxisSlice(OpBuilder &b, Location loc, Value slice, Value dest,
                      int64_t axis, Value index) {
  auto type = cast<RankedTensorType>(slice.getType());
  return tensor::InsertSliceOp::create(
      b, loc, slice, dest, axisOffsets(b, type.getRank(), axis, index),
      getAsIndexOpFoldResult(b.getContext(), type.getShape()),
      unitStrides(b, type.getRank()));
}

/// A running sum carried through an scf.for over the axis: step `t` adds
/// slice `t` (from the end with `reverse`) and stores the sum before
/// (exclusive) or after adding it. Both loop-carried tensors are updated in
/// place, so bufferization keeps them in their buffers.
struct CumSumLowering : OpConversionPattern<CumSumOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CumSumOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t axis = op.getAxis(), length = type.getDimSize(axis);
    bool exclusive = op.getExclusive(), reverse = op.getReverse();
    RankedTensorType sliceType = withUnitDim(type, axis);
    Value zero = createFilled(
        rewriter, loc, sliceType,
        getIdentityAttr(Combiner::add, type.getElementType(), false));
    auto cst = [&](int64_t v) {
      return arith::ConstantIndexOp::create(rewriter, loc, v);
    };
    auto loop = scf::ForOp::create(
        rewriter, loc, cst(0), cst(length), cst(1),
        ValueRange{zero, createEmpty(rewriter, loc, type)},
        [&](OpBuilder &b, Location nl, Value t, ValueRange iterArgs) {
          Value index = t;
          if (reverse)
            index = arith::SubIOp::create(
                b, nl, arith::ConstantIndexOp::create(b, nl, length - 1), t);
          Value acc = iterArgs[0], out = iterArgs[1];
          if (exclusive)
            out = insertAxisSlice(b, nl, acc, out, axis, index);
          acc = addInPlace(b, nl, acc,
                           extractAxisSlice(b, nl, input, axis, index));
          if (!exclusive)
            out = insertAxisSlice(b, nl, acc, out, axis, index);
          scf::YieldOp::create(b, nl, ValueRange{acc, out});
        });
    rewriter.replaceOp(op, loop.getResult(1));
    return success();
  }

  /// acc + slice, written over acc.
  static Value addInPlace(OpBuilder &b, Location loc, Value acc, Value slice) {
    int64_t rank = cast<RankedTensorType>(acc.getType()).getRank();
    AffineMap identity = b.getMultiDimIdentityMap(rank);
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{acc.getType()}, slice, acc, {identity, identity},
        getIterators(rank), [](OpBuilder &nb, Location nl, ValueRange args) {
          linalg::YieldOp::create(
              nb, nl, combine(nb, nl, Combiner::add, args[0], args[1], false));
        });
    return generic.getResult(0);
  }
};

/// k selection steps in an scf.for: step t reduces the axis to the best
/// element strictly after the one chosen at step t-1 in the order (value
/// descending for largest, ascending otherwise; position ascending on ties),
/// so the outputs come sorted with the lower position first among equals.
/// Step t reads the previous choice back from the outputs, which start
/// filled with a sentinel that sorts before everything (so step 0 reads it
/// at position 0); the loop only writes the outputs in place.
struct TopKLowering : OpConversionPattern<TopKOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TopKOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t axis = op.getAxis();
    bool largest = op.getLargest();
    bool isUnsigned = isUnsignedElement(op.getInput().getType());
    auto valuesType = getTypeConverter()->convertType<RankedTensorType>(
        op.getValues().getType());
    auto indicesType = cast<RankedTensorType>(op.getIndices().getType());
    Value values =
        createFilled(rewriter, loc, valuesType,
                     getIdentityAttr(largest ? Combiner::min : Combiner::max,
                                     type.getElementType(), isUnsigned));
    Value indices = createFilled(rewriter, loc, indicesType,
                                 rewriter.getI64IntegerAttr(-1));
    auto cst = [&](int64_t v) {
      return arith::ConstantIndexOp::create(rewriter, loc, v);
    };
    auto loop = scf::ForOp::create(
        rewriter, loc, cst(0), cst(op.getK()), cst(1),
        ValueRange{values, indices},
        [&](OpBuilder &b, Location nl, Value t, ValueRange iterArgs) {
          Value zero = arith::ConstantIndexOp::create(b, nl, 0);
          Value isFirst =
              arith::CmpIOp::create(b, nl, arith::CmpIPredicate::eq, t, zero);
          Value previous = arith::SelectOp::create(
              b, nl, isFirst, zero,
              arith::SubIOp::create(b, nl, t,
                                    arith::ConstantIndexOp::create(b, nl, 1)));
          Value prevValues =
              extractAxisSlice(b, nl, iterArgs[0], axis, previous);
          Value prevIndices =
              extractAxisSlice(b, nl, iterArgs[1], axis, previous);
          auto [best, bestIndex] = buildSelectStep(
              b, nl, input, axis, prevValues, prevIndices, largest, isUnsigned);
          Value newValues = insertAxisSlice(
              b, nl, createReshape(b, nl, best, withUnitDim(valuesType, axis)),
              iterArgs[0], axis, t);
          Value newIndices = insertAxisSlice(
              b, nl,
              createReshape(b, nl, bestIndex, withUnitDim(indicesType, axis)),
              iterArgs[1], axis, t);
          scf::YieldOp::create(b, nl, ValueRange{newValues, newIndices});
        });
    rewriter.replaceOp(op, {loop.getResult(0), loop.getResult(1)});
    return success();
  }

  /// The best (value, position) along `axis` among the elements that sort
  /// after (prevValue, prevIndex), given as size-1 slices along `axis`.
  static std::pair<Value, Value>
  buildSelectStep(OpBuilder &b, Location loc, Value input, int64_t axis,
                  Value prevValues, Value prevIndices, bool largest,
                  bool isUnsigned) {
    auto type = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    SmallVector<int64_t> shape(type.getShape());
    shape.erase(shape.begin() + axis);
    Value best = createFilled(
        b, loc, RankedTensorType::get(shape, type.getElementType()),
        getIdentityAttr(largest ? Combiner::max : Combiner::min,
                        type.getElementType(), isUnsigned));
    Value bestIndex =
        createFilled(b, loc, RankedTensorType::get(shape, b.getI64Type()),
                     b.getI64IntegerAttr(-1));
    MLIRContext *context = b.getContext();
    AffineMap previous =
        getBroadcastMap(cast<RankedTensorType>(prevValues.getType()).getShape(),
                        type.getShape(), context);
    AffineMap reduced = getDropDimsMap(rank, {axis}, context);
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{best.getType(), bestIndex.getType()},
        ValueRange{input, prevValues, prevIndices}, ValueRange{best, bestIndex},
        {b.getMultiDimIdentityMap(rank), previous, previous, reduced, reduced},
        getIterators(rank, {axis}),
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value x = args[0], prev = args[1], prevIndex = args[2];
          Value cur = args[3], curIndex = args[4];
          Value index = arith::IndexCastOp::create(
              nb, nl, nb.getI64Type(), linalg::IndexOp::create(nb, nl, axis));
          Value after = sortsBefore(nb, nl, prev, prevIndex, x, index, largest,
                                    isUnsigned);
          Value none = arith::CmpIOp::create(
              nb, nl, arith::CmpIPredicate::slt, curIndex,
              arith::ConstantOp::create(nb, nl, nb.getI64IntegerAttr(0)));
          Value better =
              arith::OrIOp::create(nb, nl, none,
                                   sortsBefore(nb, nl, x, index, cur, curIndex,
                                               largest, isUnsigned));
          Value take = arith::AndIOp::create(nb, nl, after, better);
          linalg::YieldOp::create(
              nb, nl,
              ValueRange{
                  arith::SelectOp::create(nb, nl, take, x, cur),
                  arith::SelectOp::create(nb, nl, take, index, curIndex)});
        });
    return {generic.getResult(0), generic.getResult(1)};
  }

  /// (a, ai) comes before (c, ci): a better value, or an equal one at a
  /// lower position. A sentinel position of -1 sorts before every element.
  static Value sortsBefore(OpBuilder &b, Location loc, Value a, Value ai,
                           Value c, Value ci, bool largest, bool isUnsigned) {
    Value strictly, equal;
    if (isFloat(a.getType())) {
      strictly = arith::CmpFOp::create(b, loc,
                                       largest ? arith::CmpFPredicate::OGT
                                               : arith::CmpFPredicate::OLT,
                                       a, c);
      equal = arith::CmpFOp::create(b, loc, arith::CmpFPredicate::OEQ, a, c);
    } else {
      using P = arith::CmpIPredicate;
      strictly = arith::CmpIOp::create(b, loc,
                                       largest ? (isUnsigned ? P::ugt : P::sgt)
                                               : (isUnsigned ? P::ult : P::slt),
                                       a, c);
      equal = arith::CmpIOp::create(b, loc, P::eq, a, c);
    }
    Value lower =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, ai, ci);
    return arith::OrIOp::create(b, loc, strictly,
                                arith::AndIOp::create(b, loc, equal, lower));
  }
};

//===----------------------------------------------------------------------===//
// softmax, layer_norm, rms_norm
//===----------------------------------------------------------------------===//

/// exp(x - max) / sum(exp(x - max)) along the axis; with `log`,
/// (x - max) - log(sum(exp(x - max))).
struct SoftmaxLowering : OpConversionPattern<SoftmaxOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SoftmaxOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    int64_t axis = op.getAxis();
    Value max =
        reduceKeepDims(rewriter, loc, input, {axis}, Combiner::max, false);
    Value exp = buildElementwise(
        rewriter, loc, type, {input, max},
        [](OpBuilder &b, Location nl, ValueRange args) {
          Value shifted = arith::SubFOp::create(b, nl, args[0], args[1]);
          return math::ExpOp::create(b, nl, shifted).getResult();
        });
    Value sum =
        reduceKeepDims(rewriter, loc, exp, {axis}, Combiner::add, false);
    Value result;
    if (op.getLog())
      result = buildElementwise(
          rewriter, loc, type, {input, max, sum},
          [](OpBuilder &b, Location nl, ValueRange args) {
            Value shifted = arith::SubFOp::create(b, nl, args[0], args[1]);
            Value log = math::LogOp::create(b, nl, args[2]);
            return arith::SubFOp::create(b, nl, shifted, log).getResult();
          });
    else
      result = buildElementwise(
          rewriter, loc, type, {exp, sum},
          [](OpBuilder &b, Location nl, ValueRange args) {
            return arith::DivFOp::create(b, nl, args[0], args[1]).getResult();
          });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// `sum / count + epsilon`, then its reciprocal square root.
Value buildRsqrtOfMean(OpBuilder &b, Location loc, Value sum, int64_t count,
                       double epsilon) {
  return buildElementwise(
      b, loc, cast<RankedTensorType>(sum.getType()), sum,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        Type type = args[0].getType();
        Value mean = arith::DivFOp::create(nb, nl, args[0],
                                           createScalar(nb, nl, type, count));
        Value shifted = arith::AddFOp::create(
            nb, nl, mean, createScalar(nb, nl, type, epsilon));
        return math::RsqrtOp::create(nb, nl, shifted).getResult();
      });
}

/// Multiplies `args[0]` by each later argument (scale factors) in turn.
Value multiplyAll(OpBuilder &b, Location loc, ValueRange args) {
  Value result = args[0];
  for (Value factor : args.drop_front())
    result = arith::MulFOp::create(b, loc, result, factor);
  return result;
}

/// mean and variance over dims [axis, rank) in the input type, then
/// (x - mean) * rsqrt(var + eps) * scale + bias.
struct LayerNormLowering : OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    SmallVector<int64_t> dims = trailingDims(op.getAxis(), type.getRank());
    int64_t count = countElements(type, dims);
    Value sum =
        reduceKeepDims(rewriter, loc, input, dims, Combiner::add, false);
    Value mean = buildElementwise(
        rewriter, loc, cast<RankedTensorType>(sum.getType()), sum,
        [&](OpBuilder &b, Location nl, ValueRange args) {
          return arith::DivFOp::create(
                     b, nl, args[0],
                     createScalar(b, nl, args[0].getType(), count))
              .getResult();
        });
    Value centered = buildElementwise(
        rewriter, loc, type, {input, mean},
        [](OpBuilder &b, Location nl, ValueRange args) {
          return arith::SubFOp::create(b, nl, args[0], args[1]).getResult();
        });
    Value squares = reduceKeepDims(rewriter, loc, centered, dims, Combiner::add,
                                   false, square);
    Value rstd = buildRsqrtOfMean(rewriter, loc, squares, count,
                                  op.getEpsilon().convertToDouble());
    SmallVector<Value> inputs = {centered, rstd};
    if (adaptor.getScale())
      inputs.push_back(adaptor.getScale());
    bool hasBias = bool(adaptor.getBias());
    if (hasBias)
      inputs.push_back(adaptor.getBias());
    Value result = buildElementwise(
        rewriter, loc, type, inputs,
        [&](OpBuilder &b, Location nl, ValueRange args) {
          Value scaled = multiplyAll(b, nl, hasBias ? args.drop_back() : args);
          if (!hasBias)
            return scaled;
          return arith::AddFOp::create(b, nl, scaled, args.back()).getResult();
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// x * rsqrt(mean(x^2) + eps) * weight over dims [axis, rank).
struct RmsNormLowering : OpConversionPattern<RmsNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RmsNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    SmallVector<int64_t> dims = trailingDims(op.getAxis(), type.getRank());
    Value squares = reduceKeepDims(rewriter, loc, input, dims, Combiner::add,
                                   false, square);
    Value rstd =
        buildRsqrtOfMean(rewriter, loc, squares, countElements(type, dims),
                         op.getEpsilon().convertToDouble());
    Value result = buildElementwise(
        rewriter, loc, type, {input, rstd, adaptor.getWeight()}, multiplyAll);
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::autoglm::populateReductionToLinalgPatterns(
    TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ReduceLowering, ArgReduceLowering, CumSumLowering, TopKLowering,
               SoftmaxLowering, LayerNormLowering, RmsNormLowering>(
      converter, patterns.getContext());
}
