"""PooledImplicitKLqp: the pool's batches and schedule, the budget, a conjugate posterior."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
import tensorflow_probability as tfp

import gan_infer as ed
from gan_infer import layers
from gan_infer.inferences.pooled_implicit_klqp import SimulationPool, truncated_importance_weights
from gan_infer.inferences.variational import flow_posterior
from gan_infer.models import Normal, RandomVariable
from gan_infer.models.simulator import Simulator

tfd = tfp.distributions
NOISE = 0.5


def noisy_copy(theta, rng):
    return (theta + NOISE * rng.standard_normal(theta.shape)).astype(np.float32)


def test_pool_batches_pair_each_theta_with_its_own_simulation():
    pool = SimulationPool(Simulator(noisy_copy, batch_size=50), 1, 100, 10)
    assert pool.due()
    pool.add(np.arange(200, dtype=np.float32).reshape(100, 2))
    theta_i, x_i, theta_j = pool.batch(500)
    # Joint pairs: x is theta plus noise of sd 0.5; the independent draws are not paired.
    assert np.abs(x_i - theta_i).max() < 6 * NOISE
    assert np.abs(x_i - theta_j).mean() > 10.0
    assert len(pool) == 100 and not pool.due()


def test_pool_drops_nan_rows_and_counts_them():
    def half_nan(theta, rng):
        x = theta.copy()
        x[::2] = np.nan
        return x

    simulator = Simulator(half_nan, allow_nan=True, batch_size=10)
    pool = SimulationPool(simulator, 1, 10, 1)
    pool.add(np.ones((10, 1), np.float32))
    assert len(pool) == 5 and simulator.calls == 10


def test_a_schedule_past_the_budget_is_refused():
    with pytest.raises(ValueError, match="need 300 simulations; the simulator has 200"):
        SimulationPool(Simulator(noisy_copy, budget=200, batch_size=100), 3, 100, 10)


def model(dim=2):
    prior = tfd.MultivariateNormalDiag(tf.zeros(dim), tf.ones(dim))
    theta = RandomVariable(prior)
    x = tf.identity(theta.value)

    def ratio_estimator(data, local_vars, global_vars):
        inputs = tf.concat([data[x], global_vars[theta]], axis=1)
        hidden = layers.dense(inputs, 64, activation=tf.nn.relu)
        hidden = layers.dense(hidden, 64, activation=tf.nn.relu)
        return tf.squeeze(layers.dense(hidden, 1), axis=1)

    return prior, theta, x, ratio_estimator


def pooled_inference(qtheta, simulator, dim=2, **schedule):
    """`PooledImplicitKLqp` of `model(dim)` with x_o = 0."""
    prior, theta, x, ratio_estimator = model(dim)
    return ed.PooledImplicitKLqp(
        {theta: qtheta},
        data={x: np.zeros(dim, np.float32)},
        discriminator=ratio_estimator,
        global_vars={theta: qtheta},
        simulator=simulator,
        **schedule,
    )


def test_rounds_follow_the_schedule_and_spend_the_budget_exactly():
    ed.set_seed(0)
    qtheta = Normal(loc=tf.Variable(tf.zeros(2)), scale=tf.nn.softplus(tf.Variable(tf.ones(2))))
    simulator = Simulator(noisy_copy, budget=300, batch_size=100)
    inference = pooled_inference(
        qtheta, simulator, rounds=3, round_size=100, steps_per_round=4, batch_size=32
    )
    inference.initialize(n_iter=12, n_print=0)
    tf.global_variables_initializer().run()
    calls = []
    for _ in range(12):
        inference.update()
        calls.append(simulator.calls)
    assert calls[0] == 100 and calls[3] == 100 and calls[4] == 200 and calls[-1] == 300


def fit_conjugate_normal(x_o, **initialize_kwargs):
    """Seed 1, 4,000 simulations in two rounds, 900 updates, a one-layer flow:
    (the simulator, 4,000 importance-resampled posterior samples)."""
    ed.set_seed(1)
    prior, theta, x, ratio_estimator = model()
    qtheta = flow_posterior(prior, layers=1, hidden_units=(16,))
    simulator = Simulator(noisy_copy, budget=4000, batch_size=1000, seed=1)
    inference = ed.PooledImplicitKLqp(
        {theta: qtheta},
        data={x: x_o},
        discriminator=ratio_estimator,
        global_vars={theta: qtheta},
        simulator=simulator,
        rounds=2,
        round_size=2000,
        steps_per_round=300,
        batch_size=256,
    )
    inference.initialize(
        optimizer=tf.train.AdamOptimizer(3e-3),
        optimizer_d=tf.train.AdamOptimizer(3e-3),
        n_iter=900,
        n_print=0,
        **initialize_kwargs,
    )
    tf.global_variables_initializer().run()
    for _ in range(inference.n_iter):
        inference.update()
    return simulator, inference.posterior_samples(4000, resample=True)


def test_a_conjugate_normal_posterior_is_recovered():
    """theta ~ N(0, I), x ~ N(theta, 0.25 I): the posterior is N(0.8 x_o, 0.2 I)."""
    x_o = np.array([1.0, -0.5], np.float32)
    simulator, samples = fit_conjugate_normal(x_o)
    assert simulator.calls == 4000
    np.testing.assert_allclose(samples.mean(0), 0.8 * x_o, atol=0.15)
    np.testing.assert_allclose(samples.std(0), np.sqrt(0.2), rtol=0.25)


def test_weights_under_the_cap_are_plain_normalised_weights_bit_for_bit():
    log_w = np.random.default_rng(0).normal(size=1000).astype(np.float32)
    weights, diagnostics = truncated_importance_weights(log_w)
    shifted = log_w - log_w.max()
    np.testing.assert_array_equal(weights, np.exp(shifted) / np.exp(shifted).sum())
    assert diagnostics["truncated"] == 0 and 300 < diagnostics["effective_sample_size"] < 500


def test_no_weight_passes_sqrt_m_times_the_mean_and_bad_weights_count_zero():
    # Raw weights 5,000 and 3,000, two bad ones, 9,996 of 1: total 17,996.
    log_w = np.concatenate([np.log([5000.0, 3000.0]), [np.nan, -np.inf], np.zeros(9996)])
    weights, diagnostics = truncated_importance_weights(log_w)
    assert weights.sum() == pytest.approx(1.0) and weights[2] == weights[3] == 0.0
    assert diagnostics["truncated"] == 2 and diagnostics["proposals"] == 10000
    assert diagnostics["effective_sample_size"] == pytest.approx(17996**2 / 34009996)
    # Both cut to sqrt(10^4) times the mean, 0.01 of the total: 179.96 raw.
    assert weights[0] == weights[1] == weights.max()
    assert weights[0] / weights[4] == pytest.approx(179.96, rel=1e-4)


def test_it_needs_one_global_variable_and_a_simulator():
    prior, theta, x, ratio_estimator = model()
    qtheta = Normal(loc=tf.Variable(tf.zeros(2)), scale=1.0)
    with pytest.raises(TypeError, match="needs simulator="):
        ed.PooledImplicitKLqp(
            {theta: qtheta},
            data={x: np.zeros(2, np.float32)},
            discriminator=ratio_estimator,
            global_vars={theta: qtheta},
            simulator=noisy_copy,
        )
    with pytest.raises(ValueError, match="one global variable theta"):
        ed.PooledImplicitKLqp(
            {theta: qtheta},
            data={x: np.zeros(2, np.float32)},
            discriminator=ratio_estimator,
            simulator=Simulator(noisy_copy),
        )


def test_blur_targets_the_abc_posterior_with_a_gaussian_kernel():
    """Noise of width 0.5 on the simulations: x ~ N(theta, (0.25 + 0.25) I), so
    the posterior is N(2/3 x_o, 1/3 I) instead of the exact N(0.8 x_o, 0.2 I)."""
    x_o = np.array([2.0, -1.0], np.float32)
    _, samples = fit_conjugate_normal(x_o, blur=0.5)
    np.testing.assert_allclose(samples.mean(0), 2.0 / 3.0 * x_o, atol=0.12)
    np.testing.assert_allclose(samples.std(0), np.sqrt(1.0 / 3.0), rtol=0.15)


def test_the_estimators_loss_on_held_out_simulations_exposes_a_pool_learnt_by_heart():
    """100 simulations in 8-D, 1,500 steps of an MLP 64-64: the pool's loss falls far
    below the loss on 1,000 fresh simulations, which an estimator that cannot tell the
    pairs apart would put at log 4."""
    ed.set_seed(2)
    qtheta = Normal(loc=tf.Variable(tf.zeros(8)), scale=1.0)
    simulator = Simulator(noisy_copy, budget=1100, batch_size=100, seed=2)
    inference = pooled_inference(
        qtheta, simulator, dim=8, rounds=1, round_size=100, steps_per_round=1, batch_size=100
    )
    inference.initialize(optimizer_d=tf.train.AdamOptimizer(3e-3), n_iter=1500, n_print=0)
    tf.global_variables_initializer().run()
    theta_new = np.random.default_rng(3).standard_normal((1000, 8)).astype(np.float32)
    x_new = simulator(theta_new)
    before = inference.estimator_loss(theta_new, x_new)
    for _ in range(inference.n_iter):
        inference.update(variables="Disc")
    held_out = inference.estimator_loss(theta_new, x_new)  # 10,000 pairs: two chunks
    graph_size = len(tf.get_default_graph().get_operations())
    pool = inference.estimator_loss(inference.pool.theta, inference.pool.x)
    assert len(tf.get_default_graph().get_operations()) == graph_size  # one graph, fed
    assert simulator.calls == 1100 and len(inference.pool) == 100
    assert abs(before - np.log(4.0)) < 0.15  # an untrained estimator's logits are near 0
    assert pool < 0.2 and held_out > pool + 0.5, (pool, held_out)


def test_the_estimators_loss_refuses_simulations_that_do_not_pair_up():
    inference = pooled_inference(
        Normal(loc=tf.Variable(tf.zeros(2)), scale=1.0), Simulator(noisy_copy)
    )
    inference.initialize(n_iter=1, n_print=0)
    with pytest.raises(ValueError, match=r"theta \[n, 2\] and x \[n, 2\] with n >= 2, got shapes"):
        inference.estimator_loss(np.zeros((5, 2)), np.zeros((4, 2)))
