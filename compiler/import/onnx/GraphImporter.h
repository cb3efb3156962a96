//===- GraphImporter.h - ONNX graph to func.func of ag ops ------*- C++ -*-===//

#ifndef AUTOGLM_COMPILER_IMPORT_ONNX_GRAPHIMPORTER_H
#define AUTOGLM_COMPILER_IMPORT_ONNX_GRAPHIMPORTER_H

#include "compiler/import/onnx/NodeContext.h"
#include "compiler/import/onnx/OnnxImporter.h"

#include "mlir/IR/BuiltinOps.h"

namespace mlir::autoglm::onnx_import {

class GraphImporter {
public:
  GraphImporter(MLIRContext &context, const ImportOptions &options,
                StringRef modelPath, CoverageReport &report);

  /// Builds the module, or returns null after recording every problem in
  /// the report.
  OwningOpRef<ModuleOp> importModel(const onnx::ModelProto &model);

private:
  friend class NodeContext;

  LogicalResult importInputs(const onnx::GraphProto &graph, OpBuilder &b,
                             SmallVectorImpl<Type> &argTypes,
                             SmallVectorImpl<std::string> &argNames);
  void importInitializers(const onnx::GraphProto &graph, OpBuilder &b);
  /// Binds graph input `name` to the TensorProto stored at `path`.
  void bindConstantInput(StringRef name, StringRef path, OpBuilder &b);
  /// An ag.constant for `tensor` (an initializer or a Constant's value), or
  /// the reason it cannot be read.
  FailureOr<ImportedValue> importTensor(const onnx::TensorProto &tensor,
                                        StringRef name, OpBuilder &b,
                                        Location loc, std::string &error);
  void importNode(const onnx::NodeProto &node, size_t index, OpBuilder &b);
  /// Binds a failed node's outputs to placeholders typed from ONNX's shape
  /// inference when it knows them, so later nodes can still be checked.
  void bindPlaceholders(const onnx::NodeProto &node, OpBuilder &b,
                        NameLoc loc);
  NodeIssue issueFor(const onnx::NodeProto &node, int64_t opset,
                     const Twine &reason) const;
  std::string nodeName(const onnx::NodeProto &node, size_t index) const;

  MLIRContext &context;
  const ImportOptions &options;
  std::string modelPath;
  std::string modelDir;
  CoverageReport &report;

  llvm::StringMap<ImportedValue> values;
  llvm::StringMap<int64_t> opsets;
  /// ONNX shape inference's types of intermediate values, by name.
  llvm::StringMap<const onnx::TypeProto *> valueInfo;
  /// Reasons recorded by the handler of the node being imported.
  SmallVector<std::string> pendingReasons;
  /// Names of values from failed nodes (for "depends on" messages).
  llvm::StringMap<std::string> failedValueSource;
};

} // namespace mlir::autoglm::onnx_import

#endif // AUTOGLM_COMPILER_IMPORT_ONNX_GRAPHIMPORTER_H
