#!/usr/bin/env python3
"""Regenerate metrics.json, the expected values of ParetoEval's metric tests.

Usage (from the repository root, with the benchmark venv, which has
scikit-learn, numpy and scipy):

    bench/.venv/bin/python Tests/ParetoEvalTests/Fixtures/make_metric_fixtures.py

Deterministic (numpy seed 20240611); re-running it rewrites metrics.json
byte for byte. Last generated with scikit-learn 1.9.1, numpy 2.4.6.

What it writes
--------------
metrics.json = {"generator": {...versions...},
                "cases": [case, ...],
                "percentiles": [{"values": [...], "p": [...], "expected": [...]}, ...]}

case = {"name": str,
        "classCount": k (0 for regression),
        "targets": [...],               # class indices 0..k-1, or values
        "predictions": [...],           # row-major, outputsPerRow per row
        "outputsPerRow": 1 or k,
        "weights": [...] or null,
        "expected": [check, ...]}

check = {"metric": name,                # a name Metrics.named accepts, or
                                        # "confusion_matrix" / "expected_cost"
         "threshold": t,                # optional: binary decision threshold
         "bins": b,                     # optional: calibration bins
         "costs": [[...]],              # expected_cost only
         "value": x | "matrix": [[...]] # the expected value, or
         "error": "text"}               # a text the thrown error must contain

Where the values come from: scikit-learn 1.9 for every metric it has
(labels=range(k) passed where it takes them, so absent classes still get a
row and column); a short numpy implementation below for the expected and
maximum calibration errors (scikit-learn has none); numpy's default (linear)
percentile for latency percentiles; and numpy arithmetic on scikit-learn's
weighted confusion matrix for the expected cost.

Predicted labels follow Pareto's rule: a binary row is class 1 when its
class-1 score is strictly above the threshold; otherwise the first class of
highest probability (numpy's argmax).
"""
import json
import os
import warnings

import numpy as np
import sklearn
from sklearn import metrics as M

warnings.simplefilter("ignore")  # zero-division and similar warnings are the cases under test
HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20240611)


# ---------------------------------------------------------------- helpers

def softmax(logits):
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def predicted_labels(P, k, threshold=0.5):
    if P.ndim == 1:
        return (P > threshold).astype(int)
    if k == 2:
        return (P[:, 1] > threshold).astype(int)
    return P.argmax(axis=1)


def calibration_errors(y, P, k, w, bins):
    """ECE and MCE over equal-width bins (independent of Pareto's code)."""
    if P.ndim == 1:
        conf, hit = P, y.astype(float)
    elif k == 2:
        conf, hit = P[:, 1], y.astype(float)
    else:
        best = P.argmax(axis=1)
        conf, hit = P[np.arange(len(y)), best], (best == y).astype(float)
    w = np.ones(len(y)) if w is None else w
    # scikit-learn's calibration_curve bins: (e_i, e_i+1], the first also holding 0.
    idx = np.searchsorted(np.linspace(0.0, 1.0, bins + 1)[1:-1], conf)
    W = np.bincount(idx, weights=w, minlength=bins)
    C = np.bincount(idx, weights=w * conf, minlength=bins)
    H = np.bincount(idx, weights=w * hit, minlength=bins)
    ece = np.abs(C - H).sum() / w.sum()
    nonempty = W > 0
    mce = (np.abs(C - H)[nonempty] / W[nonempty]).max()
    return float(ece), float(mce)


def value_or_error(f, error_text):
    """f()'s value, or an error check when scikit-learn's value is undefined (NaN)."""
    v = f()
    if v is None or np.isnan(v):
        return {"error": error_text}
    return {"value": float(v)}


def classification_checks(y, P, k, w):
    """Every classification metric at its defaults, plus a few options."""
    checks = []
    labels = list(range(k))
    pred = predicted_labels(P, k)
    add = lambda name, v, **extra: checks.append({"metric": name, **extra, "value": float(v)})

    add("accuracy", M.accuracy_score(y, pred, sample_weight=w))
    add("balanced_accuracy", M.balanced_accuracy_score(y, pred, sample_weight=w))
    averages = (["binary"] if k == 2 else []) + ["macro", "micro", "weighted"]
    for avg in averages:
        suffix = "" if avg == "binary" else "_" + avg
        add("precision" + suffix, M.precision_score(y, pred, average=avg, sample_weight=w))
        add("recall" + suffix, M.recall_score(y, pred, average=avg, sample_weight=w))
        add("f1" + suffix, M.f1_score(y, pred, average=avg, sample_weight=w))
        add("f2" + suffix, M.fbeta_score(y, pred, beta=2, average=avg, sample_weight=w))
        add("f0.5" + suffix, M.fbeta_score(y, pred, beta=0.5, average=avg, sample_weight=w))
    if k == 2:
        for t in (0.3, 0.7):
            p_t = predicted_labels(P, k, t)
            add("accuracy", M.accuracy_score(y, p_t, sample_weight=w), threshold=t)
            add("f1", M.f1_score(y, p_t, sample_weight=w), threshold=t)
            add("mcc", M.matthews_corrcoef(y, p_t, sample_weight=w), threshold=t)
    add("mcc", M.matthews_corrcoef(y, pred, sample_weight=w))
    for name, weights in (("kappa", None), ("kappa_linear", "linear"), ("kappa_quadratic", "quadratic")):
        checks.append({"metric": name, **value_or_error(
            lambda: M.cohen_kappa_score(y, pred, labels=labels, weights=weights, sample_weight=w),
            "kappa is undefined")})
    checks.append({"metric": "confusion_matrix",
                   "matrix": M.confusion_matrix(y, pred, labels=labels, sample_weight=w).astype(float).tolist()})
    costs = [[0.0 if i == j else 1.0 + i + 2.0 * j for j in range(k)] for i in range(k)]
    cm = M.confusion_matrix(y, pred, labels=labels, sample_weight=w).astype(float)
    add("expected_cost", (cm * np.array(costs)).sum() / cm.sum(), costs=costs)

    # Scores and probabilities.
    score = P if P.ndim == 1 else P[:, 1] if k == 2 else P
    present = len(np.unique(y[w > 0] if w is not None else y))
    if k == 2:
        if present < 2:
            checks += [{"metric": "auc", "error": "needs rows of both classes"},
                       {"metric": "average_precision", "error": "needs rows of both classes"}]
        else:
            add("auc", M.roc_auc_score(y, score, sample_weight=w))
            add("auc_weighted", M.roc_auc_score(y, score, sample_weight=w, average="weighted"))
            add("average_precision", M.average_precision_score(y, score, sample_weight=w))
    else:
        if present < k:
            checks += [{"metric": "auc", "error": "needs rows of every class"},
                       {"metric": "average_precision_weighted", "error": "needs rows of every class"}]
        else:
            rows_sum_to_one = np.allclose(P.sum(axis=1), 1)
            for avg, suffix in (("macro", ""), ("weighted", "_weighted")):
                if rows_sum_to_one:
                    auc = M.roc_auc_score(y, P, multi_class="ovr", average=avg, labels=labels, sample_weight=w)
                else:
                    # scikit-learn refuses multiclass AUC of rows that do not sum to 1; Pareto ranks any
                    # scores one-vs-rest, so compose the same average from scikit-learn's binary AUC.
                    per_class = [M.roc_auc_score(y == c, P[:, c], sample_weight=w) for c in range(k)]
                    support = [np.sum((y == c) * (1.0 if w is None else w)) for c in range(k)]
                    auc = np.average(per_class, weights=None if avg == "macro" else support)
                add("auc" + suffix, auc)
                add("average_precision" + suffix, M.average_precision_score(y, P, average=avg, sample_weight=w))
    if P.min() >= 0 and P.max() <= 1:
        add("logloss", M.log_loss(y, P, labels=labels, sample_weight=w))
        add("brier", M.brier_score_loss(y, P, labels=labels, sample_weight=w))
        for bins in (10, 7):
            ece, mce = calibration_errors(y, P, k, w, bins)
            extra = {} if bins == 10 else {"bins": bins}
            add("ece", ece, **extra)
            add("mce", mce, **extra)
    else:
        for name in ("logloss", "brier", "ece"):
            checks.append({"metric": name, "error": "needs probabilities in 0…1"})
    return checks


def regression_checks(y, p, w):
    checks = []
    add = lambda name, v: checks.append({"metric": name, "value": float(v)})
    add("mse", M.mean_squared_error(y, p, sample_weight=w))
    add("rmse", M.root_mean_squared_error(y, p, sample_weight=w))
    add("mae", M.mean_absolute_error(y, p, sample_weight=w))
    add("median_absolute_error", M.median_absolute_error(y, p, sample_weight=w))
    add("mape", M.mean_absolute_percentage_error(y, p, sample_weight=w))
    add("r2", M.r2_score(y, p, sample_weight=w))
    add("explained_variance", M.explained_variance_score(y, p, sample_weight=w))
    add("pinball", M.mean_pinball_loss(y, p, alpha=0.5, sample_weight=w))
    add("pinball_0.1", M.mean_pinball_loss(y, p, alpha=0.1, sample_weight=w))
    add("pinball_0.9", M.mean_pinball_loss(y, p, alpha=0.9, sample_weight=w))
    if y.min() >= 0 and p.min() > 0:
        add("poisson_deviance", M.mean_poisson_deviance(y, p, sample_weight=w))
    elif y.min() < 0:
        checks.append({"metric": "poisson_deviance", "error": "needs targets ≥ 0"})
    else:
        checks.append({"metric": "poisson_deviance", "error": "needs predictions > 0"})
    return checks


cases = []


def classification_case(name, y, P, k, w=None):
    y = np.asarray(y, dtype=int)
    P = np.asarray(P, dtype=float)
    cases.append({"name": name, "classCount": k, "targets": y.astype(float).tolist(),
                  "predictions": P.reshape(-1).tolist(), "outputsPerRow": 1 if P.ndim == 1 else P.shape[1],
                  "weights": None if w is None else np.asarray(w, float).tolist(),
                  "expected": classification_checks(y, P, k, None if w is None else np.asarray(w, float))})


def regression_case(name, y, p, w=None):
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    cases.append({"name": name, "classCount": 0, "targets": y.tolist(), "predictions": p.tolist(),
                  "outputsPerRow": 1, "weights": None if w is None else np.asarray(w, float).tolist(),
                  "expected": regression_checks(y, p, None if w is None else np.asarray(w, float))})


def weights(n, zeros=0.1):
    w = np.round(rng.gamma(2.0, 0.5, n), 3)
    w[rng.random(n) < zeros] = 0.0
    return w


# ---------------------------------------------------------------- binary
n = 300
y = (rng.random(n) < 0.35).astype(int)
signal = 0.8 * y + rng.normal(0, 0.45, n)
p = np.round(1 / (1 + np.exp(-2 * (signal - 0.4))), 2)  # two decimals: many tied scores
classification_case("binary scores with ties", y, p, 2)
classification_case("binary scores with ties, weighted", y, p, 2, weights(n))
P2 = np.stack([np.round(1 - p, 2), p], axis=1)
classification_case("binary as two probabilities per row", y, P2, 2)
classification_case("binary as two probabilities per row, weighted", y, P2, 2, weights(n, zeros=0))

coarse = rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], size=n, p=[0.2, 0.2, 0.3, 0.2, 0.1])
y_coarse = (rng.random(n) < 0.2 + 0.6 * coarse).astype(int)
classification_case("binary, five score levels (heavy ties, 0 and 1 exactly)", y_coarse, coarse, 2)
classification_case("binary, five score levels, integer weights", y_coarse, coarse, 2,
                    rng.integers(0, 4, n).astype(float))

y_sep = np.array([0] * 40 + [1] * 20)
classification_case("binary, perfect separation", y_sep,
                    np.concatenate([rng.uniform(0.0, 0.45, 40), rng.uniform(0.55, 1.0, 20)]), 2)
classification_case("binary, all predictions correct and certain", y_sep, y_sep.astype(float), 2)
classification_case("binary, constant predictions", y[:80], np.full(80, 0.3), 2)
classification_case("binary, one class only", np.zeros(50, int), np.round(rng.random(50), 2), 2)
classification_case("binary, one class, every row predicted as it", np.zeros(30, int), np.full(30, 0.1), 2)
classification_case("binary, class 1 only with weight (class 0 rows weigh 0)", y[:60], p[:60], 2,
                    np.where(y[:60] == 1, 1.5, 0.0))

margins = np.round(rng.normal(0, 2, n), 1)
margins[:6] = [0.0, -0.0, 0.0, -0.0, 1e300, -1e300]
y_m = (rng.random(n) < 1 / (1 + np.exp(-margins))).astype(int)
y_m[:4] = [0, 1, 1, 0]
classification_case("binary raw margins (negative, ±0, huge)", y_m, margins, 2)

# ---------------------------------------------------------------- multiclass
n = 240
for k, weighted in ((3, False), (4, True), (5, True)):
    y = rng.integers(0, k, n)
    logits = np.round(rng.normal(0, 1, (n, k)) + 1.5 * np.eye(k)[y], 0)  # whole logits: tied rows
    P = softmax(logits)
    classification_case(f"{k} classes" + (", weighted" if weighted else ""), y, P, k,
                        weights(n) if weighted else None)

y = rng.integers(0, 3, 200)
P = np.round(rng.random((200, 3)) * 0.6 + 0.3 * np.eye(3)[y], 2)  # rows do not sum to 1: not renormalized
classification_case("3 classes, rows not summing to 1", y, P, 3, weights(200))

y = np.tile(np.arange(4), 30)
classification_case("4 classes, all correct", y, np.eye(4)[y] * 0.7 + 0.075, 4)
y = rng.integers(0, 3, 150)
P = softmax(rng.normal(0, 1, (150, 3)) + np.array([0, 0, -9.0]))  # class 2 never predicted
classification_case("3 classes, one never predicted", y, P, 3)
y = rng.integers(0, 2, 150)  # class 2 never a target
classification_case("3 classes, one never a target", y, softmax(rng.normal(0, 1, (150, 3))), 3,
                    weights(150))

# ---------------------------------------------------------------- regression
n = 300
x = rng.normal(0, 1, n)
y = np.round(3 + 2 * x + rng.normal(0, 1, n), 3)
pred = np.round(3 + 1.8 * x + 0.2, 3)
regression_case("regression", y, pred)
regression_case("regression, weighted", y, pred, weights(n))
regression_case("regression, integer weights (weighted median lands exactly on a half)",
                y[:40], pred[:40], rng.integers(0, 3, 40).astype(float))
counts = rng.poisson(np.exp(0.5 + 0.8 * x)).astype(float)
rate = np.round(np.exp(0.45 + 0.75 * x), 4)
regression_case("counts (Poisson), zeros among targets", counts, rate)
regression_case("counts (Poisson), weighted", counts, rate, weights(n))
regression_case("constant target", np.full(30, 2.5), np.round(rng.normal(2.5, 0.1, 30), 3))
regression_case("constant target, perfect predictions", np.full(30, 2.5), np.full(30, 2.5))
regression_case("perfect predictions", y[:50], y[:50])
regression_case("negative targets", -np.abs(y[:50]), pred[:50])
regression_case("zero predictions", np.abs(y[:50]), np.where(np.arange(50) == 7, 0.0, np.abs(pred[:50]) + 0.1))

# ---------------------------------------------------------------- percentiles
percentiles = []
for values in (np.round(rng.lognormal(-7, 0.6, 1001), 9), np.array([3e-3, 1e-3, 2e-3, 2e-3, 9e-3, 4e-3, 5e-4]),
               np.array([0.25])):
    ps = [0, 1, 25, 50, 90, 95, 99, 99.9, 100]
    percentiles.append({"values": values.tolist(), "p": ps,
                        "expected": [float(np.percentile(values, q)) for q in ps]})

out = {"generator": {"scikit-learn": sklearn.__version__, "numpy": np.__version__,
                     "script": "make_metric_fixtures.py"},
       "cases": cases, "percentiles": percentiles}
with open(os.path.join(HERE, "metrics.json"), "w") as f:
    json.dump(out, f, separators=(",", ":"))
    f.write("\n")
print(f"{len(cases)} cases, {sum(len(c['expected']) for c in cases)} checks, "
      f"{os.path.getsize(os.path.join(HERE, 'metrics.json')):,} bytes")
