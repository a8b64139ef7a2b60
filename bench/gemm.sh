#!/usr/bin/env bash
# Float32 GEMM: Pareto's GEMM.multiply vs numpy.matmul (OpenBLAS), 1 and 2 threads, in one run.
# Usage (from the repo root):
#   bash bench/gemm.sh [--rounds N] [--shapes MxKxN,...]
#   bash bench/gemm.sh --build-modes [--max-wait S]
#       instead: the kernel levels and build flags compared (docs/ARCHITECTURE.md, "Host-tuned
#       code"): Pareto's GEMM on each level (PARETO_ISA), and a pure-Swift SIMD16<Float> kernel,
#       in the default release build and in one with -Xswiftc -target-cpu -Xswiftc native (a
#       second build in .build-native); and the Float16/bfloat16 conversions (pareto-bench half)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
build_release_product pareto-bench
if [[ "${1:-}" == "--build-modes" ]]; then
    shift
    echo "== swift build -c release --product pareto-bench -Xswiftc -target-cpu -Xswiftc native --build-path .build-native"
    swift build -c release --product pareto-bench -Xswiftc -target-cpu -Xswiftc native --build-path .build-native
    python3 bench/gemm.py --pareto "$BIN" --build-modes .build-native/release/pareto-bench "$@"
    exit 0
fi
ensure_venv
if ! "$PY" -c 'import threadpoolctl' 2>/dev/null; then
    "$PY" -m pip install --quiet threadpoolctl
fi
"$PY" bench/gemm.py --pareto "$BIN" "$@"
