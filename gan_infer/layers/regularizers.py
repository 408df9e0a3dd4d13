"""Weight penalties: the regularizers a layer adds to REGULARIZATION_LOSSES."""

import tensorflow.compat.v1 as tf

from gan_infer.util.checks import check_number

__all__ = ["l2_regularizer", "l1_regularizer"]


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
