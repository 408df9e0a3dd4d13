"""Simulator: counted calls, the budget, checked outputs, the same draws however many workers."""

import numpy as np
import pytest

from gan_infer.models.simulator import SimulationBudgetExceeded, Simulator


def noisy_copy(theta, rng):
    return (theta + rng.standard_normal(theta.shape)).astype(np.float32)


def test_calls_are_counted_and_the_budget_stops_a_call_before_it_runs():
    simulator = Simulator(noisy_copy, budget=250, batch_size=100)
    simulator(np.zeros((200, 2)))
    assert simulator.calls == 200 and simulator.remaining == 50
    with pytest.raises(SimulationBudgetExceeded, match="ask for at most 50"):
        simulator(np.zeros((51, 2)))
    assert simulator.calls == 200


def test_the_draws_depend_on_the_seed_not_on_the_workers():
    theta = np.arange(2500, dtype=np.float32).reshape(1250, 2)
    one = Simulator(noisy_copy, batch_size=100, seed=3)
    two = Simulator(noisy_copy, batch_size=100, seed=3, workers=2)
    try:
        for _ in range(2):  # a second call draws afresh, the same on both
            np.testing.assert_array_equal(one(theta), two(theta))
    finally:
        two.close()
    other = Simulator(noisy_copy, batch_size=100, seed=4)
    assert not np.array_equal(Simulator(noisy_copy, batch_size=100, seed=3)(theta), other(theta))


def test_batches_draw_independent_streams():
    x = Simulator(noisy_copy, batch_size=10)(np.zeros((20, 1)))
    assert not np.array_equal(x[:10], x[10:])


def wrong_shape(theta, rng):
    return np.zeros((len(theta) + 1, 2), np.float32)


def integers(theta, rng):
    return np.zeros(theta.shape, np.int64)


def nan_rows(theta, rng):
    x = np.zeros(theta.shape, np.float32)
    x[0] = np.nan
    return x


@pytest.mark.parametrize(
    "simulate, error, message",
    [
        (wrong_shape, ValueError, "one row per parameter vector"),
        (integers, TypeError, "must return floats"),
        (nan_rows, ValueError, "allow_nan=True"),
    ],
)
def test_bad_outputs_are_refused_naming_the_simulator(simulate, error, message):
    with pytest.raises(error, match=message) as raised:
        Simulator(simulate)(np.zeros((4, 2)))
    assert simulate.__name__ in str(raised.value)


def test_allow_nan_returns_the_nan_rows():
    x = Simulator(nan_rows, allow_nan=True)(np.zeros((4, 2)))
    assert np.isnan(x[0]).all() and np.isfinite(x[1:]).all()


def test_a_budget_smaller_than_one_batch_is_refused():
    with pytest.raises(ValueError, match="smaller than one batch"):
        Simulator(noisy_copy, budget=10, batch_size=100)


def test_bad_arguments_are_refused():
    with pytest.raises(TypeError, match="a callable"):
        Simulator("simulate")
    with pytest.raises(ValueError, match="engine must be one of"):
        Simulator(noisy_copy, engine="threads")
    with pytest.raises(ValueError, match="non-empty 2-D array"):
        Simulator(noisy_copy)(np.zeros(3))
