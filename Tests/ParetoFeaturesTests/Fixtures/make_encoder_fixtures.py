#!/usr/bin/env python3
"""Regenerate encoders_*.json, the expected values of ParetoFeatures' encoder tests.

Usage (from the repository root, with the benchmark venv, which has
scikit-learn, category_encoders, numpy and pandas):

    bench/.venv/bin/python Tests/ParetoFeaturesTests/Fixtures/make_encoder_fixtures.py

Deterministic (numpy seed 20250105); re-running it rewrites the files byte for
byte. Last generated with scikit-learn 1.9.1, category_encoders 2.11.2,
numpy 2.4.6, pandas 3.1.1.

References
----------
- encoders_onehot.json    sklearn.preprocessing.OneHotEncoder
- encoders_ordinal.json   sklearn.preprocessing.OrdinalEncoder
- encoders_frequency.json category_encoders.CountEncoder
- encoders_target.json    sklearn.preprocessing.TargetEncoder (fit, transform,
                          and fit_transform with the folds written here)
- encoders_polynomial.json sklearn.preprocessing.PolynomialFeatures
- encoders_groups.json    pandas groupby aggregates

Shared shapes
-------------
column  = {"name": str, "kind": "categorical" | "boolean" | "numeric",
           "values": [...]}            # null marks a missing value
outputs = {"names": [str, ...],        # in the order the encoder makes them
           "values": [[...], ...]}     # one list per name; null for NaN

Output names are Pareto's: "<column>=<level>" for one-hot columns, with
"(missing)" for the missing category and "(infrequent)" for the infrequent
bucket; "<column>_<class>" for multiclass target encodings;
"a^2*b" for polynomial terms; "<value>_<statistic>_by_<group>" for
group aggregates. Boolean levels are "false" and "true".
"""

import json
import math
import os

import category_encoders as ce
import numpy as np
import pandas as pd
import sklearn
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.preprocessing import (OneHotEncoder, OrdinalEncoder, PolynomialFeatures,
                                   TargetEncoder)

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20250105)


def number(x):
    x = float(x)
    return None if math.isnan(x) else x


def label(x):
    """A category as Pareto spells it; None for missing."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return None
    if isinstance(x, (bool, np.bool_)):
        return "true" if x else "false"
    return str(x)


def column(name, kind, values):
    if kind == "numeric":
        out = [number(v) for v in values]
    elif kind == "boolean":
        out = [None if label(v) is None else bool(v) for v in values]
    else:
        out = [label(v) for v in values]
    return {"name": name, "kind": kind, "values": out}


def outputs(names, matrix, integers=False):
    """Column-major values; `integers` writes 0/1 indicators as 0 and 1."""
    matrix = np.asarray(matrix, dtype=float)
    convert = (lambda v: int(v)) if integers else number
    return {"names": list(names), "values": [[convert(v) for v in matrix[:, j]] for j in range(matrix.shape[1])]}


def pick(levels, weights, n, missing=0.0):
    """n draws of levels with the given weights, a share of them missing (NaN)."""
    p = np.asarray(weights, dtype=float)
    values = rng.choice(np.array(levels, dtype=object), size=n, p=p / p.sum()).astype(object)
    values[rng.random(n) < missing] = np.nan
    return values


def write(name, payload):
    payload = {"generator": {"scikit-learn": sklearn.__version__, "category_encoders": ce.__version__,
                             "numpy": np.__version__, "pandas": pd.__version__}, **payload}
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(payload, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")


def pareto_name(feature, category):
    if category is None or (isinstance(category, float) and math.isnan(category)):
        return f"{feature}=(missing)"
    if isinstance(category, str) and category == "infrequent_sklearn":
        return f"{feature}=(infrequent)"
    return f"{feature}={label(category)}"


# --- categorical inputs shared by the unsupervised encoders ------------------

# Skewed frequencies with tiny categories ("k" and "l" a row or two) so that
# min_frequency and max_categories have work to do; 'mauve' never trains.
COLORS = ["red", "blue", "green", "amber", "teal", "k", "l", "zinc"]
COLOR_WEIGHTS = [40, 25, 12, 8, 6, 0.7, 0.7, 5]
n_train, n_test = 200, 60
color_train = pick(COLORS, COLOR_WEIGHTS, n_train, missing=0.06)
color_train[[17, 90, 151]] = ["k", "l", "l"]  # the tiny categories are certain to train
color_test = pick(COLORS + ["mauve"], COLOR_WEIGHTS + [6], n_test, missing=0.1)
size_train = pick(["S", "M", "L"], [3, 5, 2], n_train)
size_test = pick(["S", "M", "L", "XL"], [3, 5, 2, 1], n_test, missing=0.1)  # XL and missing unseen
flag_train = pick([True, False], [6, 4], n_train, missing=0.05)
flag_test = pick([True, False], [6, 4], n_test, missing=0.1)

unsupervised_train = [column("color", "categorical", color_train), column("size", "categorical", size_train),
                      column("flag", "boolean", flag_train)]
unsupervised_test = [column("color", "categorical", color_test), column("size", "categorical", size_test),
                     column("flag", "boolean", flag_test)]
X_train = pd.DataFrame({"color": color_train, "size": size_train, "flag": flag_train})
X_test = pd.DataFrame({"color": color_test, "size": size_test, "flag": flag_test})

# --- one-hot ------------------------------------------------------------------

ONE_HOT_CASES = [
    ("plain", {}, {"handle_unknown": "ignore"}),
    ("min_frequency_count", {"minFrequencyCount": 10, "unknown": "infrequent"},
     {"min_frequency": 10, "handle_unknown": "infrequent_if_exist"}),
    ("min_frequency_fraction", {"minFrequencyFraction": 0.08, "unknown": "infrequent"},
     {"min_frequency": 0.08, "handle_unknown": "infrequent_if_exist"}),
    ("max_categories", {"maxCategories": 4, "unknown": "infrequent"},
     {"max_categories": 4, "handle_unknown": "infrequent_if_exist"}),
    ("max_and_min", {"maxCategories": 3, "minFrequencyCount": 5, "unknown": "ignore"},
     {"max_categories": 3, "min_frequency": 5, "handle_unknown": "ignore"}),
    ("ties_at_the_cut", {"maxCategories": 3, "unknown": "infrequent"},
     {"max_categories": 3, "handle_unknown": "infrequent_if_exist"}),
    ("drop_first", {"drop": "first", "unknown": "ignore"}, {"drop": "first", "handle_unknown": "ignore"}),
    ("drop_if_binary_grouped", {"drop": "ifBinary", "maxCategories": 2, "unknown": "infrequent"},
     {"drop": "if_binary", "max_categories": 2, "handle_unknown": "infrequent_if_exist"}),
    ("drop_first_with_infrequent", {"drop": "first", "minFrequencyCount": 15, "unknown": "infrequent"},
     {"drop": "first", "min_frequency": 15, "handle_unknown": "infrequent_if_exist"}),
    ("everything_infrequent", {"maxCategories": 1, "unknown": "infrequent"},
     {"max_categories": 1, "handle_unknown": "infrequent_if_exist"}),
]

# Three levels of exactly equal counts: the stable sort decides which is infrequent.
tie = np.array(["p", "q", "r"] * 10, dtype=object)
tie_test = np.array(["r", "q", "p", "s"], dtype=object)
one_hot_data = {"shared": {"train": unsupervised_train, "test": unsupervised_test},
                "tie": {"train": [column("tie", "categorical", tie)], "test": [column("tie", "categorical", tie_test)]}}
one_hot = []
for name, pareto, sk in ONE_HOT_CASES:
    data = "tie" if name == "ties_at_the_cut" else "shared"
    if data == "tie":
        Xtr, Xte = pd.DataFrame({"tie": tie}), pd.DataFrame({"tie": tie_test})
    else:
        Xtr, Xte = X_train, X_test
    enc = OneHotEncoder(sparse_output=False, feature_name_combiner=pareto_name, **sk).fit(Xtr)
    names = enc.get_feature_names_out()
    infrequent = {}
    for feature, cats in zip(Xtr.columns, enc.infrequent_categories_ if enc._infrequent_enabled else []):
        infrequent[feature] = [] if cats is None else [label(c) if label(c) is not None else "(missing)" for c in cats]
    one_hot.append({"name": name, "data": data, "settings": pareto, "infrequent": infrequent,
                    "expectedTrain": outputs(names, enc.transform(Xtr), integers=True),
                    "expectedTest": outputs(names, enc.transform(Xte), integers=True)})
write("encoders_onehot.json", {"data": one_hot_data, "cases": one_hot})

# --- ordinal and frequency ------------------------------------------------------

cat_train = X_train[["color", "size"]]
ordinal_test = X_test[["color", "size"]].copy()
# Missing values in the test rows only where training had them too (color):
# an unseen missing value is where Pareto and scikit-learn differ (see the tests).
ordinal_test["size"] = ordinal_test["size"].where(ordinal_test["size"].notna(), "S")
ordinal = OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1).fit(cat_train)
ordinal_payload = {
    "train": unsupervised_train[:2],
    "test": [column("color", "categorical", ordinal_test["color"]), column("size", "categorical", ordinal_test["size"])],
    "categories": {f: [label(c) for c in cats if label(c) is not None] for f, cats in zip(cat_train.columns, ordinal.categories_)},
    "expectedTrain": outputs(cat_train.columns, ordinal.transform(cat_train)),
    "expectedTest": outputs(cat_train.columns, ordinal.transform(ordinal_test)),
}
write("encoders_ordinal.json", ordinal_payload)

frequency_cases = []
for measure, normalize in (("count", False), ("frequency", True)):
    counter = ce.CountEncoder(cols=["color", "size"], normalize=normalize, handle_missing="value",
                              handle_unknown="value").fit(cat_train)
    frequency_cases.append({"measure": measure,
                            "expectedTrain": outputs(cat_train.columns, counter.transform(cat_train).to_numpy(float)),
                            "expectedTest": outputs(cat_train.columns,
                                                    counter.transform(X_test[["color", "size"]]).to_numpy(float))})
write("encoders_frequency.json", {"train": unsupervised_train[:2], "test": unsupervised_test[:2],
                                  "cases": frequency_cases})

# --- target encoding --------------------------------------------------------------

n_target = 300
# "city" has many levels, several with one or two rows; "plan" has missing values.
city_levels = [f"c{i:02d}" for i in range(40)]
city_weights = rng.pareto(1.2, size=40) + 0.05
city = pick(city_levels, city_weights, n_target)
city_test = pick(city_levels + ["c99"], list(city_weights) + [2], 80)          # c99 unseen
plan = pick(["basic", "plus", "pro"], [5, 3, 2], n_target, missing=0.1)
plan_test = pick(["basic", "plus", "pro", "max"], [5, 3, 2, 1], 80, missing=0.1)  # max unseen
city_effect = {c: rng.normal() for c in city_levels}
plan_effect = {"basic": -0.5, "plus": 0.2, "pro": 0.8}
score = np.array([city_effect[c] for c in city]) + np.array(
    [plan_effect.get(p, 0.0) if isinstance(p, str) else 0.3 for p in plan]) + rng.normal(size=n_target)
targets = {
    "binary": np.where(score > 0.2, "yes", "no").astype(object),
    "multiclass": np.select([score < -0.5, score < 0.7], ["low", "mid"], "high").astype(object),
    "regression": 3.0 * score + 10.0,
}
Xt = pd.DataFrame({"city": city, "plan": plan})
Xt_test = pd.DataFrame({"city": city_test, "plan": plan_test})

# The same inputs for every case; each task has its own target and folds.
# Smoothing 0 (no shrinkage at all) only for the binary target, to keep the
# file small.
SMOOTHS = {"binary": ("auto", 10.0, 0.0), "multiclass": ("auto", 10.0), "regression": ("auto", 10.0)}
target_tasks = []
for task, y in targets.items():
    if task == "regression":
        splitter = KFold(n_splits=5, shuffle=True, random_state=11)
    else:
        splitter = StratifiedKFold(n_splits=5, shuffle=True, random_state=11)
    folds = [(train, test) for train, test in splitter.split(Xt, y)]
    target_type = "continuous" if task == "regression" else task
    cases = []
    for smooth in SMOOTHS[task]:
        full = TargetEncoder(target_type=target_type, smooth=smooth).fit(Xt, y)
        out_of_fold = TargetEncoder(target_type=target_type, smooth=smooth, cv=folds).fit_transform(Xt, y)
        if task == "multiclass":
            names = [f"{f}_{c}" for f in Xt.columns for c in full.classes_]
        else:
            names = list(Xt.columns)
        cases.append({
            "smoothing": smooth if smooth == "auto" else {"fixed": smooth},
            "classes": [] if full.classes_ is None else [str(c) for c in full.classes_],
            "targetMean": [number(v) for v in np.atleast_1d(full.target_mean_)],
            # Per output (feature-major, then class), the encoding of each
            # category in `categories` order.
            "encodings": [[number(v) for v in e] for e in full.encodings_],
            "expectedTest": outputs(names, full.transform(Xt_test)),
            "expectedOutOfFold": outputs(names, out_of_fold),
        })
    target_tasks.append({
        "task": task,
        "target": [number(v) for v in y] if task == "regression" else [str(v) for v in y],
        # Each fold's validation rows; its training rows are all the others.
        "folds": [test.tolist() for _, test in folds],
        "cases": cases,
    })
write("encoders_target.json", {
    "train": [column("city", "categorical", city), column("plan", "categorical", plan)],
    "test": [column("city", "categorical", city_test), column("plan", "categorical", plan_test)],
    # Sorted categories, the missing category ("(missing)") last.
    "categories": {f: [label(c) if label(c) is not None else "(missing)" for c in np.unique(Xt[f].dropna())]
                   + (["(missing)"] if Xt[f].isna().any() else []) for f in Xt.columns},
    "tasks": target_tasks,
})

# --- polynomial features ------------------------------------------------------------

P = rng.normal(size=(40, 3)) * np.array([1.0, 3.0, 0.5]) + np.array([0.0, 1.0, -2.0])
poly_frame = pd.DataFrame(P, columns=["a", "b", "c"])
poly_cases = []
for degree, interaction_only, include_bias in ((2, False, False), (3, False, False), (3, True, False),
                                               (2, False, True), (1, False, True)):
    poly = PolynomialFeatures(degree=degree, interaction_only=interaction_only, include_bias=include_bias)
    out = poly.fit_transform(poly_frame)
    names = [n.replace(" ", "*") for n in poly.get_feature_names_out()]
    poly_cases.append({"degree": degree, "interactionOnly": interaction_only, "includeBias": include_bias,
                       "expected": outputs(names, out)})
write("encoders_polynomial.json", {"input": [column(n, "numeric", P[:, j]) for j, n in enumerate("abc")],
                                   "cases": poly_cases})

# --- group aggregates ------------------------------------------------------------------

g_train = pick(["north", "south", "east", "west", "solo"], [10, 8, 6, 4, 0.4], 150, missing=0.08)
g_test = pick(["north", "south", "east", "west", "solo", "central"], [10, 8, 6, 4, 0.4, 3], 40, missing=0.1)
amount = rng.gamma(2.0, 50.0, size=150)
amount[rng.random(150) < 0.1] = np.nan
visits = rng.poisson(3.0, size=150).astype(float)
group_frame = pd.DataFrame({"region": g_train, "amount": amount, "visits": visits})
stats = ["mean", "count", "std", "min", "max"]
grouped = group_frame.groupby("region", dropna=False)[["amount", "visits"]].agg(stats)


def aggregate(groups):
    names, columns = [], []
    for value in ("amount", "visits"):
        for stat in stats:
            names.append(f"{value}_{stat}_by_region")
            table = grouped[(value, stat)]
            by_key = {(None if label(k) is None else k): v for k, v in table.items()}
            if stat == "count":
                unseen = 0.0
            else:
                unseen = getattr(group_frame[value], stat)()
            col = []
            for g in groups:
                key = None if label(g) is None else g
                col.append(by_key[key] if key in by_key else unseen)
            columns.append(col)
    return outputs(names, np.array(columns).T)


write("encoders_groups.json", {
    "train": [column("region", "categorical", g_train), column("amount", "numeric", amount),
              column("visits", "numeric", visits)],
    "test": [column("region", "categorical", g_test)],
    "statistics": stats,
    "expectedTrain": aggregate(g_train),
    "expectedTest": aggregate(g_test),
})
