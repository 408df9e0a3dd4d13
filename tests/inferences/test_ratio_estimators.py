"""mlp_ratio_estimator and prior_simulations: z-scored inputs, dropped NaN rows, refusals."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
import tensorflow_probability as tfp

import gan_infer as ed
from gan_infer.inferences.ratio_estimators import (
    mlp_ratio_estimator,
    prior_simulations,
    standardization,
)
from gan_infer.models import RandomVariable
from gan_infer.models.simulator import Simulator

tfd = tfp.distributions


def test_standardization_gives_column_moments_and_sd_one_for_a_constant_column():
    mean, sd = standardization(np.array([[1.0, 5.0], [3.0, 5.0]]))
    np.testing.assert_allclose(mean, [2.0, 5.0])
    np.testing.assert_allclose(sd, [1.0, 1.0])
    assert mean.dtype == sd.dtype == np.float32


def test_standardization_refuses_what_is_not_a_table_of_simulations():
    with pytest.raises(ValueError, match=r"finite array \[n, k\] with n >= 1, got shape \(3,\)"):
        standardization(np.zeros(3))
    with pytest.raises(ValueError, match="got shape"):
        standardization(np.zeros((0, 2)))


def test_prior_simulations_drop_failed_rows_and_count_every_call():
    def fails_for_negative_first_parameter(theta, rng):
        x = theta.copy()
        x[theta[:, 0] < 0] = np.nan
        return x

    ed.set_seed(1)
    prior = tfd.MultivariateNormalDiag(tf.zeros(2), tf.ones(2))
    simulator = Simulator(fails_for_negative_first_parameter, allow_nan=True, batch_size=100)
    theta, x = prior_simulations(prior, simulator, 400, seed=1)
    assert simulator.calls == 400 and 120 < len(theta) < 280
    assert np.all(theta[:, 0] >= 0) and np.array_equal(theta, x)


def test_the_estimator_sees_its_inputs_z_scored():
    """Inputs near 1e4 with spread 1e-3: z-scored, the first layer sees values of order 1."""
    rng = np.random.default_rng(0)
    theta0 = (1e4 + 1e-3 * rng.standard_normal((500, 1))).astype(np.float32)
    x0 = (-3e3 + 1e-3 * rng.standard_normal((500, 2))).astype(np.float32)
    theta = RandomVariable(tfd.MultivariateNormalDiag(tf.zeros(1), tf.ones(1)))
    x = tf.placeholder(tf.float32, [None, 2])
    estimator = mlp_ratio_estimator(theta, x, (theta0, x0), hidden_units=(8,))
    logits = estimator({x: x0}, {}, {theta: theta0})
    # The network's input: the one concatenation of 500 rows of (x, theta).
    (concat,) = [
        op
        for op in tf.get_default_graph().get_operations()
        if op.type == "ConcatV2" and op.outputs[0].shape.as_list() == [500, 3]
    ]
    sess = ed.get_session()
    tf.global_variables_initializer().run()
    inputs, values = sess.run([concat.outputs[0], logits])
    assert values.shape == (500,)
    np.testing.assert_allclose(inputs.mean(0), 0.0, atol=0.05)
    np.testing.assert_allclose(inputs.std(0), 1.0, rtol=0.05)


def test_weight_decay_adds_one_penalty_per_kernel_to_the_estimators_loss():
    """The penalty lives under "Disc", so it joins the estimator's loss, not q's."""
    rng = np.random.default_rng(0)
    theta0 = rng.standard_normal((50, 1)).astype(np.float32)
    x0 = rng.standard_normal((50, 2)).astype(np.float32)
    theta = RandomVariable(tfd.MultivariateNormalDiag(tf.zeros(1), tf.ones(1)))
    x = tf.placeholder(tf.float32, [None, 2])
    plain = mlp_ratio_estimator(theta, x, (theta0, x0), hidden_units=(8, 8))
    with tf.variable_scope("Plain"):
        plain({x: x0}, {}, {theta: theta0})
    assert tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) == []

    penalised = mlp_ratio_estimator(theta, x, (theta0, x0), hidden_units=(8, 8), weight_decay=0.5)
    with tf.variable_scope("Disc"):
        penalised({x: x0}, {}, {theta: theta0})
    penalties = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES, scope="Disc/")
    assert len(penalties) == 3  # two hidden kernels and the output's
    kernels = [v for v in tf.trainable_variables("Disc/") if "kernel" in v.name]
    sess = ed.get_session()
    tf.global_variables_initializer().run()
    total, weights = sess.run([tf.add_n(penalties), kernels])
    np.testing.assert_allclose(total, 0.5 * sum(np.sum(w**2) / 2 for w in weights), rtol=1e-5)
