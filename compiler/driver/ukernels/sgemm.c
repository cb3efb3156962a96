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
        else
          tile_edge(rows, cols, kc, ap, lda, bp, ldb, cp, ldc, acc,
                    bias ? bias + j : 0);
      }
    }
  }
}
