"""Writes linear.json: inputs and scikit-learn's coefficients for ParetoLinear's tests.

Run with the bench venv (scikit-learn 1.9.1, numpy):
    /work/main/bench/.venv/bin/python make_linear_fixtures.py
Seeded, so reruns give the same file. Tolerances are tight (1e-12) so that the
comparison tests the optimum, not where each solver happened to stop.
"""
import json

import numpy as np
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, Ridge, enet_path
from sklearn.linear_model._coordinate_descent import _alpha_grid

rng = np.random.default_rng(20261129)
TOL = 1e-12
cases = []


def data(n, p, correlated=False, constant=False, sparse_truth=True):
    X = rng.normal(size=(n, p))
    if correlated:
        # Column 1 nearly copies column 0, column 2 mixes 0 and 3.
        X[:, 1] = X[:, 0] + 0.05 * rng.normal(size=n)
        X[:, 2] = 0.7 * X[:, 0] + 0.3 * X[:, 3] + 0.1 * rng.normal(size=n)
    if constant:
        X[:, p - 1] = 3.5
    beta = rng.normal(size=p) * 2
    if sparse_truth:
        beta[p // 2:] = 0
    y = X @ beta + 1.5 + 0.5 * rng.normal(size=n)
    # Short decimals keep the JSON small; the models are fitted on these exact values.
    return np.round(X, 4), np.round(y, 4)


def add(name, kind, X, y, params, model, weights=None):
    cases.append(dict(
        tolerance=params.get("tol", TOL), iterations=int(getattr(model, "n_iter_", 1) or 1),
        name=name, kind=kind, rows=X.shape[0], columns=X.shape[1],
        x=X.ravel().tolist(), y=y.tolist(),
        weights=None if weights is None else weights.tolist(),
        alpha=params.get("alpha", 0.0), l1Ratio=params.get("l1_ratio", 1.0),
        fitIntercept=params.get("fit_intercept", True),
        coefficients=np.ravel(model.coef_).tolist(), intercept=float(model.intercept_),
    ))


def enet(name, X, y, alpha, l1_ratio, weights=None, fit_intercept=True, tol=TOL):
    m = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=tol, max_iter=100000, fit_intercept=fit_intercept)
    m.fit(X, y, sample_weight=weights)
    add(name, "elasticnet", X, y, dict(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=tol), m, weights)


def lasso(name, X, y, alpha, weights=None):
    m = Lasso(alpha=alpha, tol=TOL, max_iter=100000).fit(X, y, sample_weight=weights)
    add(name, "lasso", X, y, dict(alpha=alpha), m, weights)


X, y = data(60, 6)
enet("enet basic", X, y, 0.1, 0.5)
enet("enet no intercept", X, y, 0.05, 0.3, fit_intercept=False)
enet("enet near ridge", X, y, 0.2, 0.01)
w = np.round(rng.uniform(0.1, 3.0, size=60), 3)
w[:5] = 0.0
enet("enet weighted", X, y, 0.1, 0.7, weights=w)
lasso("lasso weighted", X, y, 0.05, weights=w)
lasso("lasso sparse zeros", X, y, 0.3)

Xc, yc = data(80, 8, correlated=True, constant=True)
enet("enet correlated + constant", Xc, yc, 0.05, 0.5)
lasso("lasso correlated + constant", Xc, yc, 0.02)

Xw, yw = data(30, 80)  # more columns than rows
lasso("lasso wide", Xw, yw, 0.1)
enet("enet wide", Xw, yw, 0.1, 0.8)

# scikit-learn's default tolerance: the same stopping rule should stop at the
# same pass with the same coefficients.
enet("enet default tol correlated", Xc, yc, 0.05, 0.5, tol=1e-4)
enet("enet default tol weighted", X, y, 0.1, 0.7, weights=w, tol=1e-4)
enet("enet default tol wide", Xw, yw, 0.1, 0.8, tol=1e-4)

for name, Xr, yr, wr in [("ridge basic", X, y, None), ("ridge weighted", X, y, w),
                         ("ridge correlated + constant", Xc, yc, None)]:
    for alpha in (0.5, 10.0):
        m = Ridge(alpha=alpha, solver="cholesky").fit(Xr, yr, sample_weight=wr)
        add(f"{name} alpha {alpha}", "ridge", Xr, yr, dict(alpha=alpha), m, wr)

m = LinearRegression().fit(X, y)
add("ols basic", "ols", X, y, {}, m)
m = LinearRegression().fit(X, y, sample_weight=w)
add("ols weighted", "ols", X, y, {}, m, w)
m = LinearRegression().fit(Xc, yc)
add("ols correlated + constant", "ols", Xc, yc, {}, m)
m = LinearRegression(fit_intercept=False).fit(X, y)
add("ols no intercept", "ols", X, y, dict(fit_intercept=False), m)

# enet_path does not centre; centre here as ElasticNet(fit_intercept=True) would.
paths = []
for name, Xp, yp, l1_ratio, count in [("path enet", X, y, 0.5, 30), ("path lasso wide", Xw, yw, 1.0, 25)]:
    Xcen = Xp - Xp.mean(axis=0)
    ycen = yp - yp.mean()
    alphas, coefs, _ = enet_path(Xcen, ycen, l1_ratio=l1_ratio, eps=1e-3, alphas=count, tol=TOL, max_iter=100000)
    paths.append(dict(name=name, rows=Xp.shape[0], columns=Xp.shape[1], x=Xp.ravel().tolist(), y=yp.tolist(),
                      weights=None, l1Ratio=l1_ratio, count=count, eps=1e-3, alphas=alphas.tolist(),
                      coefficients=coefs.T.tolist()))

# enet_path takes no weights: a weighted path is ElasticNet fitted at each alpha of
# the weighted default grid.
alphas = _alpha_grid(X, y, l1_ratio=0.6, eps=1e-2, n_alphas=12, sample_weight=w)
coefs = [ElasticNet(alpha=a, l1_ratio=0.6, tol=TOL, max_iter=100000).fit(X, y, sample_weight=w).coef_.tolist()
         for a in alphas]
paths.append(dict(name="path enet weighted", rows=X.shape[0], columns=X.shape[1], x=X.ravel().tolist(),
                  y=y.tolist(), weights=w.tolist(), l1Ratio=0.6, count=12, eps=1e-2, alphas=alphas.tolist(),
                  coefficients=coefs))

with open("linear.json", "w") as f:
    json.dump(dict(cases=cases, paths=paths), f, separators=(",", ":"))
