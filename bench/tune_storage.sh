#!/usr/bin/env bash
# Study-storage overhead: Pareto's SQLiteStorage vs Optuna's RDB storage on SQLite,
# 1,000 trivial trials each, in one run (see bench/tune_storage.py).
# Usage (from the repo root):
#   bash bench/tune_storage.sh [--trials N] [--rounds N]
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
"$PY" bench/tune_storage.py --pareto "$BIN" "$@"
