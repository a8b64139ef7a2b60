#!/usr/bin/env bash
# Hyperparameter optimization benchmark: Pareto's TPE/random samplers vs Optuna's on the same
# test functions (quality over seeds) and the per-trial overhead of a trivial objective, in one run.
# Usage (from the repo root):
#   bash bench/tune.sh [--seeds N] [--gp-seeds N] [--first-seed N] [--trials N] [--rounds N] [--samplers LIST]
#                      [--functions LIST] [--storages LIST] [--spaces LIST] [--skip-quality] [--skip-overhead]
#                      [--dump FILE.jsonl]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
ensure_venv
if ! "$PY" -c 'import optuna' 2>/dev/null; then
    echo "== installing optuna into $VENV"
    "$PY" -m pip install --quiet optuna
fi
# Optuna's CmaEsSampler needs cmaes; its GPSampler needs torch and scipy (torch from /opt/wheels when there, as mlp.sh).
if ! "$PY" -c 'import cmaes, scipy' 2>/dev/null; then
    echo "== installing cmaes scipy into $VENV"
    "$PY" -m pip install --quiet cmaes scipy
fi
if ! "$PY" -c 'import torch' 2>/dev/null; then
    wheel=$(ls /opt/wheels/torch-*.whl 2>/dev/null | head -1 || true)
    echo "== installing torch ${wheel:+from $wheel }into $VENV"
    "$PY" -m pip install --quiet "${wheel:-torch}"
fi
build_release_product pareto-bench
"$PY" bench/tune.py --pareto "$BIN" "$@"
