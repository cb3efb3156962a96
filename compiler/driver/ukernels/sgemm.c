/*===- sgemm.c - f32 GEMM microkernel linked into CPU artifacts -----------===*
 *
 * C[M,N] (+)= A[M,K] * B[K,N], row-major with leading dimensions, for
 * rows [m_begin, m_end); with accumulate == 0, C's old values are ignored
 * and, when bias_ptr is not 0, C starts from the bias row vector bias[N]. Generated kernels call it for linalg.matmul (IREE's
 * route: a small hand-tuned microkernel called from generated code). It is
 * compiled with the artifact's -march, so GCC's vector extensions become
 * AVX-512 (x86-64-v4, this machine) or AVX2 (x86-64-v3) FMA code.
 *
 * Blocking: K in panels of KC, B packed per KC x NR panel; registers hold
 * an MR x 2*VL tile of C.
 *
 *===----------------------------------------------------------------------===*/

#include <stdint.h>
#include <string.h>

#if defined(__AVX512F__)
#define VL 16
#else
#define VL 8
#endif
typedef float vf __attribute__((vector_size(VL * 4)));

/* Rows of the register tile: 8 x 32 uses 16 of AVX-512's 32 registers;
 * AVX2 has 16 registers, so 4 x 16 (8 accumulators) avoids spills. Both
 * divide the 32-row workgroups evenly. */
#if VL == 16
#define MR 8
#else
#define MR 4
#endif
#define NR (2 * VL)
#define KC 256

static inline vf load(const float *p) {
  vf v;
  memcpy(&v, p, sizeof v);
  return v;
}
static inline void store(float *p, vf v) { memcpy(p, &v, sizeof v); }
/* A literal with every lane = x: GCC emits one vbroadcastss ("0 + x"
 * would add an addss per use, since -0.0 + 0.0 is not -0.0). */
#if VL == 16
#define SPLAT(x) ((vf){x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x})
#else
#define SPLAT(x) ((vf){x, x, x, x, x, x, x, x})
#endif
static inline vf splat(float x) { return SPLAT(x); }

/* One MR x NR tile over kc steps of K: full tiles only. */
static void tile_full(int64_t kc, const float *a, int64_t lda, const float *b,
                      int64_t ldb, float *c, int64_t ldc, int accumulate,
                      const float *bias) {
  vf start0 = bias ? load(bias) : splat(0);
  vf start1 = bias ? load(bias + VL) : splat(0);
  vf acc[MR][2];
  for (int i = 0; i < MR; ++i) {
    acc[i][0] = accumulate ? load(c + i * ldc) : start0;
    acc[i][1] = accumulate ? load(c + i * ldc + VL) : start1;
  }
  for (int64_t k = 0; k < kc; ++k) {
    vf b0 = load(b + k * ldb), b1 = load(b + k * ldb + VL);
    for (int i = 0; i < MR; ++i) {
      vf ai = splat(a[i * lda + k]);
      acc[i][0] += ai * b0;
      acc[i][1] += ai * b1;
    }
  }
  for (int i = 0; i < MR; ++i) {
    store(c + i * ldc, acc[i][0]);
    store(c + i * ldc + VL, acc[i][1]);
  }
}

static void tile_any(int rows, int64_t kc, const float *a, int64_t lda,
                     const float *b, float *c, int64_t ldc, int64_t cols,
                     int accumulate, const float *bias);

/* Edges: any rows x cols tile, scalar. */
static void tile_edge(int64_t rows, int64_t cols, int64_t kc, const float *a,
                      int64_t lda, const float *b, int64_t ldb, float *c,
                      int64_t ldc, int accumulate, const float *bias) {
  for (int64_t i = 0; i < rows; ++i) {
    if (!accumulate)
      for (int64_t j = 0; j < cols; ++j)
        c[i * ldc + j] = bias ? bias[j] : 0;
    for (int64_t k = 0; k < kc; ++k) {
      float ai = a[i * lda + k];
      for (int64_t j = 0; j < cols; ++j)
        c[i * ldc + j] += ai * b[k * ldb + j];
    }
  }
}

void agm_ukernel_sgemm(uintptr_t a_ptr, uintptr_t b_ptr, uintptr_t c_ptr,
                       int64_t m_begin, int64_t m_end, int64_t n, int64_t k,
                       int64_t lda, int64_t ldb, int64_t ldc,
                       int64_t accumulate, uintptr_t bias_ptr) {
  const float *bias = (const float *)bias_ptr;
  const float *a = (const float *)a_ptr;
  const float *b = (const float *)b_ptr;
  float *c = (float *)c_ptr;
  if (k == 0 && !accumulate)
    for (int64_t i = m_begin; i < m_end; ++i)
      for (int64_t j = 0; j < n; ++j)
        c[i * ldc + j] = bias ? bias[j] : 0;
  /* A KC x NR panel of B, packed contiguously: rows of B lie a page or more
   * apart, so unpacked every k would touch a new page (TLB misses). */
  float packed[KC * NR] __attribute__((aligned(64)));
  for (int64_t k0 = 0; k0 < k; k0 += KC) {
    int64_t kc = k - k0 < KC ? k - k0 : KC;
    int acc = accumulate || k0 > 0;
    for (int64_t j = 0; j < n; j += NR) {
      int64_t cols = n - j < NR ? n - j : NR;
      const float *bp = b + k0 * ldb + j;
      if (cols == NR) {
        for (int64_t kk = 0; kk < kc; ++kk)
          memcpy(packed + kk * NR, bp + kk * ldb, NR * sizeof(float));
      }
      for (int64_t i = m_begin; i < m_end; i += MR) {
        int64_t rows = m_end - i < MR ? m_end - i : MR;
        const float *ap = a + i * lda + k0;
        float *cp = c + i * ldc + j;
        if (rows == MR && cols == NR)
          tile_full(kc, ap, lda, packed, NR, cp, ldc, acc,
                    bias ? bias + j : 0);
        else if (cols == NR) /* few rows (GEMV): vector code too */
          tile_any((int)rows, kc, ap, lda, packed, cp, ldc, cols, acc,
                   bias ? bias + j : 0);
        else
          tile_edge(rows, cols, kc, ap, lda, bp, ldb, cp, ldc, acc,
                    bias ? bias + j : 0);
      }
    }
  }
}

/*===----------------------------------------------------------------------===*
 * Quantized-weight GEMM: C[M,N] (+)= A[M,K] * dequant(B[K,N])
 *
 * B is stored quantized, row-major K x N: kind 0 = i8, 1 = u8, 2 = i4,
 * 3 = u4 (4-bit values packed two per byte, element 2i in the low nibble of
 * byte i; N is even so each row starts on a byte). Scales (f32) and
 * optional zero points (B's storage) are [ceil(K/G), N]: one row per group
 * of G rows of K (G = K: one scale per output channel). Dequantization
 * happens while packing a KC x NR panel of B (MLAS / llama.cpp style), so
 * the weights are read once, quantized, and the tile loop is the f32 one.
 *===----------------------------------------------------------------------===*/

typedef int8_t vi8 __attribute__((vector_size(VL)));
typedef uint8_t vu8 __attribute__((vector_size(VL)));
typedef int32_t vi32 __attribute__((vector_size(VL * 4)));

/* Lanes 0..VL/2-1 of lo and hi interleaved (lo0 hi0 lo1 hi1 ...), and the
 * upper halves: the nibble order of a packed row. */
#if VL == 16
#define INTERLEAVE_LO(x, y)                                                    \
  __builtin_shufflevector(x, y, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6,   \
                          22, 7, 23)
#define INTERLEAVE_HI(x, y)                                                    \
  __builtin_shufflevector(x, y, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29,  \
                          14, 30, 15, 31)
#else
#define INTERLEAVE_LO(x, y)                                                    \
  __builtin_shufflevector(x, y, 0, 8, 1, 9, 2, 10, 3, 11)
#define INTERLEAVE_HI(x, y)                                                    \
  __builtin_shufflevector(x, y, 4, 12, 5, 13, 6, 14, 7, 15)
#endif

/* 2*VL consecutive values of row `row` of B (or of the zero points), from
 * column j (even), as floats. */
static inline void load_quant(int kind, const uint8_t *base, int64_t row,
                              int64_t ld, int64_t j, vf *v0, vf *v1) {
  if (kind == 0 || kind == 1) {
    const uint8_t *p = base + row * ld + j;
    if (kind == 0) {
      vi8 x0, x1;
      memcpy(&x0, p, sizeof x0);
      memcpy(&x1, p + VL, sizeof x1);
      *v0 = __builtin_convertvector(x0, vf);
      *v1 = __builtin_convertvector(x1, vf);
    } else {
      vu8 x0, x1;
      memcpy(&x0, p, sizeof x0);
      memcpy(&x1, p + VL, sizeof x1);
      *v0 = __builtin_convertvector(x0, vf);
      *v1 = __builtin_convertvector(x1, vf);
    }
    return;
  }
  vu8 x;
  memcpy(&x, base + (row * ld + j) / 2, sizeof x);
  vu8 lo = x & 15, hi = x >> 4;
  vi32 w0 = __builtin_convertvector((vu8)INTERLEAVE_LO(lo, hi), vi32);
  vi32 w1 = __builtin_convertvector((vu8)INTERLEAVE_HI(lo, hi), vi32);
  if (kind == 2) { /* sign-extend the nibbles */
    w0 = (w0 ^ 8) - 8;
    w1 = (w1 ^ 8) - 8;
  }
  *v0 = __builtin_convertvector(w0, vf);
  *v1 = __builtin_convertvector(w1, vf);
}

/* One quantized value of B (or of the zero points) at flat (row, col). */
static inline float quant_at(int kind, const uint8_t *base, int64_t row,
                             int64_t ld, int64_t col) {
  int64_t i = row * ld + col;
  switch (kind) {
  case 0: return (float)(int8_t)base[i];
  case 1: return (float)base[i];
  case 2: return (float)((((base[i / 2] >> (i % 2 ? 4 : 0)) & 15) ^ 8) - 8);
  default: return (float)((base[i / 2] >> (i % 2 ? 4 : 0)) & 15);
  }
}

/* The KC x NR panel of B at rows [k0, k0+kc), columns [j, j+cols),
 * dequantized into `packed` (NR floats a row, zero beyond cols). */
static void pack_dequant(int kind, const uint8_t *b, const float *scale,
                         const uint8_t *zp, int64_t n, int64_t group,
                         int64_t k0, int64_t kc, int64_t j, int64_t cols,
                         float *packed) {
  int64_t current = -1;
  vf s0 = splat(0), s1 = splat(0), z0 = splat(0), z1 = splat(0);
  for (int64_t kk = 0; kk < kc; ++kk) {
    int64_t row = k0 + kk, g = row / group;
    float *out = packed + kk * NR;
    if (cols < NR) {
      for (int64_t c = 0; c < NR; ++c)
        out[c] = c < cols ? (quant_at(kind, b, row, n, j + c) -
                             (zp ? quant_at(kind, zp, g, n, j + c) : 0)) *
                                scale[g * n + j + c]
                          : 0;
      continue;
    }
    if (g != current) {
      current = g;
      s0 = load(scale + g * n + j);
      s1 = load(scale + g * n + j + VL);
      if (zp)
        load_quant(kind, zp, g, n, j, &z0, &z1);
    }
    vf q0, q1;
    load_quant(kind, b, row, n, j, &q0, &q1);
    store(out, (q0 - z0) * s0);
    store(out + VL, (q1 - z1) * s1);
  }
}

/* rows (< MR, a constant after inlining) x NR tile over a packed panel. */
static inline __attribute__((always_inline)) void
tile_rows(int rows, int64_t kc, const float *a, int64_t lda, const float *b,
          float *c, int64_t ldc, int64_t cols, int accumulate,
          const float *bias) {
  vf acc[MR][2];
  float start[NR];
  for (int64_t jj = 0; jj < NR; ++jj)
    start[jj] = bias && jj < cols ? bias[jj] : 0;
  for (int i = 0; i < rows; ++i) {
    if (accumulate) {
      float row[NR] = {0};
      memcpy(row, c + i * ldc, cols * sizeof(float));
      acc[i][0] = load(row);
      acc[i][1] = load(row + VL);
    } else {
      acc[i][0] = load(start);
      acc[i][1] = load(start + VL);
    }
  }
  for (int64_t k = 0; k < kc; ++k) {
    vf b0 = load(b + k * NR), b1 = load(b + k * NR + VL);
    for (int i = 0; i < rows; ++i) {
      vf ai = splat(a[i * lda + k]);
      acc[i][0] += ai * b0;
      acc[i][1] += ai * b1;
    }
  }
  for (int i = 0; i < rows; ++i) {
    float row[NR];
    store(row, acc[i][0]);
    store(row + VL, acc[i][1]);
    memcpy(c + i * ldc, row, cols * sizeof(float));
  }
}

static void tile_any(int rows, int64_t kc, const float *a, int64_t lda,
                     const float *b, float *c, int64_t ldc, int64_t cols,
                     int accumulate, const float *bias) {
  switch (rows) {
#define ROWS(R)                                                                \
  case R:                                                                      \
    tile_rows(R, kc, a, lda, b, c, ldc, cols, accumulate, bias);               \
    break;
    ROWS(1) ROWS(2) ROWS(3) ROWS(4)
#if MR > 4
    ROWS(5) ROWS(6) ROWS(7) ROWS(8)
#endif
#undef ROWS
  }
}

void agm_ukernel_qgemm(uintptr_t a_ptr, uintptr_t b_ptr, uintptr_t c_ptr,
                       int64_t m_begin, int64_t m_end, int64_t n, int64_t k,
                       int64_t lda, int64_t ldb, int64_t ldc,
                       int64_t accumulate, uintptr_t bias_ptr,
                       uintptr_t scale_ptr, uintptr_t zp_ptr, int64_t kind,
                       int64_t group, int64_t n_begin, int64_t n_end) {
  (void)ldb;
  const float *bias = (const float *)bias_ptr;
  const float *a = (const float *)a_ptr;
  const uint8_t *b = (const uint8_t *)b_ptr;
  const float *scale = (const float *)scale_ptr;
  const uint8_t *zp = (const uint8_t *)zp_ptr;
  float *c = (float *)c_ptr;
  if (n_end > n)
    n_end = n;
  if (k == 0 && !accumulate)
    for (int64_t i = m_begin; i < m_end; ++i)
      for (int64_t j = n_begin; j < n_end; ++j)
        c[i * ldc + j] = bias ? bias[j] : 0;
  float packed[KC * NR] __attribute__((aligned(64)));
  for (int64_t k0 = 0; k0 < k; k0 += KC) {
    int64_t kc = k - k0 < KC ? k - k0 : KC;
    int acc = accumulate || k0 > 0;
    for (int64_t j = n_begin; j < n_end; j += NR) {
      int64_t cols = n_end - j < NR ? n_end - j : NR;
      pack_dequant((int)kind, b, scale, zp, n, group, k0, kc, j, cols, packed);
      for (int64_t i = m_begin; i < m_end; i += MR) {
        int64_t rows = m_end - i < MR ? m_end - i : MR;
        const float *ap = a + i * lda + k0;
        float *cp = c + i * ldc + j;
        const float *bp = bias ? bias + j : 0;
        if (rows == MR && cols == NR)
          tile_full(kc, ap, lda, packed, NR, cp, ldc, acc, bp);
        else
          tile_any((int)rows, kc, ap, lda, packed, cp, ldc, cols, acc, bp);
      }
    }
  }
}
