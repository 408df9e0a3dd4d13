"""Convolutional layers and batch normalisation against numpy, and the
routing of batch-norm updates into the train steps."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer import layers
from gan_infer.models import Normal


def var(name):
    """The variable called `name` (resource variables fetch as handles by name)."""
    (variable,) = [v for v in tf.global_variables() if v.op.name == name]
    return variable


def run(tensors, feed=None):
    sess = ed.get_session()
    sess.run(tf.global_variables_initializer())
    return sess.run(tensors, feed)


def numpy_conv2d_same_stride1(x, kernel):
    kh, kw, _, _ = kernel.shape
    padded = np.pad(x, [(0, 0), (kh // 2, kh // 2), (kw // 2, kw // 2), (0, 0)])
    out = np.zeros(x.shape[:3] + (kernel.shape[3],))
    for i in range(x.shape[1]):
        for j in range(x.shape[2]):
            patch = padded[:, i : i + kh, j : j + kw, :]
            out[:, i, j, :] = np.tensordot(patch, kernel, axes=([1, 2, 3], [0, 1, 2]))
    return out


def test_conv2d_matches_numpy_and_shapes():
    x = np.random.default_rng(0).normal(size=(2, 5, 5, 3)).astype(np.float32)
    y = layers.conv2d(tf.constant(x), 4, 3, activation=tf.nn.relu)
    strided = layers.conv2d(tf.constant(x), 2, 3, strides=2)
    valid = layers.conv2d(tf.constant(x), 2, 3, padding="valid")
    kernel = var("conv2d/kernel")
    out, k, s, v = run([y, kernel, strided, valid])
    np.testing.assert_allclose(out, np.maximum(numpy_conv2d_same_stride1(x, k), 0), atol=1e-5)
    assert s.shape == (2, 3, 3, 2) and v.shape == (2, 3, 3, 2)
    assert sorted(v.op.name for v in tf.trainable_variables()) == [
        "conv2d/bias",
        "conv2d/kernel",
        "conv2d_1/bias",
        "conv2d_1/kernel",
        "conv2d_2/bias",
        "conv2d_2/kernel",
    ]


def test_conv2d_transpose_is_the_gradient_of_conv2d():
    """conv2d_transpose(y, W) = d/dx <conv2d(x, W), y>, which pins it down exactly."""
    rng = np.random.default_rng(1)
    x = tf.constant(rng.normal(size=(2, 4, 4, 3)).astype(np.float32))
    y = tf.constant(rng.normal(size=(2, 8, 8, 5)).astype(np.float32))
    up = layers.conv2d_transpose(y, 3, 3, strides=2, use_bias=False)  # 8x8x5 -> 16x16x3
    assert up.shape.as_list() == [2, 16, 16, 3]
    kernel = var("conv2d_transpose/kernel")
    x16 = tf.constant(rng.normal(size=(2, 16, 16, 3)).astype(np.float32))
    conv = tf.nn.conv2d(x16, kernel, strides=[1, 2, 2, 1], padding="SAME")
    adjoint = tf.gradients(tf.reduce_sum(conv * y), x16)[0]
    out, expected = run([up, adjoint])
    np.testing.assert_allclose(out, expected, atol=1e-4)
    valid = layers.conv2d_transpose(x, 2, 3, strides=2, padding="valid")
    assert valid.shape.as_list() == [2, 9, 9, 2]


@pytest.mark.parametrize(
    "bad", [dict(kernel_size=0), dict(strides=(1, 2, 3)), dict(padding="full")]
)
def test_conv_bad_arguments(bad):
    arguments = dict(filters=2, kernel_size=3)
    arguments.update(bad)
    with pytest.raises(ValueError):
        layers.conv2d(tf.zeros([1, 4, 4, 1]), **arguments)


def test_conv_needs_images():
    with pytest.raises(ValueError, match="NHWC"):
        layers.conv2d(tf.zeros([4, 16]), 2, 3)


def test_batch_norm_training_and_moving_averages():
    x = np.random.default_rng(2).normal(3.0, 2.0, size=(64, 4)).astype(np.float32)
    x_ph = tf.placeholder(tf.float32, [64, 4])
    train_out = layers.batch_norm(x_ph, training=True, momentum=0.9, epsilon=1e-3)
    test_out = layers.batch_norm(x_ph, training=False, name="batch_norm", reuse=True)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 2
    sess = ed.get_session()
    sess.run(tf.global_variables_initializer())
    out = sess.run(train_out, {x_ph: x})
    np.testing.assert_allclose(out, (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3), atol=1e-4)
    sess.run(updates, {x_ph: x})
    moving_mean, moving_var = sess.run(
        [var("batch_norm/moving_mean"), var("batch_norm/moving_variance")]
    )
    np.testing.assert_allclose(moving_mean, 0.1 * x.mean(0), rtol=1e-4)
    np.testing.assert_allclose(moving_var, 0.9 + 0.1 * x.var(0), rtol=1e-4)
    out = sess.run(test_out, {x_ph: x})
    np.testing.assert_allclose(out, (x - moving_mean) / np.sqrt(moving_var + 1e-3), atol=1e-4)
    assert {v.op.name for v in tf.trainable_variables()} == {"batch_norm/beta", "batch_norm/gamma"}


def test_batch_norm_with_a_training_switch():
    x = np.random.default_rng(3).normal(1.0, 1.0, size=(32, 2)).astype(np.float32)
    training = tf.placeholder(tf.bool, [])
    out = layers.batch_norm(tf.constant(x), training=training)
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    sess = ed.get_session()
    sess.run(tf.global_variables_initializer())
    evaluated = sess.run(out, {training: False})
    np.testing.assert_allclose(evaluated, x / np.sqrt(1 + 1e-3), atol=1e-5)
    sess.run(updates, {training: False})  # no move outside training
    np.testing.assert_allclose(sess.run(var("batch_norm/moving_mean")), 0.0)
    sess.run(updates, {training: True})
    np.testing.assert_allclose(sess.run(var("batch_norm/moving_mean")), 0.01 * x.mean(0), rtol=1e-4)


def test_batch_norm_updates_run_with_their_sides_train_step():
    M = 16
    x_ph = tf.placeholder(tf.float32, [M, 1])
    with tf.variable_scope("Gen"):
        theta = tf.get_variable("theta", [], initializer=tf.zeros_initializer())
        x = layers.batch_norm(Normal(theta, 1.0, sample_shape=[M, 1]) + 5.0, training=True)

    def discriminator(inputs):
        return layers.dense(layers.batch_norm(inputs, training=True), 1)

    inference = ed.GANInference(data={x: x_ph}, discriminator=discriminator)
    inference.initialize(n_print=0)
    sess = ed.get_session()
    sess.run(tf.global_variables_initializer())
    gen_mean, disc_mean = var("Gen/batch_norm/moving_mean"), var("Disc/batch_norm/moving_mean")
    batch = np.full([M, 1], 2.0, np.float32)
    inference.update({x_ph: batch}, variables="Disc")
    assert sess.run(gen_mean) == 0.0 and sess.run(disc_mean) != 0.0
    before = sess.run(disc_mean)
    inference.update({x_ph: batch}, variables="Gen")
    assert sess.run(gen_mean) != 0.0 and sess.run(disc_mean) == before


def test_leaky_relu_and_flatten():
    x = tf.constant(np.arange(-4, 4, dtype=np.float32).reshape(2, 2, 2))
    flat = layers.flatten(x)
    assert flat.shape.as_list() == [2, 4]
    out, leaky = run([flat, layers.leaky_relu(x, 0.1)])
    np.testing.assert_allclose(out, np.arange(-4, 4).reshape(2, 4))
    np.testing.assert_allclose(
        leaky.ravel(), np.where(np.arange(-4, 4) > 0, 1, 0.1) * np.arange(-4, 4)
    )


def numpy_minibatch_stddev(x, group_size):
    """Karras et al.'s feature: example i is in group i mod (batch / group_size)."""
    groups = x.reshape((group_size, -1) + x.shape[1:])
    spread = np.sqrt(groups.var(0) + 1e-8).reshape(groups.shape[1], -1).mean(1)
    feature = np.tile(spread, group_size).reshape((-1,) + (1,) * (x.ndim - 1))
    return np.concatenate([x, feature * np.ones(x.shape[:-1] + (1,))], -1)


@pytest.mark.parametrize(
    "shape, group_size", [((8, 3, 3, 2), 4), ((8, 3, 3, 2), None), ((6, 5), 2), ((6, 5), None)]
)
def test_minibatch_stddev_matches_numpy(shape, group_size):
    x = np.random.default_rng(1).normal(size=shape).astype(np.float32)
    x[1::2] *= 3.0  # groups with different spreads, so a wrong grouping shows
    y = layers.minibatch_stddev(tf.constant(x), group_size=group_size)
    assert y.shape.as_list() == list(shape[:-1]) + [shape[-1] + 1]
    np.testing.assert_allclose(
        run(y), numpy_minibatch_stddev(x, group_size or shape[0]), rtol=1e-5, atol=1e-6
    )


def test_minibatch_stddev_with_an_unknown_batch_and_its_gradient():
    x = tf.placeholder(tf.float32, [None, 3])
    y = layers.minibatch_stddev(x, group_size=2)
    assert y.shape.as_list() == [None, 4]
    (grad,) = tf.gradients(tf.reduce_sum(y[:, -1]), x)
    same = np.ones((4, 3), np.float32)  # zero spread: epsilon keeps the gradient finite
    out, g = run([y, grad], {x: same})
    np.testing.assert_allclose(out[:, -1], 1e-4, rtol=1e-3)
    assert np.all(np.isfinite(g))
    with pytest.raises(tf.errors.InvalidArgumentError, match="must divide the batch"):
        run(y, {x: np.ones((3, 3), np.float32)})


@pytest.mark.parametrize(
    "kwargs, inputs, message",
    [
        ({"group_size": 1}, np.ones((4, 3)), "group_size must be an int >= 2"),
        ({"group_size": True}, np.ones((4, 3)), "group_size must be an int >= 2"),
        ({"group_size": 3}, np.ones((4, 3)), "does not divide the batch of 4"),
        ({}, np.ones((4, 3, 2)), "needs \\[batch, features\\]"),
    ],
)
def test_minibatch_stddev_bad_arguments(kwargs, inputs, message):
    with pytest.raises(ValueError, match=message):
        layers.minibatch_stddev(tf.constant(inputs, tf.float32), **kwargs)


# --- spectral normalisation ------------------------------------------------


def spectral_scope():
    return tf.variable_scope(
        tf.get_variable_scope(),
        custom_getter=layers.spectral_norm_getter(),
        auxiliary_name_scope=False,
    )


def test_spectral_norm_converges_to_the_largest_singular_value():
    rng = np.random.default_rng(3)
    kernel = rng.normal(size=(3, 3, 2, 4)).astype(np.float32)
    x = tf.constant(rng.normal(size=(2, 5, 5, 2)).astype(np.float32))
    with spectral_scope():
        y = layers.conv2d(
            x, 4, 3, use_bias=False, kernel_initializer=tf.constant_initializer(kernel)
        )
    updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    assert len(updates) == 1
    # The companion vector is kept by checkpoints but never trained.
    assert [v.op.name for v in tf.global_variables()] == ["conv2d/kernel", "conv2d/kernel/sn_u"]
    assert [v.op.name for v in tf.trainable_variables()] == ["conv2d/kernel"]
    sess = ed.get_session()
    sess.run(tf.global_variables_initializer())
    for _ in range(50):  # the power iteration advances one step per update
        sess.run(updates)
    sigma = np.linalg.svd(kernel.reshape(-1, 4), compute_uv=False)[0]
    expected = numpy_conv2d_same_stride1(sess.run(x), kernel / sigma)
    np.testing.assert_allclose(sess.run(y), expected, rtol=1e-4, atol=1e-5)


def test_spectral_norm_leaves_biases_and_gradients_flow_to_the_kernel():
    x = tf.constant(np.eye(3, dtype=np.float32))
    with spectral_scope():
        y = layers.dense(x, 2, bias_initializer=tf.constant_initializer(5.0))
    assert [v.op.name for v in tf.global_variables()] == [
        "dense/kernel",
        "dense/kernel/sn_u",
        "dense/bias",
    ]  # no companion for the bias
    (grad,) = tf.gradients(tf.reduce_sum(y), [var("dense/kernel")])
    g = run(grad)
    assert np.all(np.isfinite(g)) and np.any(g != 0)


def test_spectral_norm_updates_run_with_the_discriminator_step():
    M = 8
    x_ph = tf.placeholder(tf.float32, [M, 2])
    with tf.variable_scope("Gen"):
        x = layers.dense(Normal(tf.zeros([M, 2]), 1.0), 2)

    def discriminator(inputs):
        with spectral_scope():
            return layers.dense(layers.dense(inputs, 4, activation=tf.nn.relu), 1)

    inference = ed.GANInference(data={x: x_ph}, discriminator=discriminator)
    inference.initialize(n_print=0)
    sess = ed.get_session()
    sess.run(tf.global_variables_initializer())
    u = var("Disc/dense/kernel/sn_u")
    assert "Disc/dense/kernel/sn_u" not in [v.op.name for v in tf.trainable_variables()]
    start = sess.run(u)
    inference.update({x_ph: np.ones([M, 2], np.float32)}, variables="Gen")
    np.testing.assert_array_equal(sess.run(u), start)
    inference.update({x_ph: np.ones([M, 2], np.float32)}, variables="Disc")
    assert not np.allclose(sess.run(u), start)


def spectral_gan_losses(seed, gradient_penalty):
    """Losses of 6 updates of a spectrally normalised GAN, in a graph of its own."""
    M = 8
    with tf.Graph().as_default():
        ed.set_seed(seed)
        x_ph = tf.placeholder(tf.float32, [M, 2])
        with tf.variable_scope("Gen"):
            x = layers.dense(Normal(tf.zeros([M, 2]), 1.0), 2)

        def discriminator(inputs):
            with spectral_scope():
                return layers.dense(layers.dense(inputs, 16, activation=tf.nn.relu), 1)

        inference = ed.GANInference(data={x: x_ph}, discriminator=discriminator)
        inference.initialize(n_print=0, gradient_penalty=gradient_penalty)
        ed.get_session().run(tf.global_variables_initializer())
        batch = np.random.default_rng(0).normal(size=[M, 2]).astype(np.float32)
        return [inference.update({x_ph: batch})["loss_d"] for _ in range(6)]


def test_spectral_norm_reads_u_once_per_step_so_runs_repeat():
    """D is called on data, on samples and at interpolates; every call uses
    the first call's normalised kernel, so one update of u per step and no
    read after it: two runs with one seed give the same losses."""
    first = spectral_gan_losses(3, gradient_penalty=1.0)
    assert first == spectral_gan_losses(3, gradient_penalty=1.0)
