//===- GlmModelBuilder.cpp - the ag IR of a GLM model ---------------------===//
//
// Builds @prefill (T = prefill length) and @decode (T = 1) with the same
// code. Per function: positions = position + [0, T), kv_len = position + T;
// the embedding; per layer the attention block (q/k/v projections, GLM's
// interleaved partial rope, KV cache writes, causal GQA attention over the
// cache, o_proj) and the MLP (fused gate_up, silu(gate) * up, down), each
// behind an RMSNorm and a residual add, with GLM-4's two extra norms on the
// branch outputs; the final norm and the logits. What each step computes in
// transformers is in docs/design/glm-importer.md.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/glm/GlmModelBuilder.h"

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"
#include "dialects/AutoGLM/IR/AutoGLMOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"

#include <cmath>

namespace mlir::autoglm::glm_import {

std::vector<ExpectedTensor> expectedGlmTensors(const GlmConfig &config) {
  int64_t hidden = config.hiddenSize, vocab = config.vocabSize;
  int64_t qDim = config.numAttentionHeads * config.headDim;
  int64_t kvDim = config.numKeyValueHeads * config.headDim;
  int64_t inter = config.intermediateSize;
  bool glm4 = config.architecture == GlmArchitecture::Glm4;
  std::vector<ExpectedTensor> tensors;
  auto add = [&](std::string name, ArrayRef<int64_t> shape,
                 bool optional = false) {
    tensors.push_back({std::move(name), SmallVector<int64_t>(shape),
                       optional});
  };
  add("model.embed_tokens.weight", {vocab, hidden});
  for (int64_t layer = 0; layer < config.numHiddenLayers; ++layer) {
    std::string prefix = "model.layers." + std::to_string(layer) + ".";
    add(prefix + "input_layernorm.weight", {hidden});
    for (auto [proj, rows] : {std::pair<const char *, int64_t>{"q", qDim},
                              {"k", kvDim},
                              {"v", kvDim}}) {
      std::string name = prefix + "self_attn." + proj + "_proj.";
      add(name + "weight", {rows, hidden});
      if (config.attentionBias)
        add(name + "bias", {rows});
    }
    add(prefix + "self_attn.o_proj.weight", {hidden, qDim});
    if (glm4)
      add(prefix + "post_self_attn_layernorm.weight", {hidden});
    add(prefix + "post_attention_layernorm.weight", {hidden});
    add(prefix + "mlp.gate_up_proj.weight", {2 * inter, hidden});
    add(prefix + "mlp.down_proj.weight", {hidden, inter});
    if (glm4)
      add(prefix + "post_mlp_layernorm.weight", {hidden});
  }
  add("model.norm.weight", {hidden});
  add("lm_head.weight", {vocab, hidden},
      /*optional=*/config.tieWordEmbeddings);
  return tensors;
}

namespace {

/// Builds one function; T is the number of tokens per call.
class FunctionBuilder {
public:
  FunctionBuilder(const GlmConfig &config, const GlmImportOptions &options,
                  const GlmWeights &weights, OpBuilder &b, int64_t tokens)
      : config(config), weights(weights), b(b), T(tokens),
        maxContext(options.maxContext) {}

  func::FuncOp build(StringRef name, StringRef tokensName, Location loc);

private:
  Location loc(const Twine &name) {
    return NameLoc::get(b.getStringAttr(name));
  }
  RankedTensorType f32(ArrayRef<int64_t> shape) {
    return RankedTensorType::get(shape, b.getF32Type());
  }
  /// The ag.constant of checkpoint tensor `name`, made once per function.
  Value weight(StringRef name);
  Value rmsNorm(Value x, StringRef name);
  Value linear(Value x, StringRef name, bool bias);
  /// [1, T, heads * D] -> [1, heads, T, D].
  Value splitHeads(Value x, int64_t heads, Location where);
  /// The attention block of `layer`; replaces that layer's caches.
  Value attention(Value x, int64_t layer);
  Value mlp(Value x, int64_t layer);

  const GlmConfig &config;
  const GlmWeights &weights;
  OpBuilder &b;
  int64_t T, maxContext;
  llvm::StringMap<Value> constants;
  Value position, positions, kvLen;
  /// The current K and V cache of each layer: the argument, then the
  /// kv_cache_write result.
  SmallVector<Value> kCaches, vCaches;
};

Value FunctionBuilder::weight(StringRef name) {
  Value &value = constants[name];
  if (!value) {
    ElementsAttr attr = weights.tensors.lookup(name);
    assert(attr && "tensor checked against expectedGlmTensors");
    value = ConstantOp::create(b, loc(name), attr);
  }
  return value;
}

Value FunctionBuilder::rmsNorm(Value x, StringRef name) {
  Value w = weight((name + ".weight").str());
  return RmsNormOp::create(b, loc(name), x, w, b.getI64IntegerAttr(2),
                           b.getF64FloatAttr(config.rmsNormEps));
}

Value FunctionBuilder::linear(Value x, StringRef name, bool bias) {
  Value w = weight((name + ".weight").str());
  Value bv = bias ? weight((name + ".bias").str()) : Value();
  return MatmulOp::create(b, loc(name), x, w, bv, /*transpose_lhs=*/nullptr,
                          b.getUnitAttr());
}

Value FunctionBuilder::splitHeads(Value x, int64_t heads, Location where) {
  Value split = ReshapeOp::create(b, where, f32({1, T, heads, config.headDim}),
                                  x);
  return TransposeOp::create(b, where, split,
                             b.getDenseI64ArrayAttr({0, 2, 1, 3}));
}

Value FunctionBuilder::attention(Value x, int64_t layer) {
  std::string prefix = "model.layers." + std::to_string(layer) + ".";
  std::string attn = prefix + "self_attn";
  Location where = loc(attn);
  int64_t heads = config.numAttentionHeads, kvHeads = config.numKeyValueHeads;
  bool bias = config.attentionBias;
  Value q = splitHeads(linear(x, attn + ".q_proj", bias), heads, where);
  Value k = splitHeads(linear(x, attn + ".k_proj", bias), kvHeads, where);
  Value v = splitHeads(linear(x, attn + ".v_proj", bias), kvHeads, where);
  // GLM's rope: adjacent channel pairs of the first rotary_dim channels.
  auto layout = RopeLayoutAttr::get(b.getContext(), RopeLayout::interleaved);
  auto rotaryDim = b.getI64IntegerAttr(config.rotaryDim());
  auto theta = b.getF64FloatAttr(config.ropeTheta);
  q = RopeOp::create(b, where, q, positions, layout, rotaryDim, theta);
  k = RopeOp::create(b, where, k, positions, layout, rotaryDim, theta);
  // The caches hold rotated keys.
  kCaches[layer] = KVCacheWriteOp::create(b, loc(prefix + "k_cache"), k,
                                          kCaches[layer], position);
  vCaches[layer] = KVCacheWriteOp::create(b, loc(prefix + "v_cache"), v,
                                          vCaches[layer], position);
  // Scaled by head_dim, not the rotary dim.
  Value o = AttentionOp::create(
      b, where, q, kCaches[layer], vCaches[layer], /*mask=*/Value(), kvLen,
      b.getUnitAttr(), b.getF64FloatAttr(1.0 / std::sqrt(double(config.headDim))));
  o = TransposeOp::create(b, where, o, b.getDenseI64ArrayAttr({0, 2, 1, 3}));
  o = ReshapeOp::create(b, where, f32({1, T, heads * config.headDim}), o);
  return linear(o, attn + ".o_proj", /*bias=*/false);
}

Value FunctionBuilder::mlp(Value x, int64_t layer) {
  std::string prefix = "model.layers." + std::to_string(layer) + ".mlp";
  Location where = loc(prefix);
  int64_t inter = config.intermediateSize;
  Value gateUp = linear(x, prefix + ".gate_up_proj", /*bias=*/false);
  // Columns [0, I) of the product are the gate, [I, 2I) the up projection.
  auto half = [&](int64_t start) -> Value {
    return SliceOp::create(b, where, gateUp, b.getDenseI64ArrayAttr({0, 0, start}),
                           b.getDenseI64ArrayAttr({1, T, inter}),
                           b.getDenseI64ArrayAttr({1, 1, 1}));
  };
  Value gate = half(0), up = half(inter);
  Value product = MulOp::create(b, where, up, SiluOp::create(b, where, gate));
  return linear(product, prefix + ".down_proj", /*bias=*/false);
}

func::FuncOp FunctionBuilder::build(StringRef name, StringRef tokensName,
                                    Location funcLoc) {
  int64_t layers = config.numHiddenLayers;
  auto cacheType = f32({1, config.numKeyValueHeads, maxContext,
                        config.headDim});
  auto i64 = b.getI64Type();
  SmallVector<Type> argTypes = {RankedTensorType::get({1, T}, i64),
                                RankedTensorType::get({}, i64)};
  SmallVector<Type> resultTypes = {f32({1, T, config.vocabSize})};
  SmallVector<std::string> stateNames;
  for (int64_t layer = 0; layer < layers; ++layer)
    for (const char *kind : {"k_cache", "v_cache"}) {
      argTypes.push_back(cacheType);
      resultTypes.push_back(cacheType);
      stateNames.push_back("model.layers." + std::to_string(layer) + "." +
                           kind);
    }
  auto func = func::FuncOp::create(b, funcLoc, name,
                                   b.getFunctionType(argTypes, resultTypes));
  func.setArgAttr(0, "ag.name", b.getStringAttr(tokensName));
  func.setArgAttr(1, "ag.name", b.getStringAttr("position"));
  func.setResultAttr(0, "ag.name", b.getStringAttr("logits"));
  for (auto [i, state] : llvm::enumerate(stateNames)) {
    func.setArgAttr(i + 2, "ag.state", b.getStringAttr(state));
    func.setResultAttr(i + 1, "ag.state", b.getStringAttr(state));
  }

  OpBuilder::InsertionGuard guard(b);
  Block *entry = func.addEntryBlock();
  b.setInsertionPointToStart(entry);
  Value tokens = entry->getArgument(0);
  position = entry->getArgument(1);
  for (int64_t layer = 0; layer < layers; ++layer) {
    kCaches.push_back(entry->getArgument(2 + 2 * layer));
    vCaches.push_back(entry->getArgument(3 + 2 * layer));
  }

  // positions = position + [0, T); kv_len = position + T.
  SmallVector<int64_t> iota(T);
  for (int64_t i = 0; i < T; ++i)
    iota[i] = i;
  auto iotaType = RankedTensorType::get({1, T}, i64);
  Value offsets = ConstantOp::create(
      b, loc("positions"), DenseElementsAttr::get(iotaType, ArrayRef(iota)));
  positions = AddOp::create(b, loc("positions"), offsets, position);
  auto scalarType = RankedTensorType::get({}, i64);
  Value count = ConstantOp::create(
      b, loc("kv_len"), DenseElementsAttr::get(scalarType, ArrayRef(T)));
  kvLen = AddOp::create(b, loc("kv_len"), position, count);

  Value x = GatherOp::create(b, loc("model.embed_tokens"),
                             weight("model.embed_tokens.weight"), tokens,
                             b.getI64IntegerAttr(0));
  bool glm4 = config.architecture == GlmArchitecture::Glm4;
  for (int64_t layer = 0; layer < layers; ++layer) {
    std::string prefix = "model.layers." + std::to_string(layer);
    Location residual = loc(prefix);
    Value h = attention(rmsNorm(x, prefix + ".input_layernorm"), layer);
    if (glm4)
      h = rmsNorm(h, prefix + ".post_self_attn_layernorm");
    x = AddOp::create(b, residual, x, h);
    // post_attention_layernorm is the norm before the MLP in both archs.
    h = mlp(rmsNorm(x, prefix + ".post_attention_layernorm"), layer);
    if (glm4)
      h = rmsNorm(h, prefix + ".post_mlp_layernorm");
    x = AddOp::create(b, residual, x, h);
  }
  x = rmsNorm(x, "model.norm");
  Value logits = MatmulOp::create(b, loc("lm_head"), x, weight(weights.lmHead),
                                  Value(), nullptr, b.getUnitAttr());
  SmallVector<Value> results = {logits};
  for (int64_t layer = 0; layer < layers; ++layer) {
    results.push_back(kCaches[layer]);
    results.push_back(vCaches[layer]);
  }
  func::ReturnOp::create(b, funcLoc, results);
  return func;
}

} // namespace

OwningOpRef<ModuleOp> buildGlmModule(const GlmConfig &config,
                                     const GlmImportOptions &options,
                                     const GlmWeights &weights,
                                     Location location, MLIRContext &context,
                                     llvm::raw_ostream &errs) {
  context.loadDialect<AutoGLMDialect, func::FuncDialect>();
  OpBuilder b(&context);
  OwningOpRef<ModuleOp> module = ModuleOp::create(location);
  auto i64 = [&](int64_t value) { return b.getI64IntegerAttr(value); };
  module->getOperation()->setAttr(
      "ag.llm",
      b.getDictionaryAttr({
          b.getNamedAttr("architecture", b.getStringAttr(config.modelType())),
          b.getNamedAttr("max_context", i64(options.maxContext)),
          b.getNamedAttr("prefill_length", i64(options.prefillLength)),
          b.getNamedAttr("vocab_size", i64(config.vocabSize)),
          b.getNamedAttr("hidden_size", i64(config.hiddenSize)),
          b.getNamedAttr("num_hidden_layers", i64(config.numHiddenLayers)),
          b.getNamedAttr("num_attention_heads",
                         i64(config.numAttentionHeads)),
          b.getNamedAttr("num_key_value_heads", i64(config.numKeyValueHeads)),
          b.getNamedAttr("head_dim", i64(config.headDim)),
      }));
  b.setInsertionPointToEnd(module->getBody());
  FunctionBuilder(config, options, weights, b, options.prefillLength)
      .build("prefill", "tokens", location);
  FunctionBuilder(config, options, weights, b, /*tokens=*/1)
      .build("decode", "token", location);

  // An importer bug, not a user error: say where.
  ScopedDiagnosticHandler handler(&context, [&](Diagnostic &diag) {
    errs << diag.getLocation() << ": error: " << diag.str() << "\n";
    return success();
  });
  if (failed(verify(*module))) {
    errs << "error: the imported GLM module failed to verify (an importer "
            "bug: the errors above say where)\n";
    return nullptr;
  }
  return module;
}

} // namespace mlir::autoglm::glm_import
