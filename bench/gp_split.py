#!/usr/bin/env python3
"""GP sampler quality and cost, Pareto vs Optuna, with the slow side run apart.

  gp_split.py optuna --dump FILE.jsonl [--seeds 12] [--first-seed 0] [--trials 100] [--functions LIST]
  gp_split.py compare --pareto BIN --dump FILE.jsonl [--trials 100] [--functions LIST]
  gp_split.py time --pareto BIN [--rounds 3] [--trials 100] [--functions hartmann6] [--first-seed 0]

Optuna's GPSampler fits a torch model by L-BFGS-B every trial (tens of seconds
to minutes per 100-trial study on this machine), so 20 seeds of four functions
take hours. `optuna` runs it seed by seed (seeds outermost, so a cut-off run
still has every function for the seeds done), appending one JSON line per
study: the best value after 50 and after `trials` trials and the study's wall
time. `compare` runs Pareto's GPSampler (`pareto-bench tune quality --sampler
gp`, one process per seed so each study is timed alone) on exactly the seeds
and functions the dump holds and prints tune.py's table: medians over seeds at
50 and at the end, the 2% verdict, and tune.py's bootstrap verdict on the
difference of the medians; then the median wall time of a study on each side.
`time` measures the cost per trial on both sides in one run: one
100-trial study per side and round (Pareto A, Optuna B, A B ...), each after
tune.py's wait for a quiet machine, printing the study's seconds, seconds per
trial, the CPU other processes used meanwhile, the medians and the pairwise
ratio Optuna / Pareto. The test functions and the bootstrap are tune.py's own (imported, not copied).
Both sides seed by seed are deterministic for a seed, so the two halves may
run at different times; the wall times are only comparable when both ran on a
quiet machine.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tune  # noqa: E402  (the functions, OPTIMA and bootstrap_verdict)

CONTINUOUS = ["branin", "hartmann6", "rosenbrock10", "styblinski10"]


def run_optuna(args):
    import optuna
    import warnings
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore")
    functions = args.functions.split(",") if args.functions else CONTINUOUS
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        for function in functions:
            begin = time.perf_counter()
            study = optuna.create_study(direction="minimize", sampler=optuna.samplers.GPSampler(seed=seed))
            study.optimize(tune.FUNCTIONS[function], n_trials=args.trials)
            seconds = time.perf_counter() - begin
            values = [t.value for t in study.trials if t.value is not None]
            record = {"function": function, "seed": seed, "trials": args.trials, "at50": min(values[:50]),
                      "at_end": min(values), "seconds": seconds, "optuna": optuna.__version__}
            with open(args.dump, "a") as fh:
                fh.write(json.dumps(record) + "\n")
            print(json.dumps(record), flush=True)


def run_compare(args):
    with open(args.dump) as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    records = [r for r in records if r["trials"] == args.trials]
    functions = args.functions.split(",") if args.functions else CONTINUOUS
    print(f"GP sampler, {args.trials} trials: Pareto {args.pareto} vs Optuna {records[0]['optuna'] if records else '?'}")
    print(f"{'function':13s} {'seeds':>5s} {'Pareto @50':>12s} {'Optuna @50':>12s} {'Pareto @' + str(args.trials):>12s} "
          f"{'Optuna @' + str(args.trials):>12s}  verdict  bootstrap (95% of P-O)   s/study Pareto  Optuna")
    for function in functions:
        theirs = {r["seed"]: r for r in records if r["function"] == function}
        if not theirs:
            continue
        seeds = sorted(theirs)
        ours50, ours_end, our_seconds = [], [], []
        for seed in seeds:
            begin = time.perf_counter()
            out = tune.pareto(args.pareto, "quality", "--function", function, "--sampler", "gp",
                              "--trials", str(args.trials), "--seeds", "1", "--first-seed", str(seed))
            our_seconds.append(time.perf_counter() - begin)
            ours50.append(out["best_at_50"][0])
            ours_end.append(out["best_at_end"][0])
        t50 = [theirs[s]["at50"] for s in seeds]
        tend = [theirs[s]["at_end"] for s in seeds]
        p50, pend = statistics.median(ours50), statistics.median(ours_end)
        o50, oend = statistics.median(t50), statistics.median(tend)
        scale = max(abs(oend - tune.OPTIMA[function]), 1e-12)
        gap = (pend - oend) / scale
        verdict = "better" if gap < -0.02 else "worse" if gap > 0.02 else "same"
        low, high, noise = tune.bootstrap_verdict(ours_end, tend)
        print(f"{function:13s} {len(seeds):5d} {p50:12.5g} {o50:12.5g} {pend:12.5g} {oend:12.5g}  {verdict:7s}  "
              f"{noise:6s} [{low:.4g}, {high:.4g}]   {statistics.median(our_seconds):8.3f} "
              f"{statistics.median(theirs[s]['seconds'] for s in seeds):8.2f}", flush=True)
        if args.verbose:
            print("   Pareto per seed: " + " ".join(f"{v:.5g}" for v in ours_end))
            print("   Optuna per seed: " + " ".join(f"{v:.5g}" for v in tend))


def run_time(args):
    import optuna
    import warnings
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore")
    functions = args.functions.split(",") if args.functions else ["hartmann6"]
    print(f"GP study of {args.trials} trials, seed {args.first_seed}: wall seconds per study (ms per trial), "
          f"{args.rounds} rounds A B A B; Optuna {optuna.__version__}")
    for function in functions:
        ours, theirs = [], []
        for _ in range(args.rounds):
            tune.wait_until_quiet()
            before = tune.others_load(0.2)
            begin = time.perf_counter()
            tune.pareto(args.pareto, "quality", "--function", function, "--sampler", "gp",
                        "--trials", str(args.trials), "--seeds", "1", "--first-seed", str(args.first_seed))
            ours.append(time.perf_counter() - begin)
            tune.wait_until_quiet()
            begin = time.perf_counter()
            study = optuna.create_study(direction="minimize", sampler=optuna.samplers.GPSampler(seed=args.first_seed))
            study.optimize(tune.FUNCTIONS[function], n_trials=args.trials)
            theirs.append(time.perf_counter() - begin)
            after = tune.others_load(0.2)
            print(f"  {function:13s} Pareto {ours[-1]:8.3f} s ({ours[-1] / args.trials * 1e3:7.2f} ms/trial)  "
                  f"Optuna {theirs[-1]:8.3f} s ({theirs[-1] / args.trials * 1e3:7.2f} ms/trial)  "
                  f"others' load before/after {before:.2f}/{after:.2f} cores", flush=True)
        ratio = statistics.median(t / o for o, t in zip(ours, theirs))
        print(f"{function:13s} median Pareto {statistics.median(ours):.3f} s, Optuna {statistics.median(theirs):.3f} s "
              f"(min-max {min(ours):.3f}-{max(ours):.3f} / {min(theirs):.3f}-{max(theirs):.3f}); "
              f"ratio Optuna/Pareto (pairwise median) {ratio:.1f}x", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["optuna", "compare", "time"])
    parser.add_argument("--dump", default="", help="the JSON-lines file of Optuna's side (optuna, compare)")
    parser.add_argument("--pareto", default="")
    parser.add_argument("--seeds", type=int, default=12)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--functions", default="")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.mode == "optuna":
        run_optuna(args)
    elif args.mode == "time":
        run_time(args)
    else:
        run_compare(args)


if __name__ == "__main__":
    sys.exit(main())
