/*===- artifact_format.h - the .agm file layout, shared by writer and reader -===*
 *
 * One .agm file holds everything a deployment needs: a versioned header, a
 * section table, and 64-byte aligned sections (metadata, plan, code,
 * weights). Version 2 added the CUDA target (launches, CODE_CUDA). The compiler writes it (compiler/plan), the runtime maps and
 * validates it (runtime/src). docs/artifact.md describes it in prose.
 * Plain C, little-endian, fixed-size fields only.
 *
 *===----------------------------------------------------------------------===*/

#ifndef AUTOGLM_ARTIFACT_FORMAT_H
#define AUTOGLM_ARTIFACT_FORMAT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AGM_MAGIC "AGMART01"          /* 8 bytes, no terminator stored */
#define AGM_FORMAT_VERSION 2u         /* bumped on any layout change */
#define AGM_SECTION_ALIGNMENT 64u
#define AGM_MAX_RANK 8u

/* Header at offset 0. */
typedef struct agm_header {
  char magic[8];                /* AGM_MAGIC */
  uint32_t format_version;      /* AGM_FORMAT_VERSION */
  uint32_t section_count;
  uint64_t file_size;           /* the whole file, for truncation checks */
  uint64_t section_table_offset;/* right after the header */
  uint64_t table_checksum;      /* agm_checksum of the section table */
  uint8_t reserved[24];
} agm_header;                   /* 64 bytes */

typedef enum agm_section_kind {
  AGM_SECTION_METADATA = 1, /* agm_metadata + string table */
  AGM_SECTION_PLAN = 2,     /* agm_plan + arrays */
  AGM_SECTION_CODE_CPU = 3, /* an ELF shared object for x86-64 */
  AGM_SECTION_WEIGHTS = 4,  /* constants; offsets are 64-byte aligned */
  AGM_SECTION_STRINGS = 5,  /* NUL-terminated strings, referenced by offset */
  AGM_SECTION_CODE_CUDA = 6 /* agm_cuda_code: PTX per arch, cubin too */
} agm_section_kind;

typedef struct agm_section {
  uint32_t kind;      /* agm_section_kind */
  uint32_t flags;     /* 0 */
  uint64_t offset;    /* from file start, AGM_SECTION_ALIGNMENT aligned */
  uint64_t size;      /* bytes */
  uint64_t checksum;  /* agm_checksum of the section's bytes */
} agm_section;        /* 32 bytes */

/* Element types (values match ONNX TensorProto.DataType). */
typedef enum agm_dtype {
  AGM_F32 = 1, AGM_U8 = 2, AGM_I8 = 3, AGM_U16 = 4, AGM_I16 = 5,
  AGM_I32 = 6, AGM_I64 = 7, AGM_BOOL = 9, AGM_F16 = 10, AGM_F64 = 11,
  AGM_U32 = 12, AGM_U64 = 13, AGM_BF16 = 16
} agm_dtype;

/* Metadata section: this struct, then `entry_count` agm_entry_point. */
typedef struct agm_metadata {
  uint32_t target;              /* 1 = cpu (x86-64), 2 = cuda */
  uint32_t entry_count;
  uint64_t cpu_features;        /* AGM_CPU_* bits the code needs */
  uint32_t compiler_version;    /* major << 16 | minor << 8 | patch */
  uint32_t max_context;         /* LLMs: KV cache positions; 0 = not an LLM */
  uint64_t source_model_hash;   /* agm_checksum of the source model file */
  uint32_t target_name;         /* string offsets (AGM_SECTION_STRINGS) */
  uint32_t cpu_name;
  uint32_t source_model_name;
  uint32_t reserved1;
} agm_metadata;                 /* 48 bytes */

#define AGM_CPU_AVX2 (1ull << 0)
#define AGM_CPU_FMA (1ull << 1)
#define AGM_CPU_AVX512F (1ull << 2)
#define AGM_CPU_AVX512BW (1ull << 3)
#define AGM_CPU_AVX512VL (1ull << 4)
#define AGM_CPU_AVX512DQ (1ull << 5)
#define AGM_CPU_F16C (1ull << 6)
#define AGM_CPU_BMI2 (1ull << 7)

/* A tensor the caller passes or receives. */
typedef struct agm_tensor_desc {
  uint32_t name;                  /* string offset */
  uint32_t dtype;                 /* agm_dtype */
  uint32_t rank;
  uint32_t buffer;                /* index into the plan's buffers */
  int64_t dims[AGM_MAX_RANK];
} agm_tensor_desc;                /* 80 bytes */

/* An entry point: `main` for ONNX models, `prefill` / `decode` for LLMs. */
typedef struct agm_entry_point {
  uint32_t name;                  /* string offset */
  uint32_t input_count;
  uint32_t output_count;
  uint32_t first_input;           /* index into the plan's tensor descs */
  uint32_t first_output;
  uint32_t first_dispatch;        /* dispatches [first, first + count) */
  uint32_t dispatch_count;
  uint32_t reserved;
} agm_entry_point;                /* 32 bytes */

typedef enum agm_buffer_kind {
  AGM_BUFFER_ARENA = 0,   /* offset into the per-run arena */
  AGM_BUFFER_WEIGHT = 1,  /* offset into the weights section */
  AGM_BUFFER_INPUT = 2,   /* the caller's input `index` of the entry */
  AGM_BUFFER_OUTPUT = 3,  /* the caller's output `index` of the entry */
  AGM_BUFFER_STATE = 4    /* persistent across runs (KV cache), `offset` */
} agm_buffer_kind;

typedef struct agm_buffer {
  uint32_t kind;          /* agm_buffer_kind */
  uint32_t index;         /* for inputs and outputs */
  uint64_t offset;        /* arena / weights / state offset in bytes */
  uint64_t size;          /* bytes */
} agm_buffer;             /* 24 bytes */

/* One dispatch of an entry point.
 *
 * CPU target: one kernel call over a 1-d workgroup grid. The kernel symbol
 * in the code section has the C signature
 *   void kernel(void **bindings, int64_t wg_begin, int64_t wg_end);
 * and computes workgroups [wg_begin, wg_end); the executor splits
 * [0, workgroup_count) over threads. bindings[i] is the address of buffer
 * plan.bindings[first_binding + i]. launch_count is 0.
 *
 * CUDA target: launches [first_launch, first_launch + launch_count) of the
 * plan, in order on one stream; `kernel` names the dispatch (for messages)
 * and the bindings list every buffer its launches use (the dispatch's
 * operands, results, then its temporaries, which are arena buffers);
 * workgroup_count is 0. */
typedef struct agm_dispatch {
  uint32_t kernel;          /* string offset of the symbol name */
  uint32_t binding_count;
  uint32_t first_binding;   /* index into the binding array (uint32 each) */
  uint32_t first_launch;    /* CUDA: index into the plan's launches */
  uint64_t workgroup_count;
  uint32_t launch_count;    /* CUDA: launches of this dispatch; CPU: 0 */
  uint32_t reserved;
} agm_dispatch;             /* 32 bytes */

/* CUDA target: one cuLaunchKernel of the PTX entry `kernel` with the given
 * grid and block and `shared_bytes` of dynamic shared memory. Its
 * parameters are bare device pointers, in the order of the entry's
 * parameters: the addresses of buffers plan.bindings[first_param + i] for
 * i in [0, param_count) (shapes are static, so no sizes are passed). */
typedef struct agm_launch {
  uint32_t kernel;          /* string offset of the PTX entry name */
  uint32_t param_count;
  uint32_t first_param;     /* index into the binding array */
  uint32_t shared_bytes;    /* dynamic shared memory per block */
  uint32_t grid[3];
  uint32_t block[3];
} agm_launch;               /* 40 bytes */

/* CUDA target: the CODE_CUDA section is this header, then image_count
 * agm_cuda_image records, then the images they point at. Every image holds
 * all the kernels of the artifact for one arch: PTX text (NUL-terminated;
 * the driver compiles it for the device, which may be of a later arch) and,
 * where ptxas was found at compile time, a cubin for exactly that arch. */
typedef struct agm_cuda_code {
  uint32_t image_count;
  uint32_t reserved;
} agm_cuda_code;            /* 8 bytes */

typedef enum agm_cuda_image_format {
  AGM_CUDA_PTX = 0,         /* PTX text, NUL-terminated */
  AGM_CUDA_CUBIN = 1        /* an ELF cubin from ptxas */
} agm_cuda_image_format;

typedef struct agm_cuda_image {
  uint32_t arch;            /* compute capability * 10: 80, 86, 89, 90 */
  uint32_t format;          /* agm_cuda_image_format */
  uint64_t offset;          /* from the section start */
  uint64_t size;            /* bytes (PTX: with its NUL) */
} agm_cuda_image;           /* 24 bytes */

/* Plan section: this header, then the arrays at the given byte offsets
 * (relative to the section start). */
typedef struct agm_plan {
  uint64_t arena_size;        /* bytes of scratch per run */
  uint64_t state_size;        /* bytes of persistent state (KV cache) */
  uint32_t buffer_count;
  uint32_t dispatch_count;
  uint32_t binding_count;
  uint32_t tensor_count;
  uint64_t buffers_offset;    /* agm_buffer[buffer_count] */
  uint64_t dispatches_offset; /* agm_dispatch[dispatch_count] */
  uint64_t bindings_offset;   /* uint32_t[binding_count] buffer indices */
  uint64_t tensors_offset;    /* agm_tensor_desc[tensor_count] */
  uint32_t launch_count;      /* CUDA target; 0 on the CPU */
  uint32_t reserved;
  uint64_t launches_offset;   /* agm_launch[launch_count] */
} agm_plan;                   /* 80 bytes */

/* Bytes per element of a dtype (bool is one byte); 0 for unknown values. */
static inline uint64_t agm_dtype_size(uint32_t dtype) {
  switch (dtype) {
  case AGM_U8: case AGM_I8: case AGM_BOOL: return 1;
  case AGM_U16: case AGM_I16: case AGM_F16: case AGM_BF16: return 2;
  case AGM_F32: case AGM_I32: case AGM_U32: return 4;
  case AGM_I64: case AGM_F64: case AGM_U64: return 8;
  default: return 0;
  }
}

/* Short name of a dtype ("f32", "bool", ...); "unknown" otherwise. */
static inline const char *agm_dtype_name(uint32_t dtype) {
  switch (dtype) {
  case AGM_F32: return "f32";   case AGM_U8: return "u8";
  case AGM_I8: return "i8";     case AGM_U16: return "u16";
  case AGM_I16: return "i16";   case AGM_I32: return "i32";
  case AGM_I64: return "i64";   case AGM_BOOL: return "bool";
  case AGM_F16: return "f16";   case AGM_F64: return "f64";
  case AGM_U32: return "u32";   case AGM_U64: return "u64";
  case AGM_BF16: return "bf16";
  default: return "unknown";
  }
}

/* FNV-1a, 64-bit: small, dependency-free, enough to catch corruption (not
 * an integrity guarantee against tampering). */
static inline uint64_t agm_checksum(const void *data, uint64_t size) {
  const unsigned char *bytes = (const unsigned char *)data;
  uint64_t hash = 1469598103934665603ull;
  for (uint64_t i = 0; i < size; ++i) {
    hash ^= bytes[i];
    hash *= 1099511628211ull;
  }
  return hash;
}

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* AUTOGLM_ARTIFACT_FORMAT_H */
