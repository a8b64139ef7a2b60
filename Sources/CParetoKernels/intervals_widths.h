// The interval scorer for one instruction set (ISA_NAME, COUNT_BELOW defined by
// intervals.c): one kernel per mask type, words per tree and block width, 64 to
// 512 bytes of masks per row's block (one to eight 512-bit vectors), as
// pareto_interval_score dispatches.
#define SUFFIX CAT(ISA_NAME, _32_1_16)
#define MASK_T uint32_t
#define CTZ __builtin_ctz
#define TREE_WORDS 1
#define WIDTH 16
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef TREE_WORDS
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _32_1_32)
#define MASK_T uint32_t
#define CTZ __builtin_ctz
#define TREE_WORDS 1
#define WIDTH 32
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef TREE_WORDS
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _32_1_64)
#define MASK_T uint32_t
#define CTZ __builtin_ctz
#define TREE_WORDS 1
#define WIDTH 64
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef TREE_WORDS
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _32_1_128)
#define MASK_T uint32_t
#define CTZ __builtin_ctz
#define TREE_WORDS 1
#define WIDTH 128
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef TREE_WORDS
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _64_1_8)
#define MASK_T uint64_t
#define CTZ __builtin_ctzll
#define TREE_WORDS 1
#define WIDTH 8
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef TREE_WORDS
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _64_1_16)
#define MASK_T uint64_t
#define CTZ __builtin_ctzll
#define TREE_WORDS 1
#define WIDTH 16
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef TREE_WORDS
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _64_1_32)
#define MASK_T uint64_t
#define CTZ __builtin_ctzll
#define TREE_WORDS 1
#define WIDTH 32
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef TREE_WORDS
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _64_1_64)
#define MASK_T uint64_t
#define CTZ __builtin_ctzll
#define TREE_WORDS 1
#define WIDTH 64
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef TREE_WORDS
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _64_2_8)
#define MASK_T uint64_t
#define CTZ __builtin_ctzll
#define TREE_WORDS 2
#define WIDTH 8
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef TREE_WORDS
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _64_2_16)
#define MASK_T uint64_t
#define CTZ __builtin_ctzll
#define TREE_WORDS 2
#define WIDTH 16
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef TREE_WORDS
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _64_2_32)
#define MASK_T uint64_t
#define CTZ __builtin_ctzll
#define TREE_WORDS 2
#define WIDTH 32
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef TREE_WORDS
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _64_2_64)
#define MASK_T uint64_t
#define CTZ __builtin_ctzll
#define TREE_WORDS 2
#define WIDTH 64
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef TREE_WORDS
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _64_4_8)
#define MASK_T uint64_t
#define CTZ __builtin_ctzll
#define TREE_WORDS 4
#define WIDTH 8
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef TREE_WORDS
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _64_4_16)
#define MASK_T uint64_t
#define CTZ __builtin_ctzll
#define TREE_WORDS 4
#define WIDTH 16
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef TREE_WORDS
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _64_4_32)
#define MASK_T uint64_t
#define CTZ __builtin_ctzll
#define TREE_WORDS 4
#define WIDTH 32
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef TREE_WORDS
#undef WIDTH
#define SUFFIX CAT(ISA_NAME, _64_4_64)
#define MASK_T uint64_t
#define CTZ __builtin_ctzll
#define TREE_WORDS 4
#define WIDTH 64
#include "intervals_kernel.h"
#undef SUFFIX
#undef MASK_T
#undef CTZ
#undef TREE_WORDS
#undef WIDTH
