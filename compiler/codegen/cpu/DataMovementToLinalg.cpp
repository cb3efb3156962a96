//===- DataMovementToLinalg.cpp - ag data movement ops to tensor/linalg ---===//
//
// reshape -> tensor.collapse_shape / expand_shape (through 1-D when it is
// neither), transpose -> linalg.transpose, concat -> tensor.empty +
// tensor.insert_slice, slice -> tensor.extract_slice (a linalg.generic with
// reversing maps for negative steps), pad -> tensor.pad (constant) or a
// linalg.generic computing source coordinates (reflect, edge, wrap), expand ->
// a broadcasting linalg.generic, resize -> a linalg.generic reading
// precomputed source coordinates (nearest, linear).
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cpu/AgToLinalg.h"
#include "compiler/codegen/cpu/LoweringUtils.h"
#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <cmath>

using namespace mlir;
using namespace mlir::autoglm;

namespace {

/// The converted (signless) result type of a single-result op.
template <typename OpTy>
RankedTensorType convertedResultType(const OpConversionPattern<OpTy> &pattern,
                                     OpTy op) {
  return pattern.getTypeConverter()->template convertType<RankedTensorType>(
      op->getResult(0).getType());
}

SmallVector<OpFoldResult> indexAttrs(OpBuilder &b, ArrayRef<int64_t> values) {
  return getAsIndexOpFoldResult(b.getContext(), values);
}

//===----------------------------------------------------------------------===//
// reshape, transpose, expand
//===----------------------------------------------------------------------===//

struct ReshapeLowering : OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op,
                       createReshape(rewriter, op.getLoc(), adaptor.getInput(),
                                     convertedResultType(*this, op)));
    return success();
  }
};

struct TransposeLowering : OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value init =
        createEmpty(rewriter, op.getLoc(), convertedResultType(*this, op));
    auto transpose = linalg::TransposeOp::create(
        rewriter, op.getLoc(), adaptor.getInput(), init, op.getPermutation());
    rewriter.replaceOp(op, transpose->getResults());
    return success();
  }
};

struct ExpandLowering : OpConversionPattern<ExpandOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ExpandOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Value result = buildElementwise(
        rewriter, op.getLoc(), convertedResultType(*this, op),
        adaptor.getInput(),
        [](OpBuilder &, Location, ValueRange args) { return args[0]; });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// concat, slice
//===----------------------------------------------------------------------===//

struct ConcatLowering : OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = convertedResultType(*this, op);
    Value result = createEmpty(rewriter, loc, type);
    SmallVector<int64_t> offsets(type.getRank(), 0);
    SmallVector<int64_t> strides(type.getRank(), 1);
    for (Value input : adaptor.getInputs()) {
      auto inputType = cast<RankedTensorType>(input.getType());
      result = tensor::InsertSliceOp::create(
          rewriter, loc, input, result, indexAttrs(rewriter, offsets),
          indexAttrs(rewriter, inputType.getShape()),
          indexAttrs(rewriter, strides));
      offsets[op.getAxis()] += inputType.getDimSize(op.getAxis());
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

/// Positive steps: tensor.extract_slice. Any negative step: a linalg.generic
/// whose input map is `start + i * step` per dim.
struct SliceLowering : OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = convertedResultType(*this, op);
    ArrayRef<int64_t> starts = op.getStarts(), steps = op.getSteps();
    if (llvm::all_of(steps, [](int64_t s) { return s > 0; })) {
      rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
          op, type, adaptor.getInput(), indexAttrs(rewriter, starts),
          indexAttrs(rewriter, op.getSizes()), indexAttrs(rewriter, steps));
      return success();
    }
    MLIRContext *context = rewriter.getContext();
    int64_t rank = type.getRank();
    SmallVector<AffineExpr> exprs = makeExprs(rank, [&](int64_t d) {
      return getAffineDimExpr(d, context) * steps[d] + starts[d];
    });
    SmallVector<AffineMap> maps = {AffineMap::get(rank, 0, exprs, context),
                                   rewriter.getMultiDimIdentityMap(rank)};
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, adaptor.getInput(),
        createEmpty(rewriter, loc, type), maps, getIterators(rank),
        [](OpBuilder &b, Location nestedLoc, ValueRange args) {
          linalg::YieldOp::create(b, nestedLoc, args[0]);
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// pad
//===----------------------------------------------------------------------===//

/// The pad value as a scalar of `type` (bools: value != 0).
Value buildPadValue(OpBuilder &b, Location loc, Type type, double value,
                    bool isUnsigned) {
  if (type.isInteger(1))
    return arith::ConstantOp::create(b, loc, b.getBoolAttr(value != 0));
  if (isUnsigned && value >= 0)
    return arith::ConstantOp::create(
        b, loc,
        IntegerAttr::get(type,
                         APInt(type.getIntOrFloatBitWidth(), uint64_t(value),
                               /*isSigned=*/false,
                               /*implicitTrunc=*/true)));
  return createScalar(b, loc, type, value);
}

/// The source coordinate of padded coordinate `j` (already shifted by the
/// begin padding, so `0 <= j < size` is inside) in `mode`.
Value buildPadSourceIndex(OpBuilder &b, Location loc, Value j, int64_t size,
                          PadMode mode) {
  auto cst = [&](int64_t v) {
    return arith::ConstantIndexOp::create(b, loc, v);
  };
  // ((x mod m) + m) mod m, a non-negative remainder.
  auto positiveMod = [&](Value x, int64_t m) -> Value {
    Value rem = arith::RemSIOp::create(b, loc, x, cst(m));
    return arith::RemSIOp::create(
        b, loc, arith::AddIOp::create(b, loc, rem, cst(m)), cst(m));
  };
  switch (mode) {
  case PadMode::edge:
    return arith::MinSIOp::create(
        b, loc, arith::MaxSIOp::create(b, loc, j, cst(0)), cst(size - 1));
  case PadMode::wrap:
    return positiveMod(j, size);
  case PadMode::reflect: {
    if (size == 1)
      return cst(0);
    // Mirror without repeating the edge: period 2 * (size - 1).
    int64_t period = 2 * (size - 1);
    Value m = positiveMod(j, period);
    Value inside =
        arith::CmpIOp::create(b, loc, arith::CmpIPredicate::slt, m, cst(size));
    Value mirrored = arith::SubIOp::create(b, loc, cst(period), m);
    return arith::SelectOp::create(b, loc, inside, m, mirrored);
  }
  case PadMode::constant:
    break;
  }
  llvm_unreachable("constant padding needs no source index");
}

struct PadLowering : OpConversionPattern<PadOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(PadOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = convertedResultType(*this, op);
    int64_t rank = type.getRank();
    ArrayRef<int64_t> low = op.getPads().take_front(rank);
    ArrayRef<int64_t> high = op.getPads().drop_front(rank);
    Value result;
    if (op.getMode() == PadMode::constant) {
      Value padValue = buildPadValue(
          rewriter, loc, type.getElementType(), op.getValue().convertToDouble(),
          isUnsignedElement(op.getInput().getType()));
      result =
          createPadded(rewriter, loc, adaptor.getInput(), low, high, padValue);
    } else {
      // Crop first (negative pads), then read mirrored/clamped/wrapped
      // coordinates of what remains.
      auto noPad = [](ArrayRef<int64_t> pads) {
        return llvm::map_to_vector(
            pads, [](int64_t p) { return std::min<int64_t>(p, 0); });
      };
      Value cropped = createPadded(rewriter, loc, adaptor.getInput(),
                                   noPad(low), noPad(high), Value());
      SmallVector<int64_t> begin = llvm::map_to_vector(
          low, [](int64_t p) { return std::max<int64_t>(p, 0); });
      result =
          buildIndexedPad(rewriter, loc, cropped, type, begin, op.getMode());
    }
    rewriter.replaceOp(op, result);
    return success();
  }

  /// reflect / edge / wrap: each result element reads the source element its
  /// mode maps it to.
  static Value buildIndexedPad(OpBuilder &b, Location loc, Value input,
                               RankedTensorType type, ArrayRef<int64_t> low,
                               PadMode mode) {
    auto inputType = cast<RankedTensorType>(input.getType());
    int64_t rank = type.getRank();
    auto generic = linalg::GenericOp::create(
        b, loc, TypeRange{type}, ValueRange{}, createEmpty(b, loc, type),
        {b.getMultiDimIdentityMap(rank)}, getIterators(rank),
        [&](OpBuilder &nb, Location nl, ValueRange) {
          SmallVector<Value> coords;
          for (int64_t d = 0; d < rank; ++d) {
            Value j = linalg::IndexOp::create(nb, nl, d);
            int64_t size = inputType.getDimSize(d);
            if (size == type.getDimSize(d)) { // nothing padded in this dim
              coords.push_back(j);
              continue;
            }
            j = arith::SubIOp::create(
                nb, nl, j, arith::ConstantIndexOp::create(nb, nl, low[d]));
            coords.push_back(buildPadSourceIndex(nb, nl, j, size, mode));
          }
          Value element = tensor::ExtractOp::create(nb, nl, input, coords);
          linalg::YieldOp::create(nb, nl, element);
        });
    return generic.getResult(0);
  }
};

//===----------------------------------------------------------------------===//
// resize
//===----------------------------------------------------------------------===//

/// Where output index `x` of one dim reads in the input, per coordinate mode.
double sourceCoordinate(CoordinateMode mode, double x, double scale,
                        int64_t inSize, int64_t outSize) {
  switch (mode) {
  case CoordinateMode::half_pixel:
    return (x + 0.5) / scale - 0.5;
  case CoordinateMode::pytorch_half_pixel:
    return outSize > 1 ? (x + 0.5) / scale - 0.5 : 0.0;
  case CoordinateMode::align_corners:
    return outSize == 1 ? 0.0 : x * double(inSize - 1) / double(outSize - 1);
  case CoordinateMode::asymmetric:
    return x / scale;
  case CoordinateMode::tf_half_pixel_for_nn:
    return (x + 0.5) / scale;
  case CoordinateMode::half_pixel_symmetric: {
    double adjustment = double(outSize) / (scale * double(inSize));
    double offset = double(inSize) / 2.0 * (1.0 - adjustment);
    return offset + (x + 0.5) / scale - 0.5;
  }
  }
  llvm_unreachable("unknown coordinate mode");
}

double roundNearest(NearestMode mode, double x) {
  switch (mode) {
  case NearestMode::round_prefer_floor:
    return std::ceil(x - 0.5);
  case NearestMode::round_prefer_ceil:
    return std::floor(x + 0.5);
  case NearestMode::floor:
    return std::floor(x);
  case NearestMode::ceil:
    return std::ceil(x);
  }
  llvm_unreachable("unknown nearest mode");
}

/// The compile-time sampling plan of one dim: per output index, the lower
/// (and for linear, upper) input index and the upper neighbour's weight.
struct DimSampling {
  SmallVector<int64_t> lower, upper;
  SmallVector<double> weight;
  bool identity = true;      // lower[x] == x, no weights: read index x
  bool interpolated = false; // some weight is non-zero
};

DimSampling planDim(ResizeOp op, int64_t d, int64_t inSize, int64_t outSize) {
  double scale =
      op.getScales() ? (*op.getScales())[d] : double(outSize) / double(inSize);
  auto clampIndex = [&](double i) {
    return std::clamp<int64_t>(int64_t(i), 0, inSize - 1);
  };
  DimSampling plan;
  for (int64_t x = 0; x < outSize; ++x) {
    double source = sourceCoordinate(op.getCoordinateMode(), double(x), scale,
                                     inSize, outSize);
    int64_t lower, upper;
    double weight = 0.0;
    if (op.getMode() == ResizeMode::nearest) {
      lower = upper = clampIndex(roundNearest(op.getNearestMode(), source));
    } else {
      double base = std::floor(source);
      lower = clampIndex(base);
      upper = clampIndex(base + 1);
      weight = lower == upper ? 0.0 : source - base;
    }
    plan.lower.push_back(lower);
    plan.upper.push_back(upper);
    plan.weight.push_back(weight);
    plan.identity &= lower == x && weight == 0.0;
    plan.interpolated |= weight != 0.0;
  }
  return plan;
}

struct ResizeLowering : OpConversionPattern<ResizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    if (op.getMode() == ResizeMode::cubic)
      return rewriter.notifyMatchFailure(op, "cubic resize is not lowered yet");
    Location loc = op.getLoc();
    RankedTensorType type = convertedResultType(*this, op);
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    int64_t rank = type.getRank();
    SmallVector<DimSampling> plans;
    for (int64_t d = 0; d < rank; ++d)
      plans.push_back(
          planDim(op, d, inputType.getDimSize(d), type.getDimSize(d)));

    // Inputs: per non-identity dim its lower index table, and per
    // interpolated dim its upper index and weight tables.
    SmallVector<Value> tables;
    SmallVector<AffineMap> maps;
    auto addTable = [&](int64_t d, Attribute values) {
      tables.push_back(
          arith::ConstantOp::create(rewriter, loc, cast<TypedAttr>(values)));
      maps.push_back(AffineMap::get(rank, 0, rewriter.getAffineDimExpr(d)));
    };
    auto indexTable = [&](ArrayRef<int64_t> values) {
      auto tableType = RankedTensorType::get({int64_t(values.size())},
                                             rewriter.getI64Type());
      return DenseElementsAttr::get(tableType, values);
    };
    for (auto [d, plan] : llvm::enumerate(plans)) {
      if (!plan.identity)
        addTable(d, indexTable(plan.lower));
      if (!plan.interpolated)
        continue;
      addTable(d, indexTable(plan.upper));
      SmallVector<Attribute> weights;
      for (double w : plan.weight)
        weights.push_back(rewriter.getFloatAttr(type.getElementType(), w));
      addTable(d, DenseElementsAttr::get(
                      RankedTensorType::get({int64_t(weights.size())},
                                            type.getElementType()),
                      weights));
    }
    maps.push_back(rewriter.getMultiDimIdentityMap(rank));
    Value input = adaptor.getInput();
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, tables,
        createEmpty(rewriter, loc, type), maps, getIterators(rank),
        [&](OpBuilder &b, Location nl, ValueRange args) {
          linalg::YieldOp::create(b, nl,
                                  buildSample(b, nl, input, plans, args));
        });
    rewriter.replaceOp(op, generic.getResults());
    return success();
  }

  /// The weighted sum over the 2^m corners of the m interpolated dims (one
  /// read for nearest).
  static Value buildSample(OpBuilder &b, Location loc, Value input,
                           ArrayRef<DimSampling> plans, ValueRange args) {
    SmallVector<Value> lower, upper, weight;
    unsigned next = 0;
    for (auto [d, plan] : llvm::enumerate(plans)) {
      Value index = plan.identity
                        ? linalg::IndexOp::create(b, loc, d).getResult()
                        : toIndex(b, loc, args[next++]);
      lower.push_back(index);
      upper.push_back(index);
      weight.push_back({});
      if (plan.interpolated) {
        upper.back() = toIndex(b, loc, args[next++]);
        weight.back() = args[next++];
      }
    }
    SmallVector<int64_t> interpolated;
    for (auto [d, plan] : llvm::enumerate(plans))
      if (plan.interpolated)
        interpolated.push_back(d);
    Value sum;
    for (uint64_t corner = 0; corner < (uint64_t(1) << interpolated.size());
         ++corner) {
      SmallVector<Value> coords(lower);
      Value factor;
      for (auto [bit, d] : llvm::enumerate(interpolated)) {
        bool high = corner & (uint64_t(1) << bit);
        Value w = weight[d];
        if (high)
          coords[d] = upper[d];
        else
          w = arith::SubFOp::create(b, loc,
                                    createScalar(b, loc, w.getType(), 1.0), w);
        factor =
            factor ? arith::MulFOp::create(b, loc, factor, w).getResult() : w;
      }
      Value element = tensor::ExtractOp::create(b, loc, input, coords);
      Value term =
          factor ? arith::MulFOp::create(b, loc, factor, element).getResult()
                 : element;
      sum = sum ? arith::AddFOp::create(b, loc, sum, term).getResult() : term;
    }
    return sum;
  }
};

} // namespace

void mlir::autoglm::populateDataMovementToLinalgPatterns(
    TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<ReshapeLowering, TransposeLowering, ExpandLowering,
               ConcatLowering, SliceLowering, PadLowering, ResizeLowering>(
      converter, patterns.getContext());
}
