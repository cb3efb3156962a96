//===- DispatchFormation.h - split @main into outlined kernels --*- C++ -*-===//
//
// A dispatch is the unit of code generation and launch (DESIGN.md §1.3).
// Formation outlines every compute op of `func.func @main` into its own
// kernel function `@dispatch_<n>` (tensor in, tensor out) and records, in a
// HostProgram, which values each dispatch reads and writes. Fusion (a later
// pass) will put several ops into one dispatch; the plan does not change.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_COMPILER_DRIVER_DISPATCHFORMATION_H
#define AUTOGLM_COMPILER_DRIVER_DISPATCHFORMATION_H

#include "mlir/IR/BuiltinOps.h"

#include <string>
#include <vector>

namespace mlir::autoglm {

/// Where a value of the host program lives.
struct HostValue {
  enum class Kind { Input, Weight, Intermediate } kind;
  RankedTensorType type;
  /// Input: argument index. Weight: index into HostProgram::weights.
  unsigned index = 0;
};

struct HostDispatch {
  std::string kernel;               ///< symbol of the outlined function
  std::vector<unsigned> operands;   ///< HostProgram::values indices
  std::vector<unsigned> results;    ///< HostProgram::values indices
};

/// The host side of one entry point: values and the dispatch sequence.
struct HostProgram {
  std::vector<HostValue> values;
  std::vector<HostDispatch> dispatches;
  /// Constants bound as weights (large or resource-backed).
  std::vector<ElementsAttr> weights;
  std::vector<unsigned> inputs;     ///< values of the entry's arguments
  std::vector<unsigned> outputs;    ///< values returned, in order
  std::vector<std::string> inputNames, outputNames;
};

/// Outlines each op of `@main` into a kernel function added to `module`
/// (named dispatch_<n>_<op>), replaces @main's body by nothing (it is no
/// longer needed) and returns the host program. Constants with at most
/// `inlineConstantLimit` elements that are not resource blobs are cloned
/// into the kernels that use them; the others become weights. Outputs that
/// are inputs, weights or repeated get a copy dispatch so every output is
/// written by exactly one kernel.
FailureOr<HostProgram> formDispatches(ModuleOp module,
                                      int64_t inlineConstantLimit = 64);

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_DRIVER_DISPATCHFORMATION_H
