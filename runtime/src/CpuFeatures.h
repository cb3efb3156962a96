//===- CpuFeatures.h - what the host CPU supports ---------------*- C++ -*-===//

#ifndef AUTOGLM_RUNTIME_SRC_CPUFEATURES_H
#define AUTOGLM_RUNTIME_SRC_CPUFEATURES_H

#include <cstdint>
#include <string>

namespace agm {

/// AGM_CPU_* bits the host supports: the instruction set reported by cpuid
/// and its register state enabled by the OS (xgetbv).
uint64_t hostCpuFeatures();

/// "avx512f, avx512bw" for the set bits; bits without an AGM_CPU_* name
/// read "unknown feature (bit N)".
std::string cpuFeatureNames(uint64_t features);

} // namespace agm

#endif // AUTOGLM_RUNTIME_SRC_CPUFEATURES_H
