/*===- qgemm.c - quantized / 16-bit B GEMM microkernel ------------------===*
 *
 * Not a standalone file: the compiler appends it to sgemm.c's text (whose
 * helpers, tiles and vector types it uses) only for artifacts that call
 * agm_ukernel_qgemm, so models without quantized or 16-bit weights do not
 * pay for compiling it.
 *
 *===----------------------------------------------------------------------===*/

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

/* 2*VL consecutive values of row `row` of B (or of the zero points), from
 * column j (even), as floats; 4-bit values unsigned (0..15): a signed i4
 * value is this minus 8 (its bit 3 flipped), see `nibble_offset`. */
static inline void load_quant(int kind, const uint8_t *base, int64_t row,
                              int64_t ld, int64_t j, vf *v0, vf *v1) {
  if (kind >= 4) { /* bf16 / f16, no scale */
    const uint16_t *p = (const uint16_t *)base + row * ld + j;
#if VL == 16
    __m256i x0 = _mm256_loadu_si256((const __m256i *)p);
    __m256i x1 = _mm256_loadu_si256((const __m256i *)(p + 16));
    if (kind == 4) {
      *v0 = (vf)_mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(x0), 16));
      *v1 = (vf)_mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(x1), 16));
    } else {
      *v0 = (vf)_mm512_cvtph_ps(x0);
      *v1 = (vf)_mm512_cvtph_ps(x1);
    }
#else
    __m128i x0 = _mm_loadu_si128((const __m128i *)p);
    __m128i x1 = _mm_loadu_si128((const __m128i *)(p + 8));
    if (kind == 4) {
      *v0 = (vf)_mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(x0), 16));
      *v1 = (vf)_mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(x1), 16));
    } else {
      *v0 = (vf)_mm256_cvtph_ps(x0);
      *v1 = (vf)_mm256_cvtph_ps(x1);
    }
#endif
    return;
  }
#if VL == 16
  if (kind == 0 || kind == 1) {
    const uint8_t *p = base + row * ld + j;
    __m128i x0 = _mm_loadu_si128((const __m128i *)p);
    __m128i x1 = _mm_loadu_si128((const __m128i *)(p + 16));
    __m512i w0 = kind == 0 ? _mm512_cvtepi8_epi32(x0) : _mm512_cvtepu8_epi32(x0);
    __m512i w1 = kind == 0 ? _mm512_cvtepi8_epi32(x1) : _mm512_cvtepu8_epi32(x1);
    *v0 = (vf)_mm512_cvtepi32_ps(w0);
    *v1 = (vf)_mm512_cvtepi32_ps(w1);
    return;
  }
  __m128i x = _mm_loadu_si128((const __m128i *)(base + (row * ld + j) / 2));
  if (kind == 2)
    x = _mm_xor_si128(x, _mm_set1_epi8((char)0x88));
  __m128i mask = _mm_set1_epi8(15);
  __m128i lo = _mm_and_si128(x, mask);
  __m128i hi = _mm_and_si128(_mm_srli_epi16(x, 4), mask);
  *v0 = (vf)_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_unpacklo_epi8(lo, hi)));
  *v1 = (vf)_mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_unpackhi_epi8(lo, hi)));
#else
  if (kind == 0 || kind == 1) {
    const uint8_t *p = base + row * ld + j;
    __m128i x0 = _mm_loadl_epi64((const __m128i *)p);
    __m128i x1 = _mm_loadl_epi64((const __m128i *)(p + 8));
    __m256i w0 = kind == 0 ? _mm256_cvtepi8_epi32(x0) : _mm256_cvtepu8_epi32(x0);
    __m256i w1 = kind == 0 ? _mm256_cvtepi8_epi32(x1) : _mm256_cvtepu8_epi32(x1);
    *v0 = (vf)_mm256_cvtepi32_ps(w0);
    *v1 = (vf)_mm256_cvtepi32_ps(w1);
    return;
  }
  __m128i x = _mm_loadl_epi64((const __m128i *)(base + (row * ld + j) / 2));
  if (kind == 2)
    x = _mm_xor_si128(x, _mm_set1_epi8((char)0x88));
  __m128i mask = _mm_set1_epi8(15);
  __m128i lo = _mm_and_si128(x, mask);
  __m128i hi = _mm_and_si128(_mm_srli_epi16(x, 4), mask);
  __m128i both = _mm_unpacklo_epi8(lo, hi);
  *v0 = (vf)_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(both));
  *v1 = (vf)_mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_srli_si128(both, 8)));
#endif
}

/* What load_quant's values are offset by: signed i4 nibbles come out
 * unsigned with bit 3 flipped (v + 8). */
static inline float nibble_offset(int kind) { return kind == 2 ? 8.0f : 0.0f; }

static inline float bf16_to_float(uint16_t h) {
  uint32_t bits = (uint32_t)h << 16;
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

/* x rounded to bf16 (nearest even) or f16, back in f32: what a 16-bit
 * operand holds. */
static inline float round16(int kind, float x) {
  if (kind == 5)
    return _cvtsh_ss(_cvtss_sh(x, _MM_FROUND_TO_NEAREST_INT));
  uint32_t bits;
  memcpy(&bits, &x, sizeof bits);
  if ((bits & 0x7F800000u) != 0x7F800000u) /* not inf / nan */
    bits += 0x7FFFu + ((bits >> 16) & 1u);
  bits &= 0xFFFF0000u;
  memcpy(&x, &bits, sizeof x);
  return x;
}

/* One quantized value of B (or of the zero points) at flat (row, col). */
static inline float quant_at(int kind, const uint8_t *base, int64_t row,
                             int64_t ld, int64_t col) {
  int64_t i = row * ld + col;
  switch (kind) {
  case 4: return bf16_to_float(((const uint16_t *)base)[i]);
  case 5: return _cvtsh_ss(((const uint16_t *)base)[i]);
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
                                (scale ? scale[g * n + j + c] : 1)
                          : 0;
      continue;
    }
    if (g != current) {
      current = g;
      s0 = scale ? load(scale + g * n + j) : splat(1);
      s1 = scale ? load(scale + g * n + j + VL) : splat(1);
      /* Loaded zero points carry the same nibble offset as the values. */
      if (zp)
        load_quant(kind, zp, g, n, j, &z0, &z1);
      else
        z0 = z1 = splat(nibble_offset(kind));
    }
    vf q0, q1;
    load_quant(kind, b, row, n, j, &q0, &q1);
    store(out, (q0 - z0) * s0);
    store(out + VL, (q1 - z1) * s1);
  }
}


/* Few rows (LLM decode): B streams row by row, contiguously, which is what
 * memory bandwidth wants. Per group of K, partial[m][c] = sum_k a[m][k] *
 * q[k][c] (raw quantized values), then acc += scale * (partial - zero *
 * sum_k a[m][k]): one multiply per group instead of one per weight. */
static void gemv_quant(int kind, int64_t rows, const float *a, int64_t lda,
                       const uint8_t *b, const float *scale,
                       const uint8_t *zp, const float *bias, float *c,
                       int64_t ldc, int accumulate, int64_t n, int64_t k,
                       int64_t group, int64_t n_begin, int64_t n_end) {
  float acc[GEMV_ROWS][GEMV_COLS] __attribute__((aligned(64)));
  float partial[GEMV_ROWS][GEMV_COLS] __attribute__((aligned(64)));
  for (int64_t j0 = n_begin; j0 < n_end; j0 += GEMV_COLS) {
    int64_t cols = n_end - j0 < GEMV_COLS ? n_end - j0 : GEMV_COLS;
    int64_t vcols = cols - cols % NR; /* vector part; the rest scalar */
    for (int64_t m = 0; m < rows; ++m)
      for (int64_t jj = 0; jj < cols; ++jj)
        acc[m][jj] = accumulate ? c[m * ldc + j0 + jj]
                                : bias ? bias[j0 + jj] : 0;
    for (int64_t g0 = 0; g0 < k; g0 += group) {
      int64_t g = g0 / group, g1 = g0 + group < k ? g0 + group : k;
      float asum[GEMV_ROWS] = {0};
      for (int64_t m = 0; m < rows; ++m) {
        memset(partial[m], 0, cols * sizeof(float));
        for (int64_t kk = g0; kk < g1; ++kk)
          asum[m] += a[m * lda + kk];
      }
      int64_t kk = g0;
      /* Four rows of B per pass: a quarter of the partial sums' traffic. */
      for (; kk + 4 <= g1; kk += 4) {
        for (int64_t jj = 0; jj < vcols; jj += NR) {
          vf q[4][2];
          for (int r = 0; r < 4; ++r)
            load_quant(kind, b, kk + r, n, j0 + jj, &q[r][0], &q[r][1]);
          for (int64_t m = 0; m < rows; ++m) {
            const float *am = a + m * lda + kk;
            vf a0 = splat(am[0]), a1 = splat(am[1]), a2 = splat(am[2]),
               a3 = splat(am[3]);
            for (int h = 0; h < 2; ++h) {
              float *p = partial[m] + jj + h * VL;
              store(p, load(p) + a0 * q[0][h] + a1 * q[1][h] +
                           a2 * q[2][h] + a3 * q[3][h]);
            }
          }
        }
        for (int64_t jj = vcols; jj < cols; ++jj)
          for (int r = 0; r < 4; ++r) {
            float qv = quant_at(kind, b, kk + r, n, j0 + jj) +
                       nibble_offset(kind);
            for (int64_t m = 0; m < rows; ++m)
              partial[m][jj] += a[m * lda + kk + r] * qv;
          }
      }
      for (; kk < g1; ++kk) {
        vf am[GEMV_ROWS];
        for (int64_t m = 0; m < rows; ++m)
          am[m] = splat(a[m * lda + kk]);
        for (int64_t jj = 0; jj < vcols; jj += NR) {
          vf q0, q1;
          load_quant(kind, b, kk, n, j0 + jj, &q0, &q1);
          for (int64_t m = 0; m < rows; ++m) {
            store(partial[m] + jj, load(partial[m] + jj) + am[m] * q0);
            store(partial[m] + jj + VL,
                  load(partial[m] + jj + VL) + am[m] * q1);
          }
        }
        for (int64_t jj = vcols; jj < cols; ++jj) {
          float q = quant_at(kind, b, kk, n, j0 + jj) + nibble_offset(kind);
          for (int64_t m = 0; m < rows; ++m)
            partial[m][jj] += a[m * lda + kk] * q;
        }
      }
      /* acc += s * (partial - z * asum); z includes the nibble offset. */
      for (int64_t jj = 0; jj < cols; ++jj) {
        float s = scale ? scale[g * n + j0 + jj] : 1;
        float z = zp ? quant_at(kind, zp, g, n, j0 + jj) : 0;
        z += nibble_offset(kind);
        for (int64_t m = 0; m < rows; ++m)
          acc[m][jj] += s * (partial[m][jj] - z * asum[m]);
      }
    }
    for (int64_t m = 0; m < rows; ++m)
      memcpy(c + m * ldc + j0, acc[m], cols * sizeof(float));
  }
}

static void qgemm_body(uintptr_t a_ptr, uintptr_t b_ptr, uintptr_t c_ptr,
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
  if (m_end - m_begin <= GEMV_ROWS) {
    if (m_end > m_begin && k > 0)
      gemv_quant((int)kind, m_end - m_begin, a + m_begin * lda, lda, b,
                 scale, zp, bias, c + m_begin * ldc, ldc, (int)accumulate, n,
                 k, group, n_begin, n_end);
    return;
  }
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

/* Entry point. kind 4 / 5: B is bf16 / f16 (mixed precision; scale and
 * zero point absent) and A is rounded to the same 16-bit type first, so the
 * products are those of 16-bit operands, accumulated in f32. */
void agm_ukernel_qgemm(uintptr_t a_ptr, uintptr_t b_ptr, uintptr_t c_ptr,
                       int64_t m_begin, int64_t m_end, int64_t n, int64_t k,
                       int64_t lda, int64_t ldb, int64_t ldc,
                       int64_t accumulate, uintptr_t bias_ptr,
                       uintptr_t scale_ptr, uintptr_t zp_ptr, int64_t kind,
                       int64_t group, int64_t n_begin, int64_t n_end) {
  if (kind < 4 || m_end <= m_begin || k == 0) {
    qgemm_body(a_ptr, b_ptr, c_ptr, m_begin, m_end, n, k, lda, ldb, ldc,
               accumulate, bias_ptr, scale_ptr, zp_ptr, kind, group, n_begin,
               n_end);
    return;
  }
  int64_t rows = m_end - m_begin;
  float *rounded = (float *)malloc((size_t)(rows * k) * sizeof(float));
  if (!rounded)
    abort(); /* out of memory in a kernel: nothing sensible to return */
  const float *a = (const float *)a_ptr;
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t kk = 0; kk < k; ++kk)
      rounded[i * k + kk] = round16((int)kind, a[(m_begin + i) * lda + kk]);
  qgemm_body((uintptr_t)rounded, b_ptr,
             (uintptr_t)((float *)c_ptr + m_begin * ldc), 0, rows, n, k, k,
             ldb, ldc, accumulate, bias_ptr, scale_ptr, zp_ptr, kind, group,
             n_begin, n_end);
  free(rounded);
}
