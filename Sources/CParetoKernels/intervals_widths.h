// The interval scorer for one instruction set (ISA_NAME, COUNT_BELOW defined by
// intervals.c): one kernel per mask type and block width, 64 to 512 bytes of masks
// per row's block (one to eight 512-bit vectors), as pareto_interval_score dispatches.
#define SUFFIX CAT(ISA_NAME, _32_16)
#define MASK_T uint32_t
#define CTZ __builtin_ctz
#define WIDTH 16
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _32_32)
#define MASK_T uint32_t
#define CTZ __builtin_ctz
#define WIDTH 32
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _32_64)
#define MASK_T uint32_t
#define CTZ __builtin_ctz
#define WIDTH 64
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _32_128)
#define MASK_T uint32_t
#define CTZ __builtin_ctz
#define WIDTH 128
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _64_8)
#define MASK_T uint64_t
#define CTZ __builtin_ctzll
#define WIDTH 8
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _64_16)
#define MASK_T uint64_t
#define CTZ __builtin_ctzll
#define WIDTH 16
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _64_32)
#define MASK_T uint64_t
#define CTZ __builtin_ctzll
#define WIDTH 32
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _64_64)
#define MASK_T uint64_t
#define CTZ __builtin_ctzll
#define WIDTH 64
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef WIDTH
