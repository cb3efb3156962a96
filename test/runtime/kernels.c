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

/*===- A toy LLM ----------------------------------------------------------===*
 *
 * The state is a "KV cache" of one int64 per position: the token written
 * there. prefill(tokens[C], position) and decode(token[1], position) write
 * their tokens at position, position + 1, ... (toy_write), then compute
 * each row's logits from the cache up to and including that row's position
 * (toy_logits, causal like attention):
 *   h = toy_hash(cache[0..q], q), f = (h mod (2V - 1)) / 2,
 *   logits[v] = -(v - f)^2,
 * so the greedy token is floor(f) (f = k + 0.5 ties k and k + 1: the first
 * maximal index wins). A token at a wrong position, a missing or extra
 * write, a wrongly padded chunk or lost state changes later tokens.
 * test/runtime/runtime_tests.cpp and test/lit/Runtime/Inputs/toy_llm.py
 * compute the same function independently.
 *===----------------------------------------------------------------------===*/

static uint64_t toy_hash(const int64_t *cache, int64_t q) {
  uint64_t h = 1469598103934665603ull ^ ((uint64_t)q * 0x9e3779b97f4a7c15ull);
  for (int64_t i = 0; i <= q; ++i) {
    h = (h ^ (uint64_t)(cache[i] + 7919 * i)) * 1099511628211ull;
    h ^= h >> 31;
  }
  return h;
}

/* Writes the call's tokens into the cache; bindings: tokens (i64[length]),
 * position (i64), cache (state, i64[max_context]), params. */
void toy_write(void **b, int64_t begin, int64_t end) {
  const int64_t *tokens = b[0], *position = b[1];
  int64_t *cache = b[2];
  const toy_llm_params *p = b[3];
  if (begin != 0)
    return;
  for (int64_t t = 0; t < p->length; ++t) {
    int64_t at = *position + t;
    if (at >= 0 && at < p->max_context)
      cache[at] = tokens[t];
  }
}

/* One workgroup per row; bindings: position, cache, logits
 * (f32[length * vocab]), params. */
void toy_logits(void **b, int64_t begin, int64_t end) {
  const int64_t *position = b[0], *cache = b[1];
  float *logits = b[2];
  const toy_llm_params *p = b[3];
  for (int64_t t = begin; t < end; ++t) {
    int64_t q = *position + t;
    if (q < 0 || q >= p->max_context)
      q = p->max_context - 1;
    float f = (float)(toy_hash(cache, q) % (uint64_t)(2 * p->vocab - 1)) / 2;
    for (int64_t v = 0; v < p->vocab; ++v) {
      float d = (float)v - f;
      logits[t * p->vocab + v] = -(d * d);
    }
  }
}

/* Sets every cache position to params.fill; bindings: cache, params. */
void toy_fill(void **b, int64_t begin, int64_t end) {
  int64_t *cache = b[0];
  const toy_llm_params *p = b[1];
  if (begin != 0)
    return;
  for (int64_t i = 0; i < p->max_context; ++i)
    cache[i] = p->fill;
}
