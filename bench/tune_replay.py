#!/usr/bin/env python3
"""One history, both samplers: does Pareto's TPE propose like Optuna's?

  tune_replay.py --pareto BIN --function mixed --sampler tpe|tpe-mv
                 [--history-seed 0] [--history-trials 40] [--draws 1000] [--candidates N]

A seed-level comparison of two libraries mixes their samplers' behaviour
with the luck of their random streams. This fixes the history instead: it
runs Optuna's sampler (the same `--sampler`, seed `--history-seed`) for
`--history-trials` trials of the function and keeps their parameters; both
libraries then rebuild exactly that history and propose the next trial with
`--draws` different sampler seeds. Printed: how often each categorical
choice is proposed (mixed space) with a chi-square test of equal
proportions, and the quartiles of the proposals' values with a Mann-Whitney
test. `--candidates` sets Pareto's candidate count (default: its own, 96
for multivariate; Optuna's is 24). Equal samplers give p-values spread uniformly; a real difference in
the model shows as a tiny p on some histories.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tune  # noqa: E402  (the test functions and Optuna's sampler settings)

CHOICES = ["gbdt", "rf", "dart", "linear"]


def make_history(function, kind, seed, trials):
    import optuna
    study = optuna.create_study(direction="minimize", sampler=tune.optuna_sampler(kind, seed))
    study.optimize(tune.FUNCTIONS[function], n_trials=trials)
    return [t.params for t in study.trials]


def optuna_draws(function, kind, history, draws):
    import optuna
    study = optuna.create_study(direction="minimize", sampler=optuna.samplers.RandomSampler(seed=0))
    for params in history:
        study.enqueue_trial(params)
    study.optimize(tune.FUNCTIONS[function], n_trials=len(history))
    values, boosters, proposals = [], [], {}
    for seed in range(draws):
        study.sampler = tune.optuna_sampler(kind, seed)
        trial = study.ask()
        values.append(tune.FUNCTIONS[function](trial))
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
        if "booster" in trial.params:
            boosters.append(CHOICES.index(trial.params["booster"]))
        for name, value in trial.params.items():
            proposals.setdefault(name, []).append(CHOICES.index(value) if name == "booster" else value)
    return values, boosters, proposals


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", required=True)
    parser.add_argument("--function", default="mixed")
    parser.add_argument("--sampler", default="tpe-mv")
    parser.add_argument("--history-seed", type=int, default=0)
    parser.add_argument("--history-trials", type=int, default=40)
    parser.add_argument("--draws", type=int, default=1000)
    parser.add_argument("--candidates", type=int, default=0)
    args = parser.parse_args()
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    import warnings
    warnings.filterwarnings("ignore")
    from scipy import stats

    history = make_history(args.function, args.sampler, args.history_seed, args.history_trials)
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(history, fh)
        path = fh.name
    try:
        out = subprocess.run([args.pareto, "tune", "replay", "--function", args.function, "--sampler", args.sampler,
                              "--history", path, "--draws", str(args.draws),
                              *(["--candidates", str(args.candidates)] if args.candidates else [])], capture_output=True, text=True, check=True)
    finally:
        os.remove(path)
    ours = json.loads(out.stdout.strip().splitlines()[-1])
    theirs_values, theirs_boosters, theirs_params = optuna_draws(args.function, args.sampler, history, args.draws)
    best = min(tune.FUNCTIONS[args.function](optuna.trial.FixedTrial(p)) for p in history)
    line = (f"{args.function} {args.sampler}{' c=' + str(args.candidates) if args.candidates else ''} history seed {args.history_seed}, {args.history_trials} trials "
            f"(best {best:.4g}), {args.draws} draws:")
    q = lambda xs: statistics.quantiles(xs, n=4)
    pv, ov = ours["values"], theirs_values
    mw = stats.mannwhitneyu(pv, ov).pvalue
    line += (f" value quartiles Pareto {q(pv)[0]:.4g}/{q(pv)[1]:.4g}/{q(pv)[2]:.4g},"
             f" Optuna {q(ov)[0]:.4g}/{q(ov)[1]:.4g}/{q(ov)[2]:.4g} (Mann-Whitney p={mw:.3g})")
    if ours["booster"] and theirs_boosters:
        pc = [sum(1 for b in ours["booster"] if b == i) for i in range(4)]
        oc = [sum(1 for b in theirs_boosters if b == i) for i in range(4)]
        keep = [i for i in range(4) if pc[i] + oc[i] > 0]
        chi = stats.chi2_contingency([[pc[i] for i in keep], [oc[i] for i in keep]]).pvalue if len(keep) > 1 else 1.0
        line += (f"; booster Pareto {dict(zip(CHOICES, pc))}, Optuna {dict(zip(CHOICES, oc))}"
                 f" (chi-square p={chi:.3g})")
    print(line, flush=True)
    # Per numeric parameter (continuous functions and the mixed space's numbers): where the two differ.
    for name in sorted(set(ours.get("parameters", {})) & set(theirs_params)):
        a, b = ours["parameters"][name], theirs_params[name]
        if name == "booster" or len(a) < 20 or len(b) < 20:
            continue
        p = stats.mannwhitneyu(a, b).pvalue
        ks = stats.ks_2samp(a, b).pvalue
        print(f"    {name:10s} median Pareto {statistics.median(a):.4g} Optuna {statistics.median(b):.4g}"
              f"  Mann-Whitney p={p:.3g}  KS p={ks:.3g}  (n {len(a)} / {len(b)})", flush=True)


if __name__ == "__main__":
    sys.exit(main())
