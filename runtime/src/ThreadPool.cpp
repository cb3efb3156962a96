//===- ThreadPool.cpp - the CPU executor's workers ------------------------===//

#include "ThreadPool.h"

#include <system_error>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
static inline void cpuRelax() { _mm_pause(); }
#else
static inline void cpuRelax() {}
#endif

namespace agm {

/// Pause iterations a thread spins before it blocks (tens of microseconds).
static constexpr int kSpinIterations = 4000;

void ThreadPool::chunk(uint64_t count, uint64_t chunks, uint64_t i,
                       uint64_t &begin, uint64_t &end) {
  uint64_t base = count / chunks, extra = count % chunks;
  begin = i * base + (i < extra ? i : extra);
  end = begin + base + (i < extra ? 1 : 0);
}

bool ThreadPool::start(int threads, std::string &error) {
  try {
    for (int i = 1; i < threads; ++i) {
      workers_.push_back(std::make_unique<Worker>());
      Worker *worker = workers_.back().get();
      size_t index = workers_.size() - 1;
      worker->thread =
          std::thread([this, worker, index] { workerLoop(*worker, index); });
    }
  } catch (const std::system_error &e) {
    if (!workers_.empty() && !workers_.back()->thread.joinable())
      workers_.pop_back();
    error = e.what();
    return false;
  }
  return true;
}

ThreadPool::~ThreadPool() {
  for (auto &worker : workers_) {
    {
      std::lock_guard<std::mutex> lock(worker->mutex);
      worker->stop = true;
    }
    worker->wake.notify_one();
  }
  for (auto &worker : workers_)
    if (worker->thread.joinable())
      worker->thread.join();
}

void ThreadPool::workerLoop(Worker &self, size_t index) {
  uint64_t seen = 0;
  for (;;) {
    // Spin, then sleep, until the generation moves.
    uint64_t generation = self.generation.load(std::memory_order_acquire);
    for (int i = 0; generation == seen && i < kSpinIterations; ++i) {
      cpuRelax();
      generation = self.generation.load(std::memory_order_acquire);
    }
    if (generation == seen) {
      std::unique_lock<std::mutex> lock(self.mutex);
      self.wake.wait(lock, [&] {
        return self.stop ||
               self.generation.load(std::memory_order_acquire) != seen;
      });
      if (self.stop)
        return;
      generation = self.generation.load(std::memory_order_acquire);
    }
    seen = generation;

    uint64_t begin, end;
    chunk(count_, chunks_, index + 1, begin, end);
    kernel_(bindings_, static_cast<int64_t>(begin), static_cast<int64_t>(end));
    if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::lock_guard<std::mutex> lock(doneMutex_);
      done_.notify_one();
    }
  }
}

void ThreadPool::run(KernelFn kernel, void **bindings, uint64_t count) {
  if (count == 0)
    return;
  uint64_t chunks = std::min<uint64_t>(count, workers_.size() + 1);
  if (chunks == 1) {
    kernel(bindings, 0, static_cast<int64_t>(count));
    return;
  }
  kernel_ = kernel;
  bindings_ = bindings;
  count_ = count;
  chunks_ = chunks;
  pending_.store(chunks - 1, std::memory_order_relaxed);
  for (uint64_t i = 0; i + 1 < chunks; ++i) {
    Worker &worker = *workers_[i];
    {
      // Under the mutex so a worker about to sleep cannot miss it.
      std::lock_guard<std::mutex> lock(worker.mutex);
      worker.generation.fetch_add(1, std::memory_order_release);
    }
    worker.wake.notify_one();
  }

  uint64_t begin, end;
  chunk(count, chunks, 0, begin, end);
  kernel(bindings, static_cast<int64_t>(begin), static_cast<int64_t>(end));

  for (int i = 0; i < kSpinIterations; ++i) {
    if (pending_.load(std::memory_order_acquire) == 0)
      return;
    cpuRelax();
  }
  std::unique_lock<std::mutex> lock(doneMutex_);
  done_.wait(lock, [&] { return pending_.load(std::memory_order_acquire) == 0; });
}

} // namespace agm
