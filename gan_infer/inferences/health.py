"""Is training still healthy? What an update's values say, in words.

Every update's losses, and on print steps the parameters, are read for the
signs of a run that went wrong: NaN or Inf (diverged: nothing later can
recover), or values so large that no model of data in a sane range needs
them (exploding: finite garbage, a learning rate far too large). `run()`
stops at the first; a hand-written `update()` loop is warned once of each,
since the loop is the user's (see `Inference.diverged`).

#### Examples

```python
assert nonfinite_problems({"loss": float("nan"), "loss_d": 0.7}) == ["loss became nan"]
assert exploding_problems({"loss": 3e7, "loss_d": 0.7}, max_abs_parameter=2.0) == [
    "loss reached 3e+07"
]
```
"""

import re
import warnings

import numpy as np
import tensorflow.compat.v1 as tf

__all__ = [
    "EXPLODING",
    "WON_LOSS",
    "WON_ITERATIONS",
    "DiscriminatorStreak",
    "nonfinite_problems",
    "exploding_problems",
    "largest_parameter",
    "numerics_error",
    "warn_once",
]

#: A loss or a parameter larger than this in magnitude is taken for a
#: training that explodes: GAN and ratio losses are O(1)-O(100) on data in a
#: sane range, and weights of 10^6 make every activation saturate.
EXPLODING = 1e6


#: A discriminator whose cross-entropy stays below WON_LOSS for WON_ITERATIONS
#: iterations in a row has won: sigmoid(D) saturates on every sample, and the
#: generator's gradient through it carries almost nothing (healthy runs of the
#: examples sit at 0.3-1.4; the collapsed paper runs at 0.000 for 100,000s).
WON_LOSS, WON_ITERATIONS = 1e-3, 2000


class DiscriminatorStreak:
    """Since which iteration the discriminator's loss has stayed in [0, WON_LOSS).

    #### Examples

    ```python
    streak = DiscriminatorStreak()
    assert not any(streak.update(1e-5, t) for t in range(1, WON_ITERATIONS + 1))
    assert streak.update(1e-5, WON_ITERATIONS + 1)     # 2,000 iterations after the first
    assert not streak.update(0.7, WON_ITERATIONS + 2)  # a loss above it starts again
    ```
    """

    def __init__(self):
        self.since = None

    def update(self, loss_d, t):
        """Record iteration t's loss; True once the streak spans WON_ITERATIONS."""
        won = isinstance(loss_d, (float, np.floating)) and 0.0 <= loss_d < WON_LOSS
        if not won:
            self.since = None
            return False
        if self.since is None:
            self.since = t
        return t - self.since >= WON_ITERATIONS


def nonfinite_problems(values):
    """`"<name> became <value>"` for each fetched float that is NaN or Inf."""
    return [
        f"{name} became {value}"
        for name, value in values.items()
        if isinstance(value, (float, np.floating)) and not np.isfinite(value)
    ]


def exploding_problems(values, max_abs_parameter=None):
    """`"<name> reached <value>"` for each finite float, and the parameters'
    largest magnitude, beyond `EXPLODING`."""
    problems = [
        f"{name} reached {value:.3g}"
        for name, value in values.items()
        if isinstance(value, (float, np.floating)) and np.isfinite(value) and abs(value) > EXPLODING
    ]
    if max_abs_parameter is not None and EXPLODING < max_abs_parameter < np.inf:
        problems.append(f"a parameter reached {max_abs_parameter:.3g} in magnitude")
    return problems


def largest_parameter(variables):
    """A scalar tensor: the largest |value| over the float `variables` (0 if none)."""
    floats = [v for v in variables if v.dtype.base_dtype.is_floating]
    if not floats:
        return tf.constant(0.0)
    return tf.reduce_max(
        tf.stack([tf.cast(tf.reduce_max(tf.abs(v)), tf.float32) for v in floats]),
        name="largest_parameter",
    )


def numerics_error(error, debug, iteration):
    """The FloatingPointError that replaces a debug-mode `check_numerics`
    failure (an InvalidArgumentError), or None when `error` is another one."""
    found = re.search(r"(NaN or Inf in [^\n]*?) : Tensor had (\w+) values", error.message)
    if not (debug and found):
        return None
    return FloatingPointError(
        f"{found.group(1)} at iteration {iteration} ({found.group(2)} values). Training stopped "
        "before applying this update; lower the learning rate or check the model and the data."
    )


def warn_once(owner, flag, message, stacklevel=5):
    """Warn (RuntimeWarning) unless `owner.<flag>` says it was done already."""
    if getattr(owner, flag, False):
        return
    setattr(owner, flag, True)
    warnings.warn(message, RuntimeWarning, stacklevel=stacklevel)
