"""Tests for gan_infer.models.dot: matrix-vector products, either order."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer.models import Normal, dot

MATRIX = np.arange(6.0, dtype=np.float32).reshape(3, 2)


@pytest.fixture
def sess():
    return ed.get_session()


def test_matrix_times_vector(sess):
    vector = np.array([1.0, -2.0], np.float32)
    result = dot(tf.constant(MATRIX), tf.constant(vector))
    assert result.shape == (3,)
    np.testing.assert_allclose(sess.run(result), MATRIX @ vector)


def test_vector_times_matrix(sess):
    vector = np.array([1.0, 0.5, -1.0], np.float32)
    result = dot(tf.constant(vector), tf.constant(MATRIX))
    assert result.shape == (2,)
    np.testing.assert_allclose(sess.run(result), vector @ MATRIX)


def test_lists_and_float64_arrays_take_the_tensors_dtype(sess):
    np.testing.assert_allclose(sess.run(dot(tf.constant(MATRIX), [1, 1])), MATRIX.sum(1))
    np.testing.assert_allclose(sess.run(dot(np.ones(3), tf.constant(MATRIX))), MATRIX.sum(0))
    np.testing.assert_allclose(sess.run(dot(MATRIX, np.ones(2, np.float32))), MATRIX.sum(1))


def test_random_variables_stand_for_their_draws(sess):
    w = Normal(loc=[1.0, 2.0], scale=1e-4)
    x_ph = tf.placeholder(tf.float32, [None, 2])
    y = dot(x_ph, w)
    np.testing.assert_allclose(sess.run(y, {x_ph: MATRIX}), MATRIX @ [1.0, 2.0], atol=1e-2)


@pytest.mark.parametrize(
    "x_shape, y_shape",
    [([2, 2], [2, 2]), ([2], [2]), ([], [2]), ([2, 2, 2], [2]), ([2], [2, 2, 2])],
)
def test_other_ranks_raise(x_shape, y_shape):
    with pytest.raises(ValueError, match=r"ranks 2 and 1, in either order.*tf.matmul"):
        dot(tf.zeros(x_shape), tf.zeros(y_shape))


def test_unknown_rank_raises():
    with pytest.raises(ValueError, match="known rank.*placeholder a shape"):
        dot(tf.placeholder(tf.float32), tf.zeros([2]))


def test_mismatched_inner_dimension_raises():
    with pytest.raises(ValueError, match=r"shared dimension differs \(2 vs 3\)"):
        dot(tf.zeros([3, 2]), tf.zeros([3]))
    with pytest.raises(ValueError, match=r"shared dimension differs \(2 vs 3\)"):
        dot(tf.zeros([2]), tf.zeros([3, 2]))


def test_mismatched_dtypes_raise():
    with pytest.raises(TypeError, match="one dtype.*float32 and float64.*tf.cast"):
        dot(tf.zeros([3, 2]), tf.zeros([2], tf.float64))
