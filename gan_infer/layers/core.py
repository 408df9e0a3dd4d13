"""Fully connected layers (dense, maxout), dropout and flatten: tf.layers'
`core` module, and maxout."""

import tensorflow.compat.v1 as tf

from gan_infer.layers.inputs import as_float_tensor, known_last_dimension
from gan_infer.layers.mixed_precision import product_dtype, to_compute_dtype, variable_dtype
from gan_infer.util.checks import check_int, check_interval
from gan_infer.util.seeds import fresh_seed

__all__ = ["dense", "dropout", "flatten", "maxout"]


def _affine(
    inputs,
    units,
    use_bias,
    kernel_initializer,
    bias_initializer,
    kernel_regularizer,
    bias_regularizer,
    trainable,
):
    """`inputs @ kernel + bias` with the variables made in the current scope; the
    product in the active precision's dtype (`gan_infer.layers.mixed_precision`),
    the sum in the variables'."""
    dtype, weights_dtype = product_dtype(inputs), variable_dtype(inputs)
    inputs = to_compute_dtype(inputs, dtype)
    kernel = tf.get_variable(
        "kernel",
        [int(inputs.shape[-1]), units],
        dtype=weights_dtype,
        initializer=kernel_initializer or tf.glorot_uniform_initializer(),
        regularizer=kernel_regularizer,
        trainable=trainable,
    )
    kernel = to_compute_dtype(kernel, dtype)
    if inputs.shape.rank == 2:
        outputs = tf.matmul(inputs, kernel)
    else:
        outputs = tf.tensordot(inputs, kernel, [[inputs.shape.rank - 1], [0]])
    outputs = to_compute_dtype(outputs, weights_dtype)
    if use_bias:
        bias = tf.get_variable(
            "bias",
            [units],
            dtype=weights_dtype,
            initializer=bias_initializer or tf.zeros_initializer(),
            regularizer=bias_regularizer,
            trainable=trainable,
        )
        outputs = tf.nn.bias_add(outputs, bias)
    return outputs


def dense(
    inputs,
    units,
    activation=None,
    use_bias=True,
    kernel_initializer=None,
    bias_initializer=None,
    kernel_regularizer=None,
    bias_regularizer=None,
    trainable=True,
    name=None,
    reuse=None,
):
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
    inputs = as_float_tensor(inputs, "dense")
    units = int(check_int(units, "layers.dense: units"))
    known_last_dimension(inputs, "dense")
    with tf.variable_scope(name, default_name="dense", values=[inputs], reuse=reuse):
        outputs = _affine(
            inputs,
            units,
            use_bias,
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            trainable,
        )
        return activation(outputs) if activation is not None else outputs


def maxout(
    inputs,
    units,
    pieces,
    use_bias=True,
    kernel_initializer=None,
    bias_initializer=None,
    kernel_regularizer=None,
    bias_regularizer=None,
    trainable=True,
    name=None,
    reuse=None,
):
    """Maxout layer (Goodfellow et al., 2013): each unit is the largest of
    `pieces` affine functions of the input,

        z = inputs @ kernel + bias,                   kernel: [D, units * pieces]
        h_j = max_{k < pieces} z_{j * pieces + k},    j = 0, ..., units - 1.

    Unit j pools the consecutive columns j * pieces, ..., j * pieces +
    pieces - 1, the layout of pylearn2's `Maxout` (the layer of the
    discriminator of Goodfellow et al., 2014). The gradient flows through
    the winning piece of each unit only. The maximum of affine maps is
    convex and piecewise linear, so a maxout unit can learn its own
    activation function; with dropout it was the best MNIST classifier of
    its day.

    Args:
      inputs: tensor whose last dimension is known.
      units: int. Output dimension.
      pieces: int. Affine pieces per unit (1 makes it a linear layer).
      Other arguments as in `dense`; variables `kernel` and `bias` under
      scope `name` (default `maxout`, numbered).

    Returns:
      Tensor of shape `inputs.shape[:-1] + [units]`.

    #### Examples

    ```python
    def discriminative_network(x):
        net = layers.dropout(x, rate=0.2, training=True)
        net = layers.maxout(net, 240, 5)
        net = layers.dropout(net, rate=0.5, training=True)
        return layers.dense(net, 1, activation=None)

    logits = discriminative_network(x_ph)  # [M, 1]
    ```
    """
    inputs = as_float_tensor(inputs, "maxout")
    units = int(check_int(units, "layers.maxout: units"))
    pieces = int(check_int(pieces, "layers.maxout: pieces"))
    known_last_dimension(inputs, "maxout")
    with tf.variable_scope(name, default_name="maxout", values=[inputs], reuse=reuse):
        z = _affine(
            inputs,
            units * pieces,
            use_bias,
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            trainable,
        )
        shape = tf.concat([tf.shape(z)[:-1], [units, pieces]], 0)
        outputs = tf.reduce_max(tf.reshape(z, shape), axis=-1)
        # The dynamic reshape loses the static shape; restore it.
        outputs.set_shape(inputs.shape[:-1].concatenate([units]))
        return outputs


def dropout(inputs, rate=0.5, training=False, noise_shape=None, seed=None, name=None):
    """Dropout: during training zero each unit with probability `rate` and
    scale the rest by `1 / (1 - rate)`; identity otherwise.

    In the keep-probability terms of Hinton et al. (2012) and pylearn2, a
    unit is kept with probability p = 1 - rate and scaled by 1 / p: keeping
    0.8 of the inputs (`rate=0.2`) scales them by 1.25, keeping half
    (`rate=0.5`) by 2, so the expected input of the next layer is the same
    as without dropout.

    Args:
      inputs: tensor.
      rate: float in [0, 1). Fraction of units dropped.
      training: Python bool or scalar bool tensor (e.g. a placeholder, so one
        graph serves both training and evaluation).
      noise_shape: as in `tf.nn.dropout`.
      seed: int, optional. An op seed for `tf.nn.dropout`'s stateful
        random op. By default the mask is a stateless draw from the step
        seed (`gan_infer.util.seeds.fresh_seed`), so a run resumed from a
        checkpoint drops the same units as an uninterrupted one.
    """
    inputs = as_float_tensor(inputs, "dropout")
    check_interval(rate, "layers.dropout: rate", "[0, 1)", what="in [0, 1)")
    with tf.name_scope(name, "dropout", [inputs]):
        if isinstance(training, bool):
            if not training or rate == 0.0:
                return tf.identity(inputs)
            return _drop(inputs, rate, noise_shape, seed)
        training = tf.convert_to_tensor(training)
        if training.dtype != tf.bool or training.shape.rank not in (0, None):
            raise TypeError(
                "layers.dropout: training must be a Python bool or a scalar bool tensor, "
                f"got {training!r}."
            )
        return tf.cond(
            training, lambda: _drop(inputs, rate, noise_shape, seed), lambda: tf.identity(inputs)
        )


def _drop(inputs, rate, noise_shape, seed):
    if seed is not None:
        return tf.nn.dropout(inputs, rate=rate, noise_shape=noise_shape, seed=seed)
    return tf.nn.experimental.stateless_dropout(
        inputs, rate=rate, seed=fresh_seed(), noise_shape=noise_shape
    )


def flatten(inputs, name=None):
    """Reshape [batch, d1, d2, ...] to [batch, d1 * d2 * ...], keeping static shapes."""
    inputs = tf.convert_to_tensor(inputs)
    if inputs.shape.rank is None or not inputs.shape[1:].is_fully_defined():
        raise ValueError(f"layers.flatten needs known non-batch dimensions, got {inputs.shape}.")
    size = int(inputs.shape[1:].num_elements())
    outputs = tf.reshape(inputs, [-1, size], name=name)
    outputs.set_shape([inputs.shape[0], size])
    return outputs
