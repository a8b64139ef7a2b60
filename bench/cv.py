#!/usr/bin/env python3
"""Cross-validation bookkeeping: Pareto's CrossValidation vs scikit-learn's cross_validate.

  cv.py --pareto BIN [--repeat 5]

Both run stratified 5-fold cross-validation of a class-prior baseline
(scikit-learn's DummyClassifier(strategy="prior"); Pareto's PriorLearner in
pareto-bench) scored by ROC AUC and log loss, on the 800,000 x 28 training
part of bench/gbdt.py's 1,000,000-row make_classification set. Fitting
such a model is nearly free, so the time is the runner's own: cutting the
folds, copying rows, predicting, scoring and collecting. Reading the data
is not timed. scikit-learn runs with its default n_jobs=1 (n_jobs=2 forks
workers that copy the data, and was slower here); Pareto with 2 threads.
Prints the medians and their ratio.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    stem = subprocess.run([sys.executable, os.path.join(HERE, "gbdt.py"), "--pareto", args.pareto, "--rows", "1000000",
                           "--make-data"], capture_output=True, text=True, check=True).stdout.strip()
    ours = json.loads(subprocess.run([args.pareto, "cv", "--data", stem + ".train.csv", "--target", "y",
                                      "--repeat", str(args.repeat)],
                                     capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1])
    import numpy as np
    from sklearn.dummy import DummyClassifier
    from sklearn.model_selection import StratifiedKFold, cross_validate

    data = np.load(stem + ".train.npz")
    X, y = data["X"], data["y"]
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        result = cross_validate(DummyClassifier(strategy="prior"), X, y,
                                cv=StratifiedKFold(5, shuffle=True, random_state=0),
                                scoring=["roc_auc", "neg_log_loss"])
        times.append(time.perf_counter() - start)
    theirs = statistics.median(times)
    logloss = -float(np.mean(result["test_neg_log_loss"]))
    print(f"5-fold CV of a prior baseline on {len(y):,} rows x {X.shape[1]} features, AUC + log loss")
    print(f"{'':14s} {'median s':>9s} {'mean log loss':>14s}")
    print(f"{'Pareto':14s} {ours['seconds']:9.3f} {ours['logloss_mean']:14.6f}")
    print(f"{'scikit-learn':14s} {theirs:9.3f} {logloss:14.6f}")
    print(f"Pareto is {theirs / ours['seconds']:.1f}x faster")
    if abs(ours["logloss_mean"] - logloss) > 1e-3:  # different (seeded) folds, same prior
        raise SystemExit("the two mean log losses differ: the runs do not match")


if __name__ == "__main__":
    main()
