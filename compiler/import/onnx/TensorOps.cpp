//===- TensorOps.cpp - ONNX tensor and shape ops into ag -----------------===//
//
// Data movement (Reshape, Transpose, Slice, Gather, Pad, Resize, ...) and the
// shape arithmetic exporters emit (Shape, Size, ConstantOfShape, Range).
// With static input shapes, Shape and everything computed from it is known
// at import time: those ops are evaluated on the host and become constants,
// so no Shape -> Gather -> Concat -> Reshape chain reaches the graph.
//
//===----------------------------------------------------------------------===//

#include "compiler/import/onnx/HandlerUtils.h"
#include "compiler/import/onnx/TensorConversion.h"

#include <cmath>
#include <numeric>

namespace mlir::autoglm::onnx_import {
namespace {

Type i64Type(NodeContext &ctx) { return ctx.builder().getI64Type(); }

HostTensor i64Vector(NodeContext &ctx, ArrayRef<int64_t> values) {
  return HostTensor::ofInts(i64Type(ctx), {int64_t(values.size())},
                            std::vector<int64_t>(values.begin(), values.end()));
}

/// A host tensor whose element `i` (row-major over `shape`) is element
/// `sourceIndex(outIndex)` of `src`.
HostTensor
remapHost(const HostTensor &src, ArrayRef<int64_t> shape,
          llvm::function_ref<int64_t(ArrayRef<int64_t>)> sourceIndex) {
  HostTensor out;
  out.elementType = src.elementType;
  out.shape.assign(shape.begin(), shape.end());
  int64_t count = numElementsOf(shape);
  SmallVector<int64_t> strides = stridesOf(shape), index(shape.size());
  for (int64_t flat = 0; flat < count; ++flat) {
    for (size_t d = 0; d < shape.size(); ++d)
      index[d] = flat / strides[d] % shape[d];
    int64_t from = sourceIndex(index);
    if (src.isFloat())
      out.floats.push_back(src.floats[from]);
    else
      out.ints.push_back(src.ints[from]);
  }
  return out;
}

/// Reads an input that must be known at import time as int64 values.
FailureOr<SmallVector<int64_t>> knownInts(NodeContext &ctx, unsigned i,
                                          StringRef what) {
  const HostTensor *t = ctx.knownInput(i);
  if (!t) {
    (void)ctx.unsupported(what + " (input " + Twine(i) +
                          ") must be known at compile time");
    return failure();
  }
  std::vector<int64_t> values = t->toInts();
  return SmallVector<int64_t>(values.begin(), values.end());
}

/// An attribute (older opsets) or input (newer) holding int64 values.
/// Returns nullopt when neither is given; failure when the input is not
/// known at import time.
FailureOr<std::optional<SmallVector<int64_t>>>
intsFromAttrOrInput(NodeContext &ctx, StringRef name, unsigned input,
                    int64_t inputSinceOpset) {
  if (ctx.opset() < inputSinceOpset)
    return ctx.intsAttr(name);
  if (!ctx.hasInput(input))
    return std::optional<SmallVector<int64_t>>();
  FailureOr<SmallVector<int64_t>> values = knownInts(ctx, input, name);
  if (failed(values))
    return failure();
  return std::optional<SmallVector<int64_t>>(*values);
}

/// Reshape `x` to `shape`: on the host when known, else ag.reshape.
LogicalResult reshapeTo(NodeContext &ctx, unsigned input,
                        ArrayRef<int64_t> shape) {
  if (const HostTensor *x = ctx.knownInput(input)) {
    HostTensor result = *x;
    result.shape.assign(shape.begin(), shape.end());
    ctx.setOutputConstant(0, std::move(result));
    return success();
  }
  auto type = ctx.inputType(input).clone(shape);
  return bind(ctx, ctx.makeTyped<ReshapeOp>(type, ctx.input(input)));
}

//===----------------------------------------------------------------------===//
// Constants and shapes
//===----------------------------------------------------------------------===//

LogicalResult importConstant(NodeContext &ctx) {
  if (const auto *value = ctx.attr("value"))
    return ctx.setOutputFromTensor(0, value->t());
  MLIRContext *mlirContext = ctx.context();
  Builder b(mlirContext);
  if (const auto *a = ctx.attr("value_float"))
    return ctx.setOutputConstant(0, HostTensor::ofFloats(b.getF32Type(), {},
                                                         {a->f()})),
           success();
  if (const auto *a = ctx.attr("value_floats")) {
    std::vector<double> values(a->floats().begin(), a->floats().end());
    ctx.setOutputConstant(0, HostTensor::ofFloats(b.getF32Type(),
                                                  {int64_t(values.size())},
                                                  values));
    return success();
  }
  if (const auto *a = ctx.attr("value_int")) {
    ctx.setOutputConstant(0, HostTensor::ofInts(b.getI64Type(), {}, {a->i()}));
    return success();
  }
  if (const auto *a = ctx.attr("value_ints")) {
    std::vector<int64_t> values(a->ints().begin(), a->ints().end());
    ctx.setOutputConstant(0, HostTensor::ofInts(b.getI64Type(),
                                                {int64_t(values.size())},
                                                values));
    return success();
  }
  if (ctx.hasAttr("sparse_value"))
    return ctx.unsupported("sparse_value constants are not supported");
  if (ctx.hasAttr("value_string") || ctx.hasAttr("value_strings"))
    return ctx.unsupported("string constants are not supported");
  return ctx.unsupported("Constant has no value attribute");
}

LogicalResult importIdentity(NodeContext &ctx) {
  if (const HostTensor *x = ctx.knownInput(0)) {
    ctx.setOutputConstant(0, *x);
    return success();
  }
  ctx.setOutput(0, ctx.input(0));
  return success();
}

LogicalResult importShape(NodeContext &ctx) {
  ArrayRef<int64_t> shape = ctx.inputType(0).getShape();
  int64_t rank = shape.size();
  int64_t start = ctx.intAttr("start", 0), end = ctx.intAttr("end", rank);
  auto clampIndex = [&](int64_t i) {
    return std::clamp(i < 0 ? i + rank : i, int64_t(0), rank);
  };
  start = clampIndex(start);
  end = std::max(start, clampIndex(end));
  ctx.setOutputConstant(0, i64Vector(ctx, shape.slice(start, end - start)));
  return success();
}

LogicalResult importSize(NodeContext &ctx) {
  int64_t count = ctx.inputType(0).getNumElements();
  ctx.setOutputConstant(0, HostTensor::ofInts(i64Type(ctx), {}, {count}));
  return success();
}

LogicalResult importConstantOfShape(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> shape = knownInts(ctx, 0, "shape");
  if (failed(shape))
    return failure();
  if (llvm::any_of(*shape, [](int64_t d) { return d < 0; }))
    return ctx.unsupported("shape has a negative dimension");
  HostTensor fill = HostTensor::ofFloats(Builder(ctx.context()).getF32Type(),
                                         {}, {0.0});
  if (const auto *value = ctx.attr("value")) {
    auto data = readTensor(value->t(), "", ctx.context());
    if (!data)
      return ctx.unsupported(llvm::toString(data.takeError()));
    std::optional<HostTensor> scalar = toHostTensor(*data);
    if (!scalar || scalar->size() != 1)
      return ctx.unsupported("value must hold exactly one element");
    fill = *scalar;
  }
  if (numElementsOf(*shape) <= kMaxHostElements) {
    ctx.setOutputConstant(0, HostTensor::generate(fill.elementType, *shape,
                                                  [&](int64_t) {
                                                    return fill.asDouble(0);
                                                  }));
    return success();
  }
  // Too large to track: a splat constant.
  auto type = RankedTensorType::get(*shape, fill.elementType);
  DenseElementsAttr one = fill.toAttr();
  ctx.setOutput(0, ConstantOp::create(
                       ctx.builder(), ctx.loc(), type,
                       SplatElementsAttr::get(
                           type, one.getSplatValue<Attribute>())));
  return success();
}

LogicalResult importRange(NodeContext &ctx) {
  const HostTensor *start = ctx.knownInput(0), *limit = ctx.knownInput(1),
                   *delta = ctx.knownInput(2);
  if (!start || !limit || !delta)
    return ctx.unsupported("Range's start, limit and delta must be known at "
                           "compile time");
  double s = start->asDouble(0), l = limit->asDouble(0),
         d = delta->asDouble(0);
  if (d == 0)
    return ctx.unsupported("Range delta is zero");
  int64_t count = std::max<int64_t>(0, int64_t(std::ceil((l - s) / d)));
  if (count > kMaxHostElements)
    return ctx.unsupported("Range of " + Twine(count) +
                           " elements is too large to build at compile time");
  ctx.setOutputConstant(0, HostTensor::generate(start->elementType, {count},
                                                [&](int64_t i) {
                                                  return s + double(i) * d;
                                                }));
  return success();
}

LogicalResult importEyeLike(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (type.getRank() != 2)
    return ctx.unsupported("EyeLike needs a 2-D input");
  Type elementType = type.getElementType();
  if (ctx.hasAttr("dtype")) {
    elementType = convertDataType(ctx.intAttr("dtype", 1), ctx.context());
    if (!elementType)
      return ctx.unsupported("unsupported dtype");
  }
  int64_t k = ctx.intAttr("k", 0), cols = type.getDimSize(1);
  ctx.setOutputConstant(0, HostTensor::generate(
                               elementType, type.getShape(), [&](int64_t i) {
                                 return double(i % cols - i / cols == k);
                               }));
  return success();
}

//===----------------------------------------------------------------------===//
// Reshape family
//===----------------------------------------------------------------------===//

LogicalResult importReshape(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> target =
      ctx.opset() < 5 ? FailureOr<SmallVector<int64_t>>(
                            ctx.intsAttr("shape").value_or(
                                SmallVector<int64_t>()))
                      : knownInts(ctx, 1, "shape");
  if (failed(target))
    return failure();
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  bool allowZero = ctx.intAttr("allowzero", 0) != 0;
  SmallVector<int64_t> shape;
  int64_t inferred = -1, known = 1;
  for (auto [i, dim] : llvm::enumerate(*target)) {
    if (dim == 0 && !allowZero) {
      if (i >= in.size())
        return ctx.unsupported("shape copies dim " + Twine(i) +
                               " (0), but the input has rank " +
                               Twine(in.size()));
      dim = in[i];
    }
    if (dim == -1) {
      if (inferred >= 0)
        return ctx.unsupported("shape has more than one -1");
      inferred = i;
      shape.push_back(1);
      continue;
    }
    if (dim < 0)
      return ctx.unsupported("shape has invalid dimension " + Twine(dim));
    shape.push_back(dim);
    known *= dim;
  }
  int64_t total = numElementsOf(in);
  if (inferred >= 0) {
    if (known == 0 || total % known != 0)
      return ctx.unsupported("cannot infer the -1 dim: " + Twine(total) +
                             " elements do not divide by " + Twine(known));
    shape[inferred] = total / known;
  }
  return reshapeTo(ctx, 0, shape);
}

/// Squeeze/Unsqueeze axes: attribute before opset 13, input after.
FailureOr<std::optional<SmallVector<int64_t>>> axesOf(NodeContext &ctx) {
  return intsFromAttrOrInput(ctx, "axes", 1, 13);
}

LogicalResult importSqueeze(NodeContext &ctx) {
  auto axes = axesOf(ctx);
  if (failed(axes))
    return failure();
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  int64_t rank = in.size();
  SmallVector<bool> drop(rank, false);
  if (!*axes) {
    for (int64_t d = 0; d < rank; ++d)
      drop[d] = in[d] == 1;
  } else {
    for (int64_t axis : **axes) {
      FailureOr<int64_t> d = ctx.normalizeAxis(axis, rank);
      if (failed(d))
        return failure();
      if (in[*d] != 1)
        return ctx.unsupported("cannot squeeze dim " + Twine(*d) + " of size " +
                               Twine(in[*d]));
      drop[*d] = true;
    }
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < rank; ++d)
    if (!drop[d])
      shape.push_back(in[d]);
  return reshapeTo(ctx, 0, shape);
}

LogicalResult importUnsqueeze(NodeContext &ctx) {
  auto axes = axesOf(ctx);
  if (failed(axes))
    return failure();
  if (!*axes)
    return ctx.unsupported("Unsqueeze needs axes");
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  int64_t rank = in.size() + (*axes)->size();
  SmallVector<bool> inserted(rank, false);
  for (int64_t axis : **axes) {
    FailureOr<int64_t> d = ctx.normalizeAxis(axis, rank);
    if (failed(d))
      return failure();
    if (inserted[*d])
      return ctx.unsupported("axes repeat " + Twine(*d));
    inserted[*d] = true;
  }
  SmallVector<int64_t> shape;
  size_t next = 0;
  for (int64_t d = 0; d < rank; ++d)
    shape.push_back(inserted[d] ? 1 : in[next++]);
  return reshapeTo(ctx, 0, shape);
}

//===----------------------------------------------------------------------===//
// Transpose, Concat, Split, Slice
//===----------------------------------------------------------------------===//

LogicalResult importTranspose(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  int64_t rank = type.getRank();
  SmallVector<int64_t> perm(rank);
  std::iota(perm.rbegin(), perm.rend(), 0);
  if (auto given = ctx.intsAttr("perm"))
    perm = *given;
  if (int64_t(perm.size()) != rank)
    return ctx.unsupported("perm has " + Twine(perm.size()) +
                           " entries for a rank-" + Twine(rank) + " input");
  if (const HostTensor *x = ctx.knownInput(0)) {
    SmallVector<int64_t> shape, inStrides = stridesOf(x->shape);
    for (int64_t p : perm) {
      if (p < 0 || p >= rank)
        return ctx.unsupported("perm entry " + Twine(p) + " out of range");
      shape.push_back(x->shape[p]);
    }
    ctx.setOutputConstant(0, remapHost(*x, shape, [&](ArrayRef<int64_t> idx) {
                            int64_t from = 0;
                            for (int64_t d = 0; d < rank; ++d)
                              from += idx[d] * inStrides[perm[d]];
                            return from;
                          }));
    return success();
  }
  return bind(ctx, ctx.make<TransposeOp>(
                       ctx.input(0), ctx.builder().getDenseI64ArrayAttr(perm)));
}

LogicalResult importConcat(NodeContext &ctx) {
  if (ctx.numInputs() == 0)
    return ctx.unsupported("Concat needs at least one input");
  int64_t rank = ctx.inputType(0).getRank();
  FailureOr<int64_t> axis = ctx.normalizeAxis(ctx.intAttr("axis", 0), rank);
  if (failed(axis))
    return failure();
  if (ctx.allInputsKnown()) {
    // Concatenate on the host: outer blocks interleave the inputs' rows.
    const HostTensor *first = ctx.knownInput(0);
    HostTensor out;
    out.elementType = first->elementType;
    out.shape = first->shape;
    out.shape[*axis] = 0;
    int64_t outer = numElementsOf(ArrayRef<int64_t>(first->shape).take_front(*axis));
    for (unsigned i = 0; i < ctx.numInputs(); ++i)
      out.shape[*axis] += ctx.knownInput(i)->shape[*axis];
    for (int64_t o = 0; o < outer; ++o)
      for (unsigned i = 0; i < ctx.numInputs(); ++i) {
        const HostTensor *t = ctx.knownInput(i);
        int64_t block = t->size() / std::max<int64_t>(outer, 1);
        if (t->isFloat())
          out.floats.insert(out.floats.end(), t->floats.begin() + o * block,
                            t->floats.begin() + (o + 1) * block);
        else
          out.ints.insert(out.ints.end(), t->ints.begin() + o * block,
                          t->ints.begin() + (o + 1) * block);
      }
    if (out.elementType == first->elementType &&
        out.size() == numElementsOf(out.shape)) {
      ctx.setOutputConstant(0, std::move(out));
      return success();
    }
  }
  SmallVector<Value> inputs;
  for (unsigned i = 0; i < ctx.numInputs(); ++i)
    inputs.push_back(ctx.input(i));
  return bind(ctx, ctx.make<ConcatOp>(inputs, *axis));
}

/// Builds ag.slice (or evaluates it on the host) for normalized bounds.
FailureOr<Value> sliceOf(NodeContext &ctx, unsigned input,
                         ArrayRef<int64_t> starts, ArrayRef<int64_t> sizes,
                         ArrayRef<int64_t> steps, HostTensor *known) {
  if (const HostTensor *x = ctx.knownInput(input)) {
    SmallVector<int64_t> inStrides = stridesOf(x->shape);
    *known = remapHost(*x, sizes, [&](ArrayRef<int64_t> idx) {
      int64_t from = 0;
      for (size_t d = 0; d < idx.size(); ++d)
        from += (starts[d] + idx[d] * steps[d]) * inStrides[d];
      return from;
    });
    return ctx.constant(*known);
  }
  Builder &b = ctx.builder();
  return ctx.make<SliceOp>(ctx.input(input), b.getDenseI64ArrayAttr(starts),
                           b.getDenseI64ArrayAttr(sizes),
                           b.getDenseI64ArrayAttr(steps));
}

LogicalResult bindSlice(NodeContext &ctx, unsigned output, unsigned input,
                        ArrayRef<int64_t> starts, ArrayRef<int64_t> sizes,
                        ArrayRef<int64_t> steps) {
  HostTensor known;
  FailureOr<Value> value = sliceOf(ctx, input, starts, sizes, steps, &known);
  if (failed(value))
    return failure();
  if (known.elementType)
    ctx.setOutputConstant(output, std::move(known));
  else
    ctx.setOutput(output, *value);
  return success();
}

LogicalResult importSlice(NodeContext &ctx) {
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  int64_t rank = in.size();
  SmallVector<int64_t> startsIn, endsIn, axes, stepsIn;
  if (ctx.opset() < 10) {
    startsIn = ctx.intsAttr("starts").value_or(SmallVector<int64_t>());
    endsIn = ctx.intsAttr("ends").value_or(SmallVector<int64_t>());
    axes = ctx.intsAttr("axes").value_or(SmallVector<int64_t>());
  } else {
    auto s = knownInts(ctx, 1, "starts"), e = knownInts(ctx, 2, "ends");
    if (failed(s) || failed(e))
      return failure();
    startsIn = *s;
    endsIn = *e;
    for (unsigned i : {3u, 4u}) {
      if (!ctx.hasInput(i))
        continue;
      auto v = knownInts(ctx, i, i == 3 ? "axes" : "steps");
      if (failed(v))
        return failure();
      (i == 3 ? axes : stepsIn) = *v;
    }
  }
  if (axes.empty())
    for (size_t i = 0; i < startsIn.size(); ++i)
      axes.push_back(i);
  if (stepsIn.empty())
    stepsIn.assign(startsIn.size(), 1);
  if (endsIn.size() != startsIn.size() || axes.size() != startsIn.size() ||
      stepsIn.size() != startsIn.size())
    return ctx.unsupported("starts, ends, axes and steps differ in length");
  SmallVector<int64_t> starts(rank, 0), sizes(in), steps(rank, 1);
  for (size_t i = 0; i < axes.size(); ++i) {
    FailureOr<int64_t> axis = ctx.normalizeAxis(axes[i], rank);
    if (failed(axis))
      return failure();
    int64_t dim = in[*axis], step = stepsIn[i];
    if (step == 0)
      return ctx.unsupported("slice step is zero");
    // ONNX: negative bounds count from the end, then clamp.
    int64_t start = startsIn[i], end = endsIn[i];
    start = start < 0 ? std::max<int64_t>(start + dim, INT64_MIN / 2) : start;
    end = end < 0 ? std::max<int64_t>(end + dim, INT64_MIN / 2) : end;
    int64_t size;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      size = end > start ? (end - start + step - 1) / step : 0;
    } else {
      start = std::clamp<int64_t>(start, -1, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      size = start > end ? (start - end - step - 1) / -step : 0;
    }
    starts[*axis] = size > 0 ? start : 0;
    sizes[*axis] = size;
    steps[*axis] = step;
  }
  return bindSlice(ctx, 0, 0, starts, sizes, steps);
}

LogicalResult importSplit(NodeContext &ctx) {
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.intAttr("axis", 0), in.size());
  if (failed(axis))
    return failure();
  auto split = intsFromAttrOrInput(ctx, "split", 1, 13);
  if (failed(split))
    return failure();
  int64_t dim = in[*axis], outputs = ctx.numOutputs();
  SmallVector<int64_t> parts;
  if (*split) {
    parts = **split;
  } else {
    // Equal parts; with num_outputs (opset 18) the last may be smaller.
    int64_t n = ctx.intAttr("num_outputs", outputs);
    int64_t chunk = (dim + n - 1) / n;
    for (int64_t i = 0; i < n; ++i)
      parts.push_back(std::max<int64_t>(0, std::min(chunk, dim - i * chunk)));
    if (!ctx.hasAttr("num_outputs") && dim % n != 0)
      return ctx.unsupported("dim " + Twine(dim) + " does not split evenly " +
                             "into " + Twine(n) + " outputs");
  }
  if (int64_t(parts.size()) != outputs ||
      std::accumulate(parts.begin(), parts.end(), int64_t(0)) != dim)
    return ctx.unsupported("split sizes do not add up to dim " + Twine(dim) +
                           " over " + Twine(outputs) + " outputs");
  int64_t offset = 0;
  for (int64_t i = 0; i < outputs; ++i) {
    SmallVector<int64_t> starts(in.size(), 0), sizes(in), steps(in.size(), 1);
    starts[*axis] = parts[i] > 0 ? offset : 0;
    sizes[*axis] = parts[i];
    if (failed(bindSlice(ctx, i, 0, starts, sizes, steps)))
      return failure();
    offset += parts[i];
  }
  return success();
}

//===----------------------------------------------------------------------===//
// Gather and scatter
//===----------------------------------------------------------------------===//

LogicalResult importGather(NodeContext &ctx) {
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  FailureOr<int64_t> axis =
      ctx.normalizeAxis(ctx.intAttr("axis", 0), in.size());
  if (failed(axis))
    return failure();
  const HostTensor *indices = ctx.knownInput(1);
  if (indices) {
    int64_t dim = in[*axis];
    std::vector<int64_t> normalized = indices->toInts();
    for (int64_t &i : normalized) {
      if (i < -dim || i >= dim)
        return ctx.unsupported("index " + Twine(i) + " is out of range for "
                               "dim " + Twine(*axis) + " of size " +
                               Twine(dim));
      if (i < 0)
        i += dim;
    }
    if (const HostTensor *x = ctx.knownInput(0)) {
      SmallVector<int64_t> shape(in.take_front(*axis));
      llvm::append_range(shape, indices->shape);
      llvm::append_range(shape, in.drop_front(*axis + 1));
      SmallVector<int64_t> inStrides = stridesOf(in);
      size_t indexRank = indices->shape.size();
      SmallVector<int64_t> idxStrides = stridesOf(indices->shape);
      ctx.setOutputConstant(0, remapHost(*x, shape, [&](ArrayRef<int64_t> o) {
                              int64_t from = 0, flatIndex = 0;
                              for (size_t k = 0; k < indexRank; ++k)
                                flatIndex += o[*axis + k] * idxStrides[k];
                              for (int64_t d = 0; d < int64_t(in.size()); ++d) {
                                int64_t coord =
                                    d < *axis    ? o[d]
                                    : d == *axis ? normalized[flatIndex]
                                                 : o[d - 1 + indexRank];
                                from += coord * inStrides[d];
                              }
                              return from;
                            }));
      return success();
    }
    // Constant indices are stored normalized, as i64.
    Value idx = ctx.constant(HostTensor::ofInts(i64Type(ctx), indices->shape,
                                                normalized));
    return bind(ctx, ctx.make<GatherOp>(ctx.input(0), idx, *axis));
  }
  return bind(ctx, ctx.make<GatherOp>(ctx.input(0), ctx.input(1), *axis));
}

LogicalResult importGatherElements(NodeContext &ctx) {
  FailureOr<int64_t> axis = ctx.normalizeAxis(ctx.intAttr("axis", 0),
                                              ctx.inputType(0).getRank());
  if (failed(axis))
    return failure();
  return bind(ctx,
              ctx.make<GatherElementsOp>(ctx.input(0), ctx.input(1), *axis));
}

LogicalResult importGatherND(NodeContext &ctx) {
  return bind(ctx, ctx.make<GatherNDOp>(ctx.input(0), ctx.input(1),
                                        ctx.intAttr("batch_dims", 0)));
}

FailureOr<ScatterReduction> scatterReduction(NodeContext &ctx) {
  std::string reduction = ctx.stringAttr("reduction", "none");
  if (std::optional<ScatterReduction> kind =
          symbolizeScatterReduction(reduction))
    return *kind;
  (void)ctx.unsupported("reduction '" + reduction + "'");
  return failure();
}

LogicalResult importScatterElements(NodeContext &ctx) {
  FailureOr<int64_t> axis = ctx.normalizeAxis(ctx.intAttr("axis", 0),
                                              ctx.inputType(0).getRank());
  FailureOr<ScatterReduction> reduction = scatterReduction(ctx);
  if (failed(axis) || failed(reduction))
    return failure();
  return bind(ctx, ctx.make<ScatterElementsOp>(ctx.input(0), ctx.input(1),
                                               ctx.input(2), *axis,
                                               *reduction));
}

LogicalResult importScatterND(NodeContext &ctx) {
  FailureOr<ScatterReduction> reduction = scatterReduction(ctx);
  if (failed(reduction))
    return failure();
  return bind(ctx, ctx.make<ScatterNDOp>(ctx.input(0), ctx.input(1),
                                         ctx.input(2), *reduction));
}

//===----------------------------------------------------------------------===//
// Expand, Tile, Pad
//===----------------------------------------------------------------------===//

LogicalResult expandTo(NodeContext &ctx, unsigned input,
                       ArrayRef<int64_t> shape) {
  if (const HostTensor *x = ctx.knownInput(input)) {
    HostTensor shapeOnly = HostTensor::generate(
        x->elementType, shape, [](int64_t) { return 0.0; });
    if (numElementsOf(shape) <= kMaxHostElements) {
      std::optional<HostTensor> result = hostElementwise(
          {x, &shapeOnly}, x->elementType,
          [](ArrayRef<double> v) { return v[0]; },
          [](ArrayRef<int64_t> v) { return v[0]; });
      if (result) {
        ctx.setOutputConstant(0, std::move(*result));
        return success();
      }
    }
  }
  auto type = ctx.inputType(input).clone(shape);
  return bind(ctx, ctx.makeTyped<ExpandOp>(type, ctx.input(input)));
}

LogicalResult importExpand(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> target = knownInts(ctx, 1, "shape");
  if (failed(target))
    return failure();
  // Expand broadcasts both ways: the result is broadcast(input, shape).
  std::optional<SmallVector<int64_t>> shape =
      broadcastShapes(ctx.inputType(0).getShape(), *target);
  if (!shape)
    return ctx.unsupported("input shape " +
                           formatShape(ctx.inputType(0).getShape()) +
                           " does not broadcast with " + formatShape(*target));
  return expandTo(ctx, 0, *shape);
}

LogicalResult importTile(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> repeats = knownInts(ctx, 1, "repeats");
  if (failed(repeats))
    return failure();
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  if (repeats->size() != in.size())
    return ctx.unsupported("repeats has " + Twine(repeats->size()) +
                           " entries for a rank-" + Twine(in.size()) +
                           " input");
  // x[d0, d1] tiled (r0, r1) = reshape(expand(reshape(x, [1, d0, 1, d1]),
  // [r0, d0, r1, d1]), [r0 * d0, r1 * d1]).
  SmallVector<int64_t> interleaved, expanded, result;
  for (auto [dim, r] : llvm::zip(in, *repeats)) {
    if (r < 0)
      return ctx.unsupported("negative repeat " + Twine(r));
    interleaved.append({1, dim});
    expanded.append({r, dim});
    result.push_back(r * dim);
  }
  Type elementType = ctx.inputType(0).getElementType();
  FailureOr<Value> lifted = ctx.makeTyped<ReshapeOp>(
      RankedTensorType::get(interleaved, elementType), ctx.input(0));
  if (failed(lifted))
    return failure();
  FailureOr<Value> broadcast = ctx.makeTyped<ExpandOp>(
      RankedTensorType::get(expanded, elementType), *lifted);
  if (failed(broadcast))
    return failure();
  return bind(ctx, ctx.makeTyped<ReshapeOp>(
                       RankedTensorType::get(result, elementType), *broadcast));
}

LogicalResult importPad(NodeContext &ctx) {
  int64_t rank = ctx.inputType(0).getRank();
  std::string modeName = ctx.stringAttr("mode", "constant");
  std::optional<PadMode> mode = symbolizePadMode(modeName);
  if (!mode)
    return ctx.unsupported("mode '" + modeName + "'");
  SmallVector<int64_t> pads;
  double value = 0;
  Value runtimeValue;
  if (ctx.opset() < 11) {
    pads = ctx.intsAttr(ctx.opset() < 2 ? "paddings" : "pads")
               .value_or(SmallVector<int64_t>());
    value = ctx.floatAttr("value", 0.0);
  } else {
    FailureOr<SmallVector<int64_t>> given = knownInts(ctx, 1, "pads");
    if (failed(given))
      return failure();
    pads = *given;
    if (ctx.hasInput(2)) {
      if (const HostTensor *c = ctx.knownInput(2))
        value = c->asDouble(0);
      else
        runtimeValue = ctx.input(2);
    }
    if (ctx.hasInput(3)) {
      // Pads for the listed axes only (opset 18).
      FailureOr<SmallVector<int64_t>> axes = knownInts(ctx, 3, "axes");
      if (failed(axes))
        return failure();
      SmallVector<int64_t> full(2 * rank, 0);
      int64_t n = axes->size();
      if (int64_t(pads.size()) != 2 * n)
        return ctx.unsupported("pads needs two entries per axis");
      for (int64_t i = 0; i < n; ++i) {
        FailureOr<int64_t> axis = ctx.normalizeAxis((*axes)[i], rank);
        if (failed(axis))
          return failure();
        full[*axis] = pads[i];
        full[*axis + rank] = pads[i + n];
      }
      pads = full;
    }
  }
  if (int64_t(pads.size()) != 2 * rank)
    return ctx.unsupported("pads has " + Twine(pads.size()) +
                           " entries; a rank-" + Twine(rank) + " input needs " +
                           Twine(2 * rank));
  FailureOr<Value> padded = ctx.make<PadOp>(
      *mode, ctx.input(0), ArrayRef<int64_t>(pads), APFloat(value));
  if (failed(padded) || !runtimeValue || *mode != PadMode::constant)
    return bind(ctx, padded);
  // A constant_value known only at run time: select it wherever a constant
  // mask says the element is padding.
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  SmallVector<int64_t> out = llvm::to_vector(
      cast<RankedTensorType>(padded->getType()).getShape());
  SmallVector<int64_t> outStrides = stridesOf(out);
  HostTensor isPadding = HostTensor::generate(
      ctx.builder().getI1Type(), out, [&](int64_t flat) {
        for (int64_t d = 0; d < rank; ++d) {
          int64_t i = flat / outStrides[d] % out[d] - pads[d];
          if (i < 0 || i >= in[d])
            return 1.0;
        }
        return 0.0;
      });
  if (numElementsOf(out) > kMaxHostElements)
    return ctx.unsupported("a run-time constant_value on a tensor this large "
                           "is not supported");
  FailureOr<Value> scalarValue = ctx.makeTyped<ReshapeOp>(
      RankedTensorType::get({}, ctx.inputType(2).getElementType()),
      runtimeValue);
  if (failed(scalarValue))
    return failure();
  return bind(ctx, ctx.make<SelectOp>(ctx.constant(isPadding), *scalarValue,
                                      *padded));
}

//===----------------------------------------------------------------------===//
// Trilu, OneHot
//===----------------------------------------------------------------------===//

LogicalResult importTrilu(NodeContext &ctx) {
  RankedTensorType type = ctx.inputType(0);
  if (type.getRank() < 2)
    return ctx.unsupported("Trilu needs rank >= 2");
  int64_t k = 0;
  if (ctx.hasInput(1)) {
    FailureOr<SmallVector<int64_t>> given = knownInts(ctx, 1, "k");
    if (failed(given))
      return failure();
    k = given->front();
  }
  bool upper = ctx.intAttr("upper", 1) != 0;
  int64_t rows = type.getDimSize(type.getRank() - 2),
          cols = type.getDimSize(type.getRank() - 1);
  // Keep element (i, j) when j - i >= k (upper) or j - i <= k (lower).
  HostTensor mask = HostTensor::generate(
      ctx.builder().getI1Type(), {rows, cols}, [&](int64_t flat) {
        int64_t diff = flat % cols - flat / cols;
        return double(upper ? diff >= k : diff <= k);
      });
  Value zero = ctx.scalar(type.getElementType(), 0.0);
  return bind(ctx, ctx.make<SelectOp>(ctx.constant(mask), ctx.input(0), zero));
}

LogicalResult importOneHot(NodeContext &ctx) {
  FailureOr<SmallVector<int64_t>> depthValues = knownInts(ctx, 1, "depth");
  if (failed(depthValues))
    return failure();
  int64_t depth = depthValues->front();
  RankedTensorType indicesType = ctx.inputType(0);
  int64_t rank = indicesType.getRank() + 1;
  FailureOr<int64_t> axis = ctx.normalizeAxis(ctx.intAttr("axis", -1), rank);
  if (failed(axis))
    return failure();
  RankedTensorType valuesType = ctx.inputType(2);
  if (valuesType.getNumElements() != 2)
    return ctx.unsupported("values must hold [off_value, on_value]");
  // indices unsqueezed at axis == iota over depth at axis.
  SmallVector<int64_t> unsqueezed(indicesType.getShape());
  unsqueezed.insert(unsqueezed.begin() + *axis, 1);
  Type indexType = indicesType.getElementType();
  FailureOr<Value> idx = ctx.makeTyped<ReshapeOp>(
      RankedTensorType::get(unsqueezed, indexType), ctx.input(0));
  if (failed(idx))
    return failure();
  // Negative indices count from depth.
  FailureOr<Value> negative = ctx.make<CompareOp>(
      CompareKind::lt, *idx, ctx.scalar(indexType, 0));
  FailureOr<Value> wrapped =
      ctx.make<AddOp>(*idx, ctx.scalar(indexType, double(depth)));
  if (failed(negative) || failed(wrapped))
    return failure();
  FailureOr<Value> index = ctx.make<SelectOp>(*negative, *wrapped, *idx);
  if (failed(index))
    return failure();
  SmallVector<int64_t> iotaShape(rank, 1);
  iotaShape[*axis] = depth;
  Value iota = ctx.constant(HostTensor::generate(
      indexType, iotaShape, [](int64_t i) { return double(i); }));
  FailureOr<Value> hot = ctx.make<CompareOp>(CompareKind::eq, *index, iota);
  if (failed(hot))
    return failure();
  Value off, on;
  if (const HostTensor *values = ctx.knownInput(2)) {
    off = ctx.scalar(values->elementType, values->asDouble(0));
    on = ctx.scalar(values->elementType, values->asDouble(1));
  } else {
    Builder &b = ctx.builder();
    auto pick = [&](int64_t i) -> FailureOr<Value> {
      FailureOr<Value> one = ctx.make<SliceOp>(
          ctx.input(2), b.getDenseI64ArrayAttr({i}),
          b.getDenseI64ArrayAttr({1}), b.getDenseI64ArrayAttr({1}));
      if (failed(one))
        return failure();
      return ctx.makeTyped<ReshapeOp>(
          RankedTensorType::get({}, valuesType.getElementType()), *one);
    };
    FailureOr<Value> offValue = pick(0), onValue = pick(1);
    if (failed(offValue) || failed(onValue))
      return failure();
    off = *offValue;
    on = *onValue;
  }
  return bind(ctx, ctx.make<SelectOp>(*hot, on, off));
}

//===----------------------------------------------------------------------===//
// DepthToSpace, SpaceToDepth
//===----------------------------------------------------------------------===//

/// reshape -> transpose -> reshape, the pattern of both block moves.
LogicalResult blockMove(NodeContext &ctx, ArrayRef<int64_t> split,
                        ArrayRef<int64_t> perm, ArrayRef<int64_t> result) {
  Type elementType = ctx.inputType(0).getElementType();
  FailureOr<Value> blocks = ctx.makeTyped<ReshapeOp>(
      RankedTensorType::get(split, elementType), ctx.input(0));
  if (failed(blocks))
    return failure();
  FailureOr<Value> moved = ctx.make<TransposeOp>(
      *blocks, ctx.builder().getDenseI64ArrayAttr(perm));
  if (failed(moved))
    return failure();
  return bind(ctx, ctx.makeTyped<ReshapeOp>(
                       RankedTensorType::get(result, elementType), *moved));
}

LogicalResult importDepthToSpace(NodeContext &ctx) {
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  int64_t b = ctx.intAttr("blocksize", 0);
  if (in.size() != 4 || b <= 0 || in[1] % (b * b) != 0)
    return ctx.unsupported("needs a 4-D input whose channels divide by "
                           "blocksize^2 (blocksize " + Twine(b) + ")");
  int64_t n = in[0], c = in[1] / (b * b), h = in[2], w = in[3];
  std::string mode = ctx.stringAttr("mode", "DCR");
  if (mode == "DCR")
    return blockMove(ctx, {n, b, b, c, h, w}, {0, 3, 4, 1, 5, 2},
                     {n, c, h * b, w * b});
  if (mode == "CRD")
    return blockMove(ctx, {n, c, b, b, h, w}, {0, 1, 4, 2, 5, 3},
                     {n, c, h * b, w * b});
  return ctx.unsupported("mode '" + mode + "'");
}

LogicalResult importSpaceToDepth(NodeContext &ctx) {
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  int64_t b = ctx.intAttr("blocksize", 0);
  if (in.size() != 4 || b <= 0 || in[2] % b != 0 || in[3] % b != 0)
    return ctx.unsupported("needs a 4-D input whose height and width divide "
                           "by blocksize " + Twine(b));
  int64_t n = in[0], c = in[1], h = in[2] / b, w = in[3] / b;
  return blockMove(ctx, {n, c, h, b, w, b}, {0, 3, 5, 1, 2, 4},
                   {n, c * b * b, h, w});
}

//===----------------------------------------------------------------------===//
// Resize, Upsample
//===----------------------------------------------------------------------===//

struct ResizeSpec {
  ResizeMode mode = ResizeMode::nearest;
  CoordinateMode coordinates = CoordinateMode::half_pixel;
  NearestMode nearest = NearestMode::round_prefer_floor;
  double cubicA = -0.75;
  bool excludeOutside = false;
  SmallVector<int64_t> sizes;
  std::optional<SmallVector<double>> scales;
};

LogicalResult buildResize(NodeContext &ctx, const ResizeSpec &spec) {
  Builder &b = ctx.builder();
  auto type = ctx.inputType(0).clone(spec.sizes);
  DenseF64ArrayAttr scales =
      spec.scales ? b.getDenseF64ArrayAttr(*spec.scales) : DenseF64ArrayAttr();
  MLIRContext *context = ctx.context();
  return bind(ctx, ctx.makeTyped<ResizeOp>(
                       type, ResizeModeAttr::get(context, spec.mode),
                       ctx.input(0),
                       CoordinateModeAttr::get(context, spec.coordinates),
                       NearestModeAttr::get(context, spec.nearest),
                       b.getF64FloatAttr(spec.cubicA),
                       spec.excludeOutside ? b.getUnitAttr() : UnitAttr(),
                       scales));
}

LogicalResult importResize(NodeContext &ctx) {
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  int64_t rank = in.size();
  ResizeSpec spec;
  std::string mode = ctx.stringAttr("mode", "nearest");
  if (mode == "nearest")
    spec.mode = ResizeMode::nearest;
  else if (mode == "linear" || mode == "bilinear" || mode == "trilinear")
    spec.mode = ResizeMode::linear;
  else if (mode == "cubic" || mode == "bicubic")
    spec.mode = ResizeMode::cubic;
  else
    return ctx.unsupported("mode '" + mode + "'");
  std::string coordinates =
      ctx.stringAttr("coordinate_transformation_mode",
                     ctx.opset() < 11 ? "asymmetric" : "half_pixel");
  std::optional<CoordinateMode> coordinateMode =
      symbolizeCoordinateMode(coordinates);
  if (!coordinateMode)
    return ctx.unsupported("coordinate_transformation_mode '" + coordinates +
                           "' is not supported");
  spec.coordinates = *coordinateMode;
  std::string nearest = ctx.stringAttr("nearest_mode", "round_prefer_floor");
  std::optional<NearestMode> nearestMode = symbolizeNearestMode(nearest);
  if (!nearestMode)
    return ctx.unsupported("nearest_mode '" + nearest + "'");
  spec.nearest = *nearestMode;
  spec.cubicA = ctx.floatAttr("cubic_coeff_a", -0.75);
  spec.excludeOutside = ctx.intAttr("exclude_outside", 0) != 0;
  if (ctx.intAttr("antialias", 0) != 0)
    return ctx.unsupported("antialias=1 is not supported");
  std::string policy = ctx.stringAttr("keep_aspect_ratio_policy", "stretch");
  if (policy != "stretch")
    return ctx.unsupported("keep_aspect_ratio_policy '" + policy + "'");

  // Inputs: opset 10 (X, scales); 11+ (X, roi, scales, sizes).
  unsigned scalesInput = ctx.opset() < 11 ? 1 : 2, sizesInput = 3;
  SmallVector<int64_t> axes;
  if (auto given = ctx.intsAttr("axes")) {
    for (int64_t axis : *given) {
      FailureOr<int64_t> d = ctx.normalizeAxis(axis, rank);
      if (failed(d))
        return failure();
      axes.push_back(*d);
    }
  } else {
    for (int64_t d = 0; d < rank; ++d)
      axes.push_back(d);
  }
  spec.sizes.assign(in.begin(), in.end());
  const HostTensor *sizes =
      ctx.hasInput(sizesInput) ? ctx.knownInput(sizesInput) : nullptr;
  const HostTensor *scales =
      ctx.hasInput(scalesInput) ? ctx.knownInput(scalesInput) : nullptr;
  if (scales && scales->size() == 0)
    scales = nullptr;
  if ((ctx.hasInput(sizesInput) && !sizes) ||
      (ctx.hasInput(scalesInput) && !ctx.knownInput(scalesInput)))
    return ctx.unsupported("scales and sizes must be known at compile time");
  if (sizes && sizes->size() != 0) {
    if (sizes->size() != int64_t(axes.size()))
      return ctx.unsupported("sizes has " + Twine(sizes->size()) +
                             " entries for " + Twine(axes.size()) + " axes");
    for (size_t i = 0; i < axes.size(); ++i)
      spec.sizes[axes[i]] = sizes->asInt(i);
  } else if (scales) {
    if (scales->size() != int64_t(axes.size()))
      return ctx.unsupported("scales has " + Twine(scales->size()) +
                             " entries for " + Twine(axes.size()) + " axes");
    spec.scales = SmallVector<double>(rank, 1.0);
    for (size_t i = 0; i < axes.size(); ++i) {
      double s = scales->asDouble(i);
      if (!(s > 0))
        return ctx.unsupported("scale " + std::to_string(s) +
                               " is not positive");
      (*spec.scales)[axes[i]] = s;
      spec.sizes[axes[i]] = int64_t(std::floor(double(in[axes[i]]) * s));
    }
  } else {
    return ctx.unsupported("Resize needs scales or sizes");
  }
  return buildResize(ctx, spec);
}

LogicalResult importUpsample(NodeContext &ctx) {
  ArrayRef<int64_t> in = ctx.inputType(0).getShape();
  ResizeSpec spec;
  std::string mode = ctx.stringAttr("mode", "nearest");
  if (mode != "nearest" && mode != "linear" && mode != "bilinear")
    return ctx.unsupported("mode '" + mode + "'");
  spec.mode = mode == "nearest" ? ResizeMode::nearest : ResizeMode::linear;
  spec.coordinates = CoordinateMode::asymmetric;
  spec.nearest = NearestMode::floor;
  SmallVector<double> scaleValues;
  if (auto attr = ctx.floatsAttr("scales")) {
    scaleValues = *attr;
  } else if (const HostTensor *given = ctx.knownInput(1)) {
    for (int64_t i = 0; i < given->size(); ++i)
      scaleValues.push_back(given->asDouble(i));
  } else {
    return ctx.unsupported("scales must be known at compile time");
  }
  if (scaleValues.size() != in.size())
    return ctx.unsupported("scales needs one entry per dim");
  spec.scales = scaleValues;
  for (size_t d = 0; d < in.size(); ++d)
    spec.sizes.push_back(int64_t(std::floor(double(in[d]) * scaleValues[d])));
  return buildResize(ctx, spec);
}

} // namespace

void registerTensorHandlers(HandlerTable &table) {
  table["Constant"] = importConstant;
  table["Identity"] = importIdentity;
  table["Shape"] = importShape;
  table["Size"] = importSize;
  table["ConstantOfShape"] = importConstantOfShape;
  table["Range"] = importRange;
  table["EyeLike"] = importEyeLike;
  table["Reshape"] = importReshape;
  table["Squeeze"] = importSqueeze;
  table["Unsqueeze"] = importUnsqueeze;
  table["Transpose"] = importTranspose;
  table["Concat"] = importConcat;
  table["Split"] = importSplit;
  table["Slice"] = importSlice;
  table["Gather"] = importGather;
  table["GatherElements"] = importGatherElements;
  table["GatherND"] = importGatherND;
  table["ScatterElements"] = importScatterElements;
  table["Scatter"] = importScatterElements;
  table["ScatterND"] = importScatterND;
  table["Expand"] = importExpand;
  table["Tile"] = importTile;
  table["Pad"] = importPad;
  table["Trilu"] = importTrilu;
  table["OneHot"] = importOneHot;
  table["DepthToSpace"] = importDepthToSpace;
  table["SpaceToDepth"] = importSpaceToDepth;
  table["Resize"] = importResize;
  table["Upsample"] = importUpsample;
}

} // namespace mlir::autoglm::onnx_import
