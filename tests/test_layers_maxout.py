"""Tests for gan_infer.layers.maxout: forward pass and gradients against numpy."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer
from gan_infer import layers


def maxout_numpy(x, kernel, bias, units, pieces):
    """h_j = max_k (x W + b)_{j * pieces + k}, and the winning column of each unit."""
    z = (x @ kernel + bias).reshape(len(x), units, pieces)
    winner = z.argmax(axis=-1) + np.arange(units) * pieces
    return z.max(axis=-1), winner


def test_maxout_matches_numpy_and_pools_consecutive_columns():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 4))
    units, pieces = 3, 5
    h = layers.maxout(tf.constant(x), units, pieces)
    assert h.shape.as_list() == [6, units]
    variables = {v.op.name: v for v in tf.global_variables()}
    assert sorted(variables) == ["maxout/bias", "maxout/kernel"]
    assert variables["maxout/kernel"].shape.as_list() == [4, units * pieces]
    sess = gan_infer.get_session()
    tf.global_variables_initializer().run()
    bias = rng.normal(size=units * pieces)
    sess.run(variables["maxout/bias"].assign(bias))
    out, kernel = sess.run([h, variables["maxout/kernel"]])
    expected, _ = maxout_numpy(x, kernel, bias, units, pieces)
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_maxout_gradients_flow_through_the_winning_piece_only():
    rng = np.random.default_rng(1)
    x_value = rng.normal(size=(7, 4))
    weights = rng.normal(size=(7, 2))  # loss = sum(h * weights)
    units, pieces = 2, 3
    x = tf.constant(x_value)
    h = layers.maxout(x, units, pieces, bias_initializer=tf.random_normal_initializer(seed=2))
    kernel, bias = tf.global_variables()
    grads = tf.gradients(tf.reduce_sum(h * weights), [x, kernel, bias])
    sess = gan_infer.get_session()
    tf.global_variables_initializer().run()
    (grad_x, grad_kernel, grad_bias), w, b = sess.run([grads, kernel, bias])
    _, winner = maxout_numpy(x_value, w, b, units, pieces)
    # Scatter each unit's upstream gradient onto its winning column.
    upstream = np.zeros((7, units * pieces))
    np.put_along_axis(upstream, winner, weights, axis=1)
    np.testing.assert_allclose(grad_kernel, x_value.T @ upstream, rtol=1e-10)
    np.testing.assert_allclose(grad_bias, upstream.sum(axis=0), rtol=1e-10)
    np.testing.assert_allclose(grad_x, upstream @ w.T, rtol=1e-10)


def test_maxout_on_rank3_inputs_reuse_and_one_piece_is_linear():
    x = tf.placeholder(tf.float32, [None, 5, 4])
    h = layers.maxout(x, 3, 2, name="shared")
    assert h.shape.as_list() == [None, 5, 3]
    layers.maxout(x, 3, 2, name="shared", reuse=True)
    assert len(tf.global_variables()) == 2
    linear = layers.maxout(tf.ones([2, 4]), 3, 1, use_bias=False)
    kernel = [v for v in tf.global_variables() if v.op.name == "maxout/kernel"][0]
    sess = gan_infer.get_session()
    tf.global_variables_initializer().run()
    out, w = sess.run([linear, kernel])
    np.testing.assert_allclose(out, np.ones([2, 4]) @ w, rtol=1e-6)


@pytest.mark.parametrize(
    "units, pieces, message",
    [(0, 5, "layers.maxout: units must be a positive int"), (3, 0, "layers.maxout: pieces")],
)
def test_maxout_bad_arguments(units, pieces, message):
    with pytest.raises(ValueError, match=message):
        layers.maxout(tf.zeros([2, 3]), units, pieces)


def test_maxout_needs_float_inputs_and_a_known_width():
    with pytest.raises(TypeError, match="layers.maxout needs floating-point inputs"):
        layers.maxout(tf.zeros([2, 3], tf.int32), 2, 2)
    with pytest.raises(ValueError, match="layers.maxout needs the last dimension"):
        layers.maxout(tf.placeholder(tf.float32, [None, None]), 2, 2)
