//===- AgToLinalgPass.cpp - lower ag ops to linalg on tensors -------------===//
//
// Runs the ag-to-linalg patterns of compiler/codegen/cpu as a partial dialect
// conversion: every ag op but the LLM ones must convert.
// Signed/unsigned integer types become signless everywhere, function
// signatures included (upstream func conversion patterns, same converter).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "compiler/codegen/cpu/AgToLinalg.h"
#include "compiler/codegen/cpu/LoweringUtils.h"
#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Func/Transforms/FuncConversions.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Transforms/DialectConversion.h"

#include "llvm/Support/Debug.h"

#define DEBUG_TYPE "ag-to-linalg"

namespace mlir::autoglm {
#define GEN_PASS_DEF_AGTOLINALGPASS
#include "passes/Passes.h.inc"
} // namespace mlir::autoglm

using namespace mlir;
using namespace mlir::autoglm;

namespace {

struct AgToLinalgPass
    : mlir::autoglm::impl::AgToLinalgPassBase<AgToLinalgPass> {
  using Base::Base;

  void runOnOperation() override;

private:
  /// Reports ag ops this pass cannot lower; counts the rest.
  LogicalResult checkOps(ModuleOp module);
};

LogicalResult AgToLinalgPass::checkOps(ModuleOp module) {
  bool ok = true;
  module.walk([&](Operation *op) {
    if (!isa<AutoGLMDialect>(op->getDialect()))
      return;
    if (std::optional<std::string> reason = getUnsupportedReason(op)) {
      op->emitError() << "cannot lower '" << op->getName()
                      << "' to linalg: " << *reason;
      ok = false;
      return;
    }
    ++numLowered;
  });
  return success(ok);
}

void AgToLinalgPass::runOnOperation() {
  ModuleOp module = getOperation();
  MLIRContext *context = &getContext();
  if (failed(checkOps(module)))
    return signalPassFailure();

  TypeConverter converter;
  populateSignlessTypeConversion(converter);

  ConversionTarget target(*context);
  target.addLegalDialect<arith::ArithDialect, linalg::LinalgDialect,
                         math::MathDialect, scf::SCFDialect,
                         tensor::TensorDialect>();
  target.addIllegalDialect<AutoGLMDialect>();
  target.addDynamicallyLegalOp<func::FuncOp>([&](func::FuncOp op) {
    return converter.isSignatureLegal(op.getFunctionType()) &&
           converter.isLegal(&op.getBody());
  });
  target.addDynamicallyLegalOp<func::ReturnOp, func::CallOp>(
      [&](Operation *op) { return converter.isLegal(op); });

  RewritePatternSet patterns(context);
  populateAgToLinalgPatterns(converter, patterns);
  populateFunctionOpInterfaceTypeConversionPattern<func::FuncOp>(patterns,
                                                                 converter);
  populateReturnOpTypeConversionPattern(patterns, converter);
  populateCallOpTypeConversionPattern(patterns, converter);

  LLVM_DEBUG(llvm::dbgs() << "ag-to-linalg: lowering " << numLowered
                          << " ops\n");
  if (failed(applyPartialConversion(module, target, std::move(patterns))))
    signalPassFailure();
}

} // namespace
