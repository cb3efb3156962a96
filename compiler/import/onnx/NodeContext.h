//===- NodeContext.h - what an ONNX op handler sees -------------*- C++ -*-===//
//
// Handlers (one function per ONNX op type, grouped by family in *Ops.cpp)
// read the node's inputs and attributes through NodeContext, build ag ops,
// and bind the node's outputs. A handler that meets something it cannot
// import calls `unsupported(reason)`; the importer records it and goes on
// with the next node, so one run reports every problem.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_IMPORT_ONNX_NODECONTEXT_H
#define AUTOGLM_COMPILER_IMPORT_ONNX_NODECONTEXT_H

#include "compiler/import/onnx/HostTensor.h"

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/StringMap.h"

#include <onnx/onnx_pb.h>

namespace mlir::autoglm::onnx_import {

/// What an ONNX value name stands for while importing.
struct ImportedValue {
  /// Null when the value comes from a node that failed to import.
  Value value;
  /// The value itself when it is known at import time and small.
  std::optional<HostTensor> known;
};

class GraphImporter;

class NodeContext {
public:
  NodeContext(GraphImporter &importer, const onnx::NodeProto &node,
              int64_t opset, OpBuilder &builder, Location loc)
      : importer(importer), node_(node), opset_(opset), builder_(builder),
        loc_(loc) {}

  const onnx::NodeProto &node() const { return node_; }
  StringRef opType() const { return node_.op_type(); }
  /// The opset version of the node's domain in this model.
  int64_t opset() const { return opset_; }
  OpBuilder &builder() { return builder_; }
  Location loc() const { return loc_; }
  MLIRContext *context() const { return builder_.getContext(); }

  //===--------------------------------------------------------------------===//
  // Inputs
  //===--------------------------------------------------------------------===//

  unsigned numInputs() const { return node_.input_size(); }
  /// Optional inputs may be absent or given as an empty name.
  bool hasInput(unsigned i) const {
    return i < unsigned(node_.input_size()) && !node_.input(i).empty();
  }
  Value input(unsigned i) const;
  RankedTensorType inputType(unsigned i) const {
    return cast<RankedTensorType>(input(i).getType());
  }
  /// The input's value when known at import time, else null.
  const HostTensor *knownInput(unsigned i) const;
  /// True if every present input is known at import time.
  bool allInputsKnown() const;

  //===--------------------------------------------------------------------===//
  // Attributes
  //===--------------------------------------------------------------------===//

  const onnx::AttributeProto *attr(StringRef name) const;
  /// `name` if present with `type`; a present attribute of another type is
  /// recorded as this node's problem and yields null.
  const onnx::AttributeProto *
  typedAttr(StringRef name, onnx::AttributeProto::AttributeType type) const;
  bool hasAttr(StringRef name) const { return attr(name) != nullptr; }
  int64_t intAttr(StringRef name, int64_t defaultValue) const;
  double floatAttr(StringRef name, double defaultValue) const;
  std::string stringAttr(StringRef name, StringRef defaultValue) const;
  std::optional<SmallVector<int64_t>> intsAttr(StringRef name) const;
  std::optional<SmallVector<double>> floatsAttr(StringRef name) const;

  //===--------------------------------------------------------------------===//
  // Outputs
  //===--------------------------------------------------------------------===//

  unsigned numOutputs() const { return node_.output_size(); }
  bool hasOutput(unsigned i) const {
    return i < unsigned(node_.output_size()) && !node_.output(i).empty();
  }
  void setOutput(unsigned i, Value value);
  /// Binds output `i` to an ag.constant of `value`, known at import time.
  Value setOutputConstant(unsigned i, HostTensor value);
  /// Binds output `i` to the constant `tensor` (a Constant node's value),
  /// stored like an initializer; reports unreadable data.
  LogicalResult setOutputFromTensor(unsigned i,
                                    const onnx::TensorProto &tensor);

  //===--------------------------------------------------------------------===//
  // Building blocks
  //===--------------------------------------------------------------------===//

  /// An ag.constant holding `value`.
  Value constant(const HostTensor &value);
  /// A 0-d ag.constant of `elementType` holding `value`.
  Value scalar(Type elementType, double value);
  /// Creates a one-result `OpTy` whose result type the op infers, from the
  /// builder arguments that follow the result type. Inference and verifier
  /// failures (a malformed model: mismatched shapes, bad attributes) become
  /// this node's `unsupported` reason instead of a crash.
  template <typename OpTy, typename... Args>
  FailureOr<Value> make(Args &&...args) {
    OpTy op = OpTy::create(builder_, loc_, NoneType::get(context()),
                           std::forward<Args>(args)...);
    return finish(op, /*infer=*/true);
  }
  /// Same, for ops whose result type the caller gives (reshape, cast, ...).
  template <typename OpTy, typename... Args>
  FailureOr<Value> makeTyped(Type resultType, Args &&...args) {
    OpTy op = OpTy::create(builder_, loc_, resultType,
                           std::forward<Args>(args)...);
    return finish(op, /*infer=*/false);
  }
  /// Infers (when asked) and verifies a freshly built op; erases it and
  /// records the diagnostics as the reason when either fails.
  FailureOr<Value> finish(Operation *op, bool infer);

  /// Records that this node cannot be imported and why; returns failure.
  LogicalResult unsupported(const Twine &reason);

  /// Normalizes a possibly negative `axis` for `rank`; reports and fails when
  /// it is out of range.
  FailureOr<int64_t> normalizeAxis(int64_t axis, int64_t rank,
                                   StringRef what = "axis");

private:
  GraphImporter &importer;
  const onnx::NodeProto &node_;
  int64_t opset_;
  OpBuilder &builder_;
  Location loc_;
};

/// One handler per ONNX op type (of the default domain).
using OpHandler = LogicalResult (*)(NodeContext &);
using HandlerTable = llvm::StringMap<OpHandler>;

void registerMathHandlers(HandlerTable &table);
void registerNNHandlers(HandlerTable &table);
void registerReductionHandlers(HandlerTable &table);
void registerTensorHandlers(HandlerTable &table);
void registerQuantHandlers(HandlerTable &table);
void registerEinsumHandlers(HandlerTable &table);
void registerNormalizationHandlers(HandlerTable &table);

/// Every registered handler (built once).
const HandlerTable &getHandlerTable();

} // namespace mlir::autoglm::onnx_import

#endif // AUTOGLM_COMPILER_IMPORT_ONNX_NODECONTEXT_H
