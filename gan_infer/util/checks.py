"""Argument checks shared by the whole package (numpy-free, TensorFlow-free).

Every public function checks one value and returns it converted (an `int`
or a `float`), or raises an error whose message names the argument, what it
must be, and the value received:

    n_iter must be a positive int, got 0.

`what` replaces the description ("a positive int") where a caller has a more
useful one ("a non-negative int (0 disables printing)"); `error` picks the
exception class (ValueError by default; the command line passes its own
usage error). A bool is never accepted as a number: `True` as a batch size
is a bug, not a 1.

#### Examples

```python
from gan_infer.util.checks import check_int, check_number

n_iter = check_int(15000, "n_iter")                    # 15000
n_print = check_int(0, "n_print", minimum=0)            # 0
disc_steps = check_int(None, "disc_steps", allow_none=True)   # None
decay = check_number(0.999, "ema_decay", low=0.0, high=1.0,
                     inclusive=False)                    # 0.999
```
"""

import math
import numbers

__all__ = ["check_int", "check_interval", "check_number", "is_int", "is_number"]


def is_int(value):
    """True for an integral number that is not a bool (numpy ints included)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def is_number(value):
    """True for a real number that is not a bool (numpy scalars included)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _int_description(minimum, allow_none):
    if minimum == 1:
        text = "a positive int"
    elif minimum == 0:
        text = "a non-negative int"
    elif minimum is None:
        text = "an int"
    else:
        text = f"an int >= {minimum}"
    return f"None or {text}" if allow_none else text


def check_int(
    value, name, minimum=1, *, maximum=None, allow_none=False, what=None, error=ValueError
):
    """`value` as an int, if it is an int in [minimum, maximum]; else `error`.

    Args:
      value: the argument to check.
      name: str. Its name, as the user wrote it (`"n_iter"`, `"--n-iter"`).
      minimum: int or None. Smallest accepted value (default 1; None: no bound).
      maximum: int, optional. Largest accepted value.
      allow_none: bool. Accept (and return) None.
      what: str, optional. The description in the message, e.g. "a positive
        int (the number of critic steps)".
      error: exception class raised (called with the message).
    """
    if value is None and allow_none:
        return None
    if (
        not is_int(value)
        or (minimum is not None and value < minimum)
        or (maximum is not None and value > maximum)
    ):
        description = what or _int_description(minimum, allow_none)
        if maximum is not None and what is None:
            description += f" <= {maximum}"
        raise error(f"{name} must be {description}, got {value!r}.")
    return int(value)


def check_number(
    value,
    name,
    *,
    low=None,
    high=None,
    inclusive=True,
    allow_none=False,
    what=None,
    error=ValueError,
):
    """`value` as a float, if it is a finite real number within the bounds.

    Args:
      value: the argument to check.
      name: str. Its name, as the user wrote it.
      low, high: float, optional. Bounds of the accepted interval.
      inclusive: bool. Whether the bounds themselves are accepted.
      allow_none: bool. Accept (and return) None.
      what: str, optional. The description in the message (default from the
        bounds, e.g. "a number in (0, 1)").
      error: exception class raised (called with the message).
    """
    if value is None and allow_none:
        return None
    ok = is_number(value) and math.isfinite(value)
    if ok and low is not None:
        ok = value >= low if inclusive else value > low
    if ok and high is not None:
        ok = value <= high if inclusive else value < high
    if not ok:
        description = what or _number_description(low, high, inclusive)
        if allow_none and what is None:
            description = "None or " + description
        raise error(f"{name} must be {description}, got {value!r}.")
    return float(value)


def _number_description(low, high, inclusive):
    if low is not None and high is not None:
        left, right = ("[", "]") if inclusive else ("(", ")")
        return f"a number in {left}{low:g}, {high:g}{right}"
    if low is not None:
        if low == 0:
            return "a non-negative number" if inclusive else "a positive number"
        return f"a number {'>=' if inclusive else '>'} {low:g}"
    if high is not None:
        return f"a number {'<=' if inclusive else '<'} {high:g}"
    return "a finite number"


def check_interval(value, name, interval, *, what=None, error=ValueError):
    """`value` as a float, if it is a real number in `interval`; else `error`.

    `interval` is written as in mathematics, each end open or closed:
    ``"[0, 1)"`` means 0 <= value < 1, ``"(0, inf)"`` means value > 0 and
    finite. NaN is never inside; a bool is never a number.

    Args:
      value: the argument to check.
      name: str. Its name, as the user wrote it.
      interval: str. "[low, high]", "[low, high)", "(low, high]" or "(low, high)";
        the ends are anything `float` reads ("0", "1e-3", "inf", "-inf").
      what: str, optional. The description in the message (default
        "a number in <interval>").
      error: exception class raised (called with the message).

    #### Examples

    ```python
    from gan_infer.util.checks import check_interval

    rate = check_interval(0.5, "rate", "[0, 1)")         # 0.5
    lr = check_interval(2e-3, "learning_rate", "(0, inf)")
    ```
    """
    low, high, closed_low, closed_high = _parse_interval(interval)
    ok = is_number(value) and not math.isnan(value)
    if ok:
        ok = (value >= low if closed_low else value > low) and (
            value <= high if closed_high else value < high
        )
    if not ok:
        raise error(f"{name} must be {what or 'a number in ' + interval}, got {value!r}.")
    return float(value)


def _parse_interval(interval):
    text = interval.strip()
    if len(text) < 5 or text[0] not in "[(" or text[-1] not in ")]" or text.count(",") != 1:
        raise ValueError(f"interval must look like '[0, 1)', got {interval!r}.")
    low, high = (float(part) for part in text[1:-1].split(","))
    return low, high, text[0] == "[", text[-1] == "]"
