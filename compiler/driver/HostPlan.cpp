//===- HostPlan.cpp - host plan and artifact from compiled dispatches ----===//

#include "compiler/driver/HostPlan.h"
#include "compiler/driver/MemoryPlanner.h"
#include "compiler/plan/ArtifactWriter.h"

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectResourceBlobManager.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"

#include <deque>
#include <map>

namespace mlir::autoglm {

/// The artifact's dtype for an element type (i1 is stored as one byte).
static agm_dtype dtypeOf(Type type) {
  if (type.isF32())
    return AGM_F32;
  if (type.isF16())
    return AGM_F16;
  if (type.isBF16())
    return AGM_BF16;
  if (type.isF64())
    return AGM_F64;
  auto intType = cast<IntegerType>(type);
  bool isUnsigned = intType.isUnsigned();
  switch (intType.getWidth()) {
  case 1:
    return AGM_BOOL;
  case 8:
    return isUnsigned ? AGM_U8 : AGM_I8;
  case 16:
    return isUnsigned ? AGM_U16 : AGM_I16;
  case 32:
    return isUnsigned ? AGM_U32 : AGM_I32;
  default:
    return isUnsigned ? AGM_U64 : AGM_I64;
  }
}

/// Bytes of a tensor as the kernels address it: i1 as one byte per element,
/// 4-bit integers (quantized weights) packed two per byte.
static int64_t byteSizeOf(RankedTensorType type) {
  Type element = type.getElementType();
  if (element.isInteger(4))
    return (type.getNumElements() + 1) / 2;
  int64_t bytes = element.isInteger(1)
                      ? 1
                      : (element.getIntOrFloatBitWidth() + 7) / 8;
  return type.getNumElements() * bytes;
}

/// The row-major bytes of a constant as the kernels read them (splats
/// expanded; i1 as one byte per element).
static std::vector<uint8_t> constantBytes(ElementsAttr value) {
  auto type = cast<RankedTensorType>(value.getType());
  std::vector<uint8_t> bytes(byteSizeOf(type));
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(value)) {
    ArrayRef<char> data = resource.getData();
    std::memcpy(bytes.data(), data.data(),
                std::min<size_t>(data.size(), bytes.size()));
    return bytes;
  }
  auto dense = cast<DenseElementsAttr>(value);
  if (type.getElementType().isInteger(4)) {
    // dense<> holds a byte per element; the artifact packs them (element
    // 2i in the low nibble of byte i), as ag-quantize's blobs already are.
    size_t i = 0;
    for (const APInt &v : dense.getValues<APInt>()) {
      bytes[i / 2] |= uint8_t((v.getZExtValue() & 0xF) << (i % 2 ? 4 : 0));
      ++i;
    }
    return bytes;
  }
  if (type.getElementType().isInteger(1)) {
    size_t i = 0;
    for (bool b : dense.getValues<bool>())
      bytes[i++] = b;
    return bytes;
  }
  ArrayRef<char> raw = dense.getRawData();
  if (dense.isSplat()) {
    size_t each = raw.size();
    for (size_t offset = 0; offset + each <= bytes.size(); offset += each)
      std::memcpy(bytes.data() + offset, raw.data(), each);
    return bytes;
  }
  std::memcpy(bytes.data(), raw.data(), std::min(raw.size(), bytes.size()));
  return bytes;
}

static TensorSpec specOf(const HostValue &value, StringRef name,
                         uint32_t buffer) {
  TensorSpec spec;
  spec.name = name.str();
  spec.dtype = dtypeOf(value.type.getElementType());
  spec.dims.assign(value.type.getShape().begin(), value.type.getShape().end());
  spec.buffer = buffer;
  return spec;
}

/// Where the weights and states of every entry went in the artifact: both
/// are shared by the entries (a weight used by prefill and decode is stored
/// once; states of one name are one buffer).
struct SharedPlacement {
  llvm::DenseMap<Attribute, uint64_t> weightOffsets;
  /// Offsets and bytes by (size, xxh3 of the bytes): equal weights built
  /// separately for each entry (a transposed or quantized copy) are stored
  /// once (compared in full on a hash match).
  std::map<std::pair<uint64_t, uint64_t>,
           std::vector<std::pair<uint64_t, llvm::ArrayRef<uint8_t>>>>
      contentOffsets;
  /// Copies made for the writer (constantBytes) that contentOffsets refers to.
  std::deque<std::vector<uint8_t>> copies;
  /// By state name: offset and the type every entry must agree on.
  llvm::StringMap<std::pair<uint64_t, RankedTensorType>> states;
  uint64_t stateSize = 0;
};

/// The compiled code an entry's dispatches refer to: exactly one is set.
struct CompiledCode {
  const CpuObject *cpu = nullptr;
  const CudaObject *cuda = nullptr;
};

/// Adds one entry point: its buffers (intermediates, and on CUDA the
/// dispatches' temporaries, planned in an arena starting at 0: entries run
/// one at a time), dispatches and tensors. Returns the entry's arena size.
static llvm::Expected<uint64_t>
addEntry(ArtifactWriter &writer, const HostProgram &program,
         CompiledCode code, SharedPlacement &shared, const ArtifactInfo &info,
         llvm::raw_ostream &log) {
  size_t valueCount = program.values.size();

  // Intermediates: lifetime from the producing to the last reading dispatch.
  std::vector<int64_t> first(valueCount, -1), last(valueCount, -1);
  for (auto [d, dispatch] : llvm::enumerate(program.dispatches)) {
    for (unsigned v : dispatch.results)
      first[v] = last[v] = d;
    for (unsigned v : dispatch.operands)
      last[v] = std::max<int64_t>(last[v], d);
  }
  std::vector<int64_t> outputIndex(valueCount, -1);
  for (auto [i, v] : llvm::enumerate(program.outputs))
    outputIndex[v] = i;
  std::vector<Lifetime> lifetimes;
  std::vector<unsigned> arenaValues;
  for (unsigned v = 0; v < valueCount; ++v)
    if (program.values[v].kind == HostValue::Kind::Intermediate &&
        outputIndex[v] < 0) {
      lifetimes.push_back({byteSizeOf(program.values[v].type), first[v],
                           std::max(first[v], last[v])});
      arenaValues.push_back(v);
    }
  // CUDA temporaries: live while their dispatch runs.
  llvm::StringMap<const CudaDispatch *> cudaDispatches;
  if (code.cuda)
    for (const CudaDispatch &dispatch : code.cuda->dispatches)
      cudaDispatches[dispatch.name] = &dispatch;
  // Each temporary's index in `lifetimes`, in dispatch order.
  std::vector<size_t> temporaryLifetimes;
  for (auto [d, dispatch] : llvm::enumerate(program.dispatches)) {
    const CudaDispatch *compiled = cudaDispatches.lookup(dispatch.kernel);
    if (code.cuda && !compiled)
      return llvm::createStringError("internal error: no CUDA code for "
                                     "dispatch '" + dispatch.kernel + "'");
    if (compiled)
      for (int64_t bytes : compiled->temporaryBytes) {
        temporaryLifetimes.push_back(lifetimes.size());
        lifetimes.push_back({bytes, int64_t(d), int64_t(d)});
      }
  }
  ArenaPlan arena = planArena(lifetimes);

  // One buffer per value.
  std::vector<uint32_t> bufferOf(valueCount);
  std::vector<uint64_t> weightOffsets;
  for (ElementsAttr weight : program.weights) {
    auto [it, inserted] = shared.weightOffsets.try_emplace(weight, 0);
    if (inserted) {
      // Resource blobs (checkpoint weights, quantized weights) are written
      // from where they are, without a copy.
      auto resource = dyn_cast<DenseResourceElementsAttr>(weight);
      uint64_t size = byteSizeOf(cast<RankedTensorType>(weight.getType()));
      llvm::ArrayRef<uint8_t> bytes;
      bool referenced = resource && resource.getData().size() == size;
      if (referenced) {
        bytes = llvm::ArrayRef<uint8_t>(
            reinterpret_cast<const uint8_t *>(resource.getData().data()),
            size);
      } else {
        shared.copies.push_back(constantBytes(weight));
        bytes = shared.copies.back();
      }
      auto &candidates = shared.contentOffsets[std::make_pair(
          size, llvm::xxh3_64bits(bytes))];
      auto same = llvm::find_if(candidates, [&](const auto &candidate) {
        return candidate.second == bytes;
      });
      if (same != candidates.end()) {
        it->second = same->first;
        if (!referenced)
          shared.copies.pop_back();
      } else {
        it->second = referenced ? writer.addWeightReference(bytes)
                                : writer.addWeight(bytes);
        candidates.push_back({it->second, bytes});
      }
    }
    weightOffsets.push_back(it->second);
  }
  llvm::DenseMap<unsigned, int64_t> arenaOffset;
  for (auto [i, v] : llvm::enumerate(arenaValues))
    arenaOffset[v] = arena.offsets[i];
  for (unsigned v = 0; v < valueCount; ++v) {
    const HostValue &value = program.values[v];
    uint64_t size = byteSizeOf(value.type);
    switch (value.kind) {
    case HostValue::Kind::Input:
      bufferOf[v] = writer.addInputBuffer(value.index, size);
      break;
    case HostValue::Kind::Weight:
      bufferOf[v] = writer.addWeightBuffer(weightOffsets[value.index], size);
      break;
    case HostValue::Kind::State: {
      StringRef name = program.stateNames[value.index];
      auto [it, inserted] = shared.states.try_emplace(
          name, std::make_pair(shared.stateSize, value.type));
      if (inserted) {
        shared.stateSize += (size + 63) / 64 * 64;
      } else if (it->second.second != value.type) {
        std::string types;
        llvm::raw_string_ostream os(types);
        os << value.type << " in entry point '" << program.name << "' but "
           << it->second.second << " in another";
        return llvm::createStringError("state '" + name + "' is " + types);
      }
      bufferOf[v] = writer.addStateBuffer(it->second.first, size);
      break;
    }
    case HostValue::Kind::Intermediate:
      bufferOf[v] = outputIndex[v] >= 0
                        ? writer.addOutputBuffer(outputIndex[v], size)
                        : writer.addArenaBuffer(arenaOffset[v], size);
      break;
    }
  }

  // Dispatches: bindings are the kernel's operands, then its results
  // (bufferization appends results as out-parameters).
  llvm::StringMap<int64_t> workgroups;
  if (code.cpu)
    for (const KernelInfo &kernel : code.cpu->kernels)
      workgroups[kernel.symbol] = kernel.workgroupCount;
  uint32_t firstDispatch = writer.dispatchCount();
  size_t nextTemporary = 0;
  for (auto [d, dispatch] : llvm::enumerate(program.dispatches)) {
    std::vector<uint32_t> bindings;
    for (unsigned v : dispatch.operands)
      bindings.push_back(bufferOf[v]);
    for (unsigned v : dispatch.results)
      bindings.push_back(bufferOf[v]);
    if (code.cpu) {
      int64_t count = workgroups.lookup(dispatch.kernel);
      writer.addDispatch(dispatch.kernel, bindings,
                         std::max<int64_t>(count, 1));
      if (info.verbose)
        log << "dispatch " << dispatch.kernel << ": " << count
            << " workgroups, " << bindings.size() << " bindings\n";
      continue;
    }
    const CudaDispatch &compiled = *cudaDispatches.lookup(dispatch.kernel);
    size_t argumentCount = bindings.size();
    for (size_t t = 0; t < compiled.temporaryBytes.size(); ++t) {
      size_t lifetime = temporaryLifetimes[nextTemporary++];
      bindings.push_back(writer.addArenaBuffer(
          arena.offsets[lifetime], compiled.temporaryBytes[t]));
    }
    std::vector<ArtifactWriter::Launch> launches;
    for (const CudaLaunch &launch : compiled.launches) {
      ArtifactWriter::Launch record;
      record.kernel = launch.kernel;
      for (int i = 0; i < 3; ++i) {
        record.grid[i] = launch.grid[i];
        record.block[i] = launch.block[i];
      }
      record.sharedBytes = launch.sharedBytes;
      for (int64_t argument : launch.arguments) {
        size_t binding = argument >= 0 ? size_t(argument)
                                       : argumentCount + size_t(-argument - 1);
        if (binding >= bindings.size())
          return llvm::createStringError(
              "internal error: launch of '" + launch.kernel +
              "' takes argument " + std::to_string(argument) + " of " +
              std::to_string(argumentCount) + " in dispatch '" +
              dispatch.kernel + "'");
        record.params.push_back(bindings[binding]);
      }
      launches.push_back(std::move(record));
      if (info.verbose)
        printCudaLaunch(log, dispatch.kernel, launch);
    }
    writer.addCudaDispatch(dispatch.kernel, bindings, launches);
  }

  std::vector<TensorSpec> inputs, outputs;
  for (auto [i, v] : llvm::enumerate(program.inputs))
    inputs.push_back(specOf(program.values[v], program.inputNames[i],
                            bufferOf[v]));
  for (auto [i, v] : llvm::enumerate(program.outputs))
    outputs.push_back(specOf(program.values[v], program.outputNames[i],
                             bufferOf[v]));
  writer.addEntryPoint(program.name, inputs, outputs, firstDispatch,
                       program.dispatches.size());
  if (info.verbose)
    log << "entry " << program.name << ": " << program.dispatches.size()
        << " dispatches; arena " << arena.arenaSize << " bytes for "
        << arenaValues.size() << " intermediates totalling "
        << arena.sumOfSizes << " bytes\n";
  return arena.arenaSize;
}

/// The entries, plan sizes and source model of every artifact.
static llvm::Error addPlan(ArtifactWriter &writer,
                           ArrayRef<HostProgram> programs, CompiledCode code,
                           const ArtifactInfo &info, llvm::raw_ostream &log) {
  SharedPlacement shared;
  uint64_t arenaSize = 0;
  for (const HostProgram &program : programs) {
    llvm::Expected<uint64_t> size =
        addEntry(writer, program, code, shared, info, log);
    if (!size)
      return size.takeError();
    arenaSize = std::max(arenaSize, *size);
  }
  writer.setArenaSize(arenaSize);
  writer.setStateSize(shared.stateSize);
  writer.setMaxContext(info.maxContext);
  writer.setCompilerVersion(0, 1, 0);
  uint64_t modelHash = 0;
  if (auto model = llvm::MemoryBuffer::getFile(info.sourceModelPath, false,
                                               false))
    modelHash = agm_checksum((*model)->getBufferStart(),
                             (*model)->getBufferSize());
  writer.setSourceModel(llvm::sys::path::filename(info.sourceModelPath),
                        modelHash);
  if (info.verbose)
    log << "arena: " << arenaSize << " bytes; state: " << shared.stateSize
        << " bytes; weights: " << writer.weightsSize() << " bytes";
  return llvm::Error::success();
}

llvm::Error writeCpuArtifact(ArrayRef<HostProgram> programs,
                             const CpuObject &object, const ArtifactInfo &info,
                             llvm::StringRef path, llvm::raw_ostream &log) {
  ArtifactWriter writer;
  CompiledCode code;
  code.cpu = &object;
  if (llvm::Error error = addPlan(writer, programs, code, info, log))
    return error;
  writer.setTarget(1, "cpu", object.cpuName, object.cpuFeatures);
  writer.setCpuCode(llvm::ArrayRef<uint8_t>(
      reinterpret_cast<const uint8_t *>(object.sharedObject.data()),
      object.sharedObject.size()));
  if (info.verbose)
    log << "; code: " << object.sharedObject.size() << " bytes\n";
  return writer.write(path);
}

/// "sm_90" -> 90.
static uint32_t computeCapability(StringRef arch) {
  uint32_t value = 0;
  arch.drop_front(3).getAsInteger(10, value);
  return value;
}

llvm::Error writeCudaArtifact(ArrayRef<HostProgram> programs,
                              const CudaObject &object,
                              ArrayRef<std::string> cubins,
                              const ArtifactInfo &info, llvm::StringRef path,
                              llvm::raw_ostream &log) {
  ArtifactWriter writer;
  CompiledCode code;
  code.cuda = &object;
  if (llvm::Error error = addPlan(writer, programs, code, info, log))
    return error;
  std::string archs = llvm::join(object.archs, ",");
  writer.setTarget(2, "cuda", archs, 0);
  uint64_t codeBytes = 0;
  for (auto [i, arch] : llvm::enumerate(object.archs)) {
    const std::string &ptx = object.ptx[i];
    writer.addCudaImage(computeCapability(arch), AGM_CUDA_PTX,
                        llvm::ArrayRef<uint8_t>(
                            reinterpret_cast<const uint8_t *>(ptx.data()),
                            ptx.size()));
    codeBytes += ptx.size();
    if (i < cubins.size() && !cubins[i].empty()) {
      writer.addCudaImage(computeCapability(arch), AGM_CUDA_CUBIN,
                          llvm::ArrayRef<uint8_t>(
                              reinterpret_cast<const uint8_t *>(
                                  cubins[i].data()),
                              cubins[i].size()));
      codeBytes += cubins[i].size();
    }
  }
  if (info.verbose)
    log << "; code: " << codeBytes << " bytes (" << archs << ")\n";
  return writer.write(path);
}

} // namespace mlir::autoglm
