//===- ConstantEvaluationShape.cpp - data movement, reduce, matmul --------===//
//
// Host evaluation of the data movement ops (reshape, expand, transpose,
// concat, slice, gather, constant pad), reductions and matmul on HostTensors.
//
//===----------------------------------------------------------------------===//

#include "passes/ConstantEvaluation.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::autoglm;
using namespace mlir::autoglm::consteval;

/// Copies element `from` of `in` to element `to` of `out` (same kind).
static void copyElement(const HostTensor &in, int64_t from, HostTensor &out,
                        int64_t to) {
  if (in.isFloat())
    out.floats[to] = in.floats[from];
  else
    out.ints[to] = in.ints[from];
}

/// Calls `fn(index, i)` for each row-major multi-index of `shape`.
template <typename Fn>
static void forEachIndex(ArrayRef<int64_t> shape, Fn fn) {
  int64_t total = 1;
  for (int64_t size : shape)
    total *= size;
  SmallVector<int64_t> index(shape.size(), 0);
  for (int64_t i = 0; i < total; ++i) {
    fn(ArrayRef<int64_t>(index), i);
    for (int64_t d = static_cast<int64_t>(shape.size()) - 1; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
  }
}

static int64_t linearize(ArrayRef<int64_t> index, ArrayRef<int64_t> strides) {
  int64_t position = 0;
  for (auto [i, stride] : llvm::zip_equal(index, strides))
    position += i * stride;
  return position;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

std::optional<HostTensor> consteval::evalReshape(const HostTensor &input,
                                                 RankedTensorType resultType) {
  if (resultType.getNumElements() != input.size())
    return std::nullopt;
  HostTensor out = input;
  out.type = resultType;
  return out;
}

std::optional<HostTensor> consteval::evalExpand(const HostTensor &input,
                                                RankedTensorType resultType) {
  HostTensor out = makeTensor(resultType);
  std::vector<int64_t> at =
      broadcastPositions(input.type.getShape(), resultType.getShape());
  for (int64_t i = 0, e = resultType.getNumElements(); i < e; ++i)
    copyElement(input, at[i], out, i);
  return out;
}

std::optional<HostTensor> consteval::evalTranspose(TransposeOp op,
                                                   const HostTensor &input) {
  auto resultType = cast<RankedTensorType>(op.getType());
  ArrayRef<int64_t> permutation = op.getPermutation();
  SmallVector<int64_t> inStrides = stridesOf(input.type.getShape());
  // Result dim d walks input dim permutation[d].
  SmallVector<int64_t> strides;
  for (int64_t p : permutation)
    strides.push_back(inStrides[p]);
  HostTensor out = makeTensor(resultType);
  forEachIndex(resultType.getShape(), [&](ArrayRef<int64_t> index, int64_t i) {
    copyElement(input, linearize(index, strides), out, i);
  });
  return out;
}

std::optional<HostTensor> consteval::evalConcat(ConcatOp op,
                                                ArrayRef<HostTensor> inputs) {
  auto resultType = cast<RankedTensorType>(op.getType());
  int64_t axis = op.getAxis();
  ArrayRef<int64_t> shape = resultType.getShape();
  // Rows before the axis; each row holds, per input, dim(axis) * inner.
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= shape[d];
  for (int64_t d = axis + 1, e = shape.size(); d < e; ++d)
    inner *= shape[d];
  HostTensor out = makeTensor(resultType);
  int64_t position = 0;
  for (int64_t row = 0; row < outer; ++row) {
    for (const HostTensor &input : inputs) {
      int64_t chunk = input.type.getDimSize(axis) * inner;
      for (int64_t j = 0; j < chunk; ++j)
        copyElement(input, row * chunk + j, out, position++);
    }
  }
  return out;
}

std::optional<HostTensor> consteval::evalSlice(SliceOp op,
                                               const HostTensor &input) {
  auto resultType = cast<RankedTensorType>(op.getType());
  ArrayRef<int64_t> starts = op.getStarts(), steps = op.getSteps();
  ArrayRef<int64_t> inShape = input.type.getShape();
  SmallVector<int64_t> inStrides = stridesOf(inShape);
  int64_t rank = inShape.size();
  if (static_cast<int64_t>(starts.size()) != rank ||
      static_cast<int64_t>(steps.size()) != rank)
    return std::nullopt;
  // Every element read must lie inside the input (first and last per dim).
  for (int64_t d = 0; d < rank; ++d) {
    int64_t size = resultType.getDimSize(d);
    if (size == 0)
      continue;
    int64_t last = starts[d] + (size - 1) * steps[d];
    if (starts[d] < 0 || starts[d] >= inShape[d] || last < 0 ||
        last >= inShape[d])
      return std::nullopt;
  }
  HostTensor out = makeTensor(resultType);
  forEachIndex(resultType.getShape(), [&](ArrayRef<int64_t> index, int64_t i) {
    int64_t position = 0;
    for (int64_t d = 0; d < rank; ++d)
      position += (starts[d] + index[d] * steps[d]) * inStrides[d];
    copyElement(input, position, out, i);
  });
  return out;
}

std::optional<HostTensor> consteval::evalGather(GatherOp op,
                                                const HostTensor &input,
                                                const HostTensor &indices) {
  auto resultType = cast<RankedTensorType>(op.getType());
  int64_t axis = op.getAxis();
  ArrayRef<int64_t> inShape = input.type.getShape();
  int64_t axisSize = inShape[axis];
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d)
    outer *= inShape[d];
  for (int64_t d = axis + 1, e = inShape.size(); d < e; ++d)
    inner *= inShape[d];
  int64_t count = indices.size();
  // Normalize negative indices; refuse any out of range.
  SmallVector<int64_t> picks;
  for (int64_t index : indices.ints) {
    if (index < 0)
      index += axisSize;
    if (index < 0 || index >= axisSize)
      return std::nullopt;
    picks.push_back(index);
  }
  HostTensor out = makeTensor(resultType);
  int64_t position = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < count; ++k)
      for (int64_t j = 0; j < inner; ++j)
        copyElement(input, (o * axisSize + picks[k]) * inner + j, out,
                    position++);
  return out;
}

std::optional<HostTensor> consteval::evalPad(PadOp op,
                                             const HostTensor &input) {
  if (op.getMode() != PadMode::constant)
    return std::nullopt;
  auto resultType = cast<RankedTensorType>(op.getType());
  ArrayRef<int64_t> pads = op.getPads(), inShape = input.type.getShape();
  int64_t rank = inShape.size();
  if (static_cast<int64_t>(pads.size()) != 2 * rank)
    return std::nullopt;
  SmallVector<int64_t> inStrides = stridesOf(inShape);
  Type element = input.type.getElementType();
  double value = op.getValue().convertToDouble();
  int64_t intValue = input.isFloat() ? 0 : doubleToInt(value, element);
  HostTensor out = makeTensor(resultType);
  forEachIndex(resultType.getShape(), [&](ArrayRef<int64_t> index, int64_t i) {
    int64_t position = 0;
    for (int64_t d = 0; d < rank; ++d) {
      int64_t from = index[d] - pads[d];
      if (from < 0 || from >= inShape[d]) {
        position = -1;
        break;
      }
      position += from * inStrides[d];
    }
    if (position >= 0)
      copyElement(input, position, out, i);
    else if (out.isFloat())
      out.floats[i] = value;
    else
      out.ints[i] = intValue;
  });
  return out;
}

//===----------------------------------------------------------------------===//
// Reduce
//===----------------------------------------------------------------------===//

namespace {
/// Running state of one reduced element.
struct Accumulator {
  double sum = 0, prod = 1, max = -std::numeric_limits<double>::infinity(),
         min = std::numeric_limits<double>::infinity();
  uint64_t isum = 0, iprod = 1;
  int64_t imax = 0, imin = 0;
  bool seen = false;
};
} // namespace

std::optional<HostTensor> consteval::evalReduce(ReduceOp op,
                                                const HostTensor &input) {
  auto resultType = cast<RankedTensorType>(op.getType());
  ReduceKind kind = op.getKind();
  Type element = input.type.getElementType();
  bool zext = isZeroExtended(element);
  ArrayRef<int64_t> inShape = input.type.getShape();
  ArrayRef<int64_t> axes = op.getAxes();

  // Output strides seen from each input dim (0 on reduced dims).
  SmallVector<bool> reduced(inShape.size(), false);
  int64_t count = 1;
  for (int64_t axis : axes) {
    if (axis < 0 || axis >= static_cast<int64_t>(inShape.size()))
      return std::nullopt;
    reduced[axis] = true;
    count *= inShape[axis];
  }
  SmallVector<int64_t> keptShape;
  for (auto [d, size] : llvm::enumerate(inShape))
    keptShape.push_back(reduced[d] ? 1 : size);
  SmallVector<int64_t> strides = stridesOf(keptShape);
  for (auto [d, isReduced] : llvm::enumerate(reduced))
    if (isReduced)
      strides[d] = 0;

  bool needsElements = kind == ReduceKind::max || kind == ReduceKind::min ||
                       (kind == ReduceKind::mean && !input.isFloat());
  if (count == 0 && needsElements)
    return std::nullopt;
  if (!input.isFloat() &&
      (kind == ReduceKind::l2 || kind == ReduceKind::log_sum ||
       kind == ReduceKind::log_sum_exp))
    return std::nullopt;

  int64_t outCount = resultType.getNumElements();
  std::vector<Accumulator> acc(outCount);
  // log_sum_exp subtracts the maximum first: a first pass finds it.
  if (kind == ReduceKind::log_sum_exp) {
    forEachIndex(inShape, [&](ArrayRef<int64_t> index, int64_t i) {
      Accumulator &a = acc[linearize(index, strides)];
      a.max = std::max(a.max, input.floats[i]);
    });
  }
  forEachIndex(inShape, [&](ArrayRef<int64_t> index, int64_t i) {
    Accumulator &a = acc[linearize(index, strides)];
    if (input.isFloat()) {
      double x = input.floats[i];
      // clang-format off
      switch (kind) {
      case ReduceKind::sum_square:
      case ReduceKind::l2: a.sum += x * x; break;
      case ReduceKind::l1: a.sum += std::fabs(x); break;
      case ReduceKind::log_sum_exp:
        a.sum += std::isinf(a.max) ? std::exp(x) : std::exp(x - a.max);
        break;
      case ReduceKind::max:
        a.max = (std::isnan(x) || std::isnan(a.max)) ? NAN : std::max(a.max, x);
        break;
      case ReduceKind::min:
        a.min = (std::isnan(x) || std::isnan(a.min)) ? NAN : std::min(a.min, x);
        break;
      default: a.sum += x; a.prod *= x; break;
      }
      // clang-format on
      return;
    }
    int64_t x = input.ints[i];
    uint64_t ux = static_cast<uint64_t>(x);
    bool negative = !zext && x < 0;
    if (kind == ReduceKind::sum_square)
      a.isum += ux * ux;
    else if (kind == ReduceKind::l1)
      a.isum += negative ? 0 - ux : ux;
    else {
      a.isum += ux;
      a.iprod *= ux;
    }
    auto less = [&](int64_t p, int64_t q) {
      return zext ? static_cast<uint64_t>(p) < static_cast<uint64_t>(q) : p < q;
    };
    if (!a.seen || less(a.imax, x))
      a.imax = x;
    if (!a.seen || less(x, a.imin))
      a.imin = x;
    a.seen = true;
  });

  HostTensor out = makeTensor(resultType);
  for (int64_t o = 0; o < outCount; ++o) {
    const Accumulator &a = acc[o];
    if (input.isFloat()) {
      double r;
      // clang-format off
      switch (kind) {
      case ReduceKind::mean: r = a.sum / static_cast<double>(count); break;
      case ReduceKind::max: r = a.max; break;
      case ReduceKind::min: r = a.min; break;
      case ReduceKind::prod: r = a.prod; break;
      case ReduceKind::l2: r = std::sqrt(a.sum); break;
      case ReduceKind::log_sum: r = std::log(a.sum); break;
      case ReduceKind::log_sum_exp:
        r = std::isinf(a.max) ? std::log(a.sum) : a.max + std::log(a.sum);
        break;
      default: r = a.sum; break;
      }
      // clang-format on
      out.floats[o] = r;
      continue;
    }
    uint64_t r;
    // clang-format off
    switch (kind) {
    case ReduceKind::mean:
      if (zext)
        r = a.isum / static_cast<uint64_t>(count);
      else
        r = static_cast<uint64_t>(wrapInt(a.isum, element) / count);
      break;
    case ReduceKind::max: r = static_cast<uint64_t>(a.imax); break;
    case ReduceKind::min: r = static_cast<uint64_t>(a.imin); break;
    case ReduceKind::prod: r = a.iprod; break;
    default: r = a.isum; break;
    }
    // clang-format on
    out.ints[o] = wrapInt(r, element);
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

std::optional<HostTensor> consteval::evalMatmul(MatmulOp op,
                                                const HostTensor &lhs,
                                                const HostTensor &rhs,
                                                const HostTensor *bias) {
  auto resultType = cast<RankedTensorType>(op.getType());
  ArrayRef<int64_t> lShape = lhs.type.getShape(), rShape = rhs.type.getShape();
  ArrayRef<int64_t> shape = resultType.getShape();
  int64_t lRank = lShape.size(), rRank = rShape.size(), rank = shape.size();
  if (lRank < 2 || rRank < 2 || rank < 2)
    return std::nullopt;
  bool tl = op.getTransposeLhs(), tr = op.getTransposeRhs();
  int64_t m = shape[rank - 2], n = shape[rank - 1];
  int64_t k = tl ? lShape[lRank - 2] : lShape[lRank - 1];
  // Element (i, j) of each operand's matrix, honouring the transpose flags.
  int64_t lRowStride = tl ? 1 : lShape[lRank - 1];
  int64_t lColStride = tl ? lShape[lRank - 1] : 1;
  int64_t rRowStride = tr ? 1 : rShape[rRank - 1];
  int64_t rColStride = tr ? rShape[rRank - 1] : 1;
  int64_t lMatrix = lShape[lRank - 1] * lShape[lRank - 2];
  int64_t rMatrix = rShape[rRank - 1] * rShape[rRank - 2];

  // Batch positions of each operand (numpy broadcast of the batch dims).
  ArrayRef<int64_t> batch = shape.drop_back(2);
  std::vector<int64_t> lBatch = broadcastPositions(lShape.drop_back(2), batch);
  std::vector<int64_t> rBatch = broadcastPositions(rShape.drop_back(2), batch);

  HostTensor out = makeTensor(resultType);
  Type element = resultType.getElementType();
  int64_t position = 0;
  for (size_t b = 0; b < lBatch.size(); ++b) {
    int64_t lBase = lBatch[b] * lMatrix, rBase = rBatch[b] * rMatrix;
    for (int64_t i = 0; i < m; ++i) {
      for (int64_t j = 0; j < n; ++j, ++position) {
        double fsum = 0;
        uint64_t isum = 0;
        for (int64_t p = 0; p < k; ++p) {
          int64_t l = lBase + i * lRowStride + p * lColStride;
          int64_t r = rBase + p * rRowStride + j * rColStride;
          if (out.isFloat())
            fsum += lhs.floats[l] * rhs.floats[r];
          else
            isum += static_cast<uint64_t>(lhs.ints[l]) *
                    static_cast<uint64_t>(rhs.ints[r]);
        }
        if (out.isFloat())
          out.floats[position] = fsum;
        else
          out.ints[position] = wrapInt(isum, element);
      }
    }
  }
  if (!bias)
    return out;
  std::vector<int64_t> at = broadcastPositions(bias->type.getShape(), shape);
  for (int64_t i = 0, e = resultType.getNumElements(); i < e; ++i) {
    if (out.isFloat())
      out.floats[i] += bias->floats[at[i]];
    else
      out.ints[i] = wrapInt(static_cast<uint64_t>(out.ints[i]) +
                                static_cast<uint64_t>(bias->ints[at[i]]),
                            element);
  }
  return out;
}
