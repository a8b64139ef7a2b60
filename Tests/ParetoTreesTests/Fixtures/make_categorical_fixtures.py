"""LightGBM's categorical splits on small data sets, for ParetoTrees'
categorical split tests.

Writes categorical_splits.json: per case, the LightGBM parameters, the
training columns (categories as strings, null = missing; numbers), the
labels, and LightGBM's raw score for every training row. The cases cover
one-vs-rest splits (three categories and missing values, plain L2), the
sorted many-vs-many search on four categories (LightGBM counts the missing
bin, so four categories are not one-hot; at most half the categories on
one side; groups of min_data_per_group rows; cat_l2 on the children's
values), twelve categories with a numeric column, continuous columns (LightGBM's
numeric bins), a binary objective with every category and prefix in play,
a category that is searched only where its leaf's parent could split on it,
where a numeric threshold sits between a leaf's rows (scored on probe rows),
and a binary objective at LightGBM's defaults, where its row counts derived
from hessians decide splits.
Every category has at least 15 rows, so both libraries keep all of them.

Run from the repository root with lightgbm installed:
    python3 Tests/ParetoTreesTests/Fixtures/make_categorical_fixtures.py
(lightgbm 4.x, numpy, pandas; seed 11).
"""
import json
import os

import lightgbm as lgb
import numpy as np
import pandas as pd

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(11)


def categories(sizes, missing=0):
    names = [f"k{i}" for i in range(len(sizes))]
    values = [n for n, s in zip(names, sizes) for _ in range(s)] + [None] * missing
    order = rng.permutation(len(values))
    return [values[i] for i in order]


def case(name, columns, labels, params, rounds, probe=None):
    frame = pd.DataFrame({k: (pd.Categorical(v) if kind == "categorical" else np.asarray(v, dtype=float))
                          for k, (kind, v) in columns.items()})
    base = {"verbose": -1, "num_threads": 1, "deterministic": True, "min_data_in_bin": 1,
            "feature_pre_filter": False, "min_sum_hessian_in_leaf": 1e-3}
    base.update(params)
    booster = lgb.train(base, lgb.Dataset(frame, np.asarray(labels, dtype=float)), num_boost_round=rounds)
    raw = booster.predict(frame, raw_score=True)
    return {
        "name": name,
        "objective": params["objective"],
        "rounds": rounds,
        "learning_rate": params["learning_rate"],
        "num_leaves": params["num_leaves"],
        "min_data_in_leaf": params["min_data_in_leaf"],
        "lambda_l2": params.get("lambda_l2", 0.0),
        "min_data_per_group": params.get("min_data_per_group", 100),
        "cat_smooth": params.get("cat_smooth", 10.0),
        "columns": [{"name": k, "kind": kind, "values": [None if (x is None or (isinstance(x, float) and np.isnan(x))) else x
                                                          for x in (v if kind == "categorical" else list(map(float, v)))]}
                    for k, (kind, v) in columns.items()],
        "labels": [float(y) for y in labels],
        "raw": [float(r) for r in raw],
        # Rows not trained on (numeric columns only): their scores depend on
        # where a split's threshold sits between the leaf's rows.
        "probe": None if probe is None else {
            "columns": [[None if np.isnan(x) else float(x) for x in probe[k]] for k in columns],
            "raw": [float(r) for r in booster.predict(pd.DataFrame({k: np.asarray(probe[k], dtype=float)
                                                                    for k in columns}), raw_score=True)],
        },
    }


cases = []

# Three categories and missing values: one category against the rest, plain L2.
c = categories([300, 200, 50], missing=40)
means = {"k0": 1.0, "k1": 4.0, "k2": -3.0, None: 2.0}
y = [means[v] + rng.normal(scale=0.5) for v in c]
cases.append(case("one_vs_rest", {"c": ("categorical", c)}, y,
                  {"objective": "regression", "learning_rate": 0.5, "num_leaves": 4, "min_data_in_leaf": 5,
                   "lambda_l2": 2.0}, 3))

# Four categories: sorted by gradient ratio, at most two on one side, groups of 100 rows, cat_l2 10.
c = categories([400, 250, 60, 30])
means = {"k0": 0.0, "k1": 3.0, "k2": -2.0, "k3": 5.0}
y = [means[v] + rng.normal(scale=0.5) for v in c]
cases.append(case("sorted_four", {"c": ("categorical", c)}, y,
                  {"objective": "regression", "learning_rate": 0.5, "num_leaves": 4, "min_data_in_leaf": 5}, 3))

# Twelve categories of 15-400 rows and an integer column.
sizes = [400, 320, 250, 180, 150, 120, 90, 70, 50, 35, 25, 15]
c = categories(sizes, missing=30)
x = rng.integers(0, 10, size=len(c))
effect = dict(zip([f"k{i}" for i in range(12)], rng.normal(scale=2.0, size=12)))
effect[None] = 0.7
y = [effect[v] * (1 + 0.2 * xi) + 0.3 * xi + rng.normal(scale=0.5) for v, xi in zip(c, x)]
cases.append(case("twelve_and_number", {"c": ("categorical", c), "x": ("numeric", x)}, y,
                  {"objective": "regression", "learning_rate": 0.2, "num_leaves": 8, "min_data_in_leaf": 10,
                   "lambda_l2": 0.5}, 20))

# Binary: eight and three categories and an integer column, every category
# taking part (cat_smooth 1) and every prefix tried (min_data_per_group 1):
# the ordering by G / (H + cat_smooth) with varying hessians and cat_l2.
# (LightGBM's hessian-derived row counts are the last case's subject.)
a = categories([500, 400, 300, 250, 200, 150, 100, 100])
b = categories([900, 800, 300])
x = rng.integers(0, 30, size=len(a))
ea = dict(zip([f"k{i}" for i in range(8)], rng.normal(scale=1.0, size=8)))
eb = {"k0": -0.5, "k1": 0.3, "k2": 1.0}
logit = [ea[u] + eb[v] + 0.05 * (xi - 15) for u, v, xi in zip(a, b, x)]
y = [1.0 if rng.uniform() < 1 / (1 + np.exp(-z)) else 0.0 for z in logit]
cases.append(case("binary", {"a": ("categorical", a), "b": ("categorical", b), "x": ("numeric", x)}, y,
                  {"objective": "binary", "learning_rate": 0.1, "num_leaves": 8, "min_data_in_leaf": 20,
                   "min_data_per_group": 1, "cat_smooth": 1.0}, 20))

# Continuous values (more distinct values than bins): LightGBM's bins — zero
# a bin of its own, the negative side's share in proportion to its rows,
# values holding an average bin's rows alone, greedy cuts elsewhere; one
# column with missing values (a bin fewer). Many leaves and rounds, so
# most bins' bounds become split thresholds.
n = 3000
u = rng.normal(size=n) * 3
u[rng.uniform(size=n) < 0.1] = 0.0
v = np.round(rng.exponential(size=n) * 50, 1)
v[rng.uniform(size=n) < 0.15] = 7.0
w = rng.uniform(-1, 5, size=n)
w[rng.uniform(size=n) < 0.05] = np.nan
z = np.where(np.isnan(w), 1.0, w)
y = np.sin(u) + 0.01 * v + np.where(v == 7.0, 1.5, 0.0) + 0.5 * z + rng.normal(scale=0.2, size=n)
cases.append(case("continuous", {"u": ("numeric", list(u)), "v": ("numeric", list(v)), "w": ("numeric", list(w))}, y,
                  {"objective": "regression", "learning_rate": 0.1, "num_leaves": 63, "min_data_in_leaf": 5}, 30))

# A feature no split of a leaf can use is not searched below it (LightGBM
# keeps, per leaf, which features had a valid split). Every category has
# the same mean overall (each has as many rows with x < 0 as with x > 0, and
# y = sign(x)(1 + s)), so no categorical split gains anything at the root;
# within each side of x = 0 the categories differ, but LightGBM does not
# look at the category there, and x alone explains nothing more: one split
# per tree.
shift = {"k0": 1.0, "k1": -1.0, "k2": 0.5, "k3": -0.5, "k4": 0.25}
c, x = [], []
for k in shift:
    for sign in (-1.0, 1.0):
        c += [k] * 200
        x += list(sign * rng.uniform(0.01, 1.0, size=200))
order = rng.permutation(len(c))
c = [c[i] for i in order]
x = [x[i] for i in order]
y = [float(np.sign(xi)) * (1 + shift[k]) for k, xi in zip(c, x)]
cases.append(case("unsplittable_parent", {"c": ("categorical", c), "x": ("numeric", x)}, y,
                  {"objective": "regression", "learning_rate": 0.3, "num_leaves": 8, "min_data_in_leaf": 20}, 3))

# Where a threshold sits when several bins split a leaf's rows alike (bins
# without rows in the leaf between them): LightGBM scans from the top bin
# down first (missing values left), taking the highest such threshold, then,
# for a column with missing values, from the bottom up (missing right),
# taking the lowest, only when strictly better. Integers 0-99 in clusters
# leave gaps inside leaves; one column has 10% missing values. Scored on
# probe rows between and beyond the training values (and missing ones).
n = 1500
a = rng.choice(np.r_[0:20, 35:50, 70:100], size=n).astype(float)
b = rng.integers(0, 60, size=n).astype(float)
b[rng.uniform(size=n) < 0.1] = np.nan
y = np.where(a < 30, 1.0, 0.0) + 0.05 * a + np.where(np.isnan(b), 2.0, np.sin(np.nan_to_num(b) / 8)) \
    + rng.normal(scale=0.3, size=n)
pa = rng.uniform(-5, 105, size=600)
pb = rng.uniform(-5, 65, size=600)
pb[rng.uniform(size=600) < 0.1] = np.nan
cases.append(case("threshold_ties", {"a": ("numeric", list(a)), "b": ("numeric", list(b))}, y,
                  {"objective": "regression", "learning_rate": 0.2, "num_leaves": 31, "min_data_in_leaf": 5}, 20,
                  probe={"a": pa, "b": pb}))

# LightGBM's row counts from hessians: a binary objective at LightGBM's
# defaults (20 rows per leaf, cat_smooth 10, groups of 100 rows). After the
# first round a bin's rows count as round(hessian × leaf rows / leaf
# hessian), so confident rows count as fewer; a strong signal makes the
# hessians vary widely, and small leaves make the counts decide splits.
a = categories([700, 500, 400, 300, 200, 150, 100, 60, 40])
x = rng.normal(size=len(a))
z = rng.integers(0, 50, size=len(a)).astype(float)
ea = dict(zip([f"k{i}" for i in range(9)], rng.normal(scale=2.0, size=9)))
logit = [3 * xi + ea[u] + 0.08 * (zi - 25) for u, xi, zi in zip(a, x, z)]
y = [1.0 if rng.uniform() < 1 / (1 + np.exp(-t)) else 0.0 for t in logit]
cases.append(case("binary_hessian_counts", {"a": ("categorical", a), "x": ("numeric", list(x)), "z": ("numeric", list(z))},
                  y, {"objective": "binary", "learning_rate": 0.3, "num_leaves": 31, "min_data_in_leaf": 20}, 15))

with open(os.path.join(here, "categorical_splits.json"), "w") as f:
    json.dump({"lightgbm": lgb.__version__, "cases": cases}, f)
print("wrote", len(cases), "cases")
