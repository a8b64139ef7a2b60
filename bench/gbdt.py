#!/usr/bin/env python3
"""GBDT benchmark: Pareto vs LightGBM, XGBoost and scikit-learn, in one run.

  gbdt.py --pareto BIN [--rows 1000000] [--task binary|regression] [--rounds 3] [--threads 2]

Data (generated once, cached in bench/.data): scikit-learn's
make_classification(n_samples=ROWS, n_features=28, n_informative=14,
n_redundant=6, random_state=0) or make_regression(n_samples=ROWS,
n_features=28, n_informative=14, noise=10, random_state=0); the first 80%
of rows train, the rest test. Pareto reads CSV copies (its read time is not
counted); the peers get numpy arrays. Every tool trains 100 trees with 31
leaves, learning rate 0.1, 255 bins, 20 rows per leaf at least, on THREADS
threads, in a fresh process per run, tools interleaved round by round.
Test AUC (binary) or RMSE (regression) is computed here with scikit-learn
from each tool's saved predictions.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from csv_run import wait_until_quiet  # noqa: E402

# The parent process stays small: numpy, scikit-learn and the data are only
# loaded in child processes (`--make-data`, `--score`). On Linux a child's
# peak-RSS figure starts at its parent's resident size at fork time, so a
# large parent would inflate every tool's memory figure.


def make_data(rows: int, task: str) -> str:
    prefix = os.path.join(HERE, ".data", f"gbdt_{task}_{rows}")
    if os.path.exists(prefix + ".test.csv"):
        return prefix
    import numpy as np
    from sklearn.datasets import make_classification, make_regression

    os.makedirs(os.path.dirname(prefix), exist_ok=True)
    if task == "binary":
        X, y = make_classification(n_samples=rows, n_features=28, n_informative=14, n_redundant=6, random_state=0)
    else:
        X, y = make_regression(n_samples=rows, n_features=28, n_informative=14, noise=10, random_state=0)
    cut = rows * 8 // 10
    for part, (Xp, yp) in {"train": (X[:cut], y[:cut]), "test": (X[cut:], y[cut:])}.items():
        np.savez(prefix + f".{part}.npz", X=Xp, y=yp.astype(np.float64))
        header = ",".join([f"f{i}" for i in range(28)] + ["y"])
        np.savetxt(prefix + f".{part}.csv", np.column_stack([Xp, yp]), delimiter=",", header=header,
                   comments="", fmt="%.17g")
    return prefix


def score(prefix: str, predictions_path: str, task: str) -> float:
    import numpy as np
    from sklearn.metrics import mean_squared_error, roc_auc_score

    y_test = np.load(prefix + ".test.npz")["y"]
    predictions = np.loadtxt(predictions_path) if predictions_path.endswith(".txt") else np.load(predictions_path)
    if task == "binary":
        return float(roc_auc_score(y_test, predictions))
    return float(mean_squared_error(y_test, predictions) ** 0.5)


def run(command: list[str]) -> dict:
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", required=True)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--task", choices=["binary", "regression"], default="binary")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--tools", default="pareto,lightgbm,xgboost,sklearn")
    parser.add_argument("--make-data", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--score", nargs=2, metavar=("PREFIX", "PREDICTIONS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_data:
        print(make_data(args.rows, args.task))
        return
    if args.score:
        print(json.dumps({"metric": score(args.score[0], args.score[1], args.task)}))
        return

    me = [sys.executable, os.path.abspath(__file__), "--pareto", args.pareto, "--rows", str(args.rows),
          "--task", args.task]
    prefix = subprocess.run(me + ["--make-data"], capture_output=True, text=True, check=True).stdout.strip()
    tools = args.tools.split(",")
    results: dict[str, list[dict]] = {t: [] for t in tools}
    for round_ in range(args.rounds):
        for tool in tools:
            wait_until_quiet(0.05, 20)
            out = os.path.join(HERE, ".data", f"pred_{tool}.npy")
            if tool == "pareto":
                text_out = out + ".txt"
                record = run([args.pareto, "gbdt", "--train", prefix + ".train.csv", "--test", prefix + ".test.csv",
                              "--target", "y", "--objective", args.task, "--threads", str(args.threads),
                              "--predictions", text_out])
                out = text_out
            else:
                record = run([sys.executable, os.path.join(HERE, "gbdt_peer.py"), tool, prefix, args.task,
                              str(args.threads), out])
            record["metric"] = run(me + ["--score", prefix, out])["metric"]
            record["total_seconds"] = record["construct_seconds"] + record["train_seconds"]
            results[tool].append(record)
            print(f"  round {round_ + 1} {tool:9s} construct {record['construct_seconds']:.2f} s  "
                  f"train {record['train_seconds']:.2f} s  peak {record['peak_rss_bytes'] / 1e6:.0f} MB  "
                  f"{'AUC' if args.task == 'binary' else 'RMSE'} {record['metric']:.5f}", flush=True)

    metric = "test AUC" if args.task == "binary" else "test RMSE"
    print(f"\n{args.rows:,} rows ({args.rows * 8 // 10:,} train), 28 features, {args.task}, "
          f"{args.threads} threads, medians of {args.rounds} runs")
    print(f"{'tool':10s} {'construct s':>12s} {'train s':>9s} {'total s':>9s} {'peak MB':>9s} {metric:>10s}")
    for tool in tools:
        r = results[tool]
        med = lambda key: statistics.median(x[key] for x in r)  # noqa: E731
        print(f"{tool:10s} {med('construct_seconds'):12.2f} {med('train_seconds'):9.2f} {med('total_seconds'):9.2f} "
              f"{med('peak_rss_bytes') / 1e6:9.0f} {med('metric'):10.5f}")
    if "pareto" in tools:
        print()
        for tool in tools:
            if tool == "pareto":
                continue
            ratios = [p["total_seconds"] / q["total_seconds"] for p, q in zip(results["pareto"], results[tool])]
            memory = [p["peak_rss_bytes"] / q["peak_rss_bytes"] for p, q in zip(results["pareto"], results[tool])]
            delta = statistics.median(x["metric"] for x in results["pareto"]) - statistics.median(
                x["metric"] for x in results[tool])
            print(f"Pareto/{tool}: total time {statistics.median(ratios):.2f}x "
                  f"(range {min(ratios):.2f}x-{max(ratios):.2f}x), peak memory {statistics.median(memory):.2f}x, "
                  f"{metric} difference {delta:+.5f}")


if __name__ == "__main__":
    main()
