#!/usr/bin/env bash
# Checks `pareto export` in onnxruntime: trains every model family, exports
# it, and compares onnxruntime's predictions (and MLflow's, when mlflow
# installs) with `pareto predict` to 1e-5. See bench/check_onnx.py.
#
#   bench/check_onnx.sh            real data: adult, california_housing, letter_recognition
#   bench/check_onnx.sh --fixture  the small fixtures under Tests/ (what CI runs)
#
# PARETO=path/to/pareto uses that binary; otherwise a release build is made.
# When PyPI cannot be reached (or onnxruntime cannot be installed within
# ONNX_PIP_SECONDS seconds, default 600) the check prints "skipped: <reason>" and
# exits 0; a real mismatch exits 1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv=bench/.venv-onnx
if [[ ! -x "$venv/bin/python" ]]; then
    if ! python3 -m venv "$venv" >/tmp/pareto-onnx-venv.log 2>&1; then
        echo "skipped: cannot create a Python venv (python3 -m venv failed; see /tmp/pareto-onnx-venv.log)"
        exit 0
    fi
fi
if ! "$venv/bin/python" -c "import onnxruntime, numpy, pandas" >/dev/null 2>&1; then
    if ! timeout "${ONNX_PIP_SECONDS:-600}" "$venv/bin/pip" install -q --disable-pip-version-check onnxruntime numpy pandas \
        >/tmp/pareto-onnx-pip.log 2>&1; then
        echo "skipped: onnxruntime could not be installed from PyPI within ${ONNX_PIP_SECONDS:-600} s ($(tail -1 /tmp/pareto-onnx-pip.log))"
        exit 0
    fi
fi
# MLflow is optional: without it the MLflow part is skipped with its reason.
if ! "$venv/bin/python" -c "import mlflow.pyfunc" >/dev/null 2>&1; then
    if ! timeout "${ONNX_PIP_SECONDS:-600}" "$venv/bin/pip" install -q --disable-pip-version-check mlflow-skinny \
        >/tmp/pareto-onnx-mlflow.log 2>&1; then
        echo "mlflow install failed ($(tail -1 /tmp/pareto-onnx-mlflow.log)): its check will be skipped"
    fi
fi

pareto="${PARETO:-}"
if [[ -z "$pareto" ]]; then
    swift build -c release --product pareto >/dev/null
    pareto="$(swift build -c release --show-bin-path)/pareto"
fi
exec "$venv/bin/python" bench/check_onnx.py --pareto "$pareto" "$@"
