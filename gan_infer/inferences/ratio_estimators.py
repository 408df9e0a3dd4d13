"""A ratio estimator for `PooledImplicitKLqp`, and the prior simulations that scale it.

`PooledImplicitKLqp` learns r(x, theta) = log p(x | theta) - log p~(x) by
telling joint pairs (theta_i, x_i) from shuffled ones. Any network of
(x, theta) returning one logit per row will do; this one is the network of
every row of the SBI-benchmark table (docs/results.md, section 5): an MLP
of the concatenated (x, theta), each coordinate z-scored with the mean and
standard deviation of simulations drawn from the prior,

    r(x, theta) = MLP([(x - mean_x) / sd_x, (theta - mean_theta) / sd_theta]).

Without the z-scoring, a simulator whose outputs are in the hundreds (or a
prior of width 1e-3) leaves the network's first layer saturated or blind.
`prior_simulations(prior, simulator, n)` draws those simulations; passed to
the inference as `simulations=`, they also seed its pool, so they cost no
extra simulator calls.

#### Examples

```python
from gan_infer.inferences.ratio_estimators import mlp_ratio_estimator, prior_simulations
from gan_infer.models import RandomVariable
from gan_infer.models.simulator import Simulator

def shifted(theta, rng):
    return (100.0 + theta + 0.1 * rng.standard_normal(theta.shape)).astype(np.float32)

prior = tfp.distributions.MultivariateNormalDiag(tf.zeros(2), tf.ones(2))
simulator = Simulator(shifted, budget=500, batch_size=100)
theta0, x0 = prior_simulations(prior, simulator, 200, seed=1)
theta = RandomVariable(prior)
x = tf.placeholder(tf.float32, [None, 2])
ratio_estimator = mlp_ratio_estimator(theta, x, (theta0, x0), hidden_units=(16,))
logits = ratio_estimator({x: x0[:5]}, {}, {theta: theta0[:5]})
tf.global_variables_initializer().run()
assert sess.run(logits).shape == (5,) and simulator.calls == 200
```
"""

import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer import layers
from gan_infer.util.checks import check_int, check_number
from gan_infer.util.session import get_session

__all__ = ["mlp_ratio_estimator", "prior_simulations", "standardization"]


def standardization(values):
    """(mean, sd) of `values` [n, k] per column, float32; a constant column gets sd 1."""
    values = np.asarray(values, np.float64)
    if values.ndim != 2 or len(values) == 0 or not np.all(np.isfinite(values)):
        raise ValueError(
            f"standardization needs simulations as a finite array [n, k] with n >= 1, got "
            f"shape {values.shape} with {np.size(values) - np.isfinite(values).sum()} NaN or "
            "Inf values; pass the (theta, x) that prior_simulations returns (it drops failed "
            "simulations)."
        )
    sd = values.std(axis=0)
    return values.mean(axis=0).astype(np.float32), np.where(sd > 0, sd, 1.0).astype(np.float32)


def mlp_ratio_estimator(theta, x, simulations, hidden_units=(128, 128), weight_decay=0.0):
    """The discriminator r(x, theta) of `PooledImplicitKLqp`: an MLP of the z-scored (x, theta).

    Args:
      theta: the model's random variable of the parameters (event shape [d]).
      x: the model's simulated output, the key of `data` (shape [k]).
      simulations: (theta [n, d], x [n, k]) numpy arrays, e.g. from
        `prior_simulations`; their column means and standard deviations
        z-score the network's inputs.
      hidden_units: the ReLU hidden layers (default two of 128 units).
      weight_decay: float >= 0. The L2 penalty `weight_decay * sum(w**2) / 2`
        on every layer's kernel, added to the estimator's loss (default 0).
        The pool is reused for thousands of steps, and an estimator that
        learns its noise is overconfident: q comes out too narrow. Where
        the loss on held-out simulations rises while the pool's falls, a
        penalty helps; where it does not, it blunts a sharp likelihood.
        Measured on the benchmark at 10^4 simulations, observations 1-3
        (docs/results.md, section 5): 3e-3 brought gaussian_linear's
        posterior from 0.72 to 0.57 (the best classifier's accuracy against
        the exact posterior) and 1e-3 slcp's C2ST from 0.843 to 0.818, but
        1e-3 took two_moons' from 0.549 to 0.634 and Lotka-Volterra's from
        0.877 to 0.985; no one value suits every simulator, so the default
        is none (`PooledImplicitKLqp.estimator_loss` on held-out
        simulations shows whether the estimator overfits).

    Returns:
      A function `ratio_estimator(data, local_vars, global_vars)` returning
      one logit per row, for `PooledImplicitKLqp(discriminator=...)`.
    """
    theta_draws, x_draws = simulations
    theta_mean, theta_sd = standardization(theta_draws)
    x_mean, x_sd = standardization(x_draws)
    hidden_units = [check_int(units, "hidden_units") for units in hidden_units]
    weight_decay = check_number(
        weight_decay,
        "mlp_ratio_estimator: weight_decay",
        low=0.0,
        what="a number >= 0 (0: no penalty; 1e-3 where the held-out loss rises)",
    )
    penalty = layers.l2_regularizer(weight_decay) if weight_decay > 0 else None

    def ratio_estimator(data, local_vars, global_vars):
        hidden = tf.concat(
            [(data[x] - x_mean) / x_sd, (global_vars[theta] - theta_mean) / theta_sd], axis=1
        )
        for units in hidden_units:
            hidden = layers.dense(hidden, units, activation=tf.nn.relu, kernel_regularizer=penalty)
        return tf.squeeze(layers.dense(hidden, 1, kernel_regularizer=penalty), axis=1)

    return ratio_estimator


def prior_simulations(prior, simulator, n, seed=None):
    """n draws of `prior` simulated once each, as (theta [m, d], x [m, k]) numpy arrays.

    Rows the simulator returned NaN or Inf for are dropped (m <= n), as the
    pool drops them. `simulator.calls` grows by n.

    Args:
      prior: a TFP distribution of event shape [d] (the model's prior).
      simulator: `gan_infer.models.simulator.Simulator`.
      n: int, simulations to draw.
      seed: the op seed of the prior's draw (with `ed.set_seed`, repeatable).
    """
    n = check_int(n, "n")
    theta = get_session().run(prior.sample(n, seed=seed))
    x = simulator(theta)
    finite = np.all(np.isfinite(x), axis=1)
    return theta[finite], x[finite]
