//===- DispatchFormation.h - entry points into outlined kernels -*- C++ -*-===//
//
// A dispatch is the unit of code generation and launch (DESIGN.md §1.3).
// Formation outlines every compute op (or ag.fusion group) of each entry
// function (`@main` for ONNX models; `@prefill` and `@decode` for LLMs) into
// its own kernel function (tensor in, tensor out) and records, in one
// HostProgram per entry, which values each dispatch reads and writes.
//
// Persistent state (an LLM's KV cache) is an entry argument and result
// carrying `ag.state = "name"`: the runtime keeps it between calls, and an
// `ag.kv_cache_write` into it becomes a kernel that writes only the new
// positions, in place.
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
  enum class Kind { Input, Weight, Intermediate, State } kind;
  RankedTensorType type;
  /// Input: input index. Weight: index into HostProgram::weights. State:
  /// index into HostProgram::stateNames.
  unsigned index = 0;
};

struct HostDispatch {
  std::string kernel;               ///< symbol of the outlined function
  std::vector<unsigned> operands;   ///< HostProgram::values indices
  std::vector<unsigned> results;    ///< HostProgram::values indices
};

/// The host side of one entry point: values and the dispatch sequence.
struct HostProgram {
  std::string name;                 ///< the entry point's (function's) name
  std::vector<HostValue> values;
  std::vector<HostDispatch> dispatches;
  /// Constants bound as weights (large or resource-backed).
  std::vector<ElementsAttr> weights;
  std::vector<unsigned> inputs;     ///< values of the entry's arguments
  std::vector<unsigned> outputs;    ///< values returned, in order
  std::vector<std::string> inputNames, outputNames;
  /// Persistent state the entry reads and updates, by `ag.state` name;
  /// entries of one artifact share a state of the same name.
  std::vector<std::string> stateNames;
};

/// Outlines each op of every entry function of `module` (its public
/// func.func ops with a body: @main, or @prefill and @decode) into kernel
/// functions added to `module` (named dispatch_<n>_<op>, prefixed by the
/// entry's name when it is not main), erases the entry functions and
/// returns one host program per entry, in module order. Constants with at most
/// `inlineConstantLimit` elements that are not resource blobs are cloned
/// into the kernels that use them; the others become weights. Outputs that
/// are inputs, weights or repeated get a copy dispatch so every output is
/// written by exactly one kernel.
FailureOr<std::vector<HostProgram>>
formDispatches(ModuleOp module, int64_t inlineConstantLimit = 64);

} // namespace mlir::autoglm

#endif // AUTOGLM_COMPILER_DRIVER_DISPATCHFORMATION_H
