"""flow_posterior: draws on the prior's support, a density integrating to one, refusals."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
import tensorflow_probability as tfp

import gan_infer as ed
from gan_infer.inferences.variational import flow_posterior

tfd = tfp.distributions


def box(low, high, d):
    return tfd.Independent(tfd.Uniform(low * tf.ones(d), high * tf.ones(d)), 1)


def draws_and_log_q(prior, n=20000, **kwargs):
    q = flow_posterior(prior, **kwargs)
    draws = q.distribution.sample(n)
    sess = ed.get_session()
    tf.global_variables_initializer().run()
    return sess.run([draws, q.distribution.log_prob(draws)]) + [q]


def test_draws_stay_in_a_bounded_box_and_the_density_integrates_to_one():
    values, log_q, q = draws_and_log_q(box(-3.0, 1.0, 2))
    assert q.value.shape.as_list() == [2]
    assert np.all(values > -3.0) and np.all(values < 1.0)
    # E_q[1 / q(theta)] is the volume of the support, 16, when q is a density there.
    assert np.mean(np.exp(-log_q)) == pytest.approx(16.0, rel=0.1)


def test_a_log_normal_prior_gives_positive_draws_near_its_scale():
    prior = tfd.Independent(tfd.LogNormal(-3.0 * tf.ones(4), 0.5 * tf.ones(4)), 1)
    values, log_q, _ = draws_and_log_q(prior)
    assert np.all(values > 0.0) and np.all(np.isfinite(log_q))
    # q starts at the prior's moments in log space.
    assert np.median(np.log(values), axis=0) == pytest.approx(np.full(4, -3.0), abs=0.2)


def test_q_is_trainable_and_fits_a_shifted_normal_by_reverse_kl():
    target = tfd.MultivariateNormalDiag([1.0, -1.0], [0.3, 0.5])
    q = flow_posterior(tfd.MultivariateNormalDiag(tf.zeros(2), tf.ones(2)), layers=1)
    draws = q.distribution.sample(256)
    kl = tf.reduce_mean(q.distribution.log_prob(draws) - target.log_prob(draws))
    train = tf.train.AdamOptimizer(0.02).minimize(kl)
    sess = ed.get_session()
    tf.global_variables_initializer().run()
    for _ in range(400):
        sess.run(train)
    values = sess.run(q.distribution.sample(5000))
    np.testing.assert_allclose(values.mean(0), [1.0, -1.0], atol=0.1)
    np.testing.assert_allclose(values.std(0), [0.3, 0.5], rtol=0.2)


def test_draws_pushed_past_the_sigmoids_overflow_keep_finite_gradients():
    # Regression: slcp's observation 2 (SBI benchmark) turned q into NaN when
    # one draw's unconstrained value passed 88.7, where TFP's Sigmoid overflows.
    prior = box(-3.0, 3.0, 2)
    q = flow_posterior(prior, layers=2, hidden_units=(8,))
    draws = q.distribution.sample(64)
    elbo = tf.reduce_mean(prior.log_prob(draws) - q.distribution.log_prob(draws))
    gradients = tf.gradients(elbo, tf.trainable_variables())
    sess = ed.get_session()
    tf.global_variables_initializer().run()
    (loc,) = [v for v in tf.global_variables() if v.name.endswith("/loc:0")]
    sess.run(loc.assign([200.0, -200.0]))
    values, log_q, grads = sess.run([draws, q.distribution.log_prob(draws), gradients])
    np.testing.assert_array_equal(values, np.tile([3.0, -3.0], (64, 1)))
    # q's own density stays exact: |v| - log 6 per coordinate, about 200 each.
    assert np.all(np.isfinite(log_q)) and np.all(log_q > 350)
    assert all(np.isfinite(g).all() for g in grads)


def test_one_dimension_is_a_normal_on_the_support():
    values, _, _ = draws_and_log_q(box(0.0, 1.0, 1), n=100)
    assert values.shape == (100, 1) and np.all((values > 0) & (values < 1))


@pytest.mark.parametrize(
    "prior, error, message",
    [
        (np.zeros(2), TypeError, "tfp.distributions.Distribution"),
        (tfd.Normal(tf.zeros(2), 1.0), ValueError, "event shape \\[d\\]"),
        (
            tfd.Independent(tfd.Bernoulli(probs=0.5 * tf.ones(2), dtype=tf.float32), 1),
            ValueError,
            "cannot map a flow onto the support",
        ),
    ],
)
def test_priors_it_cannot_map_are_refused(prior, error, message):
    with pytest.raises(error, match=message):
        flow_posterior(prior)
