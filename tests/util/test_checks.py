"""gan_infer.util.checks: every branch, with the exact messages."""

import fractions

import numpy as np
import pytest

from gan_infer.util.checks import check_int, check_interval, check_number, is_int, is_number


class UsageError(Exception):
    pass


@pytest.mark.parametrize(
    "value, expected",
    [
        (3, True),
        (np.int64(3), True),
        (0, True),
        (True, False),
        (np.bool_(True), False),
        (3.0, False),
        ("3", False),
        (None, False),
    ],
)
def test_is_int(value, expected):
    assert is_int(value) is expected


@pytest.mark.parametrize(
    "value, expected",
    [
        (3, True),
        (2.5, True),
        (np.float32(2.5), True),
        (fractions.Fraction(1, 2), True),
        (float("nan"), True),
        (False, False),
        ("2.5", False),
        (None, False),
        (1j, False),
    ],
)
def test_is_number(value, expected):
    assert is_number(value) is expected


def test_check_int_returns_a_python_int():
    value = check_int(np.int64(7), "n_iter")
    assert value == 7 and type(value) is int


@pytest.mark.parametrize(
    "value, kwargs, message",
    [
        (0, {}, "n must be a positive int, got 0."),
        (True, {}, "n must be a positive int, got True."),
        (1.5, {}, "n must be a positive int, got 1.5."),
        (-1, {"minimum": 0}, "n must be a non-negative int, got -1."),
        ("1", {"minimum": None}, "n must be an int, got '1'."),
        (2, {"minimum": 3}, "n must be an int >= 3, got 2."),
        (5, {"maximum": 4}, "n must be a positive int <= 4, got 5."),
        (0, {"allow_none": True}, "n must be None or a positive int, got 0."),
        (
            0,
            {"what": "a positive int (the batch size)"},
            "n must be a positive int (the batch size), got 0.",
        ),
    ],
)
def test_check_int_messages(value, kwargs, message):
    with pytest.raises(ValueError) as info:
        check_int(value, "n", **kwargs)
    assert str(info.value) == message


def test_check_int_bounds_none_and_error_class():
    assert check_int(None, "n", allow_none=True) is None
    assert check_int(-5, "n", minimum=None) == -5
    assert check_int(4, "n", maximum=4) == 4
    with pytest.raises(UsageError, match="--n-iter must be a positive int, got 0."):
        check_int(0, "--n-iter", error=UsageError)
    with pytest.raises(ValueError, match="must be a positive int, got None"):
        check_int(None, "n")


def test_check_number_returns_a_float():
    value = check_number(np.float32(0.5), "rate", low=0, high=1)
    assert value == 0.5 and type(value) is float
    assert check_number(3, "x") == 3.0
    assert check_number(None, "x", allow_none=True) is None
    assert check_number(0.0, "x", low=0.0) == 0.0  # inclusive by default
    assert check_number(1.0, "x", high=1.0) == 1.0


@pytest.mark.parametrize(
    "value, kwargs, message",
    [
        (float("nan"), {}, "x must be a finite number, got nan."),
        (float("inf"), {}, "x must be a finite number, got inf."),
        (True, {}, "x must be a finite number, got True."),
        ("1", {}, "x must be a finite number, got '1'."),
        (1.0, {"low": 0, "high": 1, "inclusive": False}, "x must be a number in (0, 1), got 1.0."),
        (2.0, {"low": 0, "high": 1}, "x must be a number in [0, 1], got 2.0."),
        (-1.0, {"low": 0}, "x must be a non-negative number, got -1.0."),
        (0.0, {"low": 0, "inclusive": False}, "x must be a positive number, got 0.0."),
        (1.0, {"low": 2}, "x must be a number >= 2, got 1.0."),
        (2.0, {"low": 2, "inclusive": False}, "x must be a number > 2, got 2.0."),
        (3.0, {"high": 2}, "x must be a number <= 2, got 3.0."),
        (2.0, {"high": 2, "inclusive": False}, "x must be a number < 2, got 2.0."),
        ("a", {"allow_none": True}, "x must be None or a finite number, got 'a'."),
        (
            -1.0,
            {"low": 0, "what": "a learning rate > 0"},
            "x must be a learning rate > 0, got -1.0.",
        ),
    ],
)
def test_check_number_messages(value, kwargs, message):
    with pytest.raises(ValueError) as info:
        check_number(value, "x", **kwargs)
    assert str(info.value) == message


def test_check_number_error_class():
    with pytest.raises(TypeError, match="x must be a finite number"):
        check_number("a", "x", error=TypeError)


@pytest.mark.parametrize(
    "value, interval",
    [(0.0, "[0, 1)"), (0.999, "[0, 1)"), (1.0, "(0, 1]"), (1e9, "(0, inf)"), (-5, "[-inf, 0]")],
)
def test_check_interval_accepts(value, interval):
    result = check_interval(value, "x", interval)
    assert result == value and type(result) is float


@pytest.mark.parametrize(
    "value, interval",
    [
        (1.0, "[0, 1)"),
        (0.0, "(0, 1]"),
        (float("inf"), "(0, inf)"),
        (float("nan"), "[0, 1]"),
        (True, "[0, 1]"),
        ("0.5", "[0, 1]"),
        (None, "[0, 1]"),
    ],
)
def test_check_interval_rejects(value, interval):
    with pytest.raises(ValueError) as info:
        check_interval(value, "x", interval)
    assert str(info.value) == f"x must be a number in {interval}, got {value!r}."


def test_check_interval_what_and_error():
    with pytest.raises(TypeError) as info:
        check_interval(1.0, "layers.dropout: rate", "[0, 1)", what="in [0, 1)", error=TypeError)
    assert str(info.value) == "layers.dropout: rate must be in [0, 1), got 1.0."


@pytest.mark.parametrize("interval", ["0, 1", "[0, 1", "[0 1]", "[0, 1, 2]", "<0, 1>"])
def test_check_interval_rejects_malformed_intervals(interval):
    with pytest.raises(ValueError, match="interval must look like"):
        check_interval(0.5, "x", interval)
