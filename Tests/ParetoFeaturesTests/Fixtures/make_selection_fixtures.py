"""Expected values for ParetoFeatures' feature-selection tests (SelectionTests.swift).

Run from the repository root, with scikit-learn 1.9, pandas and numpy 2
installed (bench/.venv has them):

    bench/.venv/bin/python Tests/ParetoFeaturesTests/Fixtures/make_selection_fixtures.py

It reads ../shared/datasets (breast cancer, wine, adult) and writes
selection_*.json beside itself; the synthetic parts are seeded, so a rerun
gives the same files.

- selection_breast_cancer.json: the 569 x 30 breast cancer features plus three
  made-up columns (a constant 0.1 that rounding makes look variable, a
  constant with gaps, a rare flag) and missing values in two real columns.
  Expected: numpy's nanvar per column and scikit-learn's VarianceThreshold
  support for several thresholds; pandas' DataFrame.corr() (pairwise
  complete rows) and, per threshold, the columns CorrelationPruning's two
  documented rules drop (a plain reimplementation of the rules here, on
  pandas' matrix); per complete column, the mutual information with the
  target from scikit-learn's Ross estimator (sklearn.feature_selection.
  _mutual_info._compute_mi_cd, the estimator mutual_info_classif calls,
  here without its scaling and noise) and from mutual_info_classif itself
  (random_state 0, and the mean and standard deviation over random states
  0-29: the data has ties, so the noise matters), and SelectKBest's support
  for several k.
- selection_mi.json: wine (multiclass; magnesium and proline also read as
  discrete); a synthetic continuous set without ties, with a class of one
  row, and a variant with a class of two rows (k drops to 1; scikit-learn
  searches so small a class by brute force, whose rounded distances can put
  a row's neighbour inside its radius, so there an exact brute-force
  reference computed here is the expectation and scikit-learn's value is
  kept to report the gap); and a 3,000-row slice of adult's categorical
  columns (discrete; "?" kept as a category). Expected: _compute_mi_cd on
  the raw values, mutual_info_score for discrete columns, and
  mutual_info_classif's values (for wine also over random states 0-29).
"""

import json
import os

import numpy as np
import pandas as pd
from sklearn.feature_selection import SelectKBest, VarianceThreshold, mutual_info_classif
from sklearn.feature_selection._mutual_info import _compute_mi_cd
from sklearn.metrics import mutual_info_score
from scipy.special import digamma

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "..", "..", "..", "shared", "datasets")


def write(name, payload):
    path = os.path.join(HERE, name)
    with open(path, "w") as f:
        json.dump(payload, f, separators=(",", ":"), allow_nan=False)
        f.write("\n")
    print(f"{name}: {os.path.getsize(path)} bytes")


def column_values(series):
    """A column as a JSON list, None where missing."""
    return [None if np.isnan(v) else float(v) for v in series.to_numpy(dtype=float)]


def strength(matrix):
    s = np.abs(matrix)
    s[np.isnan(s)] = 0.0
    return s


def prune_later(names, s, threshold):
    kept, dropped = [], []
    for j in range(len(names)):
        partners = [i for i in kept if s[i, j] > threshold]
        if partners:
            dropped.append({"column": names[j], "value": float(max(s[i, j] for i in partners))})
        else:
            kept.append(j)
    return dropped


def prune_mean(names, s, threshold):
    p = len(names)
    pairs = [(i, j) for i in range(p) for j in range(i + 1, p) if s[i, j] > threshold]
    pairs.sort(key=lambda ij: (-s[ij], ij[0], ij[1]))
    remaining = set(range(p))
    dropped = []
    for i, j in pairs:
        if i not in remaining or j not in remaining:
            continue
        others = lambda a: [t for t in remaining if t != a]
        mean_i = sum(s[i, t] for t in others(i)) / (len(remaining) - 1)
        mean_j = sum(s[j, t] for t in others(j)) / (len(remaining) - 1)
        assert abs(mean_i - mean_j) > 1e-9, "a near tie would make the fixture ambiguous"
        loser = i if mean_i > mean_j else j
        remaining.remove(loser)
        dropped.append({"column": names[loser], "value": float(s[i, j])})
    return dropped


def exact_ross(x, y, neighbours):
    """Ross's estimator with exact distances, by brute force: per row, the k-th
    smallest |x - x'| over the other rows of its class, then the rows of any
    class strictly closer (or equal in value)."""
    counts = {label: int(np.sum(y == label)) for label in np.unique(y)}
    rows = np.array([i for i in range(len(y)) if counts[y[i]] > 1])
    total = k_sum = label_sum = m_sum = 0.0
    for i in rows:
        same = np.flatnonzero(y == y[i])
        k = min(neighbours, counts[y[i]] - 1)
        radius = np.sort(np.abs(x[same] - x[i]))[k]  # the row itself is the 0th
        m = int(np.sum((np.abs(x[rows] - x[i]) < radius) | (x[rows] == x[i])))
        total += 1
        k_sum += digamma(k)
        label_sum += digamma(counts[y[i]])
        m_sum += digamma(m)
    return float(max(0.0, digamma(total) + (k_sum - label_sum - m_sum) / total))


def top_k_support(scores, k):
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    if k < len(scores):
        assert scores[order[k - 1]] > scores[order[k]], "a tie at the cut would make the fixture ambiguous"
    selector = SelectKBest(lambda X, y: np.asarray(scores), k=k).fit(np.zeros((2, len(scores))), [0, 1])
    return [bool(v) for v in selector.get_support()]


def breast_cancer():
    frame = pd.read_csv(os.path.join(DATA, "breast_cancer_wisconsin.csv"))
    target = frame.pop("target").to_numpy()
    rng = np.random.default_rng(5)
    frame["constant tenth"] = 0.1
    gaps = np.full(len(frame), 7.0)
    gaps[rng.choice(len(frame), 30, replace=False)] = np.nan
    frame["constant with gaps"] = gaps
    flag = np.zeros(len(frame))
    flag[rng.choice(len(frame), 3, replace=False)] = 1.0
    frame["rare flag"] = flag
    frame.loc[rng.choice(len(frame), 12, replace=False), "mean texture"] = np.nan
    frame.loc[rng.choice(len(frame), 20, replace=False), "worst area"] = np.nan
    names = list(frame.columns)
    X = frame.to_numpy(dtype=float)

    variance = {"values": [float(v) for v in np.nanvar(X, axis=0)], "cases": []}
    for threshold in (0.0, 1e-4, 0.01, 1.0, 50.0):
        support = VarianceThreshold(threshold).fit(X).get_support()
        variance["cases"].append({"threshold": threshold, "kept": [n for n, keep in zip(names, support) if keep]})

    matrix = frame.corr().to_numpy()
    s = strength(matrix)
    correlation = {"matrix": [[None if np.isnan(v) else float(v) for v in row] for row in matrix], "cases": []}
    for threshold in (0.8, 0.9, 0.95, 0.99):
        correlation["cases"].append({"threshold": threshold, "later": prune_later(names, s, threshold),
                                     "higherMeanCorrelation": prune_mean(names, s, threshold)})
    means = [float(sum(s[i, t] for t in range(len(names)) if t != i) / (len(names) - 1)) for i in range(len(names))]
    correlation["meanStrength"] = means

    complete = [n for n in names if not frame[n].isna().any()]
    Xc = frame[complete].to_numpy(dtype=float)
    raw = [float(_compute_mi_cd(Xc[:, j], target, 3)) for j in range(len(complete))]
    public = [float(v) for v in mutual_info_classif(Xc, target, random_state=0)]
    runs = np.array([mutual_info_classif(Xc, target, random_state=seed) for seed in range(30)])
    mi = {"columns": complete, "ross": raw, "sklearn": public,
          "sklearnMeanOf30": [float(v) for v in runs.mean(axis=0)], "sklearnSdOf30": [float(v) for v in runs.std(axis=0, ddof=1)],
          "topK": [{"k": k, "support": top_k_support(raw, k)} for k in (1, 5, 12)]}

    write("selection_breast_cancer.json", {
        "names": names,
        "columns": {n: column_values(frame[n]) for n in names},
        "target": [int(v) for v in target],
        "variance": variance,
        "correlation": correlation,
        "mutualInformation": mi,
    })


def mi_sets():
    wine = pd.read_csv(os.path.join(DATA, "wine.csv"))
    wy = wine.pop("target").to_numpy()
    wnames = list(wine.columns)
    WX = wine.to_numpy(dtype=float)
    discrete = ["magnesium", "proline"]
    mask = [n in discrete for n in wnames]
    wine_expected = {
        "ross": [float(_compute_mi_cd(WX[:, j], wy, 3)) for j in range(len(wnames))],
        "discreteValues": {n: float(mutual_info_score(WX[:, wnames.index(n)], wy)) for n in discrete},
        "sklearnWithDiscrete": [float(v) for v in mutual_info_classif(WX, wy, discrete_features=mask, random_state=0)],
    }
    runs = np.array([mutual_info_classif(WX, wy, random_state=seed) for seed in range(30)])
    wine_expected["sklearnMeanOf30"] = [float(v) for v in runs.mean(axis=0)]
    wine_expected["sklearnSdOf30"] = [float(v) for v in runs.std(axis=0, ddof=1)]
    for n in discrete:
        assert abs(wine_expected["discreteValues"][n] - wine_expected["sklearnWithDiscrete"][wnames.index(n)]) < 1e-15

    rng = np.random.default_rng(17)
    n = 600
    labels = rng.integers(0, 3, size=n)
    labels[0] = 3          # a class of one row (left out by the estimator)
    synthetic = np.column_stack([
        labels + rng.normal(0, 0.8, n),
        rng.normal(0, 1, n) * (1 + labels),
        rng.uniform(-5, 5, n),
        np.sin(labels) + rng.normal(0, 0.3, n),
    ])
    assert all(len(np.unique(synthetic[:, j])) == n for j in range(synthetic.shape[1])), "no ties"
    synthetic_ross = [float(_compute_mi_cd(synthetic[:, j], labels, 3)) for j in range(synthetic.shape[1])]
    synthetic_public = [float(v) for v in mutual_info_classif(synthetic, labels, random_state=0)]
    synthetic_public_k5 = [float(v) for v in mutual_info_classif(synthetic, labels, n_neighbors=5, random_state=0)]
    # Without ties scikit-learn's scaling and noise change nothing.
    assert np.allclose(synthetic_ross, synthetic_public, rtol=0, atol=1e-12)
    for j in range(synthetic.shape[1]):
        assert abs(exact_ross(synthetic[:, j], labels, 3) - synthetic_ross[j]) < 1e-12
        assert abs(exact_ross(synthetic[:, j], labels, 5) - synthetic_public_k5[j]) < 1e-12

    # A class of two rows: k drops to 1. scikit-learn searches so small a class by
    # brute force, whose rounded distances can put a row's nearest neighbour inside
    # its radius; the exact reference here is what Pareto must match.
    small = labels.copy()
    small[1:3] = 4
    small_exact = [exact_ross(synthetic[:, j], small, 3) for j in range(synthetic.shape[1])]
    small_sklearn = [float(_compute_mi_cd(synthetic[:, j], small, 3)) for j in range(synthetic.shape[1])]

    adult = pd.read_csv(os.path.join(DATA, "adult.csv"), keep_default_na=False).iloc[:3000]
    categorical = ["workclass", "education", "marital-status", "occupation", "relationship", "race", "sex", "native-country"]
    ay = (adult["income"] == ">50K").astype(int).to_numpy()
    codes, levels = {}, {}
    for name in categorical:
        values = adult[name].to_numpy()
        levels[name] = list(dict.fromkeys(values.tolist()))
        index = {v: i for i, v in enumerate(levels[name])}
        codes[name] = [index[v] for v in values]
    AX = np.column_stack([codes[name] for name in categorical])
    adult_expected = [float(v) for v in mutual_info_classif(AX, ay, discrete_features=True)]
    for j, name in enumerate(categorical):
        assert abs(adult_expected[j] - mutual_info_score(AX[:, j], ay)) < 1e-15

    write("selection_mi.json", {
        "wine": {"names": wnames, "columns": {n: [float(v) for v in wine[n]] for n in wnames},
                 "target": [int(v) for v in wy], "discrete": discrete, **wine_expected},
        "synthetic": {"columns": [[float(v) for v in synthetic[:, j]] for j in range(synthetic.shape[1])],
                      "target": [int(v) for v in labels], "ross": synthetic_ross, "sklearn": synthetic_public,
                      "sklearnFiveNeighbours": synthetic_public_k5,
                      "smallClassTarget": [int(v) for v in small], "smallClassExact": small_exact,
                      "smallClassSklearn": small_sklearn},
        "adult": {"names": categorical, "levels": levels, "codes": codes, "income": [int(v) for v in ay],
                  "mutualInformation": adult_expected},
    })


if __name__ == "__main__":
    breast_cancer()
    mi_sets()
