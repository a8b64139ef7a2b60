#!/usr/bin/env bash
# Compression table (issue 9): for adult, california_housing and letter_recognition, a 100-tree
# GBDT and its trimmed(+refit), fp16-leaf, int8-leaf and distilled versions — model file bytes,
# single-row p50 latency and one-thread batch rows/s of the model alone, test metric — then an
# MLP (256x256) on adult in fp32, fp16 and int8 (int8 kernels). Pareto against its own original
# models: there is no peer library in this table.
# Usage (from the repo root): bash bench/compress.sh [--trees N] [--mlp-epochs N] [--max-loss X]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
DATA="${PARETO_DATASETS:-../shared/datasets}"
if [[ ! -f "$DATA/adult.csv" ]]; then
    echo "error: $DATA/adult.csv is missing; set PARETO_DATASETS to the folder of MANIFEST.md's files." >&2
    exit 1
fi
build_release_product pareto-bench
"$BIN" compress --data "$DATA" "$@"
