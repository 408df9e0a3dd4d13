"""Tests for gan_infer.criticism.metrics against analytic answers and brute force."""

import tracemalloc

import numpy as np
import pytest
from scipy import special, stats

from gan_infer.criticism import metrics
from gan_infer.criticism.metrics import (
    DEFAULT_SIGMAS,
    class_histogram,
    classifier_score,
    frechet_distance,
    frechet_distance_from_moments,
    kernel_distance,
    memorisation_check,
    nearest_neighbours,
    parzen_log_likelihood,
    parzen_select_sigma,
    parzen_window_estimate,
    precision_recall,
)


def rng(seed=0):
    return np.random.default_rng(seed)


def brute_parzen(samples, data, sigma):
    """The textbook formula with an (n, m, D) array: fine for tiny inputs only."""
    d2 = ((data[:, None, :] - samples[None, :, :]) ** 2).sum(axis=-1)
    m, dim = samples.shape
    return (
        special.logsumexp(-d2 / (2 * sigma**2), axis=1)
        - np.log(m)
        - 0.5 * dim * np.log(2 * np.pi * sigma**2)
    )


def test_criticism_modules_do_not_import_tensorflow_or_inferences():
    import ast
    import pathlib

    for module in (
        "metrics.py",
        "toy.py",
        "input_checks.py",
        "pairwise.py",
        "parzen.py",
        "feature_distances.py",
        "class_scores.py",
        "neighbours.py",
        "classifier_config.py",
    ):
        source = (pathlib.Path(metrics.__file__).parent / module).read_text()
        imported = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                imported.add(node.module)
        assert not any(
            name.startswith(("tensorflow", "gan_infer.inferences")) for name in imported
        ), (module, imported)


# --- Parzen -------------------------------------------------------------------------


def test_parzen_single_sample_is_gaussian_log_density():
    sample = rng().normal(size=(1, 4))
    data = rng(1).normal(size=(6, 4))
    sigma = 0.7
    expected = stats.multivariate_normal(sample[0], sigma**2 * np.eye(4)).logpdf(data)
    np.testing.assert_allclose(parzen_log_likelihood(sample, data, sigma), expected, rtol=1e-12)


def test_parzen_two_samples_is_equal_mixture():
    samples = np.array([[0.0, 0.0], [3.0, 1.0]])
    data = np.array([[0.0, 0.0], [1.0, 0.5], [10.0, -2.0]])
    sigma = 0.5
    densities = [stats.multivariate_normal(s, sigma**2 * np.eye(2)).pdf(data) for s in samples]
    expected = np.log(0.5 * densities[0] + 0.5 * densities[1])
    np.testing.assert_allclose(parzen_log_likelihood(samples, data, sigma), expected, rtol=1e-10)


def test_parzen_far_point_has_no_underflow():
    # exp(-d^2 / (2 sigma^2)) underflows to 0 here; the logsumexp must not.
    samples = np.zeros((3, 2))
    data = np.array([[100.0, 0.0]])
    sigma = 0.1
    expected = -1e4 / (2 * sigma**2) - np.log(2 * np.pi * sigma**2)
    np.testing.assert_allclose(parzen_log_likelihood(samples, data, sigma), [expected], rtol=1e-12)


@pytest.mark.parametrize(
    "batch_size, block_size", [(1, 1), (2, 3), (4, 5), (7, 11), (3, None), (100, 100), (6, 10)]
)
def test_parzen_blocked_matches_brute_force(batch_size, block_size):
    samples = rng(2).normal(size=(11, 5))
    data = rng(3).normal(size=(7, 5)).astype(np.float32)
    got = parzen_log_likelihood(samples, data, 0.8, batch_size=batch_size, block_size=block_size)
    np.testing.assert_allclose(got, brute_parzen(samples, data.astype(np.float64), 0.8), rtol=1e-10)


def test_parzen_large_case_is_blocked_and_exact():
    """2,000 x 2,000 x 784: an (n, m, D) array would need 25 GB, the blocks a few MB."""
    samples = rng(4).random((2000, 784), dtype=np.float32)
    data = rng(5).random((2000, 784), dtype=np.float32)
    sigma = 0.3
    tracemalloc.start()
    try:
        got = parzen_log_likelihood(samples, data, sigma, batch_size=300, block_size=700)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Less than one dense 2,000 x 2,000 float64 distance matrix (32 MB); the
    # blocks themselves need about 10 MB.
    assert peak < 2000 * 2000 * 8, peak
    whole = parzen_log_likelihood(samples, data, sigma, batch_size=2000, block_size=2000)
    np.testing.assert_allclose(got, whole, rtol=1e-12)
    rows = [0, 1, 299, 300, 1999]
    np.testing.assert_allclose(
        got[rows],
        brute_parzen(samples.astype(np.float64), data[rows].astype(np.float64), sigma),
        rtol=1e-9,
    )


def make_kernel_mixture(sigma, n_centres=30, n_points=2000, dim=3, seed=0):
    generator = rng(seed)
    centres = generator.normal(scale=2.0, size=(n_centres, dim))
    points = centres[generator.integers(n_centres, size=n_points)]
    return centres, points + sigma * generator.normal(size=points.shape)


def test_parzen_select_sigma_recovers_kernel_width():
    sigmas = np.asarray(DEFAULT_SIGMAS)
    true_index = 4
    # Samples = the mixture's centres, so the Parzen model at the true sigma is
    # the true density, which maximises the expected log-likelihood.
    centres, validation = make_kernel_mixture(sigmas[true_index])
    best, scores = parzen_select_sigma(centres, validation)
    assert len(scores) == len(sigmas)
    assert scores[best] == max(scores.values())
    assert abs(int(np.argmin(np.abs(sigmas - best))) - true_index) <= 1


def test_parzen_window_estimate_record():
    centres, validation = make_kernel_mixture(0.25, n_points=500, seed=1)
    _, test = make_kernel_mixture(0.25, n_points=300, seed=1)
    result = parzen_window_estimate(centres, validation, test, sigmas=[0.1, 0.25, 0.6])
    assert result.sigma == 0.25
    ll = parzen_log_likelihood(centres, test, result.sigma)
    assert result.mean == pytest.approx(ll.mean(), rel=1e-12)
    assert result.std_error == pytest.approx(ll.std() / np.sqrt(300), rel=1e-12)
    assert set(result.validation_scores) == {0.1, 0.25, 0.6}
    sigma, mean, std_error, scores = result  # unpacks like a tuple
    assert sigma == result.sigma


def ok(rows=4, dim=5):
    return np.zeros((rows, dim))


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: parzen_log_likelihood(np.zeros(5), ok(), 0.1), "samples.*2-D"),
        (lambda: parzen_log_likelihood(ok(), ok(3, 6), 0.1), "same number of features"),
        (lambda: parzen_log_likelihood(ok(0), ok(), 0.1), "samples.*at least 1 row"),
        (lambda: parzen_log_likelihood(ok(), np.full((3, 5), np.nan), 0.1), "data.*NaN"),
        (lambda: parzen_log_likelihood(ok(), ok(), 0.0), "sigma"),
        (lambda: parzen_log_likelihood(ok(), ok(), 0.1, batch_size=0), "batch_size"),
        (lambda: parzen_log_likelihood(ok(), ok(), 0.1, block_size=2.5), "block_size"),
        (lambda: parzen_select_sigma(ok(), ok(), sigmas=[0.1, -1]), "sigmas"),
        (lambda: parzen_window_estimate(ok(), ok(), ok(3, 4)), "test"),
    ],
)
def test_parzen_rejects_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError, match="samples"):
        parzen_log_likelihood(np.array([["a", "b"]]), np.zeros((1, 2)), 0.1)


# --- Frechet distance ---------------------------------------------------------------


def test_frechet_identical_sets_is_zero():
    features = rng(6).normal(size=(500, 8)) * 3.0
    scale = np.trace(np.cov(features, rowvar=False))
    assert abs(frechet_distance(features, features)) < 1e-6 * scale


def test_frechet_from_moments_diagonal_closed_form():
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.5])
    sd1, sd2 = np.array([1.0, 2.0, 0.5]), np.array([3.0, 0.5, 0.5])
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((sd1 - sd2) ** 2)
    got = frechet_distance_from_moments(mu1, np.diag(sd1**2), mu2, np.diag(sd2**2))
    assert got == pytest.approx(expected, rel=1e-12)


def test_frechet_from_large_samples_approximates_closed_form():
    mu1, mu2 = np.array([0.0, 1.0, -1.0]), np.array([0.5, 0.0, -1.0])
    sd1, sd2 = np.array([1.0, 2.0, 0.5]), np.array([1.5, 1.0, 0.5])
    expected = np.sum((mu1 - mu2) ** 2) + np.sum((sd1 - sd2) ** 2)  # 3.5
    a = mu1 + sd1 * rng(7).normal(size=(20000, 3))
    b = mu2 + sd2 * rng(8).normal(size=(20000, 3))
    assert frechet_distance(a, b) == pytest.approx(expected, abs=0.1)


def test_frechet_is_symmetric():
    a = rng(9).normal(size=(300, 5))
    b = rng(10).normal(size=(200, 5)) @ rng(11).normal(size=(5, 5)) + 1.0
    assert frechet_distance(a, b) == pytest.approx(frechet_distance(b, a), rel=1e-8)


def test_frechet_singular_covariances_stay_finite():
    # Fewer samples than features: both covariances are singular.
    a = rng(12).normal(size=(5, 10))
    b = rng(13).normal(size=(6, 10))
    d = frechet_distance(a, b)
    assert np.isfinite(d) and d > 0
    # A constant feature makes the product exactly singular.
    a[:, 0] = 1.0
    b[:, 0] = 1.0
    assert np.isfinite(frechet_distance(a, b))


def test_frechet_non_psd_covariance_raises():
    with pytest.raises(ValueError, match="imaginary"):
        frechet_distance_from_moments(np.zeros(2), np.diag([1.0, -1.0]), np.zeros(2), np.eye(2))


@pytest.mark.parametrize(
    "args, match",
    [
        ((np.zeros(2), np.eye(2), np.zeros(3), np.eye(3)), "same length"),
        ((np.zeros(2), np.eye(3), np.zeros(2), np.eye(2)), "cov1"),
        ((np.zeros((2, 1)), np.eye(2), np.zeros(2), np.eye(2)), "mu1"),
        ((np.zeros(2), np.eye(2), np.array([0.0, np.nan]), np.eye(2)), "mu2.*NaN"),
    ],
)
def test_frechet_from_moments_rejects_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        frechet_distance_from_moments(*args)


def test_frechet_rejects_bad_features():
    with pytest.raises(ValueError, match="same number of features"):
        frechet_distance(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="at least 2 rows"):
        frechet_distance(np.zeros((1, 3)), np.zeros((5, 3)))


# --- kernel distance ----------------------------------------------------------------


def brute_mmd2_unbiased(x, y):
    def k(a, b):
        return (a @ b / len(a) + 1.0) ** 3

    m = len(x)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j)
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j)
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m))
    return (xx + yy) / (m * (m - 1)) - 2 * xy / m**2


def test_kernel_distance_matches_brute_force():
    x = rng(14).normal(size=(6, 3))
    y = rng(15).normal(size=(6, 3)) + 0.3
    result = kernel_distance(x, y, n_subsets=3, subset_size=6, seed=0)
    # Whole sets every time (only the order changes), so every subset agrees.
    assert result.mean == pytest.approx(brute_mmd2_unbiased(x, y), rel=1e-12)
    assert result.std == pytest.approx(0.0, abs=1e-12)


def test_kernel_distance_same_versus_shifted():
    a = rng(16).normal(size=(1000, 16))
    b = rng(17).normal(size=(1000, 16))
    same = kernel_distance(a, b, n_subsets=5, subset_size=500, seed=0)
    shifted = kernel_distance(a, b + 1.0, n_subsets=5, subset_size=500, seed=0)
    assert abs(same.mean) < 0.05
    assert shifted.mean > 1.0
    assert shifted.mean > 10 * (shifted.std + abs(same.mean))


def test_kernel_distance_caps_subset_size_and_is_seeded():
    a = rng(18).normal(size=(30, 4))
    b = rng(19).normal(size=(50, 4))
    first = kernel_distance(a, b, n_subsets=4, subset_size=1000, seed=3)
    assert first == kernel_distance(a, b, n_subsets=4, subset_size=1000, seed=3)
    assert first.std > 0  # subsets of b differ


def test_kernel_distance_rejects_bad_input():
    with pytest.raises(ValueError, match="subset_size"):
        kernel_distance(np.zeros((5, 2)), np.zeros((5, 2)), subset_size=1)
    with pytest.raises(ValueError, match="features_b.*2-D"):
        kernel_distance(np.zeros((5, 2)), np.zeros(5))
    with pytest.raises(ValueError, match="features_a.*NaN"):
        kernel_distance(np.full((5, 2), np.nan), np.zeros((5, 2)))


# --- classifier score and class histogram -------------------------------------------


def test_classifier_score_uniform_one_hot_is_k():
    k = 10
    probabilities = np.eye(k)[np.tile(np.arange(k), 50)]  # each split of 50 holds 5 per class
    score = classifier_score(probabilities, n_splits=10)
    assert score.mean == pytest.approx(k, rel=1e-12)
    assert score.std == pytest.approx(0.0, abs=1e-12)


def test_classifier_score_identical_predictions_is_one():
    probabilities = np.tile([0.1, 0.6, 0.3], (40, 1))
    score = classifier_score(probabilities, n_splits=4)
    assert score.mean == pytest.approx(1.0, rel=1e-12)


def test_classifier_score_hand_computed():
    p = np.array([[1.0, 0.0], [0.5, 0.5]])  # marginal p(y) = (0.75, 0.25)
    kl = [np.log(1 / 0.75), 0.5 * np.log(0.5 / 0.75) + 0.5 * np.log(0.5 / 0.25)]
    assert classifier_score(p, n_splits=1).mean == pytest.approx(np.exp(np.mean(kl)), rel=1e-12)


@pytest.mark.parametrize(
    "p, splits, match",
    [
        (np.array([[0.5, 0.6], [0.5, 0.5]]), 1, "sum to 1"),
        (np.array([[1.5, -0.5]]), 1, "non-negative"),
        (np.array([0.5, 0.5]), 1, "2-D"),
        (np.eye(3), 4, "n_splits"),
        (np.array([[np.nan, 1.0]]), 1, "NaN"),
    ],
)
def test_classifier_score_rejects_bad_input(p, splits, match):
    with pytest.raises(ValueError, match=match):
        classifier_score(p, n_splits=splits)


def test_class_histogram_exact():
    fractions, kl = class_histogram([0, 0, 1, 1, 2, 2], n_classes=3)
    np.testing.assert_array_equal(fractions, [1 / 3, 1 / 3, 1 / 3])
    assert kl == pytest.approx(0.0, abs=1e-15)

    fractions, kl = class_histogram(np.zeros(7, dtype=int), n_classes=4)
    np.testing.assert_array_equal(fractions, [1, 0, 0, 0])
    assert kl == pytest.approx(np.log(4), rel=1e-15)

    fractions, kl = class_histogram([0, 0, 0, 1], n_classes=2)
    np.testing.assert_array_equal(fractions, [0.75, 0.25])
    assert kl == pytest.approx(0.75 * np.log(1.5) + 0.25 * np.log(0.5), rel=1e-14)


def test_class_histogram_from_probabilities_uses_argmax():
    p = np.array([[0.1, 0.9, 0.0], [0.2, 0.7, 0.1], [0.6, 0.3, 0.1], [0.0, 0.0, 1.0]])
    result = class_histogram(p, n_classes=3)
    np.testing.assert_array_equal(result.fractions, [0.25, 0.5, 0.25])


def test_class_histogram_rejects_bad_input():
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        class_histogram([0, 3], n_classes=3)
    with pytest.raises(ValueError, match="n_classes=3"):
        class_histogram(np.full((2, 3), 1 / 3))
    with pytest.raises(TypeError, match="integer class labels"):
        class_histogram([0.5, 1.0], n_classes=3)
    with pytest.raises(ValueError, match="empty"):
        class_histogram(np.array([], dtype=int), n_classes=3)


# --- precision / recall -------------------------------------------------------------


def clusters(modes, per_mode, seed, spread=0.1):
    # 8 well-separated 2-D modes on a circle of radius 10.
    angles = 2 * np.pi * np.arange(8) / 8
    centres = 10.0 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    generator = rng(seed)
    return np.concatenate(
        [centres[m] + spread * generator.normal(size=(per_mode, 2)) for m in modes]
    )


def test_precision_recall_identical_sets():
    x = rng(20).normal(size=(200, 5))
    assert precision_recall(x, x, k=3) == (1.0, 1.0)


def test_precision_recall_far_apart_sets():
    x = rng(21).normal(size=(100, 5))
    y = rng(22).normal(size=(120, 5)) + 100.0
    assert precision_recall(x, y, k=3) == (0.0, 0.0)


def test_precision_recall_half_the_modes():
    real = clusters(range(8), 100, seed=23)
    fake = clusters(range(4), 200, seed=24)
    precision, recall = precision_recall(real, fake, k=3, batch_size=128)
    # k-NN balls miss a few fresh draws even from the same distribution.
    assert precision > 0.9
    assert 0.4 < recall <= 0.5


def test_precision_recall_hand_computed_radii_exclude_self():
    real = np.array([[0.0], [1.0], [3.0]])  # k=1 radii: 1, 1, 2
    fake = np.array([[1.9], [5.5]])  # k=1 radii: 3.6, 3.6
    precision, recall = precision_recall(real, fake, k=1)
    assert precision == 0.5  # 1.9 is in the ball of 1.0; 5.5 is 2.5 from 3.0
    assert recall == 1.0


@pytest.mark.parametrize("batch_size", [1, 7, 50, 1000])
def test_precision_recall_blocking_does_not_change_result(batch_size):
    real = rng(25).normal(size=(60, 3))
    fake = rng(26).normal(size=(45, 3)) * 1.3 + 0.2
    assert precision_recall(real, fake, k=3, batch_size=batch_size) == precision_recall(
        real, fake, k=3, batch_size=10_000
    )


def test_precision_recall_rejects_bad_input():
    with pytest.raises(ValueError, match="real_features.*at least 4 rows"):
        precision_recall(np.zeros((3, 2)), np.zeros((10, 2)), k=3)
    with pytest.raises(ValueError, match="k"):
        precision_recall(np.zeros((5, 2)), np.zeros((5, 2)), k=0)
    with pytest.raises(ValueError, match="same number of features"):
        precision_recall(np.zeros((5, 2)), np.zeros((5, 3)), k=1)


# --- nearest neighbours and memorisation --------------------------------------------


@pytest.mark.parametrize("batch_size", [1, 4, 9, 1000])
def test_nearest_neighbours_matches_brute_force(batch_size):
    queries = rng(27).normal(size=(13, 6))
    reference = rng(28).normal(size=(22, 6))
    indices, distances = nearest_neighbours(queries, reference, batch_size=batch_size)
    full = np.sqrt(((queries[:, None] - reference[None]) ** 2).sum(-1))
    np.testing.assert_array_equal(indices, full.argmin(axis=1))
    np.testing.assert_allclose(distances, full.min(axis=1), rtol=1e-12)


def test_nearest_neighbours_copies_have_distance_exactly_zero():
    reference = rng(29).random((30, 784), dtype=np.float32)
    indices, distances = nearest_neighbours(reference[[5, 17, 5]], reference, batch_size=8)
    np.testing.assert_array_equal(indices, [5, 17, 5])
    np.testing.assert_array_equal(distances, 0.0)


def test_memorisation_check_flags_copies():
    train = rng(30).normal(size=(300, 20))
    test = rng(31).normal(size=(200, 20))
    report = memorisation_check(train[:50], train, test)
    np.testing.assert_array_equal(report.sample_distances, 0.0)
    np.testing.assert_array_equal(report.sample_indices, np.arange(50))
    assert report.flagged.all() and report.fraction_flagged == 1.0
    assert report.median_sample_distance == 0.0 < report.median_test_distance


def test_memorisation_check_fresh_draws_look_like_test():
    train = rng(32).normal(size=(300, 20))
    test = rng(33).normal(size=(200, 20))
    samples = rng(34).normal(size=(200, 20))
    report = memorisation_check(samples, train, test)
    ratio = report.median_sample_distance / report.median_test_distance
    assert 0.85 < ratio < 1.15
    assert report.fraction_flagged < 0.05
    assert report.threshold == pytest.approx(np.percentile(report.test_distances, 1.0))


def test_memorisation_check_rejects_bad_input():
    with pytest.raises(ValueError, match="test.*same number of features"):
        memorisation_check(np.zeros((3, 4)), np.zeros((3, 4)), np.zeros((3, 5)))
    with pytest.raises(ValueError, match="percentile"):
        memorisation_check(np.zeros((3, 4)), np.zeros((3, 4)), np.zeros((3, 4)), percentile=0)
