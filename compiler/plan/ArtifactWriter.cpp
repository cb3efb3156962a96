//===- ArtifactWriter.cpp - build and write a .agm artifact ---------------===//
//
// Layout written (artifact_format.h): the 64-byte header, the section table
// right after it, then the sections in the order STRINGS, METADATA, PLAN,
// CODE_CPU or CODE_CUDA (whichever is set), WEIGHTS, each at a 64-byte
// aligned offset with zero padding in between. The plan's arrays follow
// agm_plan at 8-byte aligned offsets: buffers, dispatches, tensor
// descriptors, bindings, launches.
//
//===----------------------------------------------------------------------===//

#include "compiler/plan/ArtifactWriter.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/SwapByteOrder.h"

#include <algorithm>
#include <cstring>

using llvm::ArrayRef;
using llvm::Error;
using llvm::StringRef;

namespace mlir::autoglm {

static_assert(sizeof(agm_header) == 64, "agm_header layout");
static_assert(sizeof(agm_section) == 32, "agm_section layout");
static_assert(sizeof(agm_metadata) == 48, "agm_metadata layout");
static_assert(sizeof(agm_entry_point) == 32, "agm_entry_point layout");
static_assert(sizeof(agm_tensor_desc) == 80, "agm_tensor_desc layout");
static_assert(sizeof(agm_buffer) == 24, "agm_buffer layout");
static_assert(sizeof(agm_dispatch) == 32, "agm_dispatch layout");
static_assert(sizeof(agm_plan) == 80, "agm_plan layout");
static_assert(sizeof(agm_launch) == 40, "agm_launch layout");
static_assert(sizeof(agm_cuda_code) == 8, "agm_cuda_code layout");
static_assert(sizeof(agm_cuda_image) == 24, "agm_cuda_image layout");

uint64_t dtypeByteSize(uint32_t dtype) {
  return agm_dtype_size(dtype);
}

uint64_t checksumUpdate(uint64_t hash, const void *data, uint64_t size) {
  const unsigned char *bytes = static_cast<const unsigned char *>(data);
  for (uint64_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 1099511628211ull;
  }
  return hash;
}

static Error problem(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 message.str());
}

static void appendBytes(std::vector<uint8_t> &out, const void *data,
                        size_t size) {
  if (size == 0)
    return;
  size_t at = out.size();
  out.resize(at + size);
  std::memcpy(out.data() + at, data, size);
}

template <typename T>
static void appendStruct(std::vector<uint8_t> &out, const T &value) {
  appendBytes(out, &value, sizeof(T));
}

template <typename T>
static void appendArray(std::vector<uint8_t> &out, const std::vector<T> &values) {
  appendBytes(out, values.data(), values.size() * sizeof(T));
}

static void padTo(std::vector<uint8_t> &out, uint64_t alignment) {
  out.resize(llvm::alignTo(out.size(), alignment), 0);
}

ArtifactWriter::ArtifactWriter() {
  strings_.push_back('\0'); // offset 0: ""
  stringOffsets_[""] = 0;
  metadata_.target = 1;
}

uint32_t ArtifactWriter::addString(StringRef str) {
  auto it = stringOffsets_.find(str);
  if (it != stringOffsets_.end())
    return it->second;
  if (str.contains('\0'))
    problems_.push_back("string '" + str.split('\0').first.str() +
                        "...' contains a NUL byte");
  if (strings_.size() + str.size() + 1 > UINT32_MAX) {
    problems_.push_back("the string table exceeds 4 GiB");
    return 0;
  }
  uint32_t offset = strings_.size();
  strings_.append(str.data(), str.size());
  strings_.push_back('\0');
  stringOffsets_[str] = offset;
  return offset;
}

uint64_t ArtifactWriter::placeWeight(ArrayRef<uint8_t> bytes) {
  uint64_t offset = llvm::alignTo(weightsSize_, AGM_SECTION_ALIGNMENT);
  weights_.push_back({offset, bytes});
  weightsSize_ = offset + bytes.size();
  return offset;
}

uint64_t ArtifactWriter::addWeight(ArrayRef<uint8_t> bytes) {
  ownedWeights_.push_back(
      std::make_unique<std::vector<uint8_t>>(bytes.begin(), bytes.end()));
  return placeWeight(*ownedWeights_.back());
}

uint64_t ArtifactWriter::addWeightReference(ArrayRef<uint8_t> bytes) {
  return placeWeight(bytes);
}

uint32_t ArtifactWriter::addBuffer(agm_buffer_kind kind, uint32_t index,
                                   uint64_t offset, uint64_t size) {
  agm_buffer buffer{};
  buffer.kind = kind;
  buffer.index = index;
  buffer.offset = offset;
  buffer.size = size;
  buffers_.push_back(buffer);
  return buffers_.size() - 1;
}

uint32_t ArtifactWriter::addDispatch(StringRef kernel,
                                     ArrayRef<uint32_t> bindings,
                                     uint64_t workgroupCount) {
  agm_dispatch dispatch{};
  dispatch.kernel = addString(kernel);
  dispatch.binding_count = bindings.size();
  dispatch.first_binding = bindings_.size();
  dispatch.workgroup_count = workgroupCount;
  bindings_.insert(bindings_.end(), bindings.begin(), bindings.end());
  dispatches_.push_back(dispatch);
  return dispatches_.size() - 1;
}

uint32_t ArtifactWriter::addCudaDispatch(StringRef name,
                                         ArrayRef<uint32_t> bindings,
                                         ArrayRef<Launch> launches) {
  uint32_t index = addDispatch(name, bindings, 0);
  agm_dispatch &dispatch = dispatches_[index];
  dispatch.first_launch = launches_.size();
  dispatch.launch_count = launches.size();
  for (const Launch &launch : launches) {
    agm_launch record{};
    record.kernel = addString(launch.kernel);
    record.param_count = launch.params.size();
    record.first_param = bindings_.size();
    record.shared_bytes = launch.sharedBytes;
    for (int i = 0; i < 3; ++i) {
      record.grid[i] = launch.grid[i];
      record.block[i] = launch.block[i];
    }
    bindings_.insert(bindings_.end(), launch.params.begin(),
                     launch.params.end());
    launches_.push_back(record);
  }
  return index;
}

uint32_t ArtifactWriter::addTensor(const TensorSpec &tensor) {
  agm_tensor_desc desc{};
  desc.name = addString(tensor.name);
  desc.dtype = tensor.dtype;
  desc.buffer = tensor.buffer;
  if (tensor.dims.size() > AGM_MAX_RANK) {
    problems_.push_back("tensor '" + tensor.name + "' has rank " +
                        std::to_string(tensor.dims.size()) +
                        ", more than the artifact's maximum of " +
                        std::to_string(AGM_MAX_RANK));
  }
  desc.rank = std::min<size_t>(tensor.dims.size(), AGM_MAX_RANK);
  for (uint32_t i = 0; i < desc.rank; ++i)
    desc.dims[i] = tensor.dims[i];
  tensors_.push_back(desc);
  return tensors_.size() - 1;
}

uint32_t ArtifactWriter::addEntryPoint(StringRef name,
                                       ArrayRef<TensorSpec> inputs,
                                       ArrayRef<TensorSpec> outputs,
                                       uint32_t firstDispatch,
                                       uint32_t dispatchCount) {
  agm_entry_point entry{};
  entry.name = addString(name);
  entry.input_count = inputs.size();
  entry.output_count = outputs.size();
  entry.first_input = tensors_.size();
  for (const TensorSpec &input : inputs)
    addTensor(input);
  entry.first_output = tensors_.size();
  for (const TensorSpec &output : outputs)
    addTensor(output);
  entry.first_dispatch = firstDispatch;
  entry.dispatch_count = dispatchCount;
  return addEntryPoint(entry);
}

uint32_t ArtifactWriter::addEntryPoint(const agm_entry_point &entry) {
  entries_.push_back(entry);
  return entries_.size() - 1;
}

void ArtifactWriter::setTarget(uint32_t target, StringRef targetName,
                               StringRef cpuName, uint64_t cpuFeatures) {
  metadata_.target = target;
  metadata_.target_name = addString(targetName);
  metadata_.cpu_name = addString(cpuName);
  metadata_.cpu_features = cpuFeatures;
}

void ArtifactWriter::setCompilerVersion(uint32_t major, uint32_t minor,
                                        uint32_t patch) {
  metadata_.compiler_version =
      (major << 16) | ((minor & 0xff) << 8) | (patch & 0xff);
}

void ArtifactWriter::setSourceModel(StringRef name, uint64_t hash) {
  metadata_.source_model_name = addString(name);
  metadata_.source_model_hash = hash;
}

void ArtifactWriter::setCpuCode(ArrayRef<uint8_t> sharedObject) {
  cpuCode_.assign(sharedObject.begin(), sharedObject.end());
  hasCpuCode_ = true;
}

void ArtifactWriter::addCudaImage(uint32_t arch, agm_cuda_image_format format,
                                  ArrayRef<uint8_t> bytes) {
  CudaImage image{arch, format, {bytes.begin(), bytes.end()}};
  // PTX is stored NUL-terminated so the driver can take it as a C string.
  if (format == AGM_CUDA_PTX && (bytes.empty() || bytes.back() != 0))
    image.bytes.push_back(0);
  cudaImages_.push_back(std::move(image));
}

std::vector<uint8_t> ArtifactWriter::buildCudaCode() const {
  agm_cuda_code header{};
  header.image_count = cudaImages_.size();
  std::vector<uint8_t> out;
  appendStruct(out, header);
  std::vector<agm_cuda_image> records(cudaImages_.size());
  uint64_t at = llvm::alignTo(out.size() + records.size() *
                                               sizeof(agm_cuda_image),
                              AGM_SECTION_ALIGNMENT);
  for (auto [record, image] : llvm::zip(records, cudaImages_)) {
    record.arch = image.arch;
    record.format = image.format;
    record.offset = at;
    record.size = image.bytes.size();
    at = llvm::alignTo(at + image.bytes.size(), AGM_SECTION_ALIGNMENT);
  }
  appendArray(out, records);
  for (auto [record, image] : llvm::zip(records, cudaImages_)) {
    out.resize(record.offset, 0);
    appendBytes(out, image.bytes.data(), image.bytes.size());
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Verification
//===----------------------------------------------------------------------===//

static bool rangeFits(uint64_t first, uint64_t count, uint64_t size) {
  return first <= size && count <= size - first;
}

Error ArtifactWriter::verify() const {
  std::vector<std::string> errors = problems_;
  auto fail = [&](const llvm::Twine &message) {
    errors.push_back(message.str());
  };
  if (!llvm::sys::IsLittleEndianHost)
    fail("artifacts are little-endian; writing them on a big-endian host is "
         "not supported");

  for (size_t i = 0; i < buffers_.size(); ++i) {
    const agm_buffer &b = buffers_[i];
    std::string what = "buffer " + std::to_string(i);
    switch (b.kind) {
    case AGM_BUFFER_ARENA:
      if (!rangeFits(b.offset, b.size, plan_.arena_size))
        fail(what + " [" + llvm::Twine(b.offset) + ", +" + llvm::Twine(b.size) +
             ") lies outside the arena of " + llvm::Twine(plan_.arena_size) +
             " bytes");
      break;
    case AGM_BUFFER_WEIGHT:
      if (!rangeFits(b.offset, b.size, weightsSize_))
        fail(what + " [" + llvm::Twine(b.offset) + ", +" + llvm::Twine(b.size) +
             ") lies outside the weights of " + llvm::Twine(weightsSize_) +
             " bytes");
      break;
    case AGM_BUFFER_STATE:
      if (!rangeFits(b.offset, b.size, plan_.state_size))
        fail(what + " [" + llvm::Twine(b.offset) + ", +" + llvm::Twine(b.size) +
             ") lies outside the state of " + llvm::Twine(plan_.state_size) +
             " bytes");
      break;
    case AGM_BUFFER_INPUT:
    case AGM_BUFFER_OUTPUT:
      break;
    default:
      fail(what + " has unknown kind " + llvm::Twine(b.kind));
    }
  }
  for (size_t i = 0; i < bindings_.size(); ++i)
    if (bindings_[i] >= buffers_.size())
      fail("binding " + llvm::Twine(i) + " names buffer " +
           llvm::Twine(bindings_[i]) + " of " + llvm::Twine(buffers_.size()));
  for (size_t i = 0; i < tensors_.size(); ++i) {
    const agm_tensor_desc &t = tensors_[i];
    std::string what = "tensor '" + std::string(strings_.data() + t.name) + "'";
    if (dtypeByteSize(t.dtype) == 0)
      fail(what + " has unknown dtype " + llvm::Twine(t.dtype));
    if (t.buffer >= buffers_.size())
      fail(what + " names buffer " + llvm::Twine(t.buffer) + " of " +
           llvm::Twine(buffers_.size()));
    for (uint32_t d = 0; d < t.rank; ++d)
      if (t.dims[d] < 0)
        fail(what + " has negative dim " + llvm::Twine(t.dims[d]));
  }
  for (size_t i = 0; i < entries_.size(); ++i) {
    const agm_entry_point &e = entries_[i];
    std::string what = "entry point '" +
                       std::string(e.name < strings_.size()
                                       ? strings_.data() + e.name
                                       : "?") +
                       "'";
    if (e.name >= strings_.size())
      fail("entry point " + llvm::Twine(i) + " has a dangling name");
    if (!rangeFits(e.first_input, e.input_count, tensors_.size()) ||
        !rangeFits(e.first_output, e.output_count, tensors_.size()))
      fail(what + " names tensor descriptors past the " +
           llvm::Twine(tensors_.size()) + " there are");
    if (!rangeFits(e.first_dispatch, e.dispatch_count, dispatches_.size()))
      fail(what + " names dispatches [" + llvm::Twine(e.first_dispatch) +
           ", +" + llvm::Twine(e.dispatch_count) + ") of " +
           llvm::Twine(dispatches_.size()));
  }
  if (!dispatches_.empty() && metadata_.target == 1 && !hasCpuCode_)
    fail("the plan has dispatches but no CPU code was set");
  if (!dispatches_.empty() && metadata_.target == 2 && cudaImages_.empty())
    fail("the plan has dispatches but no CUDA code was added");
  if (metadata_.target == 2 && hasCpuCode_)
    fail("a cuda artifact has no CPU code");
  for (size_t i = 0; i < dispatches_.size(); ++i) {
    const agm_dispatch &d = dispatches_[i];
    if (!rangeFits(d.first_launch, d.launch_count, launches_.size()))
      fail("dispatch " + llvm::Twine(i) + " names launches [" +
           llvm::Twine(d.first_launch) + ", +" + llvm::Twine(d.launch_count) +
           ") of " + llvm::Twine(launches_.size()));
  }
  for (size_t i = 0; i < launches_.size(); ++i) {
    const agm_launch &l = launches_[i];
    bool empty = false;
    for (int d = 0; d < 3; ++d)
      empty |= l.grid[d] == 0 || l.block[d] == 0;
    if (empty)
      fail("launch " + llvm::Twine(i) + " has an empty grid or block");
  }

  if (errors.empty())
    return Error::success();
  std::string message = "invalid artifact: " + errors.front();
  for (size_t i = 1; i < errors.size(); ++i)
    message += "; " + errors[i];
  return problem(message);
}

//===----------------------------------------------------------------------===//
// Serialization
//===----------------------------------------------------------------------===//

std::vector<uint8_t> ArtifactWriter::buildMetadata() const {
  agm_metadata metadata = metadata_;
  metadata.entry_count = entries_.size();
  std::vector<uint8_t> out;
  appendStruct(out, metadata);
  appendArray(out, entries_);
  return out;
}

std::vector<uint8_t> ArtifactWriter::buildPlan() const {
  agm_plan plan = plan_;
  plan.buffer_count = buffers_.size();
  plan.dispatch_count = dispatches_.size();
  plan.binding_count = bindings_.size();
  plan.tensor_count = tensors_.size();
  std::vector<uint8_t> out(sizeof(agm_plan), 0);
  padTo(out, 8);
  plan.buffers_offset = out.size();
  appendArray(out, buffers_);
  padTo(out, 8);
  plan.dispatches_offset = out.size();
  appendArray(out, dispatches_);
  padTo(out, 8);
  plan.tensors_offset = out.size();
  appendArray(out, tensors_);
  padTo(out, 8);
  plan.bindings_offset = out.size();
  appendArray(out, bindings_);
  padTo(out, 8);
  plan.launch_count = launches_.size();
  plan.launches_offset = out.size();
  appendArray(out, launches_);
  std::memcpy(out.data(), &plan, sizeof(plan));
  return out;
}

namespace {
/// One section: its bytes as pieces at offsets relative to the section
/// start (zero padding where pieces leave gaps).
struct SectionLayout {
  agm_section_kind kind;
  std::vector<std::pair<uint64_t, ArrayRef<uint8_t>>> pieces;
  uint64_t size = 0;
  uint64_t checksum = kChecksumSeed;
  uint64_t fileOffset = 0;
};
} // namespace

static const uint8_t kZeros[AGM_SECTION_ALIGNMENT] = {};

/// Streams `count` zero bytes through `sink(data, size)`.
template <typename Sink>
static void zeros(uint64_t count, Sink &&sink) {
  while (count > 0) {
    uint64_t n = std::min<uint64_t>(count, sizeof(kZeros));
    sink(kZeros, n);
    count -= n;
  }
}

template <typename Sink>
static void streamSection(const SectionLayout &section, Sink &&sink) {
  uint64_t at = 0;
  for (const auto &[offset, bytes] : section.pieces) {
    zeros(offset - at, sink);
    if (!bytes.empty())
      sink(bytes.data(), bytes.size());
    at = offset + bytes.size();
  }
  zeros(section.size - at, sink);
}

uint64_t ArtifactWriter::fileSize() const {
  // STRINGS, METADATA, PLAN and WEIGHTS, plus the code sections set.
  uint64_t sections =
      4 + (hasCpuCode_ ? 1 : 0) + (cudaImages_.empty() ? 0 : 1);
  uint64_t at = llvm::alignTo(sizeof(agm_header) + sections * sizeof(agm_section),
                              AGM_SECTION_ALIGNMENT);
  auto add = [&](uint64_t size, bool last) {
    at += size;
    if (!last)
      at = llvm::alignTo(at, AGM_SECTION_ALIGNMENT);
  };
  add(strings_.size(), false);
  add(buildMetadata().size(), false);
  add(buildPlan().size(), false);
  if (hasCpuCode_)
    add(cpuCode_.size(), false);
  if (!cudaImages_.empty())
    add(buildCudaCode().size(), false);
  add(weightsSize_, true);
  return at;
}

Error ArtifactWriter::serialize(llvm::raw_ostream &os) const {
  if (Error error = verify())
    return error;

  std::vector<uint8_t> metadata = buildMetadata();
  std::vector<uint8_t> plan = buildPlan();
  std::vector<uint8_t> cudaCode = buildCudaCode();

  std::vector<SectionLayout> sections;
  auto addSection = [&](agm_section_kind kind, ArrayRef<uint8_t> bytes) {
    SectionLayout section{kind, {}, 0, kChecksumSeed, 0};
    section.pieces.push_back({0, bytes});
    section.size = bytes.size();
    sections.push_back(std::move(section));
  };
  addSection(AGM_SECTION_STRINGS,
             ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(strings_.data()),
                               strings_.size()));
  addSection(AGM_SECTION_METADATA, metadata);
  addSection(AGM_SECTION_PLAN, plan);
  if (hasCpuCode_)
    addSection(AGM_SECTION_CODE_CPU, cpuCode_);
  if (!cudaImages_.empty())
    addSection(AGM_SECTION_CODE_CUDA, cudaCode);
  {
    SectionLayout weights{AGM_SECTION_WEIGHTS, {}, weightsSize_, kChecksumSeed,
                          0};
    for (const WeightChunk &chunk : weights_)
      weights.pieces.push_back({chunk.offset, chunk.bytes});
    sections.push_back(std::move(weights));
  }

  // Place the sections and checksum them.
  uint64_t at = llvm::alignTo(sizeof(agm_header) +
                                  sections.size() * sizeof(agm_section),
                              AGM_SECTION_ALIGNMENT);
  for (SectionLayout &section : sections) {
    at = llvm::alignTo(at, AGM_SECTION_ALIGNMENT);
    section.fileOffset = at;
    at += section.size;
    uint64_t hash = kChecksumSeed;
    streamSection(section, [&](const void *data, uint64_t size) {
      hash = checksumUpdate(hash, data, size);
    });
    section.checksum = hash;
  }
  uint64_t fileSize = at;

  std::vector<agm_section> table;
  for (const SectionLayout &section : sections) {
    agm_section entry{};
    entry.kind = section.kind;
    entry.flags = 0;
    entry.offset = section.fileOffset;
    entry.size = section.size;
    entry.checksum = section.checksum;
    table.push_back(entry);
  }

  agm_header header{};
  std::memcpy(header.magic, AGM_MAGIC, sizeof(header.magic));
  header.format_version = AGM_FORMAT_VERSION;
  header.section_count = table.size();
  header.file_size = fileSize;
  header.section_table_offset = sizeof(agm_header);
  header.table_checksum =
      agm_checksum(table.data(), table.size() * sizeof(agm_section));

  // Emit.
  uint64_t written = 0;
  auto emit = [&](const void *data, uint64_t size) {
    os.write(static_cast<const char *>(data), size);
    written += size;
  };
  emit(&header, sizeof(header));
  emit(table.data(), table.size() * sizeof(agm_section));
  for (const SectionLayout &section : sections) {
    zeros(section.fileOffset - written, emit);
    streamSection(section, emit);
  }
  if (written != fileSize)
    return problem("internal error: wrote " + llvm::Twine(written) +
                   " bytes of an artifact laid out as " +
                   llvm::Twine(fileSize));
  return Error::success();
}

Error ArtifactWriter::write(StringRef path) const {
  if (Error error = verify())
    return problem("cannot write artifact '" + path + "': " +
                   llvm::toString(std::move(error)));

  // The temporary file lives beside `path` so the rename stays within one
  // file system (and is atomic).
  llvm::SmallString<256> model(path);
  model += ".tmp-%%%%%%%%";
  llvm::SmallString<256> tempPath;
  int fd = -1;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueFile(model, fd, tempPath))
    return llvm::createStringError(ec, "cannot create artifact '%s': %s",
                                   path.str().c_str(), ec.message().c_str());

  std::error_code writeError;
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    if (Error error = serialize(os)) {
      os.close();
      os.clear_error();
      llvm::sys::fs::remove(tempPath);
      return problem("cannot write artifact '" + path + "': " +
                     llvm::toString(std::move(error)));
    }
    os.close();
    if (os.has_error()) {
      writeError = os.error();
      os.clear_error(); // or raw_fd_ostream's destructor aborts
    }
  }
  if (writeError) {
    llvm::sys::fs::remove(tempPath);
    return llvm::createStringError(writeError, "cannot write artifact '%s': %s",
                                   path.str().c_str(),
                                   writeError.message().c_str());
  }
  if (std::error_code ec = llvm::sys::fs::rename(tempPath, path)) {
    llvm::sys::fs::remove(tempPath);
    return llvm::createStringError(ec, "cannot write artifact '%s': %s",
                                   path.str().c_str(), ec.message().c_str());
  }
  return Error::success();
}

} // namespace mlir::autoglm
