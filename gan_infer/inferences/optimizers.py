"""Building TF1 optimizers from Edward-style arguments."""

import tensorflow as tf2
import tensorflow.compat.v1 as tf

__all__ = ["build_optimizer", "OPTIMIZER_NAMES"]

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
