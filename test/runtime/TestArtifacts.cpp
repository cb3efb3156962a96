//===- TestArtifacts.cpp - artifacts over the test kernels ----------------===//

#include "test/runtime/TestArtifacts.h"

#include "test/runtime/test_params.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>

using mlir::autoglm::ArtifactWriter;
using mlir::autoglm::TensorSpec;

namespace agmtest {

std::vector<uint8_t> readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in),
                              std::istreambuf_iterator<char>());
}

const std::vector<uint8_t> &testKernels() {
  static const std::vector<uint8_t> bytes = [] {
    std::vector<uint8_t> data = readFile(AGM_TEST_KERNELS_PATH);
    if (data.empty()) {
      std::fprintf(stderr, "cannot read the test kernels %s\n",
                   AGM_TEST_KERNELS_PATH);
      std::exit(2);
    }
    return data;
  }();
  return bytes;
}

static uint64_t addParams(ArtifactWriter &writer, int64_t n) {
  test_params params{};
  params.n = n;
  params.scale = kScale;
  return writer.addWeight(&params, sizeof(params));
}

void buildTestModel(ArtifactWriter &writer) {
  writer.setTarget(1, "cpu", "x86-64", 0);
  writer.setCompilerVersion(0, 1, 0);
  writer.setSourceModel("test-model", 42);
  writer.setCpuCode(testKernels());

  // An unrelated weight first, so the parameters sit at a non-zero offset.
  std::vector<uint8_t> filler(100, 0xab);
  writer.addWeight(filler);

  // main
  const uint64_t bytes = kElements * sizeof(float);
  uint64_t params = addParams(writer, kElements);
  uint32_t paramsBuffer = writer.addWeightBuffer(params, sizeof(test_params));
  writer.setArenaSize(bytes + 64);
  uint32_t x = writer.addInputBuffer(0, bytes);
  uint32_t y = writer.addInputBuffer(1, bytes);
  uint32_t sum = writer.addArenaBuffer(64, bytes);
  uint32_t scaled = writer.addOutputBuffer(1, bytes);
  uint64_t groups = (kElements + 63) / 64;
  uint32_t first = writer.addDispatch("add_f32", {x, y, sum, paramsBuffer},
                                      groups);
  writer.addDispatch("scale_f32", {sum, paramsBuffer, scaled}, groups);
  std::vector<int64_t> shape = {kRows, kCols};
  writer.addEntryPoint("main",
                       {TensorSpec{"x", AGM_F32, shape, x},
                        TensorSpec{"y", AGM_F32, shape, y}},
                       {TensorSpec{"sum", AGM_F32, shape, sum},
                        TensorSpec{"scaled", AGM_F32, shape, scaled}},
                       first, 2);

  // counter
  writer.setStateSize(8);
  uint32_t state = writer.addStateBuffer(0, 8);
  uint32_t count = writer.addOutputBuffer(0, 8);
  first = writer.addDispatch("count_runs", {state, count}, 1);
  writer.addEntryPoint("counter", {}, {TensorSpec{"count", AGM_I64, {}, count}},
                       first, 1);

  // echo_<dtype>
  struct {
    const char *name;
    agm_dtype dtype;
  } const dtypes[] = {{"f32", AGM_F32},  {"f64", AGM_F64},   {"f16", AGM_F16},
                      {"bf16", AGM_BF16}, {"i8", AGM_I8},    {"i16", AGM_I16},
                      {"i32", AGM_I32},  {"i64", AGM_I64},   {"u8", AGM_U8},
                      {"u16", AGM_U16},  {"u32", AGM_U32},   {"u64", AGM_U64},
                      {"bool", AGM_BOOL}};
  for (const auto &d : dtypes) {
    uint64_t size = 6 * mlir::autoglm::dtypeByteSize(d.dtype);
    uint32_t echoParams =
        writer.addWeightBuffer(addParams(writer, size), sizeof(test_params));
    uint32_t in = writer.addInputBuffer(0, size);
    uint32_t out = writer.addOutputBuffer(0, size);
    first = writer.addDispatch("copy_bytes", {in, out, echoParams},
                               (size + 63) / 64);
    writer.addEntryPoint(std::string("echo_") + d.name,
                         {TensorSpec{"x", d.dtype, {2, 3}, in}},
                         {TensorSpec{"y", d.dtype, {2, 3}, out}}, first, 1);
  }
}

void buildVisitModel(ArtifactWriter &writer, int64_t workgroups) {
  writer.setTarget(1, "cpu", "x86-64", 0);
  writer.setCpuCode(testKernels());
  uint32_t counts = writer.addOutputBuffer(0, workgroups * 4);
  uint32_t begins = writer.addOutputBuffer(1, workgroups * 8);
  uint32_t threads = writer.addOutputBuffer(2, workgroups * 8);
  uint32_t first =
      writer.addDispatch("visit", {counts, begins, threads}, workgroups);
  writer.addEntryPoint("visit", {},
                       {TensorSpec{"counts", AGM_I32, {workgroups}, counts},
                        TensorSpec{"begins", AGM_I64, {workgroups}, begins},
                        TensorSpec{"threads", AGM_I64, {workgroups}, threads}},
                       first, 1);
}

void buildToyLlm(ArtifactWriter &writer, const ToyLlmOptions &options) {
  const int64_t chunk = options.prefillLength, vocab = options.vocab,
                positions = options.maxContext;
  if (options.cuda) {
    writer.setTarget(2, "cuda", "sm_80", 0);
    static const char image[] = "// mock-module tag=toy-ptx80 kernels: "
                                "toy_write toy_logits copy_bytes toy_fill\n";
    writer.addCudaImage(80, AGM_CUDA_PTX,
                        llvm::ArrayRef<uint8_t>(
                            reinterpret_cast<const uint8_t *>(image),
                            sizeof(image)));
  } else {
    writer.setTarget(1, "cpu", "x86-64", 0);
    writer.setCpuCode(testKernels());
  }
  // One dispatch: a CPU kernel call, or a launch of one block per workgroup.
  auto addKernel = [&](const char *kernel, std::vector<uint32_t> bindings,
                       int64_t workgroups) {
    if (!options.cuda)
      return writer.addDispatch(kernel, bindings, workgroups);
    ArtifactWriter::Launch launch{kernel,
                                  {static_cast<uint32_t>(workgroups), 1, 1},
                                  {1, 1, 1},
                                  0,
                                  bindings};
    return writer.addCudaDispatch(kernel, bindings, {launch});
  };
  writer.setCompilerVersion(0, 1, 0);
  writer.setSourceModel("toy-llm", 7);
  writer.setMaxContext(options.metadataMaxContext < 0
                           ? static_cast<uint32_t>(positions)
                           : static_cast<uint32_t>(options.metadataMaxContext));
  writer.setStateSize(positions * 8);
  uint32_t cache = writer.addStateBuffer(0, positions * 8);
  auto params = [&](int64_t length, int64_t entryVocab) {
    toy_llm_params p{};
    p.length = length;
    p.vocab = entryVocab;
    p.max_context = positions;
    p.fill = kToyPoison;
    return writer.addWeightBuffer(writer.addWeight(&p, sizeof(p)), sizeof(p));
  };

  // prefill (C tokens) and decode (1 token): toy_write, then toy_logits.
  auto addStep = [&](const char *name, const char *tokensName, int64_t length,
                     int64_t entryVocab, agm_dtype tokensDtype,
                     const std::string &logitsName, bool extraInput,
                     bool extraOutput) {
    uint32_t stepParams = params(length, entryVocab);
    uint64_t tokenBytes = length * mlir::autoglm::dtypeByteSize(tokensDtype);
    uint32_t tokens = writer.addInputBuffer(0, tokenBytes);
    uint32_t position = writer.addInputBuffer(1, 8);
    uint32_t logits = writer.addOutputBuffer(0, length * entryVocab * 4);
    uint32_t first =
        addKernel("toy_write", {tokens, position, cache, stepParams}, 1);
    addKernel("toy_logits", {position, cache, logits, stepParams}, length);
    std::vector<TensorSpec> inputs = {
        TensorSpec{tokensName, tokensDtype, {1, length}, tokens},
        TensorSpec{"position", AGM_I64, options.positionDims, position}};
    if (extraInput)
      inputs.push_back(TensorSpec{
          "mask", AGM_I64, {1, length}, writer.addInputBuffer(2, length * 8)});
    std::vector<TensorSpec> outputs = {
        TensorSpec{logitsName, AGM_F32, {1, length, entryVocab}, logits}};
    if (extraOutput)
      outputs.push_back(TensorSpec{"hidden",
                                   AGM_F32,
                                   {1, length},
                                   writer.addOutputBuffer(1, length * 4)});
    writer.addEntryPoint(name, inputs, outputs, first, 2);
  };
  addStep("prefill", "tokens", chunk, vocab, options.tokensDtype,
          options.prefillLogitsName, options.extraInput, options.extraOutput);
  if (options.withDecode)
    addStep("decode", "token", 1,
            options.decodeVocab ? options.decodeVocab : vocab, AGM_I64,
            "logits", false, false);

  // peek and poison, for the tests.
  test_params copy{};
  copy.n = positions * 8;
  uint32_t copyParams = writer.addWeightBuffer(
      writer.addWeight(&copy, sizeof(copy)), sizeof(copy));
  uint32_t out = writer.addOutputBuffer(0, positions * 8);
  uint32_t first = addKernel("copy_bytes", {cache, out, copyParams},
                             (positions * 8 + 63) / 64);
  writer.addEntryPoint(
      "peek", {}, {TensorSpec{"cache", AGM_I64, {positions}, out}}, first, 1);
  first = addKernel("toy_fill", {cache, params(1, vocab)}, 1);
  writer.addEntryPoint("poison", {}, {}, first, 1);
}

} // namespace agmtest
