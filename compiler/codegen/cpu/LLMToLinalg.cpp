//===- LLMToLinalg.cpp - ag.rope and ag.kv_cache_write to linalg/tensor ---===//
//
// rope: one linalg.generic over `B x H x S x D`. Channel d < rotary_dim is
// rotated with its pair partner p(d), read with tensor.extract:
//   interleaved (GLM, GPT-J): pairs (2i, 2i+1), frequency i = d / 2;
//   half (NeoX, Llama):       pairs (i, i + r/2), frequency i = d mod r/2;
//   y[d] = x[d] cos(a) + sign(d) x[p(d)] sin(a),  a = position * inv_freq[i],
// sign -1 on the first channel of a pair, +1 on the second. inv_freq is a
// constant table computed as transformers does (f32: 1 / theta^(2i / r)),
// the angle and its cos/sin in f32, so the logits match the reference.
//
// kv_cache_write: tensor.insert_slice of the update into the cache at the
// position (clamped into the cache). Dispatch formation gives a write into
// persistent state an in-place kernel of its own instead; this form serves
// every other use (a cache that is an ordinary value).
//
//===----------------------------------------------------------------------===//

#include "compiler/codegen/cpu/AgToLinalg.h"
#include "compiler/codegen/cpu/LoweringUtils.h"
#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::autoglm;

namespace {

struct RopeLowering : OpConversionPattern<RopeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(RopeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput(), positions = adaptor.getPositions();
    auto type = cast<RankedTensorType>(input.getType());
    Type element = type.getElementType();
    int64_t rotary = op.getRotaryDim();
    int64_t pairs = rotary / 2;
    bool interleaved = op.getLayout() == RopeLayout::interleaved;
    Type f32 = rewriter.getF32Type();

    // inv_freq[i] = 1 / theta^(2i / r), each step in f32 as transformers.
    SmallVector<float> inverse;
    float theta = static_cast<float>(op.getTheta().convertToDouble());
    for (int64_t i = 0; i < pairs; ++i) {
      float exponent = static_cast<float>(2 * i) / static_cast<float>(rotary);
      inverse.push_back(1.0f / std::pow(theta, exponent));
    }
    auto tableType = RankedTensorType::get({std::max<int64_t>(pairs, 1)}, f32);
    if (inverse.empty())
      inverse.push_back(0.0f);
    Value table = arith::ConstantOp::create(
        rewriter, loc, DenseElementsAttr::get(tableType, ArrayRef(inverse)));

    MLIRContext *context = rewriter.getContext();
    AffineMap identity = rewriter.getMultiDimIdentityMap(4);
    AffineMap positionMap = AffineMap::get(
        4, 0, {getAffineDimExpr(0, context), getAffineDimExpr(2, context)},
        context);
    auto generic = linalg::GenericOp::create(
        rewriter, loc, TypeRange{type}, ValueRange{input, positions},
        ValueRange{createEmpty(rewriter, loc, type)},
        ArrayRef<AffineMap>{identity, positionMap, identity}, getIterators(4),
        [&](OpBuilder &b, Location nl, ValueRange args) {
          auto constant = [&](int64_t v) -> Value {
            return arith::ConstantIndexOp::create(b, nl, v);
          };
          Value d = linalg::IndexOp::create(b, nl, 3);
          Value rotated = arith::CmpIOp::create(
              b, nl, arith::CmpIPredicate::slt, d, constant(rotary));
          // Within the rotary part: partner, frequency, first of its pair.
          Value partner, frequency, first;
          if (interleaved) {
            Value odd = arith::RemUIOp::create(b, nl, d, constant(2));
            first = arith::CmpIOp::create(b, nl, arith::CmpIPredicate::eq,
                                          odd, constant(0));
            partner = arith::SelectOp::create(
                b, nl, first, arith::AddIOp::create(b, nl, d, constant(1)),
                arith::SubIOp::create(b, nl, d, constant(1)));
            frequency = arith::DivUIOp::create(b, nl, d, constant(2));
          } else {
            first = arith::CmpIOp::create(b, nl, arith::CmpIPredicate::slt, d,
                                          constant(pairs));
            partner = arith::SelectOp::create(
                b, nl, first, arith::AddIOp::create(b, nl, d, constant(pairs)),
                arith::SubIOp::create(b, nl, d, constant(pairs)));
            frequency = arith::RemUIOp::create(b, nl, d, constant(pairs));
          }
          // Channels past the rotary part read themselves (in bounds).
          partner = arith::SelectOp::create(b, nl, rotated, partner, d);
          frequency =
              arith::SelectOp::create(b, nl, rotated, frequency, constant(0));
          SmallVector<Value> at = {linalg::IndexOp::create(b, nl, 0),
                                   linalg::IndexOp::create(b, nl, 1),
                                   linalg::IndexOp::create(b, nl, 2), partner};
          Value other = tensor::ExtractOp::create(b, nl, input, at);
          Value inv = tensor::ExtractOp::create(b, nl, table, frequency);
          Value position = arith::SIToFPOp::create(b, nl, f32, args[1]);
          Value angle = arith::MulFOp::create(b, nl, position, inv);
          Value cos = math::CosOp::create(b, nl, angle);
          Value sin = math::SinOp::create(b, nl, angle);
          auto toF32 = [&](Value v) -> Value {
            return element == f32 ? v : arith::ExtFOp::create(b, nl, f32, v);
          };
          Value x = toF32(args[0]);
          Value xp = toF32(other);
          Value xpSin = arith::MulFOp::create(b, nl, xp, sin);
          Value signedSin = arith::SelectOp::create(
              b, nl, first, arith::NegFOp::create(b, nl, xpSin), xpSin);
          Value y = arith::AddFOp::create(
              b, nl, arith::MulFOp::create(b, nl, x, cos), signedSin);
          if (element != f32)
            y = arith::TruncFOp::create(b, nl, element, y);
          linalg::YieldOp::create(
              b, nl, arith::SelectOp::create(b, nl, rotated, y, args[0])
                         .getResult());
        });
    rewriter.replaceOp(op, generic.getResult(0));
    return success();
  }
};

struct KVCacheWriteLowering : OpConversionPattern<KVCacheWriteOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(KVCacheWriteOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto updateType = cast<RankedTensorType>(adaptor.getUpdate().getType());
    auto cacheType = cast<RankedTensorType>(adaptor.getCache().getType());
    // (agm_model_run also refuses an LLM entry's position outside
    // max_context.)
    SmallVector<OpFoldResult> offsets, sizes, strides;
    getCacheWriteWindow(rewriter, loc, adaptor.getPosition(), updateType,
                        cacheType, offsets, sizes, strides);
    rewriter.replaceOpWithNewOp<tensor::InsertSliceOp>(
        op, adaptor.getUpdate(), adaptor.getCache(), offsets, sizes, strides);
    return success();
  }
};

} // namespace

void mlir::autoglm::populateLLMToLinalgPatterns(TypeConverter &converter,
                                                RewritePatternSet &patterns) {
  patterns.add<RopeLowering, KVCacheWriteLowering>(converter,
                                                   patterns.getContext());
}
