//===- ActivationPatterns.cpp - GELU and SiLU recognition -----------------===//
//
// GELU, erf form (F.gelu below opset 20, BERT-era code):
//   0.5 * x * (1 + Erf(x / sqrt(2)))          -> ag.gelu
// GELU, tanh form (F.gelu(approximate="tanh"), HF NewGELU):
//   0.5 * x * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))
//                                             -> ag.gelu approximation tanh
// SiLU: x * Sigmoid(x)                        -> ag.silu
// Products are flattened, so any association and operand order of the muls
// (and a division by a constant instead of a mul) match; x^3 may be
// Pow(x, 3) or x * x * x.
//
//===----------------------------------------------------------------------===//

#include "passes/fusion/MatchUtils.h"
#include "passes/fusion/PatternRecognition.h"

#include "dialects/AutoGLM/IR/AutoGLMOps.h"

#include <cmath>

using namespace mlir;
using namespace mlir::autoglm;
using namespace mlir::autoglm::fusion;

namespace {

constexpr double kInvSqrt2 = 0.70710678118654752440;
/// sqrt(2 / pi).
constexpr double kTanhScale = 0.79788456080286535588;
constexpr double kTanhCubic = 0.044715;

/// The non-constant factors `terms` of a product are `x^3`: Pow(x, 3), or
/// x three times.
bool isCube(ArrayRef<Value> terms, Value x, MatchedOps &ops) {
  if (terms.size() == 3)
    return llvm::all_of(terms, [&](Value t) { return t == x; });
  auto pow = terms.size() == 1 ? terms[0].getDefiningOp<PowOp>() : nullptr;
  if (!pow || pow.getLhs() != x || !isScalarConstant(pow.getRhs(), 3.0, 0))
    return false;
  ops.insert(pow);
  return true;
}

/// `value` is `c * x` with c within tolerance of `expected` (a single
/// product, or x itself when expected is 1).
bool matchScaledInput(Value value, Value x, double expected, MatchedOps &ops) {
  MatchedOps local;
  Product product = flattenProduct(value, local);
  if (product.terms.size() != 1 || product.terms[0] != x ||
      !isClose(product.constant, expected))
    return false;
  ops.insert(local.begin(), local.end());
  return true;
}

/// `value` is sqrt(2/pi) * (x + 0.044715 * x^3).
bool matchTanhArgument(Value value, Value x, MatchedOps &ops) {
  MatchedOps local;
  Product outer = flattenProduct(value, local);
  if (outer.terms.size() != 1 || !isClose(outer.constant, kTanhScale))
    return false;
  auto add = outer.terms[0].getDefiningOp<AddOp>();
  if (!add)
    return false;
  local.insert(add);
  for (auto [linear, cubic] : {std::pair(add.getLhs(), add.getRhs()),
                               std::pair(add.getRhs(), add.getLhs())}) {
    if (linear != x)
      continue;
    MatchedOps cubicOps;
    Product term = flattenProduct(cubic, cubicOps);
    if (!isClose(term.constant, kTanhCubic) ||
        !isCube(term.terms, x, cubicOps))
      continue;
    ops.insert(local.begin(), local.end());
    ops.insert(cubicOps.begin(), cubicOps.end());
    return true;
  }
  return false;
}

/// 0.5 * x * (1 + f(...)) with f erf or tanh and the matching argument.
struct GeluPattern : OpRewritePattern<MulOp> {
  GeluPattern(MLIRContext *context, RecognitionCounts *counts)
      : OpRewritePattern<MulOp>(context), counts(counts) {}

  LogicalResult matchAndRewrite(MulOp root,
                                PatternRewriter &rewriter) const override {
    MatchedOps product;
    product.insert(root);
    Product outer = flattenProduct(root.getResult(), product);
    if (outer.terms.size() != 2 || !isClose(outer.constant, 0.5))
      return rewriter.notifyMatchFailure(root, "not 0.5 * x * (...)");
    for (auto [x, onePlus] : {std::pair(outer.terms[0], outer.terms[1]),
                              std::pair(outer.terms[1], outer.terms[0])}) {
      MatchedOps ops = product;
      auto add = onePlus.getDefiningOp<AddOp>();
      if (!add || x.getType() != root.getType() ||
          !isa<FloatType>(root.getType().getElementType()))
        continue;
      ops.insert(add);
      Value function;
      if (isScalarConstant(add.getLhs(), 1.0, 0))
        function = add.getRhs();
      else if (isScalarConstant(add.getRhs(), 1.0, 0))
        function = add.getLhs();
      else
        continue;
      std::optional<GeluApproximation> approximation;
      if (auto erf = function.getDefiningOp<ErfOp>()) {
        ops.insert(erf);
        if (matchScaledInput(erf.getInput(), x, kInvSqrt2, ops))
          approximation = GeluApproximation::none;
      } else if (auto tanh = function.getDefiningOp<TanhOp>()) {
        ops.insert(tanh);
        if (matchTanhArgument(tanh.getInput(), x, ops))
          approximation = GeluApproximation::tanh;
      }
      if (!approximation)
        continue;
      if (!usesStayInside(ops, root))
        return rewriter.notifyMatchFailure(
            root, "an intermediate value has another consumer");
      auto gelu = GeluOp::create(rewriter, fusedLocation(ops), root.getType(),
                                 x, *approximation);
      rewriter.replaceOp(root, gelu.getResult());
      if (counts)
        ++counts->gelus;
      return success();
    }
    return rewriter.notifyMatchFailure(root, "not a GELU");
  }

  RecognitionCounts *counts;
};

/// x * sigmoid(x) -> ag.silu.
struct SiluPattern : OpRewritePattern<MulOp> {
  SiluPattern(MLIRContext *context, RecognitionCounts *counts)
      : OpRewritePattern<MulOp>(context), counts(counts) {}

  LogicalResult matchAndRewrite(MulOp root,
                                PatternRewriter &rewriter) const override {
    for (auto [x, gate] : {std::pair(root.getLhs(), root.getRhs()),
                           std::pair(root.getRhs(), root.getLhs())}) {
      auto sigmoid = gate.getDefiningOp<SigmoidOp>();
      if (!sigmoid || sigmoid.getInput() != x || x.getType() != root.getType())
        continue;
      MatchedOps ops;
      ops.insert(root);
      ops.insert(sigmoid);
      if (!usesStayInside(ops, root))
        return rewriter.notifyMatchFailure(
            root, "the sigmoid has another consumer");
      auto silu = SiluOp::create(rewriter, fusedLocation(ops), x);
      rewriter.replaceOp(root, silu.getResult());
      if (counts)
        ++counts->silus;
      return success();
    }
    return rewriter.notifyMatchFailure(root, "not x * sigmoid(x)");
  }

  RecognitionCounts *counts;
};

} // namespace

void mlir::autoglm::populateActivationPatterns(RewritePatternSet &patterns,
                                               RecognitionCounts *counts) {
  patterns.add<GeluPattern, SiluPattern>(patterns.getContext(), counts);
}
