#!/usr/bin/env python3
"""Times one LightGBM `lgb.cv` trial (5 folds, early stopping 50, up to 1,000
rounds: the trial bench/optimize.py's Optuna study runs) with the parameters
of given Pareto trials, to compare per-trial cost with `pareto optimize`.

  optimize_trial.py --summary DIR/summary.json --data TRAIN.csv --target COL
                    --metric auc|rmse|accuracy [--trials 0,1,2] [--threads 2] [--repeat 3]

Prints, per trial, Pareto's recorded seconds (from summary.json) and the
median of `--repeat` lgb.cv timings with the same parameters, and their ratio.
"""
import argparse
import json
import statistics
import time

from optimize import NA


def main():
    import lightgbm as lgb
    import pandas as pd

    parser = argparse.ArgumentParser()
    parser.add_argument("--summary", required=True)
    parser.add_argument("--data", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--metric", required=True)
    parser.add_argument("--trials", default="0,1,2")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    frame = pd.read_csv(args.data, keep_default_na=False, na_values=NA)
    y = frame.pop(args.target)
    for column in frame.columns:
        if not pd.api.types.is_numeric_dtype(frame[column]):
            frame[column] = pd.Categorical(frame[column])
    base = {"verbose": -1, "num_threads": args.threads, "deterministic": True, "seed": 0}
    if args.metric == "rmse":
        base.update(objective="regression", metric="rmse")
        y = y.to_numpy(float)
    else:
        classes = sorted(y.astype(str).unique())
        y = y.astype(str).map({c: i for i, c in enumerate(classes)}).to_numpy()
        if args.metric == "auc":
            base.update(objective="binary", metric="auc")
        else:
            base.update(objective="multiclass", num_class=len(classes), metric="multi_error")
    summary = json.load(open(args.summary))
    trials = {t["number"]: t for t in summary["trials"]}
    print(f"{'trial':>5s} {'Pareto s':>9s} {'lgb.cv s':>9s} {'ratio':>6s} {'lgb rounds':>10s}  parameters")
    for number in [int(x) for x in args.trials.split(",")]:
        trial = trials[number]
        p = {k.split(".", 1)[1]: float(v) for k, v in trial["parameters"].items() if k.startswith("gbdt.")}
        params = dict(base)
        params.update(learning_rate=p["learning_rate"], num_leaves=int(p["num_leaves"]),
                      min_data_in_leaf=int(p["min_data_in_leaf"]), feature_fraction=p["feature_fraction"],
                      bagging_fraction=p["bagging_fraction"], bagging_freq=1, lambda_l2=p["lambda_l2"])
        times, rounds = [], 0
        for _ in range(args.repeat):
            start = time.perf_counter()
            history = lgb.cv(params, lgb.Dataset(frame, y), num_boost_round=1000, nfold=5,
                             stratified=args.metric != "rmse", seed=0,
                             callbacks=[lgb.early_stopping(50, verbose=False)])
            times.append(time.perf_counter() - start)
            rounds = len(next(iter(history.values())))
        median = statistics.median(times)
        print(f"{number:5d} {trial['seconds']:9.2f} {median:9.2f} {trial['seconds'] / median:6.2f} {rounds:10d}  "
              + ", ".join(f"{k}={v:.4g}" for k, v in sorted(p.items())), flush=True)


if __name__ == "__main__":
    main()
