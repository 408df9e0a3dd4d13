"""TF1-style network pieces for graph mode, without Keras.

`tf.compat.v1.layers` is gone under Keras 3 (which TensorFlow 2.16+ ships),
yet Edward-era programs build networks as plain functions called twice (once
on data, once with `reuse=True` on samples). These functions keep exactly
those semantics: variables come from `tf.compat.v1.get_variable`, so they
honour `variable_scope`, `reuse` and custom getters; unnamed layers are
numbered `dense`, `dense_1`, ... afresh each time their enclosing scope is
re-entered, so a network function called a second time under
`variable_scope(..., reuse=True)` finds the same variables; and kernel
regularizers land in the `REGULARIZATION_LOSSES` collection, from where the
inferences route them to the right loss.

#### Examples

```python
from gan_infer import layers

def discriminative_network(x):
    h1 = layers.dense(x, 128, activation=tf.nn.relu,
                      kernel_regularizer=layers.l2_regularizer(1e-3))
    h1 = layers.dropout(h1, rate=0.5, training=True)
    return layers.dense(h1, 1, activation=None)
```
"""
import numbers

import tensorflow.compat.v1 as tf

from gan_infer.util.session import require_graph_mode

__all__ = ["dense", "dropout", "l2_regularizer", "l1_regularizer"]


def _as_float_tensor(inputs, layer):
    require_graph_mode(f"gan_infer.layers.{layer}")
    inputs = tf.convert_to_tensor(inputs)
    if not inputs.dtype.is_floating:
        raise TypeError(
            f"layers.{layer} needs floating-point inputs, got {inputs.dtype.name} "
            f"tensor {inputs.name}; cast it first, e.g. tf.cast(x, tf.float32).")
    return inputs


def dense(inputs, units, activation=None, use_bias=True, kernel_initializer=None,
          bias_initializer=None, kernel_regularizer=None, bias_regularizer=None,
          trainable=True, name=None, reuse=None):
    """Fully connected layer: `activation(inputs @ kernel + bias)`.

    Inputs of rank > 2 are contracted over their last axis.

    Args:
      inputs: tensor (or random variable) whose last dimension is known.
      units: int. Output dimension.
      activation: callable or None (linear).
      kernel_initializer: defaults to Glorot uniform, as tf.layers did.
      bias_initializer: defaults to zeros.
      kernel_regularizer, bias_regularizer: callable weight -> scalar loss,
        e.g. `l2_regularizer(1e-3)`; added to `REGULARIZATION_LOSSES` when the
        variable is created.
      trainable: bool. Whether the variables join `TRAINABLE_VARIABLES`.
      name: str. Variable scope of the layer (default `dense`, numbered).
      reuse: bool. Reuse the variables of an existing layer of that name.

    Returns:
      Tensor of shape `inputs.shape[:-1] + [units]`.
    """
    inputs = _as_float_tensor(inputs, "dense")
    if isinstance(units, bool) or not isinstance(units, numbers.Integral) or units <= 0:
        raise ValueError(f"layers.dense: units must be a positive int, got {units!r}.")
    in_dim = inputs.shape[-1] if inputs.shape.rank else None
    if in_dim is None:
        raise ValueError(
            f"layers.dense needs the last dimension of its input to be known, got shape "
            f"{inputs.shape} for {inputs.name}; give the tensor a static shape (tf.reshape).")
    with tf.variable_scope(name, default_name="dense", values=[inputs], reuse=reuse):
        kernel = tf.get_variable(
            "kernel", [int(in_dim), int(units)], dtype=inputs.dtype,
            initializer=kernel_initializer or tf.glorot_uniform_initializer(),
            regularizer=kernel_regularizer, trainable=trainable)
        if inputs.shape.rank == 2:
            outputs = tf.matmul(inputs, kernel)
        else:
            outputs = tf.tensordot(inputs, kernel, [[inputs.shape.rank - 1], [0]])
        if use_bias:
            bias = tf.get_variable(
                "bias", [int(units)], dtype=inputs.dtype,
                initializer=bias_initializer or tf.zeros_initializer(),
                regularizer=bias_regularizer, trainable=trainable)
            outputs = tf.nn.bias_add(outputs, bias)
        return activation(outputs) if activation is not None else outputs


def dropout(inputs, rate=0.5, training=False, noise_shape=None, seed=None, name=None):
    """Dropout: during training zero each unit with probability `rate` and
    scale the rest by `1 / (1 - rate)`; identity otherwise.

    Args:
      inputs: tensor.
      rate: float in [0, 1). Fraction of units dropped.
      training: Python bool or scalar bool tensor (e.g. a placeholder, so one
        graph serves both training and evaluation).
      noise_shape, seed: as in `tf.nn.dropout`.
    """
    inputs = _as_float_tensor(inputs, "dropout")
    if not isinstance(rate, numbers.Real) or not 0.0 <= rate < 1.0:
        raise ValueError(f"layers.dropout: rate must be in [0, 1), got {rate!r}.")
    with tf.name_scope(name, "dropout", [inputs]):
        if isinstance(training, bool):
            if not training or rate == 0.0:
                return tf.identity(inputs)
            return tf.nn.dropout(inputs, rate=rate, noise_shape=noise_shape, seed=seed)
        training = tf.convert_to_tensor(training)
        if training.dtype != tf.bool or training.shape.rank not in (0, None):
            raise TypeError(
                "layers.dropout: training must be a Python bool or a scalar bool tensor, "
                f"got {training!r}.")
        return tf.cond(
            training,
            lambda: tf.nn.dropout(inputs, rate=rate, noise_shape=noise_shape, seed=seed),
            lambda: tf.identity(inputs))


def _check_scale(scale, which):
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real) or scale < 0:
        raise ValueError(f"{which}: scale must be a non-negative number, got {scale!r}.")
    return float(scale)


def l2_regularizer(scale):
    """Weight penalty `scale * sum(w**2) / 2` (tf.contrib.layers.l2_regularizer)."""
    scale = _check_scale(scale, "l2_regularizer")

    def l2(weights):
        return tf.multiply(scale, tf.nn.l2_loss(weights), name="l2_regularizer")
    return l2


def l1_regularizer(scale):
    """Weight penalty `scale * sum(|w|)` (tf.contrib.layers.l1_regularizer)."""
    scale = _check_scale(scale, "l1_regularizer")

    def l1(weights):
        return tf.multiply(scale, tf.reduce_sum(tf.abs(weights)), name="l1_regularizer")
    return l1
