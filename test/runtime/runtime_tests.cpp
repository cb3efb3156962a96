//===- runtime_tests.cpp - ArtifactWriter and runtime unit tests ----------===//
//
// Writes artifacts over the test kernels (kernels.c) with ArtifactWriter and
// checks that the runtime runs valid ones correctly (1 and 4 threads,
// repeated runs, state, the workgroup split) and refuses broken ones with
// the right status and message. A small self-contained harness: each TEST
// runs in order; `runtime_tests NAME...` runs only those.
//
//===----------------------------------------------------------------------===//

#include "test/runtime/TestArtifacts.h"
#include "test/runtime/TestHarness.h"

#include "autoglm/runtime.h"

#include "llvm/Support/FileSystem.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <functional>
#include <set>
#include <string>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>
#include <vector>

using mlir::autoglm::ArtifactWriter;
using mlir::autoglm::TensorSpec;
using namespace agmtest;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {

void writeBytes(const std::string &path, const std::vector<uint8_t> &bytes) {
  // A new file rather than a truncated one: ext4 flushes a file truncated
  // and rewritten on close, which made the fuzz test wait on the disk.
  std::remove(path.c_str());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char *>(bytes.data()), bytes.size());
}


std::string validArtifact() {
  static std::string path;
  if (path.empty()) {
    ArtifactWriter writer;
    buildTestModel(writer);
    path = writeArtifact(writer, "valid.agm");
  }
  return path;
}

/// Result of a create: the code and message (the model released).
struct CreateResult {
  agm_status_code code;
  std::string message;
};

CreateResult tryCreate(const std::string &path, int threads = 1,
                       bool skipWeightChecksums = false) {
  agm_runtime_options options;
  agm_runtime_options_init(&options);
  options.threads = threads;
  options.skip_weight_checksums = skipWeightChecksums;
  agm_model model = nullptr;
  agm_status status = agm_model_create(path.c_str(), &options, &model);
  CreateResult result{agm_status_code_of(status), agm_status_message(status)};
  CHECK((status == nullptr) == (model != nullptr));
  agm_status_release(status);
  agm_model_release(model);
  return result;
}

agm_model create(const std::string &path, int threads) {
  agm_runtime_options options;
  agm_runtime_options_init(&options);
  options.threads = threads;
  agm_model model = nullptr;
  agm_status status = agm_model_create(path.c_str(), &options, &model);
  if (status) {
    std::fprintf(stderr, "agm_model_create failed: %s\n",
                 agm_status_message(status));
    std::exit(1);
  }
  return model;
}

/// The artifact's bytes with `patch` applied, written as `name`.
std::string patched(const std::string &name,
                    const std::function<void(std::vector<uint8_t> &)> &patch) {
  std::vector<uint8_t> bytes = readFile(validArtifact());
  patch(bytes);
  std::string path = tempPath(name);
  writeBytes(path, bytes);
  return path;
}

agm_header &headerOf(std::vector<uint8_t> &bytes) {
  return *reinterpret_cast<agm_header *>(bytes.data());
}
agm_section *tableOf(std::vector<uint8_t> &bytes) {
  return reinterpret_cast<agm_section *>(bytes.data() +
                                         headerOf(bytes).section_table_offset);
}
agm_section &sectionOf(std::vector<uint8_t> &bytes, uint32_t kind) {
  agm_section *table = tableOf(bytes);
  for (uint32_t i = 0; i < headerOf(bytes).section_count; ++i)
    if (table[i].kind == kind)
      return table[i];
  std::fprintf(stderr, "no section of kind %u\n", kind);
  std::exit(1);
}
/// Recomputes every section checksum and the table checksum, so a patch
/// reaches the checks behind them.
void reseal(std::vector<uint8_t> &bytes) {
  agm_section *table = tableOf(bytes);
  uint32_t count = headerOf(bytes).section_count;
  for (uint32_t i = 0; i < count; ++i)
    table[i].checksum = agm_checksum(bytes.data() + table[i].offset,
                                     table[i].size);
  headerOf(bytes).table_checksum =
      agm_checksum(table, count * sizeof(agm_section));
}
agm_plan &planOf(std::vector<uint8_t> &bytes) {
  return *reinterpret_cast<agm_plan *>(bytes.data() +
                                       sectionOf(bytes, AGM_SECTION_PLAN).offset);
}
template <typename T>
T *planArray(std::vector<uint8_t> &bytes, uint64_t offset) {
  return reinterpret_cast<T *>(reinterpret_cast<uint8_t *>(&planOf(bytes)) +
                               offset);
}

/// Runs `main` on x[i] = i * 0.5, y[i] = 1 - i and checks both outputs.
void runMainAndCheck(agm_model model, float bias) {
  int32_t entry = -1;
  agm_status status = agm_model_find_entry(model, "main", &entry);
  CHECK(status == nullptr);
  std::vector<float> x(kElements), y(kElements), sum(kElements, -1),
      scaled(kElements, -1);
  for (int i = 0; i < kElements; ++i) {
    x[i] = i * 0.5f + bias;
    y[i] = 1.0f - i;
  }
  const void *inputs[] = {x.data(), y.data()};
  void *outputs[] = {sum.data(), scaled.data()};
  status = agm_model_run(model, entry, inputs, outputs);
  CHECK(status == nullptr);
  agm_status_release(status);
  int wrong = 0;
  for (int i = 0; i < kElements; ++i) {
    float expected = x[i] + y[i];
    wrong += sum[i] != expected || scaled[i] != expected * kScale;
  }
  CHECK(wrong == 0);
}

} // namespace

//===----------------------------------------------------------------------===//
// ArtifactWriter
//===----------------------------------------------------------------------===//

TEST(writer_layout) {
  ArtifactWriter writer;
  uint32_t a = writer.addString("alpha");
  CHECK(writer.addString("alpha") == a);
  CHECK(writer.addString("beta") != a);
  CHECK(writer.addString("") == 0);
  uint64_t w0 = writer.addWeight(std::vector<uint8_t>(3, 1));
  uint64_t w1 = writer.addWeight(std::vector<uint8_t>(65, 2));
  uint64_t w2 = writer.addWeight(std::vector<uint8_t>(1, 3));
  CHECK(w0 == 0 && w1 == 64 && w2 == 192);
  CHECK(writer.weightsSize() == 193);
  buildTestModel(writer);
  std::string path = writeArtifact(writer, "layout.agm");
  std::vector<uint8_t> bytes = readFile(path);
  CHECK(bytes.size() == writer.fileSize());

  agm_header &header = headerOf(bytes);
  CHECK(std::memcmp(header.magic, AGM_MAGIC, 8) == 0);
  CHECK(header.format_version == AGM_FORMAT_VERSION);
  CHECK(header.file_size == bytes.size());
  CHECK(header.section_table_offset == sizeof(agm_header));
  CHECK(header.section_count == 5);
  agm_section *table = tableOf(bytes);
  CHECK(header.table_checksum ==
        agm_checksum(table, header.section_count * sizeof(agm_section)));
  std::set<uint32_t> kinds;
  for (uint32_t i = 0; i < header.section_count; ++i) {
    kinds.insert(table[i].kind);
    CHECK(table[i].offset % AGM_SECTION_ALIGNMENT == 0);
    CHECK(table[i].offset + table[i].size <= bytes.size());
    CHECK(table[i].checksum ==
          agm_checksum(bytes.data() + table[i].offset, table[i].size));
  }
  CHECK(kinds.size() == 5);
  const agm_section &strings = sectionOf(bytes, AGM_SECTION_STRINGS);
  CHECK(std::strcmp(reinterpret_cast<char *>(bytes.data() + strings.offset + a),
                    "alpha") == 0);
  const agm_section &weights = sectionOf(bytes, AGM_SECTION_WEIGHTS);
  CHECK(bytes[weights.offset + w1] == 2 && bytes[weights.offset + w1 + 64] == 2);
  CHECK(bytes[weights.offset + 3] == 0); // padding
  CHECK(bytes[weights.offset + w2] == 3);
  const agm_metadata *metadata = reinterpret_cast<const agm_metadata *>(
      bytes.data() + sectionOf(bytes, AGM_SECTION_METADATA).offset);
  CHECK(metadata->target == 1 && metadata->entry_count == 15);
  CHECK(metadata->compiler_version == 0x100);
  CHECK(metadata->source_model_hash == 42);
  CHECK(metadata->max_context == 0); // not an LLM
  agm_plan &plan = planOf(bytes);
  CHECK(plan.buffers_offset % 8 == 0 && plan.dispatches_offset % 8 == 0 &&
        plan.tensors_offset % 8 == 0 && plan.bindings_offset % 4 == 0);
  CHECK(plan.dispatch_count == 16);
  CHECK(tryCreate(path).code == AGM_OK);
}

TEST(writer_reference_weights) {
  static const uint8_t big[200] = {7};
  ArtifactWriter writer;
  buildTestModel(writer);
  uint64_t offset = writer.addWeightReference(llvm::ArrayRef<uint8_t>(big));
  CHECK(offset % 64 == 0);
  std::string path = writeArtifact(writer, "reference.agm");
  std::vector<uint8_t> bytes = readFile(path);
  CHECK(headerOf(bytes).section_count == 5);
  const agm_section &weights = sectionOf(bytes, AGM_SECTION_WEIGHTS);
  CHECK(bytes[weights.offset + offset] == 7);
  CHECK(tryCreate(path).code == AGM_OK);
}

static const char kTestPtx[] = ".version 7.8";
static const uint8_t kTestCubin[5] = {0x7f, 'E', 'L', 'F', 2};

/// A CUDA artifact: main(x f32[4]) -> y f32[4], one dispatch of two
/// launches through a 64-byte arena temporary (buffers: x 0, y 1, temp 2),
/// sm_80 PTX and an sm_90 "cubin" (not a real one).
static void buildCudaTestModel(ArtifactWriter &writer) {
  writer.setTarget(2, "cuda", "sm_80,sm_90", 0);
  uint32_t in = writer.addInputBuffer(0, 16);
  uint32_t out = writer.addOutputBuffer(0, 16);
  writer.setArenaSize(64);
  uint32_t scratch = writer.addArenaBuffer(0, 64);
  ArtifactWriter::Launch first{"k0", {2, 1, 1}, {256, 1, 1}, 0, {in, scratch}};
  ArtifactWriter::Launch second{"k1", {1, 1, 1}, {32, 1, 1}, 128,
                                {scratch, out}};
  uint32_t dispatch =
      writer.addCudaDispatch("dispatch_0", {in, out, scratch}, {first, second});
  TensorSpec x{"x", AGM_F32, {4}, in}, y{"y", AGM_F32, {4}, out};
  writer.addEntryPoint("main", {x}, {y}, dispatch, 1);
  writer.addCudaImage(80, AGM_CUDA_PTX,
                      llvm::ArrayRef<uint8_t>(
                          reinterpret_cast<const uint8_t *>(kTestPtx),
                          sizeof(kTestPtx) - 1));
  writer.addCudaImage(90, AGM_CUDA_CUBIN, kTestCubin);
}

TEST(writer_cuda_launches_and_images) {
  ArtifactWriter writer;
  buildCudaTestModel(writer);
  const uint32_t out = 1, scratch = 2; // buildCudaTestModel's buffers
  std::string path = writeArtifact(writer, "cuda-layout.agm");
  std::vector<uint8_t> bytes = readFile(path);
  const agm_plan &plan = planOf(bytes);
  CHECK(plan.launch_count == 2 && plan.launches_offset % 8 == 0);
  const uint8_t *planBytes =
      bytes.data() + sectionOf(bytes, AGM_SECTION_PLAN).offset;
  auto *launches =
      reinterpret_cast<const agm_launch *>(planBytes + plan.launches_offset);
  auto *bindings =
      reinterpret_cast<const uint32_t *>(planBytes + plan.bindings_offset);
  auto *dispatches =
      reinterpret_cast<const agm_dispatch *>(planBytes + plan.dispatches_offset);
  CHECK(dispatches[0].first_launch == 0 && dispatches[0].launch_count == 2);
  CHECK(dispatches[0].workgroup_count == 0 &&
        dispatches[0].binding_count == 3);
  CHECK(launches[0].grid[0] == 2 && launches[0].block[0] == 256);
  CHECK(launches[1].shared_bytes == 128 && launches[1].param_count == 2);
  CHECK(bindings[launches[1].first_param] == scratch &&
        bindings[launches[1].first_param + 1] == out);
  const agm_section &code = sectionOf(bytes, AGM_SECTION_CODE_CUDA);
  const uint8_t *codeBytes = bytes.data() + code.offset;
  CHECK(reinterpret_cast<const agm_cuda_code *>(codeBytes)->image_count == 2);
  auto *images = reinterpret_cast<const agm_cuda_image *>(
      codeBytes + sizeof(agm_cuda_code));
  CHECK(images[0].arch == 80 && images[0].format == AGM_CUDA_PTX);
  CHECK(images[0].size == sizeof(kTestPtx) && images[0].offset % 64 == 0);
  CHECK(std::strcmp(reinterpret_cast<const char *>(codeBytes +
                                                   images[0].offset),
                    kTestPtx) == 0);
  CHECK(images[1].arch == 90 && images[1].format == AGM_CUDA_CUBIN &&
        images[1].size == 5);
  CHECK(std::memcmp(codeBytes + images[1].offset, kTestCubin, 5) == 0);
  CHECK(images[1].offset + images[1].size <= code.size);
}

TEST(writer_errors) {
  // Cannot create: the message names the path.
  ArtifactWriter writer;
  buildTestModel(writer);
  std::string missingDir = tempPath("no-such-dir/model.agm");
  llvm::Error error = writer.write(missingDir);
  CHECK(bool(error));
  std::string message = llvm::toString(std::move(error));
  CHECK_CONTAINS(message, missingDir);
  CHECK_CONTAINS(message, "cannot create");

  // A directory in the way of the rename: no temporary file is left.
  std::string dirPath = tempPath("a-directory.agm");
  llvm::sys::fs::create_directory(dirPath);
  error = writer.write(dirPath);
  CHECK(bool(error));
  CHECK_CONTAINS(llvm::toString(std::move(error)), dirPath);
  int leftovers = 0;
  if (DIR *dir = opendir(tempDir.c_str())) {
    while (dirent *entry = readdir(dir))
      leftovers += std::strstr(entry->d_name, ".tmp-") != nullptr;
    closedir(dir);
  }
  CHECK(leftovers == 0);

  // Rewriting replaces the file.
  std::string path = tempPath("rewrite.agm");
  writeBytes(path, std::vector<uint8_t>(10, 'x'));
  CHECK(!writer.write(path));
  CHECK(readFile(path).size() == writer.fileSize());

  // Builder misuse is caught by verify().
  ArtifactWriter bad;
  buildTestModel(bad);
  bad.addDispatch("add_f32", {999}, 1);
  bad.addTensor(TensorSpec{"deep", AGM_F32, std::vector<int64_t>(9, 1), 0});
  bad.addWeightBuffer(1u << 30, 4);
  error = bad.verify();
  CHECK(bool(error));
  message = llvm::toString(std::move(error));
  CHECK_CONTAINS(message, "names buffer 999");
  CHECK_CONTAINS(message, "rank 9");
  CHECK_CONTAINS(message, "outside the weights");
  error = bad.write(tempPath("bad.agm"));
  CHECK(bool(error));
  llvm::consumeError(std::move(error));
  CHECK(readFile(tempPath("bad.agm")).empty());

  ArtifactWriter noCode;
  noCode.addDispatch("k", {}, 1);
  noCode.addEntryPoint("main", {}, {}, 0, 1);
  error = noCode.verify();
  CHECK_CONTAINS(llvm::toString(std::move(error)), "no CPU code");
}

//===----------------------------------------------------------------------===//
// Running
//===----------------------------------------------------------------------===//

TEST(run_main_one_and_four_threads) {
  for (int threads : {1, 4}) {
    agm_model model = create(validArtifact(), threads);
    for (int run = 0; run < 3; ++run)
      runMainAndCheck(model, run * 10.0f);
    agm_model_release(model);
  }
  // 0 threads = all cores.
  agm_model model = create(validArtifact(), 0);
  runMainAndCheck(model, 1.0f);
  agm_model_release(model);
}

TEST(model_info) {
  agm_model model = create(validArtifact(), 1);
  CHECK(agm_model_entry_count(model) == 15);
  CHECK(std::strcmp(agm_model_entry_name(model, 0), "main") == 0);
  CHECK(agm_model_entry_name(model, 15) == nullptr);
  CHECK(agm_model_entry_name(model, -1) == nullptr);
  int32_t entry = -1;
  CHECK(agm_model_find_entry(model, "counter", &entry) == nullptr);
  CHECK(entry == 1);
  agm_status status = agm_model_find_entry(model, "decode", &entry);
  CHECK(agm_status_code_of(status) == AGM_NOT_FOUND);
  CHECK_CONTAINS(agm_status_message(status), "no entry point 'decode'");
  CHECK_CONTAINS(agm_status_message(status), "'main', 'counter'");
  agm_status_release(status);

  CHECK(agm_model_input_count(model, 0) == 2);
  CHECK(agm_model_output_count(model, 0) == 2);
  CHECK(agm_model_input_count(model, 99) == -1);
  agm_tensor_info info;
  CHECK(agm_model_input_info(model, 0, 1, &info) == nullptr);
  CHECK(std::strcmp(info.name, "y") == 0 && info.dtype == AGM_F32 &&
        info.rank == 2 && info.dims[0] == kRows && info.dims[1] == kCols &&
        info.byte_size == kElements * 4);
  CHECK(agm_model_output_info(model, 1, 0, &info) == nullptr);
  CHECK(std::strcmp(info.name, "count") == 0 && info.dtype == AGM_I64 &&
        info.rank == 0 && info.byte_size == 8);
  status = agm_model_input_info(model, 0, 2, &info);
  CHECK(agm_status_code_of(status) == AGM_INVALID_ARGUMENT);
  CHECK_CONTAINS(agm_status_message(status), "input 2 out of range");
  agm_status_release(status);
  status = agm_model_output_info(model, 0, 0, nullptr);
  CHECK(agm_status_code_of(status) == AGM_INVALID_ARGUMENT);
  agm_status_release(status);
  agm_model_release(model);
}

TEST(state_persists_across_runs) {
  agm_model model = create(validArtifact(), 2);
  int32_t entry = -1;
  CHECK(agm_model_find_entry(model, "counter", &entry) == nullptr);
  for (int64_t expected = 1; expected <= 3; ++expected) {
    int64_t count = 0;
    void *outputs[] = {&count};
    CHECK(agm_model_run(model, entry, nullptr, outputs) == nullptr);
    CHECK(count == expected);
  }
  agm_model_release(model);
  // A new model starts from zeroed state.
  model = create(validArtifact(), 1);
  int64_t count = 0;
  void *outputs[] = {&count};
  CHECK(agm_model_run(model, entry, nullptr, outputs) == nullptr);
  CHECK(count == 1);
  agm_model_release(model);
}

TEST(echo_every_dtype) {
  agm_model model = create(validArtifact(), 2);
  for (int32_t entry = 2; entry < agm_model_entry_count(model); ++entry) {
    agm_tensor_info info;
    CHECK(agm_model_input_info(model, entry, 0, &info) == nullptr);
    std::vector<uint8_t> in(info.byte_size), out(info.byte_size, 0);
    for (size_t i = 0; i < in.size(); ++i)
      in[i] = static_cast<uint8_t>(i * 7 + 1);
    const void *inputs[] = {in.data()};
    void *outputs[] = {out.data()};
    CHECK(agm_model_run(model, entry, inputs, outputs) == nullptr);
    CHECK(in == out);
  }
  agm_model_release(model);
}

TEST(workgroups_split_over_threads) {
  const int threads = 4;
  for (int64_t workgroups : {1, 3, 4, 10, 1000}) {
    ArtifactWriter writer;
    buildVisitModel(writer, workgroups);
    agm_model model = create(
        writeArtifact(writer, "visit" + std::to_string(workgroups) + ".agm"),
        threads);
    for (int run = 0; run < 3; ++run) {
      std::vector<int32_t> counts(workgroups, 0);
      std::vector<int64_t> begins(workgroups, -1), tids(workgroups, -1);
      void *outputs[] = {counts.data(), begins.data(), tids.data()};
      CHECK(agm_model_run(model, 0, nullptr, outputs) == nullptr);
      int64_t chunks = std::min<int64_t>(threads, workgroups);
      int64_t base = workgroups / chunks, extra = workgroups % chunks;
      std::set<int64_t> distinctTids;
      bool ok = true;
      for (int64_t i = 0, chunk = 0, begin = 0; i < workgroups; ++i) {
        int64_t size = base + (chunk < extra ? 1 : 0);
        if (i == begin + size) {
          begin += size;
          ++chunk;
        }
        ok &= counts[i] == 1 && begins[i] == begin;
        distinctTids.insert(tids[i]);
      }
      CHECK(ok);
      // Chunk 0 runs on the caller; no more threads than chunks are used.
      CHECK(tids[0] == static_cast<int64_t>(syscall(SYS_gettid)));
      CHECK(static_cast<int64_t>(distinctTids.size()) <= chunks);
    }
    agm_model_release(model);
  }
}

TEST(concurrent_runs_are_serialized) {
  agm_model model = create(validArtifact(), 2);
  std::vector<std::thread> callers;
  for (int t = 0; t < 3; ++t)
    callers.emplace_back([model, t] {
      for (int run = 0; run < 20; ++run)
        runMainAndCheck(model, t * 100.0f + run);
    });
  for (std::thread &caller : callers)
    caller.join();
  agm_model_release(model);
}

TEST(several_models_at_once) {
  agm_model a = create(validArtifact(), 1);
  agm_model b = create(validArtifact(), 2);
  runMainAndCheck(a, 1);
  runMainAndCheck(b, 2);
  agm_model_release(a);
  agm_model c = create(validArtifact(), 1);
  runMainAndCheck(b, 3);
  runMainAndCheck(c, 4);
  agm_model_release(b);
  agm_model_release(c);
}

TEST(run_argument_checks) {
  agm_model model = create(validArtifact(), 1);
  std::vector<float> x(kElements), y(kElements), sum(kElements),
      scaled(kElements);
  const void *inputs[] = {x.data(), y.data()};
  void *outputs[] = {sum.data(), scaled.data()};
  auto expectInvalid = [](agm_status status, const char *part) {
    CHECK(agm_status_code_of(status) == AGM_INVALID_ARGUMENT);
    CHECK_CONTAINS(agm_status_message(status), part);
    agm_status_release(status);
  };
  expectInvalid(agm_model_run(nullptr, 0, inputs, outputs), "model is NULL");
  expectInvalid(agm_model_run(model, 15, inputs, outputs),
                "entry point 15 out of range");
  expectInvalid(agm_model_run(model, -1, inputs, outputs), "out of range");
  expectInvalid(agm_model_run(model, 0, nullptr, outputs),
                "inputs is NULL, but entry point 'main' has 2 inputs");
  const void *oneMissing[] = {x.data(), nullptr};
  expectInvalid(agm_model_run(model, 0, oneMissing, outputs),
                "input 1 ('y') of entry point 'main' is NULL");
  expectInvalid(agm_model_run(model, 0, inputs, nullptr), "outputs is NULL");
  void *outputMissing[] = {nullptr, scaled.data()};
  expectInvalid(agm_model_run(model, 0, inputs, outputMissing),
                "output 0 ('sum')");
  agm_model_release(model);

  agm_model out = nullptr;
  expectInvalid(agm_model_create(nullptr, nullptr, &out), "path is NULL");
  expectInvalid(agm_model_create(validArtifact().c_str(), nullptr, nullptr),
                "out_model is NULL");
  agm_runtime_options options;
  agm_runtime_options_init(&options);
  options.threads = -3;
  expectInvalid(agm_model_create(validArtifact().c_str(), &options, &out),
                "threads is -3");
  CHECK(out == nullptr);
  // Default options (NULL) work.
  CHECK(agm_model_create(validArtifact().c_str(), nullptr, &out) == nullptr);
  agm_model_release(out);
  agm_model_release(nullptr);
  CHECK(agm_model_entry_count(nullptr) == 0);
}

TEST(status_objects) {
  CHECK(agm_status_code_of(nullptr) == AGM_OK);
  CHECK(std::strcmp(agm_status_message(nullptr), "") == 0);
  agm_status_release(nullptr);
}

//===----------------------------------------------------------------------===//
// Loader refusals
//===----------------------------------------------------------------------===//

void expectRefused(const std::string &path, agm_status_code code,
                   const std::string &part, bool skipWeights = false) {
  CreateResult result = tryCreate(path, 1, skipWeights);
  if (std::getenv("AGM_TEST_VERBOSE"))
    std::printf("  refused (%d): %s\n", result.code, result.message.c_str());
  if (result.code != code)
    std::fprintf(stderr, "  %s: code %d, expected %d: %s\n", path.c_str(),
                 result.code, code, result.message.c_str());
  CHECK(result.code == code);
  CHECK_CONTAINS(result.message, part);
  CHECK_CONTAINS(result.message, path); // names the file
}

TEST(refuse_missing_and_empty_files) {
  expectRefused(tempPath("does-not-exist.agm"), AGM_NOT_FOUND,
                "No such file or directory");
  std::string empty = tempPath("empty.agm");
  writeBytes(empty, {});
  expectRefused(empty, AGM_INVALID_ARGUMENT, "empty");
  expectRefused(tempDir, AGM_INVALID_ARGUMENT, "not a regular file");
}

TEST(refuse_bad_magic) {
  expectRefused(patched("magic.agm", [](auto &b) { b[3] = 'X'; }),
                AGM_INVALID_ARGUMENT,
                "not an AutoGLM artifact (bad magic \"AGMXRT01\"");
  std::string tiny = tempPath("tiny.agm");
  writeBytes(tiny, {'\x7f', 'E'});
  expectRefused(tiny, AGM_INVALID_ARGUMENT, "bad magic \"\\x7fE\"");
}

TEST(refuse_format_version) {
  expectRefused(
      patched("version.agm", [](auto &b) { headerOf(b).format_version = 7; }),
      AGM_INCOMPATIBLE, "format version 7, but this runtime reads version 2");
}

TEST(refuse_truncated) {
  expectRefused(patched("truncated.agm", [](auto &b) { b.resize(b.size() - 100); }),
                AGM_DATA_LOSS, "truncated: the header says");
  expectRefused(patched("truncated-header.agm", [](auto &b) { b.resize(40); }),
                AGM_DATA_LOSS, "less than the 64-byte header");
  expectRefused(patched("trailing.agm", [](auto &b) { b.push_back(0); }),
                AGM_DATA_LOSS, "trailing data");
}

TEST(refuse_corrupted_section) {
  expectRefused(patched("corrupt-code.agm",
                        [](auto &b) {
                          b[sectionOf(b, AGM_SECTION_CODE_CPU).offset + 100] ^= 1;
                        }),
                AGM_DATA_LOSS, "corrupted CODE_CPU section");
  std::string weights = patched("corrupt-weights.agm", [](auto &b) {
    b[sectionOf(b, AGM_SECTION_WEIGHTS).offset + 5] ^= 0x10;
  });
  expectRefused(weights, AGM_DATA_LOSS, "corrupted WEIGHTS section");
  // skip_weight_checksums skips exactly that check (the byte is filler).
  CHECK(tryCreate(weights, 1, /*skipWeightChecksums=*/true).code == AGM_OK);
}

TEST(refuse_corrupted_section_table) {
  expectRefused(patched("corrupt-table.agm",
                        [](auto &b) { tableOf(b)[1].flags ^= 4; }),
                AGM_DATA_LOSS, "corrupted section table: checksum");
}

TEST(refuse_section_bounds) {
  expectRefused(patched("oob.agm",
                        [](auto &b) {
                          sectionOf(b, AGM_SECTION_WEIGHTS).size += 4096;
                          reseal(b);
                        }),
                AGM_DATA_LOSS, "(WEIGHTS) [offset");
  expectRefused(patched("misaligned.agm",
                        [](auto &b) {
                          sectionOf(b, AGM_SECTION_PLAN).offset += 8;
                          reseal(b);
                        }),
                AGM_DATA_LOSS, "(PLAN) at offset");
  expectRefused(patched("overflow.agm",
                        [](auto &b) {
                          sectionOf(b, AGM_SECTION_PLAN).size = ~0ull - 10;
                          headerOf(b).table_checksum = agm_checksum(
                              tableOf(b),
                              headerOf(b).section_count * sizeof(agm_section));
                        }),
                AGM_DATA_LOSS, "extends past the end of the file");
  expectRefused(patched("overlap.agm",
                        [](auto &b) {
                          sectionOf(b, AGM_SECTION_STRINGS).offset = 0;
                          reseal(b);
                        }),
                AGM_DATA_LOSS, "overlaps the header");
  expectRefused(patched("no-plan.agm",
                        [](auto &b) {
                          sectionOf(b, AGM_SECTION_PLAN).kind = 99;
                          reseal(b);
                        }),
                AGM_INCOMPATIBLE, "unknown kind 99");
  expectRefused(patched("two-plans.agm",
                        [](auto &b) {
                          sectionOf(b, AGM_SECTION_STRINGS).kind =
                              AGM_SECTION_PLAN;
                          reseal(b);
                        }),
                AGM_DATA_LOSS, "two PLAN sections");
  expectRefused(patched("table-oob.agm",
                        [](auto &b) {
                          headerOf(b).section_count = 60;
                        }),
                AGM_DATA_LOSS, "section table");
}

TEST(refuse_dangling_indices) {
  expectRefused(patched("dangling-kernel.agm",
                        [](auto &b) {
                          planArray<agm_dispatch>(b, planOf(b).dispatches_offset)[1]
                              .kernel = 1u << 30;
                          reseal(b);
                        }),
                AGM_DATA_LOSS, "dispatch 1's kernel name");
  expectRefused(patched("dangling-binding.agm",
                        [](auto &b) {
                          planArray<uint32_t>(b, planOf(b).bindings_offset)[2] =
                              12345;
                          reseal(b);
                        }),
                AGM_DATA_LOSS, "binding 2 names buffer 12345");
  expectRefused(patched("dangling-tensor-buffer.agm",
                        [](auto &b) {
                          planArray<agm_tensor_desc>(b, planOf(b).tensors_offset)[0]
                              .buffer = 777;
                          reseal(b);
                        }),
                AGM_DATA_LOSS, "tensor 'x' names buffer 777");
  expectRefused(patched("input-index.agm",
                        [](auto &b) {
                          // Buffer 2 is `main`'s input 1.
                          planArray<agm_buffer>(b, planOf(b).buffers_offset)[2]
                              .index = 5;
                          reseal(b);
                        }),
                AGM_DATA_LOSS,
                "input 1 ('y') of entry point 'main' is bound to input "
                "buffer 2, not to input 1");
  expectRefused(patched("weight-range.agm",
                        [](auto &b) {
                          planArray<agm_buffer>(b, planOf(b).buffers_offset)[0]
                              .offset = 1u << 20;
                          reseal(b);
                        }),
                AGM_DATA_LOSS, "weight buffer 0");
  expectRefused(patched("entry-dispatches.agm",
                        [](auto &b) {
                          auto *entries = reinterpret_cast<agm_entry_point *>(
                              b.data() + sectionOf(b, AGM_SECTION_METADATA).offset +
                              sizeof(agm_metadata));
                          entries[0].dispatch_count = 1000;
                          reseal(b);
                        }),
                AGM_DATA_LOSS, "entry point 'main' names dispatches");
  expectRefused(patched("strings-unterminated.agm",
                        [](auto &b) {
                          const agm_section &s =
                              sectionOf(b, AGM_SECTION_STRINGS);
                          b[s.offset + s.size - 1] = 'z';
                          reseal(b);
                        }),
                AGM_DATA_LOSS, "does not end with a NUL");
}

TEST(refuse_caller_buffers_out_of_range) {
  ArtifactWriter writer;
  buildTestModel(writer);
  uint32_t stray = writer.addInputBuffer(5, 4);
  uint32_t first = writer.addDispatch("add_f32", {stray}, 1);
  writer.addEntryPoint("bad", {}, {}, first, 1);
  expectRefused(writeArtifact(writer, "input-out-of-range.agm"), AGM_DATA_LOSS,
                "dispatch 16 ('add_f32') of entry point 'bad' uses input 5, "
                "but the entry has 0");

  ArtifactWriter big;
  buildTestModel(big);
  uint32_t in = big.addInputBuffer(0, 8);
  uint32_t wide = big.addInputBuffer(0, 10000);
  first = big.addDispatch("add_f32", {wide}, 1);
  big.addEntryPoint("wide", {TensorSpec{"small", AGM_F32, {2}, in}}, {}, first,
                    1);
  expectRefused(writeArtifact(big, "input-too-small.agm"), AGM_DATA_LOSS,
                "uses [offset 0, size 10000] of input 'small', which has 8 "
                "bytes");
}

TEST(refuse_missing_kernel_symbol) {
  ArtifactWriter writer;
  buildTestModel(writer);
  uint32_t first = writer.addDispatch("no_such_kernel", {}, 1);
  writer.addEntryPoint("broken", {}, {}, first, 1);
  expectRefused(writeArtifact(writer, "missing-kernel.agm"), AGM_NOT_FOUND,
                "kernel 'no_such_kernel' of dispatch 16 is not defined");
}

TEST(refuse_code_that_is_not_elf) {
  ArtifactWriter writer;
  buildTestModel(writer);
  writer.setCpuCode(std::vector<uint8_t>(100, 'c'));
  expectRefused(writeArtifact(writer, "not-elf.agm"), AGM_DATA_LOSS,
                "not an ELF shared object");
  // A truncated shared object (the loader would fault on it).
  std::vector<uint8_t> code = testKernels();
  code.resize(code.size() / 2);
  ArtifactWriter truncated;
  buildTestModel(truncated);
  truncated.setCpuCode(code);
  expectRefused(writeArtifact(truncated, "truncated-elf.agm"), AGM_DATA_LOSS,
                "the CODE_CPU section is a truncated or malformed ELF file");
}

TEST(refuse_cpu_features) {
  ArtifactWriter writer;
  buildTestModel(writer);
  writer.setTarget(1, "cpu", "future-cpu", (1ull << 63) | (1ull << 40));
  expectRefused(writeArtifact(writer, "features.agm"), AGM_INCOMPATIBLE,
                "needs CPU features this host lacks: unknown feature (bit "
                "40), unknown feature (bit 63) (it was compiled for cpu "
                "'future-cpu')");
  // A named feature, when this host lacks one.
  struct {
    uint64_t bit;
    const char *name;
    bool present;
  } const named[] = {
      {AGM_CPU_AVX512F, "avx512f", __builtin_cpu_supports("avx512f") != 0},
      {AGM_CPU_AVX512BW, "avx512bw", __builtin_cpu_supports("avx512bw") != 0},
      {AGM_CPU_AVX2, "avx2", __builtin_cpu_supports("avx2") != 0},
  };
  for (const auto &feature : named) {
    if (feature.present)
      continue;
    ArtifactWriter lacking;
    buildTestModel(lacking);
    lacking.setTarget(1, "cpu", "x86-64-v4", feature.bit);
    expectRefused(writeArtifact(lacking, std::string(feature.name) + ".agm"),
                  AGM_INCOMPATIBLE,
                  std::string("host lacks: ") + feature.name);
    break;
  }
  // Features the host has are accepted.
  ArtifactWriter present;
  buildTestModel(present);
  present.setTarget(1, "cpu", "x86-64", 0);
  CHECK(tryCreate(writeArtifact(present, "no-features.agm")).code == AGM_OK);
}

TEST(refuse_wrong_target) {
  // A valid CUDA artifact where no driver can be loaded (the executor's
  // own tests are runtime_cuda_tests, over a mock driver).
  ArtifactWriter cuda;
  buildCudaTestModel(cuda);
  std::string cudaPath = writeArtifact(cuda, "cuda.agm");
  setenv("AGM_CUDA_DRIVER", "/nonexistent/libcuda.so.1", 1);
  expectRefused(cudaPath, AGM_UNAVAILABLE,
                "compiled for cuda, but cannot load the CUDA driver "
                "'/nonexistent/libcuda.so.1'");
  unsetenv("AGM_CUDA_DRIVER");
  int32_t target = 0;
  CHECK(agm_artifact_target(cudaPath.c_str(), &target) == nullptr);
  CHECK(target == AGM_TARGET_CUDA);
  CHECK(agm_artifact_target(validArtifact().c_str(), &target) == nullptr);
  CHECK(target == AGM_TARGET_CPU);
  ArtifactWriter unknown;
  buildTestModel(unknown);
  unknown.setTarget(9, "tpu", "", 0);
  expectRefused(writeArtifact(unknown, "unknown-target.agm"), AGM_INCOMPATIBLE,
                "unknown target 9");
}

TEST(random_corruption_never_crashes) {
  // Random bytes in the header, table, metadata, plan and strings, with the
  // checksums made to match, reach the structural checks behind them: each
  // must be refused or accepted cleanly, never crash. (Runs are not tried:
  // the kernels trust the sizes the plan gives them.)
  std::vector<uint8_t> original = readFile(validArtifact());
  std::string path = tempPath("fuzz.agm");
  const char *seedEnv = std::getenv("AGM_FUZZ_SEED");
  uint64_t state = seedEnv ? std::strtoull(seedEnv, nullptr, 10) | 1
                           : 0x9e3779b97f4a7c15ull;
  auto next = [&] {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
  };
  int refused = 0;
  // Byte ranges to mutate: header + table, metadata, plan, strings.
  std::vector<std::pair<uint64_t, uint64_t>> ranges = {
      {0, headerOf(original).section_table_offset +
              headerOf(original).section_count * sizeof(agm_section)}};
  for (uint32_t kind :
       {AGM_SECTION_METADATA, AGM_SECTION_PLAN, AGM_SECTION_STRINGS}) {
    const agm_section &s = sectionOf(original, kind);
    ranges.push_back({s.offset, s.size});
  }
  const char *iterationsEnv = std::getenv("AGM_FUZZ_ITERATIONS");
  int iterations = iterationsEnv ? std::atoi(iterationsEnv) : 600;
  for (int i = 0; i < iterations; ++i) {
    std::vector<uint8_t> bytes = original;
    int edits = 1 + next() % 3;
    for (int e = 0; e < edits; ++e) {
      const auto &range = ranges[next() % ranges.size()];
      uint64_t at = range.first + next() % range.second;
      bytes[at] = next() % 4 == 0 ? 0xff : static_cast<uint8_t>(next());
    }
    if (next() % 4 != 0 && headerOf(bytes).section_count <= 8 &&
        headerOf(bytes).section_table_offset == sizeof(agm_header) &&
        std::memcmp(bytes.data(), AGM_MAGIC, 8) == 0) {
      bool sane = true;
      agm_section *table = tableOf(bytes);
      for (uint32_t k = 0; k < headerOf(bytes).section_count; ++k)
        sane &= table[k].offset <= bytes.size() &&
                table[k].size <= bytes.size() - table[k].offset;
      if (sane)
        reseal(bytes);
    }
    writeBytes(path, bytes);
    if (std::getenv("AGM_FUZZ_TRACE")) {
      writeBytes(tempPath("fuzz-" + std::to_string(i) + ".agm"), bytes);
      std::fprintf(stderr, "fuzz %d\n", i);
    }
    refused += tryCreate(path).code != AGM_OK;
  }
  CHECK(refused > 0);
}

//===----------------------------------------------------------------------===//
// Generation (the toy LLM of kernels.c)
//===----------------------------------------------------------------------===//

namespace {

/// The toy model computed directly on the token sequence, independently of
/// chunks, padding and state: the logits row of position q over seq[0..q].
namespace toy {
constexpr int64_t kVocab = 64, kChunk = 4, kMaxContext = 32;

float target(const std::vector<int64_t> &seq, int64_t q) {
  uint64_t h = 1469598103934665603ull ^ (uint64_t(q) * 0x9e3779b97f4a7c15ull);
  for (int64_t i = 0; i <= q; ++i) {
    h = (h ^ uint64_t(seq[i] + 7919 * i)) * 1099511628211ull;
    h ^= h >> 31;
  }
  return float(h % uint64_t(2 * kVocab - 1)) / 2;
}

std::vector<float> row(const std::vector<int64_t> &seq, int64_t q) {
  float f = target(seq, q);
  std::vector<float> out(kVocab);
  for (int64_t v = 0; v < kVocab; ++v)
    out[v] = -((float(v) - f) * (float(v) - f));
  return out;
}

/// Greedy continuation of `prompt` by n tokens; `ties` counts the tokens
/// chosen between two equal maxima.
std::vector<int64_t> continuation(const std::vector<int64_t> &prompt, int n,
                                  int *ties = nullptr) {
  std::vector<int64_t> seq = prompt, out;
  for (int i = 0; i < n; ++i) {
    float f = target(seq, int64_t(seq.size()) - 1);
    if (ties && f != std::floor(f))
      ++*ties;
    out.push_back(int64_t(std::floor(f)));
    seq.push_back(out.back());
  }
  return out;
}
} // namespace toy

const std::vector<int64_t> kPrompt = {5, 17, 0, 42, 63, 1, 8, 30, 12};

std::string toyArtifact(const ToyLlmOptions &options = {},
                        const std::string &name = "toy.agm") {
  ArtifactWriter writer;
  buildToyLlm(writer, options);
  return writeArtifact(writer, name);
}

void runEntry(agm_model model, const char *name, void *output) {
  int32_t entry = -1;
  CHECK(agm_model_find_entry(model, name, &entry) == nullptr);
  void *outputs[] = {output};
  CHECK(agm_model_run(model, entry, nullptr, outputs) == nullptr);
}
void poison(agm_model model) { runEntry(model, "poison", nullptr); }
std::vector<int64_t> peek(agm_model model) {
  std::vector<int64_t> cache(toy::kMaxContext, -1);
  runEntry(model, "peek", cache.data());
  return cache;
}

/// What an on_token callback saw.
struct Recorder {
  std::vector<int32_t> steps;
  std::vector<int64_t> tokens;
  std::vector<std::vector<float>> rows;
  int32_t stopAtStep = -1;
  static int32_t callback(void *user, int32_t step, int64_t token,
                          const float *logits, int64_t vocab) {
    Recorder &r = *static_cast<Recorder *>(user);
    r.steps.push_back(step);
    r.tokens.push_back(token);
    r.rows.emplace_back(logits, logits + vocab);
    return step == r.stopAtStep;
  }
};

struct Generation {
  agm_status_code code = AGM_OK;
  std::string message;
  std::vector<int64_t> tokens;
  agm_generate_stats stats{};
};

Generation generate(agm_model model, const std::vector<int64_t> &prompt,
                    const agm_generate_params &params) {
  Generation g;
  std::vector<int64_t> out(std::max(params.max_new_tokens, 0) + 1, -7);
  int32_t count = -1;
  agm_status status =
      agm_model_generate(model, prompt.data(), int32_t(prompt.size()), &params,
                         out.data(), &count, &g.stats);
  g.code = agm_status_code_of(status);
  g.message = agm_status_message(status);
  agm_status_release(status);
  CHECK(count >= 0 && count <= std::max(params.max_new_tokens, 0));
  CHECK(out[std::max(params.max_new_tokens, 0)] == -7); // no overrun
  g.tokens.assign(out.begin(), out.begin() + std::max(count, 0));
  return g;
}

agm_generate_params paramsFor(int32_t maxNewTokens) {
  agm_generate_params params;
  agm_generate_params_init(&params);
  params.max_new_tokens = maxNewTokens;
  return params;
}

} // namespace

TEST(generate_params_defaults_and_max_context) {
  agm_generate_params params;
  std::memset(&params, 0x5a, sizeof(params));
  agm_generate_params_init(&params);
  CHECK(params.max_new_tokens == 32 && params.stop_token == -1 &&
        params.on_token == nullptr && params.user == nullptr &&
        params.prompt_logits == nullptr);

  agm_model llm = create(toyArtifact(), 1);
  CHECK(agm_model_max_context(llm) == toy::kMaxContext);
  agm_llm_info info{};
  CHECK(agm_model_llm_info(llm, &info) == nullptr);
  CHECK(info.prefill_length == toy::kChunk && info.vocab_size == toy::kVocab &&
        info.max_context == toy::kMaxContext);
  agm_model_release(llm);

  agm_model onnx = create(validArtifact(), 1);
  CHECK(agm_model_max_context(onnx) == 0);
  agm_status status = agm_model_llm_info(onnx, &info);
  CHECK(agm_status_code_of(status) == AGM_NOT_FOUND);
  CHECK_CONTAINS(agm_status_message(status),
                 "has no entry point 'prefill': it is not an LLM artifact "
                 "(compiled from a GLM checkpoint)");
  agm_status_release(status);
  agm_model_release(onnx);
  CHECK(agm_model_max_context(nullptr) == 0);
}

TEST(generate_toy_llm) {
  // 9 prompt tokens: prefill calls at 0, 4, 8, the last padded with three
  // zeros; then 11 decodes at positions 9..19.
  const int n = 12;
  int ties = 0;
  std::vector<int64_t> expected = toy::continuation(kPrompt, n, &ties);
  CHECK(ties > 0); // the tie-break (first maximal index) is exercised
  std::vector<int64_t> seq = kPrompt;
  seq.insert(seq.end(), expected.begin(), expected.end());
  for (int threads : {1, 4}) {
    agm_model model = create(toyArtifact(), threads);
    for (int round = 0; round < 2; ++round) { // the second over stale state
      poison(model);
      Recorder recorder;
      std::vector<float> promptLogits(kPrompt.size() * toy::kVocab, -1);
      agm_generate_params params = paramsFor(n);
      params.on_token = Recorder::callback;
      params.user = &recorder;
      params.prompt_logits = promptLogits.data();
      Generation g = generate(model, kPrompt, params);
      CHECK(g.code == AGM_OK);
      CHECK(g.tokens == expected);
      CHECK(recorder.tokens == expected);
      bool stepsOk = recorder.steps.size() == size_t(n);
      for (int i = 0; stepsOk && i < n; ++i)
        stepsOk =
            recorder.steps[i] == i &&
            recorder.rows[i] == toy::row(seq, int64_t(kPrompt.size()) + i - 1);
      CHECK(stepsOk);
      bool promptOk = true;
      for (size_t q = 0; q < kPrompt.size(); ++q) {
        std::vector<float> want = toy::row(kPrompt, int64_t(q));
        promptOk &= std::equal(want.begin(), want.end(),
                               promptLogits.begin() + q * toy::kVocab);
      }
      CHECK(promptOk);
      CHECK(g.stats.prompt_tokens == 9 && g.stats.generated_tokens == n &&
            g.stats.prefill_calls == 3 && g.stats.decode_calls == n - 1);
      CHECK(g.stats.prefill_seconds > 0 && g.stats.decode_seconds > 0 &&
            g.stats.prefill_seconds < 10 && g.stats.decode_seconds < 10);
      // The cache: the prompt at 0..8, generated tokens 0..10 at 9..19 (the
      // last one is never fed back), the rest untouched.
      std::vector<int64_t> cache = peek(model);
      std::vector<int64_t> want(seq.begin(), seq.end() - 1);
      want.resize(toy::kMaxContext, kToyPoison);
      CHECK(cache == want);
    }
    agm_model_release(model);
  }
}

TEST(generate_pads_the_last_chunk_with_zeros) {
  agm_model model = create(toyArtifact(), 2);
  for (int n : {1, 2}) {
    poison(model);
    Generation g = generate(model, kPrompt, paramsFor(n));
    CHECK(g.code == AGM_OK);
    CHECK(g.tokens == toy::continuation(kPrompt, n));
    CHECK(g.stats.prefill_calls == 3 && g.stats.decode_calls == n - 1);
    if (n == 1)
      CHECK(g.stats.decode_seconds == 0);
    // Positions 9..11 hold the padding (token 0) unless decode wrote them.
    std::vector<int64_t> want = kPrompt;
    if (n == 2)
      want.push_back(g.tokens[0]);
    want.resize(12, 0);
    want.resize(toy::kMaxContext, kToyPoison);
    CHECK(peek(model) == want);
  }
  agm_model_release(model);
}

TEST(generate_prompt_lengths) {
  agm_model model = create(toyArtifact(), 2);
  // After the longest generation the shorter ones run over its stale state.
  for (int s : {9, 1, 3, 4, 5, 8, 28}) {
    std::vector<int64_t> prompt;
    for (int i = 0; i < s; ++i)
      prompt.push_back((i * 37 + 11) % toy::kVocab);
    int n = int(toy::kMaxContext) - s; // up to the whole context
    if (n > 10 && s != 9)
      n = 10;
    Generation g = generate(model, prompt, paramsFor(n));
    CHECK(g.code == AGM_OK);
    if (g.tokens != toy::continuation(prompt, n))
      std::fprintf(stderr, "prompt of %d tokens: wrong tokens\n", s);
    CHECK(g.tokens == toy::continuation(prompt, n));
    CHECK(g.stats.prefill_calls == (s + 3) / 4);
    CHECK(g.stats.decode_calls == n - 1);
  }
  agm_model_release(model);
}

TEST(generate_stops) {
  agm_model model = create(toyArtifact(), 1);
  const int n = 16;
  std::vector<int64_t> expected = toy::continuation(kPrompt, n);
  // Stop token: the first token from index 2 on that did not occur before.
  int k = 2;
  while (std::find(expected.begin(), expected.begin() + k, expected[k]) !=
         expected.begin() + k)
    ++k;
  CHECK(k < n);
  agm_generate_params params = paramsFor(n);
  params.stop_token = expected[k];
  Generation g = generate(model, kPrompt, params);
  CHECK(g.code == AGM_OK);
  CHECK(g.tokens ==
        std::vector<int64_t>(expected.begin(), expected.begin() + k + 1));
  CHECK(g.stats.generated_tokens == k + 1 && g.stats.decode_calls == k);

  // on_token returning nonzero at step 3 keeps that token and stops.
  Recorder recorder;
  recorder.stopAtStep = 3;
  params = paramsFor(n);
  params.on_token = Recorder::callback;
  params.user = &recorder;
  g = generate(model, kPrompt, params);
  CHECK(g.code == AGM_OK);
  CHECK(g.tokens ==
        std::vector<int64_t>(expected.begin(), expected.begin() + 4));
  CHECK(recorder.tokens == g.tokens);
  CHECK(g.stats.decode_calls == 3);

  // No new tokens: prefill only (its logits still come back).
  std::vector<float> promptLogits(kPrompt.size() * toy::kVocab, -1);
  params = paramsFor(0);
  params.prompt_logits = promptLogits.data();
  int32_t count = -1;
  agm_generate_stats stats;
  agm_status status = agm_model_generate(model, kPrompt.data(), 9, &params,
                                         nullptr, &count, &stats);
  CHECK(status == nullptr);
  agm_status_release(status);
  CHECK(count == 0 && stats.prefill_calls == 3 && stats.decode_calls == 0 &&
        stats.generated_tokens == 0);
  std::vector<float> last = toy::row(kPrompt, 8);
  CHECK(std::equal(last.begin(), last.end(),
                   promptLogits.begin() + 8 * toy::kVocab));

  // NULL params: the defaults (32 tokens, more than the context allows).
  std::vector<int64_t> out(32);
  status = agm_model_generate(model, kPrompt.data(), 1, nullptr, out.data(),
                              &count, nullptr);
  CHECK(agm_status_code_of(status) == AGM_INVALID_ARGUMENT);
  CHECK_CONTAINS(agm_status_message(status), "1 prompt + 32 new tokens = 33");
  agm_status_release(status);
  agm_model_release(model);
}

TEST(generate_drops_other_outputs) {
  ToyLlmOptions options;
  options.extraOutput = true;
  agm_model model = create(toyArtifact(options, "toy-extra-output.agm"), 2);
  Generation g = generate(model, kPrompt, paramsFor(5));
  CHECK(g.code == AGM_OK);
  CHECK(g.tokens == toy::continuation(kPrompt, 5));
  agm_model_release(model);
}

TEST(concurrent_generations_are_serialized) {
  agm_model model = create(toyArtifact(), 2);
  std::vector<std::thread> callers;
  std::vector<int> wrong(3, 0);
  for (int t = 0; t < 3; ++t)
    callers.emplace_back([&, t] {
      std::vector<int64_t> prompt = {int64_t(t * 20 + 1), 2, 3, int64_t(t)};
      std::vector<int64_t> expected = toy::continuation(prompt, 20);
      for (int run = 0; run < 20; ++run) {
        std::vector<int64_t> out(20);
        int32_t count = 0;
        agm_generate_params params = paramsFor(20);
        agm_status status = agm_model_generate(model, prompt.data(), 4, &params,
                                               out.data(), &count, nullptr);
        wrong[t] += status != nullptr || out != expected;
        agm_status_release(status);
      }
    });
  for (std::thread &caller : callers)
    caller.join();
  CHECK(wrong == std::vector<int>(3, 0));
  agm_model_release(model);
}

TEST(generate_refuses_before_running) {
  agm_model model = create(toyArtifact(), 1);
  std::vector<int64_t> out(40);
  int32_t count = -1;
  auto expectRefusal = [&](agm_model m, const std::vector<int64_t> &prompt,
                           agm_generate_params params, agm_status_code code,
                           const std::string &part) {
    Generation g = generate(m, prompt, params);
    CHECK(g.code == code);
    CHECK_CONTAINS(g.message, part);
    CHECK(g.tokens.empty());
  };
  poison(model);
  expectRefusal(model, {}, paramsFor(4), AGM_INVALID_ARGUMENT,
                "the prompt has 0 tokens; at least 1 is needed");
  expectRefusal(model, {1, 2, 3, 64}, paramsFor(4), AGM_INVALID_ARGUMENT,
                "prompt token 3 is 64, outside the vocabulary [0, 64) of "
                "artifact '");
  expectRefusal(model, {-1}, paramsFor(4), AGM_INVALID_ARGUMENT,
                "prompt token 0 is -1");
  expectRefusal(model, kPrompt, paramsFor(-1), AGM_INVALID_ARGUMENT,
                "max_new_tokens is -1");
  expectRefusal(model, kPrompt, paramsFor(24), AGM_INVALID_ARGUMENT,
                "9 prompt + 24 new tokens = 33, more than the 32 positions "
                "(max_context) of artifact '");
  agm_generate_params stop = paramsFor(4);
  stop.stop_token = 64;
  expectRefusal(model, kPrompt, stop, AGM_INVALID_ARGUMENT,
                "stop_token 64 is outside the vocabulary [0, 64)");
  stop.stop_token = -2;
  expectRefusal(model, kPrompt, stop, AGM_INVALID_ARGUMENT, "stop_token -2");

  // NULL pointers.
  agm_generate_params params = paramsFor(4);
  auto expectNull = [&](agm_status status, const char *part) {
    CHECK(agm_status_code_of(status) == AGM_INVALID_ARGUMENT);
    CHECK_CONTAINS(agm_status_message(status), part);
    agm_status_release(status);
  };
  expectNull(agm_model_generate(nullptr, kPrompt.data(), 9, &params, out.data(),
                                &count, nullptr),
             "model is NULL");
  expectNull(agm_model_generate(model, nullptr, 9, &params, out.data(), &count,
                                nullptr),
             "prompt is NULL");
  expectNull(agm_model_generate(model, kPrompt.data(), 9, &params, nullptr,
                                &count, nullptr),
             "out_tokens is NULL, but max_new_tokens is 4");
  expectNull(agm_model_generate(model, kPrompt.data(), 9, &params, out.data(),
                                nullptr, nullptr),
             "out_count is NULL");
  expectNull(agm_model_llm_info(model, nullptr), "out_info is NULL");
  // Nothing ran.
  CHECK(peek(model) == std::vector<int64_t>(toy::kMaxContext, kToyPoison));

  // The largest request that fits: 9 + 23 = 32 positions.
  Generation g = generate(model, kPrompt, paramsFor(23));
  CHECK(g.code == AGM_OK);
  CHECK(g.tokens == toy::continuation(kPrompt, 23));
  agm_model_release(model);

  // Padded prefill beyond max_context: 9 tokens need 3 calls of 4 = 12
  // positions, the metadata says 10.
  ToyLlmOptions options;
  options.metadataMaxContext = 10;
  model = create(toyArtifact(options, "toy-context-10.agm"), 1);
  poison(model);
  expectRefusal(model, kPrompt, paramsFor(1), AGM_INVALID_ARGUMENT,
                "the 9 prompt tokens padded to 3 prefill calls of 4 need 12 "
                "positions, more than the 10 (max_context)");
  CHECK(peek(model) == std::vector<int64_t>(toy::kMaxContext, kToyPoison));
  // 8 tokens fit exactly in 2 calls.
  std::vector<int64_t> eight(kPrompt.begin(), kPrompt.begin() + 8);
  g = generate(model, eight, paramsFor(2));
  CHECK(g.code == AGM_OK && g.tokens == toy::continuation(eight, 2));
  agm_model_release(model);
}

TEST(generate_refuses_other_artifacts) {
  struct Case {
    const char *name;
    std::function<void(ToyLlmOptions &)> change;
    agm_status_code code;
    const char *message;
  } const cases[] = {
      {"no-decode", [](auto &o) { o.withDecode = false; }, AGM_NOT_FOUND,
       "has no entry point 'decode': it is not an LLM artifact (compiled "
       "from a GLM checkpoint)"},
      {"tokens-i32", [](auto &o) { o.tokensDtype = AGM_I32; },
       AGM_INVALID_ARGUMENT,
       "input 'tokens' of entry point 'prefill' is i32[1, 4], expected "
       "i64[1, C] with C >= 1"},
      {"position-2", [](auto &o) { o.positionDims = {2}; },
       AGM_INVALID_ARGUMENT,
       "input 'position' of entry point 'prefill' is i64[2], expected i64[] "
       "(one element)"},
      {"decode-vocab", [](auto &o) { o.decodeVocab = 65; },
       AGM_INVALID_ARGUMENT,
       "the logits of 'prefill' have 64 entries per position, those of "
       "'decode' 65"},
      {"no-logits", [](auto &o) { o.prefillLogitsName = "scores"; },
       AGM_NOT_FOUND,
       "entry point 'prefill' has no output 'logits' (it has 'scores')"},
      {"extra-input", [](auto &o) { o.extraInput = true; },
       AGM_INVALID_ARGUMENT,
       "entry point 'prefill' has an input 'mask' that generation cannot "
       "fill (it passes only 'tokens' and 'position')"},
      {"no-max-context", [](auto &o) { o.metadataMaxContext = 0; },
       AGM_INVALID_ARGUMENT,
       "has entry points 'prefill' and 'decode' but no max_context (0 in "
       "its metadata)"},
  };
  for (const Case &c : cases) {
    ToyLlmOptions options;
    c.change(options);
    std::string path =
        toyArtifact(options, std::string("toy-") + c.name + ".agm");
    agm_model model = create(path, 1);
    poison(model);
    Generation g = generate(model, kPrompt, paramsFor(4));
    if (g.code != c.code)
      std::fprintf(stderr, "%s: code %d\n", c.name, int(g.code));
    CHECK(g.code == c.code);
    CHECK_CONTAINS(g.message, c.message);
    CHECK_CONTAINS(g.message, path);
    agm_llm_info info;
    agm_status status = agm_model_llm_info(model, &info);
    CHECK(agm_status_code_of(status) == c.code);
    agm_status_release(status);
    CHECK(peek(model) == std::vector<int64_t>(toy::kMaxContext, kToyPoison));
    agm_model_release(model);
  }
  // An ONNX-style artifact.
  agm_model model = create(validArtifact(), 1);
  Generation g = generate(model, kPrompt, paramsFor(4));
  CHECK(g.code == AGM_NOT_FOUND);
  CHECK_CONTAINS(g.message, "has no entry point 'prefill': it is not an LLM "
                            "artifact");
  agm_model_release(model);
}

//===----------------------------------------------------------------------===//

int main(int argc, char **argv) { return runRegisteredTests(argc, argv); }
