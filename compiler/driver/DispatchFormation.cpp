//===- DispatchFormation.cpp - entry points into outlined kernels --------===//

#include "compiler/driver/DispatchFormation.h"
#include "compiler/codegen/cpu/LoweringUtils.h"

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::autoglm {

/// Constants cheap enough to rebuild inside every kernel that uses them.
static bool isInlinable(ConstantOp constant, int64_t limit) {
  ElementsAttr value = constant.getValue();
  // 4-bit weights are stored packed, which kernel-local globals are not.
  if (value.getElementType().isInteger(4))
    return false;
  return isa<DenseElementsAttr>(value) &&
         (cast<DenseElementsAttr>(value).isSplat() ||
          value.getNumElements() <= limit);
}

/// A kernel name for an ag.fusion group: its distinct compute ops (views
/// left out), e.g. "matmul_add_gelu".
static std::string describeGroup(ArrayRef<Operation *> ops) {
  SmallVector<StringRef> names;
  for (Operation *op : ops) {
    if (isa<ReshapeOp, TransposeOp, SliceOp>(op))
      continue;
    StringRef name = op->getName().stripDialect();
    if (!llvm::is_contained(names, name))
      names.push_back(name);
  }
  std::string text;
  for (StringRef name : ArrayRef(names).take_front(4))
    text += (text.empty() ? "" : "_") + name.str();
  return text.empty() ? "fusion" : text;
}

/// Forms the dispatches of one entry function; `counter` numbers kernels
/// across entries so that their names are unique in the module.
static FailureOr<HostProgram> formEntryDispatches(ModuleOp module,
                                                  func::FuncOp main,
                                                  int64_t inlineConstantLimit,
                                                  unsigned &counter) {
  if (main.getBody().getBlocks().size() != 1)
    return main.emitError("expected an entry function with one block");
  HostProgram program;
  program.name = main.getSymName().str();
  std::string prefix = program.name == "main" ? "" : program.name + "_";
  llvm::DenseMap<Value, unsigned> valueIds;
  auto addValue = [&](Value value, HostValue::Kind kind, unsigned index) {
    program.values.push_back(
        {kind, cast<RankedTensorType>(value.getType()), index});
    return valueIds[value] = program.values.size() - 1;
  };

  Block &body = main.getBody().front();
  llvm::StringMap<unsigned> stateValues;
  for (BlockArgument arg : body.getArguments()) {
    unsigned number = arg.getArgNumber();
    if (auto state = main.getArgAttrOfType<StringAttr>(number, "ag.state")) {
      if (stateValues.count(state))
        return main.emitError("two arguments carry ag.state '")
               << state.getValue() << "'";
      program.stateNames.push_back(state.str());
      stateValues[state] = addValue(arg, HostValue::Kind::State,
                                    program.stateNames.size() - 1);
      continue;
    }
    program.inputs.push_back(
        addValue(arg, HostValue::Kind::Input, program.inputs.size()));
    auto name = main.getArgAttrOfType<StringAttr>(number, "ag.name");
    program.inputNames.push_back(
        name ? name.str() : "input" + std::to_string(number));
  }

  OpBuilder builder(module.getContext());
  builder.setInsertionPoint(main);
  // A kernel's name: unique across entries, prefixed by the entry's.
  auto kernelName = [&](StringRef what) {
    return prefix + "dispatch_" + std::to_string(counter++) + "_" + what.str();
  };
  // The program value a kernel operand is; a constant met for the first
  // time becomes a weight.
  auto operandId = [&](Value v, Operation *user) -> FailureOr<unsigned> {
    if (!valueIds.count(v)) {
      auto constant = v.getDefiningOp<ConstantOp>();
      if (!constant)
        return user->emitError("operand defined outside @") << program.name;
      program.weights.push_back(constant.getValue());
      addValue(v, HostValue::Kind::Weight, program.weights.size() - 1);
    }
    return valueIds[v];
  };
  // Outlines `ops` (in order) into one kernel returning `yields`, the values
  // the rest of the program knows as `results` (the same values unless the
  // ops come from an ag.fusion group).
  auto outline = [&](ArrayRef<Operation *> ops, StringRef what,
                     ArrayRef<Value> yields,
                     ArrayRef<Value> results) -> LogicalResult {
    SetVector<Value> operands;
    for (Operation *op : ops)
      for (Value operand : op->getOperands()) {
        Operation *def = operand.getDefiningOp();
        auto constant = dyn_cast_or_null<ConstantOp>(def);
        if (constant && isInlinable(constant, inlineConstantLimit))
          continue;
        if (!llvm::is_contained(ops, def))
          operands.insert(operand);
      }
    SmallVector<Type> argTypes, resultTypes;
    for (Value v : operands)
      argTypes.push_back(v.getType());
    for (Value v : results)
      resultTypes.push_back(v.getType());
    std::string name = kernelName(what);
    auto kernel = func::FuncOp::create(builder, ops.front()->getLoc(), name,
                                       builder.getFunctionType(argTypes,
                                                               resultTypes));
    OpBuilder inner = OpBuilder::atBlockBegin(kernel.addEntryBlock());
    IRMapping mapping;
    for (auto [i, v] : llvm::enumerate(operands))
      mapping.map(v, kernel.getArgument(i));
    for (Operation *op : ops) {
      for (Value operand : op->getOperands())
        if (!mapping.contains(operand))
          if (auto constant = operand.getDefiningOp<ConstantOp>())
            mapping.map(operand, inner.clone(*constant)->getResult(0));
      inner.clone(*op, mapping);
    }
    SmallVector<Value> yielded;
    for (Value v : yields)
      yielded.push_back(mapping.lookupOrDefault(v));
    func::ReturnOp::create(inner, ops.front()->getLoc(), yielded);

    HostDispatch dispatch;
    dispatch.kernel = name;
    for (Value v : operands) {
      FailureOr<unsigned> id = operandId(v, ops.front());
      if (failed(id))
        return failure();
      dispatch.operands.push_back(*id);
    }
    for (Value v : results)
      dispatch.results.push_back(
          addValue(v, HostValue::Kind::Intermediate, 0));
    program.dispatches.push_back(std::move(dispatch));
    return success();
  };

  // The in-place kernel of a cache write: the cache is a memref argument
  // (the state buffer) and only positions [p, p + S) are written, p clamped
  // so that a bad position cannot write outside the cache.
  auto outlineCacheWrite = [&](KVCacheWriteOp write) -> LogicalResult {
    Location loc = write.getLoc();
    auto updateType = cast<RankedTensorType>(write.getUpdate().getType());
    auto cacheType = cast<RankedTensorType>(write.getCache().getType());
    auto memrefType =
        MemRefType::get(cacheType.getShape(), cacheType.getElementType());
    Value position = write.getPosition();
    // Constant operands (this kernel inlines none) are weights.
    FailureOr<unsigned> updateId = operandId(write.getUpdate(), write);
    FailureOr<unsigned> positionId = operandId(position, write);
    if (failed(updateId) || failed(positionId))
      return failure();
    std::string name = kernelName("kv_cache_write");
    auto kernel = func::FuncOp::create(
        builder, loc, name,
        builder.getFunctionType(
            {updateType, position.getType(), memrefType}, {}));
    Block *entry = kernel.addEntryBlock();
    OpBuilder b = OpBuilder::atBlockBegin(entry);
    SmallVector<OpFoldResult> offsets, sizes, strides;
    getCacheWriteWindow(b, loc, entry->getArgument(1), updateType, cacheType,
                        offsets, sizes, strides);
    Value window = memref::SubViewOp::create(b, loc, entry->getArgument(2),
                                             offsets, sizes, strides);
    bufferization::MaterializeInDestinationOp::create(
        b, loc, Type(), entry->getArgument(0), window, /*restrict=*/true,
        /*writable=*/true);
    func::ReturnOp::create(b, loc);

    HostDispatch dispatch;
    dispatch.kernel = name;
    dispatch.operands = {*updateId, *positionId, valueIds[write.getCache()]};
    program.dispatches.push_back(std::move(dispatch));
    valueIds[write.getResult()] = valueIds[write.getCache()];
    return success();
  };

  auto returnOp = cast<func::ReturnOp>(body.getTerminator());
  for (Operation &op : body.without_terminator()) {
    if (isa<ConstantOp>(op))
      continue;
    if (auto fusion = dyn_cast<FusionOp>(op)) {
      SmallVector<Operation *> members;
      for (Operation &member : fusion.getBody().front().without_terminator())
        members.push_back(&member);
      auto yield = cast<YieldOp>(fusion.getBody().front().getTerminator());
      if (failed(outline(members, describeGroup(members),
                         llvm::to_vector(yield.getValues()),
                         SmallVector<Value>(fusion.getResults()))))
        return failure();
      continue;
    }
    if (op.getNumRegions() != 0 || !op.getDialect() ||
        !isa<AutoGLMDialect>(op.getDialect()))
      return op.emitError("cannot form a dispatch from '")
             << op.getName() << "' (only ag ops are compiled)";
    // A cache write into persistent state, which nothing else reads, updates
    // the state in place: its result is the state's buffer.
    if (auto write = dyn_cast<KVCacheWriteOp>(op);
        write && valueIds.count(write.getCache()) &&
        program.values[valueIds[write.getCache()]].kind ==
            HostValue::Kind::State &&
        write.getCache().hasOneUse()) {
      if (failed(outlineCacheWrite(write)))
        return failure();
      continue;
    }
    // A reshape is the same bytes under another shape (kernels take bare
    // pointers): its result is its operand's buffer, no copy kernel.
    if (auto reshape = dyn_cast<ReshapeOp>(op);
        reshape && valueIds.count(reshape.getInput())) {
      valueIds[reshape.getResult()] = valueIds[reshape.getInput()];
      continue;
    }
    SmallVector<Value> results(op.getResults());
    // Empty results need no kernel: nothing is computed or stored.
    if (llvm::all_of(results, [](Value v) {
          return cast<RankedTensorType>(v.getType()).getNumElements() == 0;
        })) {
      for (Value v : results)
        addValue(v, HostValue::Kind::Intermediate, 0);
      continue;
    }
    if (failed(outline({&op}, op.getName().stripDialect(), results, results)))
      return failure();
  }

  // Every output is written by exactly one kernel: inputs, weights,
  // repeated values and reshaped views are copied (by a copy kernel).
  llvm::DenseSet<unsigned> written;
  for (auto [i, result] : llvm::enumerate(returnOp.getOperands())) {
    // Updated state must be the state's own buffer (written in place).
    if (auto state = main.getResultAttrOfType<StringAttr>(i, "ag.state")) {
      if (!stateValues.count(state))
        return main.emitError("result ")
               << i << " carries ag.state '" << state.getValue()
               << "' but no argument does";
      if (!valueIds.count(result) ||
          valueIds[result] != stateValues[state])
        return main.emitError("state '")
               << state.getValue()
               << "' must be returned as updated in place by "
                  "ag.kv_cache_write (its only reader)";
      continue;
    }
    auto name = main.getResultAttrOfType<StringAttr>(i, "ag.name");
    program.outputNames.push_back(name ? name.str()
                                       : "output" + std::to_string(i));
    // Outputs that are inputs, weights, repeated, or a reshape's view of
    // another value (its buffer has the other shape) get a copy kernel.
    bool needsCopy = !valueIds.count(result) ||
                     program.values[valueIds[result]].kind !=
                         HostValue::Kind::Intermediate ||
                     program.values[valueIds[result]].type !=
                         result.getType() ||
                     written.contains(valueIds[result]);
    if (!needsCopy) {
      written.insert(valueIds[result]);
      program.outputs.push_back(valueIds[result]);
      continue;
    }
    // An empty output needs no kernel to write it.
    if (cast<RankedTensorType>(result.getType()).getNumElements() == 0) {
      unsigned id = addValue(result, HostValue::Kind::Intermediate, 0);
      program.outputs.push_back(id);
      written.insert(id);
      continue;
    }
    // A copy: ag.reshape to the same type folds away, so use a kernel of
    // its own that returns its argument through an explicit copy later
    // materialized by bufferization.
    OpBuilder at(returnOp);
    auto copy = ReshapeOp::create(at, returnOp.getLoc(), result.getType(),
                                  result);
    if (failed(outline({copy}, "copy", {copy.getResult()}, {copy.getResult()})))
      return failure();
    program.outputs.push_back(valueIds[copy.getResult()]);
    written.insert(valueIds[copy.getResult()]);
  }
  main.erase();
  return program;
}

FailureOr<std::vector<HostProgram>>
formDispatches(ModuleOp module, int64_t inlineConstantLimit) {
  SmallVector<func::FuncOp> entries;
  for (auto function : module.getOps<func::FuncOp>())
    if (function.isPublic() && !function.isDeclaration())
      entries.push_back(function);
  if (entries.empty())
    return module.emitError("expected an entry function (func.func @main, or "
                            "@prefill and @decode)");
  // Cache-write kernels are built directly in these dialects.
  module.getContext()
      ->loadDialect<arith::ArithDialect, bufferization::BufferizationDialect,
                    memref::MemRefDialect, tensor::TensorDialect>();
  std::vector<HostProgram> programs;
  unsigned counter = 0;
  for (func::FuncOp entry : entries) {
    FailureOr<HostProgram> program =
        formEntryDispatches(module, entry, inlineConstantLimit, counter);
    if (failed(program))
      return failure();
    programs.push_back(std::move(*program));
  }
  return programs;
}

} // namespace mlir::autoglm
