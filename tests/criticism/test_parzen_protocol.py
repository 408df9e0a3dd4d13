"""The released Parzen protocol of Goodfellow et al. (2014): sigma chosen on
the first 1,000 validation points (`n_validation=1000`), on a toy case
whose answer is known in closed form."""

import numpy as np
import pytest

from gan_infer.criticism.parzen import (
    DEFAULT_SIGMAS,
    RELEASED_N_VALIDATION,
    parzen_select_sigma,
    parzen_window_estimate,
)

GRID = np.array(DEFAULT_SIGMAS)


def mean_log_likelihood(sigma, mean_square_distance):
    """One kernel centre in one dimension: the mean of log N(v; 0, sigma^2)."""
    return -mean_square_distance / (2 * sigma**2) - np.log(sigma) - 0.5 * np.log(2 * np.pi)


def toy_validation(near, far, n_far=1000):
    """The first 1,000 points at distance `near` from the one sample (at 0),
    the rest at distance `far`, alternating in sign."""
    signs = np.where(np.arange(RELEASED_N_VALIDATION + n_far) % 2, -1.0, 1.0)
    distances = np.r_[np.full(RELEASED_N_VALIDATION, near), np.full(n_far, far)]
    return (signs * distances)[:, None]


def test_the_released_protocol_picks_the_sigma_of_the_first_1000_points():
    # The mean log-likelihood peaks at sigma^2 = mean squared distance: on
    # the first 1,000 points that is GRID[3] itself, on all of them a value
    # between GRID[3] and GRID[8] that the closed form places on the grid.
    sample = np.zeros((1, 1))
    validation = toy_validation(GRID[3], GRID[8])
    released, scores = parzen_select_sigma(sample, validation, n_validation=RELEASED_N_VALIDATION)
    assert released == GRID[3]
    np.testing.assert_allclose(
        list(scores.values()), mean_log_likelihood(GRID, GRID[3] ** 2), rtol=1e-10
    )
    everything, _ = parzen_select_sigma(sample, validation)
    expected = GRID[np.argmax(mean_log_likelihood(GRID, (GRID[3] ** 2 + GRID[8] ** 2) / 2))]
    assert everything == expected and everything != released


def test_the_estimate_scores_the_test_set_at_the_chosen_sigma():
    sample = np.zeros((1, 1))
    validation = toy_validation(GRID[5], 0.9)
    test = np.array([[0.1], [-0.3], [0.2], [0.0]])
    result = parzen_window_estimate(sample, validation, test, n_validation=1000)
    per_point = mean_log_likelihood(GRID[5], test[:, 0] ** 2)
    assert result.sigma == GRID[5]
    assert result.mean == pytest.approx(per_point.mean(), rel=1e-10)
    assert result.std_error == pytest.approx(per_point.std() / 2, rel=1e-10)
    assert parzen_window_estimate(sample, validation, test).sigma != GRID[5]


@pytest.mark.parametrize("n_validation", [0, 2.5])
def test_n_validation_must_be_a_positive_int(n_validation):
    with pytest.raises(ValueError, match="`n_validation` must be an integer >= 1"):
        parzen_select_sigma(np.zeros((1, 1)), np.zeros((3, 1)), n_validation=n_validation)
