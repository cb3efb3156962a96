//===- MemoryPlanner.cpp - pack intermediates into one arena -------------===//

#include "compiler/driver/MemoryPlanner.h"

#include <algorithm>
#include <numeric>

namespace mlir::autoglm {

static int64_t alignUp(int64_t value, int64_t alignment) {
  return (value + alignment - 1) / alignment * alignment;
}

ArenaPlan planArena(const std::vector<Lifetime> &lifetimes,
                    int64_t alignment) {
  ArenaPlan plan;
  plan.offsets.assign(lifetimes.size(), 0);
  std::vector<size_t> order(lifetimes.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return lifetimes[a].size > lifetimes[b].size;
  });
  std::vector<size_t> placed;
  for (size_t i : order) {
    const Lifetime &mine = lifetimes[i];
    int64_t size = alignUp(std::max<int64_t>(mine.size, 1), alignment);
    plan.sumOfSizes += size;
    // Blocks already placed whose lifetimes overlap, by offset.
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (size_t j : placed) {
      const Lifetime &other = lifetimes[j];
      if (other.first <= mine.last && mine.first <= other.last)
        busy.push_back({plan.offsets[j],
                        alignUp(std::max<int64_t>(other.size, 1), alignment)});
    }
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0;
    for (auto [start, length] : busy) {
      if (offset + size <= start)
        break;
      offset = std::max(offset, start + length);
    }
    plan.offsets[i] = offset;
    plan.arenaSize = std::max(plan.arenaSize, offset + size);
    placed.push_back(i);
  }
  return plan;
}

} // namespace mlir::autoglm
