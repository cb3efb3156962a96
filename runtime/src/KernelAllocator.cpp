//===- KernelAllocator.cpp - kernels' temporary buffers -------------------===//

#include "KernelAllocator.h"

#include <cstdlib>
#include <cstring>

namespace agm {
namespace {

/// Each block starts with a header holding its usable size; the caller gets
/// the bytes after it (16-byte aligned, as malloc's).
constexpr uint64_t kHeader = 16;
/// Freed blocks a thread keeps, and the bytes they may hold in all.
constexpr int kSlots = 16;
constexpr uint64_t kMaxCachedBytes = uint64_t(256) << 20;

struct ThreadCache {
  void *blocks[kSlots] = {};
  uint64_t sizes[kSlots] = {};
  uint64_t bytes = 0;
  ~ThreadCache() {
    for (void *block : blocks)
      std::free(block);
  }
};

thread_local ThreadCache cache;

uint64_t &sizeOf(void *block) { return *static_cast<uint64_t *>(block); }

} // namespace

void *kernelMalloc(uint64_t size) {
  for (int i = 0; i < kSlots; ++i)
    if (cache.blocks[i] && cache.sizes[i] == size) {
      void *block = cache.blocks[i];
      cache.blocks[i] = nullptr;
      cache.bytes -= size;
      return static_cast<char *>(block) + kHeader;
    }
  void *block = std::malloc(size + kHeader);
  if (!block)
    return nullptr;
  sizeOf(block) = size;
  return static_cast<char *>(block) + kHeader;
}

void kernelFree(void *pointer) {
  if (!pointer)
    return;
  void *block = static_cast<char *>(pointer) - kHeader;
  uint64_t size = sizeOf(block);
  if (cache.bytes + size <= kMaxCachedBytes)
    for (int i = 0; i < kSlots; ++i)
      if (!cache.blocks[i]) {
        cache.blocks[i] = block;
        cache.sizes[i] = size;
        cache.bytes += size;
        return;
      }
  std::free(block);
}

} // namespace agm
