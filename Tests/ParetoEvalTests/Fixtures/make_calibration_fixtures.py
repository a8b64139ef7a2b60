"""Expected values for ParetoEval's calibration and decision-threshold tests.

Run from the repository root, with scikit-learn 1.9, scipy 1.17, numpy 2 and
betacal 1.1 (`pip install betacal`) installed:

    bench/.venv/bin/python Tests/ParetoEvalTests/Fixtures/make_calibration_fixtures.py

It writes calibration_*.json beside itself: the inputs (seeded, so a rerun
gives the same files) and what the references compute from them.

- Platt: sklearn.calibration._sigmoid_calibration (what CalibratedClassifierCV
  with method="sigmoid" fits). Also a Newton fit of the same objective run to
  rounding level ("tight"), to show how far sklearn's L-BFGS stops from it.
- Isotonic: sklearn.isotonic.IsotonicRegression(out_of_bounds="clip").
- Beta: betacal's _beta_calibration (its features, clipping and a, b >= 0
  refits), with betacal's LogisticRegression(C=99999999999) swapped for the
  same model fitted by sklearn's exact "newton-cholesky" solver: betacal's own
  lbfgs stops at sklearn's default tol=1e-4, which leaves its coefficients
  about 1e-4 from the optimum. The stock betacal values are stored too
  ("stock"), to report that gap.
- Temperature: scipy.optimize.minimize_scalar (bounded, in ln(1/T) over
  [-10, 10] like sklearn, xatol 1e-12) on the weighted mean log loss. A
  minimizer that compares loss values can only place T to about 1e-8
  relative, so the root of the loss's derivative (scipy.optimize.brentq) is
  stored too ("rootTemperature"), and sklearn's _TemperatureScaling.
- Reliability: sklearn.calibration.calibration_curve, plus per-bin counts and
  weights computed here the way it bins.
- Thresholds: a brute-force sweep over every distinct score, each threshold's
  confusion counts summed afresh with math.fsum.
"""

import json
import math
import os
import warnings

import numpy as np
import betacal.beta_calibration as betacal
from scipy.optimize import brentq, minimize_scalar
from scipy.special import expit, logsumexp, softmax
from sklearn.calibration import _sigmoid_calibration, _TemperatureScaling, calibration_curve
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))


def floats(a):
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


def write(name, payload):
    path = os.path.join(HERE, name)
    with open(path, "w") as f:
        json.dump(payload, f, separators=(",", ":"))
        f.write("\n")
    print(f"{name}: {os.path.getsize(path)} bytes")


def binary_data(rng, n, slope=1.5, offset=0.3):
    x = rng.normal(size=n)
    y = (rng.random(n) < expit(slope * x + offset)).astype(float)
    return x, y


def weights_with_zeros(rng, n):
    w = rng.uniform(0.2, 3.0, n)
    w[rng.random(n) < 0.05] = 0.0
    return w


# ---------------------------------------------------------------- Platt


def platt_newton(F, y, w):
    """The same objective as _sigmoid_calibration, by Newton to rounding level."""
    w = np.ones_like(F) if w is None else w
    negative = y <= 0
    prior0, prior1 = w[negative].sum(), w[~negative].sum()
    T = np.where(y > 0, (prior1 + 1) / (prior1 + 2), 1 / (prior0 + 2))
    theta = np.array([0.0, math.log((prior0 + 1) / (prior1 + 1))])
    for _ in range(100):
        p = expit(-(theta[0] * F + theta[1]))
        g_eta = w * (p - T)
        g = np.array([-(g_eta * F).sum(), -g_eta.sum()])
        h = w * p * (1 - p)
        H = np.array([[(h * F * F).sum(), (h * F).sum()], [(h * F).sum(), h.sum()]])
        step = np.linalg.solve(H, g)
        theta = theta - step
        if np.abs(step).max() < 1e-15 * (1 + np.abs(theta).max()):
            break
    return theta


def platt_fixtures():
    rng = np.random.default_rng(101)
    cases = []

    def add(name, scores, labels, weights=None, identifiable=True):
        a, b = _sigmoid_calibration(scores, labels, weights)
        if identifiable:
            ta, tb = platt_newton(scores, labels, weights)
        else:
            ta, tb = a, b
        lo, hi = scores.min(), scores.max()
        queries = np.concatenate([np.linspace(lo - 1, hi + 1, 25), scores[:15]])
        if not identifiable:
            queries = scores[:1]  # only the fitted score's probability is determined
        cases.append({
            "name": name, "scores": floats(scores), "labels": floats(labels),
            "weights": None if weights is None else floats(weights),
            "identifiable": identifiable,
            "slope": -a, "intercept": -b, "tightSlope": -ta, "tightIntercept": -tb,
            "queries": floats(queries), "probabilities": floats(expit(-(a * queries + b))),
        })

    x, y = binary_data(rng, 300)
    add("log-odds", 1.5 * x, y)
    add("log-odds, weighted with zeros", 1.5 * x, y, weights_with_zeros(rng, 300))
    x, y = binary_data(rng, 250)
    add("large scores (sklearn rescales by max |score| >= 30)", 40 * x, y)
    x, y = binary_data(rng, 300, slope=3)
    add("probabilities with ties", np.round(expit(x), 2), y)
    x = np.sort(rng.normal(size=60))
    add("perfectly separated", x, (x > 0.2).astype(float))
    x, _ = binary_data(rng, 80)
    y = np.zeros(80)
    y[[3, 17, 40, 41, 77]] = 1
    add("imbalanced, 5 of 80 positive", x, y, rng.uniform(0.5, 2.0, 80))
    y = (rng.random(40) < 0.3).astype(float)
    y[:2] = [0, 1]
    add("constant scores", np.full(40, 0.7), y, identifiable=False)
    write("calibration_platt.json", {"cases": cases})


# ---------------------------------------------------------------- isotonic


def isotonic_fixtures():
    rng = np.random.default_rng(202)
    cases = []

    def add(name, scores, labels, weights=None):
        model = IsotonicRegression(out_of_bounds="clip").fit(scores, labels, sample_weight=weights)
        knots = model.X_thresholds_
        mids = (knots[:-1] + knots[1:]) / 2 if len(knots) > 1 else knots
        lo, hi = scores.min(), scores.max()
        queries = np.concatenate([[lo - 1, lo, hi, hi + 1], knots, mids, rng.uniform(lo - 0.1, hi + 0.1, 20)])
        cases.append({
            "name": name, "scores": floats(scores), "labels": floats(labels),
            "weights": None if weights is None else floats(weights),
            "knotScores": floats(knots), "knotProbabilities": floats(model.y_thresholds_),
            "queries": floats(queries), "probabilities": floats(model.predict(queries)),
        })

    p = rng.random(300)
    y = (rng.random(300) < p).astype(float)
    add("probabilities with ties", np.round(p, 2), y)
    add("weighted with zeros, ties", np.round(p, 2), y, weights_with_zeros(rng, 300))
    x, y = binary_data(rng, 200)
    add("log-odds, distinct", x, y)
    add("decreasing: one pooled block", np.arange(20.0), (np.arange(20) < 10).astype(float))
    x = np.sort(rng.normal(size=50))
    add("perfectly separated", x, (x > 0).astype(float))
    add("constant scores", np.full(30, 0.4), (np.arange(30) % 3 == 0).astype(float))
    write("calibration_isotonic.json", {"cases": cases})


# ---------------------------------------------------------------- beta


def exact_logistic(C):
    return LogisticRegression(C=C, solver="newton-cholesky", tol=1e-15, max_iter=1000)


def betacal_fit(p, y, w, exact):
    stock = betacal.LogisticRegression
    betacal.LogisticRegression = exact_logistic if exact else stock
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (a, b, _), lr = betacal._beta_calibration(p, y, w)
            # betacal's map gives no intercept; the last regression holds it.
            c = float(lr.intercept_[0])
    finally:
        betacal.LogisticRegression = stock
        warnings.resetwarnings()
    return float(a), float(b), c, lr


def beta_fixtures():
    rng = np.random.default_rng(303)
    cases = []

    def add(name, p, y, w=None, identifiable=True):
        a, b, c, lr = betacal_fit(p, y, w, exact=True)
        sa, sb, sc, _ = betacal_fit(p, y, w, exact=False)
        queries = np.concatenate([[0.0, 1e-300, 1e-12, 0.5, 1 - 1e-12, 1.0], np.linspace(0.01, 0.99, 15), p[:10]])
        if not identifiable:
            queries = p[:1]
        q = np.clip(queries, np.finfo(float).eps, 1 - np.finfo(float).eps)
        cases.append({
            "name": name, "scores": floats(p), "labels": floats(y),
            "weights": None if w is None else floats(w), "identifiable": identifiable,
            "a": a, "b": b, "c": c, "stockA": sa, "stockB": sb, "stockC": sc,
            "queries": floats(queries),
            "probabilities": floats(expit(a * np.log(q) - b * np.log(1 - q) + c)),
        })

    n = 400
    for name, truth in [
        ("mildly miscalibrated", lambda p: expit(1.2 * np.log(p / (1 - p)) + 0.4)),
        ("non-monotone at the low end: a < 0, refit with a = 0",
         lambda p: 0.2 + 0.6 * (p > 0.5) * p + 0.3 * (p < 0.1)),
        ("overconfident", lambda p: np.where(p < 0.5, 0.1, 0.95 - 0.5 * (p > 0.97))),
        ("non-monotone at the high end: b < 0, refit with b = 0", lambda p: np.where(p > 0.7, 0.3, p)),
    ]:
        x = rng.normal(size=n)
        p = expit(2 * x)
        add(name, p, (rng.random(n) < truth(p)).astype(float))
    x = rng.normal(size=n)
    p = expit(2.5 * x)
    p[:6] = [0.0, 1.0, 0.0, 1.0, 1e-20, 1 - 1e-17]
    y = (rng.random(n) < expit(0.8 * np.log(np.clip(p, 1e-9, 1 - 1e-9) / (1 - np.clip(p, 1e-9, 1 - 1e-9))))).astype(float)
    add("weighted, with exact 0 and 1 (clipped)", p, y, weights_with_zeros(rng, n))
    x = np.sort(rng.normal(size=60))
    add("perfectly separated (only the ridge keeps it finite)", expit(x), (x > 0.1).astype(float))
    y = (rng.random(50) < 0.4).astype(float)
    y[:2] = [0, 1]
    add("constant probabilities", np.full(50, 0.3), y, identifiable=False)
    write("calibration_beta.json", {"cases": cases})


# ---------------------------------------------------------------- temperature


def temperature_reference(z, y, w, k):
    z = z.reshape(-1, k)
    w = np.ones(len(y)) if w is None else w
    rows = np.arange(len(y))
    yi = y.astype(int)

    def loss(log_beta):
        s = math.exp(log_beta) * z
        return np.average(logsumexp(s, axis=1) - s[rows, yi], weights=w)

    def slope(beta):  # d loss / d beta
        p = softmax(beta * z, axis=1)
        return np.average((p * z).sum(axis=1) - z[rows, yi], weights=w)

    res = minimize_scalar(loss, bounds=(-10.0, 10.0), method="bounded", options={"xatol": 1e-12})
    scipy_t = math.exp(-res.x)
    lo, hi = math.exp(-10), math.exp(10)
    if slope(lo) >= 0:
        root_t = 1 / lo
    elif slope(hi) <= 0:
        root_t = 1 / hi
    else:
        root_t = 1 / brentq(slope, lo, hi, xtol=1e-300, rtol=4 * np.finfo(float).eps)
    sk = _TemperatureScaling().fit(z, y, sample_weight=None if w is None else w)
    return scipy_t, root_t, 1 / float(sk.beta_)


def temperature_fixtures():
    rng = np.random.default_rng(404)
    cases = []

    def add(name, z, y, k, w=None, reference="scipy"):
        """reference: which temperature the fit must match. "scipy" for the
        bounded minimization; "root" where the loss is flat to rounding over a
        wide range of T (perfect separation: scipy stops anywhere on the
        plateau, the exact minimizer is the bound); "none" where every T is
        optimal (then only the probabilities are compared)."""
        scipy_t, root_t, sklearn_t = temperature_reference(z, y, w, k)
        chosen = root_t if reference == "root" else scipy_t
        queries = z[: 12 * k]
        cases.append({
            "name": name, "logits": floats(z), "classCount": k, "labels": floats(y),
            "weights": None if w is None else floats(w), "reference": reference,
            "temperature": scipy_t, "rootTemperature": root_t, "sklearnTemperature": sklearn_t,
            "queries": floats(queries),
            "probabilities": floats(softmax(queries.reshape(-1, k) / chosen, axis=1)),
        })

    def sample(n, k, scale):
        truth = rng.normal(size=(n, k)) * 1.5
        y = np.array([rng.choice(k, p=softmax(r)) for r in truth], dtype=float)
        return (truth * scale).ravel(), y

    z, y = sample(300, 3, 3.0)
    add("3 classes, overconfident (T > 1)", z, y, 3)
    z, y = sample(300, 5, 0.4)
    add("5 classes, underconfident (T < 1), weighted with zeros", z, y, 5, weights_with_zeros(rng, 300))
    z, y = sample(200, 2, 1.7)
    add("2 classes", z, y, 2)
    y = rng.integers(0, 3, 60).astype(float)
    z = rng.normal(size=(60, 3))
    z[np.arange(60), y.astype(int)] += 4.0
    add("perfectly separated (T at its lower bound e^-10)", z.ravel(), y, 3, reference="root")
    add("constant logits (every T gives the uniform distribution)", np.full(40 * 4, 0.25), np.arange(40.0) % 4, 4,
        reference="none")
    write("calibration_temperature.json", {"cases": cases})


# ---------------------------------------------------------------- reliability


def reliability_fixtures():
    rng = np.random.default_rng(505)
    cases = []

    def add(name, p, y, bins, strategy, w=None):
        keep = np.ones(len(p), bool) if w is None else w > 0
        pk, yk = p[keep], y[keep]
        wk = np.ones(len(pk)) if w is None else w[keep]
        if strategy == "quantile":
            edges = np.percentile(pk, np.linspace(0, 1, bins + 1) * 100)
        else:
            edges = np.linspace(0.0, 1.0, bins + 1)
        ids = np.searchsorted(edges[1:-1], pk)
        count = np.bincount(ids, minlength=bins)
        if w is None:
            prob_true, prob_pred = calibration_curve(yk, pk, n_bins=bins, strategy=strategy)
            weight = count.astype(float)
            # The counts must be those sklearn's own bins have.
            nz = count != 0
            assert np.array_equal(np.bincount(ids, weights=yk, minlength=bins)[nz] / count[nz], prob_true)
        else:
            weight = np.bincount(ids, weights=wk, minlength=bins)
            nz = count != 0
            prob_true = np.bincount(ids, weights=wk * yk, minlength=bins)[nz] / weight[nz]
            prob_pred = np.bincount(ids, weights=wk * pk, minlength=bins)[nz] / weight[nz]
        nz = count != 0
        cases.append({
            "name": name, "probabilities": floats(p), "labels": floats(y),
            "weights": None if w is None else floats(w), "binCount": bins, "binning": strategy,
            "edges": floats(edges), "lowerEdges": floats(edges[:-1][nz]), "upperEdges": floats(edges[1:][nz]),
            "meanPrediction": floats(prob_pred), "observedFrequency": floats(prob_true),
            "counts": [int(c) for c in count[nz]], "binWeights": floats(weight[nz]),
        })

    p = rng.random(300) ** 1.5
    y = (rng.random(300) < p).astype(float)
    for bins in (5, 10):
        for strategy in ("uniform", "quantile"):
            add(f"continuous, {bins} {strategy} bins", p, y, bins, strategy)
    q = np.round(rng.random(200), 1)  # many scores exactly on uniform edges
    q[:4] = [0.0, 1.0, 0.3, 0.7]
    yq = (rng.random(200) < q).astype(float)
    for strategy in ("uniform", "quantile"):
        add(f"tenths: on the edges, tied, 10 {strategy} bins", q, yq, 10, strategy)
        add(f"tenths, 7 {strategy} bins", q, yq, 7, strategy)
    add("few distinct values, 8 quantile bins (repeated edges)", np.repeat([0.2, 0.5, 0.9], [50, 3, 7]),
        (np.arange(60) % 2).astype(float), 8, "quantile")
    add("single class, 4 uniform bins", p[:50], np.zeros(50), 4, "uniform")
    w = weights_with_zeros(rng, 300)
    add("weighted with zeros, 6 uniform bins", p, y, 6, "uniform", w)
    add("weighted with zeros, 6 quantile bins", p, y, 6, "quantile", w)
    write("calibration_reliability.json", {"cases": cases})


# ---------------------------------------------------------------- thresholds


def threshold_reference(s, y, w, rule):
    """Every distinct score as a threshold; counts summed afresh for each."""
    w = np.ones(len(s)) if w is None else w
    keep = w > 0
    s, y, w = s[keep], y[keep], w[keep]
    P, N = math.fsum(w[y == 1]), math.fsum(w[y == 0])
    rows = []
    for t in np.unique(s)[::-1]:
        flagged = s >= t
        tp = math.fsum(w[flagged & (y == 1)])
        fp = math.fsum(w[flagged & (y == 0)])
        fn, tn = P - tp, N - fp
        precision, recall = tp / (tp + fp), tp / (tp + fn)
        kind = rule["kind"]
        if kind == "fscore":
            b2 = rule["value"] ** 2
            key = ((1 + b2) * tp / ((1 + b2) * tp + b2 * fn + fp), 0.0)
        elif kind == "precision":
            if not recall >= rule["value"]:
                continue
            key = (precision, recall)
        elif kind == "recall":
            if not precision >= rule["value"]:
                continue
            key = (recall, precision)
        elif kind == "cost":
            c = rule["costs"]
            cost = (c[2] * tp + c[0] * fp + c[1] * fn + c[3] * tn) / (tp + fp + tn + fn)
            key = (-cost, 0.0)
        else:
            key = (tp / (tp + fn) - fp / (fp + tn), 0.0)
        rows.append((key, float(t), tp, fp, tn, fn))
    if not rows:
        best_precision = max(
            math.fsum(w[(s >= t) & (y == 1)]) / math.fsum(w[s >= t]) for t in np.unique(s))
        return {"error": True, "bestReachable": best_precision}
    # Lexicographic: primary, then secondary, then the highest threshold
    # (rows run from the highest threshold down; max keeps the first).
    best = max(rows, key=lambda r: r[0])
    top = best[0][0]
    near = [r[1] for r in rows if abs(r[0][0] - top) <= 1e-12 * max(1.0, abs(top))]
    key, t, tp, fp, tn, fn = best
    objective = -key[0] if rule["kind"] == "cost" else key[0]
    return {"error": False, "threshold": t, "objective": objective, "truePositives": tp, "falsePositives": fp,
            "trueNegatives": tn, "falseNegatives": fn, "nearOptimalThresholds": near}


def threshold_fixtures():
    rng = np.random.default_rng(606)
    rules = [
        {"kind": "fscore", "value": 1.0}, {"kind": "fscore", "value": 0.5}, {"kind": "fscore", "value": 2.0},
        {"kind": "precision", "value": 0.5}, {"kind": "precision", "value": 0.9},
        {"kind": "recall", "value": 0.6}, {"kind": "recall", "value": 0.8},
        {"kind": "cost", "costs": [1.0, 5.0, 0.0, 0.0]}, {"kind": "cost", "costs": [3.0, 1.0, -0.5, 0.0]},
        {"kind": "youden"},
    ]
    cases = []

    def add(name, s, y, w=None, exact=True, extra=()):
        checks = []
        for rule in list(rules) + list(extra):
            checks.append({"rule": rule, **threshold_reference(s, y, w, rule)})
        cases.append({"name": name, "scores": floats(s), "labels": floats(y),
                      "weights": None if w is None else floats(w), "exact": exact, "checks": checks})

    x, y = binary_data(rng, 300, slope=1.2)
    s = np.round(x, 1)  # heavy ties
    add("ties, unweighted", s, y, extra=[{"kind": "recall", "value": 0.995}])
    add("integer weights with zeros", s, y, rng.integers(0, 4, 300).astype(float))
    x, y = binary_data(rng, 250, slope=2.0)
    add("real weights", np.round(x, 2), y, rng.uniform(0.1, 2.0, 250), exact=False)
    x = np.sort(rng.normal(size=40))
    add("perfectly separated", x, (x > 0.3).astype(float))
    x, y = binary_data(rng, 120)
    add("distinct scores", x, y, extra=[{"kind": "recall", "value": 1.0}, {"kind": "precision", "value": 1.0}])
    s = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.5, 0.4])
    add("top score negative: a precision floor of 0.9 is out of reach", s,
        np.array([0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 1.0]), extra=[{"kind": "recall", "value": 0.9}])
    write("calibration_thresholds.json", {"cases": cases})


if __name__ == "__main__":
    platt_fixtures()
    isotonic_fixtures()
    beta_fixtures()
    temperature_fixtures()
    reliability_fixtures()
    threshold_fixtures()
