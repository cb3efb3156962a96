//===- AttentionToLinalg.cpp - ag.attention to batch matmuls and softmax --===//
//
// softmax(q k^T * scale + mask) v per head, as two linalg.batch_matmul ops on
// plain row-major operands (what the CPU backend's GEMM microkernel rewrite
// picks up) around a softmax in linalg.generic ops:
//
//   q  B x Hq x Sq x D  -> (B*Hkv) x (G*Sq) x D      reshape only: the G =
//                                                     Hq/Hkv query heads of
//                                                     a KV head are rows of
//                                                     one GEMM (GQA without
//                                                     copying K or V)
//   kT B x Hkv x D x Skv -> (B*Hkv) x D x Skv         one transpose
//   s  = q kT, logits = s * scale + mask (causal: -inf above the diagonal)
//   e  = exp(logits - rowmax), l = rowsum(e)     (no mask: exp((s - rowmax)
//                                                 * scale), one pass less)
//   o  = (e v) / l                                    normalized after the
//                                                     second GEMM (Sq x Dv
//                                                     divisions, not Sq x Skv)
//
// The KV-cache form reads a cache of Skv positions of which the first
// kv_len are filled: keys at or past kv_len are masked (-inf), and with
// `causal` query i sits at position kv_len - Sq + i. The GEMMs still span
// all Skv positions (static shapes): masked positions get probability 0
// and still meet V in the second GEMM, so they must hold finite values (the
// runtime zeroes the cache at load and only computed keys/values are
// written into it).
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

/// The map from the (b * Hkv + kv_head, group, query, key) logits space to
/// an additive or boolean `mask` broadcasting to B x Hq x Sq x Skv (aligned
/// on the right; size-1 dims read 0); query head = kv_head * groups + group.
/// The logits space starts with the GEMM batch so that every op of the
/// kernel splits over it (one workgroup per KV head).
AffineMap getMaskMap(ArrayRef<int64_t> maskShape, int64_t kvHeads,
                     int64_t groups, MLIRContext *context) {
  int64_t rank = maskShape.size();
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d) {
    int64_t scoreDim = d + 4 - rank;
    if (maskShape[d] == 1) {
      exprs.push_back(getAffineConstantExpr(0, context));
      continue;
    }
    switch (scoreDim) {
    case 0:
      exprs.push_back(getAffineDimExpr(0, context).floorDiv(kvHeads));
      break;
    case 1:
      exprs.push_back((getAffineDimExpr(0, context) % kvHeads) * groups +
                      getAffineDimExpr(1, context));
      break;
    default:
      exprs.push_back(getAffineDimExpr(scoreDim, context));
      break;
    }
  }
  return AffineMap::get(4, 0, exprs, context);
}

/// scores * scale + mask (-inf where a boolean mask is false), -inf above
/// the causal diagonal (key j visible to query i when j <= i + offset) and,
/// given `kvLen` (an index), at keys j >= kvLen; in the (b * Hkv + kv_head,
/// group, query, key) space of `scores`.
Value buildLogits(OpBuilder &builder, Location loc, Value scores, Value mask,
                  bool causal, double scale, int64_t kvHeads, int64_t groups,
                  Value offset, Value kvLen) {
  auto type = cast<RankedTensorType>(scores.getType());
  Type element = type.getElementType();
  SmallVector<Value> inputs = {scores};
  SmallVector<AffineMap> maps = {builder.getMultiDimIdentityMap(4)};
  if (mask) {
    inputs.push_back(mask);
    maps.push_back(getMaskMap(cast<RankedTensorType>(mask.getType()).getShape(),
                              kvHeads, groups, builder.getContext()));
  }
  maps.push_back(builder.getMultiDimIdentityMap(4));
  bool booleanMask = mask && elementTypeOf(mask).isInteger(1);
  auto logits = linalg::GenericOp::create(
      builder, loc, TypeRange{type}, inputs,
      ValueRange{createEmpty(builder, loc, type)}, maps, getIterators(4),
      [&](OpBuilder &b, Location nl, ValueRange args) {
        Value minusInf = createScalar(b, nl, element, -INFINITY);
        Value logit = arith::MulFOp::create(
            b, nl, args[0], createScalar(b, nl, element, scale));
        if (mask && booleanMask)
          logit = arith::SelectOp::create(b, nl, args[1], logit, minusInf);
        else if (mask)
          logit = arith::AddFOp::create(b, nl, logit, args[1]);
        if (causal) {
          Value i = linalg::IndexOp::create(b, nl, 2);
          Value j = linalg::IndexOp::create(b, nl, 3);
          Value last = arith::AddIOp::create(b, nl, i, offset);
          Value visible =
              arith::CmpIOp::create(b, nl, arith::CmpIPredicate::sle, j, last);
          logit = arith::SelectOp::create(b, nl, visible, logit, minusInf);
        } else if (kvLen) {
          Value j = linalg::IndexOp::create(b, nl, 3);
          Value filled =
              arith::CmpIOp::create(b, nl, arith::CmpIPredicate::slt, j, kvLen);
          logit = arith::SelectOp::create(b, nl, filled, logit, minusInf);
        }
        linalg::YieldOp::create(b, nl, logit);
      });
  return logits.getResult(0);
}

struct AttentionLowering : OpConversionPattern<AttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value query = adaptor.getQuery(), key = adaptor.getKey(),
          value = adaptor.getValue(), mask = adaptor.getMask();
    ArrayRef<int64_t> q = cast<RankedTensorType>(query.getType()).getShape();
    ArrayRef<int64_t> k = cast<RankedTensorType>(key.getType()).getShape();
    ArrayRef<int64_t> v = cast<RankedTensorType>(value.getType()).getShape();
    int64_t batch = q[0], queryHeads = q[1], queries = q[2], depth = q[3];
    int64_t kvHeads = k[1], keys = k[2], valueDepth = v[3];
    int64_t groups = queryHeads / kvHeads, gemms = batch * kvHeads;
    Type element = elementTypeOf(query);
    auto tensorOf = [&](ArrayRef<int64_t> shape) {
      return RankedTensorType::get(shape, element);
    };
    double scale = op.getScale() ? op.getScale()->convertToDouble()
                                 : 1.0 / std::sqrt(double(depth));
    TypedAttr zero = rewriter.getFloatAttr(element, 0.0);

    // Scores: (B*Hkv) x (G*Sq) x Skv.
    Value query3 = createReshape(
        rewriter, loc,
        createReshape(rewriter, loc, query,
                      tensorOf({batch, kvHeads, groups, queries, depth})),
        tensorOf({gemms, groups * queries, depth}));
    Value keyT3 =
        linalg::TransposeOp::create(
            rewriter, loc,
            createReshape(rewriter, loc, key, tensorOf({gemms, keys, depth})),
            createEmpty(rewriter, loc, tensorOf({gemms, depth, keys})),
            ArrayRef<int64_t>{0, 2, 1})
            ->getResult(0);
    auto scoresType = tensorOf({gemms, groups * queries, keys});
    Value scores =
        linalg::BatchMatmulOp::create(
            rewriter, loc, TypeRange{scoresType}, ValueRange{query3, keyT3},
            ValueRange{createFilled(rewriter, loc, scoresType, zero)})
            .getResult(0);

    // Logits in the (b * Hkv + kv_head, group, query, key) space.
    auto logitsType = tensorOf({gemms, groups, queries, keys});
    Value scores5 = createReshape(rewriter, loc, scores, logitsType);
    // Without a mask the scale moves into the exponential (it is positive,
    // so max(s * scale) = max(s) * scale): one pass over the scores less.
    bool causal = op.getCausal();
    Value logits = scores5;
    double expScale = scale;
    Value kvLen, offset;
    if (Value filled = adaptor.getKvLen()) {
      kvLen = toIndex(rewriter, loc,
                      tensor::ExtractOp::create(rewriter, loc, filled,
                                                ValueRange{}));
      offset = arith::SubIOp::create(
          rewriter, loc, kvLen,
          arith::ConstantIndexOp::create(rewriter, loc, queries));
    } else {
      offset = arith::ConstantIndexOp::create(rewriter, loc, keys - queries);
    }
    if (mask || causal || kvLen) {
      expScale = 1.0;
      logits = buildLogits(rewriter, loc, scores5, mask, causal, scale,
                           kvHeads, groups, offset, kvLen);
    }

    // Row max, exponentials, row sums.
    auto rowType = tensorOf({gemms, groups, queries, 1});
    Value max = buildReduction(
        rewriter, loc, logits, {3},
        getIdentityAttr(Combiner::max, element, false),
        [](OpBuilder &b, Location nl, ValueRange args) {
          return combine(b, nl, Combiner::max, args[0], args[1], false);
        });
    Value exps = buildElementwise(
        rewriter, loc, logitsType,
        {logits, createReshape(rewriter, loc, max, rowType)},
        [&](OpBuilder &b, Location nl, ValueRange args) {
          Value shifted = arith::SubFOp::create(b, nl, args[0], args[1]);
          if (expScale != 1.0)
            shifted = arith::MulFOp::create(
                b, nl, shifted, createScalar(b, nl, element, expScale));
          return math::ExpOp::create(b, nl, shifted).getResult();
        });
    Value sum = buildReduction(
        rewriter, loc, exps, {3}, zero,
        [](OpBuilder &b, Location nl, ValueRange args) {
          return arith::AddFOp::create(b, nl, args[0], args[1]).getResult();
        });

    // Weighted values, then the normalization by the row sums.
    auto outType = tensorOf({gemms, groups * queries, valueDepth});
    Value weighted =
        linalg::BatchMatmulOp::create(
            rewriter, loc, TypeRange{outType},
            ValueRange{createReshape(rewriter, loc, exps,
                                     tensorOf({gemms, groups * queries, keys})),
                       createReshape(rewriter, loc, value,
                                     tensorOf({gemms, keys, valueDepth}))},
            ValueRange{createFilled(rewriter, loc, outType, zero)})
            .getResult(0);
    auto out5Type = tensorOf({gemms, groups, queries, valueDepth});
    Value normalized = buildElementwise(
        rewriter, loc, out5Type,
        {createReshape(rewriter, loc, weighted, out5Type),
         createReshape(rewriter, loc, sum, rowType)},
        [](OpBuilder &b, Location nl, ValueRange args) {
          return arith::DivFOp::create(b, nl, args[0], args[1]).getResult();
        });
    rewriter.replaceOp(
        op, createReshape(rewriter, loc, normalized,
                          tensorOf({batch, queryHeads, queries, valueDepth})));
    return success();
  }
};

} // namespace

void mlir::autoglm::populateAttentionToLinalgPatterns(
    TypeConverter &converter, RewritePatternSet &patterns) {
  patterns.add<AttentionLowering>(converter, patterns.getContext());
}
