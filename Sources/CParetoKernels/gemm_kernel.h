// One register-tiled micro-kernel: KR rows x KV vectors of C, included by
// gemm.c once per (level, shape) with these defined:
//   KNAME                      the function's name
//   KR, KV                     rows, and vectors per row (KV * V_LANES columns)
//   PANEL_MR                   rows per packed A panel (its stride per depth)
//   V_T, M_T, V_LANES          vector type, mask type, floats per vector
//   V_ZERO(), V_LOAD(p), V_LOADM(m, p), V_BCAST(p), V_FMA(x, y, acc), V_MASK(n)
//   V_FINISH(acc, cp, mask, whole, bias, e)   the epilogue and store
// Contract in gemm.c: each element of the tile is summed over p in order,
// from zero, one fused multiply-add per depth.

static inline __attribute__((always_inline)) void KNAME(ptrdiff_t kc, const float *restrict pa,
                                                        const float *restrict pb, ptrdiff_t b_row, float *c,
                                                        ptrdiff_t ldc, int mr, int nr, const float *bias,
                                                        const pareto_epilogue *e) {
    V_T acc[KR][KV];
    _Pragma("unroll") for (int i = 0; i < KR; i++) {
        _Pragma("unroll") for (int v = 0; v < KV; v++) acc[i][v] = V_ZERO();
    }
    if (nr >= KV * V_LANES) {
        for (ptrdiff_t p = 0; p < kc; p++) {
            V_T bv[KV];
            _Pragma("unroll") for (int v = 0; v < KV; v++) bv[v] = V_LOAD(pb + v * V_LANES);
            _Pragma("unroll") for (int i = 0; i < KR; i++) {
                const V_T x = V_BCAST(pa + i);
                _Pragma("unroll") for (int v = 0; v < KV; v++) acc[i][v] = V_FMA(x, bv[v], acc[i][v]);
            }
            pa += PANEL_MR;
            pb += b_row;
        }
    } else {  // right edge: read only the columns that exist (B may be unpacked)
        M_T mk[KV];
        _Pragma("unroll") for (int v = 0; v < KV; v++) mk[v] = V_MASK(nr - v * V_LANES);
        for (ptrdiff_t p = 0; p < kc; p++) {
            V_T bv[KV];
            _Pragma("unroll") for (int v = 0; v < KV; v++) bv[v] = V_LOADM(mk[v], pb + v * V_LANES);
            _Pragma("unroll") for (int i = 0; i < KR; i++) {
                const V_T x = V_BCAST(pa + i);
                _Pragma("unroll") for (int v = 0; v < KV; v++) acc[i][v] = V_FMA(x, bv[v], acc[i][v]);
            }
            pa += PANEL_MR;
            pb += b_row;
        }
    }
    M_T mk[KV];
    _Pragma("unroll") for (int v = 0; v < KV; v++) mk[v] = V_MASK(nr - v * V_LANES);
    _Pragma("unroll") for (int i = 0; i < KR; i++) {
        if (i < mr) {
            float *row = c + i * ldc;
            _Pragma("unroll") for (int v = 0; v < KV; v++) {
                if (nr > v * V_LANES)
                    V_FINISH(acc[i][v], row + v * V_LANES, mk[v], nr >= (v + 1) * V_LANES,
                             bias ? bias + v * V_LANES : NULL, e);
            }
        }
    }
}
