#!/usr/bin/env bash
# Hyperparameter optimization benchmark: Pareto's TPE/random samplers vs Optuna's on the same
# test functions (quality over seeds) and the per-trial overhead of a trivial objective, in one run.
# Usage (from the repo root):
#   bash bench/tune.sh [--seeds N] [--trials N] [--rounds N] [--skip-quality] [--skip-overhead]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
ensure_venv
if ! "$PY" -c 'import optuna' 2>/dev/null; then
    echo "== installing optuna into $VENV"
    "$PY" -m pip install --quiet optuna
fi
build_release_product pareto-bench
"$PY" bench/tune.py --pareto "$BIN" "$@"
