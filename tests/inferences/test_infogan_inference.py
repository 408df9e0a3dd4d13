"""InfoGANInference: the mutual-information term in both losses, its
variable routing, and a code that comes to pick the mode it draws."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer import layers
from gan_infer.models import Categorical, Normal, Uniform

M, K = 16, 2
SEED = 0


def model():
    """x = position[c] + 0.1 eps: each code value draws around its own point."""
    with tf.variable_scope("Gen"):
        position = tf.get_variable(
            "position", [K], initializer=tf.constant_initializer([0.1, -0.1])
        )
        c = Categorical(logits=tf.zeros([M, K]))
        x = tf.gather(position, c)[:, None] + 0.1 * Normal(tf.zeros([M, 1]), 1.0)
    return position, c, x


def discriminator(x):
    h = layers.dense(x, 16, activation=tf.nn.relu)
    return layers.dense(h, 1), layers.dense(h, K)


def build(**initialize_kwargs):
    position, c, x = model()
    x_ph = tf.placeholder(tf.float32, [M, 1])
    inference = ed.InfoGANInference(data={x: x_ph}, discriminator=discriminator, code=c)
    inference.initialize(
        optimizer=tf.train.AdamOptimizer(0.02),
        optimizer_d=tf.train.AdamOptimizer(0.02),
        n_print=0,
        **initialize_kwargs,
    )
    tf.global_variables_initializer().run()
    return inference, x_ph, position, c, x


def softplus(a):
    return np.logaddexp(0.0, a.astype(np.float64))


def test_both_losses_carry_the_weighted_mutual_information_term():
    inference, x_ph, _, c, x = build(info_weight=0.5)
    real = np.linspace(-2.0, 2.0, M, dtype=np.float32)[:, None]
    code = np.arange(M) % K
    got = ed.get_session().run(
        {
            "loss": inference.loss,
            "loss_d": inference.loss_d,
            "d_real": inference.d_true,
            "d_fake": inference.d_fake,
            "q": inference.code_logits,
        },
        {x_ph: real, c: code},
    )
    log_q = got["q"] - np.logaddexp.reduce(got["q"].astype(np.float64), axis=1, keepdims=True)
    info = -log_q[np.arange(M), code].mean()
    assert got["loss"] == pytest.approx(softplus(-got["d_fake"]).mean() + 0.5 * info, rel=1e-5)
    assert got["loss_d"] == pytest.approx(
        softplus(-got["d_real"]).mean() + softplus(got["d_fake"]).mean() + 0.5 * info, rel=1e-5
    )


def test_q_head_trains_with_the_discriminator_and_the_term_reaches_the_generator():
    inference, x_ph, position, c, _ = build()
    disc_vars = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope="Disc/")
    assert len(disc_vars) == 6  # hidden layer, real-fake logit and Q head: kernel + bias each
    (grad,) = tf.gradients(inference.loss_info, [position])
    grad = tf.convert_to_tensor(grad)  # a gather's gradient comes as IndexedSlices
    q_kernel = [v for v in disc_vars if v.shape.as_list() == [16, K]]
    (grad_q,) = tf.gradients(inference.loss_d, q_kernel)
    feed = {x_ph: np.zeros([M, 1], np.float32), c: np.arange(M) % K}
    grad, grad_q = ed.get_session().run([grad, grad_q], feed)
    assert np.abs(grad).sum() > 0 and np.abs(grad_q).sum() > 0
    before = ed.get_session().run(q_kernel[0])
    inference.update(feed, variables="Gen")
    assert np.array_equal(ed.get_session().run(q_kernel[0]), before)
    inference.update(feed, variables="Disc")
    assert not np.array_equal(ed.get_session().run(q_kernel[0]), before)


@pytest.mark.parametrize("info_weight", [1e-6, 1.0])
def test_the_term_makes_each_code_value_draw_its_own_half(info_weight):
    """Data: Uniform(-2, 2). x = t_c + w u, u ~ Uniform(-1, 1), starts at a
    plain GAN's optimum, t_0 = t_1 = 0 and w = 2, where c plays no part. The
    mutual-information term can only be lowered by telling the codes apart:
    it moves t_0 and t_1 to -1 and +1 (each code draws one half, w -> 1),
    while the union stays the data's. Without it they stay together."""
    ed.set_seed(SEED)
    with tf.variable_scope("Gen"):
        position = tf.get_variable(
            "position", [K], initializer=tf.constant_initializer([0.01, -0.01])
        )
        width = tf.get_variable("width", [], initializer=tf.constant_initializer(2.0))
        c = Categorical(logits=tf.zeros([64, K]))
        x = tf.gather(position, c)[:, None] + width * Uniform(-tf.ones([64, 1]), 1.0)
    x_ph = tf.placeholder(tf.float32, [64, 1])
    inference = ed.InfoGANInference(data={x: x_ph}, discriminator=discriminator, code=c)
    inference.initialize(
        optimizer=tf.train.AdamOptimizer(0.01),
        optimizer_d=tf.train.AdamOptimizer(0.01),
        info_weight=info_weight,
        n_print=0,
    )
    tf.global_variables_initializer().run()
    rng = np.random.default_rng(0)
    for _ in range(600):
        inference.update({x_ph: rng.uniform(-2.0, 2.0, [64, 1]).astype(np.float32)})
    fitted_position, fitted_width = ed.get_session().run([position, width])
    gap = abs(fitted_position[0] - fitted_position[1])
    if info_weight == 1.0:
        assert gap == pytest.approx(2.0, abs=0.4) and abs(fitted_width) == pytest.approx(
            1.0, abs=0.3
        )
    else:
        assert gap < 0.5
