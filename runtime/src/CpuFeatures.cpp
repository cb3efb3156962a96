//===- CpuFeatures.cpp - cpuid / xgetbv feature detection -----------------===//

#include "CpuFeatures.h"

#include "autoglm/artifact_format.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace agm {

#if defined(__x86_64__) || defined(__i386__)
static uint64_t readXcr0() {
  uint32_t eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<uint64_t>(edx) << 32) | eax;
}

uint64_t hostCpuFeatures() {
  unsigned eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx))
    return 0;
  const unsigned leaf1Ecx = ecx;
  const bool osxsave = leaf1Ecx & (1u << 27);
  uint64_t xcr0 = osxsave ? readXcr0() : 0;
  // XMM and YMM state for AVX; opmask, ZMM_Hi256 and Hi16_ZMM for AVX-512.
  const bool osAvx = (xcr0 & 0x6) == 0x6;
  const bool osAvx512 = osAvx && (xcr0 & 0xe0) == 0xe0;

  unsigned leaf7Ebx = 0;
  unsigned maxLeaf = __get_cpuid_max(0, nullptr);
  if (maxLeaf >= 7) {
    __cpuid_count(7, 0, eax, ebx, ecx, edx);
    leaf7Ebx = ebx;
  }

  uint64_t features = 0;
  const bool avx = osAvx && (leaf1Ecx & (1u << 28));
  if (avx && (leaf7Ebx & (1u << 5)))
    features |= AGM_CPU_AVX2;
  if (avx && (leaf1Ecx & (1u << 12)))
    features |= AGM_CPU_FMA;
  if (avx && (leaf1Ecx & (1u << 29)))
    features |= AGM_CPU_F16C;
  if (leaf7Ebx & (1u << 8))
    features |= AGM_CPU_BMI2;
  if (osAvx512 && (leaf7Ebx & (1u << 16))) {
    features |= AGM_CPU_AVX512F;
    if (leaf7Ebx & (1u << 30))
      features |= AGM_CPU_AVX512BW;
    if (leaf7Ebx & (1u << 31))
      features |= AGM_CPU_AVX512VL;
    if (leaf7Ebx & (1u << 17))
      features |= AGM_CPU_AVX512DQ;
  }
  return features;
}
#else
uint64_t hostCpuFeatures() { return 0; }
#endif

std::string cpuFeatureNames(uint64_t features) {
  static const char *const names[] = {"avx2",     "fma",      "avx512f",
                                      "avx512bw", "avx512vl", "avx512dq",
                                      "f16c",     "bmi2"};
  std::string out;
  for (unsigned bit = 0; bit < 64; ++bit) {
    if (!(features & (1ull << bit)))
      continue;
    if (!out.empty())
      out += ", ";
    if (bit < sizeof(names) / sizeof(names[0]))
      out += names[bit];
    else
      out += "unknown feature (bit " + std::to_string(bit) + ")";
  }
  return out;
}

} // namespace agm
