//===- PassStatistics.cpp - pass statistics on a release libMLIR ----------===//
//
// PassStatistic registers itself in a process-wide table keyed by its pass;
// the collector's instrumentation reads that table after every pass run and
// remembers where in the pass manager nesting each pass sits, so the report
// matches the one MLIR prints in builds with LLVM_ENABLE_STATS.
//
//===----------------------------------------------------------------------===//

#include "passes/PassStatistics.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/Threading.h"

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::autoglm;

//===----------------------------------------------------------------------===//
// PassStatistic
//===----------------------------------------------------------------------===//

namespace {
/// Every live PassStatistic, by owning pass. Leaked on purpose: passes held
/// by static objects may be destroyed after function-local statics.
struct StatisticRegistry {
  std::mutex mutex;
  llvm::DenseMap<const Pass *, llvm::SmallVector<PassStatistic *, 4>> byPass;
};
StatisticRegistry &statisticRegistry() {
  static auto *registry = new StatisticRegistry;
  return *registry;
}
} // namespace

PassStatistic::PassStatistic(Pass *owner, const char *name,
                             const char *description)
    : owner(owner), name(name), description(description) {
  StatisticRegistry &registry = statisticRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  registry.byPass[owner].push_back(this);
}

PassStatistic::~PassStatistic() {
  StatisticRegistry &registry = statisticRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  auto it = registry.byPass.find(owner);
  if (it == registry.byPass.end())
    return;
  llvm::erase(it->second, this);
  if (it->second.empty())
    registry.byPass.erase(it);
}

llvm::SmallVector<const PassStatistic *>
mlir::autoglm::getPassStatistics(const Pass *pass) {
  StatisticRegistry &registry = statisticRegistry();
  std::lock_guard<std::mutex> lock(registry.mutex);
  llvm::SmallVector<const PassStatistic *> result;
  auto it = registry.byPass.find(pass);
  if (it != registry.byPass.end())
    result.append(it->second.begin(), it->second.end());
  return result;
}

//===----------------------------------------------------------------------===//
// PassStatisticsCollector
//===----------------------------------------------------------------------===//

namespace {
/// One statistic's line in the report.
struct StatisticLine {
  const char *name;
  const char *description;
  uint64_t value;
};

/// A pass as the user scheduled it (threading clones fold into it).
struct PassNode {
  std::string name;
  /// Index of the pass whose nested pipeline runs this one; -1 at top level.
  int parent = -1;
  /// Anchor op of that nested pipeline ('func.func', 'any', ...).
  std::string parentAnchor;
  /// Anchors of the pipelines this pass runs (adaptors, dynamic pipelines).
  llvm::SmallVector<std::string, 1> anchors;
  bool isAdaptor = false;
  llvm::SmallVector<std::pair<const char *, const char *>> statistics;
};

/// The clone a pass manager runs leads back to the pass the user added.
const Pass *originalPass(const Pass *pass) {
  while (const Pass *sibling = pass->getThreadingSibling())
    pass = sibling;
  return pass;
}

/// MLIR's pass adaptor (one per `op(...)` nesting) is a private class; its
/// name (llvm::getTypeName) is the only public mark.
bool isAdaptor(const Pass *pass) {
  return pass->getName().ends_with("OpToOpPassAdaptor");
}
} // namespace

struct PassStatisticsCollector::Impl {
  std::mutex mutex;
  std::vector<PassNode> nodes;
  /// (instrumentation, original pass) -> node; the instrumentation id keeps
  /// passes of a destroyed pass manager apart from new ones at its address.
  std::map<std::pair<unsigned, const Pass *>, unsigned> nodeOf;
  /// (instrumentation, pass instance) -> its node and last counter values.
  std::map<std::pair<unsigned, const Pass *>,
           std::pair<unsigned, llvm::SmallVector<uint64_t>>>
      instances;
  unsigned nextInstrumentation = 0;

  unsigned getOrCreateNode(unsigned id, const Pass *pass, int parent,
                           StringRef anchor) {
    const Pass *original = originalPass(pass);
    auto [it, inserted] = nodeOf.try_emplace({id, original}, nodes.size());
    if (inserted) {
      PassNode node;
      node.name = pass->getName().str();
      node.parent = parent;
      node.parentAnchor = anchor.str();
      node.isAdaptor = isAdaptor(pass);
      for (const PassStatistic *statistic : getPassStatistics(pass))
        node.statistics.push_back(
            {statistic->getName(), statistic->getDesc()});
      nodes.push_back(std::move(node));
    }
    return it->second;
  }

  /// Every node's counters summed over its instances.
  std::vector<llvm::SmallVector<StatisticLine>> totals() const {
    std::vector<llvm::SmallVector<StatisticLine>> result(nodes.size());
    for (auto [index, node] : llvm::enumerate(nodes))
      for (auto [name, description] : node.statistics)
        result[index].push_back({name, description, 0});
    for (const auto &entry : instances) {
      const auto &[node, values] = entry.second;
      for (auto [line, value] : llvm::zip(result[node], values))
        line.value += value;
    }
    return result;
  }
};

namespace {
/// Records pass runs into a collector; optionally prints the report when
/// its pass manager destroys it.
class StatisticsInstrumentation : public PassInstrumentation {
public:
  StatisticsInstrumentation(
      std::shared_ptr<PassStatisticsCollector::Impl> impl,
      std::shared_ptr<PassStatisticsCollector> owner,
      std::optional<PassDisplayMode> printMode)
      : impl(std::move(impl)), owner(std::move(owner)), printMode(printMode) {
    std::lock_guard<std::mutex> lock(this->impl->mutex);
    id = this->impl->nextInstrumentation++;
  }

  ~StatisticsInstrumentation() override {
    if (owner && printMode)
      owner->print(llvm::errs(), *printMode);
  }

  void runBeforePipeline(std::optional<OperationName> name,
                         const PipelineParentInfo &parentInfo) override {
    std::string anchor = name ? name->getStringRef().str() : "any";
    std::lock_guard<std::mutex> lock(impl->mutex);
    stacks[llvm::get_threadid()].push_back({parentInfo.parentPass, anchor});
    if (!parentInfo.parentPass)
      return;
    auto it = impl->nodeOf.find({id, originalPass(parentInfo.parentPass)});
    if (it == impl->nodeOf.end())
      return;
    PassNode &parent = impl->nodes[it->second];
    if (!llvm::is_contained(parent.anchors, anchor))
      parent.anchors.push_back(anchor);
  }

  void runAfterPipeline(std::optional<OperationName>,
                        const PipelineParentInfo &) override {
    std::lock_guard<std::mutex> lock(impl->mutex);
    auto &stack = stacks[llvm::get_threadid()];
    if (!stack.empty())
      stack.pop_back();
  }

  void runBeforePass(Pass *pass, Operation *) override {
    std::lock_guard<std::mutex> lock(impl->mutex);
    int parent = -1;
    std::string anchor;
    auto &stack = stacks[llvm::get_threadid()];
    if (!stack.empty() && stack.back().first) {
      auto it = impl->nodeOf.find({id, originalPass(stack.back().first)});
      if (it != impl->nodeOf.end()) {
        parent = it->second;
        anchor = stack.back().second;
      }
    }
    unsigned node = impl->getOrCreateNode(id, pass, parent, anchor);
    impl->instances.try_emplace({id, pass}, node,
                                llvm::SmallVector<uint64_t>());
  }

  void runAfterPass(Pass *pass, Operation *) override { snapshot(pass); }
  void runAfterPassFailed(Pass *pass, Operation *) override {
    snapshot(pass);
  }

private:
  /// Counters only grow over an instance's runs: keep the latest values.
  void snapshot(Pass *pass) {
    llvm::SmallVector<uint64_t> values;
    for (const PassStatistic *statistic : getPassStatistics(pass))
      values.push_back(statistic->getValue());
    std::lock_guard<std::mutex> lock(impl->mutex);
    auto it = impl->instances.find({id, pass});
    if (it != impl->instances.end())
      it->second.second = std::move(values);
  }

  std::shared_ptr<PassStatisticsCollector::Impl> impl;
  /// Set when this instrumentation prints the report itself.
  std::shared_ptr<PassStatisticsCollector> owner;
  std::optional<PassDisplayMode> printMode;
  unsigned id = 0;
  /// Per thread, the nested pipelines being run: (parent pass, anchor).
  llvm::DenseMap<uint64_t,
                 llvm::SmallVector<std::pair<const Pass *, std::string>>>
      stacks;
};

/// One pass and its statistics, laid out as MLIR's PassStatistics.cpp does.
void printPassEntry(llvm::raw_ostream &os, unsigned indent, StringRef pass,
                    llvm::SmallVector<StatisticLine> statistics = {}) {
  os.indent(indent) << pass << "\n";
  if (statistics.empty())
    return;
  llvm::sort(statistics, [](const StatisticLine &lhs, const StatisticLine &rhs) {
    return StringRef(lhs.name) < StringRef(rhs.name);
  });
  size_t nameWidth = 0, valueWidth = 0;
  for (const StatisticLine &line : statistics) {
    nameWidth = std::max(nameWidth, StringRef(line.name).size());
    valueWidth = std::max(valueWidth, llvm::utostr(line.value).size());
  }
  for (const StatisticLine &line : statistics)
    os.indent(indent + 2) << llvm::format(
        "(S) %*llu %-*s - %s\n", static_cast<int>(valueWidth),
        static_cast<unsigned long long>(line.value),
        static_cast<int>(nameWidth), line.name, line.description);
}
} // namespace

PassStatisticsCollector::PassStatisticsCollector()
    : impl(std::make_shared<Impl>()) {}

PassStatisticsCollector::~PassStatisticsCollector() = default;

void PassStatisticsCollector::attach(PassManager &pm) {
  pm.addInstrumentation(std::make_unique<StatisticsInstrumentation>(
      impl, /*owner=*/nullptr, std::nullopt));
}

void mlir::autoglm::attachPassStatisticsReport(PassManager &pm,
                                               PassDisplayMode mode) {
  auto collector = std::make_shared<PassStatisticsCollector>();
  // The instrumentation keeps the collector alive and prints it last.
  pm.addInstrumentation(std::make_unique<StatisticsInstrumentation>(
      collector->impl, collector, mode));
}

void PassStatisticsCollector::print(llvm::raw_ostream &os,
                                    PassDisplayMode mode) const {
  std::lock_guard<std::mutex> lock(impl->mutex);
  constexpr StringLiteral kTitle = "... Pass statistics report ...";
  os << "===" << std::string(73, '-') << "===\n";
  os.indent((80 - kTitle.size()) / 2) << kTitle << "\n";
  os << "===" << std::string(73, '-') << "===\n";

  std::vector<llvm::SmallVector<StatisticLine>> totals = impl->totals();
  const std::vector<PassNode> &nodes = impl->nodes;
  if (mode == PassDisplayMode::List) {
    // Passes of one name merge; only passes with statistics are listed.
    llvm::StringMap<llvm::SmallVector<StatisticLine>> merged;
    for (auto [index, node] : llvm::enumerate(nodes)) {
      if (node.isAdaptor || totals[index].empty())
        continue;
      auto [it, inserted] = merged.try_emplace(node.name, totals[index]);
      if (!inserted)
        for (auto [into, from] : llvm::zip(it->second, totals[index]))
          into.value += from.value;
    }
    llvm::SmallVector<StringRef> names;
    for (auto &entry : merged)
      names.push_back(entry.getKey());
    llvm::sort(names);
    for (StringRef name : names)
      printPassEntry(os, /*indent=*/2, name, merged[name]);
  } else {
    std::function<void(unsigned, unsigned)> printNode = [&](unsigned index,
                                                            unsigned indent) {
      const PassNode &node = nodes[index];
      if (!node.isAdaptor) {
        printPassEntry(os, indent, node.name, totals[index]);
        indent += 2;
      } else if (node.anchors.size() > 1) {
        std::string collection = "Pipeline Collection : [";
        for (auto [i, anchor] : llvm::enumerate(node.anchors))
          collection += (i ? ", '" : "'") + anchor + "'";
        printPassEntry(os, indent, collection + "]");
        indent += 2;
      }
      for (const std::string &anchor : node.anchors) {
        printPassEntry(os, indent, "'" + anchor + "' Pipeline");
        for (auto [child, childNode] : llvm::enumerate(nodes))
          if (childNode.parent == static_cast<int>(index) &&
              childNode.parentAnchor == anchor)
            printNode(child, indent + 2);
      }
    };
    for (auto [index, node] : llvm::enumerate(nodes))
      if (node.parent < 0)
        printNode(index, /*indent=*/0);
  }
  os << "\n";
  os.flush();
}

uint64_t PassStatisticsCollector::getTotal(StringRef passName,
                                           StringRef name) const {
  std::lock_guard<std::mutex> lock(impl->mutex);
  std::vector<llvm::SmallVector<StatisticLine>> totals = impl->totals();
  uint64_t total = 0;
  for (auto [index, node] : llvm::enumerate(impl->nodes))
    if (node.name == passName)
      for (const StatisticLine &line : totals[index])
        if (name == line.name)
          total += line.value;
  return total;
}
