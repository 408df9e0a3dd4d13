"""Blur: Gaussian noise on the observations a ratio estimator sees.

A classifier that must tell a single observation, or data much narrower
than the model's noise, from the model's simulations draws a sharp
boundary, and only roughly; noise of width h on both sides,

    x -> x + h e,  e ~ N(0, I),

turns the model's density into p_h(x | beta) = integral p(x' | beta)
N(x; x', h^2 I) dx', whose log ratio is smooth enough to learn. For a
simulator with one observation x_o, p_h(x_o | theta) is the likelihood of
ABC with a Gaussian kernel of width h. `ImplicitKLqp.initialize(blur=h)`
and `PooledImplicitKLqp`'s use these two functions.

#### Examples

```python
x = tf.placeholder(tf.float32, [None, 2])
widths = checked_blur({x: [0.1, 0.5]}, {x: x})
noisy = blurred({x: x}, widths)[x]
values = ed.get_session().run(noisy, {x: np.zeros((10000, 2), np.float32)})
assert np.allclose(values.std(axis=0), [0.1, 0.5], rtol=0.05)
```
"""

import numpy as np
import tensorflow.compat.v1 as tf

__all__ = ["blurred", "checked_blur"]


def checked_blur(blur, data):
    """`{x: widths}` (float64 arrays) for the observed variables `blur` widens.

    Args:
      blur: None, a width h >= 0 for every observed variable, an array of
        one width per summary (broadcast against x's shape from the last
        axis), or a dict `{x: h}` keyed by the keys of `data`.
      data: dict, the inference's observed variables and their values.

    Returns:
      dict; empty when nothing is blurred (no blur, or every width 0).
    """
    if blur is None:
        return {}
    widths = blur if isinstance(blur, dict) else {x: blur for x in data}
    checked = {}
    for x, width in widths.items():
        name = getattr(x, "name", x)
        if x not in data:
            raise ValueError(
                f"blur has the key {name!r}, which is not in data; key it by the observed "
                "variables that data binds, or give one width for all: blur=0.3."
            )
        array = _widths(width)
        if array is None:
            raise ValueError(
                f"blur for {name} must be a width >= 0 (a number, or an array of one width "
                f"per summary), got {width!r}."
            )
        value = tf.convert_to_tensor(data[x])
        if not value.dtype.is_floating:
            raise TypeError(
                f"blur for {name}: its observations are {value.dtype.name}, and noise can only "
                "be added to floating-point values; bind them as float32 (e.g. "
                "x_train.astype(np.float32)) or leave them unblurred."
            )
        _check_broadcast(name, array.shape, value.shape)
        if np.any(array > 0):
            checked[x] = array
    return checked


def blurred(observations, widths):
    """Each observation x plus widths[x] times standard normal noise (x unchanged
    where no width is given)."""
    return {
        x: value
        + tf.cast(widths[x], value.dtype) * tf.random.normal(tf.shape(value), dtype=value.dtype)
        if x in widths
        else value
        for x, value in observations.items()
    }


def _widths(width):
    """`width` as a float64 array of finite numbers >= 0, or None."""
    items = np.asarray(width, dtype=object).ravel()
    numbers = all(
        isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))
        for v in items
    )
    if not numbers or items.size == 0:
        return None
    array = np.asarray(width, np.float64)
    return array if np.all(np.isfinite(array)) and np.all(array >= 0) else None


def _check_broadcast(name, widths_shape, shape):
    """The widths broadcast to x's shape without changing it (unknown sizes
    taken as any)."""
    if shape.rank is None:
        return
    dims = shape.as_list()
    fits = len(widths_shape) <= len(dims) and all(
        w == 1 or d is None or w == d for w, d in zip(reversed(widths_shape), reversed(dims))
    )
    if not fits:
        raise ValueError(
            f"blur for {name} has shape {widths_shape}, which does not broadcast to "
            f"{name}'s shape {tuple(dims)}: give one width, or one per summary (the last axis)."
        )
