"""Expected values for ParetoData's resampling tests (ResamplingTests.swift).

Run from the repository root, with imbalanced-learn 0.14, scikit-learn 1.9
and numpy 2 installed (bench/.venv has them):

    bench/.venv/bin/python Tests/ParetoDataTests/Fixtures/make_resampling_fixtures.py

It writes resampling_*.json beside itself. Inputs are seeded, so a rerun
gives the same files.

Random draws cannot match numpy's generator, so the files hold what does not
depend on it:

- resampling_strategies.json: per class-count layout and sampling strategy,
  the class counts imbalanced-learn's RandomOverSampler, RandomUnderSampler
  and SMOTE leave (or "error" where it refuses).
- resampling_smote.json: continuous points of three classes; for each class,
  every row's 5 nearest same-class neighbours by scikit-learn's
  NearestNeighbors (exact; the data has no ties); imbalanced-learn's SMOTE
  output, checked here to lie on those segments, and the mean of its
  synthetic rows over many seeds.
- resampling_smotenc.json: numeric and categorical columns of two classes;
  per class the median standard deviation imbalanced-learn's SMOTENC
  computes (median_std_), each row's 5 nearest neighbours on its encoding
  (numbers, then one-hot columns holding median_std / sqrt(2)), computed with
  NearestNeighbors; imbalanced-learn's synthetic rows are checked here to
  take, for each categorical, one of the most frequent values among those
  neighbours.
"""

import json
import os
from collections import Counter

import numpy as np
from imblearn.over_sampling import SMOTE, SMOTENC, RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler
from sklearn.neighbors import NearestNeighbors

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, payload):
    path = os.path.join(HERE, name)
    with open(path, "w") as f:
        json.dump(payload, f, separators=(",", ":"))
        f.write("\n")
    print(f"{name}: {os.path.getsize(path)} bytes")


def strategies():
    # Class layouts: labels with their counts (ties in the minority and the majority included).
    layouts = [
        {"a": 50, "b": 20},
        {"no": 90, "yes": 12},
        {"a": 40, "b": 10, "c": 25},
        {"a": 10, "b": 30, "c": 10, "d": 30},
    ]
    named = ["auto", "minority", "majority", "not minority", "not majority", "all"]
    cases = []
    for counts in layouts:
        y = np.array([label for label, n in counts.items() for _ in range(n)])
        X = np.arange(len(y), dtype=float).reshape(-1, 1) + np.random.default_rng(0).normal(size=(len(y), 1))
        options = [{"name": s, "value": s} for s in named]
        options += [{"ratio": r, "value": r} for r in (0.3, 0.5, 0.75, 1.0)]
        labels = sorted(counts)
        small = {labels[0]: counts[labels[0]] + 5}
        options.append({"counts": small, "value": small})
        down = {labels[-1]: counts[labels[-1]] - 3}
        options.append({"counts": down, "value": down})
        for option in options:
            value = option.pop("value")
            row = {"layout": counts, **option}
            for tag, sampler in (("over", RandomOverSampler(sampling_strategy=value, random_state=0)),
                                 ("under", RandomUnderSampler(sampling_strategy=value, random_state=0)),
                                 ("smote", SMOTE(sampling_strategy=value, k_neighbors=3, random_state=0))):
                try:
                    _, yr = sampler.fit_resample(X, y)
                    got = Counter(yr.tolist())
                    row[tag] = {label: int(got[label]) for label in labels}
                except ValueError:
                    row[tag] = "error"
            cases.append(row)
    write("resampling_strategies.json", {"cases": cases})


def neighbours_by_class(X, y, k):
    """Per row, the frame rows of its k nearest same-class neighbours (nearest first)."""
    out = [None] * len(y)
    for label in np.unique(y):
        rows = np.flatnonzero(y == label)
        nn = NearestNeighbors(n_neighbors=k + 2).fit(X[rows])
        distance, index = nn.kneighbors(X[rows])
        assert (index[:, 0] == np.arange(len(rows))).all(), "a row must be its own nearest point"
        # No tie at the k-th neighbour, so the set is unambiguous.
        assert (distance[:, k] < distance[:, k + 1]).all()
        for i, row in enumerate(rows):
            out[row] = [int(rows[j]) for j in index[i, 1:k + 1]]
    return out


def on_segment(point, base, other):
    direction = other - base
    u = float(np.dot(point - base, direction) / np.dot(direction, direction))
    return -1e-12 <= u <= 1 + 1e-12 and np.allclose(base + u * direction, point, rtol=0, atol=1e-9)


def smote():
    rng = np.random.default_rng(20240601)
    sizes = {"major": 400, "mid": 120, "rare": 40}
    centers = {"major": [0, 0, 0, 0], "mid": [2, -1, 0.5, 3], "rare": [-1, 2, 1, -2]}
    X, y = [], []
    for label, n in sizes.items():
        X.append(rng.normal(centers[label], [1.0, 0.5, 2.0, 1.5], size=(n, 4)))
        y += [label] * n
    X = np.vstack(X)
    y = np.array(y)
    order = rng.permutation(len(y))  # classes interleaved, as real data is
    X, y = X[order], y[order]
    k = 5
    neighbours = neighbours_by_class(X, y, k)

    # imbalanced-learn's output lies on the same segments (this checks the fixture itself).
    Xr, yr = SMOTE(k_neighbors=k, random_state=0).fit_resample(X, y)
    for point, label in zip(Xr[len(y):], yr[len(y):]):
        rows = np.flatnonzero(y == label)
        assert any(on_segment(point, X[b], X[j]) for b in rows for j in neighbours[b]), "imblearn sample off its segments"

    # The mean of imbalanced-learn's synthetic rows per class, over many seeds.
    means = {label: [] for label in ("mid", "rare")}
    for seed in range(40):
        Xr, yr = SMOTE(k_neighbors=k, random_state=seed).fit_resample(X, y)
        for label in means:
            means[label].append(Xr[len(y):][yr[len(y):] == label].mean(axis=0))
    write("resampling_smote.json", {
        "k": k,
        "columns": ["x0", "x1", "x2", "x3"],
        "x": [[float(v) for v in row] for row in X],
        "y": y.tolist(),
        "neighbours": neighbours,
        "imblearnSyntheticMean": {label: np.mean(m, axis=0).tolist() for label, m in means.items()},
        "imblearnSyntheticMeanSpread": {label: np.std(m, axis=0, ddof=1).tolist() for label, m in means.items()},
        "imblearnRuns": 40,
    })


def smotenc():
    rng = np.random.default_rng(7)
    sizes = {"no": 200, "yes": 45}
    colours = np.array(["red", "green", "blue"])
    sizes_cat = np.array(["S", "M", "L", "XL"])
    rows = []
    for label, n in sizes.items():
        shift = 0.0 if label == "no" else 1.5
        numeric = rng.normal([shift, -shift, 0], [1.0, 3.0, 0.5], size=(n, 3))
        p_colour = [0.6, 0.3, 0.1] if label == "no" else [0.2, 0.3, 0.5]
        colour = rng.choice(colours, size=n, p=p_colour)
        size = rng.choice(sizes_cat, size=n, p=[0.25, 0.25, 0.25, 0.25])
        for i in range(n):
            rows.append((list(numeric[i]), colour[i], size[i], label))
    order = rng.permutation(len(rows))
    rows = [rows[i] for i in order]
    numeric = np.array([r[0] for r in rows])
    colour = np.array([r[1] for r in rows], dtype=object)
    size = np.array([r[2] for r in rows], dtype=object)
    y = np.array([r[3] for r in rows])
    X = np.empty((len(rows), 5), dtype=object)
    X[:, :3] = numeric
    X[:, 3] = colour
    X[:, 4] = size
    k = 5
    sampler = SMOTENC(categorical_features=[3, 4], k_neighbors=k, random_state=0)
    Xr, yr = sampler.fit_resample(X, y)
    # imbalanced-learn computes median_std_ only for the classes it raises; the
    # same figure (population standard deviations) is computed here for all.
    median_std = {str(label): float(np.median(numeric[y == label].std(axis=0))) for label in np.unique(y)}
    assert np.isclose(median_std["yes"], sampler.median_std_["yes"], rtol=1e-12, atol=0)

    # The encoding imbalanced-learn searches: numbers, then one column per category
    # (in sorted order) holding median_std / sqrt(2) for the row's category.
    neighbours = [None] * len(y)
    modes = [None] * len(y)
    for label in np.unique(y):
        members = np.flatnonzero(y == label)
        m = median_std[str(label)] / np.sqrt(2)
        encoded = [numeric[members]]
        for column in (colour, size):
            for category in sorted(set(column)):
                encoded.append(((column[members] == category) * m).reshape(-1, 1))
        encoded = np.hstack(encoded).astype(float)
        nn = NearestNeighbors(n_neighbors=k + 2).fit(encoded)
        distance, index = nn.kneighbors(encoded)
        assert (index[:, 0] == np.arange(len(members))).all()
        assert (distance[:, k] < distance[:, k + 1]).all()
        for i, row in enumerate(members):
            near = [int(members[j]) for j in index[i, 1:k + 1]]
            neighbours[row] = near
            modes[row] = []
            for column in (colour, size):
                votes = Counter(column[near].tolist())
                top = max(votes.values())
                modes[row].append(sorted(c for c, v in votes.items() if v == top))

    # imbalanced-learn's synthetic rows: numbers on a segment from a base row to one
    # of its neighbours, categories among the base row's most frequent.
    for point, label in zip(Xr[len(y):], yr[len(y):]):
        members = np.flatnonzero(y == label)
        bases = [b for b in members for j in neighbours[b]
                 if on_segment(point[:3].astype(float), numeric[b], numeric[j])]
        assert bases, "imblearn sample off its segments"
        assert any(point[3] in modes[b][0] and point[4] in modes[b][1] for b in bases)

    synthetic = Xr[len(y):]
    synthetic_y = yr[len(y):]
    share = {c: float(np.mean(synthetic[synthetic_y == "yes"][:, 3] == c)) for c in colours}
    write("resampling_smotenc.json", {
        "k": k,
        "numeric": [[float(v) for v in row] for row in numeric],
        "colour": colour.tolist(),
        "size": size.tolist(),
        "y": y.tolist(),
        "medianStd": median_std,
        "neighbours": neighbours,
        "modes": modes,
        "imblearnColourShareOfSynthetic": share,
    })


if __name__ == "__main__":
    strategies()
    smote()
    smotenc()
