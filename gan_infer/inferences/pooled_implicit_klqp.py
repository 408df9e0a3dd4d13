"""ImplicitKLqp at a fixed simulation budget: every simulation reused, rounds drawn from q."""

import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer.inferences.blur import blurred
from gan_infer.inferences.discriminator_calls import call_discriminator
from gan_infer.inferences.implicit_klqp import ImplicitKLqp
from gan_infer.models.simulator import Simulator
from gan_infer.util.checks import check_int
from gan_infer.util.session import get_session

__all__ = ["PooledImplicitKLqp", "SimulationPool", "log_density", "truncated_importance_weights"]


class SimulationPool:
    """Every simulation (theta_i, x_i) made so far, and the schedule of new rounds.

    `batch(m)` draws m joint pairs (theta_i, x_i) and m independent
    parameters theta_j, both uniformly from the pool; `due()` is true when
    the next round should be simulated (round r after r * steps_per_round
    batches, or (r + 1) * steps_per_round when the pool was seeded with
    simulations, until `rounds` rounds are done); `add(theta)` simulates a round, drops
    rows the simulator returned NaN for, and appends the rest.
    """

    def __init__(self, simulator, rounds, round_size, steps_per_round, theta=None, x=None):
        self.simulator = simulator
        self.rounds = check_int(rounds, "rounds", minimum=0)
        self.round_size = check_int(round_size, "round_size")
        self.steps_per_round = check_int(steps_per_round, "steps_per_round")
        if simulator.budget is not None and self.rounds * self.round_size > simulator.remaining:
            raise ValueError(
                f"rounds={self.rounds} of round_size={self.round_size} need "
                f"{self.rounds * self.round_size} simulations; the simulator has "
                f"{simulator.remaining} left of its budget. Lower rounds or round_size."
            )
        self.theta = np.zeros((0, 0), np.float32) if theta is None else np.asarray(theta)
        self.x = np.zeros((0, 0), np.float32) if x is None else np.asarray(x)
        self.rounds_done = 0
        # A pool seeded with simulations waits steps_per_round batches for its first round.
        self.seeded = int(len(self.theta) > 0)
        self.batches = 0
        self.rng = np.random.default_rng(simulator.seed)

    def __len__(self):
        return len(self.theta)

    def due(self):
        """Whether the next batch should follow a new round."""
        return self.rounds_done < self.rounds and (
            self.batches >= (self.rounds_done + self.seeded) * self.steps_per_round
        )

    def add(self, theta):
        """Simulate at theta [n, d] and keep the pairs whose simulation is finite."""
        theta = np.asarray(theta, np.float32)
        x = self.simulator(theta)
        finite = np.all(np.isfinite(x), axis=1)
        theta, x = theta[finite], x[finite]
        if len(self) == 0:
            self.theta, self.x = theta, x
        else:
            self.theta, self.x = np.concatenate([self.theta, theta]), np.concatenate([self.x, x])
        self.rounds_done += 1
        return np.int32(len(self))

    def batch(self, m):
        """(theta_i, x_i, theta_j): m joint pairs and m independent parameters."""
        if len(self) == 0:
            raise RuntimeError("The simulation pool is empty: simulate a round first.")
        self.batches += 1
        i = self.rng.integers(len(self), size=int(m))
        j = self.rng.integers(len(self), size=int(m))
        return self.theta[i], self.x[i], self.theta[j]


class PooledImplicitKLqp(ImplicitKLqp):
    """Likelihood-free variational inference of a simulator's parameters, at a budget.

    The model is theta ~ p(theta), x ~ simulator(theta), with one observation
    x_o. `ImplicitKLqp` simulates afresh at every step; here every simulation
    is kept in a pool, and the ratio estimator r(x, theta) (the
    `discriminator`) learns from all of them. It tells joint pairs (theta_i,
    x_i) from pairs whose parameters are drawn independently of x (theta_j,
    x_i), by the logistic loss; for a pool drawn from any proposal
    ptilde(theta) its optimal logit is

        r(x, theta) = log ptilde(theta) p(x | theta) / ptilde(theta) ptilde(x)
                    = log p(x | theta) - log ptilde(x),

    the log likelihood up to a constant in theta (neural ratio estimation,
    Hermans, Begy and Louppe, 2020). So rounds may simulate at draws of the
    current q without biasing r: the pool's proposal cancels. q minimises

        KL(q || p(theta | x_o)) = E_q[log q(theta) - log p(theta) - r(x_o, theta)] + const,

    estimated with `q_samples` reparameterised draws of q per step (a flow
    of `gan_infer.inferences.variational` can match crescents and modes).

    The budget: `simulations=(theta, x)` seeds the pool (e.g. prior draws
    simulated beforehand: they set the scale of the estimator's inputs),
    else the first round draws `round_size` parameters from the prior. Then
    every `steps_per_round` estimator steps a round draws `round_size`
    parameters from q and simulates them, `rounds` times in all (the first,
    prior round included when the pool starts empty). `simulator.calls`
    counts every simulation; a schedule past its budget is refused.

    `initialize(blur=h)` adds noise of width h to the pool's simulations
    (not to x_o) before the estimator sees them: r then learns the log
    likelihood of the blurred simulator, p_h(x | theta), read at x_o
    itself, so q targets the ABC posterior with a Gaussian kernel of width
    h (a few simulations near x_o then inform a wider neighbourhood).

    #### Examples

    ```python
    from gan_infer.inferences import PooledImplicitKLqp
    from gan_infer.models import RandomVariable
    from gan_infer.models.simulator import Simulator

    def noisy_copy(theta, rng):
        return (theta + 0.1 * rng.standard_normal(theta.shape)).astype(np.float32)

    prior = tfp.distributions.MultivariateNormalDiag(tf.zeros(1), tf.ones(1))
    theta = RandomVariable(prior)
    x = tf.identity(theta.value)  # the model's output, simulated by the pool
    qtheta = Normal(loc=tf.Variable([0.0]), scale=tf.nn.softplus(tf.Variable([0.5])))

    def ratio_estimator(data, local_vars, global_vars):
        inputs = tf.concat([data[x], global_vars[theta]], axis=1)
        return tf.squeeze(layers.dense(layers.dense(inputs, 16, tf.nn.relu), 1), 1)

    simulator = Simulator(noisy_copy, budget=200, batch_size=100)
    inference = PooledImplicitKLqp(
        {theta: qtheta}, data={x: np.array([0.5], np.float32)},
        discriminator=ratio_estimator, global_vars={theta: qtheta},
        simulator=simulator, rounds=2, round_size=100, steps_per_round=1,
    )
    inference.run(n_iter=20, n_print=0)
    assert simulator.calls == 200
    ```
    """

    def __init__(
        self,
        latent_vars,
        data=None,
        discriminator=None,
        global_vars=None,
        *,
        simulator,
        rounds=1,
        round_size=1000,
        steps_per_round=1000,
        simulations=None,
        batch_size=256,
        q_samples=64,
    ):
        """Create the inference.

        Args:
          latent_vars, data, discriminator, global_vars: as for
            `ImplicitKLqp`, with one global variable theta (a random
            variable of event shape [d], its prior), no local one, and one
            observed tensor x of shape [k] bound to the observation x_o.
          simulator: `gan_infer.models.simulator.Simulator`, theta [n, d]
            -> x [n, k]; its budget and its count are the inference's.
          rounds: int. Rounds of simulation (default 1).
          round_size: int. Simulations per round (default 1000).
          steps_per_round: int. Estimator steps between rounds.
          simulations: (theta [n, d], x [n, k]), optional. Simulations made
            beforehand that start the pool (they are not counted again).
          batch_size: int. Joint pairs per estimator step (default 256).
          q_samples: int. Draws of q per step of q (default 64).
        """
        super().__init__(latent_vars, data, discriminator, global_vars)
        if len(self.global_vars) != 1 or len(self.latent_vars) != 1 or len(self.data) != 1:
            raise ValueError(
                "PooledImplicitKLqp infers one global variable theta (latent_vars={theta: "
                "qtheta}, global_vars={theta: qtheta}) from one observed tensor (data={x: x_o})."
            )
        if not isinstance(simulator, Simulator):
            raise TypeError(
                "PooledImplicitKLqp needs simulator=gan_infer.models.simulator.Simulator("
                f"simulate, budget=...), got {type(simulator).__name__}."
            )
        theta0, x0 = (None, None) if simulations is None else simulations
        self.pool = SimulationPool(simulator, rounds, round_size, steps_per_round, theta0, x0)
        self.simulator = simulator
        self.batch_size = check_int(batch_size, "batch_size")
        self.q_samples = check_int(q_samples, "q_samples")
        self.resampling = None  # set by posterior_samples(resample=True)
        self.loss_probe = None  # the graph of estimator_loss, built at its first call

    def build_loss_and_gradients(self, var_list):
        """The estimator's loss on pool batches and KL(q || p(theta | x_o)); see the class
        docstring. Returns `(loss, grads_and_vars, loss_d, grads_and_vars_d)`."""
        (theta, qtheta), (x, x_o) = (
            next(iter(self.global_vars.items())),
            next(iter(self.data.items())),
        )
        dim, k = int(theta.value.shape[-1]), int(x.shape[-1])
        with tf.name_scope("simulation_pool"):
            due = tf.numpy_function(self.pool.due, [], tf.bool)
            due.set_shape([])
            n = self.pool.round_size

            def simulate_round():
                # Drawn inside the branch, so only on the steps that simulate.
                # The first round, when the pool starts empty, draws from the prior.
                proposal = tf.cond(
                    tf.numpy_function(lambda: np.bool_(len(self.pool) == 0), [], tf.bool),
                    lambda: theta.distribution.sample(n),
                    lambda: qtheta.distribution.sample(n),
                )
                return tf.numpy_function(self.pool.add, [proposal], tf.int32)

            simulate = tf.cond(due, simulate_round, lambda: tf.constant(0, tf.int32))
            with tf.control_dependencies([simulate]):
                theta_i, x_i, theta_j = tf.numpy_function(
                    self.pool.batch, [self.batch_size], [tf.float32, tf.float32, tf.float32]
                )
            theta_i.set_shape([self.batch_size, dim])
            theta_j.set_shape([self.batch_size, dim])
            x_i.set_shape([self.batch_size, k])
            x_i = blurred({x: x_i}, self.blur)[x]
        r_joint = call_discriminator(
            self.discriminator, [{x: x_i}, {}, {theta: theta_i}], reuse=False
        )
        r_marginal = call_discriminator(
            self.discriminator, [{x: x_i}, {}, {theta: theta_j}], reuse=True
        )
        loss_d = tf.reduce_mean(self.ratio_loss(r_joint, r_marginal))

        draws = qtheta.distribution.sample(self.q_samples)
        observed = tf.tile(tf.reshape(tf.cast(x_o, tf.float32), [1, k]), [self.q_samples, 1])
        r_q = call_discriminator(self.discriminator, [{x: observed}, {}, {theta: draws}], True)
        log_ratio = tf.reshape(r_q, [self.q_samples])
        elbo = tf.reduce_mean(log_density(theta, draws) - log_density(qtheta, draws) + log_ratio)
        self.r_psample, self.r_qsample = r_joint, log_ratio
        if self.logging:
            self.summaries.scalar("ratio/joint", tf.reduce_mean(r_joint))
            self.summaries.scalar("ratio/marginal", tf.reduce_mean(r_marginal))
            self.summaries.scalar("elbo", elbo)
        return self.regularized_gradients(-elbo, loss_d, var_list)

    def estimator_loss(self, theta, x, shuffles=10, seed=0):
        """The ratio estimator's loss on simulations (theta [n, d], x [n, k]).

        Joint pairs (theta_i, x_i) against `shuffles` independent shuffles
        (theta_pi(i), x_i), under the loss of `initialize(ratio_loss=...)`,
        as the estimator is trained on the pool. On simulations held out of
        the pool it says whether the estimator learns the likelihood or the
        pool's noise: reused for thousands of steps, a pool can be learnt by
        heart, and the held-out loss then rises while the pool's falls. The
        posterior comes out too narrow (gaussian_linear at 10^4 simulations:
        pool 0.27, held out 1.04; docs/results.md, section 5). A weight
        penalty on the estimator (`mlp_ratio_estimator(weight_decay=...)`)
        is the remedy to try, but check the posterior another way before
        trusting it: a lower held-out loss meant a better posterior on four
        benchmark tasks of five, not on Lotka-Volterra. Held-out
        simulations count against the simulator's budget like any other.

        Args:
          theta, x: arrays [n, d] and [n, k], n >= 2: simulations, e.g.
            held-out ones or the pool's own (`inference.pool.theta`,
            `inference.pool.x`).
          shuffles: int. Shuffles of theta, each giving n marginal pairs.
          seed: int. The shuffles' seed.

        Returns:
          float, the mean loss (the logistic loss: log 4 = 1.386 for an
          estimator that cannot tell the pairs apart, 0 for a perfect one).

        #### Examples

        Keep a fifth of the prior simulations out of the pool, then compare:

        ```python
        from gan_infer.inferences import PooledImplicitKLqp
        from gan_infer.inferences.ratio_estimators import mlp_ratio_estimator, prior_simulations
        from gan_infer.models import RandomVariable
        from gan_infer.models.simulator import Simulator

        def noisy_copy(theta, rng):
            return (theta + 0.1 * rng.standard_normal(theta.shape)).astype(np.float32)

        prior = tfp.distributions.MultivariateNormalDiag(tf.zeros(2), tf.ones(2))
        theta = RandomVariable(prior)
        x = tf.identity(theta.value)
        qtheta = Normal(loc=tf.Variable(tf.zeros(2)), scale=1.0)
        simulator = Simulator(noisy_copy, budget=1000, batch_size=100)
        theta0, x0 = prior_simulations(prior, simulator, 1000, seed=1)
        pooled, held_out = (theta0[200:], x0[200:]), (theta0[:200], x0[:200])
        inference = PooledImplicitKLqp(
            {theta: qtheta}, data={x: np.zeros(2, np.float32)},
            discriminator=mlp_ratio_estimator(theta, x, pooled, weight_decay=1e-3),
            global_vars={theta: qtheta}, simulator=simulator, rounds=0, simulations=pooled,
        )
        inference.run(n_iter=500, n_print=0)
        pool_loss = inference.estimator_loss(inference.pool.theta, inference.pool.x)
        held_out_loss = inference.estimator_loss(*held_out)
        assert np.isfinite([pool_loss, held_out_loss]).all() and simulator.calls == 1000
        ```
        """
        self.require_initialized("estimator_loss()")
        (theta_rv, _), (x_rv, _) = (
            next(iter(self.global_vars.items())),
            next(iter(self.data.items())),
        )
        theta = np.asarray(theta, np.float32)
        x = np.asarray(x, np.float32)
        dim, k = int(theta_rv.value.shape[-1]), int(x_rv.shape[-1])
        shapes_pair = theta.ndim == 2 and theta.shape[1] == dim and x.shape == (len(theta), k)
        not_finite = np.size(theta) + np.size(x) - np.isfinite(theta).sum() - np.isfinite(x).sum()
        if not shapes_pair or len(x) < 2 or not_finite:
            raise ValueError(
                f"estimator_loss needs finite simulations theta [n, {dim}] and x [n, {k}] with "
                f"n >= 2, got shapes {theta.shape} and {x.shape} with {not_finite} NaN or Inf "
                "values; pass rows simulated together, failed ones dropped, as "
                "prior_simulations returns them."
            )
        shuffles = check_int(shuffles, "shuffles")
        if self.loss_probe is None:  # one graph for every call, fed in chunks
            theta_i = tf.placeholder(tf.float32, [None, dim])
            theta_j = tf.placeholder(tf.float32, [None, dim])
            x_i = tf.placeholder(tf.float32, [None, k])
            seen = blurred({x_rv: x_i}, self.blur)  # as the pool's batches are
            r_joint, r_marginal = (
                call_discriminator(self.discriminator, [seen, {}, {theta_rv: t}], True)
                for t in (theta_i, theta_j)
            )
            loss = tf.reduce_mean(self.ratio_loss(r_joint, r_marginal))
            self.loss_probe = (theta_i, theta_j, x_i, loss)
        theta_i, theta_j, x_i, loss = self.loss_probe
        rng = np.random.default_rng(seed)
        order = np.concatenate([rng.permutation(len(theta)) for _ in range(shuffles)])
        rows = np.tile(np.arange(len(theta)), shuffles)
        total = 0.0
        # The loss is a mean over pairs: chunks of at most 8,192 pairs, weighted by size.
        for start in range(0, len(rows), 8192):
            i, j = rows[start : start + 8192], order[start : start + 8192]
            feed = {theta_i: theta[i], theta_j: theta[j], x_i: x[i]}
            total += len(i) * float(get_session().run(loss, feed))
        return total / len(rows)

    def posterior_samples(self, n, resample=False, seed=0):
        """n draws of q, as a numpy array [n, d].

        With `resample=True`, draws of q are importance-resampled by the
        weights w = p(theta) exp(r(x_o, theta)) / q(theta) (sampling /
        importance resampling from m = 8 n draws of q), which corrects the
        shape q could not reach, as far as the ratio estimator is right.
        The weights are truncated at sqrt(m) times their mean
        (`truncated_importance_weights`, Ionides 2008): one draw far in q's
        tail, where q is tiny and r is not, would otherwise be copied
        thousands of times (two_moons at 10^5 simulations: one draw held 20 %
        of the weight, C2ST 0.648; truncated, 0.599). The weights' effective
        sample size, before truncation, and how many were truncated are
        kept in `inference.resampling` (a dict).
        """
        self.require_initialized("posterior_samples()")
        (theta, qtheta), (x, x_o) = (
            next(iter(self.global_vars.items())),
            next(iter(self.data.items())),
        )
        k = int(x.shape[-1])
        m = 8 * n if resample else n
        draws = qtheta.distribution.sample(m)
        fetches = [draws]
        if resample:
            observed = tf.tile(tf.reshape(tf.cast(x_o, tf.float32), [1, k]), [m, 1])
            r = call_discriminator(self.discriminator, [{x: observed}, {}, {theta: draws}], True)
            log_w = log_density(theta, draws) - log_density(qtheta, draws) + tf.reshape(r, [m])
            fetches.append(log_w)
        values = get_session().run(fetches)
        if not resample:
            return values[0]
        if not np.isfinite(values[1]).any():
            raise FloatingPointError(
                f"posterior_samples(resample=True): none of the {m} importance weights is "
                "finite (the ratio estimator or q returned NaN or Inf); train longer with a "
                "lower learning rate, or take q's own draws with resample=False."
            )
        weights, self.resampling = truncated_importance_weights(values[1])
        index = np.random.default_rng(seed).choice(m, size=n, replace=True, p=weights)
        return values[0][index]


def truncated_importance_weights(log_weights):
    """Normalised importance weights, each at most sqrt(m) times their mean.

    Truncated importance sampling (Ionides, 2008): with m weights w_i,

        w_i <- min(w_i, sqrt(m) * mean(w)),

    then normalised. The bias this adds vanishes as m grows. A draw whose
    weight stood far above the rest now counts at most sqrt(m) times an
    average draw (283 times for m = 80,000) instead of thousands of times;
    where a few draws hold nearly all the weight, their mean is theirs and
    the truncation cannot help (the effective sample size, returned, says
    so). Weights that are NaN or -inf count as 0.

    Args:
      log_weights: array [m], log importance weights (any additive constant).

    Returns:
      (weights [m] summing to 1, a dict: `proposals` m, `effective_sample_size`
      (1 / sum w^2 of the weights before truncation: m for equal weights,
      1 when one draw holds them all), `truncated` (weights that were cut)).

    #### Examples

    ```python
    from gan_infer.inferences.pooled_implicit_klqp import truncated_importance_weights

    log_w = np.zeros(10000)
    log_w[0] = np.log(5000.0)  # one draw would hold a third of the weight
    weights, diagnostics = truncated_importance_weights(log_w)
    assert weights[0] < 0.015 and diagnostics["truncated"] == 1
    assert 8.0 < diagnostics["effective_sample_size"] < 9.0
    ```
    """
    # In the weights' own dtype (float32 from TensorFlow): untruncated
    # weights then resample exactly as before truncation existed.
    log_weights = np.asarray(log_weights)
    if log_weights.ndim != 1 or not np.isfinite(log_weights).any():
        raise ValueError(
            "truncated_importance_weights needs log weights [m] with at least one finite "
            f"value, got shape {log_weights.shape} with {np.isfinite(log_weights).sum()} "
            "finite; a ratio estimator or q that returns NaN has nothing to resample."
        )
    log_weights = np.where(np.isfinite(log_weights), log_weights, -np.inf)
    log_weights = log_weights - np.max(log_weights)
    weights = np.exp(log_weights) / np.exp(log_weights).sum()
    m = len(weights)
    cap = np.sqrt(m) / m  # sqrt(m) times the mean weight, 1 / m
    truncated = int(np.sum(weights > cap))
    diagnostics = {
        "proposals": m,
        "effective_sample_size": float(1.0 / np.sum(weights.astype(np.float64) ** 2)),
        "truncated": truncated,
    }
    if truncated:  # untouched weights stay bit for bit what they were
        weights = np.minimum(weights, cap)
        weights = weights / weights.sum()
    return weights, diagnostics


def log_density(random_variable, draws):
    """log p(theta) of draws [n, d], summed over the coordinates of a batch of scalars."""
    log_p = random_variable.distribution.log_prob(draws)
    extra = log_p.shape.rank - 1
    return tf.reduce_sum(log_p, axis=list(range(1, 1 + extra))) if extra > 0 else log_p
