"""Logistic regression on adult's one-hot design matrix: Pareto vs scikit-learn.

Builds one all-numeric design matrix (numeric columns standardized, every
categorical one-hot encoded with `?` as its own level) from
../shared/datasets/adult.csv, writes it to a temporary CSV, and fits the same
L2-penalized objective (C = 1) with Pareto's LogisticRegression (proximal
Newton + coordinate descent) and scikit-learn's lbfgs, saga and
newton-cholesky solvers, in one run. Prints median fit seconds (reading
excluded on both sides), the ratios, and how far each solution's
coefficients are from a tightly converged reference (scikit-learn's
newton-cholesky at tol 1e-12: the one-hot groups are collinear with the
intercept, so only the tiny L2 penalty pins the solution down and lbfgs
stops far from it).
"""
import argparse
import json
import os
import subprocess
import tempfile
import time
import warnings

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.exceptions import ConvergenceWarning

parser = argparse.ArgumentParser()
parser.add_argument("--pareto", required=True)
parser.add_argument("--data", default=os.path.join(os.path.dirname(__file__), "../../shared/datasets/adult.csv"))
parser.add_argument("--target", default="income")
parser.add_argument("--repeat", type=int, default=5)
parser.add_argument("--c", type=float, default=1.0)
args = parser.parse_args()

frame = pd.read_csv(args.data, skipinitialspace=True)
y_text = frame.pop(args.target).astype(str)
positive = sorted(y_text.unique())[-1]
y = (y_text == positive).astype(np.float64).to_numpy()
numeric = frame.select_dtypes(include="number").columns
categorical = [c for c in frame.columns if c not in numeric]
parts = [(frame[numeric] - frame[numeric].mean()) / frame[numeric].std(ddof=0)]
parts.append(pd.get_dummies(frame[categorical].astype(str), dtype=np.float64))
X = pd.concat(parts, axis=1).to_numpy(dtype=np.float64)
print(f"design matrix: {X.shape[0]} rows x {X.shape[1]} columns ({len(numeric)} numeric standardized, "
      f"{len(categorical)} categorical one-hot), positive class {positive!r}")

def timed(fit, repeats):
    times, model = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        model = fit()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), model

warnings.simplefilter("ignore", ConvergenceWarning)
reference = LogisticRegression(C=args.c, tol=1e-12, max_iter=1000, solver="newton-cholesky").fit(X, y)
ref = np.concatenate([reference.intercept_, reference.coef_.ravel()])

def distance(coefficients):
    return float(np.max(np.abs(coefficients - ref)) / np.max(np.abs(ref)))

results = []
for solver, tol in [("lbfgs", 1e-4), ("saga", 1e-4), ("newton-cholesky", 1e-4)]:
    seconds, model = timed(lambda: LogisticRegression(C=args.c, tol=tol, max_iter=10000, solver=solver).fit(X, y),
                           args.repeat if solver != "saga" else max(1, args.repeat // 2))
    coefficients = np.concatenate([model.intercept_, model.coef_.ravel()])
    results.append((f"sklearn {solver} (tol {tol:g})", seconds, distance(coefficients), int(model.n_iter_[0])))

with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "design.csv")
    columns = [f"x{j}" for j in range(X.shape[1])]
    out = pd.DataFrame(X, columns=columns)
    out["y"] = y.astype(int)
    out.to_csv(path, index=False, float_format="%.17g")
    for tol in [1e-8, 1e-4]:
        coef_path = os.path.join(tmp, "coef.txt")
        line = subprocess.run([args.pareto, "logistic", "--data", path, "--target", "y", "--c", str(args.c),
                               "--tolerance", str(tol), "--repeat", str(args.repeat), "--coefficients", coef_path],
                              check=True, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        report = json.loads(line)
        coefficients = np.loadtxt(coef_path, delimiter=",")
        results.insert(0 if tol == 1e-8 else 1,
                       (f"pareto (tol {tol:g})", report["seconds"], distance(coefficients), report["iterations"]))

print(f"\n{'solver':<32}{'fit s (median)':>16}{'max |coef - ref| / max |ref|':>32}{'iterations':>12}")
for name, seconds, gap, iterations in results:
    print(f"{name:<32}{seconds:>16.4f}{gap:>32.2e}{iterations:>12}")
pareto = results[0][1]
print()
for name, seconds, _, _ in results[2:]:
    print(f"{name} / pareto (tol 1e-8): {seconds / pareto:.2f}x  (pareto is {seconds / pareto:.2f} times faster)")
