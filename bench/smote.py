#!/usr/bin/env python3
"""SMOTE speed: Pareto's SMOTE vs imbalanced-learn's, on the same data in one run.

  smote.py --pareto BIN [--repeat 7] [--data FILE] [--target COL]

Both over-sample the numeric columns of ../shared/datasets/bank_marketing_full.csv
(45,211 rows, 7 numeric columns, target y: 39,922 "no", 5,289 "yes") with k = 5
neighbours and strategy "auto" (the minority raised to the majority's count:
34,633 synthetic rows), with 1 and 2 threads. Pareto resamples a DataFrame
(`pareto-bench smote`, reading the CSV not timed); imbalanced-learn's
fit_resample gets numpy arrays (pandas' read not timed) and searches its
neighbours with scikit-learn's NearestNeighbors, given n_jobs equal to the
thread count. Each side reports the median of --repeat runs.
"""
import argparse
import json
import os
import statistics
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DATA = os.path.join(HERE, "..", "..", "shared", "datasets", "bank_marketing_full.csv")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", required=True)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--target", default="y")
    args = parser.parse_args()

    ours = {}
    for threads in (1, 2):
        out = subprocess.run([args.pareto, "smote", "--data", args.data, "--target", args.target, "--k", "5",
                              "--repeat", str(args.repeat), "--threads", str(threads)],
                             capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
        ours[threads] = json.loads(out)

    import numpy as np
    import pandas as pd
    from imblearn import __version__ as imblearn_version
    from imblearn.over_sampling import SMOTE
    from sklearn.neighbors import NearestNeighbors

    frame = pd.read_csv(args.data)
    X = frame.drop(columns=[args.target]).select_dtypes("number").to_numpy(dtype=np.float64)
    y = frame[args.target].to_numpy()
    theirs = {}
    for threads in (1, 2):
        times = []
        for _ in range(args.repeat):
            sampler = SMOTE(k_neighbors=NearestNeighbors(n_neighbors=6, n_jobs=threads), sampling_strategy="auto",
                            random_state=0)
            start = time.perf_counter()
            X_out, _ = sampler.fit_resample(X, y)
            times.append(time.perf_counter() - start)
        theirs[threads] = statistics.median(times)
        if X_out.shape[0] != ours[threads]["rows_after"]:
            raise SystemExit(f"row counts differ: Pareto {ours[threads]['rows_after']}, imbalanced-learn {X_out.shape[0]}")

    print(f"SMOTE (k = 5, strategy auto) on {X.shape[0]:,} rows x {X.shape[1]} numeric columns "
          f"-> {X_out.shape[0]:,} rows; imbalanced-learn {imblearn_version}; median of {args.repeat} runs")
    print(f"{'threads':8s} {'Pareto s':>10s} {'imblearn s':>11s} {'speed-up':>9s}")
    for threads in (1, 2):
        mine = ours[threads]["seconds"]
        print(f"{threads:<8d} {mine:10.4f} {theirs[threads]:11.4f} {theirs[threads] / mine:8.1f}x")


if __name__ == "__main__":
    main()
