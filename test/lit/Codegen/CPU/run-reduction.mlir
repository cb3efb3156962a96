// RUN: autoglm-opt %s --ag-to-linalg %lower_to_llvm \
// RUN: | mlir-runner -e main -entry-point-result=void \
// RUN:     -shared-libs=%mlir_runner_utils,%mlir_c_runner_utils \
// RUN: | FileCheck %s

// Numerics of lowered reductions, run on mlir-runner: softmax and
// log-softmax stay finite at large logits, mean divides by the reduced count,
// max starts from -inf, arg_max picks the first maximum, topk sorts with the
// lower position first among equals, cumsum exclusive/reverse, layer_norm.

func.func private @printMemrefF32(tensor<*xf32>)
func.func private @printMemrefI64(tensor<*xi64>)

// CHECK-LABEL: softmax
// CHECK: sizes = [2, 4]
// CHECK-NEXT: {{\[}}[0.0320586, 0.0871443, 0.236883, 0.643914],
// CHECK-NEXT: [0, 0, 0, 1]]
// CHECK: sizes = [2, 4]
// CHECK-NEXT: {{\[}}[-3.44019, -2.44019, -1.44019, -0.44019],
// CHECK-NEXT: [-1000, -1000, -1000, 0]]
func.func @softmax() {
  vector.print str "softmax\n"
  %x = ag.constant dense<[[1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 0.0, 1000.0]]> : tensor<2x4xf32>
  %s = ag.softmax %x axis 1 : tensor<2x4xf32>
  %su = tensor.cast %s : tensor<2x4xf32> to tensor<*xf32>
  call @printMemrefF32(%su) : (tensor<*xf32>) -> ()
  %l = ag.softmax %x axis 1 log : tensor<2x4xf32>
  %lu = tensor.cast %l : tensor<2x4xf32> to tensor<*xf32>
  call @printMemrefF32(%lu) : (tensor<*xf32>) -> ()
  return
}

// Max starts from -inf (an all-negative column keeps its max), min from
// +inf, prod from 1.
// CHECK-LABEL: reduce_mean_max
// CHECK: sizes = [2, 1]
// CHECK-NEXT: {{\[}}[2.5],
// CHECK-NEXT: [-2.5]]
// CHECK: [-2, -1]
// CHECK: [2, 1]
// CHECK: [6, 5]
func.func @reduce_mean_max() {
  vector.print str "reduce_mean_max\n"
  %x = ag.constant dense<[[1.0, 2.0, 3.0, 4.0], [-1.0, -2.0, -3.0, -4.0]]> : tensor<2x4xf32>
  %m = ag.reduce mean %x axes [1] keep_dims : tensor<2x4xf32> -> tensor<2x1xf32>
  %mu = tensor.cast %m : tensor<2x1xf32> to tensor<*xf32>
  call @printMemrefF32(%mu) : (tensor<*xf32>) -> ()
  %y = ag.constant dense<[[-3.0, -1.0], [-2.0, -5.0]]> : tensor<2x2xf32>
  %max = ag.reduce max %y axes [0] : tensor<2x2xf32> -> tensor<2xf32>
  %maxu = tensor.cast %max : tensor<2xf32> to tensor<*xf32>
  call @printMemrefF32(%maxu) : (tensor<*xf32>) -> ()
  %z = ag.neg %y : tensor<2x2xf32>
  %min = ag.reduce min %z axes [0] : tensor<2x2xf32> -> tensor<2xf32>
  %minu = tensor.cast %min : tensor<2xf32> to tensor<*xf32>
  call @printMemrefF32(%minu) : (tensor<*xf32>) -> ()
  %prod = ag.reduce prod %z axes [0] : tensor<2x2xf32> -> tensor<2xf32>
  %produ = tensor.cast %prod : tensor<2xf32> to tensor<*xf32>
  call @printMemrefF32(%produ) : (tensor<*xf32>) -> ()
  return
}

// CHECK-LABEL: arg_max_topk
// CHECK: [1, 0]
// CHECK: sizes = [2, 3]
// CHECK-NEXT: {{\[}}[5, 5, 3],
// CHECK-NEXT: [7, 7, 7]]
// CHECK: sizes = [2, 3]
// CHECK-NEXT: {{\[}}[1, 3, 2],
// CHECK-NEXT: [0, 1, 2]]
func.func @arg_max_topk() {
  vector.print str "arg_max_topk\n"
  %x = ag.constant dense<[[1.0, 5.0, 3.0, 5.0], [7.0, 7.0, 7.0, 7.0]]> : tensor<2x4xf32>
  %a = ag.arg_reduce max %x axis 1 : tensor<2x4xf32> -> tensor<2xi64>
  %au = tensor.cast %a : tensor<2xi64> to tensor<*xi64>
  call @printMemrefI64(%au) : (tensor<*xi64>) -> ()
  %v, %i = ag.topk %x k 3 axis 1 largest sorted : tensor<2x4xf32> -> tensor<2x3xf32>, tensor<2x3xi64>
  %vu = tensor.cast %v : tensor<2x3xf32> to tensor<*xf32>
  call @printMemrefF32(%vu) : (tensor<*xf32>) -> ()
  %iu = tensor.cast %i : tensor<2x3xi64> to tensor<*xi64>
  call @printMemrefI64(%iu) : (tensor<*xi64>) -> ()
  return
}

// CHECK-LABEL: cumsum
// CHECK: [1, 3, 6, 10]
// CHECK: [9, 7, 4, 0]
func.func @cumsum() {
  vector.print str "cumsum\n"
  %x = ag.constant dense<[1.0, 2.0, 3.0, 4.0]> : tensor<4xf32>
  %c = ag.cumsum %x axis 0 : tensor<4xf32>
  %cu = tensor.cast %c : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%cu) : (tensor<*xf32>) -> ()
  %r = ag.cumsum %x axis 0 exclusive reverse : tensor<4xf32>
  %ru = tensor.cast %r : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%ru) : (tensor<*xf32>) -> ()
  return
}

// CHECK-LABEL: layer_norm
// CHECK: sizes = [2, 4]
// CHECK-NEXT: {{\[}}[-1.34164, -0.447212, 0.447212, 1.34164],
// CHECK-NEXT: [-0.341635, 0.552788, 1.44721, 2.34164]]
func.func @layer_norm() {
  vector.print str "layer_norm\n"
  %x = ag.constant dense<[[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0]]> : tensor<2x4xf32>
  %g = ag.constant dense<1.0> : tensor<4xf32>
  %b = ag.constant dense<[[0.0], [1.0]]> : tensor<2x1xf32>
  %n = ag.layer_norm %x scale %g axis 1 epsilon 1.0e-05 : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %s = ag.add %n, %b : tensor<2x4xf32>, tensor<2x1xf32>
  %u = tensor.cast %s : tensor<2x4xf32> to tensor<*xf32>
  call @printMemrefF32(%u) : (tensor<*xf32>) -> ()
  return
}

func.func @main() {
  call @softmax() : () -> ()
  call @reduce_mean_max() : () -> ()
  call @arg_max_topk() : () -> ()
  call @cumsum() : () -> ()
  call @layer_norm() : () -> ()
  return
}
