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

#include <immintrin.h>
#include <stdint.h>
#include <stdlib.h>
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

static void gemv_f32(int64_t rows, const float *a, int64_t lda,
                     const float *b, int64_t ldb, float *c, int64_t ldc,
                     int accumulate, const float *bias, int64_t n, int64_t k);

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
  /* Few rows (GEMV): stream B row by row instead of packing panels. */
  if (m_end - m_begin <= 4) {
    if (m_end > m_begin && k > 0)
      gemv_f32(m_end - m_begin, a + m_begin * lda, lda, b, ldb,
               c + m_begin * ldc, ldc, (int)accumulate, bias, n, k);
    return;
  }
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

/* Any rows <= MR as tiles of 4, 2 and 1 rows (three specializations keep
 * the kernel quick to compile: it is compiled with every artifact). */
static void tile_any(int rows, int64_t kc, const float *a, int64_t lda,
                     const float *b, float *c, int64_t ldc, int64_t cols,
                     int accumulate, const float *bias) {
  int done = 0;
  for (; rows - done >= 4; done += 4)
    tile_rows(4, kc, a + done * lda, lda, b, c + done * ldc, ldc, cols,
              accumulate, bias);
  if (rows - done >= 2) {
    tile_rows(2, kc, a + done * lda, lda, b, c + done * ldc, ldc, cols,
              accumulate, bias);
    done += 2;
  }
  if (rows - done >= 1)
    tile_rows(1, kc, a + done * lda, lda, b, c + done * ldc, ldc, cols,
              accumulate, bias);
}

/* Rows of the GEMV path and its column chunk: whole rows of B for the
 * usual widths, so B streams sequentially (accumulators in L1 / L2). */
#define GEMV_ROWS 4
#define GEMV_COLS 4096

/* Few rows of an f32 GEMM: c[m] (+)= sum_k a[m][k] * b[k], B streamed row
 * by row (contiguous reads), accumulators in a chunk of columns. */
static void gemv_f32(int64_t rows, const float *a, int64_t lda,
                     const float *b, int64_t ldb, float *c, int64_t ldc,
                     int accumulate, const float *bias, int64_t n, int64_t k) {
  float acc[4][GEMV_COLS] __attribute__((aligned(64)));
  for (int64_t j0 = 0; j0 < n; j0 += GEMV_COLS) {
    int64_t cols = n - j0 < GEMV_COLS ? n - j0 : GEMV_COLS;
    int64_t vcols = cols - cols % VL;
    for (int64_t m = 0; m < rows; ++m)
      for (int64_t jj = 0; jj < cols; ++jj)
        acc[m][jj] = accumulate ? c[m * ldc + j0 + jj]
                                : bias ? bias[j0 + jj] : 0;
    int64_t kk = 0;
    /* Four rows of B per pass: a quarter of the accumulator traffic, and
     * four adjacent streams the prefetcher follows. */
    for (; kk + 4 <= k; kk += 4) {
      const float *r0 = b + kk * ldb + j0, *r1 = r0 + ldb, *r2 = r1 + ldb,
                  *r3 = r2 + ldb;
      for (int64_t jj = 0; jj < vcols; jj += VL) {
        vf w0 = load(r0 + jj), w1 = load(r1 + jj), w2 = load(r2 + jj),
           w3 = load(r3 + jj);
        for (int64_t m = 0; m < rows; ++m) {
          const float *am = a + m * lda + kk;
          store(acc[m] + jj, load(acc[m] + jj) + splat(am[0]) * w0 +
                                 splat(am[1]) * w1 + splat(am[2]) * w2 +
                                 splat(am[3]) * w3);
        }
      }
      for (int64_t jj = vcols; jj < cols; ++jj)
        for (int64_t m = 0; m < rows; ++m) {
          const float *am = a + m * lda + kk;
          acc[m][jj] += am[0] * r0[jj] + am[1] * r1[jj] + am[2] * r2[jj] +
                        am[3] * r3[jj];
        }
    }
    for (; kk < k; ++kk) {
      const float *row = b + kk * ldb + j0;
      for (int64_t jj = 0; jj < vcols; jj += VL) {
        vf w = load(row + jj);
        for (int64_t m = 0; m < rows; ++m)
          store(acc[m] + jj, load(acc[m] + jj) + splat(a[m * lda + kk]) * w);
      }
      for (int64_t jj = vcols; jj < cols; ++jj)
        for (int64_t m = 0; m < rows; ++m)
          acc[m][jj] += a[m * lda + kk] * row[jj];
    }
    for (int64_t m = 0; m < rows; ++m)
      memcpy(c + m * ldc + j0, acc[m], cols * sizeof(float));
  }
}
