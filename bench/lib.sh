# Shared helpers for the bench/*.sh scripts; source from the repo root.
# shellcheck shell=bash

VENV=bench/.venv
PY="$VENV/bin/python"

# Create bench/.venv if missing and install the Python packages the
# benchmarks need if any of them cannot be imported.
ensure_venv() {
    if [[ ! -x "$PY" ]]; then
        echo "== creating $VENV"
        python3 -m venv "$VENV"
    fi
    if ! "$PY" -c 'import pandas, polars, pyarrow, numpy' 2>/dev/null; then
        echo "== installing pandas polars pyarrow numpy into $VENV"
        "$PY" -m pip install --quiet --upgrade pip
        "$PY" -m pip install --quiet pandas polars pyarrow numpy
    fi
}

# swift build -c release --product NAME, failing with a clear message.
# Sets BIN to the path of the built binary.
build_release_product() {
    local product="$1"
    echo "== swift build -c release --product $product"
    if ! swift build -c release --product "$product"; then
        echo "error: 'swift build -c release --product $product' failed; the Pareto side cannot run." >&2
        exit 1
    fi
    BIN=".build/release/$product"
    if [[ ! -x "$BIN" ]]; then
        echo "error: build reported success but $BIN is missing." >&2
        exit 1
    fi
}
