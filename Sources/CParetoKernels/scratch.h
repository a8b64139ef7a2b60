// Per-thread packing buffers for the GEMM (internal to CParetoKernels).
#ifndef CPARETO_SCRATCH_H
#define CPARETO_SCRATCH_H
#include <stddef.h>

/// A 64-byte-aligned buffer of at least `floats` floats owned by the calling
/// thread: grown when too small (to the largest need seen), reused otherwise,
/// freed at thread exit. Valid until this thread's next call.
float *pareto_gemm_scratch(size_t floats);

#endif
