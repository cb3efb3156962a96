/*===- kernels.c - kernels for the runtime tests ---------------------------===*
 *
 * Built into a shared object that the tests embed as an artifact's CPU code.
 * Each kernel has the runtime's ABI: void k(void **bindings, int64_t
 * wg_begin, int64_t wg_end). Element kernels process 64 elements (or bytes)
 * per workgroup; test_params (a weight) holds the element count.
 *
 *===----------------------------------------------------------------------===*/

#define _GNU_SOURCE
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "test_params.h"

#define WORKGROUP 64

static void range(const test_params *p, int64_t begin, int64_t end,
                  int64_t *lo, int64_t *hi) {
  *lo = begin * WORKGROUP;
  *hi = end * WORKGROUP;
  if (*hi > p->n)
    *hi = p->n;
}

/* out = x + y; bindings: x, y, out, params. */
void add_f32(void **b, int64_t begin, int64_t end) {
  const float *x = b[0], *y = b[1];
  float *out = b[2];
  int64_t lo, hi;
  range(b[3], begin, end, &lo, &hi);
  for (int64_t i = lo; i < hi; ++i)
    out[i] = x[i] + y[i];
}

/* out = in * params.scale; bindings: in, params, out. */
void scale_f32(void **b, int64_t begin, int64_t end) {
  const float *in = b[0];
  const test_params *p = b[1];
  float *out = b[2];
  int64_t lo, hi;
  range(p, begin, end, &lo, &hi);
  for (int64_t i = lo; i < hi; ++i)
    out[i] = in[i] * p->scale;
}

/* Copies params.n bytes; bindings: in, out, params. */
void copy_bytes(void **b, int64_t begin, int64_t end) {
  int64_t lo, hi;
  range(b[2], begin, end, &lo, &hi);
  if (hi > lo)
    memcpy((char *)b[1] + lo, (const char *)b[0] + lo, (size_t)(hi - lo));
}

/* Counts runs in persistent state; bindings: state (i64), out (i64). */
void count_runs(void **b, int64_t begin, int64_t end) {
  int64_t *state = b[0], *out = b[1];
  if (begin == 0) {
    state[0] += 1;
    out[0] = state[0];
  }
}

/* Records, per workgroup, how often it ran, where its chunk began and which
 * thread ran it; bindings: counts (i32), begins (i64), threads (i64). */
void visit(void **b, int64_t begin, int64_t end) {
  int32_t *counts = b[0];
  int64_t *begins = b[1], *threads = b[2];
  int64_t tid = (int64_t)syscall(SYS_gettid);
  for (int64_t i = begin; i < end; ++i) {
    counts[i] += 1;
    begins[i] = begin;
    threads[i] = tid;
  }
}
