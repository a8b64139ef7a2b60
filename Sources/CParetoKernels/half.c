// Float32 <-> Float16 and bfloat16 buffer conversions. F16C's vcvtps2ph and
// vcvtph2ps on x86-64 when present; arm64 converts in hardware at baseline;
// otherwise exact integer code with the same results, bit for bit.
#include "CParetoKernels.h"

#if !defined(__aarch64__)  // arm64 converts in hardware at baseline
static inline uint32_t float_bits(float f) {
    uint32_t x;
    __builtin_memcpy(&x, &f, sizeof x);
    return x;
}

static inline float bits_float(uint32_t x) {
    float f;
    __builtin_memcpy(&f, &x, sizeof f);
    return f;
}

// Round to nearest even; overflow to infinity; NaN quiet with its sign and
// top payload bits (as vcvtps2ph and AArch64 FCVT).
static inline uint16_t f32_to_f16_soft(float value) {
    const uint32_t x = float_bits(value);
    const uint32_t sign = (x >> 16) & 0x8000u;
    const uint32_t ax = x & 0x7FFFFFFFu;
    if (ax > 0x7F800000u) return (uint16_t)(sign | 0x7E00u | ((ax >> 13) & 0x3FFu));
    if (ax >= 0x477FF000u) return (uint16_t)(sign | 0x7C00u);  // 65520 and up (and infinity)
    if (ax >= 0x38800000u) {                                    // a normal half: 2^-14 and up
        uint32_t v = ax - (112u << 23);                          // rebias the exponent (127 -> 15)
        v += 0x0FFFu + ((v >> 13) & 1u);                         // ties to even; a carry bumps the exponent
        return (uint16_t)(sign | (v >> 13));
    }
    if (ax <= 0x33000000u) return (uint16_t)sign;  // up to 2^-25 (a tie, to the even zero)
    // A subnormal half: round m * 2^(e - 150) to a multiple of 2^-24.
    const uint32_t e = ax >> 23, m = (ax & 0x7FFFFFu) | 0x800000u;
    const uint32_t shift = 126 - e;  // 14 ... 24
    uint32_t q = m >> shift;
    const uint32_t rest = m & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rest > half || (rest == half && (q & 1u))) q += 1;
    return (uint16_t)(sign | q);  // q == 0x400 is the smallest normal, correctly
}

// Exact; NaN keeps its payload with the quiet bit set (as vcvtph2ps).
static inline float f16_to_f32_soft(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t e = (h >> 10) & 0x1Fu, m = h & 0x3FFu;
    if (e == 0x1F) return bits_float(sign | 0x7F800000u | (m << 13) | (m ? 0x400000u : 0));
    if (e == 0) {
        const float magnitude = (float)m * 0x1p-24f;  // exact: m < 2^10
        return bits_float(sign | float_bits(magnitude));
    }
    return bits_float(sign | ((e + 112) << 23) | (m << 13));
}
#endif

// bfloat16: the upper half of a float, rounded to nearest even (subnormals
// kept, as HalfPrecision.bfloat16Bits); NaN made quiet.
static inline uint16_t f32_to_bf16_one(uint32_t x) {
    const uint32_t rounded = (x + 0x7FFFu + ((x >> 16) & 1u)) >> 16;
    const uint32_t nan = (x >> 16) | 0x40u;
    return (uint16_t)((x & 0x7FFFFFFFu) > 0x7F800000u ? nan : rounded);
}

// Plain loops the compiler vectorizes, compiled once per level below.
#define BFLOAT16_LOOPS(suffix)                                                                           \
    static void f32_to_bf16_##suffix(const float *source, uint16_t *destination, size_t count) {         \
        const uint32_t *bits = (const uint32_t *)(const void *)source;                                    \
        for (size_t i = 0; i < count; i++) destination[i] = f32_to_bf16_one(bits[i]);                     \
    }                                                                                                     \
    static void bf16_to_f32_##suffix(const uint16_t *source, float *destination, size_t count) {         \
        uint32_t *bits = (uint32_t *)(void *)destination;                                                 \
        for (size_t i = 0; i < count; i++) bits[i] = (uint32_t)source[i] << 16;                           \
    }

BFLOAT16_LOOPS(portable)

static void f32_to_f16_portable(const float *source, uint16_t *destination, size_t count) {
#if defined(__aarch64__)
    for (size_t i = 0; i < count; i++) {
        const _Float16 h = (_Float16)source[i];
        __builtin_memcpy(destination + i, &h, sizeof h);
    }
#else
    for (size_t i = 0; i < count; i++) destination[i] = f32_to_f16_soft(source[i]);
#endif
}

static void f16_to_f32_portable(const uint16_t *source, float *destination, size_t count) {
#if defined(__aarch64__)
    for (size_t i = 0; i < count; i++) {
        _Float16 h;
        __builtin_memcpy(&h, source + i, sizeof h);
        destination[i] = (float)h;
    }
#else
    for (size_t i = 0; i < count; i++) destination[i] = f16_to_f32_soft(source[i]);
#endif
}

#if defined(__x86_64__)
#include <immintrin.h>

#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
BFLOAT16_LOOPS(avx2)

static void f32_to_f16_avx2(const float *source, uint16_t *destination, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        const __m128i h = _mm256_cvtps_ph(_mm256_loadu_ps(source + i), _MM_FROUND_TO_NEAREST_INT);
        _mm_storeu_si128((__m128i *)(void *)(destination + i), h);
    }
    for (; i < count; i++) {
        const __m128i h = _mm_cvtps_ph(_mm_set_ss(source[i]), _MM_FROUND_TO_NEAREST_INT);
        destination[i] = (uint16_t)_mm_extract_epi16(h, 0);
    }
}

static void f16_to_f32_avx2(const uint16_t *source, float *destination, size_t count) {
    size_t i = 0;
    for (; i + 8 <= count; i += 8) {
        const __m128i h = _mm_loadu_si128((const __m128i *)(const void *)(source + i));
        _mm256_storeu_ps(destination + i, _mm256_cvtph_ps(h));
    }
    for (; i < count; i++) {
        destination[i] = _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(source[i])));
    }
}
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx512f,avx2,fma,f16c"))), apply_to = function)
BFLOAT16_LOOPS(avx512)

static void f32_to_f16_avx512(const float *source, uint16_t *destination, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        const __m256i h = _mm512_cvtps_ph(_mm512_loadu_ps(source + i), _MM_FROUND_TO_NEAREST_INT);
        _mm256_storeu_si256((__m256i *)(void *)(destination + i), h);
    }
    f32_to_f16_avx2(source + i, destination + i, count - i);
}

static void f16_to_f32_avx512(const uint16_t *source, float *destination, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        const __m256i h = _mm256_loadu_si256((const __m256i *)(const void *)(source + i));
        _mm512_storeu_ps(destination + i, _mm512_cvtph_ps(h));
    }
    f16_to_f32_avx2(source + i, destination + i, count - i);
}
#pragma clang attribute pop
#endif

static int supported(int isa) {
    const int best = pareto_isa_detected();
    return isa > best ? best : isa;
}

void pareto_f32_to_f16(int isa, const float *source, uint16_t *destination, size_t count) {
    switch (supported(isa)) {
#if defined(__x86_64__)
    case PARETO_ISA_AVX512: f32_to_f16_avx512(source, destination, count); return;
    case PARETO_ISA_AVX2: f32_to_f16_avx2(source, destination, count); return;
#endif
    default: f32_to_f16_portable(source, destination, count); return;
    }
}

void pareto_f16_to_f32(int isa, const uint16_t *source, float *destination, size_t count) {
    switch (supported(isa)) {
#if defined(__x86_64__)
    case PARETO_ISA_AVX512: f16_to_f32_avx512(source, destination, count); return;
    case PARETO_ISA_AVX2: f16_to_f32_avx2(source, destination, count); return;
#endif
    default: f16_to_f32_portable(source, destination, count); return;
    }
}

void pareto_f32_to_bf16(int isa, const float *source, uint16_t *destination, size_t count) {
    switch (supported(isa)) {
#if defined(__x86_64__)
    case PARETO_ISA_AVX512: f32_to_bf16_avx512(source, destination, count); return;
    case PARETO_ISA_AVX2: f32_to_bf16_avx2(source, destination, count); return;
#endif
    default: f32_to_bf16_portable(source, destination, count); return;
    }
}

void pareto_bf16_to_f32(int isa, const uint16_t *source, float *destination, size_t count) {
    switch (supported(isa)) {
#if defined(__x86_64__)
    case PARETO_ISA_AVX512: bf16_to_f32_avx512(source, destination, count); return;
    case PARETO_ISA_AVX2: bf16_to_f32_avx2(source, destination, count); return;
#endif
    default: bf16_to_f32_portable(source, destination, count); return;
    }
}
