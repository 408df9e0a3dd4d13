"""GANInference's loss choice, k-step schedule, pre-training, conditional data."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer import layers
from gan_infer.models import Categorical, Normal

M = 12


def discriminator(x):
    return layers.dense(layers.dense(x, 8, activation=tf.nn.relu), 1)


def model():
    with tf.variable_scope("Gen"):
        theta = tf.get_variable("theta", [], initializer=tf.zeros_initializer())
        x = Normal(theta, 0.1, sample_shape=[M, 1])
    return theta, x


def steps(name):
    (step,) = [v for v in tf.global_variables() if v.op.name == name]
    return ed.get_session().run(step)


def build(**initialize_kwargs):
    theta, x = model()
    x_ph = tf.placeholder(tf.float32, [M, 1])
    inference = ed.GANInference(data={x: x_ph}, discriminator=discriminator)
    inference.initialize(
        optimizer=tf.train.AdamOptimizer(0.01),
        global_step=tf.Variable(0, name="g_step"),
        optimizer_d=tf.train.AdamOptimizer(0.01),
        global_step_d=tf.Variable(0, name="d_step"),
        n_print=0,
        **initialize_kwargs,
    )
    ed.get_session().run(tf.global_variables_initializer())
    return inference, x_ph, x, theta


def batches():
    rng = np.random.default_rng(0)
    while True:
        yield rng.normal(4.0, 0.1, size=[M, 1]).astype(np.float32)


def test_k_discriminator_steps_per_generator_step_with_fresh_batches():
    inference, x_ph, _, _ = build(disc_steps=3)
    data, fed = batches(), []

    def feed():
        fed.append(next(data))
        return {x_ph: fed[-1]}

    infos = [inference.iterate(feed) for _ in range(4)]
    assert [info["t"] for info in infos] == [1, 2, 3, 4]
    assert steps("d_step") == 12 and steps("g_step") == 4
    assert len(fed) == 16 and not np.array_equal(fed[0], fed[1])
    assert all(info["loss"] > 0 and info["loss_d"] > 0 for info in infos)


def test_pretraining_runs_once_before_the_first_iteration():
    inference, x_ph, _, _ = build(disc_steps=1, pretrain_steps=5)
    data = batches()
    inference.iterate(lambda: {x_ph: next(data)})
    assert steps("d_step") == 6 and steps("g_step") == 1
    inference.iterate(lambda: {x_ph: next(data)})
    assert steps("d_step") == 7 and steps("g_step") == 2


def test_default_schedule_is_one_simultaneous_update():
    inference, x_ph, _, _ = build()
    data = batches()
    info = inference.iterate(lambda: {x_ph: next(data)})
    assert info["t"] == 1 and steps("d_step") == 1 and steps("g_step") == 1


def test_update_keeps_counting_every_call_alongside_a_schedule():
    inference, x_ph, _, _ = build(disc_steps=2)
    data = batches()
    assert inference.update({x_ph: next(data)}, variables="Disc")["t"] == 1
    assert inference.iterate(lambda: {x_ph: next(data)})["t"] == 2


def test_run_follows_the_schedule():
    theta, x = model()
    x_data = np.full([M, 1], 4.0, np.float32)
    inference = ed.GANInference(data={x: x_data}, discriminator=discriminator)
    inference.run(
        n_iter=6,
        n_print=0,
        disc_steps=2,
        pretrain_steps=3,
        global_step_d=tf.Variable(0, name="d_step"),
    )
    assert ed.get_session().run(inference.t) == 6
    assert steps("d_step") == 3 + 12


@pytest.mark.parametrize(
    "loss, reference",
    [
        (
            "minimax",
            lambda real, fake: (
                -np.logaddexp(0, fake).mean(),
                np.logaddexp(0, -real).mean() + np.logaddexp(0, fake).mean(),
            ),
        ),
        (
            "least_squares",
            lambda real, fake: (
                0.5 * ((fake - 1) ** 2).mean(),
                0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake**2).mean(),
            ),
        ),
        (
            "hinge",
            lambda real, fake: (
                -fake.mean(),
                np.maximum(0, 1 - real).mean() + np.maximum(0, 1 + fake).mean(),
            ),
        ),
    ],
)
def test_losses_by_name(loss, reference):
    inference, x_ph, x, _ = build(loss=loss)
    assert inference.options.loss == loss
    sess = ed.get_session()
    real, fake = next(batches()), np.full([M, 1], 1.5, np.float32)
    feed = {x_ph: real, x: fake}
    d_real, d_fake, got_loss, got_loss_d = sess.run(
        [inference.d_true, inference.d_fake, inference.loss, inference.loss_d], feed
    )
    want_loss, want_loss_d = reference(d_real.astype(np.float64), d_fake.astype(np.float64))
    assert got_loss == pytest.approx(want_loss, rel=1e-5, abs=1e-6)
    assert got_loss_d == pytest.approx(want_loss_d, rel=1e-5, abs=1e-6)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"loss": "wasserstein"}, "WGANInference"),
        ({"loss": "bce"}, "Unknown loss"),
        ({"disc_steps": 0}, "disc_steps"),
        ({"pretrain_steps": -1}, "pretrain_steps"),
    ],
)
def test_bad_schedule_and_loss_arguments(kwargs, message):
    _, x = model()
    inference = ed.GANInference(
        data={x: tf.placeholder(tf.float32, [M, 1])}, discriminator=discriminator
    )
    with pytest.raises(ValueError, match=message):
        inference.initialize(**kwargs)


def test_wgan_refuses_another_loss():
    _, x = model()
    inference = ed.WGANInference(
        data={x: tf.placeholder(tf.float32, [M, 1])}, discriminator=discriminator
    )
    with pytest.raises(ValueError, match="Wasserstein"):
        inference.initialize(loss="hinge")


# ------------------------------------------------------------- conditional
def conditional_model(batch):
    """y ~ Categorical(1/2, 1/2); x | y ~ N(mean_y, 0.1): fit the two means."""
    with tf.variable_scope("Gen"):
        means = tf.get_variable("means", [2], initializer=tf.zeros_initializer())
        y = Categorical(logits=tf.zeros([batch, 2]))
        x = Normal(tf.gather(means, y)[:, None], 0.1)
    return means, x, y


def joint_discriminator(x, y):
    inputs = tf.concat([x, tf.one_hot(y, 2)], axis=1)
    return layers.dense(layers.dense(inputs, 16, activation=tf.nn.relu), 1)


def test_conditional_gan_learns_each_class():
    ed.set_seed(3)
    batch = 64
    means, x, y = conditional_model(batch)
    x_ph, y_ph = tf.placeholder(tf.float32, [batch, 1]), tf.placeholder(tf.int32, [batch])
    inference = ed.GANInference(data={x: x_ph, y: y_ph}, discriminator=joint_discriminator)
    inference.initialize(
        optimizer=tf.train.AdamOptimizer(0.02, beta1=0.5),
        optimizer_d=tf.train.AdamOptimizer(0.02, beta1=0.5),
        n_print=0,
    )
    tf.global_variables_initializer().run()
    rng = np.random.default_rng(3)
    path = []
    for _ in range(1500):
        labels = rng.integers(0, 2, size=batch)
        values = np.where(labels == 0, -2.0, 3.0) + 0.1 * rng.normal(size=batch)
        inference.update({x_ph: values[:, None].astype(np.float32), y_ph: labels.astype(np.int32)})
        path.append(ed.get_session().run(means))
    fitted = np.mean(path[-300:], axis=0)
    np.testing.assert_allclose(fitted, [-2.0, 3.0], atol=0.4)
    # Asking for a class: feed the label random variable.
    sevens = ed.get_session().run(x, {y: np.ones(batch, np.int32)})
    assert abs(sevens.mean() - 3.0) < 0.5


def test_conditional_discriminator_arity_is_checked():
    means, x, y = conditional_model(8)
    with pytest.raises(ValueError, match="called with 2 tensors"):
        ed.GANInference(
            data={x: tf.placeholder(tf.float32, [8, 1]), y: tf.placeholder(tf.int32, [8])},
            discriminator=discriminator,
        )


def test_conditional_wgan_penalty_mixes_only_float_inputs():
    means, x, y = conditional_model(8)
    x_ph, y_ph = tf.placeholder(tf.float32, [8, 1]), tf.placeholder(tf.int32, [8])
    inference = ed.WGANInference(data={x: x_ph, y: y_ph}, discriminator=joint_discriminator)
    inference.initialize(n_print=0)
    tf.global_variables_initializer().run()
    info = inference.update({x_ph: np.ones([8, 1], np.float32), y_ph: np.zeros(8, np.int32)})
    assert np.isfinite(info["loss_d"])


# -------------------------------------------------------- feature matching
def discriminator_with_features(x):
    """Logits and, as the features to match, the input itself and its square:
    the term then matches the first two moments of the samples."""
    features = tf.concat([x, tf.square(x)], axis=1)
    return layers.dense(layers.dense(x, 8, activation=tf.nn.relu), 1), features


@pytest.mark.parametrize("loss", ["non_saturating", "hinge"])
def test_feature_matching_adds_its_term_to_the_generator_loss_only(loss):
    weight = 0.7
    theta, x = model()
    x_ph = tf.placeholder(tf.float32, [M, 1])
    inference = ed.GANInference(data={x: x_ph}, discriminator=discriminator_with_features)
    inference.initialize(loss=loss, feature_matching=weight, n_print=0)
    tf.global_variables_initializer().run()
    real, fake = next(batches()), np.linspace(-1.0, 2.0, M, dtype=np.float32)[:, None]
    got = ed.get_session().run(
        {
            "loss": inference.loss,
            "loss_d": inference.loss_d,
            "d_real": inference.d_true,
            "d_fake": inference.d_fake,
            "grad": tf.gradients(inference.loss, theta)[0],
        },
        {x_ph: real, x: fake},
    )
    discriminator_loss, generator_loss = ed.inferences.losses.GAN_LOSSES[loss]
    plain = ed.get_session().run(
        [generator_loss(got["d_fake"]), discriminator_loss(got["d_real"], got["d_fake"])]
    )
    mean_gap = np.array([real.mean() - fake.mean(), (real**2).mean() - (fake**2).mean()])
    assert got["loss"] == pytest.approx(plain[0] + weight * np.sum(mean_gap**2), rel=1e-5)
    assert got["loss_d"] == pytest.approx(plain[1], rel=1e-6)
    assert inference.features_true.shape.as_list() == [M, 2]


def test_feature_matching_gradient_moves_the_generator_towards_the_data_moments():
    """With features (x, x^2), the term's gradient in the mean theta of
    x = theta + noise is -2 (E x_data - E x) - 4 E[x] (E x_data^2 - E x^2)."""
    theta, x = model()
    x_ph = tf.placeholder(tf.float32, [M, 1])
    inference = ed.GANInference(data={x: x_ph}, discriminator=discriminator_with_features)
    inference.initialize(feature_matching=2.0, n_print=0)
    tf.global_variables_initializer().run()
    real = next(batches())
    feed = {x_ph: real}
    (matching,) = [
        t
        for t in tf.get_default_graph().get_operations()
        if t.name.endswith("feature_matching_loss/Sum")
    ]
    grad, fake = ed.get_session().run([tf.gradients(matching.outputs[0], theta)[0], x], feed)
    gap1, gap2 = real.mean() - fake.mean(), (real**2).mean() - (fake**2).mean()
    assert grad == pytest.approx(-2 * gap1 - 4 * fake.mean() * gap2, rel=1e-4)


def test_feature_matching_fits_the_mean_and_spread():
    """x = theta + sigma * eps against N(1, 0.5): matching the moments
    (x, x^2) of the batch, weighted well above the adversarial term, gives
    the data's mean and spread (a term with the wrong sign or the wrong
    moments would drive them elsewhere)."""
    with tf.variable_scope("Gen"):
        theta = tf.get_variable("theta", [], initializer=tf.zeros_initializer())
        sigma = tf.get_variable("sigma", [], initializer=tf.ones_initializer())
        x = theta + sigma * Normal(tf.zeros([64, 1]), 1.0)
    x_ph = tf.placeholder(tf.float32, [64, 1])
    inference = ed.GANInference(data={x: x_ph}, discriminator=discriminator_with_features)
    inference.initialize(optimizer=tf.train.AdamOptimizer(0.02), feature_matching=100.0, n_print=0)
    tf.global_variables_initializer().run()
    rng = np.random.default_rng(1)
    for _ in range(200):
        inference.update({x_ph: rng.normal(1.0, 0.5, [64, 1]).astype(np.float32)})
    fitted_theta, fitted_sigma = ed.get_session().run([theta, abs(sigma)])
    assert fitted_theta == pytest.approx(1.0, abs=0.15)
    assert fitted_sigma == pytest.approx(0.5, abs=0.15)


def test_a_discriminator_may_return_features_without_feature_matching():
    _, x = model()
    x_ph = tf.placeholder(tf.float32, [M, 1])
    inference = ed.GANInference(data={x: x_ph}, discriminator=discriminator_with_features)
    inference.initialize(n_print=0)
    tf.global_variables_initializer().run()
    fake = np.ones([M, 1], np.float32)
    loss, d_fake = ed.get_session().run(
        [inference.loss, inference.d_fake], {x_ph: next(batches()), x: fake}
    )
    assert loss == pytest.approx(np.logaddexp(0, -d_fake).mean(), rel=1e-5)


def test_feature_matching_with_a_wgan_gradient_penalty():
    """The penalty calls the critic once more; its features are ignored."""
    _, x = model()
    x_ph = tf.placeholder(tf.float32, [M, 1])
    inference = ed.WGANInference(data={x: x_ph}, discriminator=discriminator_with_features)
    inference.initialize(penalty=10.0, feature_matching=1.0, n_print=0)
    tf.global_variables_initializer().run()
    info = inference.update({x_ph: next(batches())})
    assert np.isfinite(info["loss"]) and np.isfinite(info["loss_d"])
