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

import tensorflow.compat.v1 as tf

from gan_infer.util.checks import check_int, check_interval, check_number, is_int
from gan_infer.util.seeds import fresh_seed
from gan_infer.util.session import require_graph_mode

__all__ = [
    "dense",
    "dropout",
    "conv2d",
    "conv2d_transpose",
    "batch_norm",
    "leaky_relu",
    "flatten",
    "minibatch_stddev",
    "spectral_norm_getter",
    "l2_regularizer",
    "l1_regularizer",
]


def _as_float_tensor(inputs, layer):
    require_graph_mode(f"gan_infer.layers.{layer}")
    inputs = tf.convert_to_tensor(inputs)
    if not inputs.dtype.is_floating:
        raise TypeError(
            f"layers.{layer} needs floating-point inputs, got {inputs.dtype.name} "
            f"tensor {inputs.name}; cast it first, e.g. tf.cast(x, tf.float32)."
        )
    return inputs


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
    inputs = _as_float_tensor(inputs, "dense")
    check_int(units, "layers.dense: units")
    in_dim = inputs.shape[-1] if inputs.shape.rank else None
    if in_dim is None:
        raise ValueError(
            f"layers.dense needs the last dimension of its input to be known, got shape "
            f"{inputs.shape} for {inputs.name}; give the tensor a static shape (tf.reshape)."
        )
    with tf.variable_scope(name, default_name="dense", values=[inputs], reuse=reuse):
        kernel = tf.get_variable(
            "kernel",
            [int(in_dim), int(units)],
            dtype=inputs.dtype,
            initializer=kernel_initializer or tf.glorot_uniform_initializer(),
            regularizer=kernel_regularizer,
            trainable=trainable,
        )
        if inputs.shape.rank == 2:
            outputs = tf.matmul(inputs, kernel)
        else:
            outputs = tf.tensordot(inputs, kernel, [[inputs.shape.rank - 1], [0]])
        if use_bias:
            bias = tf.get_variable(
                "bias",
                [int(units)],
                dtype=inputs.dtype,
                initializer=bias_initializer or tf.zeros_initializer(),
                regularizer=bias_regularizer,
                trainable=trainable,
            )
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
      noise_shape: as in `tf.nn.dropout`.
      seed: int, optional. An op seed for `tf.nn.dropout`'s stateful
        random op. By default the mask is a stateless draw from the step
        seed (`gan_infer.util.seeds.fresh_seed`), so a run resumed from a
        checkpoint drops the same units as an uninterrupted one.
    """
    inputs = _as_float_tensor(inputs, "dropout")
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


def _pair(value, what, layer):
    if is_int(value):
        value = (value, value)
    value = tuple(value)
    if len(value) != 2 or not all(is_int(v) and v > 0 for v in value):
        raise ValueError(
            f"layers.{layer}: {what} must be a positive int or a pair of them, got {value!r}."
        )
    return tuple(int(v) for v in value)


def _padding(padding, layer):
    padding = str(padding).upper()
    if padding not in ("SAME", "VALID"):
        raise ValueError(f"layers.{layer}: padding must be 'same' or 'valid', got {padding!r}.")
    return padding


def _image_channels(inputs, layer):
    if inputs.shape.rank != 4 or inputs.shape[-1] is None:
        raise ValueError(
            f"layers.{layer} needs a 4-D NHWC input with a known number of channels, got shape "
            f"{inputs.shape} for {inputs.name}; reshape it, e.g. tf.reshape(x, [-1, 28, 28, 1])."
        )
    return int(inputs.shape[-1])


def _conv_variables(
    kernel_shape,
    units,
    inputs,
    kernel_initializer,
    bias_initializer,
    kernel_regularizer,
    bias_regularizer,
    use_bias,
    trainable,
):
    kernel = tf.get_variable(
        "kernel",
        kernel_shape,
        dtype=inputs.dtype,
        initializer=kernel_initializer or tf.glorot_uniform_initializer(),
        regularizer=kernel_regularizer,
        trainable=trainable,
    )
    bias = None
    if use_bias:
        bias = tf.get_variable(
            "bias",
            [units],
            dtype=inputs.dtype,
            initializer=bias_initializer or tf.zeros_initializer(),
            regularizer=bias_regularizer,
            trainable=trainable,
        )
    return kernel, bias


def conv2d(
    inputs,
    filters,
    kernel_size,
    strides=1,
    padding="same",
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
    """2-D convolution over NHWC images: `activation(conv(inputs, kernel) + bias)`.

    Args:
      inputs: 4-D tensor [batch, height, width, channels].
      filters: int. Output channels.
      kernel_size, strides: int or (int, int).
      padding: 'same' (output size ceil(in / stride)) or 'valid'.
      Other arguments as in `dense`; variables `kernel` [kh, kw, in, filters]
      and `bias` under scope `name` (default `conv2d`, numbered).
    """
    inputs = _as_float_tensor(inputs, "conv2d")
    channels = _image_channels(inputs, "conv2d")
    kernel_size = _pair(kernel_size, "kernel_size", "conv2d")
    strides = _pair(strides, "strides", "conv2d")
    padding = _padding(padding, "conv2d")
    with tf.variable_scope(name, default_name="conv2d", values=[inputs], reuse=reuse):
        kernel, bias = _conv_variables(
            list(kernel_size) + [channels, int(filters)],
            int(filters),
            inputs,
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            use_bias,
            trainable,
        )
        outputs = tf.nn.conv2d(inputs, kernel, strides=[1, *strides, 1], padding=padding)
        if bias is not None:
            outputs = tf.nn.bias_add(outputs, bias)
        return activation(outputs) if activation is not None else outputs


def conv2d_transpose(
    inputs,
    filters,
    kernel_size,
    strides=1,
    padding="same",
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
    """Transposed 2-D convolution ("deconvolution") over NHWC images.

    The output's height is `in * stride` for 'same' padding and
    `(in - 1) * stride + kernel` for 'valid' (likewise the width), as in
    tf.layers.conv2d_transpose. Variables: `kernel` [kh, kw, filters, in]
    and `bias`.
    """
    inputs = _as_float_tensor(inputs, "conv2d_transpose")
    channels = _image_channels(inputs, "conv2d_transpose")
    kernel_size = _pair(kernel_size, "kernel_size", "conv2d_transpose")
    strides = _pair(strides, "strides", "conv2d_transpose")
    padding = _padding(padding, "conv2d_transpose")
    height, width = inputs.shape[1], inputs.shape[2]
    if height is None or width is None:
        raise ValueError(
            "layers.conv2d_transpose needs inputs of known height and width, got "
            f"shape {inputs.shape}."
        )

    def out_size(size, kernel, stride):
        return size * stride if padding == "SAME" else (size - 1) * stride + kernel

    out_height = out_size(int(height), kernel_size[0], strides[0])
    out_width = out_size(int(width), kernel_size[1], strides[1])
    with tf.variable_scope(name, default_name="conv2d_transpose", values=[inputs], reuse=reuse):
        kernel, bias = _conv_variables(
            list(kernel_size) + [int(filters), channels],
            int(filters),
            inputs,
            kernel_initializer,
            bias_initializer,
            kernel_regularizer,
            bias_regularizer,
            use_bias,
            trainable,
        )
        output_shape = tf.stack([tf.shape(inputs)[0], out_height, out_width, int(filters)])
        outputs = tf.nn.conv2d_transpose(
            inputs, kernel, output_shape, strides=[1, *strides, 1], padding=padding
        )
        # The dynamic output_shape loses the static batch size; restore it.
        outputs.set_shape([inputs.shape[0], out_height, out_width, int(filters)])
        if bias is not None:
            outputs = tf.nn.bias_add(outputs, bias)
        return activation(outputs) if activation is not None else outputs


def batch_norm(
    inputs, training, momentum=0.99, epsilon=1e-3, center=True, scale=True, name=None, reuse=None
):
    """Batch normalisation (Ioffe & Szegedy, 2015) over all axes but the last.

    In training, normalise with the batch's mean and variance and add the
    updates of the moving averages,

        moving <- momentum * moving + (1 - momentum) * batch statistic,

    to the `UPDATE_OPS` collection; the inferences run them with the train
    step of the side (generator or "Disc") whose scope created them. Outside
    training, normalise with the moving averages.

    Args:
      inputs: tensor with a known last dimension.
      training: Python bool or scalar bool tensor.
      momentum, epsilon: floats.
      center, scale: learn the offset `beta` / the scale `gamma`.

    Variables: `beta`, `gamma` (trainable), `moving_mean`,
    `moving_variance` (not trainable; in GLOBAL_VARIABLES and
    MOVING_AVERAGE_VARIABLES, so checkpoints keep them).
    """
    inputs = _as_float_tensor(inputs, "batch_norm")
    if inputs.shape.rank is None or inputs.shape[-1] is None:
        raise ValueError(f"layers.batch_norm needs a known last dimension, got {inputs.shape}.")
    check_interval(momentum, "layers.batch_norm: momentum", "[0, 1)", what="in [0, 1)")
    units = int(inputs.shape[-1])
    axes = list(range(inputs.shape.rank - 1))
    with tf.variable_scope(name, default_name="batch_norm", values=[inputs], reuse=reuse):
        beta = (
            tf.get_variable("beta", [units], inputs.dtype, tf.zeros_initializer())
            if center
            else None
        )
        gamma = (
            tf.get_variable("gamma", [units], inputs.dtype, tf.ones_initializer())
            if scale
            else None
        )
        statistics = dict(
            dtype=inputs.dtype,
            trainable=False,
            collections=[tf.GraphKeys.GLOBAL_VARIABLES, tf.GraphKeys.MOVING_AVERAGE_VARIABLES],
        )
        moving_mean = tf.get_variable(
            "moving_mean", [units], initializer=tf.zeros_initializer(), **statistics
        )
        moving_variance = tf.get_variable(
            "moving_variance", [units], initializer=tf.ones_initializer(), **statistics
        )

        def normalise_with_batch_statistics():
            mean, variance = tf.nn.moments(inputs, axes)
            for moving, value in ((moving_mean, mean), (moving_variance, variance)):
                tf.add_to_collection(
                    tf.GraphKeys.UPDATE_OPS, moving.assign_sub((1.0 - momentum) * (moving - value))
                )
            return tf.nn.batch_normalization(inputs, mean, variance, beta, gamma, epsilon)

        def normalise_with_moving_averages():
            return tf.nn.batch_normalization(
                inputs, moving_mean, moving_variance, beta, gamma, epsilon
            )

        if isinstance(training, bool):
            return (
                normalise_with_batch_statistics() if training else normalise_with_moving_averages()
            )
        training = tf.convert_to_tensor(training)
        # Under a training tensor, the statistics and their updates are built
        # unconditionally (ops created inside tf.cond could not be run by the
        # train step); the moving averages then move on every training step.
        mean, variance = tf.nn.moments(inputs, axes)
        for moving, value in ((moving_mean, mean), (moving_variance, variance)):
            update = tf.cond(
                training,
                lambda m=moving, v=value: m.assign_sub((1.0 - momentum) * (m - v)),
                lambda m=moving: tf.identity(m),
            )
            tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, update)
        return tf.cond(
            training,
            lambda: tf.nn.batch_normalization(inputs, mean, variance, beta, gamma, epsilon),
            normalise_with_moving_averages,
        )


def leaky_relu(inputs, alpha=0.2, name=None):
    """max(x, alpha * x), the DCGAN discriminator's activation."""
    return tf.nn.leaky_relu(inputs, alpha=alpha, name=name)


def flatten(inputs, name=None):
    """Reshape [batch, d1, d2, ...] to [batch, d1 * d2 * ...], keeping static shapes."""
    inputs = tf.convert_to_tensor(inputs)
    if inputs.shape.rank is None or not inputs.shape[1:].is_fully_defined():
        raise ValueError(f"layers.flatten needs known non-batch dimensions, got {inputs.shape}.")
    size = int(inputs.shape[1:].num_elements())
    outputs = tf.reshape(inputs, [-1, size], name=name)
    outputs.set_shape([inputs.shape[0], size])
    return outputs


def minibatch_stddev(inputs, group_size=None, epsilon=1e-8, name=None):
    """Append the batch's spread as one more feature (Karras et al., 2018).

    For groups of `group_size` examples, the standard deviation of every
    feature over the group, averaged over features,

        s = mean_f sqrt(Var_group[x_f] + epsilon),

    is appended to each example of the group: one more unit for inputs
    [batch, features], one more constant channel for images [batch, height,
    width, channels]. A discriminator that sees it can tell a batch of
    samples with too little variety (a generator that draws the same few
    digits) from a batch of data, which a per-example discriminator cannot.
    Example i belongs to group i mod (batch / group_size), as in the
    reference implementation. Call the discriminator on data and on
    samples separately (as the inferences do), so no group mixes the two.

    Args:
      inputs: float tensor of rank 2 or 4.
      group_size: int, optional. Examples per group; must divide the batch.
        Default: the whole batch is one group.
      epsilon: float. Keeps the square root differentiable at zero spread.

    #### Examples

    ```python
    images = tf.reshape(x, [M, 28, 28, 1])
    net = layers.conv2d(images, 128, 5, strides=2, activation=layers.leaky_relu)
    net = layers.minibatch_stddev(net, group_size=4)  # [M, 14, 14, 129]
    ```
    """
    inputs = _as_float_tensor(inputs, "minibatch_stddev")
    rank = inputs.shape.rank
    if rank not in (2, 4) or not inputs.shape[1:].is_fully_defined():
        raise ValueError(
            "layers.minibatch_stddev needs [batch, features] or [batch, height, width, "
            f"channels] inputs with known non-batch dimensions, got shape {inputs.shape}."
        )
    if group_size is not None:
        group_size = check_int(
            group_size,
            "layers.minibatch_stddev: group_size",
            minimum=2,
            what="an int >= 2 (a spread needs two examples) or None for the whole batch",
        )
        batch = inputs.shape[0]
        if batch is not None and batch % group_size:
            raise ValueError(
                f"layers.minibatch_stddev: group_size {group_size} does not divide the batch "
                f"of {batch}; pick a divisor, or None for the whole batch."
            )
    with tf.name_scope(name or "minibatch_stddev"):
        shape = tf.shape(inputs)
        groups = shape[0] if group_size is None else group_size
        checks = (
            []
            if group_size is None
            else [
                tf.debugging.assert_equal(
                    shape[0] % group_size,
                    0,
                    message=f"layers.minibatch_stddev: group_size {group_size} must divide "
                    "the batch",
                )
            ]
        )
        with tf.control_dependencies(checks):
            grouped = tf.reshape(inputs, tf.concat([[groups, -1], shape[1:]], 0))
        variance = tf.reduce_mean(tf.square(grouped - tf.reduce_mean(grouped, 0, keepdims=True)), 0)
        spread = tf.reduce_mean(tf.sqrt(variance + epsilon), list(range(1, rank)))
        spread = tf.tile(spread, [groups])  # example i gets its group's, i mod (batch / groups)
        feature = tf.reshape(spread, [-1] + [1] * (rank - 1)) * tf.ones_like(inputs[..., :1])
        outputs = tf.concat([inputs, feature], -1)
    outputs.set_shape(inputs.shape[:-1].concatenate([inputs.shape[-1] + 1]))
    return outputs


def _is_kernel(name):
    return name.split("/")[-1] == "kernel"


# Graph attribute: normalised kernel by variable name (see spectral_norm_getter).
_SPECTRAL_NORMS = "_gan_infer_spectral_norms"


def spectral_norm_getter(power_iterations=1, epsilon=1e-12, name_filter=_is_kernel):
    """A custom getter that divides kernels by their largest singular value.

    Spectral normalisation (Miyato et al., 2018) makes every layer of a
    discriminator 1-Lipschitz: each kernel W, reshaped to a matrix
    [fan_in, units], is replaced by W / sigma(W). The largest singular value
    sigma is tracked by power iteration with a persistent vector u, one step
    per training step,

        v <- W u / ||W u||,    u <- W^T v / ||W^T v||,    sigma = v^T W u,

    and gradients flow through W / sigma with u and v held constant. The
    assignment to u joins the `UPDATE_OPS` collection, like batch norm's
    moving averages, so the inferences run it with the train step of the
    side (here: "Disc") whose scope owns it.

    Use it by re-entering the discriminator's variable scope with the
    getter, so variable names do not change:

    ```python
    def discriminative_network(x):
        with tf.variable_scope(tf.get_variable_scope(),
                               custom_getter=layers.spectral_norm_getter(),
                               auxiliary_name_scope=False):
            net = layers.conv2d(x, 64, 5, strides=2, activation=layers.leaky_relu)
            net = layers.flatten(net)
            return layers.dense(net, 1)
    ```

    Args:
      power_iterations: int >= 1. Power-iteration steps per forward pass
        (one suffices: u carries over from step to step).
      epsilon: float. Guards the normalisations against division by zero.
      name_filter: callable name -> bool choosing the variables to
        normalise. Default: those named `kernel` (weights, not biases or
        batch-norm parameters).

    Returns:
      A getter for `tf.variable_scope(..., custom_getter=...)`. Each
      normalised kernel gets a non-trainable companion `<kernel>/sn_u`
      [units] in `GLOBAL_VARIABLES`, so checkpoints keep it.
    """
    check_int(power_iterations, "spectral_norm_getter: power_iterations", what="an int >= 1")
    if not callable(name_filter):
        raise TypeError(
            f"spectral_norm_getter: name_filter must be callable name -> bool, got {name_filter!r}."
        )

    # TF calls custom getters with keyword arguments, the next getter as `getter`.
    def normalising_getter(getter, name, *args, **kwargs):
        variable = getter(name, *args, **kwargs)
        if kwargs.get("trainable") is False or not name_filter(name):
            return variable
        if variable.shape.rank is None or variable.shape.rank < 2:
            raise ValueError(
                f"spectral_norm_getter: {name} has shape {variable.shape}; only "
                "kernels of rank >= 2 have a spectral norm. Narrow name_filter."
            )
        # Every call of the discriminator (on data, on samples, at
        # interpolates) reuses the first call's normalised kernel: one read
        # of u and one update per step, so no call can read u after
        # another's update has written it (which made runs unrepeatable).
        normalised = getattr(tf.get_default_graph(), _SPECTRAL_NORMS, {})
        if name in normalised:
            return normalised[name]
        units = int(variable.shape[-1])
        u = getter(
            name + "/sn_u",
            shape=[units],
            dtype=variable.dtype,
            initializer=tf.random_normal_initializer(),
            trainable=False,
            collections=[tf.GraphKeys.GLOBAL_VARIABLES],
        )
        # TF builds custom getters outside any name scope; naming the ops
        # after the kernel puts the update under the scope that owns it.
        with tf.name_scope(name + "/spectral_norm/"):
            matrix = tf.reshape(variable, [-1, units])
            u_estimate = tf.identity(u)
            for _ in range(power_iterations):
                v = tf.math.l2_normalize(tf.linalg.matvec(matrix, u_estimate), epsilon=epsilon)
                u_estimate = tf.math.l2_normalize(
                    tf.linalg.matvec(matrix, v, transpose_a=True), epsilon=epsilon
                )
            u_estimate, v = tf.stop_gradient(u_estimate), tf.stop_gradient(v)
            sigma = tf.tensordot(v, tf.linalg.matvec(matrix, u_estimate), 1)
            tf.add_to_collection(tf.GraphKeys.UPDATE_OPS, u.assign(u_estimate))
            normalised[name] = variable / sigma
        setattr(tf.get_default_graph(), _SPECTRAL_NORMS, normalised)
        return normalised[name]

    return normalising_getter


def _check_scale(scale, which):
    return check_number(scale, f"{which}: scale", low=0.0)


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
