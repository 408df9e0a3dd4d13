"""Gaussian linear (sbibm): theta ~ N(0, 0.1 I_10), x | theta ~ N(theta, 0.1 I_10).

The posterior is normal: N(x / 2, 0.05 I) (both covariances are 0.1 I).
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from task_files import shipped_files  # noqa: E402

NAME = "gaussian_linear"
DIM = 10
PARAMETER_NAMES = [f"theta_{j + 1}" for j in range(DIM)]
VARIANCE = 0.1


def prior():
    import tensorflow_probability as tfp

    return tfp.distributions.MultivariateNormalDiag(
        loc=np.zeros(DIM, np.float32), scale_diag=np.full(DIM, np.sqrt(VARIANCE), np.float32)
    )


def simulate(theta, rng):
    return (theta + np.sqrt(VARIANCE) * rng.standard_normal(theta.shape)).astype(np.float32)


# The benchmark's shipped files: observations 1..10, reference posterior samples,
# true parameters.
observation, reference_posterior, true_parameters = shipped_files(NAME)
