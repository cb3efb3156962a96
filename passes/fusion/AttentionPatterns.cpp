//===- AttentionPatterns.cpp - scaled dot-product attention recognition ---===//
//
//   s = MatMul(q * a, Transpose(k, [0,1,3,2]) * b) * c  [+ mask]
// (or any Transpose whose last two output dims are k's swapped),
//   y = MatMul(Softmax(s, axis=-1), v)           -> ag.attention scale a*b*c
// which covers eager attention (q @ k^T * scale, or / sqrt(d)) and torch's
// export of F.scaled_dot_product_attention (sqrt(scale) on q and on k^T).
// The softmax must already be ag.softmax (the exporter's op, or the
// decomposed form the softmax pattern rewrote). Key and value repeated per
// query group the way HF's repeat_kv does it (Unsqueeze, Expand to
// B x Hkv x n x S x D, Reshape to B x Hkv*n x S x D) are read unrepeated:
// that is ag.attention's grouped-query form. A constant mask that is 0 where
// key j <= query i + (Skv - Sq) and -inf (or below -1e30, as HF's
// finfo.min) elsewhere becomes `causal`; an all-zero constant mask is
// dropped.
//
//===----------------------------------------------------------------------===//

#include "passes/fusion/MatchUtils.h"
#include "passes/fusion/PatternRecognition.h"

#include "dialects/AutoGLM/IR/AutoGLMOps.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::autoglm;
using namespace mlir::autoglm::fusion;

namespace {

/// Mask values at or below this count as "masked" (HF uses finfo.min).
constexpr double kMaskedBelow = -1e30;
/// Larger constant masks are not inspected for the causal pattern.
constexpr int64_t kMaxInspectedMask = int64_t(1) << 22;

ArrayRef<int64_t> shapeOf(Value value) {
  return cast<RankedTensorType>(value.getType()).getShape();
}

/// `value` with a leading scalar-constant factor split off (`value` = c * v);
/// `value` itself and c = 1 when it is no such product.
Value splitScalarFactor(Value value, double &factor, MatchedOps &ops) {
  MatchedOps local;
  Product product = flattenProduct(value, local);
  if (product.terms.size() != 1) {
    factor = 1.0;
    return value;
  }
  factor = product.constant;
  ops.insert(local.begin(), local.end());
  return product.terms[0];
}

/// HF's repeat_kv: `value` = Reshape(Expand(Reshape(kv))) with kv
/// B x H x S x D, the middle B x H x n x S x D, `value` B x H*n x S x D.
/// Returns kv and sets `repeats`; null when `value` is not one.
Value unrepeatKV(Value value, int64_t &repeats, MatchedOps &ops) {
  auto merge = value.getDefiningOp<ReshapeOp>();
  auto expand = merge ? merge.getInput().getDefiningOp<ExpandOp>() : nullptr;
  auto unsqueeze = expand ? expand.getInput().getDefiningOp<ReshapeOp>()
                          : nullptr;
  if (!unsqueeze)
    return {};
  Value kv = unsqueeze.getInput();
  ArrayRef<int64_t> in = shapeOf(kv), mid = shapeOf(unsqueeze),
                    wide = shapeOf(expand), out = shapeOf(merge);
  if (in.size() != 4 || mid.size() != 5 || wide.size() != 5 ||
      out.size() != 4 || ShapedType::isDynamicShape(wide))
    return {};
  SmallVector<int64_t> unsqueezed = {in[0], in[1], 1, in[2], in[3]};
  SmallVector<int64_t> expanded = {in[0], in[1], wide[2], in[2], in[3]};
  SmallVector<int64_t> merged = {in[0], in[1] * wide[2], in[2], in[3]};
  if (mid != ArrayRef(unsqueezed) || wide != ArrayRef(expanded) ||
      out != ArrayRef(merged))
    return {};
  repeats = wide[2];
  ops.insert(merge);
  ops.insert(expand);
  ops.insert(unsqueeze);
  return kv;
}

/// What a constant additive mask does: nothing (all zeros), exactly the
/// bottom-right causal mask of `queries` x `keys`, or something else.
enum class MaskKind { zero, causal, other };

MaskKind classifyMask(Value mask, int64_t queries, int64_t keys) {
  Attribute attr;
  if (!matchPattern(mask, m_Constant(&attr)))
    return MaskKind::other;
  auto elements = dyn_cast<ElementsAttr>(attr);
  if (!elements || elements.getNumElements() > kMaxInspectedMask)
    return MaskKind::other;
  if (std::optional<double> splat = getScalarConstant(mask))
    return *splat == 0 ? MaskKind::zero : MaskKind::other;
  ArrayRef<int64_t> shape = dropLeadingOnes(shapeOf(mask));
  // Each query row sees at least one key only when queries <= keys.
  if (shape.size() != 2 || shape[0] != queries || shape[1] != keys ||
      queries > keys)
    return MaskKind::other;
  auto values = elements.tryGetValues<APFloat>();
  if (!values)
    return MaskKind::other;
  int64_t position = 0;
  for (APFloat value : *values) {
    int64_t i = position / keys, j = position % keys;
    ++position;
    double v = value.convertToDouble();
    bool visible = j <= i + (keys - queries);
    if (visible ? v != 0 : !(v <= kMaskedBelow))
      return MaskKind::other;
  }
  return MaskKind::causal;
}

struct AttentionPattern : OpRewritePattern<MatmulOp> {
  AttentionPattern(MLIRContext *context, RecognitionCounts *counts)
      : OpRewritePattern<MatmulOp>(context), counts(counts) {}

  LogicalResult matchAndRewrite(MatmulOp root,
                                PatternRewriter &rewriter) const override {
    if (root.getBias() || root.getTransposeLhs() || root.getTransposeRhs())
      return rewriter.notifyMatchFailure(root, "not a plain P @ V");
    MatchedOps ops;
    ops.insert(root);
    auto softmax = root.getLhs().getDefiningOp<SoftmaxOp>();
    if (!softmax || softmax.getLog() ||
        int64_t(softmax.getAxis()) != int64_t(shapeOf(softmax).size()) - 1 ||
        shapeOf(softmax).size() != 4)
      return rewriter.notifyMatchFailure(root,
                                         "lhs is no softmax over the keys");
    ops.insert(softmax);

    // Scores, with an optional additive mask on either side.
    Value scores = softmax.getInput();
    auto tryScores = [&](Value product, Value mask) -> LogicalResult {
      MatchedOps local = ops;
      if (mask)
        local.insert(scores.getDefiningOp());
      double outer = 1, lhsFactor = 1, rhsFactor = 1;
      Value qk = splitScalarFactor(product, outer, local);
      auto matmul = qk.getDefiningOp<MatmulOp>();
      if (!matmul || matmul.getBias() || matmul.getTransposeLhs())
        return failure();
      local.insert(matmul);
      Value query = splitScalarFactor(matmul.getLhs(), lhsFactor, local);
      Value keyT = splitScalarFactor(matmul.getRhs(), rhsFactor, local);
      // k^T is transpose_rhs of k, or a transpose of some X. Exporters merge
      // the head split and k^T into one Transpose ([0, 2, 3, 1] of
      // B x S x H x D); k is then X under the permutation with its last two
      // entries swapped (no op when that is the identity, else one new
      // ag.transpose).
      Value key = keyT;
      SmallVector<int64_t> keyPermutation;
      SmallVector<int64_t> keyShape(shapeOf(keyT));
      if (!matmul.getTransposeRhs()) {
        auto transpose = keyT.getDefiningOp<TransposeOp>();
        if (!transpose || keyShape.size() != 4)
          return failure();
        local.insert(transpose);
        key = transpose.getInput();
        keyPermutation = llvm::to_vector(transpose.getPermutation());
        std::swap(keyPermutation[2], keyPermutation[3]);
        std::swap(keyShape[2], keyShape[3]);
        if (keyPermutation == SmallVector<int64_t>{0, 1, 2, 3})
          keyPermutation.clear();
      }
      Value value = root.getRhs();
      double scale = outer * lhsFactor * rhsFactor;
      if (!(scale > 0))
        return failure();
      ArrayRef<int64_t> q = shapeOf(query), k = keyShape,
                        v = shapeOf(value), s = shapeOf(scores);
      if (q.size() != 4 || k.size() != 4 || v.size() != 4 ||
          q.take_front(2) != k.take_front(2) ||
          q.take_front(2) != v.take_front(2) || k[2] != v[2] ||
          q[3] != k[3] || s != ArrayRef<int64_t>{q[0], q[1], q[2], k[2]} ||
          shapeOf(qk) != s || shapeOf(root) != ArrayRef<int64_t>{
                                                   q[0], q[1], q[2], v[3]})
        return failure();
      Type element = cast<RankedTensorType>(query.getType()).getElementType();
      if (!isa<FloatType>(element) ||
          cast<RankedTensorType>(keyT.getType()).getElementType() != element ||
          cast<RankedTensorType>(value.getType()).getElementType() != element)
        return failure();
      // Grouped-query attention: K and V repeated the same number of times.
      int64_t keyRepeats = 0, valueRepeats = 0;
      MatchedOps repeatOps;
      Value keyKV = keyPermutation.empty()
                        ? unrepeatKV(key, keyRepeats, repeatOps)
                        : Value();
      Value valueKV = unrepeatKV(value, valueRepeats, repeatOps);
      if (keyKV && valueKV && keyRepeats == valueRepeats) {
        key = keyKV;
        value = valueKV;
        local.insert(repeatOps.begin(), repeatOps.end());
      }
      bool causal = false;
      if (mask) {
        auto maskType = cast<RankedTensorType>(mask.getType());
        if (maskType.getElementType() != element)
          return failure();
        switch (classifyMask(mask, q[2], k[2])) {
        case MaskKind::zero:
          mask = Value();
          break;
        case MaskKind::causal:
          causal = true;
          mask = Value();
          break;
        case MaskKind::other:
          break;
        }
      }
      if (!usesStayInside(local, root))
        return failure();
      Location loc = fusedLocation(local);
      if (!keyPermutation.empty())
        key = TransposeOp::create(rewriter, loc, key,
                                  rewriter.getDenseI64ArrayAttr(keyPermutation));
      auto attention = AttentionOp::create(
          rewriter, loc, root.getType(), query, key, value,
          mask, /*kv_len=*/Value(), causal ? rewriter.getUnitAttr() : nullptr,
          rewriter.getF64FloatAttr(shortestDecimal(scale, element)));
      rewriter.replaceOp(root, attention.getResult());
      return success();
    };

    bool matched = false;
    if (auto add = scores.getDefiningOp<AddOp>())
      matched = succeeded(tryScores(add.getLhs(), add.getRhs())) ||
                succeeded(tryScores(add.getRhs(), add.getLhs()));
    if (!matched)
      matched = succeeded(tryScores(scores, Value()));
    if (!matched)
      return rewriter.notifyMatchFailure(
          root, "not softmax(q k^T * scale [+ mask]) @ v with single-use "
                "intermediates");
    if (counts)
      ++counts->attentions;
    return success();
  }

  RecognitionCounts *counts;
};

} // namespace

void mlir::autoglm::populateAttentionPatterns(RewritePatternSet &patterns,
                                              RecognitionCounts *counts) {
  patterns.add<AttentionPattern>(patterns.getContext(), counts);
}

void mlir::autoglm::populatePatternRecognition(RewritePatternSet &patterns,
                                               RecognitionCounts *counts) {
  populateNormPatterns(patterns, counts);
  populateActivationPatterns(patterns, counts);
  populateSoftmaxPatterns(patterns, counts);
  populateAttentionPatterns(patterns, counts);
}
