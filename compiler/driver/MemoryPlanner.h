//===- MemoryPlanner.h - pack intermediates into one arena ------*- C++ -*-===//
//
// Every intermediate tensor gets an offset in one arena. Two tensors may
// share bytes when their lifetimes (from the dispatch that writes them to
// the last dispatch that reads them, inclusive) do not overlap, so a
// dispatch never reads and writes the same bytes.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_DRIVER_MEMORYPLANNER_H
#define AUTOGLM_COMPILER_DRIVER_MEMORYPLANNER_H

#include <cstdint>
#include <vector>

namespace mlir::autoglm {

struct Lifetime {
  int64_t size;   ///< bytes
  int64_t first;  ///< index of the dispatch that writes it
  int64_t last;   ///< index of the last dispatch that reads it (>= first)
};

struct ArenaPlan {
  std::vector<int64_t> offsets; ///< per lifetime, aligned to `alignment`
  int64_t arenaSize = 0;        ///< bytes needed
  int64_t sumOfSizes = 0;       ///< bytes without any reuse (for --verbose)
};

/// Greedy first-fit by decreasing size, the usual heuristic for offline
/// lifetime-based allocation: large buffers placed first, then smaller ones
/// fill the gaps left by lifetimes that do not overlap.
ArenaPlan planArena(const std::vector<Lifetime> &lifetimes,
                    int64_t alignment = 64);

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_DRIVER_MEMORYPLANNER_H
