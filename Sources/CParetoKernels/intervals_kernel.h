// The interval scorer's body, included by intervals.c once per (instruction
// set, mask type, words per tree, block width) with SUFFIX, MASK_T, CTZ,
// COUNT_BELOW, TREE_WORDS (MASK_T words per tree: 1, or 2 and 4 for trees of
// up to 128 and 256 leaves) and WIDTH (MASK_T words per block row, a
// compile-time constant so that a row's block of masks lives in vector
// registers while its features' rows are ANDed in).
#define BLOCK_TREES (WIDTH / TREE_WORDS)

// The exit leaf of a tree whose mask words start at `m`: the lowest bit set.
static inline __attribute__((always_inline)) int CAT(exit_leaf_, SUFFIX)(const MASK_T *m) {
    for (int w = 0; w < TREE_WORDS - 1; ++w)
        if (m[w]) return w * (int)(8 * sizeof(MASK_T)) + CTZ(m[w]);
    return (TREE_WORDS - 1) * (int)(8 * sizeof(MASK_T)) + CTZ(m[TREE_WORDS - 1]);
}

// Leaf masks of `n` rows for one block: acc[r * WIDTH + i].
static inline __attribute__((always_inline)) void CAT(block_masks_, SUFFIX)(
    const pareto_interval_model *m, const uint16_t *bins, int n, int e0, int e1, MASK_T *acc) {
    const MASK_T *masks = (const MASK_T *)m->masks;
    const int used = m->used_count;
    for (int r = 0; r < n; ++r) {
        MASK_T a[WIDTH];
        for (int i = 0; i < WIDTH; ++i) a[i] = (MASK_T)~(MASK_T)0;
        const uint16_t *b = bins + r * used;
        for (int e = e0; e < e1; ++e) {
            const int local = m->bin_map[m->entry_bin_map[e] + b[m->entry_used[e]]];
            const MASK_T *row = masks + m->entry_table[e] + (ptrdiff_t)local * WIDTH;
            for (int i = 0; i < WIDTH; ++i) a[i] &= row[i];
        }
        for (int i = 0; i < WIDTH; ++i) acc[r * WIDTH + i] = a[i];
    }
}

// Adds one block's leaves to `n` one-output rows, tree by tree.
static inline __attribute__((always_inline)) void CAT(block_sums_, SUFFIX)(
    const pareto_interval_model *m, const MASK_T *acc, int n, int tree0, int trees, double *out) {
    double sum[INTERVAL_ROWS];
    for (int r = 0; r < n; ++r) sum[r] = out[r];
    for (int i = 0; i < trees; ++i) {
        const double *leaves = m->leaf_values + m->leaf_start[tree0 + i];
        for (int r = 0; r < n; ++r) sum[r] += leaves[CAT(exit_leaf_, SUFFIX)(acc + r * WIDTH + i * TREE_WORDS)];
    }
    for (int r = 0; r < n; ++r) out[r] = sum[r];
}

static void CAT(score_, SUFFIX)(const pareto_interval_model *m, const double *rows, ptrdiff_t row_count,
                                double *out) {
    const int used = m->used_count, k = m->output_count;
    // Rows go in chunks that score every block before the next chunk: a
    // block's mask rows stay in cache while the chunk's rows pass over them.
    const int chunk = used <= INTERVAL_BIN_CELLS / INTERVAL_CHUNK ? INTERVAL_CHUNK : INTERVAL_ROWS;
    uint16_t bins[INTERVAL_BIN_CELLS];
    MASK_T acc[INTERVAL_ROWS * WIDTH];
    for (ptrdiff_t start = 0; start < row_count; start += chunk) {
        const int rows_here = row_count - start < chunk ? (int)(row_count - start) : chunk;
        // 1. Each value's global interval: a count of thresholds below it,
        //    a fixed amount of vector work (no data-dependent branch).
        for (int r = 0; r < rows_here; ++r) {
            const double *x = rows + (start + r) * m->feature_count;
            uint16_t *b = bins + r * used;
            for (int u = 0; u < used; ++u) {
                const double v = x[m->used_feature[u]];
                const int categories = m->category_count[u];
                if (categories) {  // the same features every row: a predictable branch
                    const int g = v >= 1 && v < 65536 ? (int)v : 0;  // NaN fails both compares
                    b[u] = (uint16_t)(g < categories ? g : 0);
                    continue;
                }
                const int begin = m->threshold_start[u];
                const int below = COUNT_BELOW(v, m->thresholds + begin, m->threshold_start[u + 1] - begin);
                b[u] = (uint16_t)(v != v ? m->threshold_count[u] + 1 : below);
            }
        }
        for (int block = 0; block < m->block_count; ++block) {
            const int tree0 = block * BLOCK_TREES;
            const int trees = m->tree_count - tree0 < BLOCK_TREES ? m->tree_count - tree0 : BLOCK_TREES;
            const int e0 = m->block_entry_start[block], e1 = m->block_entry_start[block + 1];
            for (int group = 0; group < rows_here; group += INTERVAL_ROWS) {
                const int n = rows_here - group < INTERVAL_ROWS ? rows_here - group : INTERVAL_ROWS;
                const uint16_t *b = bins + group * used;
                const ptrdiff_t first = start + group;
                // 2. Each tree's leaf mask: the AND of one precomputed row per feature.
                // 3. Leaf values in tree order; the rows are independent sums.
                if (n == INTERVAL_ROWS) {  // a constant row count keeps the sums in registers
                    CAT(block_masks_, SUFFIX)(m, b, INTERVAL_ROWS, e0, e1, acc);
                    if (k == 1) {
                        CAT(block_sums_, SUFFIX)(m, acc, INTERVAL_ROWS, tree0, trees, out + first);
                        continue;
                    }
                } else {
                    CAT(block_masks_, SUFFIX)(m, b, n, e0, e1, acc);
                    if (k == 1) {
                        CAT(block_sums_, SUFFIX)(m, acc, n, tree0, trees, out + first);
                        continue;
                    }
                }
                for (int i = 0; i < trees; ++i) {
                    const int t = tree0 + i;
                    const double *leaves = m->leaf_values + m->leaf_start[t];
                    const int o = t % k;
                    for (int r = 0; r < n; ++r)
                        out[(first + r) * k + o] += leaves[CAT(exit_leaf_, SUFFIX)(acc + r * WIDTH + i * TREE_WORDS)];
                }
            }
        }
    }
}

#undef BLOCK_TREES
