"""Gaussian mixture (sbibm): theta ~ U([-10, 10]^2), x ~ 0.5 N(theta, I) + 0.5 N(theta, 0.01 I).

sbibm draws the mixture component once per simulator call (one component for
a whole batch); here each simulation draws its own, which is the model the
reference posterior (the same mixture centred on x_o) describes.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from task_files import shipped_files  # noqa: E402

NAME = "gaussian_mixture"
PARAMETER_NAMES = ["theta_1", "theta_2"]
BOUND = 10.0


def prior():
    import tensorflow_probability as tfp

    tfd = tfp.distributions
    return tfd.Independent(tfd.Uniform(low=[-BOUND, -BOUND], high=[BOUND, BOUND]), 1)


def simulate(theta, rng):
    scale = np.where(rng.random(len(theta)) < 0.5, 1.0, 0.1)[:, None]
    return (theta + scale * rng.standard_normal(theta.shape)).astype(np.float32)


# The benchmark's shipped files: observations 1..10, reference posterior samples,
# true parameters.
observation, reference_posterior, true_parameters = shipped_files(NAME)
