#!/usr/bin/env python3
"""MLP training speed and accuracy: Pareto vs PyTorch (CPU) and scikit-learn, one run.

  mlp.py --pareto BIN [--rounds 3] [--epochs 5] [--rows 100000] [--test-rows 20000]
         [--threads 2] [--precisions fp32,fp16,bf16] [--no-sklearn]

Data: scikit-learn's make_classification (28 features, 14 informative, 6
redundant, random_state 0), the first --rows rows for training and the next
--test-rows for testing, written once to bench/.data/ as CSV with 9
significant digits and read back by every tool, so all train on the same
float32 values. The network: 28 -> 256 -> 256 -> 1, ReLU, binary
cross-entropy on the logit, Adam (lr 1e-3, PyTorch's betas and epsilon, no
weight decay), batch 256, rows reshuffled every epoch, --epochs epochs.

  Pareto       pareto-bench mlp (NetworkTrainer; --threads threads; each
               precision in --precisions); epoch time from its own profile
  PyTorch      torch.set_num_threads(--threads); a plain training loop
               (randperm, index, zero_grad, forward, backward, step)
  scikit-learn MLPClassifier(solver="adam", alpha=0, batch_size=256,
               max_iter=--epochs, tol=0), BLAS limited to --threads threads;
               per-epoch time = fit time / epochs

Reading the CSVs is not timed for anyone. Each round runs every tool once,
in an order rotated by one each round, after waiting for the machine to be idle; the report
gives each tool's median epoch time over rounds (with min-max), test ROC
AUC (scikit-learn's roc_auc_score on each tool's scores) and the median of
per-round ratios Pareto/peer. Other processes' CPU use during each run is
measured from /proc/stat and printed, so a disturbed round can be seen.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, ".data")


def busy_jiffies():
    with open("/proc/stat") as f:
        parts = f.readline().split()[1:]
    values = [int(v) for v in parts]
    idle = values[3] + values[4]
    return sum(values[:8]) - idle


def own_jiffies():
    t = os.times()
    return (t.user + t.system + t.children_user + t.children_system) * os.sysconf("SC_CLK_TCK")


def wait_idle(limit=0.05, timeout=20):
    """Waits (up to timeout s) until other processes use under `limit` cores."""
    tick = os.sysconf("SC_CLK_TCK")
    start = time.time()
    while time.time() - start < timeout:
        b0, t0 = busy_jiffies(), time.time()
        time.sleep(0.5)
        cores = (busy_jiffies() - b0) / tick / (time.time() - t0)
        if cores < limit:
            return cores
    return cores


class LoadMeter:
    """Other processes' CPU (cores) while a block runs."""

    def __enter__(self):
        self.busy, self.own, self.t = busy_jiffies(), own_jiffies(), time.time()
        return self

    def __exit__(self, *exc):
        tick = os.sysconf("SC_CLK_TCK")
        other = (busy_jiffies() - self.busy) - (own_jiffies() - self.own)
        self.cores = max(0.0, other / tick / max(1e-9, time.time() - self.t))


def make_data(rows, test_rows):
    os.makedirs(DATA, exist_ok=True)
    train_path = os.path.join(DATA, f"mlp_train_{rows}.csv")
    test_path = os.path.join(DATA, f"mlp_test_{test_rows}.csv")
    if not (os.path.exists(train_path) and os.path.exists(test_path)):
        import numpy as np
        from sklearn.datasets import make_classification

        X, y = make_classification(n_samples=rows + test_rows, n_features=28, n_informative=14, n_redundant=6,
                                   random_state=0)
        header = ",".join(f"f{i}" for i in range(28)) + ",y"
        for path, sl in ((train_path, slice(0, rows)), (test_path, slice(rows, rows + test_rows))):
            block = np.column_stack([X[sl], y[sl]])
            np.savetxt(path + ".tmp", block, delimiter=",", header=header, comments="", fmt="%.9g")
            os.replace(path + ".tmp", path)
    return train_path, test_path


def load(path):
    import numpy as np

    block = np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float64)
    return block[:, :-1].astype(np.float32), block[:, -1].astype(np.float32)


def run_pareto(binary, train, test, precision, args):
    scores_path = os.path.join(DATA, f"mlp_scores_{precision}.txt")
    out = subprocess.run([binary, "mlp", "--train", train, "--test", test, "--target", "y", "--epochs", str(args.epochs),
                          "--batch", "256", "--lr", "0.001", "--threads", str(args.threads), "--precision", precision,
                          "--predictions", scores_path], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"pareto-bench mlp failed: {out.stdout}{out.stderr}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    import numpy as np

    result["scores"] = np.loadtxt(scores_path)
    return result


def run_torch(Xtr, ytr, Xte, args):
    import torch

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(28, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256), torch.nn.ReLU(),
                                torch.nn.Linear(256, 1))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    X, y = torch.from_numpy(Xtr), torch.from_numpy(ytr)
    n = X.shape[0]
    times = []
    for _ in range(args.epochs):
        start = time.perf_counter()
        order = torch.randperm(n)
        for i in range(0, n, 256):
            index = order[i:i + 256]
            optimizer.zero_grad()
            loss = loss_fn(model(X[index]).squeeze(1), y[index])
            loss.backward()
            optimizer.step()
        times.append(time.perf_counter() - start)
    with torch.no_grad():
        scores = model(torch.from_numpy(Xte)).squeeze(1).numpy()
    return {"epoch_seconds": times, "scores": scores, "version": torch.__version__}


def run_sklearn(Xtr, ytr, Xte, args):
    import warnings

    import sklearn
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    from threadpoolctl import threadpool_limits

    model = MLPClassifier(hidden_layer_sizes=(256, 256), activation="relu", solver="adam", alpha=0.0, batch_size=256,
                          learning_rate_init=1e-3, max_iter=args.epochs, shuffle=True, random_state=0, tol=0.0,
                          n_iter_no_change=args.epochs + 1)
    with threadpool_limits(args.threads), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(Xtr, ytr.astype(int))
        seconds = time.perf_counter() - start
    scores = model.predict_proba(Xte)[:, 1]
    return {"epoch_seconds": [seconds / args.epochs], "scores": scores, "version": sklearn.__version__}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--pareto", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--test-rows", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precisions", default="fp32,fp16,bf16")
    parser.add_argument("--no-sklearn", action="store_true")
    args = parser.parse_args()

    from sklearn.metrics import roc_auc_score

    train, test = make_data(args.rows, args.test_rows)
    Xtr, ytr = load(train)
    Xte, yte = load(test)
    tools = [f"pareto {p}" for p in args.precisions.split(",")] + ["pytorch"] + ([] if args.no_sklearn else ["sklearn"])
    epoch = {t: [] for t in tools}
    auc = {t: [] for t in tools}
    load_seen = {t: [] for t in tools}
    extra = {}
    for r in range(args.rounds):
        # Rotate the order each round, so a position's effect (the first run after the idle wait) spreads over tools.
        for tool in tools[r % len(tools):] + tools[:r % len(tools)]:
            wait_idle()
            with LoadMeter() as meter:
                if tool.startswith("pareto"):
                    result = run_pareto(args.pareto, train, test, tool.split()[1], args)
                    extra[tool] = result
                elif tool == "pytorch":
                    result = run_torch(Xtr, ytr, Xte, args)
                else:
                    result = run_sklearn(Xtr, ytr, Xte, args)
            extra.setdefault(tool + " version", result.get("version", ""))
            epoch[tool].append(statistics.median(result["epoch_seconds"]))
            auc[tool].append(roc_auc_score(yte, result["scores"]))
            load_seen[tool].append(meter.cores)
            print(f"round {r + 1}: {tool:12s} {epoch[tool][-1]:8.3f} s/epoch  AUC {auc[tool][-1]:.5f}  "
                  f"(other processes {meter.cores:.2f} cores)", flush=True)

    print()
    print(f"MLP 28-256-256-1, {args.rows:,} training rows, batch 256, Adam, {args.epochs} epochs, {args.threads} threads; "
          f"median of {args.rounds} rounds (min-max); test AUC on {args.test_rows:,} rows")
    print(f"PyTorch {extra.get('pytorch version', '')}, scikit-learn {extra.get('sklearn version', '')}")
    print(f"{'tool':14s} {'s/epoch':>9s} {'min-max':>17s} {'test AUC':>9s}")
    for tool in tools:
        e = epoch[tool]
        print(f"{tool:14s} {statistics.median(e):9.3f} {min(e):8.3f}-{max(e):<8.3f} {statistics.median(auc[tool]):9.5f}")
    for tool in tools:
        if not tool.startswith("pareto"):
            continue
        for peer in ("pytorch", "sklearn", "pareto fp32"):
            if peer in epoch and peer != tool:
                ratios = [a / b for a, b in zip(epoch[tool], epoch[peer])]
                print(f"{tool} / {peer}: {statistics.median(ratios):.2f}x time per epoch (per-round ratios "
                      f"{', '.join(f'{x:.2f}' for x in ratios)})")
    for tool in tools:
        if tool.startswith("pareto"):
            p = extra[tool]
            print(f"{tool} phases over all epochs of the last round: forward {p['forward_seconds']:.2f} s, backward "
                  f"{p['backward_seconds']:.2f} s, optimizer {p['optimizer_seconds']:.2f} s, data {p['data_seconds']:.2f} s; "
                  f"skipped steps {p['skipped_steps']}")


if __name__ == "__main__":
    main()
