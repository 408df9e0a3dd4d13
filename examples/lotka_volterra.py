"""A stochastic Lotka–Volterra simulator, its summary statistics, rejection ABC, a figure.

Shared by examples/lotka_volterra_implicit.py, which fits the same model by
`ed.ImplicitKLqp`; numpy only, vectorised over parameter draws.

The model is the predator–prey Markov jump process of Papamakarios and Murray
(2016), discretised in time (Poisson "tau-leaping", step DT): with X
predators and Y prey, in each step

    predators born   ~ Poisson(theta_1 X Y DT)     predators die ~ Poisson(theta_2 X DT)
    prey born        ~ Poisson(theta_3 Y DT)       prey eaten    ~ Poisson(theta_4 X Y DT)

from X = 50, Y = 100, observed every DT for STEPS steps with normal noise
of standard deviation NOISE. The likelihood of a series has no closed form:
only simulation.
"""

import time

import numpy as np

#: log(theta_1..4), the rates of Papamakarios and Murray (2016).
TRUE_LOG_RATES = np.log([0.01, 0.5, 1.0, 0.01])
PARAMETER_NAMES = ["log predator birth", "log predator death", "log prey birth", "log prey eaten"]
#: A normal prior on the log-rates, not centred on the truth. Much wider than
#: the posterior, but narrower than their uniform on [-5, 2]^4, so that
#: rejection ABC accepts enough draws on two cores.
PRIOR_MEAN = np.array([-4.5, -0.5, 0.0, -4.5])
PRIOR_STD = 0.5
INITIAL = (50.0, 100.0)
DT, STEPS, NOISE = 0.2, 150, 5.0
# Populations that explode are stopped here (a simulator's usual guard).
CAP = 10_000.0


def simulate(log_rates, rng):
    """Noisy populations, [B, STEPS + 1, 2] (predators, prey), for B rows of log-rates [B, 4]."""
    rates = np.exp(np.asarray(log_rates, np.float64)) * DT
    batch = len(rates)
    predators, prey = np.full(batch, INITIAL[0]), np.full(batch, INITIAL[1])
    series = np.empty((batch, STEPS + 1, 2))
    series[:, 0] = INITIAL
    for step in range(1, STEPS + 1):
        meetings = predators * prey
        born_x, dead_x, born_y, eaten_y = rng.poisson(
            [
                rates[:, 0] * meetings,
                rates[:, 1] * predators,
                rates[:, 2] * prey,
                rates[:, 3] * meetings,
            ]
        )
        predators = np.clip(predators + born_x - dead_x, 0.0, CAP)
        prey = np.clip(prey + born_y - eaten_y, 0.0, CAP)
        series[:, step, 0], series[:, step, 1] = predators, prey
    return series + rng.normal(0.0, NOISE, series.shape)


def summaries(series):
    """Papamakarios and Murray's 9 statistics of each series [B, T, 2]: per
    population the mean, the log variance and the autocorrelations at lags
    1 and 2; and the cross-correlation of the two."""
    series = np.asarray(series, np.float64)
    mean = series.mean(axis=1)
    std = series.std(axis=1)
    normed = (series - mean[:, None]) / std[:, None]
    lag1 = (normed[:, 1:] * normed[:, :-1]).mean(axis=1)
    lag2 = (normed[:, 2:] * normed[:, :-2]).mean(axis=1)
    cross = (normed[:, :, 0] * normed[:, :, 1]).mean(axis=1)
    stats = [mean, np.log(std**2), lag1, lag2, cross[:, None]]
    return np.concatenate(stats, axis=1)


def prior_draws(rng, size):
    return PRIOR_MEAN + PRIOR_STD * rng.standard_normal((size, len(PRIOR_MEAN)))


def rejection_abc(observed_summaries, scale, n_simulations, n_accept, rng, chunk=20_000):
    """Rejection ABC: the n_accept prior draws whose simulated summaries lie
    nearest the observed ones (Euclidean, each summary divided by `scale`)
    among n_simulations. Returns (accepted log-rates [n_accept, 4], the
    tolerance: the largest accepted distance, wall seconds)."""
    start = time.perf_counter()
    kept_params, kept_distances = np.empty((0, 4)), np.empty(0)
    for first in range(0, n_simulations, chunk):
        params = prior_draws(rng, min(chunk, n_simulations - first))
        distances = np.linalg.norm(
            (summaries(simulate(params, rng)) - observed_summaries) / scale, axis=1
        )
        kept_params = np.concatenate([kept_params, params])
        kept_distances = np.concatenate([kept_distances, distances])
        nearest = np.argsort(kept_distances)[:n_accept]
        kept_params, kept_distances = kept_params[nearest], kept_distances[nearest]
    return kept_params, kept_distances.max(), time.perf_counter() - start


def posterior_figure(series, accepted, q_mean, q_std):
    """The observed series, then per log-rate ABC's sample beside q's normal density."""
    import matplotlib.pyplot as plt
    from scipy import stats

    figure, axes = plt.subplots(1, 5, figsize=(20, 3))
    axes[0].plot(np.arange(STEPS + 1) * DT, series)
    axes[0].set(title="observed", xlabel="time")
    axes[0].legend(["predators", "prey"], fontsize=7)
    for d, axis in enumerate(axes[1:]):
        axis.hist(accepted[:, d], bins=30, density=True, alpha=0.5, label="rejection ABC")
        grid = np.linspace(*axis.get_xlim(), 200)
        axis.plot(grid, stats.norm.pdf(grid, q_mean[d], q_std[d]), label="q (ImplicitKLqp)")
        axis.axvline(TRUE_LOG_RATES[d], color="k", lw=1, label="true")
        axis.set_title(PARAMETER_NAMES[d])
    axes[1].legend(fontsize=7)
    return figure
