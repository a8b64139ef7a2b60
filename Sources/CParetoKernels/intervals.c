// Tree ensembles scored by threshold intervals (see CParetoTrees.h). Per row:
// each used feature's interval by counting thresholds below the value (vector
// compares), then per block of trees one AND of precomputed leaf-mask rows per
// feature, then the exit leaves' values summed in tree order.
#include "CParetoKernels.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

#define INTERVAL_ROWS 8        // rows scored together: eight independent sums
#define INTERVAL_CHUNK 64      // rows per chunk when the features allow (see the kernel)
#define INTERVAL_BIN_CELLS 16384  // a chunk's intervals: 64 rows x 256 features, or 8 x 2048
// Block widths: 64 to 512 bytes of masks (see pareto_interval_score).

static inline int count_below_portable(double v, const double *t, int padded) {
    int c = 0;
    for (int j = 0; j < padded; ++j) c += v > t[j];
    return c;
}

#define ISA_NAME portable
#define COUNT_BELOW count_below_portable
#include "intervals_widths.h"
#undef ISA_NAME
#undef COUNT_BELOW

#if defined(__x86_64__)
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx2,fma,bmi,popcnt"))), apply_to = function)
static inline int count_below_avx2(double v, const double *t, int padded) {
    const __m256d x = _mm256_set1_pd(v);
    int c = 0;
    for (int j = 0; j < padded; j += 4)
        c += __builtin_popcount((unsigned)_mm256_movemask_pd(_mm256_cmp_pd(x, _mm256_loadu_pd(t + j), _CMP_GT_OQ)));
    return c;
}
#define ISA_NAME avx2
#define COUNT_BELOW count_below_avx2
#include "intervals_widths.h"
#undef ISA_NAME
#undef COUNT_BELOW
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512dq,avx2,fma,bmi,popcnt"))), apply_to = function)
static inline int count_below_avx512(double v, const double *t, int padded) {
    const __m512d x = _mm512_set1_pd(v);
    int c = 0;
    for (int j = 0; j < padded; j += 8)
        c += __builtin_popcount((unsigned)_mm512_cmp_pd_mask(x, _mm512_loadu_pd(t + j), _CMP_GT_OQ));
    return c;
}
#define ISA_NAME avx512
#define COUNT_BELOW count_below_avx512
#include "intervals_widths.h"
#undef ISA_NAME
#undef COUNT_BELOW
#pragma clang attribute pop
#endif

// Calls ISA's kernel for the model's mask type, words per tree and trees per block.
#define DISPATCH(isa)                                                                            \
    switch (key) {                                                                               \
    case 321016: score_##isa##_32_1_16(model, rows, row_count, out); return; \
    case 321032: score_##isa##_32_1_32(model, rows, row_count, out); return; \
    case 321064: score_##isa##_32_1_64(model, rows, row_count, out); return; \
    case 321128: score_##isa##_32_1_128(model, rows, row_count, out); return; \
    case 641008: score_##isa##_64_1_8(model, rows, row_count, out); return; \
    case 641016: score_##isa##_64_1_16(model, rows, row_count, out); return; \
    case 641032: score_##isa##_64_1_32(model, rows, row_count, out); return; \
    case 641064: score_##isa##_64_1_64(model, rows, row_count, out); return; \
    case 642004: score_##isa##_64_2_8(model, rows, row_count, out); return; \
    case 642008: score_##isa##_64_2_16(model, rows, row_count, out); return; \
    case 642016: score_##isa##_64_2_32(model, rows, row_count, out); return; \
    case 642032: score_##isa##_64_2_64(model, rows, row_count, out); return; \
    case 644002: score_##isa##_64_4_8(model, rows, row_count, out); return; \
    case 644004: score_##isa##_64_4_16(model, rows, row_count, out); return; \
    case 644008: score_##isa##_64_4_32(model, rows, row_count, out); return; \
    case 644016: score_##isa##_64_4_64(model, rows, row_count, out); return; \
    }

void pareto_interval_score(int isa, const pareto_interval_model *model, const double *rows,
                           ptrdiff_t row_count, double *out) {
    // Blocks of 64, 128, 256 or 512 bytes of masks (one to eight 512-bit
    // vectors); the Swift side builds only those.
    const int key = model->mask_bits * 10000 + model->tree_words * 1000 + model->block_trees;
    const int level = isa < pareto_isa_detected() ? isa : pareto_isa_detected();
#if defined(__x86_64__)
    if (level >= PARETO_ISA_AVX512) {
        DISPATCH(avx512)
    }
    if (level >= PARETO_ISA_AVX2) {
        DISPATCH(avx2)
    }
#else
    (void)level;
#endif
    DISPATCH(portable)
}
