// RUN: autoglm-opt %s --load-pass-plugin=%plugin --pass-pipeline='builtin.module(func.func(ag-example-simplify-pow))' | FileCheck %s --check-prefix=ALONE
// RUN: autoglm-opt %s --load-pass-plugin=%plugin --pass-pipeline='builtin.module(func.func(ag-fold-constants,ag-example-simplify-pow,ag-prune-dead-subgraphs,canonicalize,cse))' | FileCheck %s --check-prefix=AFTER-FOLD
// RUN: autoglm-opt %s --load-pass-plugin=%plugin --pass-pipeline='builtin.module(ag-graph-pipeline{opt-level=1},func.func(ag-example-simplify-pow))' --mlir-pass-statistics --mlir-pass-statistics-display=list 2>&1 | FileCheck %s --check-prefix=LIST

// Where the plug-in's pass sits in the pipeline decides what it sees: the
// exponent here is computed (1 + 1), a constant only once ag-fold-constants
// has run.

// ALONE-LABEL: func.func @computed_exponent
// ALONE: ag.pow
// AFTER-FOLD-LABEL: func.func @computed_exponent
// AFTER-FOLD-SAME: (%[[X:.*]]: tensor<4xf32>)
// AFTER-FOLD-NOT: ag.pow
// AFTER-FOLD-NOT: ag.constant
// AFTER-FOLD: %[[Y:.*]] = ag.mul %[[X]], %[[X]]
// AFTER-FOLD-NEXT: return %[[Y]]
// The registered -O1 pipeline and the plug-in's pass in one run, listed.
// LIST: ... Pass statistics report ...
// LIST: FoldConstantsPass
// LIST-NEXT: (S) 1 folded-ops
// LIST: SimplifyPowPass
// LIST-NEXT: (S) 1 pow-to-mul
// LIST-NEXT: (S) 0 pow-to-sqrt
func.func @computed_exponent(%x: tensor<4xf32>) -> tensor<4xf32> {
  %one = ag.constant dense<1.0> : tensor<f32>
  %two = ag.add %one, %one : tensor<f32>, tensor<f32>
  %y = ag.pow %x, %two : tensor<4xf32>, tensor<f32>
  return %y : tensor<4xf32>
}
