//===- TensorConversion.h - ONNX tensors and types to MLIR ------*- C++ -*-===//

#ifndef AUTOGLM_COMPILER_IMPORT_ONNX_TENSORCONVERSION_H
#define AUTOGLM_COMPILER_IMPORT_ONNX_TENSORCONVERSION_H

#include "compiler/import/onnx/HostTensor.h"

#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/Error.h"

#include <onnx/onnx_pb.h>

namespace mlir::autoglm::onnx_import {

/// The MLIR element type of an ONNX TensorProto data type, or null for the
/// types AutoGLM does not support (string, complex, float8).
Type convertDataType(int32_t dataType, MLIRContext *context);

/// ONNX's name of a data type (`FLOAT`, `INT64`, ...).
std::string dataTypeName(int32_t dataType);

/// An ONNX data type for an MLIR element type (inverse of convertDataType).
int32_t toOnnxDataType(Type elementType);

/// The little-endian bytes of a tensor, read from `raw_data`, the typed
/// fields, or an external data file (mapped, not copied). `blob` owns them.
struct TensorBytes {
  RankedTensorType type;
  AsmResourceBlob blob;
  /// True when the bytes are mapped from an external data file.
  bool external = false;
  ArrayRef<char> bytes() const { return blob.getData(); }
};

/// Reads `tensor`'s data. External data paths are relative to `modelDir`.
/// Errors say which tensor and what is wrong (missing file, short data, ...).
llvm::Expected<TensorBytes> readTensor(const onnx::TensorProto &tensor,
                                       StringRef modelDir,
                                       MLIRContext *context);

/// An attribute for `data`: dense<...> for small tensors and all bools, a
/// dense_resource blob named after `name` otherwise (always for external
/// data, which stays mapped instead of being copied).
ElementsAttr makeElementsAttr(TensorBytes data, StringRef name,
                              int64_t inlineLimit);

/// The values of a small tensor, for import-time evaluation.
std::optional<HostTensor> toHostTensor(const TensorBytes &data);

} // namespace mlir::autoglm::onnx_import

#endif // AUTOGLM_COMPILER_IMPORT_ONNX_TENSORCONVERSION_H
