#!/usr/bin/env python3
"""Train one peer GBDT on the benchmark data and print one JSON line.

  gbdt_peer.py lightgbm|xgboost|sklearn DATA_PREFIX TASK THREADS PREDICTIONS.npy

DATA_PREFIX.{train,test}.npz hold X and y. Times: dataset construction
(binning) and training separately where the library separates them
(scikit-learn bins inside fit, so its construction time is 0 and its
training time includes binning). Settings match pareto-bench gbdt's: 100
trees, 31 leaves, learning rate 0.1, 255 bins, at least 20 rows per leaf,
no bagging, no early stopping.
"""
import json
import os
import resource
import sys
import time

tool, prefix, task, threads, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
os.environ["OMP_NUM_THREADS"] = str(threads)

import numpy as np  # noqa: E402

train = np.load(prefix + ".train.npz")
test = np.load(prefix + ".test.npz")
X, y, Xt = train["X"], train["y"], test["X"]
binary = task == "binary"

if tool == "lightgbm":
    import lightgbm as lgb

    params = {
        "objective": "binary" if binary else "regression", "num_leaves": 31, "learning_rate": 0.1,
        "max_bin": 255, "min_data_in_leaf": 20, "num_threads": threads, "verbose": -1,
        "bagging_fraction": 1.0, "feature_fraction": 1.0, "deterministic": True,
    }
    t0 = time.perf_counter()
    data = lgb.Dataset(X, y, params={"max_bin": 255, "verbose": -1}).construct()
    t1 = time.perf_counter()
    model = lgb.train(params, data, num_boost_round=100)
    t2 = time.perf_counter()
    predictions = model.predict(Xt, num_threads=threads)
elif tool == "xgboost":
    import xgboost as xgb

    params = {
        "objective": "binary:logistic" if binary else "reg:squarederror", "tree_method": "hist",
        "grow_policy": "lossguide", "max_leaves": 31, "max_depth": 0, "eta": 0.1, "max_bin": 255,
        "nthread": threads, "verbosity": 0,
    }
    t0 = time.perf_counter()
    data = xgb.QuantileDMatrix(X, y, max_bin=255, nthread=threads)
    t1 = time.perf_counter()
    model = xgb.train(params, data, num_boost_round=100)
    t2 = time.perf_counter()
    predictions = model.predict(xgb.DMatrix(Xt, nthread=threads))
elif tool == "sklearn":
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    kind = HistGradientBoostingClassifier if binary else HistGradientBoostingRegressor
    model = kind(max_iter=100, learning_rate=0.1, max_leaf_nodes=31, max_bins=255, min_samples_leaf=20,
                 l2_regularization=0.0, early_stopping=False)
    t0 = t1 = time.perf_counter()
    model.fit(X, y)
    t2 = time.perf_counter()
    predictions = model.predict_proba(Xt)[:, 1] if binary else model.predict(Xt)
else:
    raise SystemExit(f"unknown tool {tool}")

np.save(out, np.asarray(predictions, dtype=np.float64))
print(json.dumps({
    "construct_seconds": t1 - t0, "train_seconds": t2 - t1,
    "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
}))
