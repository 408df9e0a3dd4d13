"""Activation functions that tf.layers users reached for under `layers`."""

import tensorflow.compat.v1 as tf

__all__ = ["leaky_relu"]


def leaky_relu(inputs, alpha=0.2, name=None):
    """max(x, alpha * x), the DCGAN discriminator's activation."""
    return tf.nn.leaky_relu(inputs, alpha=alpha, name=name)
