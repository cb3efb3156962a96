//===- Artifact.cpp - map and validate a .agm file ------------------------===//

#include "Artifact.h"

#include "CpuFeatures.h"
#include "Status.h"

#include <cerrno>
#include <cstdarg>
#include <cstring>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace agm {

uint64_t dtypeSize(uint32_t dtype) {
  return agm_dtype_size(dtype);
}

const char *dtypeName(uint32_t dtype) {
  return agm_dtype_name(dtype);
}

static const char *sectionName(uint32_t kind) {
  switch (kind) {
  case AGM_SECTION_METADATA: return "METADATA";
  case AGM_SECTION_PLAN: return "PLAN";
  case AGM_SECTION_CODE_CPU: return "CODE_CPU";
  case AGM_SECTION_WEIGHTS: return "WEIGHTS";
  case AGM_SECTION_STRINGS: return "STRINGS";
  case AGM_SECTION_CODE_CUDA: return "CODE_CUDA";
  default: return "unknown kind";
  }
}

static const char *bufferKindName(uint32_t kind) {
  switch (kind) {
  case AGM_BUFFER_ARENA: return "arena";
  case AGM_BUFFER_WEIGHT: return "weight";
  case AGM_BUFFER_INPUT: return "input";
  case AGM_BUFFER_OUTPUT: return "output";
  case AGM_BUFFER_STATE: return "state";
  default: return "unknown";
  }
}

/// first + count <= size without overflow.
static bool fits(uint64_t first, uint64_t count, uint64_t size) {
  return first <= size && count <= size - first;
}

static unsigned long long ull(uint64_t v) { return v; }

/// Printable form of the first bytes of a file, for the bad-magic message.
static std::string printable(const uint8_t *bytes, uint64_t size) {
  std::string out;
  for (uint64_t i = 0; i < size; ++i) {
    if (bytes[i] >= 0x20 && bytes[i] < 0x7f && bytes[i] != '"' &&
        bytes[i] != '\\')
      out += static_cast<char>(bytes[i]);
    else
      out += format("\\x%02x", bytes[i]);
  }
  return out;
}

Artifact::~Artifact() {
  if (base_)
    munmap(const_cast<uint8_t *>(base_), size_);
}

agm_status Artifact::fail(agm_status_code code, const char *fmt, ...) const {
  try {
    va_list args;
    va_start(args, fmt);
    char small[512];
    int n = std::vsnprintf(small, sizeof(small), fmt, args);
    va_end(args);
    std::string message = "artifact '" + path_ + "': ";
    if (n >= 0 && static_cast<size_t>(n) < sizeof(small)) {
      message += small;
    } else {
      std::vector<char> big(n > 0 ? n + 1 : 1);
      va_start(args, fmt);
      std::vsnprintf(big.data(), big.size(), fmt, args);
      va_end(args);
      message += big.data();
    }
    return makeStatus(code, std::move(message));
  } catch (...) {
    return outOfMemoryStatus();
  }
}

uint64_t Artifact::tensorBytes(const agm_tensor_desc &t) const {
  uint64_t bytes = dtypeSize(t.dtype);
  for (uint32_t d = 0; d < t.rank && d < AGM_MAX_RANK; ++d)
    bytes *= static_cast<uint64_t>(t.dims[d]);
  return bytes;
}

agm_status Artifact::open(const char *path, bool checkWeights,
                          std::unique_ptr<Artifact> &out) {
  std::unique_ptr<Artifact> artifact(new Artifact());
  artifact->path_ = path;

  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int error = errno;
    return makeStatusf(error == ENOENT ? AGM_NOT_FOUND : AGM_INVALID_ARGUMENT,
                       "cannot open artifact '%s': %s", path,
                       std::strerror(error));
  }
  struct stat info;
  if (fstat(fd, &info) != 0) {
    int error = errno;
    ::close(fd);
    return makeStatusf(AGM_INVALID_ARGUMENT, "cannot stat artifact '%s': %s",
                       path, std::strerror(error));
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return artifact->fail(AGM_INVALID_ARGUMENT, "not a regular file");
  }
  if (info.st_size == 0) {
    ::close(fd);
    return artifact->fail(AGM_INVALID_ARGUMENT,
                          "the file is empty, not an AutoGLM artifact");
  }
  uint64_t size = static_cast<uint64_t>(info.st_size);
  void *map = mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  int mapError = errno;
  ::close(fd);
  if (map == MAP_FAILED)
    return artifact->fail(AGM_RESOURCE_EXHAUSTED, "cannot map %s: %s",
                          formatBytes(size).c_str(), std::strerror(mapError));
  artifact->base_ = static_cast<const uint8_t *>(map);
  artifact->size_ = size;

  if (agm_status status = artifact->validate(checkWeights))
    return status;
  out = std::move(artifact);
  return nullptr;
}

agm_status Artifact::validate(bool checkWeights) {
  // Magic and header.
  const size_t magicSize = sizeof(agm_header::magic);
  if (size_ < magicSize || std::memcmp(base_, AGM_MAGIC, magicSize) != 0)
    return fail(AGM_INVALID_ARGUMENT,
                "not an AutoGLM artifact (bad magic \"%s\", expected \"%s\")",
                printable(base_, size_ < magicSize ? size_ : magicSize).c_str(),
                AGM_MAGIC);
  if (size_ < sizeof(agm_header))
    return fail(AGM_DATA_LOSS,
                "truncated: the file has %llu bytes, less than the %zu-byte "
                "header",
                ull(size_), sizeof(agm_header));
  const agm_header &header = *reinterpret_cast<const agm_header *>(base_);
  if (header.format_version != AGM_FORMAT_VERSION)
    return fail(AGM_INCOMPATIBLE,
                "format version %u, but this runtime reads version %u; "
                "recompile the model with a matching autoglm-compile",
                header.format_version, AGM_FORMAT_VERSION);
  if (header.file_size > size_)
    return fail(AGM_DATA_LOSS,
                "truncated: the header says %llu bytes, the file has %llu",
                ull(header.file_size), ull(size_));
  if (header.file_size < size_)
    return fail(AGM_DATA_LOSS,
                "the file has %llu bytes but the header says %llu (trailing "
                "data; corrupted?)",
                ull(size_), ull(header.file_size));
  return validateSections(checkWeights);
}

agm_status Artifact::validateSections(bool checkWeights) {
  const agm_header &header = *reinterpret_cast<const agm_header *>(base_);
  const uint32_t maxSections = 64;
  if (header.section_count == 0 || header.section_count > maxSections)
    return fail(AGM_DATA_LOSS,
                "corrupted header: %u sections (expected 1 to %u)",
                header.section_count, maxSections);
  const uint64_t tableSize =
      static_cast<uint64_t>(header.section_count) * sizeof(agm_section);
  if (header.section_table_offset < sizeof(agm_header) ||
      header.section_table_offset % 8 != 0)
    return fail(AGM_DATA_LOSS,
                "corrupted header: section table offset %llu (expected a "
                "multiple of 8 after the %zu-byte header)",
                ull(header.section_table_offset), sizeof(agm_header));
  if (!fits(header.section_table_offset, tableSize, size_))
    return fail(AGM_DATA_LOSS,
                "truncated: the section table [%llu, %llu) extends past the "
                "end of the file (%llu bytes)",
                ull(header.section_table_offset),
                ull(header.section_table_offset + tableSize), ull(size_));
  const agm_section *table = reinterpret_cast<const agm_section *>(
      base_ + header.section_table_offset);
  uint64_t tableChecksum = agm_checksum(table, tableSize);
  if (tableChecksum != header.table_checksum)
    return fail(AGM_DATA_LOSS,
                "corrupted section table: checksum 0x%016llx, the header "
                "says 0x%016llx",
                ull(tableChecksum), ull(header.table_checksum));

  const agm_section *byKind[AGM_SECTION_CODE_CUDA + 1] = {};
  const uint64_t tableEnd = header.section_table_offset + tableSize;
  for (uint32_t i = 0; i < header.section_count; ++i) {
    const agm_section &s = table[i];
    const char *name = sectionName(s.kind);
    if (s.kind < AGM_SECTION_METADATA || s.kind > AGM_SECTION_CODE_CUDA)
      return fail(AGM_INCOMPATIBLE,
                  "section %u has unknown kind %u (written by a newer "
                  "compiler?)",
                  i, s.kind);
    if (byKind[s.kind])
      return fail(AGM_DATA_LOSS, "corrupted: two %s sections", name);
    byKind[s.kind] = &s;
    if (s.offset % AGM_SECTION_ALIGNMENT != 0)
      return fail(AGM_DATA_LOSS,
                  "section %u (%s) at offset %llu is not %u-byte aligned", i,
                  name, ull(s.offset), AGM_SECTION_ALIGNMENT);
    if (!fits(s.offset, s.size, size_))
      return fail(AGM_DATA_LOSS,
                  "section %u (%s) [offset %llu, size %llu] extends past the "
                  "end of the file (%llu bytes)",
                  i, name, ull(s.offset), ull(s.size), ull(size_));
    if (s.offset < tableEnd && s.size > 0)
      return fail(AGM_DATA_LOSS,
                  "section %u (%s) at offset %llu overlaps the header or the "
                  "section table (which end at %llu)",
                  i, name, ull(s.offset), ull(tableEnd));
  }
  for (uint32_t i = 0; i < header.section_count; ++i) {
    const agm_section &s = table[i];
    if (s.kind == AGM_SECTION_WEIGHTS && !checkWeights)
      continue;
    uint64_t checksum = agm_checksum(base_ + s.offset, s.size);
    if (checksum != s.checksum)
      return fail(AGM_DATA_LOSS,
                  "corrupted %s section (section %u): checksum 0x%016llx, "
                  "the section table says 0x%016llx",
                  sectionName(s.kind), i, ull(checksum), ull(s.checksum));
  }
  for (uint32_t kind : {AGM_SECTION_STRINGS, AGM_SECTION_METADATA,
                        AGM_SECTION_PLAN})
    if (!byKind[kind])
      return fail(AGM_DATA_LOSS, "no %s section", sectionName(kind));

  const agm_section &strings = *byKind[AGM_SECTION_STRINGS];
  strings_ = reinterpret_cast<const char *>(base_ + strings.offset);
  stringsSize_ = strings.size;
  if (stringsSize_ == 0 || strings_[stringsSize_ - 1] != '\0')
    return fail(AGM_DATA_LOSS,
                "the STRINGS section does not end with a NUL byte");

  const agm_section &metadata = *byKind[AGM_SECTION_METADATA];
  if (metadata.size < sizeof(agm_metadata))
    return fail(AGM_DATA_LOSS,
                "the METADATA section has %llu bytes, less than the %zu of "
                "agm_metadata",
                ull(metadata.size), sizeof(agm_metadata));
  metadata_ = reinterpret_cast<const agm_metadata *>(base_ + metadata.offset);
  entries_ = reinterpret_cast<const agm_entry_point *>(
      base_ + metadata.offset + sizeof(agm_metadata));
  if (metadata_->entry_count >
      (metadata.size - sizeof(agm_metadata)) / sizeof(agm_entry_point))
    return fail(AGM_DATA_LOSS,
                "the METADATA section has %llu bytes, too few for %u entry "
                "points",
                ull(metadata.size), metadata_->entry_count);

  const agm_section &plan = *byKind[AGM_SECTION_PLAN];
  if (plan.size < sizeof(agm_plan))
    return fail(AGM_DATA_LOSS,
                "the PLAN section has %llu bytes, less than the %zu of "
                "agm_plan",
                ull(plan.size), sizeof(agm_plan));
  plan_ = reinterpret_cast<const agm_plan *>(base_ + plan.offset);
  planSize_ = plan.size;

  if (const agm_section *weights = byKind[AGM_SECTION_WEIGHTS]) {
    weights_ = base_ + weights->offset;
    weightsSize_ = weights->size;
  }
  if (const agm_section *code = byKind[AGM_SECTION_CODE_CPU]) {
    code_ = base_ + code->offset;
    codeSize_ = code->size;
    hasCode_ = true;
  }
  if (const agm_section *code = byKind[AGM_SECTION_CODE_CUDA]) {
    cudaCode_ = base_ + code->offset;
    cudaCodeSize_ = code->size;
    hasCudaCode_ = true;
  }

  if (agm_status status = validateMetadata())
    return status;
  if (agm_status status = validatePlan())
    return status;
  if (isCuda())
    if (agm_status status = validateLaunches())
      return status;
  if (agm_status status = validateEntries())
    return status;
  return isCuda() ? validateCudaCode() : validateCode();
}

agm_status Artifact::validateMetadata() {
  const agm_metadata &m = *metadata_;
  for (uint32_t offset : {m.target_name, m.cpu_name, m.source_model_name})
    if (!validString(offset))
      return fail(AGM_DATA_LOSS,
                  "corrupted metadata: string offset %u is outside the "
                  "%llu-byte string table",
                  offset, ull(stringsSize_));
  if (m.target == AGM_TARGET_CUDA)
    return nullptr; // needs no CPU features
  if (m.target != AGM_TARGET_CPU)
    return fail(AGM_INCOMPATIBLE,
                "unknown target %u (this runtime executes targets 1, cpu, "
                "and 2, cuda)",
                m.target);
  uint64_t missing = m.cpu_features & ~hostCpuFeatures();
  if (missing) {
    const char *cpu = string(m.cpu_name);
    return fail(AGM_INCOMPATIBLE,
                "the code needs CPU features this host lacks: %s%s%s%s; "
                "recompile with --cpu=host or an older --cpu",
                cpuFeatureNames(missing).c_str(),
                *cpu ? " (it was compiled for cpu '" : "", cpu,
                *cpu ? "')" : "");
  }
  return nullptr;
}

agm_status Artifact::validatePlan() {
  const agm_plan &p = *plan_;
  struct Array {
    const char *name;
    uint64_t offset;
    uint64_t count;
    uint64_t elementSize;
    uint64_t alignment;
  };
  const Array arrays[] = {
      {"buffers", p.buffers_offset, p.buffer_count, sizeof(agm_buffer), 8},
      {"dispatches", p.dispatches_offset, p.dispatch_count,
       sizeof(agm_dispatch), 8},
      {"bindings", p.bindings_offset, p.binding_count, sizeof(uint32_t), 4},
      {"tensors", p.tensors_offset, p.tensor_count, sizeof(agm_tensor_desc),
       8},
  };
  for (const Array &a : arrays) {
    if (a.count == 0)
      continue;
    if (a.offset % a.alignment != 0)
      return fail(AGM_DATA_LOSS,
                  "corrupted plan: the %s array at offset %llu is not "
                  "%llu-byte aligned",
                  a.name, ull(a.offset), ull(a.alignment));
    if (!fits(a.offset, a.count * a.elementSize, planSize_))
      return fail(AGM_DATA_LOSS,
                  "corrupted plan: the %s array (%llu at offset %llu) "
                  "extends past the %llu-byte PLAN section",
                  a.name, ull(a.count), ull(a.offset), ull(planSize_));
  }
  const uint8_t *planBase = reinterpret_cast<const uint8_t *>(plan_);
  buffers_ = reinterpret_cast<const agm_buffer *>(planBase + p.buffers_offset);
  dispatches_ =
      reinterpret_cast<const agm_dispatch *>(planBase + p.dispatches_offset);
  bindings_ = reinterpret_cast<const uint32_t *>(planBase + p.bindings_offset);
  tensors_ =
      reinterpret_cast<const agm_tensor_desc *>(planBase + p.tensors_offset);

  for (uint32_t i = 0; i < p.buffer_count; ++i) {
    const agm_buffer &b = buffers_[i];
    uint64_t limit = 0;
    const char *space = nullptr;
    switch (b.kind) {
    case AGM_BUFFER_ARENA:
      limit = p.arena_size;
      space = "arena";
      break;
    case AGM_BUFFER_WEIGHT:
      limit = weightsSize_;
      space = "WEIGHTS section";
      break;
    case AGM_BUFFER_STATE:
      limit = p.state_size;
      space = "state";
      break;
    case AGM_BUFFER_INPUT:
    case AGM_BUFFER_OUTPUT:
      continue; // checked against each entry's tensors
    default:
      return fail(AGM_DATA_LOSS, "corrupted plan: buffer %u has unknown kind %u",
                  i, b.kind);
    }
    if (!fits(b.offset, b.size, limit))
      return fail(AGM_DATA_LOSS,
                  "corrupted plan: %s buffer %u [offset %llu, size %llu] "
                  "lies outside the %llu-byte %s",
                  bufferKindName(b.kind), i, ull(b.offset), ull(b.size),
                  ull(limit), space);
  }
  for (uint32_t i = 0; i < p.binding_count; ++i)
    if (bindings_[i] >= p.buffer_count)
      return fail(AGM_DATA_LOSS,
                  "corrupted plan: binding %u names buffer %u, but there are "
                  "%u buffers",
                  i, bindings_[i], p.buffer_count);
  for (uint32_t i = 0; i < p.dispatch_count; ++i) {
    const agm_dispatch &d = dispatches_[i];
    if (!validString(d.kernel) || strings_[d.kernel] == '\0')
      return fail(AGM_DATA_LOSS,
                  "corrupted plan: dispatch %u's kernel name (string offset "
                  "%u) is %s",
                  i, d.kernel,
                  validString(d.kernel) ? "empty"
                                        : "outside the string table");
    if (!fits(d.first_binding, d.binding_count, p.binding_count))
      return fail(AGM_DATA_LOSS,
                  "corrupted plan: dispatch %u ('%s') uses bindings [%u, "
                  "+%u) of %u",
                  i, string(d.kernel), d.first_binding, d.binding_count,
                  p.binding_count);
  }
  for (uint32_t i = 0; i < p.tensor_count; ++i) {
    const agm_tensor_desc &t = tensors_[i];
    if (!validString(t.name))
      return fail(AGM_DATA_LOSS,
                  "corrupted plan: tensor %u's name (string offset %u) is "
                  "outside the string table",
                  i, t.name);
    if (dtypeSize(t.dtype) == 0)
      return fail(AGM_DATA_LOSS, "corrupted plan: tensor '%s' has unknown "
                  "dtype %u", string(t.name), t.dtype);
    if (t.rank > AGM_MAX_RANK)
      return fail(AGM_DATA_LOSS,
                  "corrupted plan: tensor '%s' has rank %u (at most %u)",
                  string(t.name), t.rank, AGM_MAX_RANK);
    if (t.buffer >= p.buffer_count)
      return fail(AGM_DATA_LOSS,
                  "corrupted plan: tensor '%s' names buffer %u, but there are "
                  "%u buffers",
                  string(t.name), t.buffer, p.buffer_count);
    // Element count times element size must fit comfortably in 63 bits.
    unsigned __int128 bytes = dtypeSize(t.dtype);
    for (uint32_t d = 0; d < t.rank; ++d) {
      if (t.dims[d] < 0)
        return fail(AGM_DATA_LOSS,
                    "corrupted plan: tensor '%s' has negative dim %lld",
                    string(t.name), static_cast<long long>(t.dims[d]));
      bytes *= static_cast<uint64_t>(t.dims[d]);
      if (bytes > (static_cast<unsigned __int128>(1) << 62))
        return fail(AGM_DATA_LOSS, "corrupted plan: tensor '%s' is too large",
                    string(t.name));
    }
  }
  return nullptr;
}

agm_status Artifact::validateEntries() {
  const agm_plan &p = *plan_;
  for (uint32_t e = 0; e < metadata_->entry_count; ++e) {
    const agm_entry_point &entry = entries_[e];
    if (!validString(entry.name))
      return fail(AGM_DATA_LOSS,
                  "corrupted metadata: entry point %u's name (string offset "
                  "%u) is outside the string table",
                  e, entry.name);
    const char *name = string(entry.name);
    for (uint32_t other = 0; other < e; ++other)
      if (std::strcmp(string(entries_[other].name), name) == 0)
        return fail(AGM_DATA_LOSS, "corrupted metadata: two entry points "
                    "named '%s'", name);
    if (entry.input_count > INT32_MAX || entry.output_count > INT32_MAX ||
        !fits(entry.first_input, entry.input_count, p.tensor_count) ||
        !fits(entry.first_output, entry.output_count, p.tensor_count))
      return fail(AGM_DATA_LOSS,
                  "corrupted metadata: entry point '%s' names tensors past "
                  "the %u in the plan",
                  name, p.tensor_count);
    if (!fits(entry.first_dispatch, entry.dispatch_count, p.dispatch_count))
      return fail(AGM_DATA_LOSS,
                  "corrupted metadata: entry point '%s' names dispatches "
                  "[%u, +%u) of %u",
                  name, entry.first_dispatch, entry.dispatch_count,
                  p.dispatch_count);

    // A caller buffer must lie within the caller's tensor.
    auto checkCallerBuffer = [&](uint32_t bufferIndex,
                                 const char *user) -> agm_status {
      const agm_buffer &b = buffers_[bufferIndex];
      if (b.kind != AGM_BUFFER_INPUT && b.kind != AGM_BUFFER_OUTPUT)
        return nullptr;
      bool isInput = b.kind == AGM_BUFFER_INPUT;
      uint32_t count = isInput ? entry.input_count : entry.output_count;
      if (b.index >= count)
        return fail(AGM_DATA_LOSS,
                    "corrupted plan: %s of entry point '%s' uses %s %u, but "
                    "the entry has %u",
                    user, name, bufferKindName(b.kind), b.index, count);
      const agm_tensor_desc &t =
          tensors_[(isInput ? entry.first_input : entry.first_output) +
                   b.index];
      if (!fits(b.offset, b.size, tensorBytes(t)))
        return fail(AGM_DATA_LOSS,
                    "corrupted plan: %s of entry point '%s' uses [offset "
                    "%llu, size %llu] of %s '%s', which has %llu bytes",
                    user, name, ull(b.offset), ull(b.size),
                    bufferKindName(b.kind), string(t.name),
                    ull(tensorBytes(t)));
      return nullptr;
    };

    for (uint32_t i = 0; i < entry.input_count; ++i) {
      const agm_tensor_desc &t = tensors_[entry.first_input + i];
      const agm_buffer &b = buffers_[t.buffer];
      if (b.kind != AGM_BUFFER_INPUT || b.index != i)
        return fail(AGM_DATA_LOSS,
                    "corrupted plan: input %u ('%s') of entry point '%s' is "
                    "bound to %s buffer %u, not to input %u",
                    i, string(t.name), name, bufferKindName(b.kind), t.buffer,
                    i);
    }
    for (uint32_t i = 0; i < entry.output_count; ++i) {
      const agm_tensor_desc &t = tensors_[entry.first_output + i];
      const agm_buffer &b = buffers_[t.buffer];
      if (b.kind == AGM_BUFFER_OUTPUT && b.index == i)
        continue;
      // Any other buffer is copied into the caller's output after the run.
      std::string user = format("output %u ('%s')", i, string(t.name));
      if (b.kind == AGM_BUFFER_OUTPUT || b.size < tensorBytes(t))
        return fail(AGM_DATA_LOSS,
                    "corrupted plan: %s of entry point '%s' is bound to %s "
                    "buffer %u of %llu bytes, but has %llu",
                    user.c_str(), name, bufferKindName(b.kind), t.buffer,
                    ull(b.size), ull(tensorBytes(t)));
      if (agm_status status = checkCallerBuffer(t.buffer, user.c_str()))
        return status;
    }
    for (uint32_t d = entry.first_dispatch;
         d < entry.first_dispatch + entry.dispatch_count; ++d) {
      const agm_dispatch &dispatch = dispatches_[d];
      std::string user = format("dispatch %u ('%s')", d, string(dispatch.kernel));
      for (uint32_t k = 0; k < dispatch.binding_count; ++k)
        if (agm_status status = checkCallerBuffer(
                bindings_[dispatch.first_binding + k], user.c_str()))
          return status;
      if (!isCuda())
        continue;
      for (uint32_t l = dispatch.first_launch;
           l < dispatch.first_launch + dispatch.launch_count; ++l)
        for (uint32_t k = 0; k < launches_[l].param_count; ++k)
          if (agm_status status = checkCallerBuffer(
                  bindings_[launches_[l].first_param + k], user.c_str()))
            return status;
    }
  }
  return nullptr;
}

agm_status Artifact::validateCode() {
  if (plan_->dispatch_count == 0)
    return nullptr;
  if (!hasCode_)
    return fail(AGM_DATA_LOSS,
                "the plan has dispatches but there is no CODE_CPU section");
  // ELF64, little-endian, shared object (ET_DYN), x86-64 (EM_X86_64 = 62).
  const uint8_t *elf = code_;
  if (codeSize_ < 64 || std::memcmp(elf, "\x7f" "ELF", 4) != 0)
    return fail(AGM_DATA_LOSS,
                "the CODE_CPU section is not an ELF shared object");
  uint16_t type, machine;
  std::memcpy(&type, elf + 16, 2);
  std::memcpy(&machine, elf + 18, 2);
  if (elf[4] != 2 || elf[5] != 1 || machine != 62)
    return fail(AGM_INCOMPATIBLE,
                "the CODE_CPU section is not 64-bit little-endian x86-64 code "
                "(ELF class %u, data %u, machine %u)",
                elf[4], elf[5], machine);
  if (type != 3)
    return fail(AGM_DATA_LOSS,
                "the CODE_CPU section is an ELF file of type %u, not a shared "
                "object",
                type);
  // The dynamic loader maps segments without checking them against the
  // file size (a short file faults with SIGBUS), so check every table and
  // segment lies within the section.
  uint64_t phoff, shoff;
  uint16_t phentsize, phnum, shentsize, shnum;
  std::memcpy(&phoff, elf + 32, 8);
  std::memcpy(&shoff, elf + 40, 8);
  std::memcpy(&phentsize, elf + 54, 2);
  std::memcpy(&phnum, elf + 56, 2);
  std::memcpy(&shentsize, elf + 58, 2);
  std::memcpy(&shnum, elf + 60, 2);
  if (phentsize != 56 || phnum == 0 ||
      !fits(phoff, uint64_t(phnum) * phentsize, codeSize_) || phoff % 8 != 0)
    return fail(AGM_DATA_LOSS,
                "the CODE_CPU section is a truncated or malformed ELF file: "
                "its program headers (%u at offset %llu) do not fit in its "
                "%llu bytes",
                phnum, ull(phoff), ull(codeSize_));
  if (shoff != 0 && !fits(shoff, uint64_t(shnum) * shentsize, codeSize_))
    return fail(AGM_DATA_LOSS,
                "the CODE_CPU section is a truncated or malformed ELF file: "
                "its section headers (%u at offset %llu) do not fit in its "
                "%llu bytes",
                shnum, ull(shoff), ull(codeSize_));
  for (uint16_t i = 0; i < phnum; ++i) {
    const uint8_t *ph = elf + phoff + uint64_t(i) * phentsize;
    uint32_t segmentType;
    uint64_t offset, fileSize;
    std::memcpy(&segmentType, ph, 4);
    std::memcpy(&offset, ph + 8, 8);
    std::memcpy(&fileSize, ph + 32, 8);
    if (segmentType == 0) // PT_NULL
      continue;
    if (!fits(offset, fileSize, codeSize_))
      return fail(AGM_DATA_LOSS,
                  "the CODE_CPU section is a truncated or malformed ELF "
                  "file: segment %u [offset %llu, size %llu] extends past "
                  "its %llu bytes",
                  i, ull(offset), ull(fileSize), ull(codeSize_));
  }
  return nullptr;
}

agm_status Artifact::validateLaunches() {
  const agm_plan &p = *plan_;
  if (p.launch_count > 0) {
    if (p.launches_offset % 4 != 0)
      return fail(AGM_DATA_LOSS,
                  "corrupted plan: the launches array at offset %llu is not "
                  "4-byte aligned",
                  ull(p.launches_offset));
    if (!fits(p.launches_offset, uint64_t(p.launch_count) * sizeof(agm_launch),
              planSize_))
      return fail(AGM_DATA_LOSS,
                  "corrupted plan: the launches array (%u at offset %llu) "
                  "extends past the %llu-byte PLAN section",
                  p.launch_count, ull(p.launches_offset), ull(planSize_));
    launches_ = reinterpret_cast<const agm_launch *>(
        reinterpret_cast<const uint8_t *>(plan_) + p.launches_offset);
  }
  for (uint32_t i = 0; i < p.launch_count; ++i) {
    const agm_launch &l = launches_[i];
    if (!validString(l.kernel) || strings_[l.kernel] == '\0')
      return fail(AGM_DATA_LOSS,
                  "corrupted plan: launch %u's kernel name (string offset "
                  "%u) is %s",
                  i, l.kernel,
                  validString(l.kernel) ? "empty"
                                        : "outside the string table");
    const char *name = string(l.kernel);
    if (!fits(l.first_param, l.param_count, p.binding_count))
      return fail(AGM_DATA_LOSS,
                  "corrupted plan: launch %u ('%s') takes parameters [%u, "
                  "+%u) of the %u bindings",
                  i, name, l.first_param, l.param_count, p.binding_count);
    uint64_t threads = uint64_t(l.block[0]) * l.block[1] * l.block[2];
    if (!l.grid[0] || !l.grid[1] || !l.grid[2] || !threads || threads > 1024)
      return fail(AGM_DATA_LOSS,
                  "corrupted plan: launch %u ('%s') has grid %ux%ux%u and "
                  "block %ux%ux%u (every size at least 1, at most 1024 "
                  "threads per block)",
                  i, name, l.grid[0], l.grid[1], l.grid[2], l.block[0],
                  l.block[1], l.block[2]);
  }
  for (uint32_t i = 0; i < p.dispatch_count; ++i) {
    const agm_dispatch &d = dispatches_[i];
    if (!fits(d.first_launch, d.launch_count, p.launch_count))
      return fail(AGM_DATA_LOSS,
                  "corrupted plan: dispatch %u ('%s') uses launches [%u, "
                  "+%u) of %u",
                  i, string(d.kernel), d.first_launch, d.launch_count,
                  p.launch_count);
  }
  return nullptr;
}

agm_status Artifact::validateCudaCode() {
  if (plan_->launch_count == 0 && !hasCudaCode_)
    return nullptr;
  if (!hasCudaCode_)
    return fail(AGM_DATA_LOSS,
                "the plan has kernel launches but there is no CODE_CUDA "
                "section");
  const uint64_t size = cudaCodeSize_;
  if (size < sizeof(agm_cuda_code))
    return fail(AGM_DATA_LOSS,
                "the CODE_CUDA section has %llu bytes, less than the %zu of "
                "agm_cuda_code",
                ull(size), sizeof(agm_cuda_code));
  const agm_cuda_code &code =
      *reinterpret_cast<const agm_cuda_code *>(cudaCode_);
  if (code.image_count == 0)
    return fail(AGM_DATA_LOSS, "the CODE_CUDA section holds no code image");
  if (code.image_count >
      (size - sizeof(agm_cuda_code)) / sizeof(agm_cuda_image))
    return fail(AGM_DATA_LOSS,
                "the CODE_CUDA section has %llu bytes, too few for the "
                "table of its %u images",
                ull(size), code.image_count);
  cudaImages_ = reinterpret_cast<const agm_cuda_image *>(
      cudaCode_ + sizeof(agm_cuda_code));
  cudaImageCount_ = code.image_count;
  for (uint32_t i = 0; i < code.image_count; ++i) {
    const agm_cuda_image &image = cudaImages_[i];
    if (image.format != AGM_CUDA_PTX && image.format != AGM_CUDA_CUBIN)
      return fail(AGM_DATA_LOSS,
                  "CODE_CUDA image %u (sm_%u) has unknown format %u", i,
                  image.arch, image.format);
    const char *what = image.format == AGM_CUDA_PTX ? "PTX" : "cubin";
    if (image.arch < 10 || image.arch > 1000)
      return fail(AGM_DATA_LOSS,
                  "CODE_CUDA image %u (%s) has arch %u (expected compute "
                  "capability * 10, such as 80 or 90)",
                  i, what, image.arch);
    if (image.size == 0 || !fits(image.offset, image.size, size))
      return fail(AGM_DATA_LOSS,
                  "CODE_CUDA image %u (sm_%u %s) [offset %llu, size %llu] "
                  "lies outside the %llu-byte section",
                  i, image.arch, what, ull(image.offset), ull(image.size),
                  ull(size));
    if (image.format == AGM_CUDA_PTX &&
        cudaCode_[image.offset + image.size - 1] != '\0')
      return fail(AGM_DATA_LOSS,
                  "CODE_CUDA image %u (sm_%u PTX) is not NUL-terminated", i,
                  image.arch);
  }
  return nullptr;
}

} // namespace agm
