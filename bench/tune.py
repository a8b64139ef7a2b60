#!/usr/bin/env python3
"""Hyperparameter optimization: Pareto's samplers vs Optuna's, in one run.

  tune.py --pareto BIN [--seeds 20] [--gp-seeds 5] [--first-seed 0] [--trials 100] [--rounds 3]
          [--samplers tpe-default,tpe,tpe-mv,tpe-group,random,cmaes,gp] [--functions LIST] [--storages memory,sqlite]
          [--spaces 2d,mixed10] [--overhead-sampler tpe|tpe-default] [--skip-quality] [--skip-overhead] [--dump FILE.jsonl]

(a) Quality: for each test function (Branin, Hartmann-6, Rosenbrock-10,
    Styblinski-Tang-10 and a mixed categorical + integer + float space with a
    conditional parameter; all minimized, defined identically here and in
    Sources/ParetoBench/TuneBench.swift; plus, only when named in
    --functions, `conditional`: a 4-way model family, each family with its
    own interacting parameters, as `pareto optimize` searches) and each seed 0..seeds-1, the best
    value after 50 and after `trials` trials. Printed: the median over seeds.
    Pairs compared: `tpe-default`, each library's TPE as a user gets it
    (Pareto's `TPESampler(seed:)` against Optuna's `TPESampler(seed=)`);
    Pareto's reimplementation of Optuna's algorithm (`TPESampler.optuna`) vs
    Optuna TPE with the same settings
    (independent, n_startup_trials=10, n_ei_candidates=24, no constant liar);
    multivariate vs multivariate; grouped multivariate (`tpe-group`, Optuna's
    group=True, not in the default --samplers) vs grouped; random vs random; CMA-ES vs Optuna's
    CmaEsSampler and GP vs Optuna's GPSampler (both with Optuna's defaults,
    on the four continuous functions only: neither handles categories).
    Optuna's GP fits a torch model every trial (52-95 ms per trial over 100
    trials on this machine, 2026-11-30; bench/gp_split.py runs its side
    apart), so GP runs `--gp-seeds` seeds (default 5), not `--seeds`.
    Lower is better. Two verdicts: the 2% rule (a difference of more than
    2% of Optuna's distance from the optimum) and a seed-noise one: a
    bootstrap over seeds (each library's seeds resampled on their own, 2,000
    times, fixed seed) of the difference of the medians; "better"/"worse"
    only when its 95% interval excludes 0, else "tie". `--first-seed N` runs
    seeds N..N+seeds-1 on both sides (a block other than the one a change was
    made on); `--dump` appends every per-seed value as JSON lines.
(b) Overhead: a trivial objective (2 floats; or 10 mixed parameters), TPE
    (independent), in-memory storage and a fresh SQLite file (Optuna's
    RDBStorage on SQLite): the time per trial around trial 200 (median gap
    between successive objective starts over trials 195..204), over the
    last 100 trials, and the total seconds for 1,000 trials. Pareto and Optuna alternate
    (A B A B ...) `rounds` times after waiting for a quiet machine; medians
    and the ratio Optuna / Pareto are printed.
"""
import argparse
import json
import math
import os
import resource
import statistics
import subprocess
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


# --------------------------------------------------------------------------
# The test functions (must match TuneBench.swift)

def branin(trial):
    x1 = trial.suggest_float("x1", -5, 10)
    x2 = trial.suggest_float("x2", 0, 15)
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    a = x2 - b * x1 * x1 + c * x1 - 6
    return a * a + 10 * (1 - t) * math.cos(x1) + 10


HART_ALPHA = [1.0, 1.2, 3.0, 3.2]
HART_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
HART_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
          [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]


def hartmann6(trial):
    x = [trial.suggest_float(f"x{i}", 0, 1) for i in range(6)]
    total = 0.0
    for i in range(4):
        inner = sum(HART_A[i][j] * (x[j] - HART_P[i][j] * 1e-4) ** 2 for j in range(6))
        total += HART_ALPHA[i] * math.exp(-inner)
    return -total


def rosenbrock10(trial):
    x = [trial.suggest_float(f"x{i}", -5, 10) for i in range(10)]
    return sum(100 * (x[i + 1] - x[i] * x[i]) ** 2 + (1 - x[i]) ** 2 for i in range(9))


def styblinski10(trial):
    total = 0.0
    for i in range(10):
        v = trial.suggest_float(f"x{i}", -5, 5)
        total += v ** 4 - 16 * v * v + 5 * v
    return total / 2


def mixed(trial):
    booster = trial.suggest_categorical("booster", ["gbdt", "rf", "dart", "linear"])
    offset = {"gbdt": 0.0, "rf": 0.3, "dart": 0.6, "linear": 1.0}[booster]
    leaves = trial.suggest_int("leaves", 2, 256, log=True)
    depth = trial.suggest_int("depth", 1, 12)
    lr = trial.suggest_float("lr", 1e-4, 1, log=True)
    subsample = trial.suggest_float("subsample", 0.3, 1.0, step=0.05)
    alpha = trial.suggest_float("alpha", -3, 3)
    value = offset + (math.log2(leaves) - 5) ** 2 / 4 + (depth - 6) ** 2 / 10
    value += (math.log10(lr) + 1.5) ** 2 + (subsample - 0.8) ** 2 * 10
    value += (alpha - 1.234) ** 2 / 5
    if booster == "linear":
        l1 = trial.suggest_float("l1", 0, 1)
        value += (l1 - 0.2) ** 2
    return value


def conditional(trial):
    """A model-family space (as TuneBench.swift's): each family's own parameters, interacting within it."""
    family = trial.suggest_categorical("family", ["gbdt", "rf", "linear", "mlp"])
    if family == "gbdt":
        lr = math.log10(trial.suggest_float("gbdt_lr", 1e-3, 1, log=True))
        rounds = math.log10(trial.suggest_int("gbdt_rounds", 10, 1000, log=True))
        leaves = math.log2(trial.suggest_int("gbdt_leaves", 2, 256, log=True))
        return (lr + rounds - 1) ** 2 + (rounds - 2.5) ** 2 / 10 + (leaves - 5) ** 2 / 20
    if family == "rf":
        trees = math.log10(trial.suggest_int("rf_trees", 10, 1000, log=True))
        depth = trial.suggest_int("rf_depth", 1, 30)
        features = trial.suggest_float("rf_features", 0.1, 1)
        return 0.1 + (depth - 12) ** 2 / 100 + 4 * (features - depth / 20) ** 2 + (trees - 2.5) ** 2 / 10
    if family == "linear":
        c = math.log10(trial.suggest_float("linear_c", 1e-4, 1e4, log=True))
        l1 = trial.suggest_float("linear_l1", 0, 1)
        return 0.3 + (c - 2 * l1 - 1) ** 2 / 4 + (l1 - 0.5) ** 2
    width = math.log2(trial.suggest_int("mlp_width", 16, 512, log=True))
    lr = math.log10(trial.suggest_float("mlp_lr", 1e-5, 1e-1, log=True))
    dropout = trial.suggest_float("mlp_dropout", 0, 0.5)
    return 0.05 + (lr + 3 + (width - 7) / 4) ** 2 + 4 * (dropout - 0.1 - (width - 4) / 20) ** 2


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "rosenbrock10": rosenbrock10,
             "styblinski10": styblinski10, "mixed": mixed, "conditional": conditional}
OPTIMA = {"branin": 0.397887, "hartmann6": -3.32237, "rosenbrock10": 0.0, "styblinski10": -391.6617, "mixed": 0.0,
          "conditional": 0.0}


def trivial_2d(trial):
    x = trial.suggest_float("x", -10, 10)
    y = trial.suggest_float("y", -10, 10)
    return x * x + y * y


def trivial_mixed10(trial):
    v = trial.suggest_float("f0", -5, 5)
    v += trial.suggest_float("f1", 0, 1)
    v += trial.suggest_float("f2", 1e-5, 1, log=True)
    v += trial.suggest_float("f3", 0, 1, step=0.1)
    v += trial.suggest_int("i0", 0, 100)
    v += trial.suggest_int("i1", 1, 1024, log=True)
    v += trial.suggest_int("i2", 0, 100, step=5)
    v += 1 if trial.suggest_categorical("c0", ["a", "b", "c"]) == "a" else 0
    v += 1 if trial.suggest_categorical("c1", [1, 2, 3, 4, 5]) == 3 else 0
    v += trial.suggest_float("f4", -1, 1)
    return v


TRIVIAL = {"2d": trivial_2d, "mixed10": trivial_mixed10}


# --------------------------------------------------------------------------
# Optuna side

def optuna_sampler(kind, seed):
    import optuna
    if kind == "tpe":
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=10, n_ei_candidates=24,
                                          multivariate=False, constant_liar=False)
    if kind == "tpe-mv":
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=10, n_ei_candidates=24,
                                          multivariate=True, constant_liar=False)
    if kind == "tpe-group":
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=10, n_ei_candidates=24,
                                          multivariate=True, group=True, constant_liar=False)
    if kind == "tpe-default":
        # Optuna 5's defaults (multivariate, 24 candidates, constant liar: no running trial to lie about here).
        return optuna.samplers.TPESampler(seed=seed)
    if kind == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed)
    if kind == "gp":
        return optuna.samplers.GPSampler(seed=seed)
    return optuna.samplers.RandomSampler(seed=seed)


def optuna_quality(function, kind, seeds, trials, first_seed=0):
    import optuna
    at50, at_end, boosters = [], [], []
    for seed in range(first_seed, first_seed + seeds):
        study = optuna.create_study(direction="minimize", sampler=optuna_sampler(kind, seed))
        study.optimize(FUNCTIONS[function], n_trials=trials)
        values = [t.value for t in study.trials if t.value is not None]
        at50.append(min(values[:50]))
        at_end.append(min(values))
        if function == "mixed":
            boosters.append(["gbdt", "rf", "dart", "linear"].index(study.best_trial.params["booster"]))
    return at50, at_end, boosters


def bootstrap_verdict(ours, theirs, rounds=2000, seed=12345):
    """Seed-noise verdict on the difference of medians (ours - theirs, minimized).

    Each side's per-seed values are resampled with replacement on their own
    (seeds are not paired: the libraries draw different numbers); returns the
    2.5% and 97.5% quantiles of median(ours*) - median(theirs*) and
    "better" / "worse" when that interval excludes 0, else "tie".
    """
    import random
    rng = random.Random(seed)
    diffs = []
    for _ in range(rounds):
        a = [ours[rng.randrange(len(ours))] for _ in ours]
        b = [theirs[rng.randrange(len(theirs))] for _ in theirs]
        diffs.append(statistics.median(a) - statistics.median(b))
    diffs.sort()
    low, high = diffs[int(0.025 * rounds)], diffs[int(0.975 * rounds) - 1]
    return low, high, "better" if high < 0 else "worse" if low > 0 else "tie"


def optuna_overhead(space, trials, at, sqlite=None, kind="tpe"):
    import optuna
    starts = []
    objective = TRIVIAL[space]

    def timed(trial):
        starts.append(time.perf_counter())
        return objective(trial)

    storage = None
    if sqlite:
        for suffix in ["", "-wal", "-shm", "-journal"]:
            if os.path.exists(sqlite + suffix):
                os.remove(sqlite + suffix)
        storage = f"sqlite:///{sqlite}"
    study = optuna.create_study(direction="minimize", sampler=optuna_sampler(kind, 1), storage=storage)
    begin = time.perf_counter()
    study.optimize(timed, n_trials=trials)
    total = time.perf_counter() - begin
    gaps = sorted(starts[i + 1] - starts[i] for i in range(max(1, at - 5), min(trials - 1, at + 5)))
    last = sorted(starts[i + 1] - starts[i] for i in range(max(0, trials - 101), trials - 1))
    return {"per_trial_ms_at": gaps[len(gaps) // 2] * 1e3, "per_trial_ms_last100": last[len(last) // 2] * 1e3,
            "total_seconds": total}


# --------------------------------------------------------------------------
# Machine load (as bench/csv_run.py)

def others_load(interval=0.5):
    def nonidle():
        with open("/proc/stat") as fh:
            f = [int(x) for x in fh.readline().split()[1:9]]
        return (f[0] + f[1] + f[2] + f[5] + f[6] + f[7]) / HZ

    def own():
        s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime

    n0, o0, t0 = nonidle(), own(), time.monotonic()
    time.sleep(interval)
    n1, o1, t1 = nonidle(), own(), time.monotonic()
    return max(0.0, ((n1 - n0) - (o1 - o0)) / (t1 - t0))


def wait_until_quiet(threshold=0.1, max_wait=20.0):
    start = time.monotonic()
    while True:
        load = others_load()
        if load < threshold or time.monotonic() - start >= max_wait:
            return load


def pareto(binary, *arguments):
    out = subprocess.run([binary, "tune", *arguments], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------

def quality(args):
    last = args.first_seed + args.seeds - 1
    print(f"(a) quality: median over {args.seeds} seeds ({args.first_seed}-{last}) of the best value (minimized); "
          f"lower is better")
    print(f"{'function':13s} {'pair':16s} {'Pareto @50':>12s} {'Optuna @50':>12s} "
          f"{'Pareto @' + str(args.trials):>12s} {'Optuna @' + str(args.trials):>12s}  verdict @{args.trials}"
          f"  bootstrap @{args.trials} (95% of P-O)")
    verdicts, noise_verdicts = {}, {}
    chosen = args.samplers.split(",")
    pairs = [("tpe-default", "TPE defaults"), ("tpe", "TPE"), ("tpe-mv", "TPE multivar."), ("tpe-group", "TPE grouped"), ("random", "random"), ("cmaes", "CMA-ES"),
             ("gp", f"GP ({args.gp_seeds} seeds)")]
    # `conditional` (a model-family space, for grouped TPE) runs when named in --functions.
    functions = args.functions.split(",") if args.functions else [f for f in FUNCTIONS if f != "conditional"]
    for function in functions:
        for kind, label in pairs:
            if kind not in chosen or (kind in ("cmaes", "gp") and function in ("mixed", "conditional")):
                continue
            seeds = args.gp_seeds if kind == "gp" else args.seeds
            ours = pareto(args.pareto, "quality", "--function", function, "--sampler", kind,
                          "--trials", str(args.trials), "--seeds", str(seeds), "--first-seed", str(args.first_seed))
            t50, tend, theirs_boosters = optuna_quality(function, kind, seeds, args.trials, args.first_seed)
            p50, pend = statistics.median(ours["best_at_50"]), statistics.median(ours["best_at_end"])
            o50, oend = statistics.median(t50), statistics.median(tend)
            scale = max(abs(oend - OPTIMA[function]), 1e-12)
            gap = (pend - oend) / scale  # relative to Optuna's distance from the optimum
            verdict = "better" if gap < -0.02 else "worse" if gap > 0.02 else "same"
            verdicts[(function, kind)] = verdict
            low, high, noise_verdict = bootstrap_verdict(ours["best_at_end"], tend)
            noise_verdicts[(function, kind)] = noise_verdict
            print(f"{function:13s} {label:16s} {p50:12.5g} {o50:12.5g} {pend:12.5g} {oend:12.5g}  {verdict:7s}   "
                  f"{noise_verdict:6s} [{low:.4g}, {high:.4g}]", flush=True)
            if function == "mixed" and ours.get("best_booster"):
                names = ["gbdt", "rf", "dart", "linear"]
                count = lambda xs: ", ".join(f"{n} {sum(1 for x in xs if x == i)}" for i, n in enumerate(names))
                print(f"{'':13s} {'':16s} best trial's booster over seeds: Pareto {count(ours['best_booster'])}; "
                      f"Optuna {count(theirs_boosters)}", flush=True)
            if args.dump:
                with open(args.dump, "a") as fh:
                    fh.write(json.dumps({"function": function, "sampler": kind, "first_seed": args.first_seed,
                                         "pareto_at_50": ours["best_at_50"], "pareto_at_end": ours["best_at_end"],
                                         "optuna_at_50": t50, "optuna_at_end": tend,
                                         "pareto_booster": ours.get("best_booster", []),
                                         "optuna_booster": theirs_boosters}) + "\n")
    for kind in chosen:
        counts = {v: sum(1 for (f, k), x in verdicts.items() if k == kind and x == v) for v in ["better", "same", "worse"]}
        total = sum(1 for (f, k) in verdicts if k == kind)
        noise = {v: sum(1 for (f, k), x in noise_verdicts.items() if k == kind and x == v)
                 for v in ["better", "tie", "worse"]}
        print(f"  {kind}: Pareto better on {counts['better']}, same on {counts['same']}, worse on {counts['worse']}"
              f" of {total} functions (2% rule); beyond seed noise: better on {noise['better']}, worse on "
              f"{noise['worse']}, tie on {noise['tie']}")


def overhead(args):
    which = "each library's defaults" if args.overhead_sampler == "tpe-default" else "independent"
    print(f"\n(b) overhead: TPE ({which}), trivial objective, 1,000 trials; {args.rounds} rounds, A B A B")
    print(f"{'space':8s} {'storage':7s} {'':7s} {'ms/trial @200':>14s} {'ms/trial last100':>17s} {'s / 1000 trials':>16s}")
    scratch = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"pareto-tune-overhead-{os.getpid()}")
    for storage in args.storages.split(","):
        for space in args.spaces.split(","):
            ours, theirs = [], []
            extra = ["--sqlite", scratch + "-pareto.sqlite"] if storage == "sqlite" else []
            if args.overhead_sampler == "tpe-default":
                extra.append("--defaults")
            for _ in range(args.rounds):
                wait_until_quiet()
                ours.append(pareto(args.pareto, "overhead", "--space", space, "--trials", "1000", "--at", "200", *extra))
                wait_until_quiet()
                theirs.append(optuna_overhead(space, 1000, 200, sqlite=scratch + "-optuna.sqlite" if storage == "sqlite" else None,
                                              kind=args.overhead_sampler))
            ratio = {key: statistics.median(t[key] / o[key] for o, t in zip(ours, theirs))
                     for key in ["per_trial_ms_at", "per_trial_ms_last100", "total_seconds"]}
            for name, runs in [("Pareto", ours), ("Optuna", theirs)]:
                per = [r["per_trial_ms_at"] for r in runs]
                late = [r["per_trial_ms_last100"] for r in runs]
                tot = [r["total_seconds"] for r in runs]
                print(f"{space:8s} {storage:7s} {name:7s} {statistics.median(per):14.4f} {statistics.median(late):17.4f} "
                      f"{statistics.median(tot):16.3f}   (min-max {min(per):.4f}-{max(per):.4f} ms; {min(tot):.3f}-{max(tot):.3f} s)")
            print(f"{space:8s} {storage:7s} ratio Optuna/Pareto (pairwise medians): per trial @200 {ratio['per_trial_ms_at']:.1f}x, "
                  f"last 100 {ratio['per_trial_ms_last100']:.1f}x, total {ratio['total_seconds']:.1f}x", flush=True)
    for suffix in ["-pareto.sqlite", "-optuna.sqlite"]:
        for tail in ["", "-wal", "-shm", "-journal"]:
            if os.path.exists(scratch + suffix + tail):
                os.remove(scratch + suffix + tail)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", required=True)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--gp-seeds", type=int, default=5)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--functions", default="")
    parser.add_argument("--dump", default="")
    parser.add_argument("--samplers", default="tpe-default,tpe,tpe-mv,random,cmaes,gp")
    # (b)'s sampler: tpe = independent TPE on both sides; tpe-default = each library's TPESampler defaults.
    parser.add_argument("--overhead-sampler", choices=["tpe", "tpe-default"], default="tpe")
    parser.add_argument("--storages", default="memory,sqlite")
    parser.add_argument("--spaces", default="2d,mixed10")
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-overhead", action="store_true")
    args = parser.parse_args()
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    import warnings
    warnings.filterwarnings("ignore")
    print(f"Optuna {optuna.__version__}; Pareto {args.pareto}")
    if not args.skip_quality:
        quality(args)
    if not args.skip_overhead:
        overhead(args)


if __name__ == "__main__":
    sys.exit(main())
