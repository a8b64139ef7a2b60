"""Choose TPE's settings on development functions, apart from the benchmark's.

Runs `pareto-bench tune quality` for each setting on each development function
(`TuneDevFunctions` in Sources/ParetoBench/TuneBench.swift: none of the five
functions that bench/tune.py compares with Optuna), seeds first..first+N, and
prints, per setting, the average rank among the settings (ranked per function,
seed and budget: 50 and 100 trials; ties share their mean rank) and how many
functions its median best beats the baseline's (the first setting) on; for
`mixed2`, how many seeds end in its best category (a best value under 0.5:
every other category adds at least 0.5).

A setting's flags are `pareto-bench tune quality` flags, e.g.
  --setting "mv96=--sampler tpe-mv" --setting "ei=--sampler tpe-mv --weighting ei"

Usage:
  python3 bench/tpe_settings.py --pareto .build/release/pareto-bench [--seeds 20] [--first-seed 0]
      [--functions a,b] [--setting NAME=FLAGS ...] [--jobs 2] [--dump FILE.json]
"""
import argparse
import json
import shlex
import statistics
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

DEV = ["sphere5", "ackley5", "ackley10", "levy5", "levy10", "griewank5", "rastrigin5", "schwefel5",
       "hartmann3", "camel6", "goldstein", "ktablet10", "dixonprice10", "mixed2"]

DEFAULT_SETTINGS = [
    "independent=--sampler tpe",
    "multivariate=--sampler tpe-mv",
]


def run(binary, flags, function, seeds, first):
    command = [binary, "tune", "quality", "--function", function, "--seeds", str(seeds),
               "--first-seed", str(first)] + shlex.split(flags)
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    row = json.loads(out.strip().splitlines()[-1])
    return row["best_at_50"], row["best_at_end"]


def ranks(values):
    """Ranks from 1 (smallest); ties share their mean rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    result = [0.0] * len(values)
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            result[order[k]] = (i + j) / 2 + 1
        i = j + 1
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", required=True)
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--functions", default=",".join(DEV))
    parser.add_argument("--setting", action="append", default=[])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--dump")
    args = parser.parse_args()
    settings = [s.split("=", 1) for s in (args.setting or DEFAULT_SETTINGS)]
    functions = args.functions.split(",")
    jobs = [(name, flags, f) for name, flags in settings for f in functions]
    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(lambda j: run(args.pareto, j[1], j[2], args.seeds, args.first_seed), jobs))
    table = {}  # (setting, function) -> (at50, at100)
    for (name, _, f), r in zip(jobs, results):
        table[(name, f)] = r
    names = [n for n, _ in settings]
    total = {n: [] for n in names}
    for f in functions:
        for budget in (0, 1):
            for s in range(args.seeds):
                for n, r in zip(names, ranks([table[(n, f)][budget][s] for n in names])):
                    total[n].append(r)
    base = names[0]
    print(f"{args.seeds} seeds from {args.first_seed}; functions: {', '.join(functions)}")
    header = f"{'setting':<16} {'mean rank':>9}  {'median better/worse than ' + base + ' @50, @100':<44}"
    print(header)
    for n in names:
        counts = []
        for budget in (0, 1):
            better = sum(statistics.median(table[(n, f)][budget]) < statistics.median(table[(base, f)][budget])
                         for f in functions)
            worse = sum(statistics.median(table[(n, f)][budget]) > statistics.median(table[(base, f)][budget])
                        for f in functions)
            counts.append(f"{better}/{worse}")
        print(f"{n:<16} {statistics.mean(total[n]):>9.3f}  {counts[0]:>7} {counts[1]:>7}   {dict(settings)[n]}")
    print()
    print("median best @100 per function")
    print(f"{'function':<14}" + "".join(f"{n[:12]:>13}" for n in names))
    for f in functions:
        print(f"{f:<14}" + "".join(f"{statistics.median(table[(n, f)][1]):>13.5g}" for n in names))
    if "mixed2" in functions:
        print()
        print("mixed2: seeds ending in the best category (best < 0.5) @50, @100")
        for n in names:
            at50, at100 = (sum(v < 0.5 for v in table[(n, "mixed2")][b]) for b in (0, 1))
            print(f"{n:<16} {at50:>3} {at100:>3} of {args.seeds}")
    if args.dump:
        with open(args.dump, "w") as out:
            json.dump({f"{n}|{f}": table[(n, f)] for n, f in table}, out)


if __name__ == "__main__":
    sys.exit(main())
