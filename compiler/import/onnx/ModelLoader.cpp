//===- ModelLoader.cpp - read, check and import ONNX model files ----------===//
//
// Reads `.onnx` protobuf or `.onnxtxt` text, turns every way a file can be
// broken into one line naming the file and the problem, runs onnx's checker
// and shape inference where libonnx knows the model's versions, and hands
// the model to GraphImporter.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/onnx/GraphImporter.h"
#include "compiler/import/onnx/OnnxImporter.h"

#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <onnx/checker.h>
#include <onnx/defs/parser.h>
#include <onnx/defs/schema.h>
#include <onnx/shape_inference/implementation.h>

#include <google/protobuf/io/coded_stream.h>

namespace mlir::autoglm::onnx_import {

void CoverageReport::print(llvm::raw_ostream &os) const {
  for (const std::string &warning : warnings)
    os << modelPath << ": warning: " << warning << "\n";
  for (const std::string &error : modelErrors)
    os << modelPath << ": error: " << error << "\n";
  auto printIssue = [&](StringRef kind, const NodeIssue &issue) {
    os << modelPath << ": " << kind << ": node '" << issue.nodeName << "' ("
       << issue.opType << ", " << issue.domain << " opset " << issue.opset
       << "): " << issue.reason << "\n";
  };
  for (const NodeIssue &issue : unsupported)
    printIssue("error", issue);
  for (const NodeIssue &issue : unchecked)
    printIssue("note", issue);
  os << modelPath << ": " << totalNodes << " nodes, " << supportedNodes
     << " supported, " << unsupported.size() << " unsupported";
  if (!unchecked.empty())
    os << ", " << unchecked.size() << " not checked";
  os << "\n";
}

void CoverageReport::printOpTypes(llvm::raw_ostream &os) const {
  os << modelPath << ": op types:";
  bool first = true;
  for (const auto &[name, count] : opTypes) {
    os << (first ? " " : ", ") << name << " x" << count;
    first = false;
  }
  os << "\n";
}

std::string parseInputShape(StringRef spec, ImportOptions &options) {
  auto [name, dims] = spec.rsplit('=');
  if (name.empty() || dims.empty() || !spec.contains('='))
    return "--input-shape expects name=DxDx..., e.g. input_ids=1x128; got '" +
           spec.str() + "'";
  SmallVector<int64_t> shape;
  if (dims != "scalar") {
    SmallVector<StringRef> parts;
    dims.split(parts, 'x');
    for (StringRef part : parts) {
      int64_t dim;
      if (part.getAsInteger(10, dim) || dim < 0)
        return "--input-shape " + spec.str() + ": '" + part.str() +
               "' is not a non-negative integer";
      shape.push_back(dim);
    }
  }
  options.inputShapes[name] = shape;
  return "";
}

std::string parseConstantInput(StringRef spec, ImportOptions &options) {
  auto [name, path] = spec.split('=');
  if (name.empty() || path.empty())
    return "--const-input expects name=tensor.pb; got '" + spec.str() + "'";
  options.constantInputs[name] = path.str();
  return "";
}

/// The highest ai.onnx opset and IR version this libonnx knows.
static std::pair<int64_t, int64_t> libonnxLimits() {
  const auto &map = onnx::OpSchemaRegistry::DomainToVersionRange::Instance().Map();
  auto it = map.find(onnx::ONNX_DOMAIN);
  int64_t maxOpset = it == map.end() ? 0 : it->second.second;
  return {maxOpset, onnx::Version::IR_VERSION};
}

/// Runs the checker and shape inference when libonnx understands the
/// model's versions; otherwise says so in a warning.
static std::string checkModel(onnx::ModelProto &model,
                              const ImportOptions &options,
                              CoverageReport &report) {
  auto [maxOpset, maxIr] = libonnxLimits();
  int64_t opset = 0;
  for (const auto &entry : model.opset_import())
    if (entry.domain().empty() || entry.domain() == "ai.onnx")
      opset = entry.version();
  if (opset > maxOpset || model.ir_version() > maxIr) {
    report.warnings.push_back(
        "onnx's checker and shape inference skipped: the model uses IR " +
        std::to_string(model.ir_version()) + " / opset " +
        std::to_string(opset) + ", newer than the installed libonnx knows (IR " +
        std::to_string(maxIr) + " / opset " + std::to_string(maxOpset) +
        "); AutoGLM's own checks still apply");
    return "";
  }
  if (options.runChecker) {
    try {
      onnx::checker::check_model(model);
    } catch (const std::exception &e) {
      // One line: libonnx's message spans lines and may dump the node.
      std::string message = e.what();
      std::replace(message.begin(), message.end(), '\n', ' ');
      if (message.size() > 300)
        message = message.substr(0, 300) + "...";
      return "ONNX checker: " + message +
             " (--no-onnx-checker imports without it)";
    }
  }
  // libonnx's conv/pool shape inference divides by strides and dilations
  // without checking them (a SIGFPE, not an exception): skip inference for
  // such models and let AutoGLM's verifiers report the node.
  for (const auto &node : model.graph().node())
    for (const auto &attr : node.attribute())
      if ((attr.name() == "strides" || attr.name() == "dilations" ||
           attr.name() == "kernel_shape") &&
          llvm::any_of(attr.ints(), [](int64_t v) { return v <= 0; })) {
        report.warnings.push_back(
            "onnx shape inference skipped: node '" + node.name() + "' (" +
            node.op_type() + ") has a non-positive " + attr.name());
        return "";
      }
  try {
    // Data propagation lets inference follow Shape -> Gather -> Reshape.
    onnx::ShapeInferenceOptions inferenceOptions(/*check_type_val=*/false,
                                                 /*strict_mode_val=*/0,
                                                 /*data_prop_val=*/true);
    onnx::shape_inference::InferShapes(model, onnx::OpSchemaRegistry::Instance(),
                                       inferenceOptions);
  } catch (const std::exception &e) {
    std::string message = e.what();
    report.warnings.push_back("onnx shape inference failed (" +
                              message.substr(0, message.find('\n')) +
                              "); importing with AutoGLM's own inference");
  }
  return "";
}

static ImportResult importModel(onnx::ModelProto &model, StringRef path,
                                const ImportOptions &options,
                                MLIRContext &context) {
  ImportResult result;
  result.report.modelPath = path.str();
  if (!model.has_graph()) {
    result.fatalError = path.str() + ": not an ONNX model (it has no graph)";
    return result;
  }
  for (const auto &node : model.graph().node())
    ++result.report.opTypes[node.domain().empty() || node.domain() == "ai.onnx"
                                ? node.op_type()
                                : node.domain() + "." + node.op_type()];
  // Give ONNX's shape inference the --input-shape sizes, so the types it
  // infers (used to keep checking past a failed node) are static too.
  for (auto &input : *model.mutable_graph()->mutable_input()) {
    auto given = options.inputShapes.find(input.name());
    if (given == options.inputShapes.end() ||
        !input.type().has_tensor_type())
      continue;
    auto *shape = input.mutable_type()->mutable_tensor_type()->mutable_shape();
    if (shape->dim_size() != int(given->second.size()))
      continue; // GraphImporter reports the rank mismatch.
    // Only symbolic dims: GraphImporter reports conflicts with fixed ones.
    for (int d = 0; d < shape->dim_size(); ++d)
      if (!shape->dim(d).has_dim_value())
        shape->mutable_dim(d)->set_dim_value(given->second[d]);
  }
  std::string checkError = checkModel(model, options, result.report);
  if (!checkError.empty()) {
    result.fatalError = path.str() + ": " + checkError;
    return result;
  }
  GraphImporter importer(context, options, path, result.report);
  result.module = importer.importModel(model);
  return result;
}

ImportResult importOnnxText(StringRef text, StringRef displayName,
                            const ImportOptions &options,
                            MLIRContext &context) {
  onnx::ModelProto model;
  std::string buffer = text.str();
  auto status = onnx::OnnxParser::Parse(model, buffer.c_str());
  if (!status.IsOK()) {
    ImportResult result;
    result.report.modelPath = displayName.str();
    std::string message = status.ErrorMessage();
    result.fatalError = displayName.str() + ": not valid ONNX text syntax: " +
                        message.substr(0, message.find('\n'));
    return result;
  }
  return importModel(model, displayName, options, context);
}

ImportResult importOnnxFile(StringRef path, const ImportOptions &options,
                            MLIRContext &context) {
  ImportResult result;
  result.report.modelPath = path.str();
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer) {
    result.fatalError =
        path.str() + ": cannot read the file: " + buffer.getError().message();
    return result;
  }
  StringRef data = (*buffer)->getBuffer();
  if (path.ends_with(".onnxtxt") || path.ends_with(".txt"))
    return importOnnxText(data, path, options, context);

  if (data.empty()) {
    result.fatalError = path.str() + ": the file is empty";
    return result;
  }
  onnx::ModelProto model;
  google::protobuf::io::CodedInputStream stream(
      reinterpret_cast<const uint8_t *>(data.data()), int(data.size()));
  stream.SetTotalBytesLimit(INT32_MAX);
  if (data.size() > size_t(INT32_MAX) || !model.ParseFromCodedStream(&stream) ||
      !stream.ConsumedEntireMessage()) {
    result.fatalError =
        path.str() + ": not a valid ONNX protobuf (truncated, corrupted, or "
                     "another format; models over 2 GB must keep their "
                     "weights in external data)";
    return result;
  }
  if (!model.has_graph() || model.ir_version() <= 0) {
    result.fatalError = path.str() + ": not an ONNX model (no graph or no "
                                     "ir_version); is it another kind of "
                                     "protobuf file?";
    return result;
  }
  return importModel(model, path, options, context);
}

} // namespace mlir::autoglm::onnx_import
