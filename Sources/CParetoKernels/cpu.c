// Which instruction-set level the running CPU supports, detected once.
#include "CParetoKernels.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>

static unsigned long long read_xcr0(void) {
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

static int detect_hardware(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return PARETO_ISA_PORTABLE;
    const int fma = (ecx >> 12) & 1, osxsave = (ecx >> 27) & 1, avx = (ecx >> 28) & 1, f16c = (ecx >> 29) & 1;
    if (!(fma && osxsave && avx && f16c)) return PARETO_ISA_PORTABLE;
    // The operating system must save the vector registers it would have us use.
    const unsigned long long xcr0 = read_xcr0();
    if ((xcr0 & 0x6) != 0x6) return PARETO_ISA_PORTABLE;  // SSE and AVX state
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return PARETO_ISA_PORTABLE;
    const int avx2 = (ebx >> 5) & 1, avx512f = (ebx >> 16) & 1;
    if (!avx2) return PARETO_ISA_PORTABLE;
    if (avx512f && (xcr0 & 0xE0) == 0xE0) return PARETO_ISA_AVX512;  // opmask and ZMM state
    return PARETO_ISA_AVX2;
}
#else
static int detect_hardware(void) { return PARETO_ISA_PORTABLE; }
#endif

// -1 until detected; a race only computes the same value twice.
static int detected = -1;

int pareto_isa_detected(void) {
    int level = __atomic_load_n(&detected, __ATOMIC_RELAXED);
    if (level >= 0) return level;
    level = detect_hardware();
    // PARETO_ISA caps the level (for benchmarks, or a machine whose CPU reports
    // more than it runs); it can never raise it.
    const char *cap = getenv("PARETO_ISA");
    if (cap) {
        int wanted = level;
        if (strcmp(cap, "portable") == 0) wanted = PARETO_ISA_PORTABLE;
        else if (strcmp(cap, "avx2") == 0) wanted = PARETO_ISA_AVX2;
        else if (strcmp(cap, "avx512") == 0) wanted = PARETO_ISA_AVX512;
        if (wanted < level) level = wanted;
    }
    __atomic_store_n(&detected, level, __ATOMIC_RELAXED);
    return level;
}

const char *pareto_isa_name(int isa) {
    switch (isa) {
    case PARETO_ISA_AVX2: return "avx2";
    case PARETO_ISA_AVX512: return "avx512";
    default: return "portable";
    }
}
