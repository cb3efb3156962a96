// RUN: autoglm-opt %s --split-input-file --ag-to-linalg | FileCheck %s

// Reductions: a linalg.generic with reduction iterators over a linalg.fill
// of the kind's identity; softmax and the norms chain them with elementwise
// generics; cumsum and topk loop over the axis with scf.for.

// CHECK-DAG: #[[$ID:.*]] = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
// CHECK-DAG: #[[$DROP:.*]] = affine_map<(d0, d1, d2) -> (d0, d2)>
// CHECK-LABEL: func.func @reduce_sum
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>)
// CHECK: %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK: %[[E:.*]] = tensor.empty() : tensor<2x4xf32>
// CHECK: %[[INIT:.*]] = linalg.fill ins(%[[ZERO]] : f32) outs(%[[E]] : tensor<2x4xf32>)
// CHECK: %[[R:.*]] = linalg.generic {indexing_maps = [#[[$ID]], #[[$DROP]]], iterator_types = ["parallel", "reduction", "parallel"]}
// CHECK-SAME: ins(%[[X]] : tensor<2x3x4xf32>) outs(%[[INIT]] : tensor<2x4xf32>)
// CHECK: ^bb0(%[[IN:.*]]: f32, %[[ACC:.*]]: f32):
// CHECK: %[[S:.*]] = arith.addf %[[IN]], %[[ACC]]
// CHECK: linalg.yield %[[S]]
// CHECK: return %[[R]]
// CHECK-NOT: ag.
func.func @reduce_sum(%x: tensor<2x3x4xf32>) -> tensor<2x4xf32> {
  %0 = ag.reduce sum %x axes [1] : tensor<2x3x4xf32> -> tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// Mean divides the sum by the reduced element count; keep_dims expands.
// CHECK-LABEL: func.func @reduce_mean_keep_dims
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction", "reduction"]
// CHECK: arith.addf
// CHECK: %[[MEAN:.*]] = linalg.generic {{.*}} ins(%[[SUM]] : tensor<2xf32>)
// CHECK: %[[N:.*]] = arith.constant 1.200000e+01 : f32
// CHECK: arith.divf %{{.*}}, %[[N]]
// CHECK: tensor.expand_shape %[[MEAN]] {{\[}}[0, 1, 2]] output_shape [2, 1, 1] : tensor<2xf32> into tensor<2x1x1xf32>
func.func @reduce_mean_keep_dims(%x: tensor<2x3x4xf32>) -> tensor<2x1x1xf32> {
  %0 = ag.reduce mean %x axes [1, 2] keep_dims : tensor<2x3x4xf32> -> tensor<2x1x1xf32>
  return %0 : tensor<2x1x1xf32>
}

// -----

// Integer mean truncates toward zero (divsi), unsigned with divui.
// CHECK-LABEL: func.func @reduce_mean_int
// CHECK: arith.divsi
// CHECK: arith.divui
func.func @reduce_mean_int(%x: tensor<2x3xi32>, %u: tensor<2x3xui8>) -> (tensor<2xi32>, tensor<2xui8>) {
  %0 = ag.reduce mean %x axes [1] : tensor<2x3xi32> -> tensor<2xi32>
  %1 = ag.reduce mean %u axes [1] : tensor<2x3xui8> -> tensor<2xui8>
  return %0, %1 : tensor<2xi32>, tensor<2xui8>
}

// -----

// Identities: max -inf, min +inf, prod 1; integer max/min by signedness.
// CHECK-LABEL: func.func @reduce_identities
// CHECK: arith.constant 0xFF800000 : f32
// CHECK: arith.maximumf
// CHECK: arith.constant 0x7F800000 : f32
// CHECK: arith.minimumf
// CHECK: arith.constant 1.000000e+00 : f32
// CHECK: arith.mulf
// CHECK: arith.constant -2147483648 : i32
// CHECK: arith.maxsi
// CHECK: arith.constant -1 : i8
// CHECK: arith.minui
func.func @reduce_identities(%x: tensor<2x3xf32>, %i: tensor<2x3xi32>, %u: tensor<2x3xui8>)
    -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xi32>, tensor<2xui8>) {
  %0 = ag.reduce max %x axes [1] : tensor<2x3xf32> -> tensor<2xf32>
  %1 = ag.reduce min %x axes [1] : tensor<2x3xf32> -> tensor<2xf32>
  %2 = ag.reduce prod %x axes [1] : tensor<2x3xf32> -> tensor<2xf32>
  %3 = ag.reduce max %i axes [1] : tensor<2x3xi32> -> tensor<2xi32>
  %4 = ag.reduce min %u axes [1] : tensor<2x3xui8> -> tensor<2xui8>
  return %0, %1, %2, %3, %4 : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xi32>, tensor<2xui8>
}

// -----

// CHECK-LABEL: func.func @reduce_l1_l2
// CHECK: math.absf
// CHECK: arith.addf
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: math.sqrt
func.func @reduce_l1_l2(%x: tensor<2x3xf32>) -> (tensor<2xf32>, tensor<2xf32>) {
  %0 = ag.reduce l1 %x axes [1] : tensor<2x3xf32> -> tensor<2xf32>
  %1 = ag.reduce l2 %x axes [1] : tensor<2x3xf32> -> tensor<2xf32>
  return %0, %1 : tensor<2xf32>, tensor<2xf32>
}

// -----

// log_sum_exp is stable: m + log(sum(exp(x - m))), m the max (0 where
// infinite).
// CHECK-LABEL: func.func @reduce_log_sum_exp
// CHECK: %[[MAX:.*]] = linalg.generic
// CHECK: arith.maximumf
// CHECK: %[[MAXK:.*]] = tensor.expand_shape %[[MAX]]
// CHECK: %[[SHIFT:.*]] = linalg.generic {{.*}} ins(%[[MAXK]]
// CHECK: %[[ISINF:.*]] = arith.cmpf oeq
// CHECK: arith.select %[[ISINF]]
// CHECK: %[[CENTERED:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %[[SHIFT]]
// CHECK: arith.subf
// CHECK: linalg.generic {{.*}} ins(%[[CENTERED]]
// CHECK: math.exp
// CHECK: arith.addf
// CHECK: math.log
// CHECK: arith.addf
// CHECK: tensor.collapse_shape
func.func @reduce_log_sum_exp(%x: tensor<2x4xf32>) -> tensor<2xf32> {
  %0 = ag.reduce log_sum_exp %x axes [1] : tensor<2x4xf32> -> tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

// Over no axes each element is reduced alone: all-parallel.
// CHECK-LABEL: func.func @reduce_no_axes
// CHECK: linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]
// CHECK: arith.mulf
func.func @reduce_no_axes(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = ag.reduce sum_square %x axes [] : tensor<2x3xf32> -> tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// arg_reduce: two accumulators (value, i64 position); the first extreme
// wins (ogt), a NaN wins over numbers.
// CHECK-DAG: #[[$DROP:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @arg_max
// CHECK: %[[VALS:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2xf32>)
// CHECK: %[[POS:.*]] = linalg.fill ins(%{{.*}} : i64) outs(%{{.*}} : tensor<2xi64>)
// CHECK: %[[R:.*]]:2 = linalg.generic {indexing_maps = [#{{.*}}, #[[$DROP]], #[[$DROP]]], iterator_types = ["parallel", "reduction"]}
// CHECK-SAME: outs(%[[VALS]], %[[POS]] : tensor<2xf32>, tensor<2xi64>)
// CHECK: ^bb0(%[[X:.*]]: f32, %[[BEST:.*]]: f32, %[[BESTI:.*]]: i64):
// CHECK: %[[GT:.*]] = arith.cmpf ogt, %[[X]], %[[BEST]]
// CHECK: %[[XNAN:.*]] = arith.cmpf uno, %[[X]], %[[X]]
// CHECK: %[[BNUM:.*]] = arith.cmpf ord, %[[BEST]], %[[BEST]]
// CHECK: %[[NANWINS:.*]] = arith.andi %[[XNAN]], %[[BNUM]]
// CHECK: %[[BETTER:.*]] = arith.ori %[[GT]], %[[NANWINS]]
// CHECK: %[[IDX:.*]] = linalg.index 1
// CHECK: %[[I64:.*]] = arith.index_cast %[[IDX]] : index to i64
// CHECK: %[[V:.*]] = arith.select %[[BETTER]], %[[X]], %[[BEST]]
// CHECK: %[[I:.*]] = arith.select %[[BETTER]], %[[I64]], %[[BESTI]]
// CHECK: linalg.yield %[[V]], %[[I]]
// CHECK: tensor.expand_shape %[[R]]#1 {{\[}}[0, 1]] output_shape [2, 1]
func.func @arg_max(%x: tensor<2x8xf32>) -> tensor<2x1xi64> {
  %0 = ag.arg_reduce max %x axis 1 keep_dims : tensor<2x8xf32> -> tensor<2x1xi64>
  return %0 : tensor<2x1xi64>
}

// -----

// select_last_index: ties go to the later position (ole for min).
// CHECK-LABEL: func.func @arg_min_last
// CHECK: arith.cmpf ole
// CHECK: arith.cmpi ule
func.func @arg_min_last(%x: tensor<2x8xf32>, %u: tensor<2x8xui8>) -> (tensor<2xi64>, tensor<2xi64>) {
  %0 = ag.arg_reduce min %x axis 1 select_last_index : tensor<2x8xf32> -> tensor<2xi64>
  %1 = ag.arg_reduce min %u axis 1 select_last_index : tensor<2x8xui8> -> tensor<2xi64>
  return %0, %1 : tensor<2xi64>, tensor<2xi64>
}

// -----

// cumsum: a running sum over the axis; exclusive stores it before adding.
// CHECK-LABEL: func.func @cumsum_exclusive
// CHECK-SAME: (%[[X:.*]]: tensor<2x3xf32>)
// CHECK: %[[ZERO:.*]] = linalg.fill {{.*}} -> tensor<2x1xf32>
// CHECK: %[[OUT:.*]] = tensor.empty() : tensor<2x3xf32>
// CHECK: %[[LOOP:.*]]:2 = scf.for %[[T:.*]] = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[ACC:.*]] = %[[ZERO]], %[[RES:.*]] = %[[OUT]])
// CHECK: %[[STORED:.*]] = tensor.insert_slice %[[ACC]] into %[[RES]][0, %[[T]]] [2, 1] [1, 1]
// CHECK: %[[SLICE:.*]] = tensor.extract_slice %[[X]][0, %[[T]]] [2, 1] [1, 1]
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[SLICE]] : tensor<2x1xf32>) outs(%[[ACC]] : tensor<2x1xf32>)
// CHECK: scf.yield %[[SUM]], %[[STORED]]
// CHECK: return %[[LOOP]]#1
func.func @cumsum_exclusive(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = ag.cumsum %a axis 1 exclusive : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// reverse runs from the end of the axis.
// CHECK-LABEL: func.func @cumsum_reverse
// CHECK: scf.for %[[T:.*]] = {{.*}} iter_args
// CHECK: %[[LAST:.*]] = arith.constant 2 : index
// CHECK: %[[I:.*]] = arith.subi %[[LAST]], %[[T]]
// CHECK: tensor.extract_slice %{{.*}}[0, %[[I]]]
func.func @cumsum_reverse(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = ag.cumsum %a axis 1 reverse : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// topk: k steps, each reducing the axis to the best element that sorts
// after the previous choice (read back from the outputs, which start as
// +inf / -1 for largest).
// CHECK-LABEL: func.func @topk
// CHECK: %[[VINIT:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x3xf32>)
// CHECK: %[[IINIT:.*]] = linalg.fill ins(%{{.*}} : i64) outs(%{{.*}} : tensor<2x3xi64>)
// CHECK: %[[LOOP:.*]]:2 = scf.for %[[T:.*]] = {{.*}} iter_args(%[[V:.*]] = %[[VINIT]], %[[I:.*]] = %[[IINIT]])
// CHECK: %[[PV:.*]] = tensor.extract_slice %[[V]]
// CHECK: %[[PI:.*]] = tensor.extract_slice %[[I]]
// CHECK: %[[BEST:.*]]:2 = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]
// CHECK-SAME: ins(%{{.*}}, %[[PV]], %[[PI]] :
// CHECK: arith.cmpf ogt
// CHECK: linalg.yield
// CHECK: %[[BV:.*]] = tensor.expand_shape %[[BEST]]#0
// CHECK: %[[NV:.*]] = tensor.insert_slice %[[BV]] into %[[V]][0, %[[T]]] [2, 1] [1, 1]
// CHECK: %[[BI:.*]] = tensor.expand_shape %[[BEST]]#1
// CHECK: %[[NI:.*]] = tensor.insert_slice %[[BI]] into %[[I]][0, %[[T]]] [2, 1] [1, 1]
// CHECK: scf.yield %[[NV]], %[[NI]]
// CHECK: return %[[LOOP]]#0, %[[LOOP]]#1
func.func @topk(%a: tensor<2x8xf32>) -> (tensor<2x3xf32>, tensor<2x3xi64>) {
  %0, %1 = ag.topk %a k 3 axis 1 largest sorted : tensor<2x8xf32> -> tensor<2x3xf32>, tensor<2x3xi64>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xi64>
}

// -----

// softmax subtracts the max: max, exp(x - max), sum, divide.
// CHECK-DAG: #[[$KEEP:.*]] = affine_map<(d0, d1) -> (d0, 0)>
// CHECK-LABEL: func.func @softmax
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xf32>)
// CHECK: %[[MAX:.*]] = linalg.generic {{.*}} ins(%[[X]]
// CHECK: arith.maximumf
// CHECK: %[[MAXK:.*]] = tensor.expand_shape %[[MAX]]
// CHECK: %[[EXP:.*]] = linalg.generic {indexing_maps = [#{{.*}}, #[[$KEEP]], #{{.*}}]{{.*}} ins(%[[X]], %[[MAXK]]
// CHECK: arith.subf
// CHECK: math.exp
// CHECK: %[[SUM:.*]] = linalg.generic {{.*}} ins(%[[EXP]]
// CHECK: arith.addf
// CHECK: %[[SUMK:.*]] = tensor.expand_shape %[[SUM]]
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #[[$KEEP]], #{{.*}}]{{.*}} ins(%[[EXP]], %[[SUMK]]
// CHECK: arith.divf
func.func @softmax(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = ag.softmax %x axis 1 : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// CHECK-LABEL: func.func @log_softmax
// CHECK: math.exp
// CHECK: ^bb0(%[[X:.*]]: f32, %[[M:.*]]: f32, %[[S:.*]]: f32, %{{.*}}: f32):
// CHECK: %[[SH:.*]] = arith.subf %[[X]], %[[M]]
// CHECK: %[[L:.*]] = math.log %[[S]]
// CHECK: arith.subf %[[SH]], %[[L]]
func.func @log_softmax(%x: tensor<2x4xf32>) -> tensor<2x4xf32> {
  %0 = ag.softmax %x axis 1 log : tensor<2x4xf32>
  return %0 : tensor<2x4xf32>
}

// -----

// layer_norm in the input type: mean, centered squares, rsqrt(var + eps),
// then scale and bias broadcast over the normalized dims.
// CHECK-DAG: #[[$PARAM:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @layer_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x4xf16>, %[[G:.*]]: tensor<4xf16>, %[[B:.*]]: tensor<4xf16>)
// CHECK: arith.constant 4.000000e+00 : f16
// CHECK: %[[CENTERED:.*]] = linalg.generic
// CHECK: arith.subf
// CHECK: arith.mulf %{{.*}}, %{{.*}} : f16
// CHECK: %[[EPS:.*]] = arith.constant 1.001360e-05 : f16
// CHECK: arith.addf %{{.*}}, %[[EPS]]
// CHECK: %[[RSTD:.*]] = math.rsqrt
// CHECK: linalg.generic {indexing_maps = [#{{.*}}, #{{.*}}, #[[$PARAM]], #[[$PARAM]], #{{.*}}]{{.*}} ins(%[[CENTERED]], %{{.*}}, %[[G]], %[[B]] :
// CHECK: %[[N:.*]] = arith.mulf
// CHECK: %[[S:.*]] = arith.mulf %[[N]]
// CHECK: arith.addf %[[S]]
func.func @layer_norm(%x: tensor<2x4xf16>, %g: tensor<4xf16>, %b: tensor<4xf16>) -> tensor<2x4xf16> {
  %0 = ag.layer_norm %x scale %g bias %b axis 1 epsilon 1.0e-05 : (tensor<2x4xf16>, tensor<4xf16>, tensor<4xf16>) -> tensor<2x4xf16>
  return %0 : tensor<2x4xf16>
}

// -----

// CHECK-LABEL: func.func @rms_norm
// CHECK-SAME: (%[[X:.*]]: tensor<2x3x4xf32>, %[[W:.*]]: tensor<4xf32>)
// CHECK: iterator_types = ["parallel", "parallel", "reduction"]
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: arith.constant 4.000000e+00 : f32
// CHECK: math.rsqrt
// CHECK: linalg.generic {{.*}} ins(%[[X]], %{{.*}}, %[[W]] :
// CHECK: arith.mulf
// CHECK: arith.mulf
func.func @rms_norm(%x: tensor<2x3x4xf32>, %w: tensor<4xf32>) -> tensor<2x3x4xf32> {
  %0 = ag.rms_norm %x, %w axis 2 epsilon 1.0e-05 : tensor<2x3x4xf32>, tensor<4xf32>
  return %0 : tensor<2x3x4xf32>
}
