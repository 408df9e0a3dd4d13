"""Tests for gan_infer.criticism.toy: 1-D fits, KS distances, 2-D mode counting."""

import numpy as np
import pytest
from scipy import stats

from gan_infer.criticism.toy import (
    Mixture2D,
    fit_normal_1d,
    grid_of_gaussians,
    ks_distance,
    mode_coverage,
    ring_of_gaussians,
)


def rng(seed=0):
    return np.random.default_rng(seed)


# --- 1-D ----------------------------------------------------------------------------


def test_fit_normal_1d_matches_scipy_mle():
    x = rng().normal(4.0, 0.5, size=1000)
    mean, std = fit_normal_1d(x)
    expected_mean, expected_std = stats.norm.fit(x)
    assert mean == pytest.approx(expected_mean, rel=1e-12)
    assert std == pytest.approx(expected_std, rel=1e-12)
    assert mean == pytest.approx(4.0, abs=0.05) and std == pytest.approx(0.5, abs=0.05)


def test_fit_normal_1d_accepts_column_of_samples():
    x = np.array([[1.0], [2.0], [3.0], [4.0]], dtype=np.float32)  # the tutorial's [M, 1]
    assert fit_normal_1d(x) == (2.5, pytest.approx(np.sqrt(1.25)))


@pytest.mark.parametrize(
    "x, error, match",
    [
        (np.zeros((4, 2)), ValueError, r"\(n,\) or \(n, 1\)"),
        (np.array([]), ValueError, "empty"),
        (np.array([1.0, np.nan]), ValueError, "NaN"),
        (np.array(["a", "b"]), TypeError, "real numbers"),
    ],
)
def test_fit_normal_1d_rejects_bad_input(x, error, match):
    with pytest.raises(error, match=match):
        fit_normal_1d(x)


def test_ks_distance_against_cdf_matches_scipy():
    x = rng(1).normal(4.0, 0.5, size=500)
    expected = stats.kstest(x, stats.norm(4.0, 0.5).cdf).statistic
    assert ks_distance(x, stats.norm(4.0, 0.5).cdf) == pytest.approx(expected, rel=1e-12)
    # A frozen distribution works directly (its .cdf is used).
    assert ks_distance(x, stats.norm(4.0, 0.5)) == pytest.approx(expected, rel=1e-12)


def test_ks_distance_known_value():
    # Empirical CDF of one point at 0.5 jumps 0 -> 1 where U(0, 1)'s CDF is 0.5.
    assert ks_distance([0.5], stats.uniform().cdf) == pytest.approx(0.5)


def test_ks_distance_two_samples_matches_scipy():
    x = rng(2).normal(size=300)
    y = rng(3).normal(0.5, 1.0, size=(200, 1))
    expected = stats.ks_2samp(x, y[:, 0]).statistic
    assert ks_distance(x, y) == pytest.approx(expected, rel=1e-12)
    assert ks_distance(x, x) == 0.0
    assert ks_distance([0.0, 1.0], [5.0, 6.0]) == 1.0


def test_ks_distance_rejects_bad_target():
    with pytest.raises(TypeError, match="cdf_or_samples"):
        ks_distance([0.0, 1.0], "norm")
    with pytest.raises(ValueError, match="cdf_or_samples"):
        ks_distance([0.0, 1.0], np.zeros((3, 3)))


# --- 2-D mixtures -------------------------------------------------------------------


def test_ring_of_gaussians_standard_values():
    ring = ring_of_gaussians()
    assert ring.centers.shape == (8, 2) and ring.std == 0.02
    np.testing.assert_allclose(np.linalg.norm(ring.centers, axis=1), 2.0, rtol=1e-12)
    np.testing.assert_allclose(ring.centers[0], [2.0, 0.0])
    np.testing.assert_allclose(ring.centers[2], [0.0, 2.0], atol=1e-12)


def test_grid_of_gaussians_standard_values():
    grid = grid_of_gaussians()
    assert grid.centers.shape == (25, 2) and grid.std == 0.05
    expected = {(x, y) for x in (-4, -2, 0, 2, 4) for y in (-4, -2, 0, 2, 4)}
    assert {tuple(c) for c in grid.centers.tolist()} == expected


def test_mixture_sample_is_seeded_and_shaped():
    ring = ring_of_gaussians()
    a = ring.sample(100, seed=7)
    assert a.shape == (100, 2)
    np.testing.assert_array_equal(a, ring.sample(100, seed=7))
    assert not np.array_equal(a, ring.sample(100, seed=8))


def test_mixture_rejects_bad_parameters():
    with pytest.raises(ValueError, match="centers"):
        Mixture2D(centers=np.zeros((3, 3)), std=0.1)
    with pytest.raises(ValueError, match="std"):
        Mixture2D(centers=np.zeros((3, 2)), std=0.0)


@pytest.mark.parametrize("make, n_modes", [(ring_of_gaussians, 8), (grid_of_gaussians, 25)])
def test_mode_coverage_of_the_mixture_itself(make, n_modes):
    mixture = make()
    result = mode_coverage(mixture.sample(5000, seed=0), mixture)
    assert result.modes_captured == n_modes
    assert result.high_quality_fraction > 0.98  # 1 - exp(-9/2) = 0.989 expected
    assert result.counts.shape == (n_modes,) and result.counts.sum() <= 5000


def test_mode_coverage_collapsed_to_one_centre():
    mixture = grid_of_gaussians()
    samples = np.tile(mixture.centers[7], (500, 1))
    result = mode_coverage(samples, mixture)
    assert result.modes_captured == 1
    assert result.high_quality_fraction == 1.0
    assert result.counts[7] == 500 and result.counts.sum() == 500


def test_mode_coverage_uniform_noise_is_low_quality():
    mixture = grid_of_gaussians()
    samples = rng(4).uniform(-6.0, 6.0, size=(2000, 2))
    result = mode_coverage(samples, mixture)
    assert result.high_quality_fraction < 0.05  # the 25 balls cover ~1% of the box
    assert result.modes_captured == 0


def test_mode_coverage_min_count_and_threshold():
    ring = ring_of_gaussians()
    # 19 points at one centre (not enough), 20 at another (enough), some 4 sigma off.
    off = ring.centers[2] + np.array([4 * ring.std, 0.0])
    samples = np.concatenate(
        [
            np.tile(ring.centers[0], (19, 1)),
            np.tile(ring.centers[1], (20, 1)),
            np.tile(off, (11, 1)),
        ]
    )
    result = mode_coverage(samples, ring)
    assert result.modes_captured == 1
    assert result.high_quality_fraction == pytest.approx(39 / 50)
    assert mode_coverage(samples, ring, threshold_sigmas=5.0).high_quality_fraction == 1.0


def test_mode_coverage_rejects_bad_input():
    ring = ring_of_gaussians()
    with pytest.raises(ValueError, match=r"\(n, 2\)"):
        mode_coverage(np.zeros((5, 3)), ring)
    with pytest.raises(ValueError, match="2-D"):
        mode_coverage(np.zeros(5), ring)
    with pytest.raises(ValueError, match="NaN"):
        mode_coverage(np.full((5, 2), np.nan), ring)
    with pytest.raises(TypeError, match="Mixture2D"):
        mode_coverage(np.zeros((5, 2)), ring.centers)
