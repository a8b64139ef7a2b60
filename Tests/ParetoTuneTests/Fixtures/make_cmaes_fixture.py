"""Writes cmaes_updates.json: CMA-ES generation updates computed by the `cmaes`
package (the one Optuna's CmaEsSampler runs), the independent reference for
ParetoTune's CMAESSampler.update (active CMA-ES, Hansen 2016).

Run from the repository root with a Python that has cmaes (0.13) installed:
    bench/.venv/bin/python Tests/ParetoTuneTests/Fixtures/make_cmaes_fixture.py
Each case starts a CMA at `mean` with step size `sigma` (identity covariance)
and tells it three generations of fixed points (drawn here from a seeded
normal around the current mean, so each generation lies where CMA-ES would
look) with the values of a fixed quadratic; after each tell it records the
population's points in rank order (best first) and the new mean, sigma,
covariance (row-major) and both evolution paths.
"""
import json
import os

import cmaes
import numpy as np


def case(name, dim, generations=3, seed=0):
    rng = np.random.RandomState(seed)
    mean = np.full(dim, 0.5)
    sigma = 1.0 / 6
    cma = cmaes.CMA(mean=mean.copy(), sigma=sigma, seed=seed)
    # A rotated, ill-conditioned quadratic with its optimum off-centre.
    target = np.linspace(0.2, 0.7, dim)
    rotation = np.linalg.qr(rng.randn(dim, dim))[0]
    scales = 10.0 ** np.linspace(0, 2, dim)
    steps = []
    for _ in range(generations):
        current = cma.mean.copy()
        points = [current + cma._sigma * rng.randn(dim) for _ in range(cma.population_size)]
        values = [float(np.sum(scales * (rotation @ (p - target)) ** 2)) for p in points]
        order = np.argsort(values, kind="stable")
        cma.tell([(points[i], values[i]) for i in range(len(points))])
        steps.append({
            "ranked": [points[i].tolist() for i in order],
            "mean": cma.mean.tolist(),
            "sigma": float(cma._sigma),
            "covariance": cma._C.ravel().tolist(),
            "path_sigma": cma._p_sigma.tolist(),
            "path_c": cma._pc.tolist(),
        })
    return {"name": name, "dimension": dim, "population": cma.population_size,
            "mean": mean.tolist(), "sigma": sigma, "weights": cma._weights.tolist(), "steps": steps}


def main():
    cases = [case("d2", 2, seed=1), case("d3", 3, seed=2), case("d6", 6, seed=3), case("d10", 10, seed=4)]
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cmaes_updates.json")
    with open(out, "w") as fh:
        json.dump({"cmaes": cmaes.__version__, "cases": cases}, fh, indent=1)
        fh.write("\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
