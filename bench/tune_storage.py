#!/usr/bin/env python3
"""Study-storage overhead: Pareto's SQLiteStorage vs Optuna's RDB storage on SQLite, in one run.

  tune_storage.py --pareto BIN [--trials 1000] [--rounds 3]

A trivial objective (two floats, random sampler: the storage's cost, not a
sampler's) runs `trials` trials with the study in a fresh SQLite file on each
side. Printed per side: the median time per trial (median gap between
successive objective starts over all trials, and over the last 100 trials,
where both libraries' per-trial reads of the history weigh most) and the total
seconds. Pareto and Optuna alternate (A B A B ...) `rounds` times after
waiting for a quiet machine; the CPU other processes used during each run is
printed, and the ratio Optuna / Pareto is taken pair by pair.
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


def summary(values):
    return f"{statistics.median(values):8.3f} ({min(values):.3f}–{max(values):.3f})"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", required=True)
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
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
