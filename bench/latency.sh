#!/usr/bin/env bash
# Single-row latency: Pareto's compiled predictor vs LightGBM's C API fast path, LightGBM's Python
# API, onnxruntime and lleaves, in one run (see bench/latency.py). Usage (from the repo root):
#   bash bench/latency.sh [--rows 10000] [--rounds 20] [--repeat 3]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
ensure_venv
if ! "$PY" -c 'import lightgbm, sklearn, onnxruntime, onnxmltools, lleaves' 2>/dev/null; then
    echo "== installing lightgbm scikit-learn onnxruntime onnxmltools lleaves into $VENV"
    "$PY" -m pip install --quiet lightgbm scikit-learn onnxruntime onnxmltools onnx "llvmlite==0.44.0" lleaves
fi
if ! command -v gcc >/dev/null; then
    echo "error: gcc is needed to build bench/lgbm_single_row.c (LightGBM's C API side)." >&2
    exit 1
fi
build_release_product pareto
PARETO="$BIN"
build_release_product pareto-bench
"$PY" bench/latency.py --pareto-bench "$BIN" --pareto "$PARETO" "$@"
