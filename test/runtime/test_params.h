/*===- test_params.h - the weight the test kernels read ---------*- C -*-===*/

#ifndef AUTOGLM_TEST_RUNTIME_TEST_PARAMS_H
#define AUTOGLM_TEST_RUNTIME_TEST_PARAMS_H

#include <stdint.h>

typedef struct test_params {
  int64_t n;   /* elements (bytes for copy_bytes) */
  float scale; /* scale_f32's factor */
  float reserved;
} test_params;

/* The toy LLM's kernels (toy_write, toy_logits, toy_fill): one per entry
 * point, a weight. */
typedef struct toy_llm_params {
  int64_t length;      /* tokens per call: C for prefill, 1 for decode */
  int64_t vocab;       /* logits per position */
  int64_t max_context; /* positions of the state (the "KV cache") */
  int64_t fill;        /* toy_fill's value */
} toy_llm_params;

#endif
