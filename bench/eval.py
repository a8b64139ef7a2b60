#!/usr/bin/env python3
"""Metric speed: Pareto's ROC AUC and log loss vs scikit-learn's, on the same arrays.

  eval.py --pareto BIN [--rows 10000000] [--repeat 5]

Makes (once, numpy seed 0) a binary problem of --rows rows: labels with 30%
positives, class-1 probabilities from a noisy logistic model (continuous
float64, a few exact 0s and 1s, and some rounded to 3 decimals so that ties
occur), and row weights (gamma-distributed, 5% zero). Writes them to
bench/.data/metrics_<rows>/{labels,scores,weights}.f64 as raw little-endian
float64, which `pareto-bench metrics` reads.

Times scikit-learn's roc_auc_score and log_loss (with and without
sample_weight) in this process, then runs `pareto-bench metrics` with 2
threads and with 1; every figure is the median of --repeat runs, timed
around the call alone (reading the files is not timed). Checks that every
Pareto value agrees with scikit-learn's to 1e-9 (relative) and stops if not.
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


def median_seconds(f, repeat):
    times, value = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        value = f()
        times.append(time.perf_counter() - start)
    return value, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", required=True)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = make_data(args.rows)

    def pareto(threads):
        out = subprocess.run([args.pareto, "metrics", "--data", folder, "--repeat", str(args.repeat),
                              "--threads", str(threads)], capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"pareto-bench failed: {out.stdout}{out.stderr}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    ours = {2: pareto(2), 1: pareto(1)}

    from sklearn.metrics import log_loss, roc_auc_score

    y = np.fromfile(os.path.join(folder, "labels.f64"), dtype="<f8")
    p = np.fromfile(os.path.join(folder, "scores.f64"), dtype="<f8")
    w = np.fromfile(os.path.join(folder, "weights.f64"), dtype="<f8")
    theirs = {
        "auc": median_seconds(lambda: roc_auc_score(y, p), args.repeat),
        "auc_weighted": median_seconds(lambda: roc_auc_score(y, p, sample_weight=w), args.repeat),
        "logloss": median_seconds(lambda: log_loss(y, p), args.repeat),
        "logloss_weighted": median_seconds(lambda: log_loss(y, p, sample_weight=w), args.repeat),
    }

    failed = False
    for key, (value, _) in theirs.items():
        for threads in (2, 1):
            mine = ours[threads][key]
            if abs(mine - value) > 1e-9 * max(1.0, abs(value)):
                print(f"MISMATCH {key} ({threads} threads): Pareto {mine!r}, scikit-learn {value!r}")
                failed = True
    if failed:
        sys.exit(1)

    print(f"{args.rows:,} rows, median of {args.repeat} runs; values agree to 1e-9")
    print(f"{'metric':18s} {'value':>10s} {'sklearn s':>10s} {'Pareto 2t s':>12s} {'ratio':>7s} "
          f"{'Pareto 1t s':>12s} {'ratio':>7s}")
    for key, (value, seconds) in theirs.items():
        two, one = ours[2][key + "_seconds"], ours[1][key + "_seconds"]
        print(f"{key:18s} {value:10.6f} {seconds:10.3f} {two:12.4f} {seconds / two:6.1f}x {one:12.4f} {seconds / one:6.1f}x")
    via = ours[2]["auc_via_outcomes_seconds"]
    print(f"auc through Outcomes + ROCAUC (2 threads, checks included): {via:.4f} s, "
          f"{theirs['auc'][1] / via:.1f}x scikit-learn")


if __name__ == "__main__":
    main()
