"""Normalisation: batch norm, the minibatch standard deviation feature, and
spectral normalisation of kernels."""

import tensorflow.compat.v1 as tf

from gan_infer.layers.inputs import as_float_tensor
from gan_infer.layers.mixed_precision import to_compute_dtype, variable_dtype
from gan_infer.util.checks import check_int, check_interval

__all__ = ["batch_norm", "minibatch_stddev", "spectral_norm_getter"]


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
    MOVING_AVERAGE_VARIABLES, so checkpoints keep them). Under a
    `precision` block they are float32 and so is the whole computation,
    whatever the inputs' dtype: statistics of bfloat16 values would keep too
    few digits.
    """
    inputs = as_float_tensor(inputs, "batch_norm")
    if inputs.shape.rank is None or inputs.shape[-1] is None:
        raise ValueError(f"layers.batch_norm needs a known last dimension, got {inputs.shape}.")
    check_interval(momentum, "layers.batch_norm: momentum", "[0, 1)", what="in [0, 1)")
    inputs = to_compute_dtype(inputs, variable_dtype(inputs))
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
    inputs = as_float_tensor(inputs, "minibatch_stddev")
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
