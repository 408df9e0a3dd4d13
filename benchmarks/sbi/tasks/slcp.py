"""SLCP (sbibm): a simple likelihood with a complex posterior.

theta ~ U([-3, 3]^5); four iid draws of a 2-D normal with mean (theta_1,
theta_2), standard deviations theta_3^2 and theta_4^2 and correlation
tanh(theta_5), flattened to x [8]. The squares make the posterior four-modal.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from task_files import shipped_files  # noqa: E402

NAME = "slcp"
PARAMETER_NAMES = [f"theta_{j + 1}" for j in range(5)]
NUM_DRAWS = 4


def prior():
    import tensorflow_probability as tfp

    tfd = tfp.distributions
    return tfd.Independent(tfd.Uniform(low=[-3.0] * 5, high=[3.0] * 5), 1)


def simulate(theta, rng):
    theta = theta.astype(np.float64)
    s1, s2 = theta[:, 2] ** 2, theta[:, 3] ** 2
    rho = np.tanh(theta[:, 4])
    # sbibm adds 1e-6 to the variances to keep the covariance positive definite.
    cov = np.empty((len(theta), 2, 2))
    cov[:, 0, 0] = s1**2 + 1e-6
    cov[:, 1, 1] = s2**2 + 1e-6
    cov[:, 0, 1] = cov[:, 1, 0] = rho * s1 * s2
    chol = np.linalg.cholesky(cov)
    eps = rng.standard_normal((len(theta), NUM_DRAWS, 2))
    draws = theta[:, None, :2] + np.einsum("nij,nkj->nki", chol, eps)
    return draws.reshape(len(theta), 2 * NUM_DRAWS).astype(np.float32)


# The benchmark's shipped files: observations 1..10, reference posterior samples,
# true parameters.
observation, reference_posterior, true_parameters = shipped_files(NAME)
