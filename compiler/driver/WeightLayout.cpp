//===- WeightLayout.cpp - lay weights out for the CPU kernels ------------===//

#include "compiler/driver/WeightLayout.h"

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"
#include "dialects/AutoGLM/IR/FoldUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"

namespace mlir::autoglm {


int pretransposeMatmulWeights(ModuleOp module) {
  // By weight value, so that entry points sharing a weight (an LLM's
  // prefill and decode) share its transposed copy too.
  llvm::DenseMap<Attribute, ElementsAttr> transposed;
  llvm::SetVector<Operation *> replaced;
  int count = 0;
  module.walk([&](MatmulOp matmul) {
    auto constant = matmul.getRhs().getDefiningOp<ConstantOp>();
    auto type = cast<RankedTensorType>(matmul.getRhs().getType());
    if (!matmul.getTransposeRhs() || matmul.getTransposeLhs() || !constant ||
        type.getRank() != 2 || !type.getElementType().isF32())
      return;
    ElementsAttr &attr = transposed[constant.getValue()];
    int64_t n = type.getDimSize(0), k = type.getDimSize(1);
    auto newType = RankedTensorType::get({k, n}, type.getElementType());
    if (!attr) {
      std::optional<std::vector<float>> values =
          getF32Values(constant.getValue());
      if (!values) {
        transposed.erase(constant.getValue());
        return;
      }
      AsmResourceBlob blob = HeapAsmResourceBlob::allocate(
          values->size() * sizeof(float), alignof(float));
      auto *out = reinterpret_cast<float *>(blob.getMutableData().data());
      for (int64_t row = 0; row < n; ++row)
        for (int64_t col = 0; col < k; ++col)
          out[col * n + row] = (*values)[row * k + col];
      attr = DenseResourceElementsAttr::get(newType, "transposed_weight",
                                            std::move(blob));
      ++count;
    }
    OpBuilder b(constant);
    Value replacement = ConstantOp::create(b, constant.getLoc(), newType, attr);
    matmul.getRhsMutable().assign(replacement);
    matmul.removeTransposeRhsAttr();
    replaced.insert(constant);
  });
  for (Operation *constant : replaced)
    if (constant->use_empty())
      constant->erase();
  return count;
}

} // namespace mlir::autoglm
