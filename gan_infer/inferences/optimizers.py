"""Building TF1 optimizers from Edward-style arguments, and schedules of
their hyper-parameters."""

import numpy as np
import tensorflow as tf2
import tensorflow.compat.v1 as tf

from gan_infer.util.checks import check_number

__all__ = ["build_optimizer", "OPTIMIZER_NAMES", "exponential_decay", "linear_ramp"]

OPTIMIZER_NAMES = ("adam", "rmsprop", "gradientdescent", "momentum", "adagrad", "adadelta", "ftrl")


def build_optimizer(optimizer, global_step, which):
    """Edward 1.3.5's optimizer defaults.

    - `optimizer=None` with no `global_step`: Adam with learning rate
      0.1 * 0.9^floor(step / 100) on a new global-step variable.
    - a name: that optimizer with learning rate 0.01, or the decayed rate
      above when a `global_step` variable is given (momentum 0.9).
    - a `tf.compat.v1.train.Optimizer`: used as it is.

    Returns:
      (optimizer, global_step): `global_step` may be None.
    """
    if optimizer is None and global_step is None:
        global_step = tf.Variable(0, trainable=False, name="global_step")
    if global_step is not None and not isinstance(global_step, tf2.Variable):
        raise TypeError(f"{which} global step must be a tf.Variable or None, got {global_step!r}.")
    if isinstance(global_step, tf2.Variable):
        learning_rate = tf.train.exponential_decay(0.1, global_step, 100, 0.9, staircase=True)
    else:
        learning_rate = 0.01

    if optimizer is None:
        return tf.train.AdamOptimizer(learning_rate), global_step
    if isinstance(optimizer, str):
        constructors = {
            "adam": lambda: tf.train.AdamOptimizer(learning_rate),
            "rmsprop": lambda: tf.train.RMSPropOptimizer(learning_rate),
            "gradientdescent": lambda: tf.train.GradientDescentOptimizer(learning_rate),
            "momentum": lambda: tf.train.MomentumOptimizer(learning_rate, 0.9),
            "adagrad": lambda: tf.train.AdagradOptimizer(learning_rate),
            "adadelta": lambda: tf.train.AdadeltaOptimizer(learning_rate),
            "ftrl": lambda: tf.train.FtrlOptimizer(learning_rate),
        }
        key = optimizer.lower().replace("_", "")
        if key not in constructors:
            raise ValueError(
                f"Unknown {which} optimizer {optimizer!r}; use one of "
                f"{', '.join(OPTIMIZER_NAMES)}, or pass a tf.compat.v1.train.Optimizer."
            )
        return constructors[key](), global_step
    if isinstance(optimizer, tf.train.Optimizer):
        return optimizer, global_step
    raise TypeError(
        f"The {which} optimizer must be None, a name or a tf.compat.v1.train.Optimizer "
        f"(e.g. tf.compat.v1.train.AdamOptimizer(2e-4)), got {type(optimizer).__name__}. "
        "Keras optimizers (tf.keras.optimizers.*) do not work in graph mode sessions."
    )


def exponential_decay(initial, step, factor, minimum=0.0):
    """A rate divided by `factor` at every step, never below `minimum`:

        lr_t = max(minimum, initial / factor^t).

    This is pylearn2's `ExponentialDecay(decay_factor, min_lr)`, the
    schedule of Goodfellow et al. (2014): 0.1 / 1.000004^t with floor 1e-6
    (the rate falls by a factor e^-1 every 250,000 updates). The power is
    taken in float64: in float32, 1.000004^t would be off by ~1 % after
    125,000 steps.

    Args:
      initial: float > 0. The rate at step 0.
      step: int or integer tensor. Updates done so far, e.g. an inference's
        iteration counter `inference.t`.
      factor: float >= 1. Divisor per step.
      minimum: float >= 0. Floor of the rate.

    Returns:
      A float32 scalar tensor (usable as an optimizer's learning rate).

    #### Examples

    ```python
    t = tf.Variable(0, trainable=False)
    lr = exponential_decay(0.1, t, 1.000004, minimum=1e-6)
    optimizer = tf.train.MomentumOptimizer(lr, momentum=0.5)
    ```
    """
    check_number(initial, "exponential_decay: initial", low=0.0, inclusive=False)
    check_number(factor, "exponential_decay: factor", low=1.0)
    check_number(minimum, "exponential_decay: minimum", low=0.0)
    step = tf.cast(step, tf.float64)
    rate = tf.maximum(float(initial) * tf.exp(-step * np.log(float(factor))), float(minimum))
    return tf.cast(rate, tf.float32)


def linear_ramp(step, start_value, end_value, begin, end):
    """A value moving linearly from `start_value` at step `begin` to
    `end_value` at step `end`, constant before and after:

        v_s = start_value + (end_value - start_value) * clip((s - begin) / (end - begin), 0, 1).

    With s the epoch, this is pylearn2's `MomentumAdjustor(start, saturate,
    final_momentum)`: Goodfellow et al. (2014) raised the momentum from 0.5
    to 0.7 over the first 250 epochs, `linear_ramp(epoch, 0.5, 0.7, 0, 249)`
    with epochs counted from 0 (the adjustor counted from 1 and saturated at
    its 250th call).

    Args:
      step: number or numeric tensor (e.g. `inference.t // batches_per_epoch`).
      start_value, end_value: floats.
      begin, end: numbers with begin < end.

    Returns:
      A float32 scalar tensor.

    #### Examples

    ```python
    t = tf.Variable(0, trainable=False)
    momentum = linear_ramp(t // 500, 0.5, 0.7, 0, 249)   # 500 batches an epoch
    optimizer = tf.train.MomentumOptimizer(0.1, momentum)
    ```
    """
    begin = check_number(begin, "linear_ramp: begin")
    end = check_number(end, "linear_ramp: end")
    if not end > begin:
        raise ValueError(f"linear_ramp: end must come after begin, got begin={begin}, end={end}.")
    check_number(start_value, "linear_ramp: start_value")
    check_number(end_value, "linear_ramp: end_value")
    fraction = tf.clip_by_value((tf.cast(step, tf.float64) - begin) / (end - begin), 0.0, 1.0)
    return tf.cast(start_value + (end_value - start_value) * fraction, tf.float32)
