// RUN: autoglm-opt %s --ag-graph-pipeline=opt-level=1 --mlir-pass-statistics 2>&1 >/dev/null | FileCheck %s
// RUN: autoglm-opt %s --ag-graph-pipeline=opt-level=1 --mlir-pass-statistics --mlir-pass-statistics-display=list 2>&1 >/dev/null | FileCheck %s --check-prefix=LIST
// RUN: autoglm-opt %s --ag-graph-pipeline=opt-level=1 --mlir-disable-threading --mlir-pass-statistics 2>&1 >/dev/null | FileCheck %s
// RUN: autoglm-opt %s --ag-prune-dead-subgraphs=prune-constants=false --mlir-pass-statistics 2>&1 >/dev/null | FileCheck %s --check-prefix=KEEP
// RUN: not autoglm-opt %s --mlir-pass-statistics-display=tree 2>&1 | FileCheck %s --check-prefix=BAD

// --mlir-pass-statistics prints what each AutoGLM pass did, in MLIR's
// report format, although Debian's release libMLIR turns
// mlir::Pass::Statistic into a no-op (passes/PassStatistics.h). Two
// functions: the counts of the threading clones add up.

// CHECK: ===-------------------------------------------------------------------------===
// CHECK-NEXT: ... Pass statistics report ...
// CHECK-NEXT: ===-------------------------------------------------------------------------===
// CHECK-NEXT: 'func.func' Pipeline
// CHECK-NEXT:   FoldConstantsPass
// CHECK-NEXT:     (S) 2 folded-ops            - Number of ops folded to constants
// CHECK-NEXT:     (S) 8 materialized-elements - Number of elements of the constants created
// CHECK-NEXT:   PruneDeadSubgraphsPass
// CHECK-NEXT:     (S) 16 pruned-constant-bytes - Bytes of constant data erased
// CHECK-NEXT:     (S)  1 pruned-constants      - Number of unused constants erased
// CHECK-NEXT:     (S)  3 pruned-ops            - Number of ops erased (constants included)
// CHECK-NEXT:   QuantizePass
// CHECK-NEXT:     (S) 0 qdq-patterns-mapped - Number of matmul(x, dequantize(w)) mapped to dequant_matmul
// CHECK-NEXT:     (S) 0 quantized-matmuls   - Number of matmuls whose weight was quantized
// CHECK-NEXT:     (S) 0 weight-bytes-after  - Bytes of the quantized weights, scales and zero points
// CHECK-NEXT:     (S) 0 weight-bytes-before - Bytes of the float weights that were quantized
// CHECK-NEXT:   Canonicalizer
// CHECK-NEXT:   CSE

// LIST: ... Pass statistics report ...
// LIST-NEXT: ===
// LIST-NEXT:   FoldConstantsPass
// LIST-NEXT:     (S) 2 folded-ops
// LIST-NEXT:     (S) 8 materialized-elements
// LIST-NEXT:   PruneDeadSubgraphsPass
// LIST-NEXT:     (S) 16 pruned-constant-bytes
// LIST-NOT: Canonicalizer

// KEEP: PruneDeadSubgraphsPass
// KEEP-NEXT: (S) 0 pruned-constant-bytes
// KEEP-NEXT: (S) 0 pruned-constants
// KEEP-NEXT: (S) 2 pruned-ops

// BAD: autoglm-opt: error: --mlir-pass-statistics-display must be list or pipeline, got 'tree'

func.func @first(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = ag.constant dense<1.0> : tensor<4xf32>
  %b = ag.constant dense<2.0> : tensor<4xf32>
  %c = ag.add %a, %b : tensor<4xf32>, tensor<4xf32>
  %dead = ag.exp %x : tensor<4xf32>
  %y = ag.mul %x, %c : tensor<4xf32>, tensor<4xf32>
  return %y : tensor<4xf32>
}

func.func @second(%x: tensor<4xf32>) -> tensor<4xf32> {
  %a = ag.constant dense<3.0> : tensor<4xf32>
  %n = ag.neg %a : tensor<4xf32>
  %unused = ag.constant dense<4.0> : tensor<4xf32>
  %dead = ag.tanh %x : tensor<4xf32>
  %y = ag.add %x, %n : tensor<4xf32>, tensor<4xf32>
  return %y : tensor<4xf32>
}
