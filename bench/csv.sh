#!/usr/bin/env bash
# CSV read benchmark: Pareto vs pandas vs polars on a 1M-row x 30-column file.
#
# Usage (from the repo root):  bash bench/csv.sh [ROUNDS]     (default 5)
#
# Steps: Python venv at bench/.venv (pandas, polars, pyarrow, numpy);
# data file bench/.data/csv_1m.csv (generated once by bench/gen_csv.py);
# `swift build -c release --product pareto-bench`; then bench/csv_run.py
# times ROUNDS interleaved rounds (Pareto, pandas, polars, Pareto, ...) and
# bench/csv_report.py prints the summary. Raw results are kept in
# bench/.data/csv_results.jsonl.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=bench/lib.sh
source bench/lib.sh

ROUNDS="${1:-5}"
THREADS=2
DATA=bench/.data/csv_1m.csv
RESULTS=bench/.data/csv_results.jsonl

if ! [[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]]; then
    echo "error: ROUNDS must be a positive integer, got '$ROUNDS'" >&2
    exit 2
fi

# 1. Python environment (created once; packages installed if missing).
ensure_venv

# 2. Data (generated once, fixed seed).
if [[ ! -f "$DATA" ]]; then
    echo "== generating $DATA (1,000,000 rows; takes ~30 s)"
    "$PY" bench/gen_csv.py "$DATA" 1000000
fi

# 3. Pareto, release build (sets BIN=.build/release/pareto-bench).
build_release_product pareto-bench

# 4. Timed runs, then the summary.
echo "== $DATA: $(( $(stat -L -c %s "$DATA") / 1000000 )) MB, $(nproc) CPUs"
"$PY" bench/csv_run.py --file "$DATA" --out "$RESULTS" --pareto "$BIN" \
    --rounds "$ROUNDS" --threads "$THREADS"
"$PY" bench/csv_report.py "$RESULTS"
