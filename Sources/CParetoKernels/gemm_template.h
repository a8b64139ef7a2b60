// The blocked GEMM driver, included once per instruction-set level by gemm.c
// with these defined:
//   SUFFIX        name suffix of this level's functions
//   MR, NR        micro-tile rows and columns
//   KC, MC, NC    cache blocks: k depth, rows of packed A, columns of packed B
//   MICRO_KERNEL  the micro-kernel (see gemm.c for its contract)
//   PACK_B_ALWAYS 1 if the micro-kernel cannot read unpacked B
//   DOT_LANES     floats per vector in the dot-product path
//   ROW_KERNEL, ROW_NR  (optional) a 1 x ROW_NR micro-kernel for a C of one row
// and, around the include, `#pragma clang attribute push` giving every
// function here the level's target attribute, so the packing loops and the
// micro-kernel are compiled for it and inlined together.

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FN(name) CAT(name, SUFFIX)

// Transposes the 4 x 4 block at rows[0..3] + offset (4 floats each) into
// out[q * stride ..< q * stride + 4] for q in 0..<4: the packing loops' inner
// step, 4 loads, 8 shuffles and 4 stores for 16 floats (scalar copies of
// strided data measured 3% of a 512^3 product).
static inline void FN(transpose4_)(const float *const *rows, ptrdiff_t offset, float *out, ptrdiff_t stride) {
    typedef float v4 __attribute__((vector_size(16), aligned(4)));
    const v4 r0 = *(const v4 *)(rows[0] + offset), r1 = *(const v4 *)(rows[1] + offset);
    const v4 r2 = *(const v4 *)(rows[2] + offset), r3 = *(const v4 *)(rows[3] + offset);
    const v4 t0 = __builtin_shufflevector(r0, r1, 0, 4, 1, 5), t1 = __builtin_shufflevector(r0, r1, 2, 6, 3, 7);
    const v4 t2 = __builtin_shufflevector(r2, r3, 0, 4, 1, 5), t3 = __builtin_shufflevector(r2, r3, 2, 6, 3, 7);
    *(v4 *)(out) = __builtin_shufflevector(t0, t2, 0, 1, 4, 5);
    *(v4 *)(out + stride) = __builtin_shufflevector(t0, t2, 2, 3, 6, 7);
    *(v4 *)(out + 2 * stride) = __builtin_shufflevector(t1, t3, 0, 1, 4, 5);
    *(v4 *)(out + 3 * stride) = __builtin_shufflevector(t1, t3, 2, 3, 6, 7);
}

// Packs rows [0, mc) x depths [0, kc) of op(A) into panels of MR rows:
// panel r holds, for each depth p, rows r*MR ..< r*MR+MR (zeros past mc).
static void FN(pack_a_)(ptrdiff_t mc, ptrdiff_t kc, const float *a, ptrdiff_t a_row, ptrdiff_t a_col,
                        float *restrict out) {
    for (ptrdiff_t r = 0; r < mc; r += MR) {
        const ptrdiff_t rows = mc - r < MR ? mc - r : MR;
        const float *src = a + r * a_row;
        if (a_row == 1) {  // op(A) = A^T: the MR rows of a panel are contiguous at each depth
            for (ptrdiff_t p = 0; p < kc; p++) {
                const float *s = src + p * a_col;
                float *d = out + p * MR;
                if (rows == MR) {
                    for (int i = 0; i < MR; i++) d[i] = s[i];
                } else {
                    for (int i = 0; i < MR; i++) d[i] = i < rows ? s[i] : 0.0f;
                }
            }
        } else {  // each row's depths are a_col apart (1 when A is not transposed)
            // Depth-major with the rows innermost: contiguous writes, MR read
            // streams. (Vectorized, the row-major loop became scatters.)
            const float *s[MR];
            for (int i = 0; i < MR; i++) s[i] = src + (i < rows ? i : 0) * a_row;
            ptrdiff_t p = 0;
            if (a_col == 1 && rows == MR) {  // whole panel of A's rows: 4 x 4 transposes
                for (; p + 4 <= kc; p += 4) {
                    _Pragma("unroll") for (int g = 0; g + 4 <= MR; g += 4) FN(transpose4_)(s + g, p, out + p * MR + g, MR);
                    _Pragma("unroll") for (int i = MR / 4 * 4; i < MR; i++) {
                        _Pragma("unroll") for (int q = 0; q < 4; q++) out[(p + q) * MR + i] = s[i][p + q];
                    }
                }
            }
            for (; p < kc; p++) {
                float *d = out + p * MR;
                const ptrdiff_t offset = p * a_col;
                _Pragma("unroll") for (int i = 0; i < MR; i++) d[i] = i < rows ? s[i][offset] : 0.0f;
            }
        }
        out += MR * kc;
    }
}

// Packs depths [0, kc) x columns [0, nc) of op(B) into panels of NR columns:
// panel q holds, for each depth p, columns q*NR ..< q*NR+NR (zeros past nc).
static void FN(pack_b_)(ptrdiff_t kc, ptrdiff_t nc, const float *b, ptrdiff_t b_row, ptrdiff_t b_col,
                        float *restrict out) {
    for (ptrdiff_t q = 0; q < nc; q += NR) {
        const ptrdiff_t cols = nc - q < NR ? nc - q : NR;
        const float *src = b + q * b_col;
        if (b_col == 1) {  // rows of op(B) are contiguous
            for (ptrdiff_t p = 0; p < kc; p++) {
                const float *s = src + p * b_row;
                float *d = out + p * NR;
                if (cols == NR) {
                    for (int j = 0; j < NR; j++) d[j] = s[j];
                } else {
                    for (int j = 0; j < NR; j++) d[j] = j < cols ? s[j] : 0.0f;
                }
            }
        } else {  // op(B) = B^T (or strided): NR read streams, contiguous writes
            const float *s[NR];
            for (int j = 0; j < NR; j++) s[j] = src + (j < cols ? j : 0) * b_col;
            ptrdiff_t p = 0;
            if (b_row == 1 && cols == NR) {  // whole panel of B^T's rows: 4 x 4 transposes
                for (; p + 4 <= kc; p += 4) {
                    _Pragma("unroll") for (int g = 0; g < NR; g += 4) FN(transpose4_)(s + g, p, out + p * NR + g, NR);
                }
            }
            for (; p < kc; p++) {
                float *d = out + p * NR;
                const ptrdiff_t offset = p * b_row;
                _Pragma("unroll") for (int j = 0; j < NR; j++) d[j] = j < cols ? s[j][offset] : 0.0f;
            }
        }
        out += NR * kc;
    }
}

typedef float FN(dot_vector_) __attribute__((vector_size(DOT_LANES * 4), aligned(4)));

// The dot-product path (C has one row or one column and both operands run
// contiguously along k): out[t * out_step] for t in [0, count) from the dot
// product of x + t * x_step and y + t * y_step over k, then the epilogue.
// Summation order (fixed by k alone): four vector accumulators over whole
// groups of 4 * DOT_LANES, added pairwise, lanes in order, then the tail.
static void FN(dots_)(ptrdiff_t count, const float *x, ptrdiff_t x_step, const float *y, ptrdiff_t y_step,
                      ptrdiff_t k, float *out, ptrdiff_t out_step, const float *bias, ptrdiff_t bias_step,
                      float alpha, float beta, int relu) {
    typedef FN(dot_vector_) vec;
    const ptrdiff_t whole = k / (4 * DOT_LANES) * (4 * DOT_LANES);
    for (ptrdiff_t t = 0; t < count; t++) {
        const float *xs = x + t * x_step, *ys = y + t * y_step;
        vec acc0 = {0}, acc1 = {0}, acc2 = {0}, acc3 = {0};
        for (ptrdiff_t p = 0; p < whole; p += 4 * DOT_LANES) {
            acc0 += *(const vec *)(xs + p) * *(const vec *)(ys + p);
            acc1 += *(const vec *)(xs + p + DOT_LANES) * *(const vec *)(ys + p + DOT_LANES);
            acc2 += *(const vec *)(xs + p + 2 * DOT_LANES) * *(const vec *)(ys + p + 2 * DOT_LANES);
            acc3 += *(const vec *)(xs + p + 3 * DOT_LANES) * *(const vec *)(ys + p + 3 * DOT_LANES);
        }
        const vec s = (acc0 + acc1) + (acc2 + acc3);
        float sum = 0;
        for (int l = 0; l < DOT_LANES; l++) sum += s[l];
        for (ptrdiff_t p = whole; p < k; p++) sum += xs[p] * ys[p];
        float *o = out + t * out_step;
        float v = beta == 0 ? alpha * sum : alpha * sum + beta * *o;
        if (bias) v += bias[t * bias_step];
        if (relu) v = v < 0 ? 0.0f : v;
        *o = v;
    }
}

static void FN(sgemm_)(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t a_row, ptrdiff_t a_col,
                       const float *b, ptrdiff_t b_row, ptrdiff_t b_col, float *c, ptrdiff_t ldc, float alpha,
                       float beta, const float *bias, int relu) {
    // Depth blocks depend on k alone (never on m, n or threads): this fixes
    // each element's order of summation.
    const ptrdiff_t kblocks = (k + KC - 1) / KC;
    const ptrdiff_t kc_small = k / kblocks, kc_extra = k % kblocks;
    const ptrdiff_t kc_max = kc_small + (kc_extra ? 1 : 0);
    // B is read in place (rows of op(B) contiguous) when one row panel reads
    // it once, or when it fits in half of L2 (measured on 256 x 256: 3% faster
    // than packing; on 1024 x 1024, 4% slower).
    const int pack_b = PACK_B_ALWAYS || b_col != 1 || (m > MR && k * n > (1 << 17));
    const ptrdiff_t mc_max = ((m < MC ? m : MC) + MR - 1) / MR * MR;
    const ptrdiff_t nc_max = ((n < NC ? n : NC) + NR - 1) / NR * NR;
    float *pa = pareto_gemm_scratch((size_t)(mc_max * kc_max + (pack_b ? kc_max * nc_max : 0)));
    float *pb = pa + mc_max * kc_max;

    for (ptrdiff_t jc = 0; jc < n; jc += NC) {
        const ptrdiff_t nc = n - jc < NC ? n - jc : NC;
        ptrdiff_t pc = 0;
        for (ptrdiff_t kb = 0; kb < kblocks; kb++) {
            const ptrdiff_t kc = kc_small + (kb < kc_extra ? 1 : 0);
            const pareto_epilogue e = {alpha, beta, kb == 0, kb == kblocks - 1 ? bias : NULL,
                                       kb == kblocks - 1 && relu};
            const float *bp;
            ptrdiff_t bp_row, bp_panel;
            if (pack_b) {
                FN(pack_b_)(kc, nc, b + pc * b_row + jc * b_col, b_row, b_col, pb);
                bp = pb, bp_row = NR, bp_panel = NR * kc;
            } else {
                bp = b + pc * b_row + jc, bp_row = b_row, bp_panel = NR;
            }
#ifdef ROW_KERNEL
            if (m == 1 && !pack_b) {  // one row of C over B in place: wider tiles, more chains in flight
                FN(pack_a_)(1, kc, a + pc * a_col, a_row, a_col, pa);
                for (ptrdiff_t jr = 0; jr < nc; jr += ROW_NR) {
                    const int nr = nc - jr < ROW_NR ? (int)(nc - jr) : ROW_NR;
                    ROW_KERNEL(kc, pa, bp + jr, bp_row, c + jc + jr, ldc, 1, nr,
                               e.bias ? e.bias + jc + jr : NULL, &e);
                }
                pc += kc;
                continue;
            }
#endif
            for (ptrdiff_t ic = 0; ic < m; ic += MC) {
                const ptrdiff_t mc = m - ic < MC ? m - ic : MC;
                FN(pack_a_)(mc, kc, a + ic * a_row + pc * a_col, a_row, a_col, pa);
                float *cb = c + ic * ldc + jc;
                const float *biasb = e.bias ? e.bias + jc : NULL;
                for (ptrdiff_t ir = 0; ir < mc; ir += MR) {
                    const int mr = mc - ir < MR ? (int)(mc - ir) : MR;
                    for (ptrdiff_t jr = 0; jr < nc; jr += NR) {
                        const int nr = nc - jr < NR ? (int)(nc - jr) : NR;
                        const float *bq = bp + (jr / NR) * bp_panel;
                        MICRO_KERNEL(kc, pa + ir * kc, bq, bp_row, cb + ir * ldc + jr, ldc, mr, nr,
                                     biasb ? biasb + jr : NULL, &e);
                    }
                }
            }
            pc += kc;
        }
    }
}

#undef FN
#undef CAT
#undef CAT_
