"""Input checks shared by the criticism metrics: real arrays in, clear errors out.

Each function takes the array (or number) and the argument's name as the user
wrote it, and returns the value converted, or raises an error that names the
argument and says how to fix the call.
"""

import numpy as np

from gan_infer.util.checks import check_int, check_number

__all__ = ["as_array", "as_matrix", "check_finite", "positive_int", "positive_number", "same_width"]


def as_array(x, name):
    """`x` as a real numpy array (bools become float64); TypeError for other dtypes."""
    x = np.asarray(x)
    if x.dtype == bool:
        return x.astype(np.float64)
    if not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
        raise TypeError(
            f"`{name}` must hold real numbers, got dtype {x.dtype}; "
            f"convert it with np.asarray({name}, dtype=np.float32)."
        )
    return x


def check_finite(x, name):
    """ValueError if a floating-point `x` holds NaN or infinite values."""
    if np.issubdtype(x.dtype, np.floating) and not np.isfinite(x).all():
        bad = int(np.size(x) - np.count_nonzero(np.isfinite(x)))
        raise ValueError(
            f"`{name}` contains {bad} NaN or infinite values; drop or fix those "
            f"rows before computing the metric (a diverged generator emits NaNs)."
        )


def as_matrix(x, name, min_rows=1):
    """A finite real (n, D) array with n >= min_rows, or a clear error."""
    x = as_array(x, name)
    if x.ndim != 2:
        raise ValueError(
            f"`{name}` must be 2-D with shape (n, D), got shape {x.shape}; "
            f"flatten images with {name}.reshape(len({name}), -1)."
        )
    if x.shape[0] < min_rows:
        rows = "row" if min_rows == 1 else "rows"
        raise ValueError(f"`{name}` needs at least {min_rows} {rows}, got {x.shape[0]}.")
    if x.shape[1] < 1:
        raise ValueError(f"`{name}` has no feature columns (shape {x.shape}).")
    check_finite(x, name)
    return x


def same_width(a, name_a, b, name_b):
    """ValueError unless the (n, D) arrays `a` and `b` have the same D."""
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"`{name_a}` and `{name_b}` must have the same number of features, "
            f"got {a.shape[1]} and {b.shape[1]}; compute both with the same "
            f"feature extractor / image size."
        )


def positive_int(value, name, minimum=1):
    """`value` as an int >= minimum; ValueError "`name` must be an integer >= minimum"."""
    return check_int(value, f"`{name}`", minimum, what=f"an integer >= {minimum}")


def positive_number(value, name):
    """`value` as a positive finite float; TypeError if it is not a number at all."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a positive number, got {value!r}.") from None
    return check_number(
        value, f"`{name}`", low=0.0, inclusive=False, what="a positive finite number"
    )
