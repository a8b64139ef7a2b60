#!/usr/bin/env python3
"""Where early stopping ends, and what the searched metric is there, when it
watches the objective's log loss or the metric itself: LightGBM's `lgb.cv`
(5 stratified folds, seed 0) on a data set's 80/20 training split from
`bench/optimize.py`, both metrics recorded every round, then early stopping
(patience 50, the first best round kept) replayed on each curve.

  stopping_metric.py NAME [--rounds 1000] [--lgb k=v ...]
      NAME: adult | bank_marketing_full | letter_recognition

It is the measurement behind `pareto optimize` stopping boosted trials on the
searched metric (`CandidateSpace.stoppingMetric`): AUC for adult and bank,
the error rate for letter (accuracy). Prints the stopping round and the
metric under each rule, and the best value of the metric over all rounds.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import optimize  # noqa: E402  (the benchmark's splits and frames)


def stop(curve, sign, patience=50):
    """Index of the first best value before `patience` rounds without a strictly better one."""
    best, at = None, 0
    for i, value in enumerate(curve):
        if best is None or sign * value < sign * best:
            best, at = value, i
        if i - at >= patience:
            break
    return at


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("name", choices=["adult", "bank_marketing_full", "letter_recognition"])
    parser.add_argument("--rounds", type=int, default=1000)
    parser.add_argument("--lgb", action="append", default=[], help="LightGBM parameter name=value")
    args = parser.parse_args()
    import lightgbm as lgb
    import numpy as np

    train_path, test_path = optimize.split(args.name, 0)
    train, _, y, _, classes = optimize.frames(args.name, train_path, test_path)
    params = {"verbose": -1, "num_threads": 2, "deterministic": True, "seed": 0}
    for item in args.lgb:
        key, value = item.split("=", 1)
        params[key] = float(value) if any(c in value for c in ".e") else int(value)
    if optimize.SETS[args.name][1] == "auc":
        params.update(objective="binary", metric=["binary_logloss", "auc"])
        loss_name, target_name, sign = "binary_logloss", "auc", -1
    else:
        params.update(objective="multiclass", num_class=len(classes), metric=["multi_logloss", "multi_error"])
        loss_name, target_name, sign = "multi_logloss", "multi_error", 1
    history = lgb.cv(params, lgb.Dataset(train, y), num_boost_round=args.rounds, nfold=5, stratified=True, seed=0)
    loss = np.array(history[f"valid {loss_name}-mean"])
    target = np.array(history[f"valid {target_name}-mean"])
    on_loss, on_target = stop(loss, 1), stop(target, sign)
    best = target.max() if sign < 0 else target.min()
    print(f"{args.name} {params_text(args.lgb)}: stopping on {loss_name}: round {on_loss + 1}, {target_name} "
          f"{target[on_loss]:.5f} | stopping on {target_name}: round {on_target + 1}, {target_name} "
          f"{target[on_target]:.5f} | best over {len(target)} rounds {best:.5f}")


def params_text(items):
    return ", ".join(items) if items else "LightGBM's defaults"


if __name__ == "__main__":
    main()
