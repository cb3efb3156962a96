//===- OnnxImporter.h - ONNX models into the ag dialect ---------*- C++ -*-===//
//
// Public entry points of the ONNX importer. The importer reads `.onnx`
// (protobuf, with external data) or `.onnxtxt` (ONNX text syntax), runs
// onnx's checker, and builds `func.func @main` of `ag` ops with static shapes.
// It never stops at the first problem: every unsupported node is collected in
// a CoverageReport.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_IMPORT_ONNX_ONNXIMPORTER_H
#define AUTOGLM_COMPILER_IMPORT_ONNX_ONNXIMPORTER_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/raw_ostream.h"

#include <map>
#include <string>
#include <vector>

namespace mlir::autoglm::onnx_import {

struct ImportOptions {
  /// Shapes for graph inputs with symbolic or unknown dims (--input-shape).
  llvm::StringMap<SmallVector<int64_t>> inputShapes;
  /// Graph inputs bound to compile-time constants (--const-input), by name:
  /// the path of a serialized onnx TensorProto (`.pb`, as in ONNX's test
  /// data). Lets a model whose shapes depend on an input value compile for
  /// one value.
  llvm::StringMap<std::string> constantInputs;
  /// Run onnx::checker on the model before importing.
  bool runChecker = true;
  /// Initializers with more elements than this become dense_resource blobs;
  /// smaller ones are printed inline as dense<...>.
  int64_t inlineConstantLimit = 64;
};

/// A node the importer cannot handle, and why.
struct NodeIssue {
  std::string nodeName;
  std::string opType;
  std::string domain;
  int64_t opset = 0;
  std::string reason;
};

/// What --check prints: every node is supported, unsupported (with the
/// reason) or unchecked (its inputs come from an unsupported node).
struct CoverageReport {
  std::string modelPath;
  size_t totalNodes = 0;
  size_t supportedNodes = 0;
  std::vector<NodeIssue> unsupported;
  std::vector<NodeIssue> unchecked;
  /// Model-level problems (symbolic input dims, missing outputs, ...).
  std::vector<std::string> modelErrors;
  /// Notes that do not stop the import (e.g. checker skipped for an opset
  /// newer than libonnx knows).
  std::vector<std::string> warnings;
  /// How often each op type (`domain.Op` outside the default domain) occurs.
  std::map<std::string, int> opTypes;

  bool ok() const { return unsupported.empty() && modelErrors.empty(); }
  /// Prints every problem, then `N nodes, M supported, K unsupported`.
  void print(llvm::raw_ostream &os) const;
  /// Prints `op types: Add x2, Conv x1` (what --check adds).
  void printOpTypes(llvm::raw_ostream &os) const;
};

/// Thrown-free result of reading a model file: either an error message that
/// names the file and the problem, or a module (possibly with a report of
/// unsupported nodes, in which case the module is null).
struct ImportResult {
  OwningOpRef<ModuleOp> module;
  CoverageReport report;
  /// Set when the file itself could not be read (not protobuf, truncated,
  /// missing external data, ...): one line naming the file and the problem.
  std::string fatalError;
};

/// Imports the model at `path` (`.onnx` or `.onnxtxt`). On success `module`
/// is set and `report.ok()`; otherwise `fatalError` or the report says why.
ImportResult importOnnxFile(StringRef path, const ImportOptions &options,
                            MLIRContext &context);

/// Same, from ONNX text syntax held in memory (used by tests and tools).
ImportResult importOnnxText(StringRef text, StringRef displayName,
                            const ImportOptions &options,
                            MLIRContext &context);

/// Parses `name=1x128x768` (as given to --input-shape). Returns an error
/// message, or an empty string on success.
std::string parseInputShape(StringRef spec, ImportOptions &options);

/// Parses `name=path.pb` (as given to --const-input).
std::string parseConstantInput(StringRef spec, ImportOptions &options);

} // namespace mlir::autoglm::onnx_import

#endif // AUTOGLM_COMPILER_IMPORT_ONNX_ONNXIMPORTER_H
