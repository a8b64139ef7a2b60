#!/usr/bin/env bash
# Times `pareto audit` (model-based checks included: 5-fold gradient-boosted trees) on the
# shared real data sets; prints the median of ROUNDS runs per data set and the audit's counts.
# Usage (from the repo root):
#   bash bench/audit.sh [ROUNDS]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bench/lib.sh
source bench/lib.sh
ROUNDS="${1:-3}"
DATA=../shared/datasets
build_release_product pareto
for spec in adult:income bank_marketing_full:y california_housing:median_house_value \
            bike_sharing_hourly:cnt:dteday letter_recognition:lettr; do
    IFS=: read -r name target time <<< "$spec"
    args=("$DATA/$name.csv" --target "$target" --json)
    [[ -n "${time:-}" ]] && args+=(--time "$time")
    times=()
    for _ in $(seq "$ROUNDS"); do
        start=$(date +%s.%N)
        out=$("$BIN" audit "${args[@]}")
        end=$(date +%s.%N)
        times+=("$(echo "$end - $start" | bc)")
    done
    median=$(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    counts=$(echo "$out" | grep -o '"counts": {[^}]*}')
    rows=$(echo "$out" | grep -o '"rows": [0-9]*' | head -1)
    printf "%s: median %.2f s over %s runs (%s; %s)\n" "$name" "$median" "$ROUNDS" "$rows" "$counts"
done
