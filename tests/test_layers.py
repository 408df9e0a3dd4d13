"""Tests for gan_infer.layers: dense, dropout and weight regularizers."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer
from gan_infer import layers
from gan_infer.models import Normal

REG = tf.GraphKeys.REGULARIZATION_LOSSES


@pytest.fixture
def sess():
    return gan_infer.get_session()


def variable_names(collection=tf.GraphKeys.GLOBAL_VARIABLES):
    return [v.op.name for v in tf.get_collection(collection)]


def var(name):
    """The variable called `name` (fetching "name:0" would give a resource handle)."""
    matches = [v for v in tf.global_variables() if v.op.name == name]
    assert len(matches) == 1, name
    return matches[0]


def relu(a):
    return np.maximum(a, 0.0)


# --- dense: variables, naming and reuse -----------------------------------


def test_dense_creates_kernel_and_bias_numbered():
    x = tf.placeholder(tf.float32, [None, 3])
    y1 = layers.dense(x, 4)
    y2 = layers.dense(y1, 2)
    assert variable_names() == ["dense/kernel", "dense/bias", "dense_1/kernel", "dense_1/bias"]
    assert variable_names(tf.GraphKeys.TRAINABLE_VARIABLES) == variable_names()
    shapes = [v.shape.as_list() for v in tf.global_variables()]
    assert shapes == [[3, 4], [4], [4, 2], [2]]
    assert y1.shape.as_list() == [None, 4] and y2.shape.as_list() == [None, 2]


def test_dense_uses_get_variable():
    x = tf.placeholder(tf.float32, [None, 3])
    with tf.variable_scope("scope"):
        layers.dense(x, 4, name="layer")
    with tf.variable_scope("scope", reuse=True):
        kernel = tf.get_variable("layer/kernel")
        bias = tf.get_variable("layer/bias")
    assert kernel.shape.as_list() == [3, 4] and bias.shape.as_list() == [4]
    assert len(tf.global_variables()) == 2


def discriminative_network(x):
    """Edward's pattern: a network function built from two dense layers."""
    h = layers.dense(x, 5, activation=tf.nn.relu, kernel_regularizer=layers.l2_regularizer(0.1))
    return layers.dense(h, 1)


def test_network_function_reuses_variables_under_reuse_scope(sess):
    x_data = tf.placeholder(tf.float32, [None, 3])
    x_fake = tf.placeholder(tf.float32, [None, 3])
    with tf.variable_scope("Disc"):
        d_real = discriminative_network(x_data)
    names = variable_names()
    assert names == [
        "Disc/dense/kernel",
        "Disc/dense/bias",
        "Disc/dense_1/kernel",
        "Disc/dense_1/bias",
    ]
    with tf.variable_scope("Disc", reuse=True):
        d_fake = discriminative_network(x_fake)
    assert variable_names() == names  # no new variables
    assert len(tf.get_collection(REG)) == 1  # the regularizer is not added again
    tf.global_variables_initializer().run()
    batch = np.random.default_rng(0).normal(size=(6, 3)).astype(np.float32)
    real, fake = sess.run([d_real, d_fake], {x_data: batch, x_fake: batch})
    np.testing.assert_array_equal(real, fake)


def test_reuse_of_a_missing_layer_raises():
    x = tf.placeholder(tf.float32, [None, 3])
    with tf.variable_scope("Nothing", reuse=True):
        with pytest.raises(ValueError):
            layers.dense(x, 2)


def test_second_call_without_reuse_makes_new_variables():
    x = tf.placeholder(tf.float32, [None, 3])
    with tf.variable_scope("Disc"):
        discriminative_network(x)
    with tf.variable_scope("Disc", reuse=tf.AUTO_REUSE):
        discriminative_network(x)
    assert len(tf.global_variables()) == 4
    with tf.variable_scope("Other"):
        discriminative_network(x)
    assert len(tf.global_variables()) == 8


def test_dense_reuse_argument():
    x = tf.placeholder(tf.float32, [None, 3])
    a = layers.dense(x, 2, name="shared")
    b = layers.dense(x, 2, name="shared", reuse=True)
    assert len(tf.global_variables()) == 2
    assert a.shape.as_list() == b.shape.as_list()


# --- dense: outputs ----------------------------------------------------------


@pytest.mark.parametrize(
    "activation, reference",
    [
        (None, lambda a: a),
        (tf.nn.relu, relu),
        (tf.tanh, np.tanh),
        (tf.sigmoid, lambda a: 1 / (1 + np.exp(-a))),
    ],
)
def test_dense_output_is_x_w_plus_b(sess, activation, reference):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(7, 4)).astype(np.float32)
    bias = rng.normal(size=3).astype(np.float32)
    y = layers.dense(
        tf.constant(x), 3, activation=activation, bias_initializer=tf.constant_initializer(bias)
    )
    tf.global_variables_initializer().run()
    out, w, b = sess.run([y, var("dense/kernel"), var("dense/bias")])
    np.testing.assert_array_equal(b, bias)
    np.testing.assert_allclose(out, reference(x.astype(np.float64) @ w + b), rtol=1e-5, atol=1e-6)


def test_dense_without_bias(sess):
    x = np.ones((2, 3), np.float32)
    y = layers.dense(x, 2, use_bias=False, kernel_initializer=tf.constant_initializer(0.5))
    assert variable_names() == ["dense/kernel"]
    tf.global_variables_initializer().run()
    np.testing.assert_array_equal(sess.run(y), np.full((2, 2), 1.5, np.float32))


def test_dense_default_initializers(sess):
    layers.dense(tf.zeros([1, 30]), 20)
    tf.global_variables_initializer().run()
    w, b = sess.run([var("dense/kernel"), var("dense/bias")])
    limit = np.sqrt(6.0 / (30 + 20))  # Glorot uniform
    assert np.abs(w).max() <= limit and np.abs(w).max() > 0.5 * limit
    np.testing.assert_array_equal(b, np.zeros(20))


def test_dense_on_rank3_inputs(sess):
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 5, 4)).astype(np.float32)
    ph = tf.placeholder(tf.float32, [None, 5, 4])
    y = layers.dense(ph, 3, activation=tf.nn.relu, bias_initializer=tf.constant_initializer(0.1))
    assert y.shape.as_list() == [None, 5, 3]
    tf.global_variables_initializer().run()
    out, w, b = sess.run([y, var("dense/kernel"), var("dense/bias")], {ph: x})
    np.testing.assert_allclose(out, relu(x.astype(np.float64) @ w + b), rtol=1e-5, atol=1e-6)


def test_dense_float64(sess):
    x = np.arange(6, dtype=np.float64).reshape(2, 3)
    y = layers.dense(x, 2)
    assert y.dtype == tf.float64
    assert tf.global_variables()[0].dtype.base_dtype == tf.float64
    tf.global_variables_initializer().run()
    out, w = sess.run([y, var("dense/kernel")])
    np.testing.assert_allclose(out, x @ w, rtol=1e-12)


def test_dense_accepts_a_random_variable(sess):
    z = Normal(loc=tf.zeros([8, 4]), scale=1.0)
    y = layers.dense(z, 2, activation=tf.nn.relu)
    assert y.shape.as_list() == [8, 2]
    tf.global_variables_initializer().run()
    out, z_value, w, b = sess.run([y, z, var("dense/kernel"), var("dense/bias")])
    np.testing.assert_allclose(out, relu(z_value @ w + b), rtol=1e-5, atol=1e-6)
    dropped = layers.dropout(z, rate=0.5, training=False)
    got, z_value = sess.run([dropped, z])
    np.testing.assert_array_equal(got, z_value)


def test_dense_trainable_false():
    layers.dense(tf.zeros([1, 3]), 2, trainable=False)
    assert variable_names(tf.GraphKeys.TRAINABLE_VARIABLES) == []
    assert variable_names() == ["dense/kernel", "dense/bias"]


# --- regularizers ------------------------------------------------------------


@pytest.mark.parametrize("scale", [0.0, 1e-3, 0.5, 2])
def test_l2_regularizer_loss(sess, scale):
    x = tf.placeholder(tf.float32, [None, 4])
    with tf.variable_scope("Disc"):
        layers.dense(x, 3, kernel_regularizer=layers.l2_regularizer(scale))
    losses = tf.get_collection(REG)
    assert len(losses) == 1
    assert losses[0].name.startswith("Disc/dense/kernel/")
    assert losses[0].shape.as_list() == []
    tf.global_variables_initializer().run()
    loss, w = sess.run([losses[0], var("Disc/dense/kernel")])
    np.testing.assert_allclose(loss, scale * np.sum(w.astype(np.float64) ** 2) / 2, rtol=1e-5)


def test_l1_regularizer_loss(sess):
    x = tf.placeholder(tf.float32, [None, 4])
    with tf.variable_scope("Gen"):
        layers.dense(
            x,
            3,
            kernel_regularizer=layers.l1_regularizer(0.25),
            bias_regularizer=layers.l2_regularizer(1.0),
            bias_initializer=tf.constant_initializer(2.0),
        )
    with tf.variable_scope("Gen", reuse=True):
        layers.dense(
            x,
            3,
            kernel_regularizer=layers.l1_regularizer(0.25),
            bias_regularizer=layers.l2_regularizer(1.0),
        )
    losses = tf.get_collection(REG)
    assert len(losses) == 2
    assert losses[0].name.startswith("Gen/dense/kernel/")
    assert losses[1].name.startswith("Gen/dense/bias/")
    tf.global_variables_initializer().run()
    l1, l2, w = sess.run([losses[0], losses[1], var("Gen/dense/kernel")])
    np.testing.assert_allclose(l1, 0.25 * np.sum(np.abs(w.astype(np.float64))), rtol=1e-5)
    np.testing.assert_allclose(l2, 1.0 * 3 * 2.0**2 / 2, rtol=1e-6)


def test_regularizers_on_tensors(sess):
    w = np.array([[1.0, -2.0], [3.0, -0.5]], np.float32)
    l2 = layers.l2_regularizer(0.1)(tf.constant(w))
    l1 = layers.l1_regularizer(0.1)(tf.constant(w))
    np.testing.assert_allclose(sess.run([l2, l1]), [0.1 * 14.25 / 2, 0.1 * 6.5], rtol=1e-6)


@pytest.mark.parametrize("regularizer", [layers.l2_regularizer, layers.l1_regularizer])
@pytest.mark.parametrize("scale", [-0.1, "0.1", None, True, [0.1]])
def test_bad_regularizer_scale_raises(regularizer, scale):
    with pytest.raises(ValueError, match="scale"):
        regularizer(scale)


# --- dense: errors ----------------------------------------------------------


@pytest.mark.parametrize("shape", [[None, None], [4, None], None, []])
def test_dense_needs_a_known_last_dimension(shape):
    x = tf.placeholder(tf.float32, shape)
    with pytest.raises(ValueError, match="last dimension"):
        layers.dense(x, 3)


@pytest.mark.parametrize("dtype", [tf.int32, tf.int64, tf.bool, tf.string])
def test_dense_needs_float_inputs(dtype):
    x = tf.placeholder(dtype, [None, 3])
    with pytest.raises(TypeError, match="floating"):
        layers.dense(x, 3)


def test_dense_rejects_integer_numpy_inputs():
    with pytest.raises(TypeError, match="floating"):
        layers.dense(np.ones((2, 3), np.int64), 3)


@pytest.mark.parametrize("units", [0, -1, 2.5, "3", True, None])
def test_dense_units_must_be_a_positive_int(units):
    x = tf.placeholder(tf.float32, [None, 3])
    with pytest.raises(ValueError, match="units"):
        layers.dense(x, units)
    assert tf.global_variables() == []


def test_dense_accepts_numpy_int_units():
    y = layers.dense(tf.zeros([2, 3]), np.int64(4))
    assert y.shape.as_list() == [2, 4]


# --- dropout -----------------------------------------------------------------


def test_dropout_not_training_is_identity(sess):
    x = np.random.default_rng(3).normal(size=(50, 40)).astype(np.float32)
    for kwargs in (
        {},
        {"training": False},
        {"rate": 0.9, "training": False},
        {"rate": 0.0, "training": True},
    ):
        np.testing.assert_array_equal(sess.run(layers.dropout(x, **kwargs)), x)


@pytest.mark.parametrize("rate", [0.5, 0.75, 0.1, 0.3])
def test_dropout_training_zeros_and_scales(sess, rate):
    x = np.random.default_rng(4).uniform(1.0, 2.0, size=(200, 100)).astype(np.float32)
    out = sess.run(layers.dropout(x, rate=rate, training=True))
    dropped = out == 0.0
    n = x.size
    # binomial standard deviation of the dropped fraction is at most 0.5/sqrt(n) = 0.0035
    assert abs(dropped.mean() - rate) < 0.02
    survivors = ~dropped
    expected = x[survivors] * np.float32(1.0 / (1.0 - rate))
    np.testing.assert_allclose(out[survivors], expected, rtol=2e-7, atol=0)
    assert n == 20000


def test_dropout_half_doubles_survivors_exactly(sess):
    x = np.random.default_rng(5).uniform(1.0, 2.0, size=(100, 50)).astype(np.float32)
    out = sess.run(layers.dropout(x, rate=0.5, training=True))
    kept = out != 0.0
    np.testing.assert_array_equal(out[kept], 2.0 * x[kept])
    assert 0.4 < kept.mean() < 0.6


def test_dropout_with_a_bool_placeholder_switches_in_one_graph(sess):
    x = np.random.default_rng(6).uniform(1.0, 2.0, size=(100, 100)).astype(np.float32)
    training = tf.placeholder(tf.bool, [])
    y = layers.dropout(tf.constant(x), rate=0.5, training=training)
    np.testing.assert_array_equal(sess.run(y, {training: False}), x)
    out = sess.run(y, {training: True})
    kept = out != 0.0
    assert 0.4 < kept.mean() < 0.6
    np.testing.assert_array_equal(out[kept], 2.0 * x[kept])
    default_false = tf.placeholder_with_default(False, [])
    np.testing.assert_array_equal(sess.run(layers.dropout(x, 0.5, training=default_false)), x)


def test_dropout_accepts_a_bool_tensor(sess):
    x = np.ones((4, 4), np.float32)
    np.testing.assert_array_equal(sess.run(layers.dropout(x, 0.5, training=tf.constant(False))), x)


@pytest.mark.parametrize("rate", [1.0, -0.1, 1.5, "0.5", None])
def test_dropout_bad_rate_raises(rate):
    with pytest.raises(ValueError, match="rate"):
        layers.dropout(tf.zeros([2, 2]), rate=rate, training=True)


@pytest.mark.parametrize(
    "make_training",
    [
        lambda: tf.constant(1.0),
        lambda: tf.placeholder(tf.int32, []),
        lambda: tf.constant([True, False]),
        lambda: 1,
    ],
)
def test_dropout_non_bool_training_raises(make_training):
    with pytest.raises(TypeError, match="training"):
        layers.dropout(tf.zeros([2, 2]), rate=0.5, training=make_training())


def test_dropout_needs_float_inputs():
    with pytest.raises(TypeError, match="floating"):
        layers.dropout(tf.zeros([2, 2], tf.int32), rate=0.5, training=True)
