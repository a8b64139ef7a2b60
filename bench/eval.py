#!/usr/bin/env python3
"""Metric speed: Pareto's ROC AUC and log loss vs scikit-learn's, on the same arrays.

  eval.py --pareto BIN [--rows 10000000] [--rounds 5] [--repeat 3]

Makes (once, numpy seed 0) a binary problem of --rows rows: labels with 30%
positives, class-1 probabilities from a noisy logistic model (continuous
float64, a few exact 0s and 1s, and some rounded to 3 decimals so that ties
occur), and row weights (gamma-distributed, 5% zero). Writes them to
bench/.data/metrics_<rows>/{labels,scores,weights}.f64 as raw little-endian
float64, which `pareto-bench metrics` reads.

Runs --rounds rounds; each round runs `pareto-bench metrics` with 2 threads
and with 1 (each reports the median of --repeat calls per metric, timed
around the call alone; reading the files is not timed), then times
scikit-learn's roc_auc_score and log_loss (with and without sample_weight)
once each in this process. The machine is shared and noisy, so tools are
interleaved round by round: the table shows each tool's median time and the
median of the per-round ratios. Checks that every Pareto value agrees with
scikit-learn's to 1e-9 (relative) and stops if not.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def make_data(rows: int) -> str:
    folder = os.path.join(HERE, ".data", f"metrics_{rows}")
    names = ("labels", "scores", "weights")
    if all(os.path.exists(os.path.join(folder, n + ".f64")) for n in names):
        return folder
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    labels = (rng.random(rows) < 0.3).astype("<f8")
    scores = 1 / (1 + np.exp(-(1.6 * labels - 1.0 + rng.normal(0, 1.2, rows))))
    rounded = rng.random(rows) < 0.2
    scores[rounded] = np.round(scores[rounded], 3)
    scores[rng.random(rows) < 0.001] = 0.0
    scores[rng.random(rows) < 0.001] = 1.0
    weights = rng.gamma(2.0, 0.5, rows)
    weights[rng.random(rows) < 0.05] = 0.0
    for name, values in zip(names, (labels, scores.astype("<f8"), weights.astype("<f8"))):
        values.tofile(os.path.join(folder, name + ".f64"))
    return folder


def timed(f):
    start = time.perf_counter()
    value = f()
    return value, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", required=True)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = make_data(args.rows)

    def pareto(threads):
        out = subprocess.run([args.pareto, "metrics", "--data", folder, "--repeat", str(args.repeat),
                              "--threads", str(threads)], capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"pareto-bench failed: {out.stdout}{out.stderr}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    from sklearn.metrics import log_loss, roc_auc_score

    y = np.fromfile(os.path.join(folder, "labels.f64"), dtype="<f8")
    p = np.fromfile(os.path.join(folder, "scores.f64"), dtype="<f8")
    w = np.fromfile(os.path.join(folder, "weights.f64"), dtype="<f8")
    peers = {
        "auc": lambda: roc_auc_score(y, p),
        "auc_weighted": lambda: roc_auc_score(y, p, sample_weight=w),
        "logloss": lambda: log_loss(y, p),
        "logloss_weighted": lambda: log_loss(y, p, sample_weight=w),
    }
    rounds = []  # per round: {"sklearn": {key: (value, s)}, 2: pareto json, 1: pareto json}
    for _ in range(args.rounds):
        result = {2: pareto(2), 1: pareto(1)}
        result["sklearn"] = {key: timed(f) for key, f in peers.items()}
        rounds.append(result)

    failed = False
    for result in rounds:
        for key, (value, _) in result["sklearn"].items():
            for threads in (2, 1):
                mine = result[threads][key]
                if abs(mine - value) > 1e-9 * max(1.0, abs(value)):
                    print(f"MISMATCH {key} ({threads} threads): Pareto {mine!r}, scikit-learn {value!r}")
                    failed = True
    if failed:
        sys.exit(1)

    med = statistics.median
    print(f"{args.rows:,} rows, {args.rounds} rounds (Pareto: median of {args.repeat} calls per round); "
          "values agree to 1e-9; ratio = median of per-round sklearn/Pareto")
    print(f"{'metric':18s} {'value':>10s} {'sklearn s':>10s} {'Pareto 2t s':>12s} {'ratio':>7s} "
          f"{'Pareto 1t s':>12s} {'ratio':>7s}")
    for key in peers:
        value = rounds[0]["sklearn"][key][0]
        theirs = [r["sklearn"][key][1] for r in rounds]
        line = f"{key:18s} {value:10.6f} {med(theirs):10.3f}"
        for threads in (2, 1):
            ours = [r[threads][key + "_seconds"] for r in rounds]
            ratio = med([t / o for t, o in zip(theirs, ours)])
            line += f" {med(ours):12.4f} {ratio:6.1f}x"
        print(line)
    via = [r[2]["auc_via_outcomes_seconds"] for r in rounds]
    ratio = med([r["sklearn"]["auc"][1] / v for r, v in zip(rounds, via)])
    print(f"auc through Outcomes + ROCAUC (2 threads, input checks included): {med(via):.4f} s, "
          f"{ratio:.1f}x scikit-learn")


if __name__ == "__main__":
    main()
