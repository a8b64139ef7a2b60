#!/usr/bin/env bash
# pareto optimize vs LightGBM (default) and LightGBM + Optuna (same wall time) on the real
# data sets, same splits, one run. Usage (from the repo root):
#   bash bench/optimize.sh [--budget SECONDS] [--max-latency 200us] [--datasets a,b] [--threads N] [--seeds N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
ensure_venv
if ! "$PY" -c 'import lightgbm, optuna, sklearn' 2>/dev/null; then
    echo "== installing lightgbm optuna scikit-learn into $VENV"
    "$PY" -m pip install --quiet lightgbm optuna scikit-learn
fi
build_release_product pareto
"$PY" bench/optimize.py --pareto "$BIN" "$@"
