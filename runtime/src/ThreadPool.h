//===- ThreadPool.h - the CPU executor's workers ----------------*- C++ -*-===//
//
// Created once per model with a fixed number of threads (the caller's thread
// counts as one). run() splits a dispatch's workgroups [0, count) into
// min(threads, count) contiguous chunks, runs the first on the calling
// thread and the rest on as many workers (the others are not woken), and
// returns once all are done. Workers spin briefly before sleeping so that
// back-to-back dispatches do not pay a futex wake-up each.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_RUNTIME_SRC_THREADPOOL_H
#define AUTOGLM_RUNTIME_SRC_THREADPOOL_H

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace agm {

/// void kernel(void **bindings, int64_t wg_begin, int64_t wg_end)
using KernelFn = void (*)(void **, int64_t, int64_t);

class ThreadPool {
public:
  ThreadPool() = default;
  ~ThreadPool();
  ThreadPool(const ThreadPool &) = delete;
  ThreadPool &operator=(const ThreadPool &) = delete;

  /// Starts `threads - 1` workers; false (with `error` set) when the system
  /// refuses a thread.
  bool start(int threads, std::string &error);
  int threads() const { return static_cast<int>(workers_.size()) + 1; }

  /// Runs kernel(bindings, begin, end) over [0, count). Not reentrant: one
  /// call at a time.
  void run(KernelFn kernel, void **bindings, uint64_t count);

  /// Chunk `i` of `chunks` over [0, count): [begin, end).
  static void chunk(uint64_t count, uint64_t chunks, uint64_t i,
                    uint64_t &begin, uint64_t &end);

private:
  struct alignas(64) Worker {
    std::thread thread;
    std::mutex mutex;
    std::condition_variable wake;
    std::atomic<uint64_t> generation{0};
    bool stop = false;
  };
  void workerLoop(Worker &self, size_t index);

  std::vector<std::unique_ptr<Worker>> workers_;
  // The current job (written before the workers' generation is bumped).
  KernelFn kernel_ = nullptr;
  void **bindings_ = nullptr;
  uint64_t count_ = 0;
  uint64_t chunks_ = 0;
  alignas(64) std::atomic<uint64_t> pending_{0};
  std::mutex doneMutex_;
  std::condition_variable done_;
};

} // namespace agm

#endif // AUTOGLM_RUNTIME_SRC_THREADPOOL_H
