"""Two moons (sbibm): a crescent displaced by a folded rotation of theta.

theta ~ U([-1, 1]^2); a ~ U(-pi/2, pi/2), r ~ N(0.1, 0.01^2);
x = (r cos a + 0.25, r sin a) + (-|z0|, z1), z = R(-pi/4) theta.
The |.| folds theta's plane: every x has two crescent-shaped posterior modes.
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from task_files import shipped_files  # noqa: E402

NAME = "two_moons"
PARAMETER_NAMES = ["theta_1", "theta_2"]


def prior():
    import tensorflow_probability as tfp

    tfd = tfp.distributions
    return tfd.Independent(tfd.Uniform(low=[-1.0, -1.0], high=[1.0, 1.0]), 1)


def simulate(theta, rng):
    n = len(theta)
    a = rng.uniform(-np.pi / 2, np.pi / 2, size=n)
    r = rng.normal(0.1, 0.01, size=n)
    p = np.stack([np.cos(a) * r + 0.25, np.sin(a) * r], axis=1)
    c, s = np.cos(-np.pi / 4), np.sin(-np.pi / 4)
    z0 = c * theta[:, 0] - s * theta[:, 1]
    z1 = s * theta[:, 0] + c * theta[:, 1]
    return (p + np.stack([-np.abs(z0), z1], axis=1)).astype(np.float32)


# The benchmark's shipped files: observations 1..10, reference posterior samples,
# true parameters.
observation, reference_posterior, true_parameters = shipped_files(NAME)
