"""Writes tpe_densities.json: Parzen-estimator log densities from Optuna's own
implementation, the independent reference for ParetoTune's ParzenEstimator.

Run from the repository root with a Python that has optuna (5.x) installed:
    bench/.venv/bin/python Tests/ParetoTuneTests/Fixtures/make_tpe_fixture.py
Each case gives the distribution(s), the observations (internal form: values
for numbers, indices for categories), the observation weights, the prior
weight, the points to evaluate and Optuna's log densities there.
"""
import json
import os

import numpy as np
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
from optuna.samplers._tpe.sampler import default_weights


def describe(d):
    if isinstance(d, FloatDistribution):
        out = {"type": "float", "low": d.low, "high": d.high, "log": d.log}
        if d.step is not None:
            out["step"] = d.step
        return out
    if isinstance(d, IntDistribution):
        return {"type": "int", "low": d.low, "high": d.high, "log": d.log, "step": d.step}
    return {"type": "categorical", "choices": [json.dumps(c) for c in d.choices]}


def case(name, space, observations, points, weights=None, prior_weight=1.0):
    n = len(next(iter(observations.values())))
    w = np.asarray(weights if weights is not None else default_weights(n), dtype=float)
    params = _ParzenEstimatorParameters(
        prior_weight=prior_weight, consider_magic_clip=True, consider_endpoints=False,
        weights=lambda k: w[:k], multivariate=len(space) > 1)
    pe = _ParzenEstimator({k: np.asarray(v, dtype=float) for k, v in observations.items()}, space, params)
    pts = {k: np.asarray([p[i] for p in points], dtype=float) for i, k in enumerate(space)}
    log_pdf = pe.log_pdf(pts)
    return {
        "name": name,
        "names": list(space),
        "distributions": [describe(space[k]) for k in space],
        "observations": [list(map(float, observations[k])) for k in space],
        "weights": list(map(float, w)),
        "prior_weight": prior_weight,
        "points": [list(map(float, p)) for p in points],
        "log_densities": list(map(float, log_pdf)),
    }


rng = np.random.RandomState(0)
cases = [
    case("float", {"x": FloatDistribution(0, 1)}, {"x": [0.2, 0.5]}, [[0.0], [0.4], [0.9], [1.0]]),
    case("float one observation", {"x": FloatDistribution(-5, 5)}, {"x": [3.0]}, [[-5.0], [2.5], [3.0]]),
    case("float no observations", {"x": FloatDistribution(-5, 5)}, {"x": []}, [[-4.0], [0.0]]),
    case("float many", {"x": FloatDistribution(-10, 10)}, {"x": list(rng.uniform(-10, 10, 40))},
         [[v] for v in rng.uniform(-10, 10, 8)]),
    case("float log", {"lr": FloatDistribution(1e-4, 1e-1, log=True)}, {"lr": [1e-3, 2e-3, 5e-2]},
         [[1e-4], [1.5e-3], [0.09]]),
    case("float step", {"f": FloatDistribution(0.5, 1.0, step=0.1)}, {"f": [0.6, 0.6, 0.9]},
         [[0.5], [0.6], [0.7], [1.0]]),
    case("int", {"k": IntDistribution(1, 10)}, {"k": [2, 3, 3, 9]}, [[1], [3], [10]]),
    case("int log", {"leaves": IntDistribution(8, 256, log=True)}, {"leaves": [8, 31, 100]},
         [[8], [30], [255]]),
    case("int step", {"n": IntDistribution(0, 100, step=10)}, {"n": [10, 50]}, [[0], [50], [100]]),
    case("categorical", {"c": CategoricalDistribution(["a", "b", "c"])}, {"c": [0, 0, 2]},
         [[0], [1], [2]]),
    case("categorical prior 2", {"c": CategoricalDistribution([1, 2])}, {"c": [1]}, [[0], [1]],
         prior_weight=2.0),
    case("joint", {"x": FloatDistribution(-5, 5), "k": IntDistribution(1, 4), "c": CategoricalDistribution(["a", "b"]),
                   "lr": FloatDistribution(1e-3, 1, log=True)},
         {"x": [0.0, 1.0, -2.0], "k": [1, 4, 2], "c": [0, 1, 1], "lr": [0.01, 0.5, 0.002]},
         [[0.5, 2, 1, 0.1], [-4.0, 1, 0, 0.9]], weights=[1.0, 0.5, 0.25]),
]
weights = {str(n): list(map(float, default_weights(n))) for n in [0, 1, 24, 25, 26, 30, 60]}
out = {"cases": cases, "default_weights": weights}
path = os.path.join(os.path.dirname(__file__), "tpe_densities.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
print("wrote", path)
