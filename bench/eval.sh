#!/usr/bin/env bash
# Metric speed benchmark: Pareto's ROC AUC and log loss vs scikit-learn's on 10M rows, in one run.
# Usage (from the repo root):
#   bash bench/eval.sh [--rows N] [--rounds N] [--repeat N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
ensure_venv
if ! "$PY" -c 'import sklearn' 2>/dev/null; then
    echo "== installing scikit-learn into $VENV"
    "$PY" -m pip install --quiet scikit-learn
fi
build_release_product pareto-bench
"$PY" bench/eval.py --pareto "$BIN" "$@"
