"""Checks of layer inputs and arguments, shared by the layer modules.

Public within `gan_infer.layers` (each layer module imports them), not
re-exported by the package: users call the layers, not these.

#### Examples

```python
x = as_float_tensor(tf.zeros([2, 3]), "dense")
assert pair(3, "kernel_size", "conv2d") == (3, 3)
assert padding_mode("same", "conv2d") == "SAME"
```
"""

import tensorflow.compat.v1 as tf

from gan_infer.util.checks import is_int
from gan_infer.util.session import require_graph_mode

__all__ = ["as_float_tensor", "image_channels", "known_last_dimension", "padding_mode", "pair"]


def as_float_tensor(inputs, layer):
    """`inputs` as a floating-point tensor; refuses integer inputs naming `layer`."""
    require_graph_mode(f"gan_infer.layers.{layer}")
    inputs = tf.convert_to_tensor(inputs)
    if not inputs.dtype.is_floating:
        raise TypeError(
            f"layers.{layer} needs floating-point inputs, got {inputs.dtype.name} "
            f"tensor {inputs.name}; cast it first, e.g. tf.cast(x, tf.float32)."
        )
    return inputs


def known_last_dimension(inputs, layer):
    """The static size of the last axis of `inputs`, which a kernel needs."""
    in_dim = inputs.shape[-1] if inputs.shape.rank else None
    if in_dim is None:
        raise ValueError(
            f"layers.{layer} needs the last dimension of its input to be known, got shape "
            f"{inputs.shape} for {inputs.name}; give the tensor a static shape (tf.reshape)."
        )
    return int(in_dim)


def pair(value, what, layer):
    """(int, int) from an int or a pair of positive ints."""
    if is_int(value):
        value = (value, value)
    value = tuple(value)
    if len(value) != 2 or not all(is_int(v) and v > 0 for v in value):
        raise ValueError(
            f"layers.{layer}: {what} must be a positive int or a pair of them, got {value!r}."
        )
    return tuple(int(v) for v in value)


def padding_mode(value, layer):
    """'SAME' or 'VALID' from either case."""
    value = str(value).upper()
    if value not in ("SAME", "VALID"):
        raise ValueError(f"layers.{layer}: padding must be 'same' or 'valid', got {value!r}.")
    return value


def image_channels(inputs, layer):
    """The channels of a 4-D NHWC tensor."""
    if inputs.shape.rank != 4 or inputs.shape[-1] is None:
        raise ValueError(
            f"layers.{layer} needs a 4-D NHWC input with a known number of channels, got shape "
            f"{inputs.shape} for {inputs.name}; reshape it, e.g. tf.reshape(x, [-1, 28, 28, 1])."
        )
    return int(inputs.shape[-1])
