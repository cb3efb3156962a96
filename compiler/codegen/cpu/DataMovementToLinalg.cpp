//===- DataMovementToLinalg.cpp - ag data movement ops to tensor/linalg ---===//
//
// reshape -> tensor.collapse_shape / expand_shape (through 1-D when it is
// neither), transpose -> linalg.transpose, concat -> tensor.empty +
// tensor.insert_slice, slice -> tensor.extract_slice (a linalg.generic with
// reversing maps for negative steps), pad -> tensor.pad (constant) or a
// linalg.generic computing source coordinates (reflect, edge, wrap), expand ->
// a broadcasting linalg.generic, resize -> a linalg.generic reading source
// indices and weights computed at compile time (nearest, linear, cubic).
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cpu/AgToLinalg.h"
#include "compiler/codegen/cpu/LoweringUtils.h"
#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"

#include <array>
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
/// As in ONNX, align_corners and pytorch_half_pixel use the unrounded output
/// length `scale * inSize`, half_pixel_symmetric both lengths.
double sourceCoordinate(CoordinateMode mode, double x, double scale,
                        int64_t inSize, int64_t outSize) {
  double length = scale * double(inSize);
  switch (mode) {
  case CoordinateMode::half_pixel:
    return (x + 0.5) / scale - 0.5;
  case CoordinateMode::pytorch_half_pixel:
    return length == 1.0 ? 0.0 : (x + 0.5) / scale - 0.5;
  case CoordinateMode::align_corners:
    return length == 1.0 ? 0.0 : x * double(inSize - 1) / (length - 1.0);
  case CoordinateMode::asymmetric:
    return x / scale;
  case CoordinateMode::tf_half_pixel_for_nn:
    return (x + 0.5) / scale;
  case CoordinateMode::half_pixel_symmetric: {
    double offset = double(inSize) / 2.0 * (1.0 - double(outSize) / length);
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

/// The compile-time sampling plan of one dim: per tap (1 for nearest, 2 for
/// linear, 4 for cubic, minus taps whose weight is always 0), the input index
/// and the weight for every output index.
struct DimSampling {
  SmallVector<SmallVector<int64_t>> index;
  SmallVector<SmallVector<double>> weight;

  bool isUnweighted() const {
    return index.size() == 1 &&
           llvm::all_of(weight[0], [](double w) { return w == 1.0; });
  }
  /// Output index x reads input index x: the dim is not resampled.
  bool isIdentity() const {
    return isUnweighted() &&
           llvm::all_of(llvm::enumerate(index[0]), [](auto entry) {
             return entry.value() == int64_t(entry.index());
           });
  }
};

/// ONNX's cubic convolution coefficients of the taps at offsets -1, 0, 1, 2
/// from floor(x), for `ratio` = x - floor(x).
std::array<double, 4> cubicCoefficients(double ratio, double a) {
  auto near = [&](double t) { return ((a + 2) * t - (a + 3)) * t * t + 1; };
  auto far = [&](double t) {
    return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a;
  };
  return {far(ratio + 1), near(ratio), near(1 - ratio), far(2 - ratio)};
}

/// The taps of output coordinate `x` reading source coordinate `source`:
/// (unclamped index, weight) pairs.
SmallVector<std::pair<int64_t, double>> tapsAt(ResizeOp op, double source) {
  if (op.getMode() == ResizeMode::nearest)
    return {{int64_t(roundNearest(op.getNearestMode(), source)), 1.0}};
  double base = std::floor(source), ratio = source - base;
  if (op.getMode() == ResizeMode::linear)
    return {{int64_t(base), 1.0 - ratio}, {int64_t(base) + 1, ratio}};
  std::array<double, 4> coefficients =
      cubicCoefficients(ratio, op.getCubicCoeffA().convertToDouble());
  SmallVector<std::pair<int64_t, double>> taps;
  for (int64_t k = 0; k < 4; ++k)
    taps.push_back({int64_t(base) - 1 + k, coefficients[k]});
  return taps;
}

DimSampling planDim(ResizeOp op, int64_t d, int64_t inSize, int64_t outSize) {
  double scale =
      op.getScales() ? (*op.getScales())[d] : double(outSize) / double(inSize);
  DimSampling plan;
  for (int64_t x = 0; x < outSize; ++x) {
    double source = sourceCoordinate(op.getCoordinateMode(), double(x), scale,
                                     inSize, outSize);
    SmallVector<std::pair<int64_t, double>> taps = tapsAt(op, source);
    if (op.getExcludeOutside() && op.getMode() == ResizeMode::cubic) {
      // Taps outside the input get weight 0; the rest are renormalized.
      double total = 0.0;
      for (auto &[index, weight] : taps) {
        if (index < 0 || index >= inSize)
          weight = 0.0;
        total += weight;
      }
      for (auto &tap : taps)
        tap.second /= total;
    }
    plan.index.resize(taps.size());
    plan.weight.resize(taps.size());
    // Out-of-range taps read the edge, as ONNX pads the input with it.
    for (auto [t, tap] : llvm::enumerate(taps)) {
      plan.index[t].push_back(std::clamp<int64_t>(tap.first, 0, inSize - 1));
      plan.weight[t].push_back(tap.second);
    }
  }
  for (int64_t t = int64_t(plan.index.size()) - 1; t >= 0; --t) {
    if (plan.index.size() > 1 &&
        llvm::all_of(plan.weight[t], [](double w) { return w == 0.0; })) {
      plan.index.erase(plan.index.begin() + t);
      plan.weight.erase(plan.weight.begin() + t);
    }
  }
  return plan;
}

/// The index and weight (null when 1) of one tap of one dim, in the body.
struct Tap {
  Value index, weight;
};

struct ResizeLowering : OpConversionPattern<ResizeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ResizeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    RankedTensorType type = convertedResultType(*this, op);
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    int64_t rank = type.getRank();
    SmallVector<DimSampling> plans;
    for (int64_t d = 0; d < rank; ++d)
      plans.push_back(
          planDim(op, d, inputType.getDimSize(d), type.getDimSize(d)));

    // Inputs: per resampled dim, an index table per tap, then (unless every
    // weight is 1) a weight table per tap.
    SmallVector<Value> tables;
    SmallVector<AffineMap> maps;
    auto addTable = [&](int64_t d, Type elementType, auto values) {
      auto tableType =
          RankedTensorType::get({int64_t(values.size())}, elementType);
      tables.push_back(arith::ConstantOp::create(
          rewriter, loc, DenseElementsAttr::get(tableType, values)));
      maps.push_back(AffineMap::get(rank, 0, rewriter.getAffineDimExpr(d)));
    };
    Type floatType = type.getElementType();
    for (auto [d, plan] : llvm::enumerate(plans)) {
      if (plan.isIdentity())
        continue;
      for (ArrayRef<int64_t> index : plan.index)
        addTable(d, rewriter.getI64Type(), index);
      if (plan.isUnweighted())
        continue;
      for (ArrayRef<double> weight : plan.weight)
        addTable(d, floatType,
                 llvm::map_to_vector(weight, [&](double w) -> Attribute {
                   return rewriter.getFloatAttr(floatType, w);
                 }));
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

  /// The taps of every dim, read from the table arguments.
  static SmallVector<SmallVector<Tap>> readTaps(OpBuilder &b, Location loc,
                                                ArrayRef<DimSampling> plans,
                                                ValueRange args) {
    SmallVector<SmallVector<Tap>> taps;
    unsigned next = 0;
    for (auto [d, plan] : llvm::enumerate(plans)) {
      SmallVector<Tap> &dimTaps = taps.emplace_back();
      if (plan.isIdentity()) {
        dimTaps.push_back({linalg::IndexOp::create(b, loc, d), Value()});
        continue;
      }
      for (size_t t = 0; t < plan.index.size(); ++t)
        dimTaps.push_back({toIndex(b, loc, args[next++]), Value()});
      if (!plan.isUnweighted())
        for (Tap &tap : dimTaps)
          tap.weight = args[next++];
    }
    return taps;
  }

  /// The weighted sum over every combination of one tap per dim.
  static Value buildSample(OpBuilder &b, Location loc, Value input,
                           ArrayRef<DimSampling> plans, ValueRange args) {
    SmallVector<SmallVector<Tap>> taps = readTaps(b, loc, plans, args);
    int64_t combinations = 1;
    for (ArrayRef<Tap> dimTaps : taps)
      combinations *= int64_t(dimTaps.size());
    Value sum;
    for (int64_t combination = 0; combination < combinations; ++combination) {
      SmallVector<Value> coords;
      Value factor;
      int64_t rest = combination;
      for (ArrayRef<Tap> dimTaps : taps) {
        const Tap &tap = dimTaps[rest % int64_t(dimTaps.size())];
        rest /= int64_t(dimTaps.size());
        coords.push_back(tap.index);
        if (tap.weight)
          factor = factor ? arith::MulFOp::create(b, loc, factor, tap.weight)
                                .getResult()
                          : tap.weight;
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
