#!/usr/bin/env python3
"""Study-storage overhead: Pareto's SQLiteStorage vs Optuna's RDB storage on SQLite, in one run.

  tune_storage.py --pareto BIN [--trials 1000] [--rounds 3]
  tune_storage.py --pareto-cli BIN --adult CSV [--adult-trials 40] [--adult-modes both|fold|round]

A trivial objective (two floats, random sampler: the storage's cost, not a
sampler's) runs `trials` trials with the study in a fresh SQLite file on each
side. Printed per side: the median time per trial (median gap between
successive objective starts over all trials, and over the last 100 trials,
where both libraries' per-trial reads of the history weigh most) and the total
seconds. Pareto and Optuna alternate (A B A B ...) `rounds` times after
waiting for a quiet machine; the CPU other processes used during each run is
printed, and the ratio Optuna / Pareto is taken pair by pair.

With --adult: GBDT on the Adult data, `adult-trials` trials of TPE
(independent, 10 startup trials, 24 candidates, no constant liar) with
successive halving (ASHA: min resource 1, reduction factor 3), one study each
in a fresh SQLite file: `pareto tune --model gbdt --pruner asha` against
Optuna + LightGBM with the same search space (the one `pareto tune --help`
lists, in LightGBM's names), the same budget and the same protocol: 5 shuffled
folds run one after another, the running mean AUC reported after each fold.
The fold permutations differ (each library shuffles with its own generator).
Then both again with per-round pruning (`pareto tune --report-every 10`, opt-in): the AUC on the first fold's validation rows every 10
boosting rounds (step = rounds; ASHA's minimum resource 10), and the other
folds, all at once, only for a trial that survives its first fold; Optuna's
side reports LightGBM's `auc` on the same rows from a callback, as
LightGBMPruningCallback does, then fits the other folds.
Printed: the best cross-validated AUC and the wall time of each, one run.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def busy_jiffies():
    """Non-idle CPU time of the whole machine, in clock ticks."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields[:8]) - idle


def own_jiffies():
    hz = os.sysconf("SC_CLK_TCK")
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return (me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime) * hz


def wait_for_quiet(limit=120.0):
    """Waits until other processes use under 0.05 cores (at most `limit` seconds)."""
    hz = os.sysconf("SC_CLK_TCK")
    start = time.time()
    while True:
        b0 = busy_jiffies()
        time.sleep(1.0)
        cores = (busy_jiffies() - b0) / hz
        if cores < 0.05 or time.time() - start > limit:
            return cores


def measured(run):
    """Runs `run()`; returns its result and the cores other processes used meanwhile."""
    hz = os.sysconf("SC_CLK_TCK")
    b0, o0, t0 = busy_jiffies(), own_jiffies(), time.time()
    result = run()
    elapsed = time.time() - t0
    other = max(0.0, (busy_jiffies() - b0) - (own_jiffies() - o0)) / hz / max(elapsed, 1e-9)
    return result, other


def medians(starts):
    gaps = [b - a for a, b in zip(starts, starts[1:])]
    return statistics.median(gaps) * 1e3, statistics.median(gaps[-100:]) * 1e3


def pareto_run(binary, path, trials):
    out = subprocess.run([binary, "tune-storage", "--file", path, "--trials", str(trials)],
                         check=True, capture_output=True, text=True).stdout
    r = json.loads(out.strip().splitlines()[-1])
    return r["per_trial_ms"], r["per_trial_ms_last100"], r["total_seconds"]


def optuna_run(path, trials):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    starts = []

    def objective(trial):
        starts.append(time.perf_counter())
        x = trial.suggest_float("x", -10, 10)
        y = trial.suggest_float("y", -10, 10)
        return x * x + y * y

    t0 = time.perf_counter()
    study = optuna.create_study(study_name="overhead", direction="minimize", storage="sqlite:///" + path,
                                sampler=optuna.samplers.RandomSampler(seed=1))
    study.optimize(objective, n_trials=trials)
    total = time.perf_counter() - t0
    all_ms, last_ms = medians(starts)
    return all_ms, last_ms, total


def lightgbm_adult(path, trials, every=0):
    import lightgbm
    import numpy
    import optuna
    import pandas
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import KFold
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    frame = pandas.read_csv(path, na_values="?")
    y = (frame.pop("income") == ">50K").astype(int).to_numpy()
    for column in frame.columns:
        if not pandas.api.types.is_numeric_dtype(frame[column]):
            frame[column] = frame[column].astype("category")
    folds = list(KFold(n_splits=5, shuffle=True, random_state=0).split(frame))

    def objective(trial):
        params = dict(
            objective="binary", verbosity=-1, n_jobs=2, seed=0,
            learning_rate=trial.suggest_float("learning_rate", 0.01, 0.3, log=True),
            num_leaves=trial.suggest_int("num_leaves", 8, 256, log=True),
            min_child_samples=trial.suggest_int("min_data_in_leaf", 5, 100, log=True),
            colsample_bytree=trial.suggest_float("feature_fraction", 0.5, 1.0),
            subsample=trial.suggest_float("bagging_fraction", 0.5, 1.0), subsample_freq=1,
            reg_lambda=trial.suggest_float("lambda_l2", 1e-8, 10, log=True),
            n_estimators=trial.suggest_int("trees", 50, 400, log=True))
        total = 0.0
        if every:
            pruned = []

            def report(env):
                # The first fold's validation AUC every `every` rounds, step = rounds.
                rounds = env.iteration + 1
                if rounds % every == 0:
                    auc = next(entry[2] for entry in env.evaluation_result_list if entry[1] == "auc")
                    trial.report(auc, rounds)
                    if trial.should_prune():
                        pruned.append(rounds)
                        raise lightgbm.callback.EarlyStopException(env.iteration, env.evaluation_result_list)

            train, valid = folds[0]
            model = lightgbm.LGBMClassifier(**params).fit(
                frame.iloc[train], y[train], eval_set=[(frame.iloc[valid], y[valid])], eval_metric="auc",
                callbacks=[report])
            if pruned:
                raise optuna.TrialPruned()
            total = roc_auc_score(y[valid], model.predict_proba(frame.iloc[valid])[:, 1])
            for train, valid in folds[1:]:
                model = lightgbm.LGBMClassifier(**params).fit(frame.iloc[train], y[train])
                total += roc_auc_score(y[valid], model.predict_proba(frame.iloc[valid])[:, 1])
            return total / len(folds)
        for i, (train, valid) in enumerate(folds):
            model = lightgbm.LGBMClassifier(**params).fit(frame.iloc[train], y[train])
            total += roc_auc_score(y[valid], model.predict_proba(frame.iloc[valid])[:, 1])
            trial.report(total / (i + 1), i)
            if i < len(folds) - 1 and trial.should_prune():
                raise optuna.TrialPruned()
        return total / len(folds)

    with tempfile.TemporaryDirectory() as directory:
        sampler = optuna.samplers.TPESampler(seed=0, n_startup_trials=10, n_ei_candidates=24,
                                             multivariate=False, constant_liar=False)
        pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=every or 1, reduction_factor=3)
        t0 = time.perf_counter()
        study = optuna.create_study(direction="maximize", sampler=sampler, pruner=pruner,
                                    storage="sqlite:///" + os.path.join(directory, "o.sqlite"))
        study.optimize(objective, n_trials=trials)
        seconds = time.perf_counter() - t0
    pruned = sum(1 for t in study.trials if t.state == optuna.trial.TrialState.PRUNED)
    return study.best_value, seconds, pruned, lightgbm.__version__, numpy.__version__


def pareto_adult(binary, path, trials, every=0):
    with tempfile.TemporaryDirectory() as directory:
        t0 = time.perf_counter()
        out = subprocess.run([binary, "tune", path, "--target", "income", "--model", "gbdt", "--trials", str(trials),
                              "--sampler", "tpe", "--pruner", "asha", "--folds", "5", "--seed", "0",
                              "--report-every", str(every),
                              "--storage", "sqlite:///" + os.path.join(directory, "p.sqlite"), "--json"],
                             check=True, capture_output=True, text=True).stdout
        seconds = time.perf_counter() - t0
    r = json.loads(out)
    return r["best"]["values"][0], seconds, r["pruned"]


def adult(args):
    for every, label in [(0, "pruning after each fold"), (10, "pruning every 10 rounds of the first fold")]:
        if args.adult_modes != "both" and (every == 0) != (args.adult_modes == "fold"):
            continue
        quiet = wait_for_quiet()
        print(f"GBDT on {os.path.basename(args.adult)}, {args.adult_trials} trials, TPE + ASHA, 5 folds, {label} "
              f"(one run each; machine {quiet:.2f} cores busy before)")
        print(f"{'':34}{'best CV AUC':>14}{'wall s':>10}{'pruned':>8}  other processes' cores during")
        (p_auc, p_s, p_pruned), p_other = measured(
            lambda: pareto_adult(args.pareto_cli, args.adult, args.adult_trials, every))
        print(f"{'Pareto pareto tune':34}{p_auc:14.5f}{p_s:10.1f}{p_pruned:8d}  {p_other:.2f}", flush=True)
        (o_auc, o_s, o_pruned, lgb_version, _), o_other = measured(
            lambda: lightgbm_adult(args.adult, args.adult_trials, every))
        print(f"{'Optuna + LightGBM ' + lgb_version:34}{o_auc:14.5f}{o_s:10.1f}{o_pruned:8d}  {o_other:.2f}")
        print(f"wall time ratio Optuna+LightGBM / Pareto: {o_s / p_s:.2f}x; "
              f"AUC difference Pareto − peer: {p_auc - o_auc:+.5f}", flush=True)


def summary(values):
    return f"{statistics.median(values):8.3f} ({min(values):.3f}–{max(values):.3f})"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", help="pareto-bench (the storage overhead)")
    parser.add_argument("--pareto-cli", help="pareto (the --adult comparison)")
    parser.add_argument("--adult", help="the Adult CSV: run the GBDT tuning comparison instead")
    parser.add_argument("--adult-trials", type=int, default=40)
    parser.add_argument("--adult-modes", choices=["both", "fold", "round"], default="both",
                        help="pruning after each fold, every 10 rounds of the first fold, or both (default)")
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.adult:
        adult(args)
        return
    import optuna
    with tempfile.TemporaryDirectory() as directory:
        pareto_file = os.path.join(directory, "pareto.sqlite")
        optuna_file = os.path.join(directory, "optuna.sqlite")
        rows = {"pareto": [], "optuna": []}
        for round_ in range(args.rounds):
            quiet = wait_for_quiet()
            p, p_other = measured(lambda: pareto_run(args.pareto, pareto_file, args.trials))
            o, o_other = measured(lambda: optuna_run(optuna_file, args.trials))
            rows["pareto"].append(p)
            rows["optuna"].append(o)
            print(f"round {round_ + 1}: machine {quiet:.2f} cores busy before; other processes used "
                  f"{p_other:.2f} cores during Pareto, {o_other:.2f} during Optuna"
                  + ("  (noisy: over 0.1)" if max(p_other, o_other) > 0.1 else ""), file=sys.stderr)
        print(f"Study storage overhead, {args.trials} trivial trials (2 floats, random sampler), SQLite file, "
              f"{args.rounds} rounds A B A B; median (min–max)")
        print(f"{'':28}{'ms/trial (all)':>26}{'ms/trial (last 100)':>26}{'total s':>26}")
        for name, label in (("pareto", "Pareto SQLiteStorage"), ("optuna", f"Optuna {optuna.__version__} RDBStorage")):
            r = rows[name]
            print(f"{label:28}{summary([x[0] for x in r]):>26}{summary([x[1] for x in r]):>26}{summary([x[2] for x in r]):>26}")
        ratio_all = statistics.median([o[0] / p[0] for p, o in zip(rows["pareto"], rows["optuna"])])
        ratio_last = statistics.median([o[1] / p[1] for p, o in zip(rows["pareto"], rows["optuna"])])
        ratio_total = statistics.median([o[2] / p[2] for p, o in zip(rows["pareto"], rows["optuna"])])
        print(f"ratio Optuna / Pareto (pair by pair, median): {ratio_all:.2f}x per trial, "
              f"{ratio_last:.2f}x over the last 100, {ratio_total:.2f}x total")


if __name__ == "__main__":
    main()
