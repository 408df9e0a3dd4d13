"""Discriminator rejection sampling: the acceptance probability against its
formula, and a discriminator that knows the density ratio turning the
generator's N(0, 1) into the data's N(1, 1)."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer.inferences.rejection_sampling import acceptance_probability
from gan_infer.models import Normal

M = 256


def test_gamma_zero_is_exact_rejection_sampling():
    logits = np.array([-6.0, -2.0, -0.5, 0.3, 1.0])
    got = acceptance_probability(logits, max_logit=1.0)
    np.testing.assert_allclose(got, np.exp(logits - 1.0), rtol=1e-5)


def test_gamma_shifts_the_logit_of_the_probability():
    logits = np.array([-3.0, -1.0, 0.0, 2.0])
    p = np.exp(logits - 2.0 - 1e-6)
    for gamma in (-2.0, 1.5):
        expected = 1.0 / (1.0 + np.exp(-(np.log(p) - np.log1p(-p) - gamma)))
        np.testing.assert_allclose(acceptance_probability(logits, 2.0, gamma), expected, rtol=1e-9)
    # gamma < 0 keeps more, gamma > 0 fewer, and the order is kept.
    assert np.all(acceptance_probability(logits, 2.0, -1.0) > acceptance_probability(logits, 2.0))
    assert np.all(np.diff(acceptance_probability(logits, 2.0, 1.0)) > 0)


def test_a_bound_below_the_largest_logit_is_refused():
    with pytest.raises(ValueError, match="max_logit 0.5 is below the largest logit 1.0"):
        acceptance_probability(np.array([0.0, 1.0]), max_logit=0.5)


def build(loss="non_saturating", data=None):
    """The generator draws N(0, 1); the data are N(1, 1). The discriminator's
    logit is the exact log density ratio, log N(x; 1, 1) / N(x; 0, 1) =
    x - 1/2 (plus a bias at zero, so that D has a variable to train)."""
    with tf.variable_scope("Gen"):
        loc = tf.get_variable("loc", [], initializer=tf.zeros_initializer())
        x = Normal(loc, 1.0, sample_shape=[M, 1])

    def discriminator(x):
        bias = tf.get_variable("bias", [], initializer=tf.zeros_initializer())
        return x - 0.5 + bias

    x_ph = tf.placeholder(tf.float32, [M, 1])
    inference = ed.GANInference(data=data or {x: x_ph}, discriminator=discriminator)
    inference.initialize(loss=loss, n_print=0)
    tf.global_variables_initializer().run()
    return inference


def test_an_optimal_discriminator_turns_the_generator_into_the_data():
    ed.set_seed(0)
    inference = build()
    samples, acceptance = ed.rejection_sample(inference, 4000, burn_in=4000, seed=0)
    assert samples.shape == (4000, 1)
    # N(1, 1): mean 1 (standard error 0.016), sd 1. The generator's mean is 0.
    assert samples.mean() == pytest.approx(1.0, abs=0.07)
    assert samples.std() == pytest.approx(1.0, abs=0.05)
    # Kept fraction: E_pg[exp(x - 1/2)] / exp(max - 1/2) = exp(1/2 - max), max ~ 3.5.
    assert 0.02 < acceptance < 0.2


def test_a_gamma_quantile_keeps_more_and_corrects_less():
    ed.set_seed(0)
    inference = build()
    samples, acceptance = ed.rejection_sample(
        inference, 4000, gamma_quantile=0.5, burn_in=4000, seed=0
    )
    exact, exact_acceptance = ed.rejection_sample(inference, 4000, burn_in=4000, seed=0)
    assert acceptance > 0.4 > exact_acceptance
    assert 0.2 < samples.mean() < exact.mean() - 0.2


@pytest.mark.parametrize("loss", ["least_squares", "hinge"])
def test_losses_whose_logit_is_not_the_log_ratio_are_refused(loss):
    inference = build(loss=loss)
    with pytest.raises(ValueError, match=f"this inference uses loss='{loss}'"):
        ed.rejection_sample(inference, 10)
