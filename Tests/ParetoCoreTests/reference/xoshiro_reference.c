/*
 * Reference values for Tests/ParetoCoreTests/RandomTests.swift.
 *
 * xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number
 * generators", 2018/2021) and SplitMix64 (Steele, Lea & Flood, 2014),
 * written from the published algorithm descriptions.
 *
 * The jump is computed two independent ways and the program exits with status 1 if they
 * disagree:
 *   1. with the published jump polynomial (four 64-bit words), and
 *   2. by building the 256x256 GF(2) transition matrix T of the state
 *      update and squaring it 128 times to get T^(2^128), then applying it.
 * Route 2 needs no constants, so it checks the polynomial too.
 *
 * It also prints reference values for the helpers Pareto documents on top of
 * the generator: Lemire's unbiased bounded integers, 53-bit doubles in [0, 1),
 * Fisher-Yates shuffles from the back, and split() (a child seeded through
 * SplitMix64 from two parent outputs a, b as a ^ rotl(b, 32)).
 *
 * Build and run (from Tests/ParetoCoreTests):
 *   gcc -O2 -std=c11 -Wall reference/xoshiro_reference.c && ./a.out
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct { uint64_t s[4]; } state256;

static uint64_t splitmix64_next(uint64_t *x) {
    uint64_t z = (*x += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static state256 seeded(uint64_t seed) {
    state256 st;
    uint64_t x = seed;
    for (int i = 0; i < 4; i++) st.s[i] = splitmix64_next(&x);
    return st;
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* The linear state transition alone (no output scrambler). */
static void advance(state256 *st) {
    uint64_t *s = st->s;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
}

static uint64_t next(state256 *st) {
    const uint64_t result = rotl(st->s[1] * 5, 7) * 9;
    advance(st);
    return result;
}

/* Route 1: the published jump polynomial for 2^128 steps. */
static void jump_polynomial(state256 *st) {
    static const uint64_t JUMP[4] = {
        UINT64_C(0x180ec6d33cfd0aba), UINT64_C(0xd5a61266f0c9392c),
        UINT64_C(0xa9582618e03fc9aa), UINT64_C(0x39abdc4529b1661c)};
    uint64_t acc[4] = {0, 0, 0, 0};
    for (int w = 0; w < 4; w++)
        for (int b = 0; b < 64; b++) {
            if (JUMP[w] & (UINT64_C(1) << b))
                for (int i = 0; i < 4; i++) acc[i] ^= st->s[i];
            advance(st);
        }
    memcpy(st->s, acc, sizeof acc);
}

/* Route 2: matrix power. A matrix is 256 columns, column j = image of unit vector j. */
typedef struct { state256 col[256]; } matrix256;

static state256 apply(const matrix256 *m, const state256 *v) {
    state256 r = {{0, 0, 0, 0}};
    for (int j = 0; j < 256; j++)
        if (v->s[j / 64] & (UINT64_C(1) << (j % 64)))
            for (int i = 0; i < 4; i++) r.s[i] ^= m->col[j].s[i];
    return r;
}

static void jump_matrix(state256 *st) {
    static matrix256 m, sq;
    for (int j = 0; j < 256; j++) {
        state256 e = {{0, 0, 0, 0}};
        e.s[j / 64] = UINT64_C(1) << (j % 64);
        advance(&e);
        m.col[j] = e;
    }
    for (int k = 0; k < 128; k++) { /* m <- m*m, so after k squarings m = T^(2^k) */
        for (int j = 0; j < 256; j++) sq.col[j] = apply(&m, &m.col[j]);
        m = sq;
    }
    *st = apply(&m, st);
}

/* Lemire's multiply-and-reject: uniform in [0, bound) without modulo bias. */
static uint64_t uniform_below(state256 *st, uint64_t bound) {
    unsigned __int128 m = (unsigned __int128)next(st) * bound;
    if ((uint64_t)m < bound) {
        const uint64_t threshold = (0 - bound) % bound;
        while ((uint64_t)m < threshold) m = (unsigned __int128)next(st) * bound;
    }
    return (uint64_t)(m >> 64);
}

static double uniform_double(state256 *st) { return (double)(next(st) >> 11) * 0x1.0p-53; }

/* Fisher-Yates from the back: for r = n..2, swap a[r-1] with a[uniform_below(r)]. */
static void permutation(state256 *st, int *a, int n) {
    for (int i = 0; i < n; i++) a[i] = i;
    for (int r = n; r > 1; r--) {
        const int j = (int)uniform_below(st, (uint64_t)r);
        const int t = a[r - 1]; a[r - 1] = a[j]; a[j] = t;
    }
}

/* Pareto's split(): two outputs a, b of the parent; the child's state is four
 * SplitMix64 outputs from a ^ rotl(b, 32). */
static state256 split(state256 *parent) {
    const uint64_t a = next(parent), b = next(parent);
    return seeded(a ^ rotl(b, 32));
}

static void print_outputs(const char *label, state256 st, int count) {
    printf("%s\n", label);
    for (int i = 0; i < count; i++) printf("  0x%016" PRIx64 "\n", next(&st));
}

int main(void) {
    uint64_t x = 0;
    printf("splitmix64 seed 0, first 4 outputs (= xoshiro state words for seed 0)\n");
    for (int i = 0; i < 4; i++) printf("  0x%016" PRIx64 "\n", splitmix64_next(&x));

    print_outputs("xoshiro256** seed 0, first 8 outputs", seeded(0), 8);
    print_outputs("xoshiro256** seed 42, first 8 outputs", seeded(42), 8);

    state256 a = seeded(42), b = seeded(42);
    jump_polynomial(&a);
    jump_matrix(&b);
    if (memcmp(&a, &b, sizeof a) != 0) {
        fprintf(stderr, "jump polynomial and matrix power disagree\n");
        return 1;
    }
    printf("xoshiro256** seed 42 after jump(): state words (polynomial == matrix power)\n");
    for (int i = 0; i < 4; i++) printf("  0x%016" PRIx64 "\n", a.s[i]);
    print_outputs("xoshiro256** seed 42 after jump(), first 8 outputs", a, 8);

    state256 u = seeded(42);
    printf("seed 42: uniform_below(6) x 12\n ");
    for (int i = 0; i < 12; i++) printf(" %" PRIu64, uniform_below(&u, 6));
    printf("\n");
    /* Bound (2^64 + 2) / 3 (fits in a Swift Int) rejects about a third of all
     * draws, exercising the rejection loop; the count of raw outputs consumed
     * shows how many were rejected. */
    u = seeded(7);
    printf("seed 7: uniform_below(0x5555555555555556) x 8, then raw outputs consumed\n");
    for (int i = 0; i < 8; i++) printf("  %" PRIu64 "\n", uniform_below(&u, UINT64_C(0x5555555555555556)));
    {
        state256 probe = seeded(7);
        int consumed = 0;
        while (memcmp(&probe, &u, sizeof u) != 0 && consumed < 1000) { next(&probe); consumed++; }
        printf("  consumed %d\n", consumed);
    }
    u = seeded(42);
    printf("seed 42: uniform_double x 3\n");
    for (int i = 0; i < 3; i++) printf("  %.17g\n", uniform_double(&u));
    int perm[10];
    u = seeded(42);
    permutation(&u, perm, 10);
    printf("seed 42: permutation(10)\n ");
    for (int i = 0; i < 10; i++) printf(" %d", perm[i]);
    printf("\n");

    state256 parent = seeded(42);
    state256 c1 = split(&parent), c2 = split(&parent);
    printf("seed 42: split() twice; first output of child 1, child 2, then the parent\n");
    printf("  0x%016" PRIx64 "\n  0x%016" PRIx64 "\n  0x%016" PRIx64 "\n", next(&c1), next(&c2), next(&parent));
    return 0;
}
