//===- GraphImporter.cpp - ONNX graph to func.func of ag ops -------------===//
//
// Walks the graph in order: inputs become function arguments, initializers
// ag.constant ops (dense_resource blobs for weights), and each node goes to
// its op type's handler. Problems are collected, never fatal, so one import
// reports every unsupported node.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/onnx/GraphImporter.h"
#include "compiler/import/onnx/HandlerUtils.h"
#include "compiler/import/onnx/TensorConversion.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

namespace mlir::autoglm::onnx_import {

//===----------------------------------------------------------------------===//
// NodeContext
//===----------------------------------------------------------------------===//

Value NodeContext::input(unsigned i) const {
  return importer.values.lookup(node_.input(i)).value;
}

const HostTensor *NodeContext::knownInput(unsigned i) const {
  if (!hasInput(i))
    return nullptr;
  auto it = importer.values.find(node_.input(i));
  if (it == importer.values.end() || !it->second.known)
    return nullptr;
  return &*it->second.known;
}

bool NodeContext::allInputsKnown() const {
  for (unsigned i = 0; i < numInputs(); ++i)
    if (hasInput(i) && !knownInput(i))
      return false;
  return true;
}

const onnx::AttributeProto *NodeContext::attr(StringRef name) const {
  for (const auto &attribute : node_.attribute())
    if (attribute.name() == name)
      return &attribute;
  return nullptr;
}

const onnx::AttributeProto *
NodeContext::typedAttr(StringRef name,
                       onnx::AttributeProto::AttributeType type) const {
  const onnx::AttributeProto *a = attr(name);
  if (!a)
    return nullptr;
  // Files written without the type (old exporters) hold the right field.
  if (a->type() != type && a->type() != onnx::AttributeProto::UNDEFINED) {
    importer.pendingReasons.push_back(
        "attribute '" + name.str() + "' is " +
        onnx::AttributeProto::AttributeType_Name(a->type()) + ", expected " +
        onnx::AttributeProto::AttributeType_Name(type));
    return nullptr;
  }
  return a;
}

int64_t NodeContext::intAttr(StringRef name, int64_t defaultValue) const {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::INT);
  return a ? a->i() : defaultValue;
}

double NodeContext::floatAttr(StringRef name, double defaultValue) const {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::FLOAT);
  return a ? a->f() : defaultValue;
}

std::string NodeContext::stringAttr(StringRef name,
                                    StringRef defaultValue) const {
  const onnx::AttributeProto *a =
      typedAttr(name, onnx::AttributeProto::STRING);
  return a ? a->s() : defaultValue.str();
}

std::optional<SmallVector<int64_t>>
NodeContext::intsAttr(StringRef name) const {
  const onnx::AttributeProto *a = typedAttr(name, onnx::AttributeProto::INTS);
  if (!a)
    return std::nullopt;
  return SmallVector<int64_t>(a->ints().begin(), a->ints().end());
}

std::optional<SmallVector<double>>
NodeContext::floatsAttr(StringRef name) const {
  const onnx::AttributeProto *a =
      typedAttr(name, onnx::AttributeProto::FLOATS);
  if (!a)
    return std::nullopt;
  return SmallVector<double>(a->floats().begin(), a->floats().end());
}

void NodeContext::setOutput(unsigned i, Value value) {
  if (!hasOutput(i))
    return;
  importer.values[node_.output(i)] = ImportedValue{value, std::nullopt};
}

Value NodeContext::constant(const HostTensor &value) {
  return ConstantOp::create(builder_, loc_, value.type(), value.toAttr());
}

Value NodeContext::setOutputConstant(unsigned i, HostTensor value) {
  Value result = constant(value);
  if (hasOutput(i))
    importer.values[node_.output(i)] = ImportedValue{result, std::move(value)};
  return result;
}

Value NodeContext::scalar(Type elementType, double value) {
  return constant(HostTensor::generate(elementType, {},
                                       [&](int64_t) { return value; }));
}

FailureOr<Value> NodeContext::finish(Operation *op, bool infer) {
  SmallVector<std::string> messages;
  ScopedDiagnosticHandler capture(context(), [&](Diagnostic &diag) {
    messages.push_back(diag.str());
    return success();
  });
  auto fail = [&]() -> FailureOr<Value> {
    op->erase();
    (void)unsupported(messages.empty() ? "invalid " +
                                             op->getName().getStringRef().str()
                                       : llvm::join(messages, "; "));
    return failure();
  };
  if (infer) {
    auto inferOp = dyn_cast<InferTypeOpInterface>(op);
    SmallVector<Type> types;
    if (!inferOp ||
        failed(inferOp.inferReturnTypes(
            context(), op->getLoc(), op->getOperands(),
            op->getRawDictionaryAttrs(), op->getPropertiesStorage(),
            op->getRegions(), types)) ||
        types.size() != op->getNumResults())
      return fail();
    for (auto [result, type] : llvm::zip(op->getResults(), types))
      result.setType(type);
  }
  if (failed(verify(op)))
    return fail();
  return op->getResult(0);
}

LogicalResult NodeContext::setOutputFromTensor(unsigned i,
                                               const onnx::TensorProto &tensor) {
  std::string error;
  StringRef name = hasOutput(i) ? StringRef(node_.output(i)) : "constant";
  FailureOr<ImportedValue> value =
      importer.importTensor(tensor, name, builder_, loc_, error);
  if (failed(value))
    return unsupported(error);
  if (hasOutput(i))
    importer.values[node_.output(i)] = std::move(*value);
  return success();
}

LogicalResult NodeContext::unsupported(const Twine &reason) {
  importer.pendingReasons.push_back(reason.str());
  return failure();
}

FailureOr<int64_t> NodeContext::normalizeAxis(int64_t axis, int64_t rank,
                                              StringRef what) {
  int64_t normalized = axis < 0 ? axis + rank : axis;
  if (normalized < 0 || normalized >= rank) {
    (void)unsupported(what + " " + Twine(axis) + " is out of range for rank " +
                      Twine(rank));
    return failure();
  }
  return normalized;
}

//===----------------------------------------------------------------------===//
// GraphImporter
//===----------------------------------------------------------------------===//

GraphImporter::GraphImporter(MLIRContext &context,
                             const ImportOptions &options, StringRef modelPath,
                             CoverageReport &report)
    : context(context), options(options), modelPath(modelPath.str()),
      modelDir(llvm::sys::path::parent_path(modelPath).str()),
      report(report) {
  if (modelDir.empty())
    modelDir = ".";
}

std::string GraphImporter::nodeName(const onnx::NodeProto &node,
                                    size_t index) const {
  if (!node.name().empty())
    return node.name();
  return node.op_type() + "_" + std::to_string(index);
}

NodeIssue GraphImporter::issueFor(const onnx::NodeProto &node, int64_t opset,
                                  const Twine &reason) const {
  return NodeIssue{node.name(), node.op_type(),
                   node.domain().empty() ? "ai.onnx" : node.domain(), opset,
                   reason.str()};
}

/// The shape of a ValueInfo's tensor type; symbolic or missing dims are
/// dynamic. Returns null if it is not a tensor of a supported type.
static RankedTensorType tensorTypeOf(const onnx::TypeProto &type,
                                     MLIRContext *context,
                                     SmallVectorImpl<std::string> *symbols) {
  if (!type.has_tensor_type())
    return {};
  const auto &tensor = type.tensor_type();
  Type elementType = convertDataType(tensor.elem_type(), context);
  if (!elementType || !tensor.has_shape())
    return {};
  SmallVector<int64_t> shape;
  for (const auto &dim : tensor.shape().dim()) {
    if (dim.has_dim_value() && dim.dim_value() >= 0) {
      shape.push_back(dim.dim_value());
      if (symbols)
        symbols->push_back("");
    } else {
      shape.push_back(ShapedType::kDynamic);
      if (symbols)
        symbols->push_back(dim.has_dim_param() ? dim.dim_param() : "?");
    }
  }
  return RankedTensorType::get(shape, elementType);
}

LogicalResult GraphImporter::importInputs(const onnx::GraphProto &graph,
                                          OpBuilder &b,
                                          SmallVectorImpl<Type> &argTypes,
                                          SmallVectorImpl<std::string> &names) {
  llvm::StringSet<> initializers;
  for (const auto &init : graph.initializer())
    initializers.insert(init.name());
  llvm::StringSet<> used;
  bool ok = true;
  for (const auto &input : graph.input()) {
    // Inputs that are also initializers are defaults the user may not change
    // here; AutoGLM treats them as constants. So are --const-input ones.
    if (initializers.contains(input.name()))
      continue;
    // --const-input ones are bound once the function body exists.
    if (options.constantInputs.count(input.name())) {
      used.insert(input.name());
      continue;
    }
    SmallVector<std::string> symbols;
    RankedTensorType type =
        tensorTypeOf(input.type(), &context, &symbols);
    if (!type) {
      report.modelErrors.push_back(
          "graph input '" + input.name() +
          "' is not a tensor of a supported element type and known rank");
      values[input.name()] = ImportedValue{};
      failedValueSource[input.name()] = "graph input " + input.name();
      ok = false;
      continue;
    }
    SmallVector<int64_t> shape(type.getShape());
    auto given = options.inputShapes.find(input.name());
    if (given != options.inputShapes.end()) {
      used.insert(input.name());
      if (given->second.size() != shape.size()) {
        report.modelErrors.push_back(
            "--input-shape " + input.name() + " has rank " +
            std::to_string(given->second.size()) + " but the model's input "
            "has rank " + std::to_string(shape.size()));
        ok = false;
        continue;
      }
      for (size_t d = 0; d < shape.size(); ++d) {
        if (!ShapedType::isDynamic(shape[d]) && shape[d] != given->second[d]) {
          report.modelErrors.push_back(
              "--input-shape " + input.name() + " sets dim " +
              std::to_string(d) + " to " + std::to_string(given->second[d]) +
              " but the model fixes it to " + std::to_string(shape[d]));
          ok = false;
        }
        shape[d] = given->second[d];
      }
    }
    // Suggest the flag with the model's own dim names in the open places.
    std::string suggestion;
    for (size_t d = 0; d < shape.size(); ++d)
      suggestion += (d ? "x" : "") + (ShapedType::isDynamic(shape[d])
                                          ? "<" + symbols[d] + ">"
                                          : std::to_string(shape[d]));
    for (size_t d = 0; d < shape.size(); ++d) {
      if (ShapedType::isDynamic(shape[d])) {
        report.modelErrors.push_back(
            "graph input '" + input.name() + "' dim " + std::to_string(d) +
            " is symbolic ('" + symbols[d] +
            "'): give its size with --input-shape " + input.name() + "=" +
            suggestion);
        ok = false;
      }
    }
    argTypes.push_back(RankedTensorType::get(shape, type.getElementType()));
    names.push_back(input.name());
  }
  for (const auto &entry : options.constantInputs)
    if (!used.contains(entry.getKey()))
      report.modelErrors.push_back("--const-input names '" +
                                   entry.getKey().str() +
                                   "', which is not a graph input");
  for (const auto &entry : options.inputShapes)
    if (!used.contains(entry.getKey())) {
      std::string known;
      for (const std::string &name : names)
        known += (known.empty() ? "" : ", ") + name;
      report.modelErrors.push_back("--input-shape names '" +
                                   entry.getKey().str() +
                                   "', which is not a graph input (inputs: " +
                                   known + ")");
      ok = false;
    }
  return success(ok);
}

FailureOr<ImportedValue>
GraphImporter::importTensor(const onnx::TensorProto &tensor, StringRef name,
                            OpBuilder &b, Location loc, std::string &error) {
  auto data = readTensor(tensor, modelDir, &context);
  if (!data) {
    error = llvm::toString(data.takeError());
    return failure();
  }
  std::optional<HostTensor> known = toHostTensor(*data);
  RankedTensorType type = data->type;
  ElementsAttr attr =
      makeElementsAttr(std::move(*data), name, options.inlineConstantLimit);
  Value value = ConstantOp::create(b, loc, type, attr);
  return ImportedValue{value, std::move(known)};
}

void GraphImporter::bindConstantInput(StringRef name, StringRef path,
                                      OpBuilder &b) {
  values[name] = ImportedValue{};
  failedValueSource[name] = "--const-input " + name.str();
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    report.modelErrors.push_back("--const-input " + name.str() + ": cannot "
                                 "read '" + path.str() + "': " +
                                 buffer.getError().message());
    return;
  }
  onnx::TensorProto tensor;
  if (!tensor.ParseFromArray((*buffer)->getBufferStart(),
                             int((*buffer)->getBufferSize()))) {
    report.modelErrors.push_back("--const-input " + name.str() + ": '" +
                                 path.str() +
                                 "' is not a serialized onnx TensorProto");
    return;
  }
  std::string error;
  FailureOr<ImportedValue> value = importTensor(
      tensor, name, b, NameLoc::get(b.getStringAttr(name)), error);
  if (failed(value)) {
    report.modelErrors.push_back("--const-input " + name.str() + ": " + error);
    return;
  }
  values[name] = std::move(*value);
}

void GraphImporter::importInitializers(const onnx::GraphProto &graph,
                                       OpBuilder &b) {
  for (const auto &tensor : graph.initializer()) {
    Location loc = NameLoc::get(b.getStringAttr(tensor.name()));
    std::string error;
    FailureOr<ImportedValue> value =
        importTensor(tensor, tensor.name(), b, loc, error);
    if (failed(value)) {
      report.modelErrors.push_back(error);
      failedValueSource[tensor.name()] = "initializer " + tensor.name();
      values[tensor.name()] = ImportedValue{};
      continue;
    }
    values[tensor.name()] = std::move(*value);
  }
}

void GraphImporter::bindPlaceholders(const onnx::NodeProto &node,
                                     OpBuilder &b, NameLoc loc) {
  for (const std::string &output : node.output()) {
    if (output.empty())
      continue;
    failedValueSource[output] = loc.getName().str();
    values[output] = ImportedValue{};
    auto info = valueInfo.find(output);
    if (info == valueInfo.end())
      continue;
    RankedTensorType type = tensorTypeOf(*info->second, &context, nullptr);
    if (!type || !type.hasStaticShape())
      continue;
    Value placeholder =
        UnrealizedConversionCastOp::create(b, loc, TypeRange{type},
                                           ValueRange{})
            .getResult(0);
    values[output] = ImportedValue{placeholder, std::nullopt};
  }
}

void GraphImporter::importNode(const onnx::NodeProto &node, size_t index,
                               OpBuilder &b) {
  std::string name = nodeName(node, index);
  NameLoc loc = NameLoc::get(b.getStringAttr(name));
  std::string domain = node.domain().empty() ? "ai.onnx" : node.domain();
  int64_t opset = opsets.lookup(domain);
  ++report.totalNodes;
  NodeIssue issue = issueFor(node, opset, "");
  issue.nodeName = name;

  const HandlerTable &table = getHandlerTable();
  auto handler = table.find(node.op_type());
  bool known = domain == "ai.onnx" && handler != table.end();

  // Inputs must exist; those from failed nodes make this node unchecked.
  std::string missing, dependsOn;
  for (const std::string &input : node.input()) {
    if (input.empty())
      continue;
    auto it = values.find(input);
    if (it == values.end()) {
      missing = input;
      break;
    }
    if (!it->second.value && dependsOn.empty())
      dependsOn = failedValueSource.lookup(input);
  }
  if (!missing.empty()) {
    issue.reason = "input '" + missing +
                   "' is not defined before this node (the graph is not "
                   "topologically sorted, or the name is wrong)";
    report.unsupported.push_back(issue);
    bindPlaceholders(node, b, loc);
    return;
  }
  if (!known) {
    issue.reason = domain == "ai.onnx"
                       ? "no importer for op type " + node.op_type()
                       : "ops of domain '" + domain + "' are not supported";
    report.unsupported.push_back(issue);
    bindPlaceholders(node, b, loc);
    return;
  }
  if (!dependsOn.empty()) {
    issue.reason = "not checked: depends on '" + dependsOn +
                   "', which did not import";
    report.unchecked.push_back(issue);
    bindPlaceholders(node, b, loc);
    return;
  }

  pendingReasons.clear();
  NodeContext ctx(*this, node, opset, b, loc);
  LogicalResult result = handler->second(ctx);
  bool allBound = llvm::all_of(node.output(), [&](const std::string &out) {
    return out.empty() || (values.count(out) && values.lookup(out).value);
  });
  if (succeeded(result) && allBound && pendingReasons.empty()) {
    ++report.supportedNodes;
    return;
  }
  if (pendingReasons.empty())
    pendingReasons.push_back(allBound ? "import failed"
                                      : "an output was not produced");
  issue.reason = llvm::join(pendingReasons, "; ");
  report.unsupported.push_back(issue);
  bindPlaceholders(node, b, loc);
}

OwningOpRef<ModuleOp> GraphImporter::importModel(const onnx::ModelProto &model) {
  context.loadDialect<AutoGLMDialect, func::FuncDialect>();
  for (const auto &opset : model.opset_import())
    opsets[opset.domain().empty() ? "ai.onnx" : opset.domain()] =
        opset.version();
  if (!opsets.count("ai.onnx"))
    report.modelErrors.push_back("model imports no ai.onnx opset");

  const onnx::GraphProto &graph = model.graph();
  for (const auto &info : graph.value_info())
    valueInfo[info.name()] = &info.type();
  for (const auto &info : graph.output())
    valueInfo[info.name()] = &info.type();

  OpBuilder b(&context);
  Location fileLoc = FileLineColLoc::get(&context, modelPath, 0, 0);
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  b.setInsertionPointToEnd(module->getBody());

  SmallVector<Type> argTypes;
  SmallVector<std::string> argNames;
  (void)importInputs(graph, b, argTypes, argNames);

  // The function type's results are fixed once the outputs are known.
  auto func = func::FuncOp::create(b, fileLoc, "main",
                                   b.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  for (auto [i, name] : llvm::enumerate(argNames)) {
    values[name] = ImportedValue{entry->getArgument(i), std::nullopt};
    func.setArgAttr(i, "ag.name", b.getStringAttr(name));
  }

  for (const auto &[name, path] : options.constantInputs)
    if (llvm::any_of(graph.input(), [&, &name = name](const auto &input) {
          return input.name() == name;
        }))
      bindConstantInput(name, path, b);
  importInitializers(graph, b);
  for (auto [index, node] : llvm::enumerate(graph.node()))
    importNode(node, index, b);

  SmallVector<Value> results;
  SmallVector<Type> resultTypes;
  for (const auto &output : graph.output()) {
    auto it = values.find(output.name());
    if (it == values.end()) {
      report.modelErrors.push_back("graph output '" + output.name() +
                                   "' is not produced by any node");
      continue;
    }
    if (!it->second.value)
      continue; // Its node is already reported.
    // A declared static shape that differs from what the graph computes
    // means the model (or an importer handler) is wrong: say which.
    auto computed = cast<RankedTensorType>(it->second.value.getType());
    if (RankedTensorType declared =
            tensorTypeOf(output.type(), &context, nullptr)) {
      bool differs = declared.getRank() != computed.getRank() ||
                     declared.getElementType() != computed.getElementType();
      for (int64_t d = 0; !differs && d < declared.getRank(); ++d)
        differs = !declared.isDynamicDim(d) &&
                  declared.getDimSize(d) != computed.getDimSize(d);
      if (differs)
        report.modelErrors.push_back(
            "graph output '" + output.name() + "' is declared as " +
            formatShape(declared.getShape()) + " but computes " +
            formatShape(computed.getShape()) + " (element types " +
            typeName(declared.getElementType()) + " and " +
            typeName(computed.getElementType()) + ")");
    }
    results.push_back(it->second.value);
    resultTypes.push_back(it->second.value.getType());
  }
  if (!report.ok())
    return nullptr;

  func::ReturnOp::create(b, fileLoc, results);
  // Shape arithmetic evaluated on the host leaves constants nothing reads.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(*entry)))
    if (isa<ConstantOp, UnrealizedConversionCastOp>(op) && op.use_empty())
      op.erase();
  func.setFunctionType(b.getFunctionType(argTypes, resultTypes));
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, "ag.name", b.getStringAttr(output.name()));
  if (failed(verify(*module))) {
    report.modelErrors.push_back("the imported module failed to verify (an "
                                 "importer bug: the errors above say where)");
    return nullptr;
  }
  return module;
}

} // namespace mlir::autoglm::onnx_import
