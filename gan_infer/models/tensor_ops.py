"""Small tensor operations of Edward's modelling language: `dot`."""

import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer.models.random_variable import RandomVariable

__all__ = ["dot"]

# The base class of every variable: tf.compat.v1.Variable misses resource ones.
Variable = tf.compat.v2.Variable


def dot(x, y):
    """The product of a matrix and a vector, in either order (Edward's `ed.dot`).

    For a matrix `A` of shape [M, N]:

        dot(A, v)[m] = sum_n A[m, n] v[n]    (v of shape [N]; result [M])
        dot(u, A)[n] = sum_m u[m] A[m, n]    (u of shape [M]; result [N])

    Random variables stand for their draws, so `dot(X, w)` is the mean of a
    linear regression with weights `w ~ Normal(...)`.

    Args:
      x, y: tensor-like (tf.Tensor, RandomVariable, Variable, numpy
        array), one of rank 2 and the other of rank 1, of one dtype; the
        ranks must be known when the graph is built.

    Returns:
      tf.Tensor of rank 1: `A v` or `u A`.

    Raises:
      ValueError: the ranks are not (2, 1) or (1, 2), are unknown, or the
        shared dimension differs.
      TypeError: the dtypes differ.

    #### Examples

    ```python
    A = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])   # [3, 2]
    sess = ed.get_session()
    np.testing.assert_allclose(sess.run(ed.dot(A, [1.0, -1.0])), [-1.0, -1.0, -1.0])
    np.testing.assert_allclose(sess.run(ed.dot([1.0, 0.0, 1.0], A)), [6.0, 8.0])
    ```
    """
    with tf.name_scope("dot"):
        x, y = _as_tensors(x, y)
        ranks = (x.shape.ndims, y.shape.ndims)
        if None in ranks:
            raise ValueError(
                f"dot() needs tensors of known rank, got shapes {x.shape} and {y.shape}. "
                "Give the placeholder a shape, e.g. tf.placeholder(tf.float32, [None, D])."
            )
        if x.dtype.base_dtype != y.dtype.base_dtype:
            raise TypeError(
                f"dot() needs one dtype, got {x.dtype.base_dtype.name} and "
                f"{y.dtype.base_dtype.name}. Cast one, e.g. tf.cast(y, x.dtype)."
            )
        if ranks == (2, 1):
            _check_inner(x.shape[1], y.shape[0], x.shape, y.shape)
            return tf.reshape(tf.matmul(x, tf.expand_dims(y, 1)), [-1])
        if ranks == (1, 2):
            _check_inner(x.shape[0], y.shape[0], x.shape, y.shape)
            return tf.reshape(tf.matmul(tf.expand_dims(x, 0), y), [-1])
        raise ValueError(
            f"dot() multiplies a matrix and a vector (ranks 2 and 1, in either order), got "
            f"ranks {ranks[0]} and {ranks[1]} (shapes {x.shape} and {y.shape}). Use tf.matmul "
            "for two matrices and tf.tensordot for other contractions."
        )


def _as_tensors(x, y):
    # A Python list or numpy array takes the dtype of the other argument when
    # that is a node of the graph (so `dot(A, np.ones(2))` works for a
    # float32 A); nodes of the graph keep their own dtype.
    x_is_node, y_is_node = _is_graph_node(x), _is_graph_node(y)
    if x_is_node or not y_is_node:
        x = tf.convert_to_tensor(x, name="x")
        dtype = x.dtype.base_dtype if (x_is_node and not y_is_node) else None
        return x, tf.convert_to_tensor(_cast_array(y, dtype), dtype=dtype, name="y")
    y = tf.convert_to_tensor(y, name="y")
    dtype = y.dtype.base_dtype
    return tf.convert_to_tensor(_cast_array(x, dtype), dtype=dtype, name="x"), y


def _is_graph_node(value):
    return isinstance(value, (tf.Tensor, Variable, RandomVariable))


def _cast_array(value, dtype):
    return np.asarray(value, dtype=dtype.as_numpy_dtype) if dtype is not None else value


def _check_inner(left, right, x_shape, y_shape):
    if left is not None and right is not None and left != right:
        raise ValueError(
            f"dot() cannot multiply shapes {x_shape} and {y_shape}: the shared dimension "
            f"differs ({left} vs {right})."
        )
