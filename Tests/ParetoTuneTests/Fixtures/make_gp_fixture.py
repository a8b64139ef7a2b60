"""Writes gp_reference.json: the independent references for ParetoTune's GP
sampler internals (GPModel.swift, GPHyperparameters.swift, GPAcquisition.swift).

Run from the repository root with a Python that has scikit-learn and mpmath:
    bench/.venv/bin/python Tests/ParetoTuneTests/Fixtures/make_gp_fixture.py

- "posterior": scikit-learn's GaussianProcessRegressor with a fixed kernel
  ConstantKernel(s) * Matern(length_scale=[l0, l1, l2], nu=2.5),
  alpha = noise variance (added to the training diagonal only),
  optimizer=None, normalize_y=False, fitted to seeded points in [0, 1]^3:
  the posterior mean and standard deviation at test points, the log marginal
  likelihood, and its gradient with respect to (log s, log l0, log l1, log l2).
- "log_ei": log(phi(z) + z Phi(z)) and Phi(z) / (phi(z) + z Phi(z)) at 60
  significant digits (mpmath), including z = -30 and -100, where the direct
  formula cancels completely in double precision.
"""
import json
import os

import mpmath
import numpy as np
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import ConstantKernel, Matern

rng = np.random.RandomState(7)
X = rng.uniform(size=(9, 3))
y = np.sin(3 * X[:, 0]) + X[:, 1] ** 2 - 0.5 * X[:, 2] + 0.05 * rng.randn(9)
y = (y - y.mean()) / y.std()
tests = rng.uniform(size=(5, 3))
tests[0] = X[2]  # at a training point: the variance drops to about the noise
length_scales = [0.3, 0.7, 1.5]
signal, noise = 1.3, 0.01
kernel = ConstantKernel(signal, constant_value_bounds="fixed") * Matern(length_scale=length_scales, nu=2.5)
gp = GaussianProcessRegressor(kernel=kernel, alpha=noise, optimizer=None, normalize_y=False)
gp.fit(X, y)
mean, std = gp.predict(tests, return_std=True)
# Gradient of the log marginal likelihood in sklearn's log-parameters; the
# constant needs non-fixed bounds for sklearn to differentiate it.
free = ConstantKernel(signal) * Matern(length_scale=length_scales, nu=2.5)
gp_free = GaussianProcessRegressor(kernel=free, alpha=noise, optimizer=None, normalize_y=False).fit(X, y)
lml, lml_gradient = gp_free.log_marginal_likelihood(gp_free.kernel_.theta, eval_gradient=True)

mpmath.mp.dps = 60


def log_h(z):
    z = mpmath.mpf(z)
    h = mpmath.npdf(z) + z * mpmath.ncdf(z)
    return mpmath.log(h), mpmath.ncdf(z) / h


zs = [3.0, 0.5, 0.0, -1.0, -4.9, -5.1, -8.0, -12.0, -30.0, -100.0]
out = {
    "posterior": {
        "points": X.ravel().tolist(), "targets": y.tolist(), "tests": tests.ravel().tolist(),
        "length_scales": length_scales, "signal": signal, "noise": noise,
        "mean": mean.tolist(), "std": std.tolist(),
        "log_marginal_likelihood": float(lml), "gradient_log_s_log_l": lml_gradient.tolist(),
    },
    "log_ei": [{"z": z, "log_h": float(log_h(z)[0]), "slope": float(log_h(z)[1])} for z in zs],
}
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gp_reference.json")
with open(path, "w") as fh:
    json.dump(out, fh, indent=1)
print("wrote", path)
