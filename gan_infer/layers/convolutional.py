"""Convolutions over NHWC images (tf.layers' `convolutional` module)."""

import tensorflow.compat.v1 as tf

from gan_infer.layers.inputs import as_float_tensor, image_channels, padding_mode, pair
from gan_infer.layers.mixed_precision import product_dtype, to_compute_dtype, variable_dtype

__all__ = ["conv2d", "conv2d_transpose"]


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
    """The kernel, read in the dtype of the product (`precision`), and the bias
    (or None), in the variables' dtype: float32 under a precision, else the
    inputs'."""
    kernel = tf.get_variable(
        "kernel",
        kernel_shape,
        dtype=variable_dtype(inputs),
        initializer=kernel_initializer or tf.glorot_uniform_initializer(),
        regularizer=kernel_regularizer,
        trainable=trainable,
    )
    bias = None
    if use_bias:
        bias = tf.get_variable(
            "bias",
            [units],
            dtype=variable_dtype(inputs),
            initializer=bias_initializer or tf.zeros_initializer(),
            regularizer=bias_regularizer,
            trainable=trainable,
        )
    return to_compute_dtype(kernel, product_dtype(inputs)), bias


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
    inputs = as_float_tensor(inputs, "conv2d")
    channels = image_channels(inputs, "conv2d")
    kernel_size = pair(kernel_size, "kernel_size", "conv2d")
    strides = pair(strides, "strides", "conv2d")
    padding = padding_mode(padding, "conv2d")
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
        weights_dtype = variable_dtype(inputs)
        inputs = to_compute_dtype(inputs, product_dtype(inputs))
        outputs = tf.nn.conv2d(inputs, kernel, strides=[1, *strides, 1], padding=padding)
        outputs = to_compute_dtype(outputs, weights_dtype)
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
    inputs = as_float_tensor(inputs, "conv2d_transpose")
    channels = image_channels(inputs, "conv2d_transpose")
    kernel_size = pair(kernel_size, "kernel_size", "conv2d_transpose")
    strides = pair(strides, "strides", "conv2d_transpose")
    padding = padding_mode(padding, "conv2d_transpose")
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
        weights_dtype = variable_dtype(inputs)
        inputs = to_compute_dtype(inputs, product_dtype(inputs))
        output_shape = tf.stack([tf.shape(inputs)[0], out_height, out_width, int(filters)])
        outputs = tf.nn.conv2d_transpose(
            inputs, kernel, output_shape, strides=[1, *strides, 1], padding=padding
        )
        # The dynamic output_shape loses the static batch size; restore it.
        outputs.set_shape([inputs.shape[0], out_height, out_width, int(filters)])
        outputs = to_compute_dtype(outputs, weights_dtype)
        if bias is not None:
            outputs = tf.nn.bias_add(outputs, bias)
        return activation(outputs) if activation is not None else outputs
