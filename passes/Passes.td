//===- Passes.td - AutoGLM pass declarations ---------------*- tablegen -*-===//
//
// Every AutoGLM pass (DESIGN.md section 4): summary, description, options,
// statistics and dependent dialects; passes are built with the generated
// create*Pass functions (no hand-written constructor).
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_PASSES_TD
#define AUTOGLM_PASSES_TD

include "mlir/Pass/PassBase.td"

def AgToLinalgPass : Pass<"ag-to-linalg", "ModuleOp"> {
  let summary = "Lower ag ops to linalg, tensor, arith and math on tensors";
  let description = [{
    The first stage of CPU code generation. Every `ag` op becomes upstream
    ops on tensors:

    - elementwise ops: one `linalg.generic` each, numpy broadcasting carried
      by its indexing maps (a size-1 dim that broadcasts reads index 0);
    - `matmul`: `linalg.matmul` / `linalg.batch_matmul` (with transposing
      indexing maps) when the batch dims allow, else a `linalg.generic`;
    - `conv`, `pool`: `tensor.pad` then `linalg.conv_*` / `linalg.pooling_*`
      for the NCHW layouts that exist upstream, `linalg.generic` otherwise;
    - reductions, softmax and norms: `linalg.generic` reductions;
    - `attention`: two `linalg.batch_matmul` (query heads grouped per KV
      head, keys transposed once) around a softmax in `linalg.generic` ops;
      the KV-cache form masks the keys at or past `kv_len`;
    - `rope`: one `linalg.generic` reading each channel's rotation partner
      with `tensor.extract`, angles from a constant inverse-frequency table;
    - `kv_cache_write`: `tensor.insert_slice` at the (clamped) position (an
      in-place write to the runtime's state when dispatch formation gives
      it a kernel of its own);
    - data movement: `tensor.collapse_shape` / `expand_shape`,
      `linalg.transpose`, `tensor.insert_slice` / `extract_slice` /
      `tensor.pad`, gathers as `linalg.generic` with `tensor.extract`,
      scatters, cumsum and topk as `scf.for` loops on tensors;
    - `quantize` / `dequantize`: elementwise `linalg.generic` (8 and 16-bit
      storage); `dequant_matmul` (weight `K x N`): a `linalg.generic`
      contraction dequantizing in its body, tagged `ag.dequant_matmul` for
      the CPU backend's quantized GEMM microkernel.

    Signed and unsigned integer types become signless (function signatures
    included); the unsigned semantics move into the arith ops (`divui`,
    `cmpi ult`, `uitofp`, ...). Shapes must be static.
  }];
  let statistics = [
    Statistic<"numLowered", "lowered-ops", "Number of ag ops lowered">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

def PruneDeadSubgraphsPass : Pass<"ag-prune-dead-subgraphs", "func::FuncOp"> {
  let summary = "Erase side-effect-free ops and constants that reach no result";
  let description = [{
    Erases every op whose results have no uses and that has no side effects
    (all `ag` ops are `Pure`), in reverse order so that whole chains ending
    in unused values go at once. Unused constants (`ag.constant` initializers
    included) are erased too, so the artifact's weights shrink. Function
    arguments are never removed: the user declared them, and the signature
    stays as imported. Ops with side effects (calls, anything without a
    memory-effect interface) and the terminator are kept, with all they use.

    ```mlir
    func.func @f(%x: tensor<4xf32>, %unused: tensor<4xf32>) -> tensor<4xf32> {
      %w = ag.constant dense<1.0> : tensor<4xf32>  // erased
      %d = ag.exp %w : tensor<4xf32>                // erased
      return %x : tensor<4xf32>
    }
    ```

    `pruned-ops` counts every op erased, constants included;
    `pruned-constants` and `pruned-constant-bytes` count the constants among
    them and their data (splats expanded, `i1` as one byte per element, as
    the artifact stores them).
  }];
  let options = [
    Option<"pruneConstants", "prune-constants", "bool", /*default=*/"true",
           "Also erase unused constants (false keeps every initializer)">
  ];
  let statistics = [
    Statistic<"numPrunedOps", "pruned-ops",
              "Number of ops erased (constants included)">,
    Statistic<"numPrunedConstants", "pruned-constants",
              "Number of unused constants erased">,
    Statistic<"numPrunedConstantBytes", "pruned-constant-bytes",
              "Bytes of constant data erased">
  ];
  let dependentDialects = ["::mlir::autoglm::AutoGLMDialect"];
}

def FoldConstantsPass : Pass<"ag-fold-constants", "func::FuncOp"> {
  let summary = "Evaluate ag ops whose operands are all constant";
  let description = [{
    Replaces each `ag` op whose operands are all constants (`dense` or
    `dense_resource`) by an `ag.constant` holding its result, in program
    order so that chains fold completely (this is what turns exported
    models' Shape/Gather/Concat chains into static shapes). Constants left
    without uses by a fold are erased.

    Folded families: elementwise unary and binary ops with numpy broadcasting
    on floats and integers (unsigned types divide, compare and convert as
    unsigned), `compare`, `select`, `cast`, `clamp`, `reshape`, `transpose`,
    `concat`, `slice` (negative steps included), `gather`, `expand`, `pad`
    (constant mode), `reduce` and small `matmul`s. Float results are computed
    in double and rounded to the element type; integer results wrap to the
    type's width. An op is left in place when its result has more than
    `max-elements` elements (so artifacts do not bloat), when a matmul's
    reduction dim exceeds 4096, when an operand has more than
    64 x `max-elements` elements, or when its result is undefined (integer
    division by zero, an out-of-range index or slice).

    ```mlir
    %a = ag.constant dense<[1, 2]> : tensor<2xi64>
    %b = ag.constant dense<[3]> : tensor<1xi64>
    %c = ag.concat %a, %b axis 0 : (tensor<2xi64>, tensor<1xi64>) -> tensor<3xi64>
    // becomes
    %c = ag.constant dense<[1, 2, 3]> : tensor<3xi64>
    ```
  }];
  let options = [
    Option<"maxElements", "max-elements", "int64_t", /*default=*/"65536",
           "Largest result, in elements, that is materialized as a constant">
  ];
  let statistics = [
    Statistic<"numFolded", "folded-ops", "Number of ops folded to constants">,
    Statistic<"numElements", "materialized-elements",
              "Number of elements of the constants created">
  ];
  let dependentDialects = ["::mlir::autoglm::AutoGLMDialect"];
}

def FusePass : Pass<"ag-fuse", "func::FuncOp"> {
  let summary = "Recognize decomposed exporter patterns as fused ag ops, "
                "then form fusion groups";
  let description = [{
    Stage 1 (`patterns`): rewrites the decomposed forms that exporters emit
    into the fused `ag` ops (patterns in `passes/fusion/`):

    - LayerNorm: `(x - mean(x)) / sqrt(mean((x - mean(x))^2) + eps)`, times a
      scale and plus a bias when present -> `ag.layer_norm`;
    - RMSNorm (HF Llama, GLM): `w * [cast](x * rsqrt(mean(x^2) + eps))` ->
      `ag.rms_norm` (with the casts, the norm runs in the wider type);
    - GELU, erf and tanh forms, any association of the products ->
      `ag.gelu`; SiLU `x * sigmoid(x)` -> `ag.silu`;
    - softmax `exp(x - max) / sum(exp(x - max))` on one axis -> `ag.softmax`;
    - attention `softmax(q k^T * scale [+ mask]) v` (eager, and torch's
      export of `scaled_dot_product_attention`), with HF `repeat_kv`
      repetition read as grouped-query attention and constant causal masks
      as `causal` -> `ag.attention`.

    A pattern fires only when each intermediate value is used inside the
    match, its constants (epsilon, 0.5, sqrt(2), ...) are constants with the
    expected values, the reductions run over axes the fused op can express
    (trailing dims for norms, the last dim for attention) and the shapes do
    not broadcast beyond the input.

    ```mlir
    %s = ag.reduce max %x axes [1] keep_dims : tensor<4x8xf32> -> tensor<4x1xf32>
    %d = ag.sub %x, %s : tensor<4x8xf32>, tensor<4x1xf32>
    %e = ag.exp %d : tensor<4x8xf32>
    %n = ag.reduce sum %e axes [1] keep_dims : tensor<4x8xf32> -> tensor<4x1xf32>
    %y = ag.div %e, %n : tensor<4x8xf32>, tensor<4x1xf32>
    // becomes
    %y = ag.softmax %x axis 1 : tensor<4x8xf32>
    ```

    Stage 2 (`groups`): forms `ag.fusion` groups that dispatch formation
    outlines as one kernel each: elementwise chains; a matmul (2-D weight)
    or conv with an elementwise epilogue (bias, activation, residual add);
    reshapes, transposes and slices of outside values that feed an
    elementwise op (views in the kernel instead of copies). An intermediate
    value joins a group only when the group's next op is its only user and
    it has that op's shape, so every group keeps a single output and one
    loop nest (or one GEMM and one nest).
  }];
  let options = [
    Option<"patterns", "patterns", "bool", /*default=*/"true",
           "Recognize decomposed patterns (norms, GELU, SiLU, softmax, "
           "attention) as fused ag ops">,
    Option<"groups", "groups", "bool", /*default=*/"true",
           "Form fusion groups (elementwise chains, matmul/conv epilogues) "
           "into ag.fusion regions">
  ];
  let statistics = [
    Statistic<"numLayerNorms", "layer-norms",
              "Number of decomposed LayerNorms fused into ag.layer_norm">,
    Statistic<"numRmsNorms", "rms-norms",
              "Number of decomposed RMSNorms fused into ag.rms_norm">,
    Statistic<"numGelus", "gelus",
              "Number of decomposed GELUs fused into ag.gelu">,
    Statistic<"numSilus", "silus",
              "Number of x * sigmoid(x) fused into ag.silu">,
    Statistic<"numSoftmaxes", "softmaxes",
              "Number of decomposed softmaxes fused into ag.softmax">,
    Statistic<"numAttentions", "attentions",
              "Number of attention subgraphs fused into ag.attention">,
    Statistic<"numGroups", "fusion-groups", "Number of ag.fusion groups formed">,
    Statistic<"numFusedOps", "fused-ops", "Number of ops moved into groups">,
    Statistic<"numEpilogues", "epilogues",
              "Number of matmul/conv groups with a fused epilogue">
  ];
  let dependentDialects = ["::mlir::autoglm::AutoGLMDialect"];
}

def QuantizePass : Pass<"ag-quantize", "func::FuncOp"> {
  let summary = "Weight-only int8/int4 quantization of matmul weights";
  let description = [{
    Rewrites matmuls with a constant weight into `ag.dequant_matmul`, whose
    weight stays quantized in the artifact and is dequantized inside the
    GEMM microkernel. The result is always in the canonical form the CPU
    backend lowers: weight `K x N` (weights of `transpose_rhs` matmuls are
    transposed at compile time), scale `[N]` with `axis = 1` (per output
    channel) or `[ceil(K / G), N]` with `axis = 0, group_size = G` (groups
    along K), optional zero point of the scale's shape.

    * `mode=int8`: symmetric per output channel, `i8` in [-127, 127],
      `scale[n] = max_k |w[k, n]| / 127`.
    * `mode=int4`: groups of `group-size` rows of K per output channel.
      Symmetric: `i4` in [-7, 7], `scale = max |w| / 7`. Asymmetric
      (`symmetric=false`): `ui4` in [0, 15] with a `ui4` zero point,
      `scale = (max - min) / 15` over a range that includes 0. A last,
      partial group (K not divisible by the group size) has its own scale.
      i4 constants are stored packed, two per byte (low nibble first).
    * Always, `mode=none` included: the quantized form ONNX models carry
      is canonicalized: `matmul(x, dequantize(constant 8-bit w))` (from QDQ
      pairs and QLinearMatMul) becomes `dequant_matmul` with `w` as is (per
      tensor, or per column); other quantization axes are left alone.

    Only matmuls whose weight is a rank-2 constant (or a constant with
    leading unit dims, used as 2-D), whose lhs is not transposed, with K and N
    of at least `min-size` are quantized: tiny matmuls gain nothing and lose
    accuracy. A weight constant that another op (not a matmul reading it as
    its weight) also reads is left in float: quantizing it for the matmuls
    only would store it twice. Except the table of a gather (an LLM's tied
    embedding and lm_head): the GEMM reads all of it per token and the
    gather one row, so the GEMM gets a quantized copy. With int4, N must be even (packed rows start
    on a byte); K need not divide by the group size (the last group is
    shorter and has its own scale).

    ```mlir
    %w = ag.constant dense<...> : tensor<256x512xf32>
    %y = ag.matmul %x, %w : (tensor<4x256xf32>, tensor<256x512xf32>) -> tensor<4x512xf32>
    // mode=int4 group-size=128 becomes
    %q = ag.constant dense_resource<...> : tensor<256x512xi4>
    %s = ag.constant dense<...> : tensor<2x512xf32>
    %y = ag.dequant_matmul %x, %q, %s {axis = 0 : i64, group_size = 128 : i64}
        : (tensor<4x256xf32>, tensor<256x512xi4>, tensor<2x512xf32>) -> tensor<4x512xf32>
    ```
  }];
  let options = [
    Option<"mode", "mode", "std::string", /*default=*/"\"none\"",
           "Weight quantization: none, int8 or int4">,
    Option<"groupSize", "group-size", "int64_t", /*default=*/"128",
           "Rows of K per int4 scale">,
    Option<"symmetric", "symmetric", "bool", /*default=*/"true",
           "int4 without zero points (int8 is always symmetric)">,
    Option<"minSize", "min-size", "int64_t", /*default=*/"16",
           "Smallest K and N of a matmul that is quantized">
  ];
  let statistics = [
    Statistic<"numQuantized", "quantized-matmuls",
              "Number of matmuls whose weight was quantized">,
    Statistic<"numBytesBefore", "weight-bytes-before",
              "Bytes of the float weights that were quantized">,
    Statistic<"numBytesAfter", "weight-bytes-after",
              "Bytes of the quantized weights, scales and zero points">,
    Statistic<"numQdqMapped", "qdq-patterns-mapped",
              "Number of matmul(x, dequantize(w)) mapped to dequant_matmul">
  ];
  let dependentDialects = ["::mlir::autoglm::AutoGLMDialect"];
}

def MixedPrecisionPass : Pass<"ag-mixed-precision", "func::FuncOp"> {
  let summary = "Compute matmuls with constant weights in bf16 or fp16";
  let description = [{
    Mixed precision for matmuls with a constant f32 weight: the weight is
    converted (round to nearest even) to `precision` (`bf16` or `fp16`) and
    STORED in that type (half the artifact bytes), laid out `K x N`
    (`transpose_rhs` weights are transposed at compile time); the matmul
    then reads an f32 lhs and a 16-bit rhs:

    ```mlir
    %w = ag.constant dense<...> : tensor<64x128xf32>
    %y = ag.matmul %x, %w transpose_rhs : (tensor<4x128xf32>, tensor<64x128xf32>) -> tensor<4x64xf32>
    // precision=bf16 becomes
    %w16 = ag.constant dense_resource<...> : tensor<128x64xbf16>
    %y = ag.matmul %x, %w16 : (tensor<4x128xf32>, tensor<128x64xbf16>) -> tensor<4x64xf32>
    ```

    Semantics (what the CPU microkernel computes): the activations are
    rounded to the same 16-bit type as they are loaded, products of the two
    16-bit values are accumulated in f32, the bias is added in f32 and the
    result is f32. Everything else stays f32: norms, softmax, reductions,
    elementwise ops, matmuls of two activations (attention) and convs.
    Weights are picked as ag-quantize picks them: rank 2 (or leading unit
    dims), lhs not transposed, K and N at least `min-size`, and no other op
    reading the float weight. fp16 weights saturate to +-65504.
  }];
  let options = [
    Option<"precision", "precision", "std::string", /*default=*/"\"bf16\"",
           "16-bit type of matmul weights: bf16 or fp16">,
    Option<"minSize", "min-size", "int64_t", /*default=*/"16",
           "Smallest K and N of a matmul that is converted">
  ];
  let statistics = [
    Statistic<"numConverted", "converted-matmuls",
              "Number of matmuls computing in 16 bits">,
    Statistic<"numBytesSaved", "weight-bytes-saved",
              "Bytes of weights saved by storing them in 16 bits">
  ];
  let dependentDialects = ["::mlir::autoglm::AutoGLMDialect"];
}

#endif // AUTOGLM_PASSES_TD
