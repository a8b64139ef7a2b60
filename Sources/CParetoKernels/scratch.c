#include "scratch.h"

#include <pthread.h>
#include <stdlib.h>

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;
static _Thread_local float *scratch_base;
static _Thread_local size_t scratch_floats;

static void scratch_release(void *buffer) { free(buffer); }
static void scratch_make_key(void) { pthread_key_create(&scratch_key, scratch_release); }

float *pareto_gemm_scratch(size_t floats) {
    if (floats <= scratch_floats) return scratch_base;
    pthread_once(&scratch_once, scratch_make_key);
    free(scratch_base);
    // Whole 256 KiB steps: a few growths settle any sequence of shapes (the
    // GEMM needs at most MC*KC + KC*NC floats, 1.1 MiB on AVX-512).
    const size_t size = (floats + 65535) / 65536 * 65536;
    void *buffer = NULL;
    if (posix_memalign(&buffer, 64, size * sizeof(float)) != 0) abort();
    scratch_base = buffer;
    scratch_floats = size;
    pthread_setspecific(scratch_key, buffer);  // freed by scratch_release when the thread exits
    return scratch_base;
}
