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
  AGM_RESOURCE_EXHAUSTED = 5, /* out of memory (host or device) */
  AGM_INTERNAL = 6,
  /* The artifact's device cannot be used here: no CUDA driver (or only the
   * toolkit's stub library), no GPU, or a driver that fails. Code for an
   * arch the GPU cannot run is AGM_INCOMPATIBLE instead. */
  AGM_UNAVAILABLE = 7
} agm_status_code;

/* Null means OK; otherwise an owned error object. */
typedef struct agm_status_impl *agm_status;

agm_status_code agm_status_code_of(agm_status status);
/* The message, valid until the status is released. "" for OK. */
const char *agm_status_message(agm_status status);
void agm_status_release(agm_status status);

typedef struct agm_runtime_options {
  /* Worker threads for the CPU executor; 0 means all cores. Ignored for
   * CUDA artifacts. */
  int32_t threads;
  /* Skip checksum verification of large sections (not recommended). */
  int32_t skip_weight_checksums;
  /* CUDA artifacts: the device ordinal to run on (default 0). */
  int32_t cuda_device;
  /* CUDA artifacts: nonzero replays no CUDA Graphs (every run launches its
   * kernels one by one; for measuring launch overhead). The environment
   * variable AGM_CUDA_GRAPHS=0 does the same. */
  int32_t disable_cuda_graphs;
} agm_runtime_options;

void agm_runtime_options_init(agm_runtime_options *options);

typedef struct agm_model_impl *agm_model;

/* Where an artifact's code runs (agm_metadata.target). */
typedef enum agm_target { AGM_TARGET_CPU = 1, AGM_TARGET_CUDA = 2 } agm_target;

/* Maps and validates the artifact at `path` and prepares it to run.
 *
 * A CUDA artifact (target 2) needs the CUDA driver, which is loaded at run
 * time with dlopen("libcuda.so.1"); the environment variable
 * AGM_CUDA_DRIVER, when set, names another library to load instead (a
 * driver in an unusual place; the tests' mock driver). Without a driver or
 * a GPU the status is AGM_UNAVAILABLE; a GPU whose arch the artifact has no
 * code for gives AGM_INCOMPATIBLE. docs/artifact.md ("Running on a GPU")
 * says what is allocated on the device and which code image is loaded. */
agm_status agm_model_create(const char *path,
                            const agm_runtime_options *options,
                            agm_model *out_model);
void agm_model_release(agm_model model);

/* Reads the target of the artifact at `path` (AGM_TARGET_CPU or
 * AGM_TARGET_CUDA) after validating it as agm_model_create does, without
 * the weights' checksum, and without loading code or touching a device. */
agm_status agm_artifact_target(const char *path, int32_t *out_target);

/* The target `model` runs on (AGM_TARGET_*); 0 when `model` is NULL. */
int32_t agm_model_target(agm_model model);

/* A line describing where `model` runs: "cpu" or, for CUDA, e.g.
 * "cuda:0 'NVIDIA H100 80GB HBM3' (sm_90), sm_90 cubin". Valid as long as
 * the model; "" when `model` is NULL. */
const char *agm_model_device_description(agm_model model);

/* CUDA: the device time of the kernels of the model's last successful
 * agm_model_run (or the last entry call of a generation), in milliseconds,
 * from CUDA events recorded around its launches (the input and output
 * copies are not counted). -1 on the CPU, before the first run, or when
 * `model` is NULL. */
double agm_model_last_run_device_ms(agm_model model);

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
 * outputs[i] to caller memory for output i. On a GPU the inputs are copied
 * to the device, the kernels run, and the outputs are copied back before
 * the call returns. */
agm_status agm_model_run(agm_model model, int32_t entry,
                         const void *const *inputs, void *const *outputs);

/* The KV cache positions of an LLM artifact (the most prompt + generated
 * tokens one generation may use); 0 for artifacts that are not LLMs or when
 * `model` is NULL. */
int64_t agm_model_max_context(agm_model model);

/*===----------------------------------------------------------------------===*
 * Greedy generation (LLM artifacts)
 *
 * An LLM artifact (compiled from a GLM checkpoint) has two entry points
 * sharing a KV cache held in the model's persistent state:
 *   prefill(tokens i64[1, C], position i64[]) -> logits f32[1, C, V]
 *   decode(token i64[1, 1], position i64[]) -> logits f32[1, 1, V]
 * found by these names (entry points, inputs, outputs); `position` is the
 * position of the call's first token, C the prefill length, V the vocabulary
 * and max_context (agm_model_max_context) the cache positions. Other outputs
 * are computed and dropped; other inputs are refused.
 *
 * agm_model_generate checks everything first and runs nothing when a check
 * fails: the two entry points and their dtypes and shapes, max_context > 0,
 * prompt_count >= 1, every prompt id in [0, V), max_new_tokens >= 0,
 * stop_token in [-1, V), prompt_count + max_new_tokens <= max_context and
 * ceil(prompt_count / C) * C <= max_context. Then:
 *  - prefill runs ceil(S / C) times at positions 0, C, 2C, ... on the S
 *    prompt tokens; the last chunk is right-padded with token 0 (causal
 *    attention never lets a real position see the padding, and decode
 *    overwrites a padded cache position before reading it);
 *  - generated token 0 is the argmax of the logits of the last prompt
 *    position; token i > 0 is the argmax of decode(token i-1, S + i - 1).
 *    argmax is the first maximal index (NaN never wins);
 *  - generation stops after max_new_tokens tokens, after stop_token (which
 *    is kept in out_tokens) or when on_token returns nonzero (that token is
 *    kept too). The last token is never fed to decode.
 * A generation starts over at position 0: nothing of an earlier generation
 * on the model is read (cache positions are overwritten before they are
 * read). It holds the model for its whole length: concurrent runs and
 * generations of the same model wait for it, and on_token must not call
 * into the same model. Apart from what it sets up at the start (token and
 * logits buffers for one call of each entry), it allocates nothing per
 * step.
 *===----------------------------------------------------------------------===*/

typedef struct agm_generate_params {
  /* Tokens to generate at most (>= 0). agm_generate_params_init: 32. */
  int32_t max_new_tokens;
  /* Generation stops after this token; -1 (the default): none. */
  int64_t stop_token;
  /* Optional: called for every generated token (step 0, 1, ...) with the
   * logits row it was chosen from (`vocab` floats, valid during the call);
   * return nonzero to stop after this token. */
  int32_t (*on_token)(void *user, int32_t step, int64_t token,
                      const float *logits, int64_t vocab);
  void *user;
  /* Optional: receives the prefill logits of the prompt's positions,
   * [prompt_count, vocab] f32 (padding rows are left out). */
  float *prompt_logits;
} agm_generate_params;

typedef struct agm_generate_stats {
  int32_t prompt_tokens;
  int32_t generated_tokens;
  int32_t prefill_calls; /* ceil(prompt_tokens / C) */
  int32_t decode_calls;  /* generated_tokens - 1 (token 0 comes from prefill) */
  /* Monotonic clock time of the prefill and decode calls (each with its
   * argmax; on_token and the prompt_logits copy are not counted). */
  double prefill_seconds;
  double decode_seconds;
  /* CUDA: the device time of the prefill and decode calls' kernels (CUDA
   * events, agm_model_last_run_device_ms summed over the calls); the rest
   * of the wall time above is launch overhead, copies and argmax. -1 on
   * the CPU. */
  double prefill_device_seconds;
  double decode_device_seconds;
} agm_generate_stats;

/* The shape of an LLM artifact, as agm_model_generate reads it. */
typedef struct agm_llm_info {
  int64_t prefill_length; /* C: tokens per prefill call */
  int64_t vocab_size;     /* V: logits per position */
  int64_t max_context;    /* KV cache positions */
} agm_llm_info;

void agm_generate_params_init(agm_generate_params *params);

/* Checks that `model` is an LLM artifact (the entry points, names, dtypes
 * and shapes above, max_context > 0) and describes it. AGM_NOT_FOUND when an
 * entry point, input or output is missing, AGM_INVALID_ARGUMENT when one has
 * the wrong dtype or shape. */
agm_status agm_model_llm_info(agm_model model, agm_llm_info *out_info);

/* Greedy generation from `prompt` (prompt_count token ids); `params` NULL
 * means agm_generate_params_init's defaults. Writes the generated ids to
 * out_tokens (room for max_new_tokens; may be NULL when that is 0) and
 * their count to *out_count, and fills *stats when not NULL. When a run
 * fails midway, *out_count and *stats say how far it got. */
agm_status agm_model_generate(agm_model model, const int64_t *prompt,
                              int32_t prompt_count,
                              const agm_generate_params *params,
                              int64_t *out_tokens, int32_t *out_count,
                              agm_generate_stats *stats);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* AUTOGLM_RUNTIME_H */
