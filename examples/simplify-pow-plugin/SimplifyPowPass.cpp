//===- SimplifyPowPass.cpp - example AutoGLM pass plug-in -----------------===//
//
// ag-example-simplify-pow, loaded by `--load-pass-plugin`. The plug-in
// brings only its pass: the ag dialect's code (op classes, TypeIDs) resolves
// against the autoglm-opt / autoglm-compile that loads it, so there is one
// copy of the dialect in the process.
//
//===----------------------------------------------------------------------===//

// PassStatistics.h before the generated code: its statistics members are
// autoglm::PassStatistic (cmake/AutoGLMPassTablegen.cmake), which count and
// show up in --mlir-pass-statistics.
#include "passes/PassStatistics.h"

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"
#include "dialects/AutoGLM/IR/AutoGLMOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Tools/Plugins/PassPlugin.h"

#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "ag-example-simplify-pow"

namespace mlir::autoglm::example {
#define GEN_PASS_DECL
#define GEN_PASS_DEF_SIMPLIFYPOWPASS
#define GEN_PASS_REGISTRATION
#include "SimplifyPow.h.inc"
} // namespace mlir::autoglm::example

using namespace mlir;
using namespace mlir::autoglm;

namespace {

/// The exponent of `pow` when it is a float splat constant.
std::optional<double> splatExponent(PowOp pow) {
  SplatElementsAttr exponent;
  if (!matchPattern(pow.getRhs(), m_Constant(&exponent)) ||
      !isa<FloatType>(exponent.getElementType()))
    return std::nullopt;
  return exponent.getSplatValue<APFloat>().convertToDouble();
}

struct SimplifyPowPass
    : mlir::autoglm::example::impl::SimplifyPowPassBase<SimplifyPowPass> {
  using Base::Base;

  void runOnOperation() override {
    IRRewriter rewriter(&getContext());
    getOperation().walk([&](PowOp pow) {
      Value x = pow.getLhs();
      // A broadcasting exponent would make the result larger than x.
      if (x.getType() != pow.getType())
        return;
      std::optional<double> exponent = splatExponent(pow);
      if (!exponent || (*exponent != 2.0 && *exponent != 0.5))
        return;
      LLVM_DEBUG(llvm::dbgs() << "rewriting pow at " << pow.getLoc() << "\n");
      rewriter.setInsertionPoint(pow);
      Value replacement;
      if (*exponent == 2.0) {
        replacement = MulOp::create(rewriter, pow.getLoc(), x, x);
        ++numSquares;
      } else {
        replacement = SqrtOp::create(rewriter, pow.getLoc(), x);
        ++numSquareRoots;
      }
      rewriter.replaceOp(pow, replacement);
    });
  }
};

} // namespace

/// The entry point `--load-pass-plugin` looks up.
extern "C" LLVM_ATTRIBUTE_WEAK PassPluginLibraryInfo mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "AutoGLMSimplifyPow", LLVM_VERSION_STRING,
          [] { mlir::autoglm::example::registerSimplifyPowPasses(); }};
}
