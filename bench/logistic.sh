#!/usr/bin/env bash
# Logistic regression (L2, C = 1) on adult's one-hot design matrix: Pareto vs
# scikit-learn's lbfgs and saga, fit time and coefficients, in one run.
# Usage (from the repo root): bash bench/logistic.sh [--repeat N] [--data FILE]
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
"$PY" bench/logistic.py --pareto "$BIN" "$@"
