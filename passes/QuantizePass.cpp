//===- QuantizePass.cpp - weight-only int8/int4 matmul quantization -------===//
//
// Rewrites ag.matmul ops with constant weights into ag.dequant_matmul in the
// canonical form the CPU backend lowers (weight K x N, scale [N] per output
// channel or [ceil(K/G), N] per group of K, optional zero point of the
// scale's shape). Float weights are quantized here (mode=int8|int4); weights
// that arrive quantized (ONNX QDQ pairs, QLinearMatMul: matmul(x,
// dequantize(constant))) are mapped to the same form in every mode.
//
// i4 constants are dense_resource blobs holding two values per byte (element
// 2i in the low nibble of byte i), the layout the artifact stores and the
// microkernel reads; nothing else in the compiler reads their elements.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "dialects/AutoGLM/IR/AutoGLMDialect.h"
#include "dialects/AutoGLM/IR/AutoGLMOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectResourceBlobManager.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/Support/Debug.h"

#include <cmath>

#define DEBUG_TYPE "ag-quantize"

namespace mlir::autoglm {
#define GEN_PASS_DEF_QUANTIZEPASS
#include "passes/Passes.h.inc"
} // namespace mlir::autoglm

using namespace mlir;
using namespace mlir::autoglm;

namespace {

/// A quantized K x N weight in the canonical layout, ready to materialize.
struct QuantizedWeight {
  /// One byte per element (i8/ui8), or packed nibbles (i4/ui4).
  std::vector<int8_t> data;
  Type storage;
  int64_t k = 0, n = 0;
  /// Rows of K per scale; 0 means one scale per column ([N], axis 1).
  int64_t groupSize = 0;
  std::vector<float> scales;
  /// Same shape and storage as the scales; empty when symmetric.
  std::vector<int8_t> zeroPoints;
};

/// The constant's elements as raw bytes in row-major order, each element
/// `width` bytes (splats expanded); nullopt when the size does not match.
std::optional<std::vector<char>> rawBytes(ConstantOp constant, size_t width) {
  auto type = cast<RankedTensorType>(constant.getType());
  size_t size = type.getNumElements() * width;
  ElementsAttr attr = constant.getValue();
  if (auto resource = dyn_cast<DenseResourceElementsAttr>(attr)) {
    ArrayRef<char> data = resource.getData();
    if (data.size() != size)
      return std::nullopt;
    return std::vector<char>(data.begin(), data.end());
  }
  auto dense = dyn_cast<DenseElementsAttr>(attr);
  if (!dense)
    return std::nullopt;
  ArrayRef<char> raw = dense.getRawData();
  if (dense.isSplat() && raw.size() == width) {
    std::vector<char> out(size);
    for (size_t i = 0; i < size; i += width)
      std::memcpy(out.data() + i, raw.data(), width);
    return out;
  }
  if (raw.size() != size)
    return std::nullopt;
  return std::vector<char>(raw.begin(), raw.end());
}

/// f32 values of a constant.
std::optional<std::vector<float>> floatValues(ConstantOp constant) {
  std::optional<std::vector<char>> bytes = rawBytes(constant, 4);
  if (!bytes)
    return std::nullopt;
  std::vector<float> values(bytes->size() / 4);
  std::memcpy(values.data(), bytes->data(), bytes->size());
  return values;
}

/// `rows x cols` row-major elements of `width` bytes, transposed.
template <typename T>
std::vector<T> transposed(const std::vector<T> &in, int64_t rows,
                          int64_t cols) {
  std::vector<T> out(in.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c)
      out[c * rows + r] = in[r * cols + c];
  return out;
}

/// Two 4-bit values per byte, element 2i in the low nibble of byte i.
std::vector<int8_t> packNibbles(const std::vector<int8_t> &values) {
  std::vector<int8_t> packed((values.size() + 1) / 2, 0);
  for (size_t i = 0; i < values.size(); ++i)
    packed[i / 2] |= int8_t((values[i] & 0xF) << (i % 2 ? 4 : 0));
  return packed;
}

/// Quantizes `w` (K x N, row-major) per output channel to symmetric int8.
QuantizedWeight quantizeInt8(const std::vector<float> &w, int64_t k,
                             int64_t n, MLIRContext *ctx) {
  QuantizedWeight q;
  q.storage = IntegerType::get(ctx, 8);
  q.k = k;
  q.n = n;
  q.scales.assign(n, 0.0f);
  for (int64_t r = 0; r < k; ++r)
    for (int64_t c = 0; c < n; ++c)
      q.scales[c] = std::max(q.scales[c], std::fabs(w[r * n + c]));
  for (float &s : q.scales)
    s = s > 0 ? s / 127.0f : 1.0f;
  q.data.resize(w.size());
  for (int64_t r = 0; r < k; ++r)
    for (int64_t c = 0; c < n; ++c) {
      float v = std::nearbyint(w[r * n + c] / q.scales[c]);
      q.data[r * n + c] = int8_t(std::clamp(v, -127.0f, 127.0f));
    }
  return q;
}

/// Quantizes `w` (K x N) to int4 in groups of `groupSize` rows of K per
/// column: symmetric [-7, 7] or asymmetric [0, 15] with a zero point.
QuantizedWeight quantizeInt4(const std::vector<float> &w, int64_t k,
                             int64_t n, int64_t groupSize, bool symmetric,
                             MLIRContext *ctx) {
  QuantizedWeight q;
  q.storage = IntegerType::get(ctx, 4, symmetric ? IntegerType::Signless
                                                 : IntegerType::Unsigned);
  q.k = k;
  q.n = n;
  q.groupSize = groupSize;
  int64_t groups = (k + groupSize - 1) / groupSize;
  q.scales.assign(groups * n, 1.0f);
  std::vector<int8_t> zeroPoints(symmetric ? 0 : groups * n, 0);
  std::vector<int8_t> values(w.size());
  for (int64_t g = 0; g < groups; ++g) {
    int64_t first = g * groupSize, last = std::min(k, first + groupSize);
    for (int64_t c = 0; c < n; ++c) {
      float lo = 0, hi = 0;
      for (int64_t r = first; r < last; ++r) {
        lo = std::min(lo, w[r * n + c]);
        hi = std::max(hi, w[r * n + c]);
      }
      float scale, zero = 0, qmin = -7, qmax = 7;
      if (symmetric) {
        float amax = std::max(-lo, hi);
        scale = amax > 0 ? amax / 7.0f : 1.0f;
      } else {
        qmin = 0;
        qmax = 15;
        scale = hi > lo ? (hi - lo) / 15.0f : 1.0f;
        zero = std::clamp(std::nearbyint(-lo / scale), 0.0f, 15.0f);
        zeroPoints[g * n + c] = int8_t(zero);
      }
      q.scales[g * n + c] = scale;
      for (int64_t r = first; r < last; ++r) {
        float v = std::nearbyint(w[r * n + c] / scale) + zero;
        values[r * n + c] = int8_t(std::clamp(v, qmin, qmax));
      }
    }
  }
  q.data = packNibbles(values);
  if (!symmetric)
    q.zeroPoints = packNibbles(zeroPoints);
  return q;
}

/// Bytes of a tensor of `count` elements of `type` as the artifact stores it.
int64_t storedBytes(Type type, int64_t count) {
  unsigned bits = type.getIntOrFloatBitWidth();
  return bits == 4 ? (count + 1) / 2 : count * ((bits + 7) / 8);
}

struct QuantizePass : mlir::autoglm::impl::QuantizePassBase<QuantizePass> {
  using Base::Base;

  LogicalResult initialize(MLIRContext *ctx) override {
    if (mode != "none" && mode != "int8" && mode != "int4")
      return emitError(UnknownLoc::get(ctx))
             << "ag-quantize: unknown mode '" << mode
             << "' (use none, int8 or int4)";
    if (groupSize <= 0)
      return emitError(UnknownLoc::get(ctx))
             << "ag-quantize: group-size must be positive, got " << groupSize;
    return success();
  }

  void runOnOperation() override;

private:
  /// Float weight (the matmul's rhs constant) to its quantized form, shared
  /// by every matmul reading it the same way.
  std::optional<QuantizedWeight> quantizeFloatWeight(MatmulOp matmul,
                                                     ConstantOp constant);
  /// matmul(x, dequantize(constant)) to the canonical form, if supported.
  std::optional<QuantizedWeight> mapDequantizedWeight(MatmulOp matmul,
                                                      DequantizeOp dequant);
  /// Replaces `matmul` by a dequant_matmul on `q`'s constants.
  void replace(MatmulOp matmul, const QuantizedWeight &q);
};

/// The K x N shape a matmul reads its rank >= 2 weight as, when the weight
/// is 2-D after dropping leading unit dims and the lhs is not transposed.
std::optional<std::pair<int64_t, int64_t>> weightShape(MatmulOp matmul) {
  auto type = cast<RankedTensorType>(matmul.getRhs().getType());
  if (matmul.getTransposeLhs() || type.getRank() < 2 ||
      !type.hasStaticShape() ||
      cast<RankedTensorType>(matmul.getLhs().getType()).getRank() < 2)
    return std::nullopt;
  for (int64_t d : type.getShape().drop_back(2))
    if (d != 1)
      return std::nullopt;
  int64_t rows = type.getDimSize(type.getRank() - 2),
          cols = type.getDimSize(type.getRank() - 1);
  if (matmul.getTransposeRhs())
    std::swap(rows, cols);
  return std::make_pair(rows, cols);
}

std::optional<QuantizedWeight>
QuantizePass::quantizeFloatWeight(MatmulOp matmul, ConstantOp constant) {
  auto shape = weightShape(matmul);
  auto type = cast<RankedTensorType>(constant.getType());
  if (!shape || !type.getElementType().isF32())
    return std::nullopt;
  // A weight another op reads as floats stays float: quantizing it for the
  // matmuls would store it twice. Except a gather's table (an LLM's tied
  // embedding): the GEMM reads all of it per token, the gather one row, so
  // a quantized copy for the GEMM is worth its bytes.
  for (Operation *user : constant->getUsers()) {
    if (auto gather = dyn_cast<GatherOp>(user);
        gather && gather.getInput() == constant.getResult())
      continue;
    auto other = dyn_cast<MatmulOp>(user);
    if (!other || other.getLhs() == constant.getResult() ||
        other.getBias() == constant.getResult())
      return std::nullopt;
  }
  auto [k, n] = *shape;
  if (k < minSize || n < minSize)
    return std::nullopt;
  // Packed nibbles: a row of K x N must start on a byte.
  if (mode == "int4" && n % 2 != 0)
    return std::nullopt;
  std::optional<std::vector<float>> values = floatValues(constant);
  if (!values)
    return std::nullopt;
  if (matmul.getTransposeRhs())
    *values = transposed(*values, n, k);
  if (mode == "int8")
    return quantizeInt8(*values, k, n, &getContext());
  return quantizeInt4(*values, k, n, groupSize, symmetric, &getContext());
}

std::optional<QuantizedWeight>
QuantizePass::mapDequantizedWeight(MatmulOp matmul, DequantizeOp dequant) {
  auto shape = weightShape(matmul);
  auto weight = dequant.getInput().getDefiningOp<ConstantOp>();
  auto scale = dequant.getScale().getDefiningOp<ConstantOp>();
  Value zeroPointValue = dequant.getZeroPoint();
  auto zeroPoint =
      zeroPointValue ? zeroPointValue.getDefiningOp<ConstantOp>() : nullptr;
  auto inputType = cast<RankedTensorType>(dequant.getInput().getType());
  Type storage = inputType.getElementType();
  if (!shape || !weight || !scale || (zeroPointValue && !zeroPoint) ||
      !storage.isInteger(8) || inputType.getRank() != 2 ||
      !cast<RankedTensorType>(scale.getType()).getElementType().isF32())
    return std::nullopt;
  auto [k, n] = *shape;
  bool transpose = matmul.getTransposeRhs();
  int64_t rows = transpose ? n : k, cols = transpose ? k : n;
  // Dims of the stored weight: which one is N and which K.
  int64_t nAxis = transpose ? 0 : 1, kAxis = 1 - nAxis;
  int64_t axis = dequant.getAxis(), group = dequant.getGroupSize();
  auto scaleType = cast<RankedTensorType>(scale.getType());
  std::optional<std::vector<float>> scales = floatValues(scale);
  std::optional<std::vector<char>> weightBytes = rawBytes(weight, 1);
  std::optional<std::vector<char>> zeroBytes =
      zeroPoint ? rawBytes(zeroPoint, 1) : std::vector<char>();
  if (!scales || !weightBytes || !zeroBytes)
    return std::nullopt;
  QuantizedWeight q;
  q.storage = storage;
  q.k = k;
  q.n = n;
  std::vector<int8_t> data(weightBytes->begin(), weightBytes->end());
  std::vector<int8_t> zeros(zeroBytes->begin(), zeroBytes->end());
  q.data = transpose ? transposed(data, rows, cols) : data;
  if (scaleType.getRank() == 0) {
    // Per tensor: one scale per column, all equal.
    q.scales.assign(n, (*scales)[0]);
    if (!zeros.empty())
      q.zeroPoints.assign(n, zeros[0]);
  } else if (group == 0 && scaleType.getRank() == 1 && axis == nAxis) {
    q.scales = *scales;
    q.zeroPoints = zeros;
  } else if (group > 0 && scaleType.getRank() == 2 && axis == kAxis) {
    // Blocked along K: scale is [K/G, N] or, transposed, [N, K/G].
    int64_t groups = (k + group - 1) / group;
    q.groupSize = group;
    q.scales = transpose ? transposed(*scales, n, groups) : *scales;
    q.zeroPoints = transpose && !zeros.empty() ? transposed(zeros, n, groups)
                                               : zeros;
  } else {
    // Per row of K: not a per-output-channel form the kernel reads.
    return std::nullopt;
  }
  return q;
}

void QuantizePass::replace(MatmulOp matmul, const QuantizedWeight &q) {
  OpBuilder b(matmul);
  Location loc = matmul.getRhs().getLoc();
  MLIRContext *ctx = &getContext();
  auto makeBlob = [&](StringRef name, Type element, ArrayRef<int64_t> shape,
                      ArrayRef<int8_t> bytes) -> Value {
    auto type = RankedTensorType::get(shape, element);
    auto attr = DenseResourceElementsAttr::get(
        type, name, HeapAsmResourceBlob::allocateAndCopyInferAlign(bytes));
    return ConstantOp::create(b, loc, type, attr);
  };
  SmallVector<int64_t> scaleShape =
      q.groupSize ? SmallVector<int64_t>{(q.k + q.groupSize - 1) / q.groupSize,
                                         q.n}
                  : SmallVector<int64_t>{q.n};
  Value weight = makeBlob("quantized_weight", q.storage, {q.k, q.n}, q.data);
  auto scaleType = RankedTensorType::get(scaleShape, b.getF32Type());
  Value scale = ConstantOp::create(
      b, loc, scaleType,
      DenseElementsAttr::get(scaleType, ArrayRef<float>(q.scales)));
  Value zeroPoint;
  if (!q.zeroPoints.empty())
    zeroPoint = makeBlob("quantized_zero_point", q.storage, scaleShape,
                         q.zeroPoints);
  auto dequantMatmul = DequantMatmulOp::create(
      b, matmul.getLoc(), matmul.getLhs(), weight, scale, zeroPoint,
      matmul.getBias(), q.groupSize ? 0 : 1, q.groupSize,
      /*transpose_rhs=*/false);
  Value result = dequantMatmul.getResult();
  // Weights with leading unit dims add them to the result.
  if (result.getType() != matmul.getType())
    result = ReshapeOp::create(b, matmul.getLoc(), matmul.getType(), result);
  matmul.replaceAllUsesWith(result);
  matmul.erase();
  (void)ctx;
}

void QuantizePass::runOnOperation() {
  func::FuncOp func = getOperation();
  SmallVector<MatmulOp> matmuls;
  func.walk([&](MatmulOp matmul) { matmuls.push_back(matmul); });
  // Weights read by several matmuls in the same way quantize once.
  llvm::DenseMap<std::pair<Operation *, unsigned>, QuantizedWeight> cache;
  llvm::SetVector<Operation *> maybeDead;
  for (MatmulOp matmul : matmuls) {
    Operation *rhs = matmul.getRhs().getDefiningOp();
    if (auto dequant = dyn_cast_or_null<DequantizeOp>(rhs)) {
      if (std::optional<QuantizedWeight> q =
              mapDequantizedWeight(matmul, dequant)) {
        replace(matmul, *q);
        ++numQdqMapped;
        maybeDead.insert(dequant);
      }
      continue;
    }
    auto constant = dyn_cast_or_null<ConstantOp>(rhs);
    if (mode == "none" || !constant)
      continue;
    std::pair<Operation *, unsigned> key{constant, matmul.getTransposeRhs()};
    auto it = cache.find(key);
    if (it == cache.end()) {
      std::optional<QuantizedWeight> q = quantizeFloatWeight(matmul, constant);
      if (!q)
        continue;
      numBytesBefore += q->k * q->n * 4;
      numBytesAfter += storedBytes(q->storage, q->k * q->n) +
                       q->scales.size() * 4 +
                       storedBytes(q->storage, q->scales.size()) *
                           !q->zeroPoints.empty();
      it = cache.try_emplace(key, std::move(*q)).first;
    }
    replace(matmul, it->second);
    ++numQuantized;
    maybeDead.insert(constant);
  }
  // The float weights and dequantized forms no other op reads.
  for (Operation *op : maybeDead) {
    if (!op->use_empty())
      continue;
    SmallVector<Operation *> operands;
    for (Value v : op->getOperands())
      if (Operation *def = v.getDefiningOp())
        operands.push_back(def);
    op->erase();
    for (Operation *def : operands)
      if (def->use_empty() && isa<ConstantOp>(def) &&
          !maybeDead.contains(def))
        def->erase();
  }
  LLVM_DEBUG(llvm::dbgs() << "ag-quantize: " << numQuantized
                          << " quantized, " << numQdqMapped << " mapped\n");
}

} // namespace
