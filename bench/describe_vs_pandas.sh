#!/usr/bin/env bash
# Compare `pareto describe FILE --json` with pandas for every *.csv in a folder.
#
# Usage (from the repo root):  bash bench/describe_vs_pandas.sh [DIR]
#   DIR defaults to ../shared/datasets (relative to the repo root).
# Prints PASS/FAIL per file and "N passed, N failed"; exits 1 on any failure.
set -euo pipefail

# Resolve an explicit DIR against the caller's working directory first.
if [[ $# -ge 1 ]]; then
    if [[ ! -d "$1" ]]; then
        echo "error: data folder not found: $1" >&2
        exit 2
    fi
    DIR="$(cd "$1" && pwd)"
fi

cd "$(dirname "${BASH_SOURCE[0]}")/.."
DIR="${DIR:-../shared/datasets}"

# shellcheck source=bench/lib.sh
source bench/lib.sh

if [[ ! -d "$DIR" ]]; then
    echo "error: data folder not found: $DIR" >&2
    exit 2
fi

ensure_venv
build_release_product pareto   # sets BIN=.build/release/pareto

"$PY" bench/describe_vs_pandas.py --pareto "$BIN" "$DIR"
