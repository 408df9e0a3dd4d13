"""c2st: the SBI benchmark's classifier two-sample test, where the answer is known."""

import numpy as np
import pytest

from gan_infer.criticism import c2st


def test_two_samples_of_one_distribution_score_near_one_half():
    rng = np.random.default_rng(0)
    score = c2st(rng.normal(size=(1000, 2)), rng.normal(size=(1000, 2)))
    assert abs(score - 0.5) < 0.05


def test_disjoint_supports_score_near_one():
    rng = np.random.default_rng(1)
    reference = rng.uniform(0.0, 1.0, size=(500, 2))
    samples = rng.uniform(2.0, 3.0, size=(500, 2))
    assert c2st(samples, reference) > 0.98


def test_a_shifted_sample_scores_between():
    rng = np.random.default_rng(2)
    score = c2st(rng.normal(1.0, 1.0, size=(1000, 1)), rng.normal(size=(1000, 1)))
    # Two unit normals one sd apart: the Bayes classifier's accuracy is Phi(0.5) = 0.69.
    assert 0.62 < score < 0.75


def test_z_scoring_uses_the_reference_so_units_do_not_matter():
    rng = np.random.default_rng(3)
    x, y = rng.normal(0.3, 1.0, size=(600, 2)), rng.normal(size=(600, 2))
    assert c2st(x, y) == pytest.approx(c2st(1e4 * x, 1e4 * y), abs=0.02)


@pytest.mark.parametrize(
    "samples, reference, message",
    [
        (np.zeros(10), np.zeros((10, 1)), "2-D array"),
        (np.zeros((3, 1)), np.zeros((10, 1)), "at least n_folds=5 rows"),
        (np.zeros((10, 2)), np.zeros((10, 3)), "of one dimension"),
        (np.full((10, 1), np.nan), np.zeros((10, 1)), "NaN or Inf"),
    ],
)
def test_bad_samples_are_refused(samples, reference, message):
    with pytest.raises(ValueError, match=message):
        c2st(samples, reference)
