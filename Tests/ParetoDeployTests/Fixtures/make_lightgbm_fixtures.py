"""LightGBM models in its text format, and their predictions, for
ParetoDeploy's import tests.

Writes, per case, <name>.txt (LightGBM's model file) and <name>.csv: the
test rows (features; empty = missing) followed by LightGBM's raw scores
(raw_0, raw_1, ...) and predictions (pred_0, ...). Feature `c` is
categorical (integer codes 0-7, LightGBM's categorical_feature); `x2` has
missing values in training and test rows, `x3` only in test rows (so its
splits have LightGBM's missing type None).

Run from the repository root with lightgbm installed:
    python3 Tests/ParetoDeployTests/Fixtures/make_lightgbm_fixtures.py
(lightgbm 4.x, numpy, pandas; seed 7).
"""
import os

import lightgbm as lgb
import numpy as np
import pandas as pd

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(7)
n = 3000
X = pd.DataFrame({
    "x0": rng.normal(size=n),
    "x1": rng.uniform(-2, 2, size=n),
    "x2": rng.normal(size=n),
    "x3": rng.exponential(size=n),
    "c": rng.integers(0, 8, size=n),
})
X.loc[rng.random(n) < 0.15, "x2"] = np.nan
effect = np.array([0.0, 1.5, -1.0, 0.5, 2.0, -2.0, 0.2, 1.0])
signal = X["x0"] + np.sin(2 * X["x1"]) + np.nan_to_num(X["x2"], nan=1.5) * 0.7 - 0.3 * X["x3"] + effect[X["c"]]
test = X.iloc[:60].copy()
test.loc[test.index[:10], "x3"] = np.nan
test.loc[test.index[10:14], "c"] = 11  # a category never seen in training
test.loc[test.index[14:16], "x2"] = np.nan

cases = {
    "binary": ((signal + rng.normal(size=n) > 0.5).astype(int), {"objective": "binary"}),
    "regression": (signal + 0.3 * rng.normal(size=n), {"objective": "regression"}),
    "multiclass": (np.digitize(signal + 0.5 * rng.normal(size=n), [-0.5, 1.0]),
                   {"objective": "multiclass", "num_class": 3}),
    "poisson": (rng.poisson(np.exp(0.3 * signal)), {"objective": "poisson"}),
}
for name, (y, params) in cases.items():
    params = dict(params, num_leaves=15, learning_rate=0.1, min_data_in_leaf=10, max_cat_to_onehot=4,
                  cat_smooth=5, verbose=-1, seed=7, deterministic=True, num_threads=1)
    booster = lgb.train(params, lgb.Dataset(X, label=y, categorical_feature=["c"]), num_boost_round=25)
    booster.save_model(os.path.join(here, name + ".txt"))
    raw = np.asarray(booster.predict(test, raw_score=True)).reshape(len(test), -1)
    pred = np.asarray(booster.predict(test)).reshape(len(test), -1)
    out = test.copy()
    for k in range(raw.shape[1]):
        out[f"raw_{k}"] = raw[:, k]
    for k in range(pred.shape[1]):
        out[f"pred_{k}"] = pred[:, k]
    out.to_csv(os.path.join(here, name + ".csv"), index=False, float_format="%.17g")
