/*===- test_params.h - the weight the test kernels read ---------*- C -*-===*/

#ifndef AUTOGLM_TEST_RUNTIME_TEST_PARAMS_H
#define AUTOGLM_TEST_RUNTIME_TEST_PARAMS_H

#include <stdint.h>

typedef struct test_params {
  int64_t n;   /* elements (bytes for copy_bytes) */
  float scale; /* scale_f32's factor */
  float reserved;
} test_params;

#endif
