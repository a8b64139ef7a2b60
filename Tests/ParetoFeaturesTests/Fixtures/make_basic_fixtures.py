"""Expected values for ParetoFeatures' basic transformers (imputer, scalers,
Yeo-Johnson power transform, discretizer, date parts).

Run from the repository root with the benchmark environment (scikit-learn
1.9, scipy 1.17, numpy 2, pandas 3):

    bench/.venv/bin/python Tests/ParetoFeaturesTests/Fixtures/make_basic_fixtures.py

It writes basic_*.json beside itself. Inputs are drawn from a seeded
generator, so a rerun rewrites the files byte for byte. Missing values are
written as null; every data column is a list (column-major).

- basic_imputer.json: sklearn.impute.SimpleImputer (statistics_, transform
  of training and new rows, indicator_.features_) for numeric columns with
  keep_empty_features=True (so an all-missing column is kept and filled with
  0, as Pareto does), and for object (label) columns.
- basic_scalers.json: StandardScaler, MinMaxScaler, RobustScaler and
  MaxAbsScaler with several settings: fitted parameters and transforms.
- basic_power.json: PowerTransformer(method="yeo-johnson"): lambdas_, the
  scaler's mean_/scale_, transforms; and scipy.stats.yeojohnson of the new
  rows at sklearn's lambdas (the bare transform, to check to rounding).
- basic_discretizer.json: KBinsDiscretizer(encode="ordinal",
  subsample=None), uniform and quantile (both quantile methods): bin_edges_
  and transforms. (It refuses NaN, so these inputs have none.)
- basic_dates.json: pandas' .dt year, month, day, dayofweek, dayofyear,
  hour, minute of microsecond timestamps in UTC, plus the cyclic encodings
  computed from them with numpy (sin/cos of 2π(month−1)/12, 2π·dow/7,
  2π·hour/24).
"""

import json
import math
import os
import warnings

import numpy as np
import pandas as pd
import scipy
import sklearn
from scipy import stats
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import (KBinsDiscretizer, MaxAbsScaler, MinMaxScaler, PowerTransformer,
                                   RobustScaler, StandardScaler)

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20250611)
warnings.simplefilter("ignore")  # constant columns, removed bins: expected here


def clean(value):
    """JSON-ready: NaN → null, numpy scalars → Python numbers."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value


def columns(matrix):
    return [list(matrix[:, j]) for j in range(matrix.shape[1])]


def write(name, payload):
    payload = {"generator": {"sklearn": sklearn.__version__, "scipy": scipy.__version__,
                             "numpy": np.__version__, "pandas": pd.__version__}, **payload}
    with open(os.path.join(HERE, name), "w") as f:
        json.dump(clean(payload), f, separators=(",", ":"), allow_nan=False)
        f.write("\n")


def with_nans(column, fraction):
    column = column.copy()
    column[rng.random(len(column)) < fraction] = np.nan
    return column


# --- Numeric data shared by the imputer and the scalers --------------------

def numeric_cases():
    n = 40
    mixed = np.column_stack([
        with_nans(rng.normal(5, 2, n), 0.15),                      # Gaussian with gaps
        with_nans(rng.lognormal(0, 1.2, n), 0.1),                  # skewed, positive
        rng.uniform(-10, -1, n),                                   # all negative
        np.full(n, 0.1),                                           # constant (not exact in binary)
        with_nans(rng.integers(0, 4, n).astype(float), 0.2),       # ties
        np.where(np.arange(n) == 7, 3.5, np.nan),                  # one present value
        rng.standard_t(2, n) * 100,                                # heavy tails
    ])
    mixed_test = np.column_stack([
        [1, np.nan, 20, -4, 5], [0, 50, np.nan, 1, 2], [-20, 0, -5, np.nan, -1],
        [0.1, 0.2, np.nan, -3, 0.1], [0, 3, 7, np.nan, -1], [3.5, np.nan, 0, 10, -2],
        [0, 1e4, -1e4, np.nan, 3],
    ])
    tiny = np.array([[1.0, -2.0, 0.0], [np.nan, 4.0, 0.0], [3.0, 4.0, 0.0]])
    tiny_test = np.array([[2.0, 1.0, 5.0], [np.nan, np.nan, np.nan]])
    pair = np.array([[-1.5, 10.0], [2.5, 10.0]])
    pair_test = np.array([[0.0, 9.0], [4.0, 11.0]])
    wide = rng.normal(0, 1, (100, 3)) * np.array([1.0, 1e3, 1e-3]) + np.array([0.0, -5e3, 7.0])
    wide[rng.integers(0, 100, 5), 0] = 40.0  # outliers
    wide_test = rng.normal(0, 1, (6, 3)) * np.array([2.0, 2e3, 2e-3]) + np.array([0.0, -5e3, 7.0])
    return [("mixed", mixed, mixed_test), ("tiny", tiny, tiny_test), ("pair", pair, pair_test),
            ("wide", wide, wide_test)]


def imputer_fixture():
    numeric = []
    for name, train, test in numeric_cases()[:3]:  # "wide" has nothing missing
        # An all-missing column, kept and filled with 0 like Pareto does.
        train = np.column_stack([train, np.full(train.shape[0], np.nan)])
        test = np.column_stack([test, np.arange(test.shape[0], dtype=float)])
        results = []
        for strategy in ["mean", "median", "most_frequent", "constant"]:
            for indicator in [False, True]:
                imputer = SimpleImputer(strategy=strategy, fill_value=-1.0 if strategy == "constant" else None,
                                        keep_empty_features=True, add_indicator=indicator)
                train_out = imputer.fit_transform(train)
                test_out = imputer.transform(test)
                d = train.shape[1]
                results.append({
                    "strategy": strategy, "indicators": indicator,
                    "fills": list(imputer.statistics_),
                    "indicatorColumns": [int(j) for j in imputer.indicator_.features_] if indicator else [],
                    "train": columns(train_out[:, :d]), "test": columns(test_out[:, :d]),
                    "trainIndicators": columns(train_out[:, d:]), "testIndicators": columns(test_out[:, d:]),
                })
        numeric.append({"name": name, "train": columns(train), "test": columns(test), "results": results})

    labels = []
    label_cases = [
        ("ties", [["b", "a", None, "b", "a", "c"], ["x", None, None, "y", "y", "x"]],
         [[None, "c", "z"], [None, "x", None]]),
        ("unicode", [["é", "z", "é", "z", "Zebra", None, "Zebra"], ["apple", "Apple", None, "apple", "Apple", "b", "b"]],
         [[None, "é", None], ["b", None, "q"]]),
        ("one", [["only", None, None]], [[None, "other", "only"]]),
    ]
    for name, train_cols, test_cols in label_cases:
        train = np.array(train_cols, dtype=object).T
        test = np.array(test_cols, dtype=object).T
        results = []
        for strategy in ["most_frequent", "constant"]:
            imputer = SimpleImputer(strategy=strategy, missing_values=None, fill_value="missing",
                                    add_indicator=True)
            train_out = imputer.fit_transform(train)
            test_out = imputer.transform(test)
            d = train.shape[1]
            results.append({
                "strategy": strategy, "fills": list(imputer.statistics_),
                "indicatorColumns": [int(j) for j in imputer.indicator_.features_],
                "train": columns(train_out[:, :d]), "test": columns(test_out[:, :d]),
            })
        labels.append({"name": name, "train": columns(train), "test": columns(test), "results": results})
    write("basic_imputer.json", {"numeric": numeric, "labels": labels})


def scaler_fixture():
    configs = [
        ("standard", {"withMean": True, "withStd": True}, lambda: StandardScaler(),
         lambda s: {"means": s.mean_, "scales": s.scale_}),
        ("standard", {"withMean": False, "withStd": True}, lambda: StandardScaler(with_mean=False),
         lambda s: {"scales": s.scale_}),
        ("standard", {"withMean": True, "withStd": False}, lambda: StandardScaler(with_std=False),
         lambda s: {"means": s.mean_}),
        ("min_max", {"low": 0, "high": 1, "clip": False}, lambda: MinMaxScaler(),
         lambda s: {"scales": s.scale_, "offsets": s.min_, "minimums": s.data_min_, "maximums": s.data_max_}),
        ("min_max", {"low": -1, "high": 2, "clip": True}, lambda: MinMaxScaler((-1, 2), clip=True),
         lambda s: {"scales": s.scale_, "offsets": s.min_}),
        ("robust", {"withCentering": True, "withScaling": True, "lower": 25, "upper": 75}, lambda: RobustScaler(),
         lambda s: {"centers": s.center_, "scales": s.scale_}),
        ("robust", {"withCentering": True, "withScaling": True, "lower": 10, "upper": 90},
         lambda: RobustScaler(quantile_range=(10, 90)), lambda s: {"centers": s.center_, "scales": s.scale_}),
        ("robust", {"withCentering": False, "withScaling": True, "lower": 0, "upper": 100},
         lambda: RobustScaler(with_centering=False, quantile_range=(0, 100)), lambda s: {"scales": s.scale_}),
        ("robust", {"withCentering": True, "withScaling": False, "lower": 25, "upper": 75},
         lambda: RobustScaler(with_scaling=False), lambda s: {"centers": s.center_}),
        ("max_abs", {}, lambda: MaxAbsScaler(), lambda s: {"scales": s.scale_}),
    ]
    cases = []
    for name, train, test in numeric_cases():
        results = []
        for kind, options, make, params in configs:
            scaler = make()
            train_out = scaler.fit_transform(train)
            results.append({"scaler": kind, "options": options, "params": params(scaler),
                            "train": columns(train_out), "test": columns(scaler.transform(test))})
        cases.append({"name": name, "train": columns(train), "test": columns(test), "results": results})
    write("basic_scalers.json", {"cases": cases})


def power_fixture():
    n = 60
    skewed = np.column_stack([
        with_nans(rng.lognormal(1, 0.8, n), 0.1),                  # right-skewed positive
        -rng.lognormal(0.5, 0.7, n),                               # all negative
        rng.normal(0, 3, n) ** 3 / 10,                             # both signs, heavy
        rng.exponential(2, n) - 1,                                 # mostly positive, some negative
        np.full(n, 4.0),                                           # constant: lambda 1
        np.where(np.arange(n) % 3 == 0, 0.0, 1.0) * 0,             # all zeros
        rng.uniform(0, 1000, n),                                   # wide, positive
    ])
    test = np.column_stack([
        [0.0, 5.0, np.nan, 50.0], [-0.5, -10.0, 0.0, 1.0], [-30.0, 0.0, 12.0, np.nan], [-1.0, 0.0, 3.0, 20.0],
        [4.0, 0.0, 5.0, -1.0], [0.0, 1.0, -1.0, 2.0], [0.0, 500.0, 2000.0, -3.0],
    ])
    tiny = np.array([[1.0, -3.0], [2.0, 0.5], [10.0, 2.0]])
    tiny_test = np.array([[0.0, 0.0], [100.0, -10.0]])
    cases = []
    for name, train, new in [("skewed", skewed, test), ("tiny", tiny, tiny_test)]:
        results = []
        for standardize in [True, False]:
            transformer = PowerTransformer(method="yeo-johnson", standardize=standardize)
            train_out = transformer.fit_transform(train)
            result = {"standardize": standardize, "lambdas": list(transformer.lambdas_),
                      "train": columns(train_out), "test": columns(transformer.transform(new))}
            if standardize:
                result["means"] = list(transformer._scaler.mean_)
                result["scales"] = list(transformer._scaler.scale_)
            results.append(result)
        lambdas = results[0]["lambdas"]
        bare = np.column_stack([stats.yeojohnson(new[:, j], lmbda=lambdas[j]) for j in range(new.shape[1])])
        cases.append({"name": name, "train": columns(train), "test": columns(new), "results": results,
                      "bareTest": columns(bare)})
    write("basic_power.json", {"cases": cases})


def discretizer_fixture():
    n = 50
    train = np.column_stack([
        rng.normal(0, 1, n),
        np.concatenate([np.zeros(25), rng.integers(1, 4, 25)]).astype(float),  # heavy ties: edges collapse
        rng.uniform(-100, -50, n),
        np.full(n, 2.5),                                                         # constant: one bin
        np.round(rng.exponential(3, n), 1),                                      # ties from rounding
    ])
    inner = [np.quantile(train[:, 0], 0.5), 1.0, -75.0, 2.5, 1.0]
    test = np.column_stack([
        [-10, 10, np.min(train[:, 0]), np.max(train[:, 0]), inner[0], 0.1],
        [-1, 0, 1, 2, 3, 4], [-200, -100, -75, -50, 0, -60],
        [2.5, 0, 5, -1, 2.5, 3], [0, 1, 2.5, 100, -1, 3],
    ])
    small = np.array([[1.0, 0.0], [2.0, 0.0], [3.0, 1.0]])
    small_test = np.array([[0.5, 0.0], [2.0, 0.5], [3.5, 1.0]])
    cases = []
    for name, x, new in [("mixed", train, test), ("small", small, small_test)]:
        results = []
        for strategy, method in [("uniform", None), ("quantile", "averaged_inverted_cdf"), ("quantile", "linear")]:
            for bins in [2, 3, 5, 10]:
                kwargs = {"quantile_method": method} if method else {}
                d = KBinsDiscretizer(n_bins=bins, encode="ordinal", strategy=strategy, subsample=None, **kwargs)
                train_out = d.fit_transform(x)
                results.append({"strategy": strategy, "method": method or "averaged_inverted_cdf", "bins": bins,
                                "edges": [list(e) if np.all(np.isfinite(e)) else [] for e in d.bin_edges_],
                                "train": columns(train_out), "test": columns(d.transform(new))})
        # Bins per column.
        per = [3, 4, 2, 5, 6][: x.shape[1]]
        d = KBinsDiscretizer(n_bins=per, encode="ordinal", strategy="quantile", subsample=None)
        train_out = d.fit_transform(x)
        results.append({"strategy": "quantile", "method": "averaged_inverted_cdf", "binsPerColumn": per,
                        "bins": 0, "edges": [list(e) if np.all(np.isfinite(e)) else [] for e in d.bin_edges_],
                        "train": columns(train_out), "test": columns(d.transform(new))})
        cases.append({"name": name, "train": columns(x), "test": columns(new), "results": results})
    write("basic_discretizer.json", {"cases": cases})


def dates_fixture():
    special = ["1970-01-01T00:00:00", "1969-12-31T23:59:59.999999", "2000-02-29T12:34:56", "2024-12-31T23:59:00",
               "1900-03-01T06:00:00", "2100-12-31T18:30:00", "2023-01-01T00:00:00", "2023-01-02T00:00:00",
               "1600-02-29T01:02:03", "2021-06-05T11:00:00", "2021-06-06T13:45:00"]
    stamps = [int(np.datetime64(s, "us").astype(np.int64)) for s in special]
    low, high = (int(np.datetime64(s, "us").astype(np.int64)) for s in ("1890-01-01", "2110-01-01"))
    stamps += [int(v) for v in rng.integers(low, high, 60)]
    values = np.array(stamps + [np.iinfo(np.int64).min], dtype=np.int64).view("datetime64[us]")  # last: NaT
    times = pd.Series(values).dt.tz_localize("UTC")
    dt = times.dt
    month, dow, hour = dt.month.astype(float), dt.dayofweek.astype(float), dt.hour.astype(float)
    payload = {
        "microseconds": stamps + [None],
        "year": dt.year.astype(float), "month": month, "day": dt.day.astype(float),
        "day_of_week": dow, "day_of_year": dt.dayofyear.astype(float),
        "hour": hour, "minute": dt.minute.astype(float),
        "is_weekend": [None if math.isnan(d) else bool(d >= 5) for d in dow],
        "month_sin": np.sin(2 * np.pi * (month - 1) / 12), "month_cos": np.cos(2 * np.pi * (month - 1) / 12),
        "day_of_week_sin": np.sin(2 * np.pi * dow / 7), "day_of_week_cos": np.cos(2 * np.pi * dow / 7),
        "hour_sin": np.sin(2 * np.pi * hour / 24), "hour_cos": np.cos(2 * np.pi * hour / 24),
    }
    payload = {k: (list(v.to_numpy()) if isinstance(v, pd.Series) else list(v) if isinstance(v, np.ndarray) else v)
               for k, v in payload.items()}
    write("basic_dates.json", payload)


if __name__ == "__main__":
    imputer_fixture()
    scaler_fixture()
    power_fixture()
    discretizer_fixture()
    dates_fixture()
