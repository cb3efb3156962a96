//===- Export.h - which symbols libautoglm_runtime.so exports ---*- C++ -*-===//
//
// The library is compiled with -fvisibility=hidden and linked with a version
// script (exports.map) that keeps only agm_*; AGM_EXPORT marks the
// definitions of the runtime.h API.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_RUNTIME_SRC_EXPORT_H
#define AUTOGLM_RUNTIME_SRC_EXPORT_H

#define AGM_EXPORT __attribute__((visibility("default")))

#endif // AUTOGLM_RUNTIME_SRC_EXPORT_H
