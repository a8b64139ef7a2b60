#!/usr/bin/env python3
"""Reference values for the data audit's statistics, computed with scipy,
numpy and scikit-learn. Writes audit_statistics.json here.

Run once after changing the cases (the bench venv has the packages):
    bench/.venv/bin/python Tests/ParetoDataTests/Fixtures/make_audit_fixtures.py

The population stability index has no scipy function; `psi` below
implements the audit's documented binning independently (numpy quantile
ranks rather than the audit's walk over sorted codes).
"""
import json
import os

import numpy as np
import scipy
from scipy import stats
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))


def psi(reference, current, bins=10, floor=1e-4):
    """PSI with the audit's bins: missing values (NaN) in a bin of their own;
    each distinct reference value goes to the decile its middle reference row
    falls in (bin 1 + floor((rows below + rows equal / 2) / width), at most
    10, width = present reference rows / 10); a current value the reference
    lacks goes to bin 1 + floor(reference rows below it / width)."""
    ref = np.asarray(reference, float)
    cur = np.asarray(current, float)
    ref_present = np.sort(ref[~np.isnan(ref)])
    width = ref_present.size / bins

    def histogram(sample):
        h = np.zeros(bins + 1)
        h[0] = np.isnan(sample).sum()
        for v in sample[~np.isnan(sample)]:
            below = np.searchsorted(ref_present, v, side="left")
            equal = np.searchsorted(ref_present, v, side="right") - below
            h[min(bins, 1 + int(np.floor((below + equal / 2) / width)))] += 1
        return h

    p = histogram(ref) / ref.size
    q = histogram(cur) / cur.size
    p = np.maximum(p, floor)
    q = np.maximum(q, floor)
    return float(np.sum((q - p) * np.log(q / p)))


def main() -> None:
    rng = np.random.default_rng(20240611)
    out = {"scipy": scipy.__version__, "numpy": np.__version__}

    out["chi2_survival"] = [{"x": x, "df": df, "value": float(stats.chi2.sf(x, df))}
                            for (x, df) in [(0.5, 1), (3.84, 1), (10.0, 2), (2.0, 3), (25.0, 5), (7.5, 7.5),
                                            (150.0, 100), (1e-3, 4), (60.0, 12), (400.0, 9)]]
    out["kolmogorov_survival"] = [{"x": x, "value": float(stats.kstwobign.sf(x))}
                                  for x in [0.05, 0.3, 0.6, 0.9, 0.99, 1.0, 1.2, 1.36, 2.0, 3.5, 6.0]]

    tables = [
        [[10, 20], [30, 5]],
        [[120, 80, 40], [30, 60, 90]],
        [[5, 0, 7], [3, 0, 1], [9, 2, 4]],
        [[1000, 1003], [998, 1001]],
    ]
    out["chi2_independence"] = []
    for table in tables:
        t = np.array(table, float)
        keep_r = t.sum(axis=1) > 0
        keep_c = t.sum(axis=0) > 0
        res = stats.chi2_contingency(t[keep_r][:, keep_c], correction=False)
        out["chi2_independence"].append({"table": table, "statistic": float(res.statistic),
                                         "df": int(res.dof), "p": float(res.pvalue)})

    out["welch"] = []
    for (na, nb, shift, scale) in [(30, 45, 0.4, 1.0), (8, 200, 1.5, 3.0), (500, 480, 0.02, 0.5)]:
        a = np.round(rng.normal(10, 2, na), 4)
        b = np.round(rng.normal(10 + shift, 2 * scale, nb), 4)
        res = stats.ttest_ind(a, b, equal_var=False)
        out["welch"].append({"a": a.tolist(), "b": b.tolist(), "t": float(res.statistic), "df": float(res.df),
                             "p": float(res.pvalue)})

    out["ks"] = []
    for (na, nb, shift, ties) in [(200, 150, 0.3, False), (1000, 800, 0.05, False), (300, 300, 0.0, True)]:
        a = np.round(rng.normal(0, 1, na), 4)
        b = np.round(rng.normal(shift, 1, nb), 4)
        if ties:
            a = np.round(a, 1)
            b = np.round(b, 1)
        d = float(stats.ks_2samp(a, b).statistic)
        en = na * nb / (na + nb)
        out["ks"].append({"a": a.tolist(), "b": b.tolist(), "statistic": d,
                          "p": float(stats.kstwobign.sf(d * np.sqrt(en))),
                          "scipy_ks_2samp_asymp_p": float(stats.ks_2samp(a, b, method="asymp").pvalue)})

    out["skewness"] = []
    for sample in [np.round(rng.exponential(2.0, 300), 4), np.round(rng.normal(5, 1, 50), 4),
                   np.array([1.0, 2.0, 2.0, 3.0, 10.0])]:
        out["skewness"].append({"values": sample.tolist(), "value": float(stats.skew(sample))})

    out["psi"] = []
    for (shift, missing_ref, missing_cur, rounding) in [(0.0, 0.0, 0.0, None), (0.5, 0.05, 0.2, None),
                                                        (1.0, 0.0, 0.0, 0)]:
        ref = np.round(rng.normal(0, 1, 1000), 4)
        cur = np.round(rng.normal(shift, 1.2, 500), 4)
        if rounding is not None:
            ref = np.round(ref, rounding)
            cur = np.round(cur, rounding)
        ref[rng.random(ref.size) < missing_ref] = np.nan
        cur[rng.random(cur.size) < missing_cur] = np.nan
        out["psi"].append({"reference": [None if np.isnan(v) else v for v in ref.tolist()],
                           "current": [None if np.isnan(v) else v for v in cur.tolist()],
                           "value": psi(ref, cur)})

    scores = np.round(rng.random(400), 2)  # ties
    labels = (rng.random(400) < 0.3 + 0.4 * scores).astype(int)
    out["auc"] = {"scores": scores.tolist(), "labels": labels.tolist(),
                  "value": float(roc_auc_score(labels, scores))}

    # Informative missingness end to end: a 3-class target; a feature missing
    # more often in class "c"; scipy's chi-square test of missing x class.
    n = 600
    classes = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.3, 0.2])
    rate = np.where(classes == "c", 0.35, 0.12)
    missing = rng.random(n) < rate
    feature = np.round(rng.normal(0, 1, n), 4)
    feature[missing] = np.nan
    table = np.array([[np.sum((~missing) & (classes == k)) for k in "abc"],
                      [np.sum(missing & (classes == k)) for k in "abc"]], float)
    res = stats.chi2_contingency(table, correction=False)
    out["missingness_classes"] = {"target": classes.tolist(),
                                  "feature": [None if np.isnan(v) else v for v in feature.tolist()],
                                  "statistic": float(res.statistic), "df": int(res.dof), "p": float(res.pvalue)}

    # Regression: the target is higher where the feature is missing; Welch's t.
    y = np.round(rng.normal(50, 10, n), 4)
    missing = rng.random(n) < 0.2
    y[missing] += 6
    feature = np.round(rng.normal(0, 1, n), 4)
    feature[missing] = np.nan
    res = stats.ttest_ind(y[missing], y[~missing], equal_var=False)
    out["missingness_regression"] = {"target": y.tolist(),
                                     "feature": [None if np.isnan(v) else v for v in feature.tolist()],
                                     "t": float(res.statistic), "df": float(res.df), "p": float(res.pvalue)}

    # Shift end to end: a numeric feature shifted in the test rows, and a
    # categorical one whose shares change (missing counted as a level).
    train_x = np.round(rng.normal(0, 1, 700), 4)
    test_x = np.round(rng.normal(0.4, 1, 300), 4)
    train_c = rng.choice(["u", "v", "w", ""], size=700, p=[0.5, 0.3, 0.15, 0.05])
    test_c = rng.choice(["u", "v", "w", ""], size=300, p=[0.3, 0.3, 0.3, 0.1])
    d = float(stats.ks_2samp(train_x, test_x).statistic)
    en = 700 * 300 / 1000
    levels = ["u", "v", "w", ""]
    table = np.array([[np.sum(train_c == k) for k in levels], [np.sum(test_c == k) for k in levels]], float)
    res = stats.chi2_contingency(table, correction=False)
    out["shift"] = {"train_x": train_x.tolist(), "test_x": test_x.tolist(),
                    "train_c": train_c.tolist(), "test_c": test_c.tolist(),
                    "ks_statistic": d, "ks_p": float(stats.kstwobign.sf(d * np.sqrt(en))),
                    "psi_x": psi(train_x, test_x),
                    "chi2_statistic": float(res.statistic), "chi2_df": int(res.dof), "chi2_p": float(res.pvalue)}

    # One line per case group keeps the file small and its diffs readable.
    with open(os.path.join(HERE, "audit_statistics.json"), "w") as f:
        f.write("{\n" + ",\n".join(f"{json.dumps(k)}: {json.dumps(v)}" for k, v in out.items()) + "\n}\n")


if __name__ == "__main__":
    main()
