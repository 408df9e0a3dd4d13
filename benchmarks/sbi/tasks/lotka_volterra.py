"""Lotka-Volterra (sbibm): predator-prey ODE, observed with log-normal noise.

theta = (alpha, beta, gamma, delta) ~ LogNormal([-0.125, -3, -0.125, -3], 0.5);
dX/dt = alpha X - beta X Y, dY/dt = -gamma Y + delta X Y from (X, Y) = (30, 1)
over 20 days, saved every 0.1 day; 10 of the 201 saved points per species
(every 21st, from day 0) are observed as LogNormal(log(u), 0.1), x [20] =
(X at the 10 times, Y at the 10 times). sbibm solves the ODE in Julia
(DifferentialEquations.jl); here scipy's LSODA with the same relative and
absolute tolerances (1e-3, 1e-6). A solve that fails returns a NaN row, as
sbibm's does; so does one whose populations pass 1e10 (`EXPLOSION`): at
parameters far in q's tail LSODA could otherwise grind for minutes on an
overflowing solution (observation 4 at 10^4 did, for 18 minutes), while no
trajectory of 3,000 prior draws passed even 1e4, where the observations clip.
"""

import os
import sys

import numpy as np
from scipy.integrate import solve_ivp

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from task_files import shipped_files  # noqa: E402

NAME = "lotka_volterra"
PARAMETER_NAMES = ["alpha", "beta", "gamma", "delta"]
PRIOR_LOC = np.array([-0.125, -3.0, -0.125, -3.0], np.float32)
PRIOR_SCALE = 0.5
U0 = (30.0, 1.0)
TIMES = np.arange(0, 201, 21) * 0.1  # the observed points of the 0.1-day grid


def prior():
    import tensorflow_probability as tfp

    tfd = tfp.distributions
    return tfd.Independent(
        tfd.LogNormal(loc=PRIOR_LOC, scale=np.full(4, PRIOR_SCALE, np.float32)), 1
    )


EXPLOSION = 1e10


def _rates(t, u, alpha, beta, gamma, delta):
    x, y = u
    return [alpha * x - beta * x * y, -gamma * y + delta * x * y]


def _exploded(t, u, *theta):
    return max(u) - EXPLOSION


_exploded.terminal = True


def solve(theta):
    """The populations [2, 10] at the observed times, or NaN if the solve fails."""
    result = solve_ivp(
        _rates,
        (0.0, 20.0),
        U0,
        method="LSODA",
        t_eval=TIMES,
        args=tuple(theta),
        rtol=1e-3,
        atol=1e-6,
        events=_exploded,
    )
    if not result.success or result.y.shape != (2, len(TIMES)):
        return np.full((2, len(TIMES)), np.nan)
    return result.y


def simulate(theta, rng):
    u = np.stack([solve(t) for t in theta.astype(np.float64)]).reshape(len(theta), -1)
    ok = np.all(np.isfinite(u), axis=1)
    x = np.full(u.shape, np.nan)
    x[ok] = np.exp(np.log(np.clip(u[ok], 1e-10, 1e4)) + 0.1 * rng.standard_normal(u[ok].shape))
    return x.astype(np.float32)


# The benchmark's shipped files: observations 1..10, reference posterior samples,
# true parameters.
observation, reference_posterior, true_parameters = shipped_files(NAME)
