#!/usr/bin/env python3
"""`pareto optimize` against LightGBM with default parameters and LightGBM tuned
by Optuna's TPE (5-fold CV) for the same wall time, on the same splits, in one run.

  optimize.py --pareto BIN [--budget 180] [--max-latency 200us] [--threads 2] [--seeds 1]
              [--datasets adult,bank_marketing_full,california_housing,letter_recognition]

Each data set in ../shared/datasets is split 80/20 (stratified for classes)
once per seed 0..N-1 into CSV files under bench/.data/optimize/ (bank:
`duration` dropped, as UCI advises); for a seed, Pareto (`--seed`), Optuna's
TPE and LightGBM get that seed and the same split. One split's AUC has a
standard error near 0.003, larger than the gaps between the tools, so
`--seeds` gives per-seed rows and, per data set, medians, means, the signed
Pareto − Optuna difference and how many seeds each side wins. Every row is
also appended to bench/.data/optimize/results.jsonl as it finishes. Pareto gets the training file, `--test` the test
file, `--budget` seconds of search and the latency limit; its confirmed test
metric is read from summary.json and its single-row latency re-measured here
with `pareto bench` on the bundle. LightGBM gets the same rows through pandas
(strings as `category`). (a) default: LGBMClassifier/Regressor() as shipped.
(b) Optuna: TPE over learning_rate, num_leaves, min_data_in_leaf,
feature_fraction, bagging_fraction and lambda_l2 (Pareto's gbdt space), each
trial `lgb.cv` with 5 folds and early stopping (50 rounds, up to 1,000), the
timeout being Pareto's whole wall time, which also stops a running trial
(it is then not counted, as Pareto's search drops a trial its budget ends;
runs before 2026-11-30 let that trial finish, giving Optuna up to a third
more time on letter); the best trial is refitted on the training rows with
its mean best round count and scored on the test rows.
Metrics: AUC (adult, bank), RMSE (california), accuracy (letter). The
table reports both sides' real wall times and trials (every trial started,
complete or not).
"""
import argparse
import json
import os
import statistics
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


def split(name, seed=0):
    import pandas as pd
    from sklearn.model_selection import train_test_split

    out = os.path.join(HERE, ".data", "optimize")
    os.makedirs(out, exist_ok=True)
    stem = name if seed == 0 else f"{name}.seed{seed}"
    train_path, test_path = os.path.join(out, f"{stem}.train.csv"), os.path.join(out, f"{stem}.test.csv")
    if not os.path.exists(test_path):
        frame = pd.read_csv(os.path.join(SHARED, f"{name}.csv"), keep_default_na=False, na_values=NA)
        if name == "bank_marketing_full":
            frame = frame.drop(columns=["duration"])
        target = frame[SETS[name][0]]
        stratify = None if SETS[name][1] == "rmse" else target
        train, test = train_test_split(frame, test_size=0.2, random_state=seed, stratify=stratify)
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


def lightgbm_optuna(name, train, test, y, yt, classes, threads, timeout, seed=0):
    import lightgbm as lgb
    import numpy as np
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    kind = SETS[name][1]
    base = {"verbose": -1, "num_threads": threads, "deterministic": True, "seed": seed}
    if kind == "rmse":
        base.update(objective="regression", metric="rmse")
    elif kind == "auc":
        base.update(objective="binary", metric="auc")
    else:
        base.update(objective="multiclass", num_class=len(classes), metric="multi_error")
    key = {"rmse": "valid rmse-mean", "auc": "valid auc-mean", "accuracy": "valid multi_error-mean"}[kind]
    rounds = {}
    deadline = time.perf_counter() + timeout

    class OutOfTime(Exception):
        pass

    def stop_at_deadline(env):
        # Pareto's wall time binds the running trial too: a trial still
        # running at the deadline is stopped and not counted (Pareto's
        # search likewise drops a trial the budget ends).
        if time.perf_counter() > deadline:
            raise OutOfTime()

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
        try:
            history = lgb.cv(params, lgb.Dataset(train, y), num_boost_round=1000, nfold=5, stratified=kind != "rmse",
                             seed=seed, callbacks=[lgb.early_stopping(50, verbose=False), stop_at_deadline])
        except OutOfTime:
            raise optuna.TrialPruned()
        values = history[key]
        rounds[trial.number] = len(values)
        return values[-1]

    direction = "maximize" if kind == "auc" else "minimize"
    study = optuna.create_study(direction=direction, sampler=optuna.samplers.TPESampler(seed=seed))
    start = time.perf_counter()
    study.optimize(objective, timeout=timeout)
    params = dict(base)
    params.update(study.best_params)
    params["bagging_freq"] = 1
    model = lgb.train(params, lgb.Dataset(train, y), num_boost_round=rounds[study.best_trial.number])
    seconds = time.perf_counter() - start
    return score(kind, model.predict(test), yt), len(study.trials), seconds


def better(kind, a, b):
    """a − b, signed so that positive means a is better (RMSE: lower)."""
    return b - a if kind == "rmse" else a - b


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", required=True)
    parser.add_argument("--budget", type=float, default=180)
    parser.add_argument("--max-latency", default="200us")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--datasets", default=",".join(SETS))
    parser.add_argument("--seeds", type=int, default=1,
                        help="split seeds 0..N-1 (each: its own 80/20 split, Pareto's --seed, Optuna's and LightGBM's seed)")
    parser.add_argument("--report-only", metavar="JSONL",
                        help="print the tables from the rows of an earlier (or interrupted) run, run nothing")
    args = parser.parse_args()
    names = args.datasets.split(",")
    if args.report_only:
        with open(args.report_only) as f:
            rows = [json.loads(line) for line in f if line.strip()]
        report([r for r in rows if r["name"] in names], names, args)
        return

    rows = []
    log = os.path.join(HERE, ".data", "optimize", "results.jsonl")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    for seed in range(args.seeds):
        for name in names:
            target, kind = SETS[name]
            train_path, test_path = split(name, seed)
            out = os.path.join(HERE, ".data", "optimize", f"{name}.seed{seed}.run")
            command = [args.pareto, "optimize", train_path, "--target", target, "--test", test_path,
                       "--metric", kind, "--budget", f"{args.budget}s", "--max-latency", args.max_latency,
                       "--threads", str(args.threads), "--seed", str(seed), "--out", out, "--json"]
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
            tuned, trials, optuna_seconds = lightgbm_optuna(name, train, test, y, yt, classes, args.threads,
                                                            pareto_seconds, seed)
            row = dict(seed=seed, name=name, kind=kind, pareto=summary["confirmation"]["value"], default=default,
                       optuna=tuned, latency_us=whole["p50_seconds"] * 1e6, bytes=summary["bundleCost"]["modelBytes"],
                       family=summary["chosen"]["family"], trials=len(summary["trials"]), optuna_trials=trials,
                       pareto_seconds=pareto_seconds, optuna_seconds=optuna_seconds, budget=args.budget,
                       max_latency=args.max_latency)
            rows.append(row)
            with open(log, "a") as f:
                f.write(json.dumps(row) + "\n")
            print(f"seed {seed} {name}: Pareto {row['pareto']:.5f} ({row['family']}, {row['trials']} trials, "
                  f"{pareto_seconds:.0f} s), LightGBM default {default:.5f}, "
                  f"LightGBM+Optuna {tuned:.5f} ({trials} trials, {optuna_seconds:.0f} s)", flush=True)
    report(rows, names, args)


def report(rows, names, args):
    """Prints the per-seed table and the per-data-set summary."""
    print()
    seeds = sorted({r["seed"] for r in rows})
    print(f"limit: --max-latency {args.max_latency}; budget {args.budget:.0f} s of search; {args.threads} threads; "
          f"seeds {seeds}; wall = each side's whole run (Pareto: the command; Optuna: study + refit)")
    print(f"{'data set':20s} {'seed':>4s} {'metric':8s} {'Pareto':>10s} {'LGB dflt':>10s} {'LGB+Optuna':>10s} "
          f"{'P-O':>9s} {'one row µs':>10s} {'bytes':>9s} {'family':>6s} {'trials P/O':>10s} {'wall s P/O':>10s}")
    for r in rows:
        print(f"{r['name']:20s} {r['seed']:4d} {r['kind']:8s} {r['pareto']:10.5f} {r['default']:10.5f} "
              f"{r['optuna']:10.5f} {better(r['kind'], r['pareto'], r['optuna']):+9.5f} {r['latency_us']:10.1f} "
              f"{r['bytes']:9d} {r['family']:>6s} {r['trials']:4d}/{r['optuna_trials']:<5d} "
              f"{r['pareto_seconds']:4.0f}/{r['optuna_seconds']:<5.0f}")
    print()
    print("per data set over seeds (P-O signed: positive = Pareto better; wins: seeds each side is better; "
          "P>dflt: seeds Pareto beats LightGBM default; max µs: slowest chosen bundle, one row)")
    print(f"{'data set':20s} {'n':>2s} {'Pareto med':>10s} {'Optuna med':>10s} {'dflt med':>10s} {'Pareto mean':>11s} "
          f"{'Optuna mean':>11s} {'P-O mean':>9s} {'P-O med':>9s} {'wins P/O':>8s} {'P>dflt':>6s} {'max µs':>7s}")
    for name in names:
        mine = [r for r in rows if r["name"] == name]
        if not mine:
            continue
        kind = mine[0]["kind"]
        gaps = [better(kind, r["pareto"], r["optuna"]) for r in mine]
        wins = sum(g > 0 for g in gaps), sum(g < 0 for g in gaps)
        over_default = sum(better(kind, r["pareto"], r["default"]) > 0 for r in mine)
        med = statistics.median
        print(f"{name:20s} {len(mine):2d} {med([r['pareto'] for r in mine]):10.5f} {med([r['optuna'] for r in mine]):10.5f} "
              f"{med([r['default'] for r in mine]):10.5f} {statistics.mean([r['pareto'] for r in mine]):11.5f} "
              f"{statistics.mean([r['optuna'] for r in mine]):11.5f} {statistics.mean(gaps):+9.5f} {med(gaps):+9.5f} "
              f"{wins[0]:3d}/{wins[1]:<4d} {over_default:3d}/{len(mine):<2d} {max(r['latency_us'] for r in mine):7.1f}")


if __name__ == "__main__":
    main()
