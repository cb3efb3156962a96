//===- Passes.td - AutoGLM pass declarations ---------------*- tablegen -*-===//
//
// Every AutoGLM pass (DESIGN.md section 4): summary, description, options,
// statistics and dependent dialects; no `let constructor` (the generated
// create*Pass functions are used).
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_PASSES_TD
#define AUTOGLM_PASSES_TD

include "mlir/Pass/PassBase.td"

def AgToLinalgPass : Pass<"ag-to-linalg", "ModuleOp"> {
  let summary = "Lower ag ops to linalg, tensor, arith and math on tensors";
  let description = [{
    The first stage of CPU code generation. Every `ag` op except the LLM ops
    (`rope`, `attention`, `kv_cache_write`) and the quantization ops
    (`quantize`, `dequantize`, `dequant_matmul`), which a later stage lowers,
    becomes upstream ops on tensors:

    - elementwise ops: one `linalg.generic` each, numpy broadcasting carried
      by its indexing maps (a size-1 dim that broadcasts reads index 0);
    - `matmul`: `linalg.matmul` / `linalg.batch_matmul` (with transposing
      indexing maps) when the batch dims allow, else a `linalg.generic`;
    - `conv`, `pool`: `tensor.pad` then `linalg.conv_*` / `linalg.pooling_*`
      for the NCHW layouts that exist upstream, `linalg.generic` otherwise;
    - reductions, softmax and norms: `linalg.generic` reductions;
    - data movement: `tensor.collapse_shape` / `expand_shape`,
      `linalg.transpose`, `tensor.insert_slice` / `extract_slice` /
      `tensor.pad`, gathers as `linalg.generic` with `tensor.extract`,
      scatters, cumsum and topk as `scf.for` loops on tensors.

    Signed and unsigned integer types become signless (function signatures
    included); the unsigned semantics move into the arith ops (`divui`,
    `cmpi ult`, `uitofp`, ...). Shapes must be static.

    With `allow-unconverted=false` the pass fails on each op it leaves in
    place, naming it.
  }];
  let options = [
    Option<"allowUnconverted", "allow-unconverted", "bool", /*default=*/"true",
           "Leave the LLM and quantization ops (lowered by a later stage) in "
           "place; when false, report each one as an error">
  ];
  let statistics = [
    Statistic<"numLowered", "lowered-ops", "Number of ag ops lowered">,
    Statistic<"numLeft", "unconverted-ops",
              "Number of ag ops left for a later stage">
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect"
  ];
}

#endif // AUTOGLM_PASSES_TD
