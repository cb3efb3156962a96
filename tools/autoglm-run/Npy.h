//===- Npy.h - read and write NumPy .npy files ------------------*- C++ -*-===//
//
// Format versions 1.0, 2.0 and 3.0 (read) and 1.0/2.0 (write: 2.0 only when
// the header needs it); little-endian, C order. dtypes: f2 f4 f8 i1 i2 i4 i8
// u1 u2 u4 u8 b1. Shape and order are returned as found, so the caller can
// name the tensor when it refuses them.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_TOOLS_AUTOGLM_RUN_NPY_H
#define AUTOGLM_TOOLS_AUTOGLM_RUN_NPY_H

#include "autoglm/artifact_format.h"

#include <cstdint>
#include <string>
#include <vector>

namespace autoglm::npy {

struct Array {
  /// As written in the file, e.g. "<f4".
  std::string descr;
  /// The dtype it maps to; 0 when the descr is not one of the supported.
  uint32_t dtype = 0;
  bool fortranOrder = false;
  std::vector<int64_t> shape;
  /// The raw elements (little-endian).
  std::vector<uint8_t> data;
};

/// Reads `path`; false with `error` ("x.npy: ...") when it is not a valid
/// .npy file (truncated, bad header, big-endian, unsupported descr).
bool read(const std::string &path, Array &out, std::string &error);

/// Writes `bytes` of `dtype` elements shaped `shape` to `path`.
bool write(const std::string &path, uint32_t dtype,
           const std::vector<int64_t> &shape, const void *bytes, size_t size,
           std::string &error);

/// The .npy descr of a dtype ("<f4"), or nullptr (bf16 has none).
const char *descrOf(uint32_t dtype);

/// "[2, 3]" ("[]" for a scalar).
std::string formatShape(const std::vector<int64_t> &shape);

} // namespace autoglm::npy

#endif // AUTOGLM_TOOLS_AUTOGLM_RUN_NPY_H
