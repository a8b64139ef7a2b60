#!/usr/bin/env python3
"""Summarise a CSV benchmark results file written by bench/csv_run.py.

Usage: csv_report.py RESULTS.jsonl

Prints, per tool: runs kept, median read seconds, min-max, median peak RSS;
for the Python peers also the RSS after import (baseline) and peak minus
baseline (memory attributable to the read). Then the paired ratios: for
each round, peer seconds / Pareto seconds and Pareto peak / peer peak; the
reported ratio is the median over rounds. MB = 10^6 bytes.
"""
import json
import sys
from collections import defaultdict
from statistics import median

MB = 1e6


def load(path: str) -> list[dict]:
    with open(path) as fh:
        return [json.loads(line) for line in fh if line.strip()]


def fmt_ratio(r: float) -> str:
    return f"{r:.2f}x"


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit("usage: csv_report.py RESULTS.jsonl")
    records = load(sys.argv[1])
    kept = [r for r in records if r.get("kept", True)]
    discarded = len(records) - len(kept)

    by_tool: dict[str, list[dict]] = defaultdict(list)
    by_round: dict[int, dict[str, dict]] = defaultdict(dict)
    for r in kept:
        by_tool[r["tool"]].append(r)
        by_round[r["round"]][r["tool"]] = r
    tools = [t for t in ("pareto", "pandas", "polars") if t in by_tool]
    if not tools:
        sys.exit("no results")

    # ---- per-tool table
    print()
    header = (
        f"{'tool':<8} {'runs':>4} {'median s':>9} {'min-max s':>15} "
        f"{'peak MB':>8} {'base MB':>8} {'peak-base':>9} {'others':>7}"
    )
    print(header)
    print("-" * len(header))
    for t in tools:
        rs = by_tool[t]
        secs = [r["seconds"] for r in rs]
        peaks = [r["peak_rss_bytes"] / MB for r in rs]
        bases = [r["baseline_rss_bytes"] / MB for r in rs if "baseline_rss_bytes" in r]
        base = f"{median(bases):8.0f}" if bases else f"{'-':>8}"
        attributable = (
            f"{median((r['peak_rss_bytes'] - r['baseline_rss_bytes']) / MB for r in rs):9.0f}"
            if bases
            else f"{'-':>9}"
        )
        others = median(r.get("others_cores", 0.0) for r in rs)
        print(
            f"{t:<8} {len(rs):>4} {median(secs):9.3f} "
            f"{min(secs):7.3f}-{max(secs):<7.3f} {median(peaks):8.0f} {base} {attributable} "
            f"{others:7.2f}"
        )
    print(
        "(seconds: in-process read time; peak: max RSS of the process; base: RSS after "
        "importing the library;\n others: median cores used by other processes during the run)"
    )
    if discarded:
        print(f"{discarded} run(s) discarded for load from other processes and rerun")
    noisy_kept = [r for r in kept if r.get("attempt") == 2 and r.get("others_cores", 0) > 0.1]
    if noisy_kept:
        print(f"warning: {len(noisy_kept)} kept run(s) were rerun and still noisy; treat with care")

    # ---- paired ratios against Pareto
    if "pareto" not in tools:
        return
    print()
    headlines = []
    for peer in ("pandas", "polars"):
        pairs = [rd for rd in by_round.values() if "pareto" in rd and peer in rd]
        if not pairs:
            continue
        speed = [rd[peer]["seconds"] / rd["pareto"]["seconds"] for rd in pairs]
        mem = [rd["pareto"]["peak_rss_bytes"] / rd[peer]["peak_rss_bytes"] for rd in pairs]
        mem_attr = [
            rd["pareto"]["peak_rss_bytes"] / (rd[peer]["peak_rss_bytes"] - rd[peer]["baseline_rss_bytes"])
            for rd in pairs
            if "baseline_rss_bytes" in rd[peer]
            and rd[peer]["peak_rss_bytes"] > rd[peer]["baseline_rss_bytes"]
        ]
        print(
            f"{peer}/Pareto time:   median {fmt_ratio(median(speed))} "
            f"(range {fmt_ratio(min(speed))}-{fmt_ratio(max(speed))}, {len(speed)} rounds)"
        )
        line = (
            f"Pareto/{peer} peak RSS: median {fmt_ratio(median(mem))} "
            f"(range {fmt_ratio(min(mem))}-{fmt_ratio(max(mem))})"
        )
        if mem_attr:
            line += f"; vs {peer}'s peak minus baseline: {fmt_ratio(median(mem_attr))}"
        print(line)

        s = median(speed)
        verdict = f"{s:.2f}x faster than" if s >= 1 else f"{1 / s:.2f}x slower than"
        headlines.append(
            f"Pareto reads {verdict} {peer} (median of {len(speed)} paired ratios), "
            f"peak memory {median(mem):.2f}x {peer}'"
        )
    print()
    for h in headlines:
        print(h)


if __name__ == "__main__":
    main()
