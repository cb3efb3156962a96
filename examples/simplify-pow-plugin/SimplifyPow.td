//===- SimplifyPow.td - the example plug-in's pass -------*- tablegen -*-===//
//
// Declared like every AutoGLM pass (DESIGN.md section 4); built out of tree
// into a plug-in by CMakeLists.txt beside it.
//
//===----------------------------------------------------------------------===//

#ifndef AUTOGLM_EXAMPLE_SIMPLIFYPOW_TD
#define AUTOGLM_EXAMPLE_SIMPLIFYPOW_TD

include "mlir/Pass/PassBase.td"

def SimplifyPowPass : Pass<"ag-example-simplify-pow", "func::FuncOp"> {
  let summary = "Replace ag.pow by a constant 2 or 0.5 with mul or sqrt";
  let description = [{
    An example of an out-of-tree AutoGLM pass (docs/writing-a-pass.md).
    Exporters write x² and √x as `Pow(x, 2)` and `Pow(x, 0.5)` (LayerNorm's
    variance, RMSNorm); a multiply or a square root is cheaper than `powf`:

    ```mlir
    %two = ag.constant dense<2.0> : tensor<f32>
    %y = ag.pow %x, %two : tensor<4x8xf32>, tensor<f32>
    // becomes
    %y = ag.mul %x, %x : tensor<4x8xf32>, tensor<4x8xf32>
    ```

    Only float tensors, only a constant splat exponent, and only when the
    exponent does not broadcast `x` to a larger shape.
  }];
  let statistics = [
    Statistic<"numSquares", "pow-to-mul", "Number of pow(x, 2) made x * x">,
    Statistic<"numSquareRoots", "pow-to-sqrt",
              "Number of pow(x, 0.5) made sqrt(x)">
  ];
  let dependentDialects = ["::mlir::autoglm::AutoGLMDialect"];
}

#endif // AUTOGLM_EXAMPLE_SIMPLIFYPOW_TD
