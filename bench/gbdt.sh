#!/usr/bin/env bash
# GBDT benchmark: Pareto vs LightGBM, XGBoost and scikit-learn on make_classification /
# make_regression data, in one run. Usage (from the repo root):
#   bash bench/gbdt.sh [--rows N] [--task binary|regression] [--rounds N] [--threads N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
ensure_venv
if ! "$PY" -c 'import lightgbm, xgboost, sklearn' 2>/dev/null; then
    echo "== installing lightgbm xgboost scikit-learn into $VENV"
    "$PY" -m pip install --quiet lightgbm xgboost scikit-learn
fi
build_release_product pareto-bench
"$PY" bench/gbdt.py --pareto "$BIN" "$@"
