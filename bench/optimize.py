#!/usr/bin/env python3
"""`pareto optimize` against LightGBM with default parameters and LightGBM tuned
by Optuna's TPE (5-fold CV) for the same wall time, on the same splits, in one run.

  optimize.py --pareto BIN [--budget 180] [--max-latency 200us] [--threads 2]
              [--datasets adult,bank_marketing_full,california_housing,letter_recognition]

Each data set in ../shared/datasets is split 80/20 once (stratified for
classes, seed 0) into CSV files under bench/.data/optimize/ (bank: `duration`
dropped, as UCI advises). Pareto gets the training file, `--test` the test
file, `--budget` seconds of search and the latency limit; its confirmed test
metric is read from summary.json and its single-row latency re-measured here
with `pareto bench` on the bundle. LightGBM gets the same rows through pandas
(strings as `category`). (a) default: LGBMClassifier/Regressor() as shipped.
(b) Optuna: TPE over learning_rate, num_leaves, min_data_in_leaf,
feature_fraction, bagging_fraction and lambda_l2 (Pareto's gbdt space), each
trial `lgb.cv` with 5 folds and early stopping (50 rounds, up to 1,000), the
timeout being Pareto's whole wall time; the best trial is refitted on the
training rows with its mean best round count and scored on the test rows.
Metrics: AUC (adult, bank), RMSE (california), accuracy (letter).
"""
import argparse
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.path.join(HERE, "..", "..", "shared", "datasets")
NA = ["", "NA", "N/A", "NaN", "null", "?"]
SETS = {
    "adult": ("income", "auc"),
    "bank_marketing_full": ("y", "auc"),
    "california_housing": ("median_house_value", "rmse"),
    "letter_recognition": ("lettr", "accuracy"),
}


def split(name):
    import pandas as pd
    from sklearn.model_selection import train_test_split

    out = os.path.join(HERE, ".data", "optimize")
    os.makedirs(out, exist_ok=True)
    train_path, test_path = os.path.join(out, f"{name}.train.csv"), os.path.join(out, f"{name}.test.csv")
    if not os.path.exists(test_path):
        frame = pd.read_csv(os.path.join(SHARED, f"{name}.csv"), keep_default_na=False, na_values=NA)
        if name == "bank_marketing_full":
            frame = frame.drop(columns=["duration"])
        target = frame[SETS[name][0]]
        stratify = None if SETS[name][1] == "rmse" else target
        train, test = train_test_split(frame, test_size=0.2, random_state=0, stratify=stratify)
        train.to_csv(train_path, index=False)
        test.to_csv(test_path, index=False)
    return train_path, test_path


def frames(name, train_path, test_path):
    import pandas as pd

    target = SETS[name][0]
    train = pd.read_csv(train_path, keep_default_na=False, na_values=NA)
    test = pd.read_csv(test_path, keep_default_na=False, na_values=NA)
    y, yt = train.pop(target), test.pop(target)
    for column in train.columns:
        if not pd.api.types.is_numeric_dtype(train[column]):
            categories = pd.Categorical(train[column]).categories
            train[column] = pd.Categorical(train[column], categories=categories)
            test[column] = pd.Categorical(test[column], categories=categories)
    if SETS[name][1] == "rmse":
        return train, test, y.to_numpy(float), yt.to_numpy(float), []
    classes = sorted(y.astype(str).unique())
    index = {c: i for i, c in enumerate(classes)}
    return train, test, y.astype(str).map(index).to_numpy(), yt.astype(str).map(index).to_numpy(), classes


def score(kind, predictions, labels):
    import numpy as np
    from sklearn.metrics import accuracy_score, roc_auc_score

    p = np.asarray(predictions)
    if kind == "rmse":
        return float(np.sqrt(np.mean((p - labels) ** 2)))
    if kind == "auc":
        return float(roc_auc_score(labels, p if p.ndim == 1 else p[:, -1]))
    return float(accuracy_score(labels, p.argmax(axis=1)))


def lightgbm_default(name, train, test, y, yt, classes, threads):
    import lightgbm as lgb

    kind = SETS[name][1]
    if kind == "rmse":
        model = lgb.LGBMRegressor(n_jobs=threads, verbose=-1).fit(train, y)
        return score(kind, model.predict(test), yt)
    model = lgb.LGBMClassifier(n_jobs=threads, verbose=-1).fit(train, y)
    return score(kind, model.predict_proba(test), yt)


def lightgbm_optuna(name, train, test, y, yt, classes, threads, timeout):
    import lightgbm as lgb
    import numpy as np
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    kind = SETS[name][1]
    base = {"verbose": -1, "num_threads": threads, "deterministic": True, "seed": 0}
    if kind == "rmse":
        base.update(objective="regression", metric="rmse")
    elif kind == "auc":
        base.update(objective="binary", metric="auc")
    else:
        base.update(objective="multiclass", num_class=len(classes), metric="multi_error")
    key = {"rmse": "valid rmse-mean", "auc": "valid auc-mean", "accuracy": "valid multi_error-mean"}[kind]
    rounds = {}

    def objective(trial):
        params = dict(base)
        params.update(
            learning_rate=trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
            num_leaves=trial.suggest_int("num_leaves", 8, 256, log=True),
            min_data_in_leaf=trial.suggest_int("min_data_in_leaf", 5, 200, log=True),
            feature_fraction=trial.suggest_float("feature_fraction", 0.4, 1.0),
            bagging_fraction=trial.suggest_float("bagging_fraction", 0.5, 1.0),
            bagging_freq=1,
            lambda_l2=trial.suggest_float("lambda_l2", 1e-8, 10.0, log=True),
        )
        history = lgb.cv(params, lgb.Dataset(train, y), num_boost_round=1000, nfold=5,
                         stratified=kind != "rmse", seed=0, callbacks=[lgb.early_stopping(50, verbose=False)])
        values = history[key]
        rounds[trial.number] = len(values)
        return values[-1]

    direction = "maximize" if kind == "auc" else "minimize"
    study = optuna.create_study(direction=direction, sampler=optuna.samplers.TPESampler(seed=0))
    start = time.perf_counter()
    study.optimize(objective, timeout=timeout)
    params = dict(base)
    params.update(study.best_params)
    params["bagging_freq"] = 1
    model = lgb.train(params, lgb.Dataset(train, y), num_boost_round=rounds[study.best_trial.number])
    seconds = time.perf_counter() - start
    return score(kind, model.predict(test), yt), len(study.trials), seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", required=True)
    parser.add_argument("--budget", type=float, default=180)
    parser.add_argument("--max-latency", default="200us")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--datasets", default=",".join(SETS))
    args = parser.parse_args()

    rows = []
    for name in args.datasets.split(","):
        target, kind = SETS[name]
        train_path, test_path = split(name)
        out = os.path.join(HERE, ".data", "optimize", f"{name}.run")
        command = [args.pareto, "optimize", train_path, "--target", target, "--test", test_path,
                   "--metric", kind, "--budget", f"{args.budget}s", "--max-latency", args.max_latency,
                   "--threads", str(args.threads), "--out", out, "--json"]
        start = time.perf_counter()
        result = subprocess.run(command, capture_output=True, text=True)
        pareto_seconds = time.perf_counter() - start
        if result.returncode != 0:
            raise SystemExit(f"pareto optimize failed on {name}:\n{result.stderr}")
        summary = json.loads(result.stdout)
        bench = subprocess.run([args.pareto, "bench", os.path.join(out, "model.pareto"), "--data", test_path,
                                "--rows", "1", "--json"], capture_output=True, text=True)
        if bench.returncode != 0:
            raise SystemExit(f"pareto bench failed on {name}:\n{bench.stderr}")
        whole = [r for r in json.loads(bench.stdout)["results"] if r["stage"] == "whole"][0]
        train, test, y, yt, classes = frames(name, train_path, test_path)
        default = lightgbm_default(name, train, test, y, yt, classes, args.threads)
        tuned, trials, optuna_seconds = lightgbm_optuna(name, train, test, y, yt, classes, args.threads, pareto_seconds)
        rows.append((name, kind, summary["confirmation"]["value"], default, tuned, whole["p50_seconds"] * 1e6,
                     summary["bundleCost"]["modelBytes"], summary["chosen"]["family"], len(summary["trials"]), trials,
                     pareto_seconds, optuna_seconds))
        print(f"{name}: Pareto {summary['confirmation']['value']:.5f} ({summary['chosen']['family']}, "
              f"{len(summary['trials'])} trials, {pareto_seconds:.0f} s), LightGBM default {default:.5f}, "
              f"LightGBM+Optuna {tuned:.5f} ({trials} trials, {optuna_seconds:.0f} s)", flush=True)

    print()
    print(f"limit: --max-latency {args.max_latency}; budget {args.budget:.0f} s of search; {args.threads} threads")
    print(f"{'data set':22s} {'metric':9s} {'Pareto':>10s} {'LGB dflt':>10s} {'LGB+Optuna':>10s} "
          f"{'one row µs':>10s} {'bytes':>9s} {'family':>7s} {'trials P/O':>10s}")
    for (name, kind, ours, default, tuned, latency, size, family, trials, optuna_trials, _, _) in rows:
        print(f"{name:22s} {kind:9s} {ours:10.5f} {default:10.5f} {tuned:10.5f} {latency:10.1f} {size:9d} "
              f"{family:>7s} {trials:4d}/{optuna_trials:<5d}")


if __name__ == "__main__":
    main()
