#!/usr/bin/env python3
"""Expected values for ParetoEval's distributions, bootstrap intervals and
model comparisons, computed with scipy (and numpy). Writes stats.json here.

Run once after changing the cases (needs numpy and scipy; the bench venv has them):
    bench/.venv/bin/python Tests/ParetoEvalTests/Fixtures/make_stats_fixtures.py
"""
import json
import os

import numpy as np
from scipy import special, stats
from scipy.stats import _resampling

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> None:
    out = {"scipy": __import__("scipy").__version__}

    ps = [1e-300, 1e-100, 1e-15, 1e-6, 0.001, 0.025, 0.2, 0.3, 0.4999, 0.5, 0.6, 0.975, 0.999, 1 - 1e-12]
    out["normal_quantile"] = [{"p": p, "x": float(special.ndtri(p))} for p in ps]
    xs = [-38.0, -20.0, -8.5, -3.0, -1.0, -0.1, 0.0, 0.7, 2.0, 5.0, 9.0]
    out["normal_cdf"] = [{"x": x, "p": float(special.ndtr(x))} for x in xs]

    dfs = [1.0, 2.5, 4.0, 9.0, 30.0, 1000.0]
    ts = [-50.0, -3.0, -1.0, -0.2, 0.0, 0.5, 2.0, 10.0]
    out["t_cdf"] = [{"df": df, "t": t, "p": float(stats.t.cdf(t, df))} for df in dfs for t in ts]
    out["t_quantile"] = [{"df": df, "p": p, "t": float(stats.t.ppf(p, df))}
                         for df in dfs for p in [1e-6, 0.001, 0.025, 0.3, 0.7, 0.975]]
    out["beta"] = [{"x": x, "a": a, "b": b, "value": float(special.betainc(a, b, x))}
                   for (x, a, b) in [(0.1, 0.5, 0.5), (0.5, 2.0, 3.0), (0.9, 10.0, 0.5), (0.999, 100.0, 50.0),
                                     (0.3, 1000.0, 1000.0), (0.5, 1000.0, 1000.0), (1e-5, 0.1, 20.0)]]
    out["binomial_cdf"] = [{"k": k, "n": n, "p": p, "value": float(stats.binom.cdf(k, n, p))}
                           for (k, n, p) in [(0, 10, 0.5), (3, 10, 0.5), (7, 20, 0.3), (50, 100, 0.5),
                                             (480, 1000, 0.5), (5, 2000, 0.01)]]
    out["chi2_1_survival"] = [{"x": x, "value": float(stats.chi2.sf(x, 1))} for x in [0.0, 0.01, 1.0, 3.84, 10.0, 60.0]]

    # Bootstrap intervals of a skewed statistic (the mean of exponential
    # data) from given replicates; scipy's BCa code computes the jackknife
    # itself from the data, independently of Pareto's.
    rng = np.random.default_rng(7)
    data = rng.exponential(2.0, size=40)
    replicates = np.array([rng.choice(data, size=data.size).mean() for _ in range(2000)])
    cases = []
    for confidence in (0.9, 0.95):
        alpha = (1 - confidence) / 2
        a1, a2, a_hat = _resampling._bca_interval((data,), lambda x, axis=-1: np.mean(x, axis=axis), axis=-1,
                                                  alpha=alpha, theta_hat_b=replicates[None, :], batch=None, xp=np)
        bca = stats.quantile(replicates, np.array([float(a1[0]), float(a2[0])]))
        pct = stats.quantile(replicates, np.array([alpha, 1 - alpha]))
        cases.append({"confidence": confidence, "bca": [float(v) for v in bca], "percentile": [float(v) for v in pct],
                      "acceleration": float(np.asarray(a_hat).ravel()[0])})
    out["bootstrap"] = {"data": data.tolist(), "replicates": replicates.tolist(), "estimate": float(data.mean()),
                        "cases": cases}

    # Nadeau-Bengio corrected resampled t-test on 10 folds (90%/10% splits).
    a = rng.normal(0.85, 0.01, size=10)
    b = a + rng.normal(0.004, 0.003, size=10)
    d = b - a
    j = d.size
    se = np.sqrt((1 / j + 100 / 900) * d.var(ddof=1))
    t = d.mean() / se
    out["corrected_t"] = {"a": a.tolist(), "b": b.tolist(), "train": 900, "test": 100,
                          "improvement": float(d.mean()), "p": float(2 * stats.t.sf(abs(t), j - 1)),
                          "lower": float(d.mean() - stats.t.ppf(0.975, j - 1) * se),
                          "upper": float(d.mean() + stats.t.ppf(0.975, j - 1) * se)}

    # McNemar on rows each classifier got right.
    mc = []
    for (n, pa, pb, seed) in [(60, 0.7, 0.8, 1), (500, 0.85, 0.86, 2), (40, 0.9, 0.9, 3)]:
        r = np.random.default_rng(seed)
        ca = r.random(n) < pa
        cb = r.random(n) < pb
        only_a = int(np.sum(ca & ~cb))
        only_b = int(np.sum(~ca & cb))
        disc = only_a + only_b
        exact = 1.0 if disc == 0 else float(stats.binomtest(min(only_a, only_b), disc, 0.5).pvalue)
        chi = 1.0 if disc == 0 else float(stats.chi2.sf(max(0, abs(only_b - only_a) - 1) ** 2 / disc, 1))
        mc.append({"a": ca.astype(int).tolist(), "b": cb.astype(int).tolist(), "exact_p": exact, "chi2_p": chi,
                   "improvement": (only_b - only_a) / n})
    out["mcnemar"] = mc

    with open(os.path.join(HERE, "stats.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
