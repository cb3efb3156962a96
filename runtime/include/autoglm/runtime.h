/*===- runtime.h - AutoGLM runtime C API ------------------------------------===*
 *
 * Loads a compiled .agm artifact and runs its entry points. Links only libc,
 * libdl, libm and pthread. Conventions (IREE style):
 *  - every call returns an agm_status; AGM_OK (0) is success, and
 *    agm_status_message() says what went wrong otherwise;
 *  - whoever receives an object from a *_create call owns it and releases it
 *    with the matching *_release;
 *  - tensors are dense, row-major, in the dtype and shape the artifact
 *    declares for the input or output.
 *
 *===----------------------------------------------------------------------===*/

#ifndef AUTOGLM_RUNTIME_H
#define AUTOGLM_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#include "autoglm/artifact_format.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum agm_status_code {
  AGM_OK = 0,
  AGM_INVALID_ARGUMENT = 1,   /* wrong name, shape, dtype, null pointer */
  AGM_NOT_FOUND = 2,          /* file or entry point missing */
  AGM_DATA_LOSS = 3,          /* truncated or corrupted artifact */
  AGM_INCOMPATIBLE = 4,       /* format version, target or CPU features */
  AGM_RESOURCE_EXHAUSTED = 5, /* out of memory */
  AGM_INTERNAL = 6
} agm_status_code;

/* Null means OK; otherwise an owned error object. */
typedef struct agm_status_impl *agm_status;

agm_status_code agm_status_code_of(agm_status status);
/* The message, valid until the status is released. "" for OK. */
const char *agm_status_message(agm_status status);
void agm_status_release(agm_status status);

typedef struct agm_runtime_options {
  /* Worker threads for the CPU executor; 0 means all cores. */
  int32_t threads;
  /* Skip checksum verification of large sections (not recommended). */
  int32_t skip_weight_checksums;
} agm_runtime_options;

void agm_runtime_options_init(agm_runtime_options *options);

typedef struct agm_model_impl *agm_model;

/* Maps and validates the artifact at `path`. */
agm_status agm_model_create(const char *path,
                            const agm_runtime_options *options,
                            agm_model *out_model);
void agm_model_release(agm_model model);

/* Describes the entry point's inputs and outputs. */
typedef struct agm_tensor_info {
  const char *name;
  agm_dtype dtype;
  int32_t rank;
  int64_t dims[AGM_MAX_RANK];
  size_t byte_size;
} agm_tensor_info;

int32_t agm_model_entry_count(agm_model model);
const char *agm_model_entry_name(agm_model model, int32_t entry);
agm_status agm_model_find_entry(agm_model model, const char *name,
                                int32_t *out_entry);
int32_t agm_model_input_count(agm_model model, int32_t entry);
int32_t agm_model_output_count(agm_model model, int32_t entry);
agm_status agm_model_input_info(agm_model model, int32_t entry, int32_t index,
                                agm_tensor_info *out_info);
agm_status agm_model_output_info(agm_model model, int32_t entry,
                                 int32_t index, agm_tensor_info *out_info);

/* Runs `entry` once. inputs[i] points to input i's data (byte_size bytes);
 * outputs[i] to caller memory for output i. */
agm_status agm_model_run(agm_model model, int32_t entry,
                         const void *const *inputs, void *const *outputs);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* AUTOGLM_RUNTIME_H */
