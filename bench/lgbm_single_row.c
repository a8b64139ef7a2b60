/* Single-row latency of LightGBM's C API fast path, in-process, for bench/latency.py.
 *
 *   lgbm_single_row MODEL.txt ROWS.f64 FEATURES ROUNDS SCORES_OUT.f64
 *
 * Loads MODEL.txt, prepares LGBM_BoosterPredictForMatSingleRowFastInit (raw score, float64 rows,
 * one thread), then calls LGBM_BoosterPredictForMatSingleRowFast once per row over the rows of
 * ROWS.f64 (raw little-endian float64, row-major) cycled: 2 warm-up passes, ROUNDS passes timed in
 * batches of 1,000 calls (median and min of µs per call), one pass timing each call (p50 and p99, less the
 * median cost of an empty clock pair). Writes each row's raw score to SCORES_OUT.f64 and prints one
 * JSON line. The wheel ships no header: the few prototypes are declared here from LightGBM's
 * documented C API (c_api.h, LightGBM 4.x).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef void *BoosterHandle;
typedef void *FastConfigHandle;
#define C_API_PREDICT_RAW_SCORE 1
#define C_API_DTYPE_FLOAT64 1

int LGBM_BoosterCreateFromModelfile(const char *filename, int *out_num_iterations, BoosterHandle *out);
int LGBM_BoosterPredictForMatSingleRowFastInit(BoosterHandle handle, const int predict_type, const int start_iteration,
                                               const int num_iteration, const int data_type, const int32_t ncol,
                                               const char *parameter, FastConfigHandle *out_fastConfig);
int LGBM_BoosterPredictForMatSingleRowFast(FastConfigHandle fastConfig_handle, const void *data, int64_t *out_len,
                                           double *out_result);
int LGBM_FastConfigFree(FastConfigHandle fastConfig);
int LGBM_BoosterFree(BoosterHandle handle);
const char *LGBM_GetLastError(void);

static uint64_t now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void check(int status, const char *what) {
    if (status != 0) {
        fprintf(stderr, "error: %s failed: %s\n", what, LGBM_GetLastError());
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s MODEL.txt ROWS.f64 FEATURES ROUNDS SCORES_OUT.f64\n", argv[0]);
        return 2;
    }
    int features = atoi(argv[3]), rounds = atoi(argv[4]);
    FILE *file = fopen(argv[2], "rb");
    if (!file || features <= 0) {
        fprintf(stderr, "error: cannot open %s (or bad FEATURES)\n", argv[2]);
        return 1;
    }
    fseek(file, 0, SEEK_END);
    long bytes = ftell(file);
    fseek(file, 0, SEEK_SET);
    long count = bytes / (long)sizeof(double);
    double *rows = malloc((size_t)bytes);
    if (fread(rows, 1, (size_t)bytes, file) != (size_t)bytes || count % features != 0) {
        fprintf(stderr, "error: %s is not a whole number of %d-value rows\n", argv[2], features);
        return 1;
    }
    fclose(file);
    long n = count / features;

    BoosterHandle booster;
    int iterations;
    check(LGBM_BoosterCreateFromModelfile(argv[1], &iterations, &booster), "LGBM_BoosterCreateFromModelfile");
    FastConfigHandle fast;
    check(LGBM_BoosterPredictForMatSingleRowFastInit(booster, C_API_PREDICT_RAW_SCORE, 0, -1, C_API_DTYPE_FLOAT64,
                                                     features, "num_threads=1", &fast),
          "LGBM_BoosterPredictForMatSingleRowFastInit");
    double out = 0, sink = 0;
    int64_t length = 0;
    for (int pass = 0; pass < 2; pass++)
        for (long r = 0; r < n; r++) {
            check(LGBM_BoosterPredictForMatSingleRowFast(fast, rows + r * features, &length, &out), "predict");
            sink += out;
        }
    long batches = (n + 999) / 1000 * rounds, b = 0;
    double *batch_us = malloc(sizeof(double) * (size_t)batches);
    for (int round = 0; round < rounds; round++)
        for (long start = 0; start < n; start += 1000) {
            long end = start + 1000 < n ? start + 1000 : n;
            uint64_t t0 = now_ns();
            for (long r = start; r < end; r++) {
                LGBM_BoosterPredictForMatSingleRowFast(fast, rows + r * features, &length, &out);
                sink += out;
            }
            batch_us[b++] = (double)(now_ns() - t0) / 1000.0 / (double)(end - start);
        }
    double *empty = malloc(sizeof(double) * 10000);
    for (int i = 0; i < 10000; i++) {
        uint64_t t0 = now_ns();
        empty[i] = (double)(now_ns() - t0);
    }
    qsort(empty, 10000, sizeof(double), by_value);
    double clock_ns = empty[5000];
    double *samples = malloc(sizeof(double) * (size_t)n), *scores = malloc(sizeof(double) * (size_t)n);
    for (long r = 0; r < n; r++) {
        uint64_t t0 = now_ns();
        LGBM_BoosterPredictForMatSingleRowFast(fast, rows + r * features, &length, &out);
        samples[r] = (double)(now_ns() - t0) - clock_ns;
        scores[r] = out;
    }
    qsort(batch_us, (size_t)batches, sizeof(double), by_value);
    qsort(samples, (size_t)n, sizeof(double), by_value);
    FILE *written = fopen(argv[5], "wb");
    if (!written || fwrite(scores, sizeof(double), (size_t)n, written) != (size_t)n || fclose(written) != 0) {
        fprintf(stderr, "error: cannot write %s\n", argv[5]);
        return 1;
    }
    printf("{\"rows\":%ld,\"trees\":%d,\"us_median\":%.6f,\"us_min\":%.6f,\"us_p50\":%.6f,\"us_p99\":%.6f,"
           "\"clock_ns\":%.1f,\"sink\":%.17g}\n",
           n, iterations, batch_us[batches / 2], batch_us[0], samples[n / 2] / 1000.0, samples[n * 99 / 100] / 1000.0,
           clock_ns, sink);
    LGBM_FastConfigFree(fast);
    LGBM_BoosterFree(booster);
    return 0;
}
