#!/usr/bin/env bash
# Study-storage overhead: Pareto's SQLiteStorage vs Optuna's RDB storage on SQLite,
# 1,000 trivial trials each, in one run (see bench/tune_storage.py).
# Usage (from the repo root):
#   bash bench/tune_storage.sh [--trials N] [--rounds N]
#   bash bench/tune_storage.sh --adult [--adult-trials N] [--adult-modes both|fold|round]
#       (GBDT on adult: pareto tune vs Optuna + LightGBM, pruning after each fold and/or every 10 rounds)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
ensure_venv
if ! "$PY" -c 'import optuna' 2>/dev/null; then
    echo "== installing optuna into $VENV"
    "$PY" -m pip install --quiet optuna
fi
if [[ "${1:-}" == "--adult" ]]; then
    shift
    if ! "$PY" -c 'import lightgbm, sklearn' 2>/dev/null; then
        echo "== installing lightgbm scikit-learn into $VENV"
        "$PY" -m pip install --quiet lightgbm scikit-learn
    fi
    data=${PARETO_ADULT_CSV:-/work/shared/datasets/adult.csv}
    build_release_product pareto
    "$PY" bench/tune_storage.py --pareto-cli "$BIN" --adult "$data" "$@"
    exit
fi
build_release_product pareto-bench
"$PY" bench/tune_storage.py --pareto "$BIN" "$@"
