//===- PassStatistics.h - pass statistics on a release libMLIR --*- C++ -*-===//
//
// `mlir::Pass::Statistic` derives from `llvm::Statistic`, which is
// `llvm::NoopStatistic` when LLVM is built with NDEBUG and without
// LLVM_ENABLE_STATS, as Debian's libMLIR is: every increment is dropped and
// PassStatistics.cpp in libMLIR compiles its printers out, so
// `--mlir-pass-statistics` prints an empty report. Compiling our own TUs with
// LLVM_FORCE_ENABLE_STATS does not help: the object layout then disagrees
// with the prebuilt `Pass::Statistic` constructor (an ODR violation), and the
// printer in libMLIR still reads nothing.
//
// So AutoGLM counts on its own: the build rewrites the `::mlir::Pass::Statistic`
// members that mlir-tblgen generates from `statistics = [...]` in a Passes.td
// into `::mlir::autoglm::PassStatistic` (cmake/AutoGLMPassTablegen.cmake), a
// drop-in counter that registers itself with its pass. A
// PassStatisticsCollector, attached to a pass manager as an instrumentation,
// reads the counters after each pass and prints MLIR's report format
// (`--mlir-pass-statistics`, `--mlir-pass-statistics-display=list|pipeline`)
// in autoglm-opt and autoglm-compile.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_PASSES_PASSSTATISTICS_H
#define AUTOGLM_PASSES_PASSSTATISTICS_H

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassInstrumentation.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/raw_ostream.h"

#include <atomic>
#include <cstdint>
#include <memory>

namespace mlir::autoglm {

/// A pass statistic that counts in every build. Declared by the generated
/// pass base classes in place of `mlir::Pass::Statistic`, with the same
/// constructor and operators, so pass code reads the same either way.
class PassStatistic {
public:
  PassStatistic(Pass *owner, const char *name, const char *description);
  ~PassStatistic();
  PassStatistic(const PassStatistic &) = delete;
  PassStatistic &operator=(const PassStatistic &) = delete;

  const char *getName() const { return name; }
  const char *getDesc() const { return description; }
  uint64_t getValue() const { return value.load(std::memory_order_relaxed); }
  operator uint64_t() const { return getValue(); }

  PassStatistic &operator=(uint64_t newValue) {
    value.store(newValue, std::memory_order_relaxed);
    return *this;
  }
  PassStatistic &operator++() {
    value.fetch_add(1, std::memory_order_relaxed);
    return *this;
  }
  uint64_t operator++(int) {
    return value.fetch_add(1, std::memory_order_relaxed);
  }
  PassStatistic &operator--() {
    value.fetch_sub(1, std::memory_order_relaxed);
    return *this;
  }
  uint64_t operator--(int) {
    return value.fetch_sub(1, std::memory_order_relaxed);
  }
  PassStatistic &operator+=(uint64_t delta) {
    value.fetch_add(delta, std::memory_order_relaxed);
    return *this;
  }
  PassStatistic &operator-=(uint64_t delta) {
    value.fetch_sub(delta, std::memory_order_relaxed);
    return *this;
  }
  void updateMax(uint64_t candidate) {
    uint64_t previous = getValue();
    while (candidate > previous &&
           !value.compare_exchange_weak(previous, candidate,
                                        std::memory_order_relaxed)) {
    }
  }

private:
  const Pass *owner;
  const char *name;
  const char *description;
  std::atomic<uint64_t> value{0};
};

/// The statistics `pass` declares, in declaration order (empty for passes
/// without any, and for upstream passes, whose counters are no-ops here).
llvm::SmallVector<const PassStatistic *> getPassStatistics(const Pass *pass);

/// Attaches to `pm` an instrumentation that prints the statistics report to
/// stderr when `pm` is destroyed (how autoglm-opt reports: MlirOptMain owns
/// its pass manager).
void attachPassStatisticsReport(PassManager &pm, PassDisplayMode mode);

/// Gathers the statistics of every pass run by the pass managers it is
/// attached to (any number, one after another) and prints them in the format
/// of MLIR's `--mlir-pass-statistics` report. Threading clones of a pass add
/// up into their original, as in MLIR.
class PassStatisticsCollector {
public:
  PassStatisticsCollector();
  ~PassStatisticsCollector();

  /// Adds an instrumentation that records into this collector to `pm`; the
  /// collector must outlive `pm`'s runs.
  void attach(PassManager &pm);

  /// Prints the report: `Pipeline` mirrors the pass manager nesting,
  /// `List` merges the passes of one name and sorts them.
  void print(llvm::raw_ostream &os, PassDisplayMode mode) const;

  /// The statistic `name` of the passes named `passName` summed (0 if none
  /// ran); for tests and the driver's summaries.
  uint64_t getTotal(llvm::StringRef passName, llvm::StringRef name) const;

  struct Impl;

private:
  friend void attachPassStatisticsReport(PassManager &pm,
                                         PassDisplayMode mode);
  std::shared_ptr<Impl> impl;
};


} // namespace mlir::autoglm

#endif // AUTOGLM_PASSES_PASSSTATISTICS_H
