//===- QuantOps.cpp - ONNX quantization ops into ag -----------------------===//
//
// QuantizeLinear / DequantizeLinear (per tensor, per axis, blocked) become
// ag.quantize / ag.dequantize, the one quantized form fusion understands.
// The QOperator ops are decomposed: QLinearMatMul and QLinearConv dequantize
// their operands, compute in float and quantize the result; MatMulInteger
// and ConvInteger subtract the zero points in i32 and compute in i32.
// DynamicQuantizeLinear computes its scale and zero point with ag ops.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/onnx/HandlerUtils.h"
#include "compiler/import/onnx/TensorConversion.h"

namespace mlir::autoglm::onnx_import {
namespace {

std::string shapeName(ArrayRef<int64_t> shape) {
  std::string text = "[";
  for (auto [i, d] : llvm::enumerate(shape))
    text += (i ? ", " : "") + std::to_string(d);
  return text + "]";
}

/// `value` reshaped to `shape` (no op when it already has it).
FailureOr<Value> reshapeTo(NodeContext &ctx, Value value,
                           ArrayRef<int64_t> shape) {
  if (typeOf(value).getShape() == shape)
    return value;
  return ctx.makeTyped<ReshapeOp>(typeOf(value).clone(shape), value);
}

/// Storage types of ag.quantize / ag.dequantize that ONNX can name.
bool isQuantStorage(Type type) {
  auto intType = dyn_cast<IntegerType>(type);
  return intType && (intType.getWidth() == 8 || intType.getWidth() == 16);
}

bool isInt8(Type type) { return type.isInteger(8); }

/// Reshapes a one-element scale or zero point to 0-d: per-axis quantization
/// with a single value is per-tensor quantization.
FailureOr<Value> scalarIfSingle(NodeContext &ctx, Value value) {
  if (!value || typeOf(value).getRank() == 0 ||
      typeOf(value).getNumElements() != 1)
    return value;
  return reshapeTo(ctx, value, {});
}

//===----------------------------------------------------------------------===//
// QuantizeLinear / DequantizeLinear
//===----------------------------------------------------------------------===//

struct QuantParams {
  Value scale, zeroPoint;
  int64_t axis = 0, groupSize = 0;
};

/// Scale and zero point (inputs 1 and 2) with the axis and block size that
/// ag.quantize / ag.dequantize take, for a tensor of rank `rank`.
FailureOr<QuantParams> quantParams(NodeContext &ctx, int64_t rank) {
  QuantParams params;
  int64_t block = ctx.opset() >= 21 ? ctx.intAttr("block_size", 0) : 0;
  if (block < 0) {
    (void)ctx.unsupported("block_size must be non-negative, got " +
                          Twine(block));
    return failure();
  }
  Value zp = ctx.hasInput(2) ? ctx.input(2) : Value();
  FailureOr<Value> scale = ctx.input(1), zeroPoint = zp;
  if (!block) {
    scale = scalarIfSingle(ctx, *scale);
    zeroPoint = scalarIfSingle(ctx, zp);
  }
  if (failed(scale) || failed(zeroPoint))
    return failure();
  params.scale = *scale;
  params.zeroPoint = *zeroPoint;
  if (typeOf(params.scale).getRank() == 0) {
    if (block) {
      (void)ctx.unsupported("block_size " + Twine(block) +
                            " needs a scale of the input's rank, got a "
                            "0-d scale");
      return failure();
    }
    return params;
  }
  if (ctx.opset() < 13) {
    (void)ctx.unsupported("the scale must be a scalar before opset 13, got "
                          "shape " +
                          shapeName(typeOf(params.scale).getShape()));
    return failure();
  }
  FailureOr<int64_t> axis = ctx.normalizeAxis(ctx.intAttr("axis", 1), rank);
  if (failed(axis))
    return failure();
  params.axis = *axis;
  params.groupSize = block;
  return params;
}

/// The storage type QuantizeLinear produces: output_dtype (opset 21), else
/// the zero point's type, else uint8.
FailureOr<Type> quantizeStorageType(NodeContext &ctx) {
  Type storage = ctx.hasInput(2) ? elementTypeOf(ctx.input(2)) : Type();
  if (ctx.opset() >= 21 && ctx.hasAttr("output_dtype")) {
    int64_t dataType = ctx.intAttr("output_dtype", 0);
    Type requested = convertDataType(dataType, ctx.context());
    if (!requested || !isQuantStorage(requested)) {
      (void)ctx.unsupported("output_dtype " + dataTypeName(dataType) +
                            " is not supported (expected INT8, UINT8, INT16 "
                            "or UINT16)");
      return failure();
    }
    if (storage && storage != requested) {
      (void)ctx.unsupported("output_dtype " + dataTypeName(dataType) +
                            " differs from the zero point's type " +
                            typeName(storage));
      return failure();
    }
    storage = requested;
  }
  if (!storage)
    storage = IntegerType::get(ctx.context(), 8, IntegerType::Unsigned);
  if (!isQuantStorage(storage)) {
    (void)ctx.unsupported("quantized type " + typeName(storage) +
                          " is not supported (expected int8, uint8, int16 "
                          "or uint16)");
    return failure();
  }
  return storage;
}

LogicalResult importQuantizeLinear(NodeContext &ctx) {
  Type scaleType = elementTypeOf(ctx.input(1));
  if (!isa<FloatType>(scaleType))
    return ctx.unsupported("y_scale must be a float tensor, got " +
                           typeName(scaleType));
  FailureOr<Type> storage = quantizeStorageType(ctx);
  if (failed(storage))
    return failure();
  // Integer inputs (int32) quantize through the scale's float type.
  FailureOr<Value> x = castTo(ctx, ctx.input(0), scaleType);
  if (failed(x))
    return failure();
  RankedTensorType xType = typeOf(*x);
  FailureOr<QuantParams> params = quantParams(ctx, xType.getRank());
  if (failed(params))
    return failure();
  return bind(ctx, ctx.makeTyped<QuantizeOp>(xType.clone(*storage), *x,
                                             params->scale, params->zeroPoint,
                                             uint64_t(params->axis),
                                             uint64_t(params->groupSize)));
}

/// `(x - zero_point) * scale` with numpy broadcasting: the subtraction in
/// i32, the product in the scale's type. For inputs ag.dequantize does not
/// take (int32) and scales of the input's rank.
FailureOr<Value> broadcastDequantize(NodeContext &ctx, Value x, Value scale,
                                     Value zeroPoint) {
  Type i32 = ctx.builder().getI32Type();
  FailureOr<Value> shifted = castTo(ctx, x, i32);
  if (failed(shifted))
    return failure();
  if (zeroPoint) {
    FailureOr<Value> zp = castTo(ctx, zeroPoint, i32);
    if (failed(zp))
      return failure();
    shifted = ctx.make<SubOp>(*shifted, *zp);
    if (failed(shifted))
      return failure();
  }
  FailureOr<Value> real = castTo(ctx, *shifted, elementTypeOf(scale));
  if (failed(real))
    return failure();
  return ctx.make<MulOp>(*real, scale);
}

/// A 1-d per-axis parameter reshaped to broadcast along `axis` of `rank`.
FailureOr<Value> alongAxis(NodeContext &ctx, Value param, int64_t axis,
                           int64_t rank) {
  if (!param || typeOf(param).getRank() != 1)
    return param;
  SmallVector<int64_t> shape(rank - axis, 1);
  shape[0] = typeOf(param).getDimSize(0);
  return reshapeTo(ctx, param, shape);
}

/// DequantizeLinear of int32 values (biases): no ag storage type holds them.
LogicalResult dequantizeInt32(NodeContext &ctx, const QuantParams &params) {
  if (params.groupSize)
    return ctx.unsupported("blocked dequantization of int32 is not "
                           "supported");
  int64_t rank = ctx.inputType(0).getRank();
  FailureOr<Value> scale = alongAxis(ctx, params.scale, params.axis, rank);
  FailureOr<Value> zp = alongAxis(ctx, params.zeroPoint, params.axis, rank);
  if (failed(scale) || failed(zp))
    return failure();
  return bind(ctx, broadcastDequantize(ctx, ctx.input(0), *scale, *zp));
}

LogicalResult importDequantizeLinear(NodeContext &ctx) {
  Type element = ctx.inputType(0).getElementType();
  Type scaleType = elementTypeOf(ctx.input(1));
  if (!isa<FloatType>(scaleType))
    return ctx.unsupported("x_scale must be a float tensor, got " +
                           typeName(scaleType));
  FailureOr<QuantParams> params = quantParams(ctx, ctx.inputType(0).getRank());
  if (failed(params))
    return failure();
  if (element.isInteger(32))
    return dequantizeInt32(ctx, *params);
  if (!isQuantStorage(element))
    return ctx.unsupported("quantized type " + typeName(element) +
                           " is not supported (expected int8, uint8, int16, "
                           "uint16 or int32)");
  return bind(ctx, ctx.make<DequantizeOp>(
                       ctx.input(0), params->scale, params->zeroPoint,
                       uint64_t(params->axis), uint64_t(params->groupSize)));
}

//===----------------------------------------------------------------------===//
// DynamicQuantizeLinear
//===----------------------------------------------------------------------===//

/// max or min over every element of `x`, as a 0-d tensor.
FailureOr<Value> reduceAll(NodeContext &ctx, ReduceKind kind, Value x) {
  int64_t rank = typeOf(x).getRank();
  if (rank == 0)
    return x;
  auto axes = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  return ctx.make<ReduceOp>(kind, x, ArrayRef<int64_t>(axes), false);
}

/// The uint8 zero point: saturate(round(-min / scale)) (qmin = 0).
FailureOr<Value> dynamicZeroPoint(NodeContext &ctx, Value min, Value scale) {
  FailureOr<Value> ratio = ctx.make<DivOp>(min, scale);
  if (failed(ratio))
    return failure();
  FailureOr<Value> negated = ctx.make<NegOp>(*ratio);
  if (failed(negated))
    return failure();
  Builder &b = ctx.builder();
  FailureOr<Value> clamped = ctx.make<ClampOp>(*negated, b.getF64FloatAttr(0.0),
                                               b.getF64FloatAttr(255.0));
  if (failed(clamped))
    return failure();
  FailureOr<Value> rounded = ctx.make<RoundOp>(*clamped);
  if (failed(rounded))
    return failure();
  return castTo(ctx, *rounded,
                IntegerType::get(ctx.context(), 8, IntegerType::Unsigned));
}

LogicalResult importDynamicQuantizeLinear(NodeContext &ctx) {
  Value x = ctx.input(0);
  Type f32 = ctx.builder().getF32Type();
  if (elementTypeOf(x) != f32)
    return ctx.unsupported("the input must be float32, got " +
                           typeName(elementTypeOf(x)));
  Value zero = ctx.scalar(f32, 0.0);
  FailureOr<Value> max = reduceAll(ctx, ReduceKind::max, x);
  FailureOr<Value> min = reduceAll(ctx, ReduceKind::min, x);
  if (failed(max) || failed(min))
    return failure();
  // The range always includes 0 so that 0 is exactly representable.
  max = ctx.make<MaxOp>(*max, zero);
  min = ctx.make<MinOp>(*min, zero);
  if (failed(max) || failed(min))
    return failure();
  FailureOr<Value> range = ctx.make<SubOp>(*max, *min);
  if (failed(range))
    return failure();
  FailureOr<Value> scale = ctx.make<DivOp>(*range, ctx.scalar(f32, 255.0));
  if (failed(scale))
    return failure();
  FailureOr<Value> zp = dynamicZeroPoint(ctx, *min, *scale);
  if (failed(zp))
    return failure();
  FailureOr<Value> y =
      ctx.makeTyped<QuantizeOp>(typeOf(x).clone(elementTypeOf(*zp)), x, *scale,
                                *zp, uint64_t(0), uint64_t(0));
  if (failed(y))
    return failure();
  ctx.setOutput(0, *y);
  ctx.setOutput(1, *scale);
  ctx.setOutput(2, *zp);
  return success();
}

//===----------------------------------------------------------------------===//
// MatMulInteger and QLinearMatMul
//===----------------------------------------------------------------------===//

/// numpy matmul: 1-d operands gain a unit dim for ag.matmul, which the
/// result then loses again.
FailureOr<Value> numpyMatmul(NodeContext &ctx, Value a, Value b) {
  RankedTensorType aType = typeOf(a), bType = typeOf(b);
  if (aType.getRank() == 0 || bType.getRank() == 0) {
    (void)ctx.unsupported("matmul operands must have rank >= 1");
    return failure();
  }
  bool vecA = aType.getRank() == 1, vecB = bType.getRank() == 1;
  FailureOr<Value> lhs =
      vecA ? reshapeTo(ctx, a, {1, aType.getDimSize(0)}) : FailureOr<Value>(a);
  FailureOr<Value> rhs =
      vecB ? reshapeTo(ctx, b, {bType.getDimSize(0), 1}) : FailureOr<Value>(b);
  if (failed(lhs) || failed(rhs))
    return failure();
  FailureOr<Value> product =
      ctx.make<MatmulOp>(*lhs, *rhs, Value(), false, false);
  if (failed(product) || (!vecA && !vecB))
    return product;
  SmallVector<int64_t> shape(typeOf(*product).getShape());
  if (vecB)
    shape.pop_back();
  if (vecA)
    shape.erase(shape.end() - (vecB ? 1 : 2));
  return reshapeTo(ctx, *product, shape);
}

/// `x - zero_point` in i32. A 1-d zero point with several values applies
/// along `axis` (rows of a, columns of b, output channels of a filter); one
/// of x's rank broadcasts as it is.
FailureOr<Value> shiftedI32(NodeContext &ctx, Value x, unsigned zpIndex,
                            int64_t axis, StringRef what) {
  Type i32 = ctx.builder().getI32Type();
  FailureOr<Value> wide = castTo(ctx, x, i32);
  if (failed(wide) || !ctx.hasInput(zpIndex))
    return wide;
  FailureOr<Value> zp = scalarIfSingle(ctx, ctx.input(zpIndex));
  if (failed(zp))
    return failure();
  int64_t rank = typeOf(x).getRank();
  if (typeOf(*zp).getRank() == 1) {
    if (axis < 0 || axis >= rank) {
      (void)ctx.unsupported(what +
                            " must be a scalar (per tensor), got "
                            "shape " +
                            shapeName(typeOf(*zp).getShape()));
      return failure();
    }
    zp = alongAxis(ctx, *zp, axis, rank);
  }
  if (failed(zp))
    return failure();
  FailureOr<Value> zp32 = castTo(ctx, *zp, i32);
  if (failed(zp32))
    return failure();
  return ctx.make<SubOp>(*wide, *zp32);
}

LogicalResult checkInt8(NodeContext &ctx, unsigned index, StringRef what) {
  Type element = ctx.inputType(index).getElementType();
  if (isInt8(element))
    return success();
  return ctx.unsupported(what + " must be int8 or uint8, got " +
                         typeName(element));
}

LogicalResult importMatMulInteger(NodeContext &ctx) {
  if (failed(checkInt8(ctx, 0, "A")) || failed(checkInt8(ctx, 1, "B")))
    return failure();
  int64_t rankA = ctx.inputType(0).getRank();
  int64_t rankB = ctx.inputType(1).getRank();
  FailureOr<Value> a =
      shiftedI32(ctx, ctx.input(0), 2, rankA - 2, "a_zero_point");
  if (failed(a))
    return failure();
  FailureOr<Value> b =
      shiftedI32(ctx, ctx.input(1), 3, rankB - 1, "b_zero_point");
  if (failed(b))
    return failure();
  return bind(ctx, numpyMatmul(ctx, *a, *b));
}

/// Dequantizes a QOperator operand (inputs x, scale, zero point at `index`,
/// +1, +2). 0-d and 1-d scales use ag.dequantize (1-d along `axis`); scales
/// of the operand's rank broadcast.
FailureOr<Value> dequantizeOperand(NodeContext &ctx, unsigned index,
                                   int64_t axis) {
  Value x = ctx.input(index);
  FailureOr<Value> scale = scalarIfSingle(ctx, ctx.input(index + 1));
  FailureOr<Value> zp = scalarIfSingle(
      ctx, ctx.hasInput(index + 2) ? ctx.input(index + 2) : Value());
  if (failed(scale) || failed(zp))
    return failure();
  int64_t scaleRank = typeOf(*scale).getRank(), rank = typeOf(x).getRank();
  if (scaleRank == 1 && *zp && typeOf(*zp).getRank() == 0)
    zp = ctx.makeTyped<ExpandOp>(typeOf(*zp).clone(typeOf(*scale).getShape()),
                                 *zp);
  if (failed(zp))
    return failure();
  if (scaleRank == 0 || (scaleRank == 1 && axis >= 0 && axis < rank))
    return ctx.make<DequantizeOp>(x, *scale, *zp,
                                  uint64_t(scaleRank ? axis : 0), uint64_t(0));
  if (scaleRank == rank)
    return broadcastDequantize(ctx, x, *scale, *zp);
  (void)ctx.unsupported("the scale of input " + Twine(index) + " has shape " +
                        shapeName(typeOf(*scale).getShape()) +
                        ", which fits neither per tensor, per axis nor the "
                        "input's rank " +
                        Twine(rank));
  return failure();
}

/// Quantizes a float result with the scale and zero point at `index`, +1:
/// per tensor, or 1-d along `axis`.
FailureOr<Value> quantizeResult(NodeContext &ctx, Value y, unsigned index,
                                int64_t axis) {
  FailureOr<Value> scale = scalarIfSingle(ctx, ctx.input(index));
  FailureOr<Value> zp = scalarIfSingle(
      ctx, ctx.hasInput(index + 1) ? ctx.input(index + 1) : Value());
  if (failed(scale) || failed(zp))
    return failure();
  int64_t scaleRank = typeOf(*scale).getRank();
  if (scaleRank > 1 || (scaleRank == 1 && axis < 0)) {
    (void)ctx.unsupported("y_scale of shape " +
                          shapeName(typeOf(*scale).getShape()) +
                          " is not supported (expected a scalar or a 1-d "
                          "per-column scale)");
    return failure();
  }
  Type storage =
      *zp ? elementTypeOf(*zp)
          : IntegerType::get(ctx.context(), 8, IntegerType::Unsigned);
  FailureOr<Value> real = castTo(ctx, y, elementTypeOf(*scale));
  if (failed(real))
    return failure();
  return ctx.makeTyped<QuantizeOp>(typeOf(*real).clone(storage), *real, *scale,
                                   *zp, uint64_t(scaleRank ? axis : 0),
                                   uint64_t(0));
}

LogicalResult importQLinearMatMul(NodeContext &ctx) {
  if (failed(checkInt8(ctx, 0, "a")) || failed(checkInt8(ctx, 3, "b")))
    return failure();
  int64_t rankA = ctx.inputType(0).getRank();
  int64_t rankB = ctx.inputType(3).getRank();
  FailureOr<Value> a = dequantizeOperand(ctx, 0, rankA - 2);
  if (failed(a))
    return failure();
  FailureOr<Value> b = dequantizeOperand(ctx, 3, rankB - 1);
  if (failed(b))
    return failure();
  FailureOr<Value> y = numpyMatmul(ctx, *a, *b);
  if (failed(y))
    return failure();
  return bind(ctx, quantizeResult(ctx, *y, 6, typeOf(*y).getRank() - 1));
}

//===----------------------------------------------------------------------===//
// ConvInteger and QLinearConv
//===----------------------------------------------------------------------===//

struct ConvAttrs {
  SmallVector<int64_t> strides, dilations, pads;
  int64_t groups = 1;
};

/// Reads `name` (default all `fill`), which needs `count` entries.
FailureOr<SmallVector<int64_t>> windowAttr(NodeContext &ctx, StringRef name,
                                           size_t count, int64_t fill) {
  std::optional<SmallVector<int64_t>> values = ctx.intsAttr(name);
  if (!values)
    return SmallVector<int64_t>(count, fill);
  if (values->size() != count) {
    (void)ctx.unsupported(name + " needs " + Twine(count) + " entries, got " +
                          Twine(values->size()));
    return failure();
  }
  return *values;
}

/// pads from auto_pad SAME_UPPER / SAME_LOWER: the output size is
/// ceil(input / stride), the extra padding goes at the end (UPPER) or the
/// beginning (LOWER).
FailureOr<SmallVector<int64_t>> samePads(NodeContext &ctx,
                                         RankedTensorType input,
                                         ArrayRef<int64_t> kernel,
                                         const ConvAttrs &attrs, bool upper) {
  size_t n = kernel.size();
  SmallVector<int64_t> pads(2 * n, 0);
  for (size_t d = 0; d < n; ++d) {
    int64_t size = input.getDimSize(d + 2), stride = attrs.strides[d];
    if (ShapedType::isDynamic(size) || stride <= 0) {
      (void)ctx.unsupported("auto_pad SAME needs static spatial dims and "
                            "positive strides");
      return failure();
    }
    int64_t out = (size + stride - 1) / stride;
    int64_t total = std::max<int64_t>(
        0,
        (out - 1) * stride + (kernel[d] - 1) * attrs.dilations[d] + 1 - size);
    int64_t small = total / 2, big = total - small;
    pads[d] = upper ? small : big;
    pads[d + n] = upper ? big : small;
  }
  return pads;
}

/// kernel_shape, strides, dilations, pads, group and auto_pad of a Conv-like
/// node with input `input` and filter `filter`.
FailureOr<ConvAttrs> convAttrs(NodeContext &ctx, RankedTensorType input,
                               RankedTensorType filter) {
  int64_t rank = input.getRank();
  if (rank < 3 || filter.getRank() != rank) {
    (void)ctx.unsupported("conv needs input N x C x D1... (rank >= 3) and a "
                          "filter of the same rank, got ranks " +
                          Twine(rank) + " and " + Twine(filter.getRank()));
    return failure();
  }
  size_t n = rank - 2;
  ArrayRef<int64_t> kernel = filter.getShape().drop_front(2);
  if (auto given = ctx.intsAttr("kernel_shape");
      given && ArrayRef<int64_t>(*given) != kernel) {
    (void)ctx.unsupported("kernel_shape " + shapeName(*given) +
                          " differs from the filter's spatial dims " +
                          shapeName(kernel));
    return failure();
  }
  ConvAttrs attrs;
  attrs.groups = ctx.intAttr("group", 1);
  FailureOr<SmallVector<int64_t>> strides = windowAttr(ctx, "strides", n, 1);
  FailureOr<SmallVector<int64_t>> dilations =
      windowAttr(ctx, "dilations", n, 1);
  if (failed(strides) || failed(dilations))
    return failure();
  attrs.strides = *strides;
  attrs.dilations = *dilations;
  std::string autoPad = ctx.stringAttr("auto_pad", "NOTSET");
  FailureOr<SmallVector<int64_t>> pads = failure();
  if (autoPad == "NOTSET")
    pads = windowAttr(ctx, "pads", 2 * n, 0);
  else if (autoPad == "VALID")
    pads = SmallVector<int64_t>(2 * n, 0);
  else if (autoPad == "SAME_UPPER" || autoPad == "SAME_LOWER")
    pads = samePads(ctx, input, kernel, attrs, autoPad == "SAME_UPPER");
  else
    (void)ctx.unsupported("auto_pad '" + autoPad +
                          "' is not supported "
                          "(expected NOTSET, VALID, SAME_UPPER or "
                          "SAME_LOWER)");
  if (failed(pads))
    return failure();
  attrs.pads = *pads;
  return attrs;
}

FailureOr<Value> conv(NodeContext &ctx, Value x, Value w, Value bias,
                      const ConvAttrs &attrs) {
  return ctx.make<ConvOp>(x, w, bias, ArrayRef<int64_t>(attrs.strides),
                          ArrayRef<int64_t>(attrs.dilations),
                          ArrayRef<int64_t>(attrs.pads),
                          uint64_t(attrs.groups));
}

LogicalResult importConvInteger(NodeContext &ctx) {
  if (failed(checkInt8(ctx, 0, "x")) || failed(checkInt8(ctx, 1, "w")))
    return failure();
  FailureOr<ConvAttrs> attrs =
      convAttrs(ctx, ctx.inputType(0), ctx.inputType(1));
  if (failed(attrs))
    return failure();
  // The input's zero point is per tensor; the filter's may be per output
  // channel (dim 0).
  FailureOr<Value> x = shiftedI32(ctx, ctx.input(0), 2, -1, "x_zero_point");
  if (failed(x))
    return failure();
  FailureOr<Value> w = shiftedI32(ctx, ctx.input(1), 3, 0, "w_zero_point");
  if (failed(w))
    return failure();
  return bind(ctx, conv(ctx, *x, *w, Value(), *attrs));
}

/// The int32 bias of QLinearConv in float: B * x_scale * w_scale.
FailureOr<Value> dequantizeBias(NodeContext &ctx, Value real) {
  if (!ctx.hasInput(8))
    return Value();
  Type floatType = elementTypeOf(real);
  FailureOr<Value> scale = ctx.make<MulOp>(ctx.input(1), ctx.input(4));
  if (failed(scale))
    return failure();
  FailureOr<Value> flat = scalarIfSingle(ctx, *scale);
  FailureOr<Value> bias = castTo(ctx, ctx.input(8), floatType);
  if (failed(flat) || failed(bias))
    return failure();
  return ctx.make<MulOp>(*bias, *flat);
}

LogicalResult importQLinearConv(NodeContext &ctx) {
  if (failed(checkInt8(ctx, 0, "x")) || failed(checkInt8(ctx, 3, "w")))
    return failure();
  if (ctx.hasInput(8) && !ctx.inputType(8).getElementType().isInteger(32))
    return ctx.unsupported("the bias B must be int32, got " +
                           typeName(ctx.inputType(8).getElementType()));
  FailureOr<ConvAttrs> attrs =
      convAttrs(ctx, ctx.inputType(0), ctx.inputType(3));
  if (failed(attrs))
    return failure();
  if (typeOf(ctx.input(1)).getNumElements() != 1)
    return ctx.unsupported("x_scale must be a scalar (per tensor), got shape " +
                           shapeName(typeOf(ctx.input(1)).getShape()));
  FailureOr<Value> x = dequantizeOperand(ctx, 0, -1);
  if (failed(x))
    return failure();
  FailureOr<Value> w = dequantizeOperand(ctx, 3, 0);
  if (failed(w))
    return failure();
  FailureOr<Value> bias = dequantizeBias(ctx, *x);
  if (failed(bias))
    return failure();
  FailureOr<Value> y = conv(ctx, *x, *w, *bias, *attrs);
  if (failed(y))
    return failure();
  return bind(ctx, quantizeResult(ctx, *y, 6, -1));
}

} // namespace

void registerQuantHandlers(HandlerTable &table) {
  table["QuantizeLinear"] = importQuantizeLinear;
  table["DequantizeLinear"] = importDequantizeLinear;
  table["DynamicQuantizeLinear"] = importDynamicQuantizeLinear;
  table["MatMulInteger"] = importMatMulInteger;
  table["QLinearMatMul"] = importQLinearMatMul;
  table["ConvInteger"] = importConvInteger;
  table["QLinearConv"] = importQLinearConv;
}

} // namespace mlir::autoglm::onnx_import
