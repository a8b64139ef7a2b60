// Batch scoring of tree ensembles by threshold intervals (ParetoTrees'
// IntervalScorer): the data layout Swift builds and the C kernel reads.
#ifndef CPARETO_TREES_H
#define CPARETO_TREES_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// An ensemble of numeric splits laid out by threshold interval.
///
/// Every feature with splits (a "used" feature u) has its distinct split
/// thresholds sorted, padded with +inf to a multiple of 8; a row's value v
/// falls in global interval g = the number of thresholds below v (v > t),
/// or g = count + 1 when v is NaN. Trees are cut into blocks of
/// `block_trees`; for each (block, used feature) pair with splits in that
/// block, an entry maps the global interval to a local one (`bin_map`) and
/// holds one row of `block_trees` leaf masks per local interval: the AND of
/// the masks of the block's splits on that feature the interval fails (and,
/// for the NaN interval, of the splits that send missing values right). A
/// tree's exit leaf is the lowest bit set in the AND of its rows' masks.
typedef struct {
    int32_t feature_count;  ///< values per input row
    int32_t tree_count;
    int32_t output_count;   ///< tree t adds to output t % output_count
    int32_t mask_bits;      ///< 32 (trees of at most 32 leaves) or 64
    int32_t tree_words;     ///< mask words per tree: 1; with 64-bit masks also 2 or 4 (up to 128, 256 leaves)
    int32_t block_trees;    ///< trees per block: 64 to 512 bytes of masks in all
    int32_t block_count;
    int32_t used_count;
    const int32_t *used_feature;     ///< [used_count]: the feature's position in a row
    const int32_t *threshold_start;  ///< [used_count + 1]: into thresholds (padded blocks of 8)
    const int32_t *threshold_count;  ///< [used_count]: real (unpadded) count
    /// [used_count]: 0 for a numeric feature; for a categorical one (no
    /// thresholds), C: its interval is the category bin g = (int)v when
    /// 1 <= v < 65536 and g < C, else 0 (missing, unseen).
    const int32_t *category_count;
    const double *thresholds;
    const int32_t *block_entry_start;  ///< [block_count + 1]: into the entry arrays
    const int32_t *entry_used;         ///< [entries]: the used feature
    const int32_t *entry_bin_map;      ///< [entries]: start of its global -> local map in bin_map
    const int64_t *entry_table;        ///< [entries]: start of its mask rows (in masks)
    const uint16_t *bin_map;
    const void *masks;                 ///< uint32_t or uint64_t, per mask_bits
    const int32_t *leaf_start;         ///< [tree_count]: tree t's leaves, left to right
    const double *leaf_values;
} pareto_interval_model;

/// Adds the trees' leaf values of rows [0, row_count) to `out` (row-major,
/// `output_count` per row, holding the starting scores), tree by tree in
/// the model's order, so each sum equals a plain tree walk's bit for bit.
/// `rows` is row-major, `feature_count` values per row. Allocation-free
/// (a few KB of stack); `isa` as in CParetoKernels.h.
void pareto_interval_score(int isa, const pareto_interval_model *model, const double *rows,
                           ptrdiff_t row_count, double *out);

#ifdef __cplusplus
}
#endif

#endif
