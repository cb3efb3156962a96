//===- TensorConversion.cpp - ONNX tensors and types to MLIR -------------===//

#include "compiler/import/onnx/TensorConversion.h"

#include "dialects/AutoGLM/IR/ShapeUtils.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinDialect.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <cstring>

namespace mlir::autoglm::onnx_import {

using onnx::TensorProto;

Type convertDataType(int32_t dataType, MLIRContext *context) {
  Builder b(context);
  switch (dataType) {
  case TensorProto::FLOAT:
    return b.getF32Type();
  case TensorProto::FLOAT16:
    return b.getF16Type();
  case TensorProto::BFLOAT16:
    return b.getBF16Type();
  case TensorProto::DOUBLE:
    return b.getF64Type();
  case TensorProto::INT8:
    return b.getIntegerType(8);
  case TensorProto::INT16:
    return b.getIntegerType(16);
  case TensorProto::INT32:
    return b.getIntegerType(32);
  case TensorProto::INT64:
    return b.getIntegerType(64);
  case TensorProto::UINT8:
    return b.getIntegerType(8, /*isSigned=*/false);
  case TensorProto::UINT16:
    return b.getIntegerType(16, false);
  case TensorProto::UINT32:
    return b.getIntegerType(32, false);
  case TensorProto::UINT64:
    return b.getIntegerType(64, false);
  case TensorProto::BOOL:
    return b.getI1Type();
  default:
    return {};
  }
}

std::string dataTypeName(int32_t dataType) {
  if (TensorProto::DataType_IsValid(dataType))
    return TensorProto::DataType_Name(TensorProto::DataType(dataType));
  return "data type " + std::to_string(dataType);
}

int32_t toOnnxDataType(Type type) {
  if (type.isF32())
    return TensorProto::FLOAT;
  if (type.isF16())
    return TensorProto::FLOAT16;
  if (type.isBF16())
    return TensorProto::BFLOAT16;
  if (type.isF64())
    return TensorProto::DOUBLE;
  if (auto intType = dyn_cast<IntegerType>(type)) {
    bool isUnsigned = intType.isUnsigned();
    switch (intType.getWidth()) {
    case 1:
      return TensorProto::BOOL;
    case 8:
      return isUnsigned ? TensorProto::UINT8 : TensorProto::INT8;
    case 16:
      return isUnsigned ? TensorProto::UINT16 : TensorProto::INT16;
    case 32:
      return isUnsigned ? TensorProto::UINT32 : TensorProto::INT32;
    case 64:
      return isUnsigned ? TensorProto::UINT64 : TensorProto::INT64;
    }
  }
  return TensorProto::UNDEFINED;
}

/// Bytes per element in ONNX's little-endian raw layout (bool: one byte).
static int64_t storageBytes(Type type) {
  if (type.isInteger(1))
    return 1;
  return (type.getIntOrFloatBitWidth() + 7) / 8;
}

static llvm::Error tensorError(const TensorProto &tensor, const Twine &what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 "tensor '" + tensor.name() + "': " + what);
}

/// Copies the elements of a typed repeated field, narrowed to `bytesEach`.
template <typename Field>
static AsmResourceBlob copyTypedField(const Field &field, int64_t bytesEach) {
  std::vector<char> bytes(field.size() * bytesEach);
  for (int i = 0; i < field.size(); ++i) {
    auto value = field.Get(i);
    std::memcpy(bytes.data() + i * bytesEach, &value, bytesEach);
  }
  return HeapAsmResourceBlob::allocateAndCopyWithAlign(
      ArrayRef<char>(bytes), alignof(uint64_t));
}

/// Maps `length` bytes at `offset` of an external data file; the blob keeps
/// the mapping alive.
static llvm::Expected<AsmResourceBlob>
mapExternalData(const TensorProto &tensor, StringRef modelDir,
                int64_t expectedBytes) {
  std::string location;
  int64_t offset = 0, length = -1;
  for (const auto &entry : tensor.external_data()) {
    if (entry.key() == "location")
      location = entry.value();
    else if (entry.key() == "offset")
      offset = std::stoll(entry.value());
    else if (entry.key() == "length")
      length = std::stoll(entry.value());
  }
  if (location.empty())
    return tensorError(tensor, "external data has no 'location'");
  if (llvm::sys::path::is_absolute(location) ||
      StringRef(location).contains(".."))
    return tensorError(tensor, "external data location '" + location +
                                   "' must be relative to the model folder");
  SmallString<256> path(modelDir);
  llvm::sys::path::append(path, location);
  if (length < 0)
    length = expectedBytes;
  if (length != expectedBytes)
    return tensorError(tensor, "external data length " + Twine(length) +
                                   " does not match its shape (" +
                                   Twine(expectedBytes) + " bytes)");
  auto buffer = llvm::MemoryBuffer::getFileSlice(path, length, offset,
                                                 /*IsVolatile=*/false);
  if (!buffer)
    return tensorError(tensor, "cannot read external data file '" + path +
                                   "': " + buffer.getError().message());
  if (int64_t((*buffer)->getBufferSize()) != length)
    return tensorError(tensor, "external data file '" + path +
                                   "' is shorter than offset + length");
  ArrayRef<char> bytes((*buffer)->getBufferStart(), length);
  std::shared_ptr<llvm::MemoryBuffer> owner = std::move(*buffer);
  return AsmResourceBlob(
      bytes, /*dataAlignment=*/1,
      [owner](void *, size_t, size_t) mutable { owner.reset(); },
      /*dataIsMutable=*/false);
}

llvm::Expected<TensorBytes> readTensor(const TensorProto &tensor,
                                       StringRef modelDir,
                                       MLIRContext *context) {
  Type elementType = convertDataType(tensor.data_type(), context);
  if (!elementType)
    return tensorError(tensor, "unsupported data type " +
                                   dataTypeName(tensor.data_type()));
  SmallVector<int64_t> shape;
  int64_t count = 1;
  for (int64_t dim : tensor.dims()) {
    if (dim < 0)
      return tensorError(tensor, "negative dimension " + Twine(dim));
    shape.push_back(dim);
    count *= dim;
  }
  if (tensor.has_segment())
    return tensorError(tensor, "segmented tensors are not supported");
  int64_t bytesEach = storageBytes(elementType);
  int64_t expected = count * bytesEach;
  TensorBytes result{RankedTensorType::get(shape, elementType), {}};

  if (tensor.data_location() == TensorProto::EXTERNAL) {
    auto blob = mapExternalData(tensor, modelDir, expected);
    if (!blob)
      return blob.takeError();
    result.blob = std::move(*blob);
    result.external = true;
    return result;
  }
  if (tensor.has_raw_data()) {
    const std::string &raw = tensor.raw_data();
    if (int64_t(raw.size()) != expected)
      return tensorError(tensor, "raw_data holds " + Twine(raw.size()) +
                                     " bytes but its shape " +
                                     formatShape(shape) + " of " +
                                     dataTypeName(tensor.data_type()) +
                                     " needs " + Twine(expected));
    result.blob = HeapAsmResourceBlob::allocateAndCopyWithAlign(
        ArrayRef<char>(raw.data(), raw.size()), alignof(uint64_t));
    return result;
  }

  // Typed fields: which one holds the data depends on the data type.
  int64_t have = 0;
  switch (tensor.data_type()) {
  case TensorProto::FLOAT:
    have = tensor.float_data_size();
    result.blob = copyTypedField(tensor.float_data(), 4);
    break;
  case TensorProto::DOUBLE:
    have = tensor.double_data_size();
    result.blob = copyTypedField(tensor.double_data(), 8);
    break;
  case TensorProto::INT64:
    have = tensor.int64_data_size();
    result.blob = copyTypedField(tensor.int64_data(), 8);
    break;
  case TensorProto::UINT32:
  case TensorProto::UINT64:
    have = tensor.uint64_data_size();
    result.blob = copyTypedField(tensor.uint64_data(), bytesEach);
    break;
  default: // int32_data holds every narrower type, f16 and bf16 as bits.
    have = tensor.int32_data_size();
    result.blob = copyTypedField(tensor.int32_data(), bytesEach);
    break;
  }
  if (have != count)
    return tensorError(tensor, "holds " + Twine(have) +
                                   " elements but its shape needs " +
                                   Twine(count));
  return result;
}

/// Resource keys are bare identifiers: keep [A-Za-z0-9_.], map the rest.
static std::string resourceKey(StringRef name) {
  std::string key = name.empty() ? "tensor" : name.str();
  for (char &c : key)
    if (!llvm::isAlnum(c) && c != '_' && c != '.')
      c = '_';
  if (!llvm::isAlpha(key[0]) && key[0] != '_')
    key = "t_" + key;
  return key;
}

ElementsAttr makeElementsAttr(TensorBytes data, StringRef name,
                              int64_t inlineLimit) {
  RankedTensorType type = data.type;
  if (type.getElementType().isInteger(1)) {
    ArrayRef<char> bytes = data.bytes();
    SmallVector<bool> values(bytes.size());
    for (size_t i = 0; i < bytes.size(); ++i)
      values[i] = bytes[i] != 0;
    return DenseElementsAttr::get(type, ArrayRef<bool>(values));
  }
  if (type.getNumElements() <= inlineLimit && !data.external) {
    bool detectedSplat = false;
    if (DenseElementsAttr::isValidRawBuffer(type, data.bytes(), detectedSplat))
      return DenseElementsAttr::getFromRawBuffer(type, data.bytes());
  }
  return DenseResourceElementsAttr::get(type, resourceKey(name),
                                        std::move(data.blob));
}

std::optional<HostTensor> toHostTensor(const TensorBytes &data) {
  RankedTensorType type = data.type;
  if (type.getNumElements() > kMaxHostElements)
    return std::nullopt;
  if (type.getElementType().isInteger(1)) {
    std::vector<int64_t> values;
    for (char byte : data.bytes())
      values.push_back(byte != 0);
    return HostTensor::ofInts(type.getElementType(), type.getShape(),
                              std::move(values));
  }
  bool detectedSplat = false;
  if (!DenseElementsAttr::isValidRawBuffer(type, data.bytes(), detectedSplat))
    return std::nullopt;
  return HostTensor::fromAttr(
      DenseElementsAttr::getFromRawBuffer(type, data.bytes()));
}

} // namespace mlir::autoglm::onnx_import
