"""Tests for gan_infer.inferences.losses against numpy references."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer
from gan_infer.inferences import losses

M = 64
RTOL = 1e-5


@pytest.fixture
def sess():
    return gan_infer.get_session()


def softplus(a):
    a = np.asarray(a, np.float64)
    return np.logaddexp(0.0, a)


def logits(shape, seed, scale=3.0):
    return (scale * np.random.default_rng(seed).normal(size=shape)).astype(np.float32)


SHAPES = [(M, 1), (M,), (1,), (5, 1)]


@pytest.mark.parametrize("shape", SHAPES)
def test_discriminator_loss(sess, shape):
    d_real, d_fake = logits(shape, 0), logits(shape, 1)
    got = sess.run(losses.discriminator_loss(tf.constant(d_real), tf.constant(d_fake)))
    want = softplus(-d_real).mean() + softplus(d_fake).mean()
    assert np.shape(got) == ()
    np.testing.assert_allclose(got, want, rtol=RTOL)


@pytest.mark.parametrize("shape", SHAPES)
def test_non_saturating_generator_loss(sess, shape):
    d_fake = logits(shape, 2)
    got = sess.run(losses.non_saturating_generator_loss(tf.constant(d_fake)))
    np.testing.assert_allclose(got, softplus(-d_fake).mean(), rtol=RTOL)


@pytest.mark.parametrize("shape", SHAPES)
def test_minimax_generator_loss(sess, shape):
    d_fake = logits(shape, 3)
    got = sess.run(losses.minimax_generator_loss(tf.constant(d_fake)))
    np.testing.assert_allclose(got, -softplus(d_fake).mean(), rtol=RTOL)
    # E log(1 - sigma(d)) written out directly
    np.testing.assert_allclose(
        got, np.mean(np.log1p(-1.0 / (1.0 + np.exp(-d_fake.astype(np.float64))))), rtol=1e-4
    )


@pytest.mark.parametrize("shape", SHAPES)
def test_wasserstein_critic_loss(sess, shape):
    d_real, d_fake = logits(shape, 4), logits(shape, 5)
    got = sess.run(losses.wasserstein_critic_loss(tf.constant(d_real), tf.constant(d_fake)))
    want = d_fake.astype(np.float64).mean() - d_real.astype(np.float64).mean()
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=1e-6)


@pytest.mark.parametrize("shape", SHAPES)
def test_wasserstein_generator_loss(sess, shape):
    d_fake = logits(shape, 6)
    got = sess.run(losses.wasserstein_generator_loss(tf.constant(d_fake)))
    np.testing.assert_allclose(got, -d_fake.astype(np.float64).mean(), rtol=RTOL, atol=1e-6)


def test_losses_with_different_batch_sizes_and_placeholders(sess):
    d_real_ph = tf.placeholder(tf.float32, [None, 1])
    d_fake_ph = tf.placeholder(tf.float32, [None, 1])
    loss_d = losses.discriminator_loss(d_real_ph, d_fake_ph)
    critic = losses.wasserstein_critic_loss(d_real_ph, d_fake_ph)
    d_real, d_fake = logits((7, 1), 7), logits((3, 1), 8)
    got_d, got_c = sess.run([loss_d, critic], {d_real_ph: d_real, d_fake_ph: d_fake})
    np.testing.assert_allclose(got_d, softplus(-d_real).mean() + softplus(d_fake).mean(), rtol=RTOL)
    np.testing.assert_allclose(
        got_c,
        d_fake.astype(np.float64).mean() - d_real.astype(np.float64).mean(),
        rtol=RTOL,
        atol=1e-6,
    )


def test_extreme_logits_are_stable(sess):
    d = tf.constant([[-200.0], [200.0], [0.0]])
    values = sess.run(
        [
            losses.discriminator_loss(d, d),
            losses.non_saturating_generator_loss(d),
            losses.minimax_generator_loss(d),
        ]
    )
    assert np.all(np.isfinite(values))
    expected = softplus([200.0, -200.0, 0.0]).mean() + softplus([-200.0, 200.0, 0.0]).mean()
    np.testing.assert_allclose(values[0], expected, rtol=RTOL)
    np.testing.assert_allclose(values[1], softplus([200.0, -200.0, 0.0]).mean(), rtol=RTOL)


def test_float64_logits(sess):
    d_real = np.random.default_rng(9).normal(size=(10, 1))
    d_fake = np.random.default_rng(10).normal(size=(10, 1))
    loss = losses.discriminator_loss(tf.constant(d_real), tf.constant(d_fake))
    assert loss.dtype == tf.float64
    np.testing.assert_allclose(
        sess.run(loss), softplus(-d_real).mean() + softplus(d_fake).mean(), rtol=1e-12
    )


# --- the value function ---------------------------------------------------------


@pytest.mark.parametrize("shape", [(M, 1), (M,)])
def test_discriminator_loss_at_the_optimum_is_2_log_2(sess, shape):
    zeros = tf.zeros(shape)  # logits 0 <=> D = 1/2
    got = sess.run(losses.discriminator_loss(zeros, zeros))
    assert abs(got - 2.0 * np.log(2.0)) < 1e-6
    assert abs(sess.run(losses.non_saturating_generator_loss(zeros)) - np.log(2.0)) < 1e-6
    assert abs(sess.run(losses.minimax_generator_loss(zeros)) + np.log(2.0)) < 1e-6


# --- gradient penalty -------------------------------------------------------------


def penalty_reference(g):
    g = np.asarray(g, np.float64).reshape(len(g), -1)
    return np.mean((np.sqrt(np.sum(g**2, axis=1) + 1e-12) - 1.0) ** 2)


@pytest.mark.parametrize("shape", [(M, 3), (M, 2, 2), (4, 28, 28, 1), (1, 5)])
def test_gradient_penalty(sess, shape):
    g = np.random.default_rng(11).normal(scale=0.7, size=shape).astype(np.float32)
    got = sess.run(losses.gradient_penalty(tf.constant(g)))
    assert np.shape(got) == ()
    np.testing.assert_allclose(got, penalty_reference(g), rtol=RTOL)


@pytest.mark.parametrize("target", [0.0, 0.5, 2.0])
def test_gradient_penalty_target(sess, target):
    g = np.random.default_rng(15).normal(scale=0.7, size=(M, 2, 3)).astype(np.float64)
    norms = np.sqrt(np.sum(g**2, axis=(1, 2)))
    got = sess.run(losses.gradient_penalty(tf.constant(g), target=target))
    np.testing.assert_allclose(got, np.mean((norms - target) ** 2), rtol=RTOL)


def test_zero_centred_penalty_gradient_is_twice_the_gradient(sess):
    """d/dg mean_i ||g_i||^2 = 2 g / n: finite and exact at g = 0 too."""
    g0 = np.random.default_rng(16).normal(size=(M, 3))
    g0[0] = 0.0
    g = tf.constant(g0)
    (grad,) = tf.gradients(losses.gradient_penalty(g, target=0.0), [g])
    np.testing.assert_allclose(sess.run(grad), 2.0 * g0 / M, rtol=1e-12)


def test_gradient_penalty_is_zero_for_unit_norms(sess):
    g = np.random.default_rng(12).normal(size=(10, 3))
    g /= np.linalg.norm(g, axis=1, keepdims=True)
    assert sess.run(losses.gradient_penalty(tf.constant(g))) < 1e-12


def test_gradient_penalty_with_unknown_batch_size(sess):
    ph = tf.placeholder(tf.float32, [None, 2, 2])
    g = np.random.default_rng(13).normal(size=(6, 2, 2)).astype(np.float32)
    np.testing.assert_allclose(
        sess.run(losses.gradient_penalty(ph), {ph: g}), penalty_reference(g), rtol=RTOL
    )


def test_gradient_penalty_gradient_is_finite_at_zero_gradients(sess):
    g = tf.placeholder(tf.float32, [M, 3])
    penalty = losses.gradient_penalty(g)
    (grad,) = tf.gradients(penalty, [g])
    value, grad_value = sess.run([penalty, grad], {g: np.zeros((M, 3), np.float32)})
    np.testing.assert_allclose(value, (1e-6 - 1.0) ** 2, rtol=1e-6)
    assert np.all(np.isfinite(grad_value))
    np.testing.assert_array_equal(grad_value, np.zeros((M, 3)))


def test_gradient_penalty_through_a_dead_relu_critic(sess):
    """WGAN-GP with a critic whose input gradient is exactly zero stays finite."""
    x_hat = tf.placeholder(tf.float32, [8, 3])
    w = tf.Variable(-np.ones((3, 1), np.float32))
    critic = tf.nn.relu(tf.matmul(x_hat, w))  # all inputs positive -> dead ReLU
    (gradients,) = tf.gradients(critic, [x_hat])
    penalty = losses.gradient_penalty(gradients)
    (grad_w,) = tf.gradients(penalty, [w])
    tf.global_variables_initializer().run()
    feed = {x_hat: np.ones((8, 3), np.float32)}
    g, p, gw = sess.run([gradients, penalty, grad_w], feed)
    np.testing.assert_array_equal(g, np.zeros((8, 3)))
    assert np.isfinite(p) and np.all(np.isfinite(gw))


def test_gradient_penalty_gradient_matches_numpy(sess):
    g0 = np.random.default_rng(14).normal(size=(5, 3))
    g = tf.constant(g0)
    (grad,) = tf.gradients(losses.gradient_penalty(g), [g])
    norms = np.sqrt(np.sum(g0**2, axis=1, keepdims=True) + 1e-12)
    want = 2.0 * (norms - 1.0) * g0 / norms / len(g0)
    np.testing.assert_allclose(sess.run(grad), want, rtol=1e-10)


def test_losses_are_differentiable(sess):
    d_real = tf.constant(logits((M, 1), 15))
    d_fake = tf.constant(logits((M, 1), 16))
    for loss, inputs in [
        (losses.discriminator_loss(d_real, d_fake), [d_real, d_fake]),
        (losses.non_saturating_generator_loss(d_fake), [d_fake]),
        (losses.minimax_generator_loss(d_fake), [d_fake]),
        (losses.wasserstein_critic_loss(d_real, d_fake), [d_real, d_fake]),
        (losses.wasserstein_generator_loss(d_fake), [d_fake]),
    ]:
        grads = tf.gradients(loss, inputs)
        assert all(grad is not None for grad in grads)
        assert all(np.all(np.isfinite(v)) for v in sess.run(grads))
    # d/dd of mean(softplus(-d)) is -sigmoid(-d)/M = -1/((1 + e^d) M)
    d = logits((M, 1), 16).astype(np.float64)
    (grad,) = tf.gradients(losses.non_saturating_generator_loss(d_fake), [d_fake])
    np.testing.assert_allclose(sess.run(grad), -1.0 / (1.0 + np.exp(d)) / M, rtol=1e-5, atol=1e-9)


def test_module_exports():
    assert set(losses.__all__) == {
        "discriminator_loss",
        "non_saturating_generator_loss",
        "minimax_generator_loss",
        "wasserstein_critic_loss",
        "wasserstein_generator_loss",
        "gradient_penalty",
        "least_squares_discriminator_loss",
        "least_squares_generator_loss",
        "hinge_discriminator_loss",
        "hinge_generator_loss",
        "feature_matching_loss",
        "mutual_information_loss",
        "GAN_LOSSES",
    }
    assert set(losses.GAN_LOSSES) == {"non_saturating", "minimax", "least_squares", "hinge"}


@pytest.mark.parametrize("shape", SHAPES)
def test_least_squares_losses(sess, shape):
    d_real, d_fake = logits(shape, 2), logits(shape, 3)
    got_d, got_g = sess.run(
        [
            losses.least_squares_discriminator_loss(tf.constant(d_real), tf.constant(d_fake)),
            losses.least_squares_generator_loss(tf.constant(d_fake)),
        ]
    )
    real, fake = d_real.astype(np.float64), d_fake.astype(np.float64)
    np.testing.assert_allclose(
        got_d, 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake**2).mean(), rtol=RTOL
    )
    np.testing.assert_allclose(got_g, 0.5 * ((fake - 1) ** 2).mean(), rtol=RTOL)


@pytest.mark.parametrize("shape", SHAPES)
def test_hinge_losses(sess, shape):
    d_real, d_fake = logits(shape, 4), logits(shape, 5)
    got_d, got_g = sess.run(
        [
            losses.hinge_discriminator_loss(tf.constant(d_real), tf.constant(d_fake)),
            losses.hinge_generator_loss(tf.constant(d_fake)),
        ]
    )
    real, fake = d_real.astype(np.float64), d_fake.astype(np.float64)
    np.testing.assert_allclose(
        got_d, np.maximum(0, 1 - real).mean() + np.maximum(0, 1 + fake).mean(), rtol=RTOL
    )
    np.testing.assert_allclose(got_g, -fake.mean(), rtol=RTOL)


def test_gradient_penalty_over_several_inputs(sess):
    image = logits((M, 3), 6)
    label = logits((M, 2), 7)
    norms = np.sqrt(
        (image.astype(np.float64) ** 2).sum(1) + (label.astype(np.float64) ** 2).sum(1) + 1e-12
    )
    got = sess.run(losses.gradient_penalty([tf.constant(image), tf.constant(label)]))
    np.testing.assert_allclose(got, ((norms - 1) ** 2).mean(), rtol=RTOL)


def test_gradient_penalty_takes_numpy_and_unknown_rank():
    gradients = np.array([[3.0, 4.0], [0.0, 1.0]], np.float32)
    expected = np.mean((np.sqrt((gradients**2).sum(1) + 1e-12) - 1.0) ** 2)
    unknown = tf.placeholder(tf.float32, None)
    sess = gan_infer.get_session()
    assert sess.run(losses.gradient_penalty(gradients)) == pytest.approx(expected, rel=1e-6)
    assert sess.run(losses.gradient_penalty(unknown), {unknown: gradients}) == pytest.approx(
        expected, rel=1e-6
    )


@pytest.mark.parametrize("shape", [(M, 5), (M, 3, 4, 2), (1, 7)])
def test_feature_matching_loss(sess, shape):
    rng = np.random.default_rng(4)
    real = rng.normal(size=shape).astype(np.float32)
    fake = rng.normal(0.3, 2.0, size=(2 * shape[0],) + shape[1:]).astype(np.float32)
    got = sess.run(losses.feature_matching_loss(tf.constant(real), tf.constant(fake)))
    mean_difference = real.reshape(shape[0], -1).astype(np.float64).mean(0) - fake.reshape(
        2 * shape[0], -1
    ).astype(np.float64).mean(0)
    assert np.shape(got) == ()
    np.testing.assert_allclose(got, np.sum(mean_difference**2), rtol=RTOL)


def test_feature_matching_loss_sees_batch_means_only(sess):
    """Two batches with the same feature means match, however different
    their examples: the term compares batches, not pairs of examples."""
    real = np.array([[0.0, 2.0], [2.0, 0.0]], np.float32)
    fake = np.array([[1.0, 1.0], [1.0, 1.0], [1.0, 1.0]], np.float32)
    assert sess.run(losses.feature_matching_loss(real, fake)) == 0.0
    assert sess.run(
        losses.feature_matching_loss(real, fake + np.float32([0.5, 0.0]))
    ) == pytest.approx(0.25)


def test_mutual_information_loss(sess):
    rng = np.random.default_rng(5)
    code = rng.integers(0, 4, M)
    code_logits = rng.normal(size=(M, 4)).astype(np.float32)
    got = sess.run(losses.mutual_information_loss(tf.constant(code), tf.constant(code_logits)))
    log_q = code_logits - np.logaddexp.reduce(code_logits.astype(np.float64), axis=1, keepdims=True)
    np.testing.assert_allclose(got, -log_q[np.arange(M), code].mean(), rtol=RTOL)
