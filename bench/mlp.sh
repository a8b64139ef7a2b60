#!/usr/bin/env bash
# MLP benchmark: Pareto vs PyTorch (CPU) and scikit-learn's MLPClassifier, 28-256-256-1 on
# 100,000 make_classification rows, batch 256, Adam, 5 epochs, 2 threads, in one run.
# Usage (from the repo root):
#   bash bench/mlp.sh [--rounds N] [--epochs N] [--rows N] [--precisions fp32,fp16,bf16] [--no-sklearn]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
if [[ ! -x "$PY" ]]; then
    echo "== creating $VENV"
    python3 -m venv "$VENV"
fi
if ! "$PY" -c 'import numpy, sklearn, threadpoolctl' 2>/dev/null; then
    echo "== installing numpy scikit-learn into $VENV"
    "$PY" -m pip install --quiet numpy scikit-learn
fi
if ! "$PY" -c 'import torch' 2>/dev/null; then
    # A local CPU wheel when the machine has one (much smaller than PyPI's CUDA build).
    wheel=$(ls /opt/wheels/torch-*.whl 2>/dev/null | head -1 || true)
    echo "== installing torch ${wheel:+from $wheel }into $VENV"
    "$PY" -m pip install --quiet "${wheel:-torch}"
fi
build_release_product pareto-bench
"$PY" bench/mlp.py --pareto "$BIN" "$@"
