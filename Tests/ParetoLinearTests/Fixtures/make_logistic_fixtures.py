"""Writes logistic.json: binary logistic regression fits from scikit-learn.

Seeded and deterministic. L2 fits use lbfgs, L1 and elastic-net fits use saga,
both with tol 1e-12 and a large max_iter so that coef_ is the optimum of
C * sum(w * logloss) + l1_ratio * |b|_1 + (1 - l1_ratio) / 2 * |b|^2.
Run: /work/main/bench/.venv/bin/python make_logistic_fixtures.py
"""
import json
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression

warnings.simplefilter("ignore")
rng = np.random.default_rng(20261129)


def data(n, p, scale=1.0, informative=3):
    x = rng.standard_normal((n, p))
    true = np.zeros(p)
    true[:informative] = rng.uniform(-2, 2, informative) * scale
    logits = x @ true + 0.3
    y = (rng.uniform(size=n) < 1 / (1 + np.exp(-logits))).astype(float)
    return x, y


def case(name, x, y, C, l1_ratio=0.0, weights=None, class_weight=None, fit_intercept=True):
    solver = "lbfgs" if l1_ratio == 0 else "saga"
    model = LogisticRegression(C=C, l1_ratio=l1_ratio, solver=solver, tol=1e-12, max_iter=1_000_000, random_state=0,
                               class_weight=class_weight, fit_intercept=fit_intercept)
    model.fit(x, y, sample_weight=weights)
    coef = [float(v) for v in model.coef_[0]]
    # Exact zeros from saga can be tiny nonzeros; snap below 1e-10.
    coef = [0.0 if abs(v) < 1e-10 else v for v in coef]
    cw = None
    if class_weight == "balanced":
        cw = "balanced"
    elif class_weight is not None:
        cw = [class_weight[0], class_weight[1]]
    return dict(name=name, rows=x.shape[0], columns=x.shape[1], x=[float(v) for v in x.ravel()],
                y=[float(v) for v in y], weights=None if weights is None else [float(v) for v in weights],
                C=C, l1Ratio=l1_ratio, fitIntercept=fit_intercept, classWeight=cw,
                coefficients=coef, intercept=float(model.intercept_[0]) if fit_intercept else 0.0)


cases = []
x, y = data(120, 5)
for C in (0.01, 0.3, 10.0):
    cases.append(case(f"l2 C={C}", x, y, C))
cases.append(case("l2 no intercept", x, y, 1.0, fit_intercept=False))
x1, y1 = data(150, 8, informative=3)
cases.append(case("l1 C=0.05", x1, y1, 0.05, l1_ratio=1.0))
cases.append(case("l1 C=0.5", x1, y1, 0.5, l1_ratio=1.0))
cases.append(case("elasticnet 0.5 C=0.1", x1, y1, 0.1, l1_ratio=0.5))
w = rng.uniform(0.2, 3.0, x.shape[0])
cases.append(case("l2 weighted", x, y, 0.5, weights=w))
cases.append(case("l1 weighted", x1, y1, 0.2, l1_ratio=1.0, weights=rng.uniform(0.2, 3.0, x1.shape[0])))
xi, yi = data(100, 4)
yi[:70] = 0  # imbalanced
cases.append(case("l2 balanced", xi, yi, 1.0, class_weight="balanced"))
cases.append(case("l2 explicit class weights", xi, yi, 1.0, class_weight={0: 0.5, 1: 3.0}))
xs, ys = data(80, 3, scale=8.0)
cases.append(case("separable-ish strong penalty", xs, ys, 0.05))
cases.append(case("separable-ish weak penalty", xs, ys, 100.0))

with open("logistic.json", "w") as f:
    json.dump(dict(cases=cases), f)
print(len(cases), "cases")
for c in cases:
    print(c["name"], c["coefficients"], c["intercept"])

# Multinomial (softmax) fits: lbfgs for L2, saga for L1; class indices 0..k-1.
def multi_data(n, p, k):
    x = rng.standard_normal((n, p))
    true = rng.uniform(-1.5, 1.5, (k, p))
    true[:, p - 1] = 0  # one uninformative column, for L1 zeros
    logits = x @ true.T
    prob = np.exp(logits - logits.max(axis=1, keepdims=True))
    prob /= prob.sum(axis=1, keepdims=True)
    y = np.array([rng.choice(k, p=row) for row in prob], dtype=float)
    return x, y


def multi_case(name, x, y, C, l1_ratio=0.0, weights=None, class_weight=None):
    solver = "lbfgs" if l1_ratio == 0 else "saga"
    model = LogisticRegression(C=C, l1_ratio=l1_ratio, solver=solver, tol=1e-12, max_iter=1_000_000, random_state=0,
                               class_weight=class_weight)
    model.fit(x, y, sample_weight=weights)
    coef = [[0.0 if abs(v) < 1e-10 else float(v) for v in row] for row in model.coef_]
    return dict(name=name, rows=x.shape[0], columns=x.shape[1], x=[float(v) for v in x.ravel()],
                y=[float(v) for v in y], weights=None if weights is None else [float(v) for v in weights],
                C=C, l1Ratio=l1_ratio, classWeight=class_weight, coefficients=coef,
                intercepts=[float(v) for v in model.intercept_])


multi = []
xm, ym = multi_data(90, 4, 3)
multi.append(multi_case("softmax l2 C=0.1", xm, ym, 0.1))
multi.append(multi_case("softmax l2 C=5", xm, ym, 5.0))
multi.append(multi_case("softmax l2 weighted balanced", xm, ym, 1.0, weights=rng.uniform(0.2, 3.0, 90),
                        class_weight="balanced"))
multi.append(multi_case("softmax l1 C=0.05", xm, ym, 0.05, l1_ratio=1.0))
with open("logistic_multinomial.json", "w") as f:
    json.dump(dict(cases=multi), f)
for c in multi:
    print(c["name"], c["coefficients"], c["intercepts"])
