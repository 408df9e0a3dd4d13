"""Sample-quality metrics: arrays of samples (or their features) in, numbers out.

Every metric is a plain function on numpy arrays; none imports TensorFlow
or the inference code, so they run on samples saved to disk as readily as on
the output of `sess.run`. Features (for the Frechet and kernel distances,
precision/recall) come from whatever network the caller trusts, e.g. an
MNIST classifier's penultimate layer; the metrics do not care where they
came from.

Pairwise squared distances are computed block by block as
``||x||^2 + ||y||^2 - 2 x.y`` in float64, so the work is matrix products
(BLAS) and the extra memory is one ``(batch_size, block_size)`` block at a
time, never an ``(n, m, D)`` array.

References:
  Goodfellow et al. (2014), Generative Adversarial Nets (Parzen windows).
  Breuleux, Bengio and Vincent (2011), Quickly generating representative
    samples from an RBM-derived process (Parzen protocol).
  Heusel et al. (2017), GANs Trained by a Two Time-Scale Update Rule (FID).
  Binkowski et al. (2018), Demystifying MMD GANs (KID).
  Salimans et al. (2016), Improved Techniques for Training GANs (IS).
  Kynkaanniemi et al. (2019), Improved Precision and Recall Metric for
    Assessing Generative Models.
"""
import numbers
import warnings
from typing import Dict, NamedTuple

import numpy as np
from scipy import linalg, special

__all__ = [
    "DEFAULT_SIGMAS",
    "ParzenEstimate",
    "KernelDistance",
    "ClassifierScore",
    "ClassHistogram",
    "PrecisionRecall",
    "NearestNeighbours",
    "MemorisationReport",
    "parzen_log_likelihood",
    "parzen_select_sigma",
    "parzen_window_estimate",
    "frechet_distance",
    "frechet_distance_from_moments",
    "kernel_distance",
    "classifier_score",
    "class_histogram",
    "precision_recall",
    "nearest_neighbours",
    "memorisation_check",
]

# Goodfellow et al. (2014) searched this grid for MNIST pixels in [0, 1].
DEFAULT_SIGMAS = tuple(float(s) for s in np.logspace(-1, 0, 10))


# --- records ------------------------------------------------------------------------

class ParzenEstimate(NamedTuple):
    """Result of `parzen_window_estimate`.

    Attributes:
      sigma: the bandwidth chosen on the validation set.
      mean: mean test log-likelihood (nats) at that bandwidth.
      std_error: std of the per-point test log-likelihoods / sqrt(n_test).
      validation_scores: dict sigma -> mean validation log-likelihood.
    """
    sigma: float
    mean: float
    std_error: float
    validation_scores: Dict[float, float]


class KernelDistance(NamedTuple):
    """Result of `kernel_distance`: mean and std of MMD^2 over subsets."""
    mean: float
    std: float


class ClassifierScore(NamedTuple):
    """Result of `classifier_score`: mean and std of the score over splits."""
    mean: float
    std: float


class ClassHistogram(NamedTuple):
    """Result of `class_histogram`: per-class fractions and KL to uniform."""
    fractions: np.ndarray
    kl_to_uniform: float


class PrecisionRecall(NamedTuple):
    """Result of `precision_recall` (both in [0, 1])."""
    precision: float
    recall: float


class NearestNeighbours(NamedTuple):
    """Result of `nearest_neighbours`: index into `reference` and distance."""
    indices: np.ndarray
    distances: np.ndarray


class MemorisationReport(NamedTuple):
    """Result of `memorisation_check`; see that function for how to read it.

    Attributes:
      sample_distances: (n_samples,) distance of each sample to its nearest
        training row.
      sample_indices: (n_samples,) index of that training row (to show the pairs).
      test_distances: (n_test,) distance of each test row to its nearest
        training row: the yardstick of "as close as unseen real data gets".
      median_sample_distance, median_test_distance: medians of the two.
      threshold: the `percentile`-th percentile of `test_distances`.
      flagged: (n_samples,) bool, sample_distances < threshold.
      fraction_flagged: mean of `flagged`; about percentile / 100 for a
        generator that does not copy.
    """
    sample_distances: np.ndarray
    sample_indices: np.ndarray
    test_distances: np.ndarray
    median_sample_distance: float
    median_test_distance: float
    threshold: float
    flagged: np.ndarray
    fraction_flagged: float


# --- input checks -------------------------------------------------------------------

def _as_array(x, name):
    x = np.asarray(x)
    if x.dtype == bool:
        return x.astype(np.float64)
    if not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
        raise TypeError(f"`{name}` must hold real numbers, got dtype {x.dtype}; "
                        f"convert it with np.asarray({name}, dtype=np.float32).")
    return x


def _check_finite(x, name):
    if np.issubdtype(x.dtype, np.floating) and not np.isfinite(x).all():
        bad = int(np.size(x) - np.count_nonzero(np.isfinite(x)))
        raise ValueError(f"`{name}` contains {bad} NaN or infinite values; drop or fix those "
                         f"rows before computing the metric (a diverged generator emits NaNs).")


def _as_matrix(x, name, min_rows=1):
    """A finite real (n, D) array with n >= min_rows, or a clear error."""
    x = _as_array(x, name)
    if x.ndim != 2:
        raise ValueError(f"`{name}` must be 2-D with shape (n, D), got shape {x.shape}; "
                         f"flatten images with {name}.reshape(len({name}), -1).")
    if x.shape[0] < min_rows:
        rows = "row" if min_rows == 1 else "rows"
        raise ValueError(f"`{name}` needs at least {min_rows} {rows}, got {x.shape[0]}.")
    if x.shape[1] < 1:
        raise ValueError(f"`{name}` has no feature columns (shape {x.shape}).")
    _check_finite(x, name)
    return x


def _same_width(a, name_a, b, name_b):
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"`{name_a}` and `{name_b}` must have the same number of features, "
                         f"got {a.shape[1]} and {b.shape[1]}; compute both with the same "
                         f"feature extractor / image size.")


def _positive_int(value, name, minimum=1):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"`{name}` must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def _positive_scalar(value, name):
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"`{name}` must be a positive number, got {value!r}.") from None
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"`{name}` must be a positive finite number, got {value!r}.")
    return value


# --- blocked distances --------------------------------------------------------------

def _row_sq_norms(x, block_size):
    """||x_i||^2 in float64, converting one block at a time."""
    out = np.empty(x.shape[0])
    for start in range(0, x.shape[0], block_size):
        xb = np.asarray(x[start:start + block_size], dtype=np.float64)
        out[start:start + block_size] = np.einsum("ij,ij->i", xb, xb)
    return out


def _sq_distance_blocks(a, b, batch_size, block_size, b_sq_norms=None):
    """Yield (row_slice, col_slice, squared distances) covering a x b.

    Blocks are converted to float64 as they are used, so a float32 input never
    gets a full float64 copy. The expansion can go slightly negative for
    near-identical rows by cancellation; those are clamped to 0.
    """
    if b_sq_norms is None:
        b_sq_norms = _row_sq_norms(b, block_size)
    for i0 in range(0, a.shape[0], batch_size):
        rows = slice(i0, min(i0 + batch_size, a.shape[0]))
        ab = np.asarray(a[rows], dtype=np.float64)
        a_norms = np.einsum("ij,ij->i", ab, ab)
        for j0 in range(0, b.shape[0], block_size):
            cols = slice(j0, min(j0 + block_size, b.shape[0]))
            bb = np.asarray(b[cols], dtype=np.float64)
            d2 = ab @ bb.T
            d2 *= -2.0
            d2 += a_norms[:, None]
            d2 += b_sq_norms[None, cols]
            np.maximum(d2, 0.0, out=d2)
            yield rows, cols, d2
            # Drop this block before building the next, so two never coexist.
            del bb, d2


# --- Parzen windows -----------------------------------------------------------------

def _parzen_log_likelihoods(samples, data, sigmas, batch_size, block_size):
    """(len(sigmas), n) log-likelihoods; one distance pass serves every sigma."""
    sigmas = np.asarray(sigmas, dtype=np.float64)
    n, dim = data.shape
    m = samples.shape[0]
    scales = -0.5 / sigmas ** 2
    # Streaming logsumexp over sample blocks: running max and running sum of
    # exp(. - max), per sigma and data point.
    run_max = np.full((len(sigmas), n), -np.inf)
    run_sum = np.zeros((len(sigmas), n))
    for rows, _, d2 in _sq_distance_blocks(data, samples, batch_size, block_size):
        # The largest exponent belongs to the closest sample for every sigma.
        d2_min = d2.min(axis=1)
        for k, scale in enumerate(scales):
            new_max = np.maximum(run_max[k, rows], scale * d2_min)
            run_sum[k, rows] *= np.exp(run_max[k, rows] - new_max)
            e = d2 * scale
            e -= new_max[:, None]
            np.exp(e, out=e)
            run_sum[k, rows] += e.sum(axis=1)
            run_max[k, rows] = new_max
    log_norm = np.log(m) + 0.5 * dim * np.log(2.0 * np.pi * sigmas ** 2)
    return run_max + np.log(run_sum) - log_norm[:, None]


def _check_parzen_inputs(samples, data, data_name, batch_size, block_size):
    samples = _as_matrix(samples, "samples")
    data = _as_matrix(data, data_name)
    _same_width(samples, "samples", data, data_name)
    batch_size = _positive_int(batch_size, "batch_size")
    block_size = batch_size if block_size is None else _positive_int(block_size, "block_size")
    return samples, data, batch_size, block_size


def _check_sigmas(sigmas):
    sigmas = np.atleast_1d(np.asarray(sigmas, dtype=np.float64))
    if sigmas.ndim != 1 or sigmas.size == 0:
        raise ValueError(f"`sigmas` must be a non-empty 1-D sequence of bandwidths, "
                         f"got {sigmas!r}.")
    if not (np.isfinite(sigmas).all() and (sigmas > 0).all()):
        raise ValueError(f"`sigmas` must all be positive and finite, got {sigmas}.")
    return sigmas


def parzen_log_likelihood(samples, data, sigma, batch_size=1000, block_size=None):
    """Log-likelihood of each data point under a Gaussian Parzen window.

    The density is an equal mixture of isotropic Gaussians of bandwidth
    `sigma`, one centred on each of the m samples:

    log p(x) = logsumexp_i( -||x - s_i||^2 / (2 sigma^2) )
               - log m - (D / 2) log(2 pi sigma^2).

    This is the estimator of Goodfellow et al. (2014): a crude but standard
    way to put a number on an implicit model whose density is unknown. It
    rewards spread more than sharpness, and in high dimensions it needs many
    samples (10,000 for MNIST); treat it as a comparison between models scored
    the same way, not as a true log-likelihood.

    Memory: distances are formed as ||x||^2 + ||s||^2 - 2 x.s in float64,
    `batch_size` data rows by `block_size` samples at a time, with a streaming
    logsumexp across sample blocks; extra memory is a few such blocks.

    Args:
      samples: (m, D) array, the model's samples (e.g. flattened images).
      data: (n, D) array, the points to score (test or validation data).
      sigma: positive float, the window's standard deviation.
      batch_size: int, data rows per block.
      block_size: int, samples per block; defaults to `batch_size`.

    Returns:
      (n,) float64 array of log-likelihoods in nats.

    #### Examples

    ```python
    rng = np.random.default_rng(0)
    x_gen = rng.random((100, 784))       # e.g. sess.run(x) for 10,000 samples
    x_test = rng.random((50, 784))
    ll = parzen_log_likelihood(x_gen, x_test, sigma=0.2)
    print(ll.mean())
    ```
    """
    samples, data, batch_size, block_size = _check_parzen_inputs(
        samples, data, "data", batch_size, block_size)
    sigma = _positive_scalar(sigma, "sigma")
    return _parzen_log_likelihoods(samples, data, [sigma], batch_size, block_size)[0]


def parzen_select_sigma(samples, validation, sigmas=DEFAULT_SIGMAS, batch_size=1000,
                        block_size=None):
    """Choose the Parzen bandwidth by grid search on a validation set.

    sigma* = argmax_{sigma in sigmas} (1/n) sum_j log p_sigma(v_j),

    the protocol of Breuleux et al. (2011) as used by Goodfellow et al. (2014):
    a bandwidth chosen on held-out data, so that the test score is not tuned
    on the test set. One pass over the distances serves the whole grid.

    Args:
      samples: (m, D) array of model samples.
      validation: (n, D) array of held-out data, not the test set.
      sigmas: 1-D sequence of positive bandwidths to try; the default is
        10 values log-spaced over [0.1, 1], suited to pixels in [0, 1].
      batch_size, block_size: as in `parzen_log_likelihood`.

    Returns:
      (best_sigma, scores): the best bandwidth (float) and a dict mapping each
      sigma (float) to its mean validation log-likelihood. If the best sigma
      is at an end of the grid, widen the grid.

    #### Examples

    ```python
    rng = np.random.default_rng(0)
    x_gen, x_valid, x_test = rng.random((3, 100, 784))
    sigma, scores = parzen_select_sigma(x_gen, x_valid)
    ll = parzen_log_likelihood(x_gen, x_test, sigma)
    ```
    """
    samples, validation, batch_size, block_size = _check_parzen_inputs(
        samples, validation, "validation", batch_size, block_size)
    sigmas = _check_sigmas(sigmas)
    ll = _parzen_log_likelihoods(samples, validation, sigmas, batch_size, block_size)
    means = ll.mean(axis=1)
    scores = {float(s): float(v) for s, v in zip(sigmas, means)}
    return float(sigmas[int(np.argmax(means))]), scores


def parzen_window_estimate(samples, validation, test, sigmas=DEFAULT_SIGMAS, batch_size=1000,
                           block_size=None):
    """The full Parzen protocol: choose sigma on validation, score the test set.

    sigma* = argmax_sigma mean_j log p_sigma(v_j)   (validation set)
    mean   = (1/n) sum_j log p_sigma*(x_j)          (test set)
    std_error = std_j(log p_sigma*(x_j)) / sqrt(n)

    `std_error` uses the population std (ddof=0), as Goodfellow et al.'s
    script did; it measures the spread over test points only, not over
    draws of samples.

    Args:
      samples: (m, D) array of model samples.
      validation: (n_valid, D) held-out data used only to pick sigma.
      test: (n_test, D) data to report the log-likelihood on.
      sigmas, batch_size, block_size: as in `parzen_select_sigma`.

    Returns:
      ParzenEstimate(sigma, mean, std_error, validation_scores).

    #### Examples

    ```python
    rng = np.random.default_rng(0)
    x_gen, x_valid, x_test = rng.random((3, 100, 784))
    result = parzen_window_estimate(x_gen, x_valid, x_test)
    print(f"Parzen LL {result.mean:.1f} +- {result.std_error:.1f} (sigma={result.sigma:.3f})")
    ```
    """
    # Check the test set before spending time on the validation pass.
    samples, test, batch_size, block_size = _check_parzen_inputs(
        samples, test, "test", batch_size, block_size)
    sigma, scores = parzen_select_sigma(samples, validation, sigmas, batch_size, block_size)
    ll = _parzen_log_likelihoods(samples, test, [sigma], batch_size, block_size)[0]
    return ParzenEstimate(sigma=sigma, mean=float(ll.mean()),
                          std_error=float(ll.std() / np.sqrt(ll.size)),
                          validation_scores=scores)


# --- Frechet distance ---------------------------------------------------------------

def _sqrtm_with_residual(a):
    """scipy's sqrtm, reporting whether it warned or came back inaccurate."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        root = linalg.sqrtm(a)
    warned = any(issubclass(w.category, linalg.LinAlgWarning) for w in caught)
    if not np.isfinite(root).all():
        return root, False
    # A singular product can yield a finite but meaningless root (scipy warns and
    # returns huge entries), so check that root @ root gives the product back.
    scale = max(np.linalg.norm(a), np.finfo(np.float64).tiny)
    accurate = np.linalg.norm(root @ root - a) <= 1e-6 * scale
    return root, accurate and not warned


def frechet_distance_from_moments(mu1, cov1, mu2, cov2, eps=1e-6):
    """Frechet (2-Wasserstein) distance between two Gaussians.

    d^2 = ||mu1 - mu2||^2 + Tr(C1 + C2 - 2 (C1 C2)^{1/2}).

    With Inception features this is FID (Heusel et al. 2017); with any other
    fixed feature extractor (e.g. an MNIST classifier) it is the same
    quantity in that feature space. Numerical safeguards, as in the reference
    implementations: when C1 C2 is singular or scipy's `sqrtm` fails
    (non-finite or inaccurate root), `eps` is added to both diagonals and the
    root recomputed; an imaginary part that is negligible (<= 1e-3 relative
    to the diagonal) is rounding noise from tiny negative eigenvalues and is
    dropped, a larger one raises. The result can be ~-1e-12 for identical
    inputs by rounding; it is not clamped.

    Args:
      mu1, mu2: (d,) means.
      cov1, cov2: (d, d) covariance matrices (symmetric positive semi-definite).
      eps: float, diagonal offset used only when the plain root fails.

    Returns:
      float, the squared Frechet distance.

    Raises:
      ValueError: on shape mismatches, non-finite inputs, or when the root has
        a large imaginary part (covariances that are not PSD).

    #### Examples

    ```python
    d2 = frechet_distance_from_moments(np.zeros(2), np.eye(2), np.ones(2), 4 * np.eye(2))
    # ||mu1 - mu2||^2 + sum (sigma1 - sigma2)^2 = 2 + 2 = 4
    assert abs(d2 - 4.0) < 1e-12
    ```
    """
    mu1 = _as_array(mu1, "mu1").astype(np.float64)
    mu2 = _as_array(mu2, "mu2").astype(np.float64)
    cov1 = _as_array(cov1, "cov1").astype(np.float64)
    cov2 = _as_array(cov2, "cov2").astype(np.float64)
    for name, mu in (("mu1", mu1), ("mu2", mu2)):
        if mu.ndim != 1:
            raise ValueError(f"`{name}` must be a 1-D mean vector, got shape {mu.shape}.")
    if mu1.shape != mu2.shape:
        raise ValueError(f"`mu1` and `mu2` must have the same length, got {mu1.shape} and "
                         f"{mu2.shape}; use the same feature extractor for both.")
    d = mu1.shape[0]
    for name, cov in (("cov1", cov1), ("cov2", cov2)):
        if cov.shape != (d, d):
            raise ValueError(f"`{name}` must have shape ({d}, {d}) to match the means, "
                             f"got {cov.shape}.")
    for name, x in (("mu1", mu1), ("mu2", mu2), ("cov1", cov1), ("cov2", cov2)):
        _check_finite(x, name)
    eps = float(eps)

    covmean, ok = _sqrtm_with_residual(cov1 @ cov2)
    if not ok:
        offset = eps * np.eye(d)
        covmean, ok = _sqrtm_with_residual((cov1 + offset) @ (cov2 + offset))
        if not np.isfinite(covmean).all():
            raise ValueError("The matrix square root of cov1 @ cov2 is not finite even with "
                             f"eps={eps} added to the diagonals; check the covariances or "
                             "pass a larger `eps`.")
        if not ok:
            warnings.warn("sqrtm(cov1 @ cov2) is inaccurate even with eps added to the "
                          "diagonals; the distance may be off. Use more samples than feature "
                          "dimensions or a larger `eps`.", RuntimeWarning, stacklevel=2)
    if np.iscomplexobj(covmean):
        diag = np.diagonal(covmean)
        largest_imag = float(np.max(np.abs(diag.imag)))
        if largest_imag > 1e-3 * max(1.0, float(np.max(np.abs(diag.real)))):
            raise ValueError(f"The square root of cov1 @ cov2 has imaginary parts up to "
                             f"{largest_imag:.3g}: the covariances are not positive "
                             f"semi-definite. Pass real covariance matrices (np.cov) or use "
                             f"more samples than feature dimensions.")
        covmean = covmean.real
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(cov1) + np.trace(cov2) - 2.0 * np.trace(covmean))


def frechet_distance(features_a, features_b, eps=1e-6):
    """Frechet distance between Gaussians fitted to two sets of features.

    d^2 = ||mu_a - mu_b||^2 + Tr(C_a + C_b - 2 (C_a C_b)^{1/2}),

    with mu, C the sample mean and (ddof=1) covariance of each set. The
    estimate is biased upwards for small sets (bias ~ d / n); compare models
    only at equal sample sizes, and use n well above the feature dimension d
    (n < d gives singular covariances; `eps` keeps it computable).

    Args:
      features_a: (n_a, d) array, e.g. features of real images.
      features_b: (n_b, d) array, e.g. features of generated images.
      eps: float, see `frechet_distance_from_moments`.

    Returns:
      float, the squared Frechet distance (0 for identical sets).

    #### Examples

    ```python
    rng = np.random.default_rng(0)
    real = rng.normal(size=(1000, 16))
    fake = rng.normal(size=(1000, 16)) + 0.5
    print(frechet_distance(real, fake))   # about 16 * 0.25 = 4
    ```
    """
    features_a = _as_matrix(features_a, "features_a", min_rows=2)
    features_b = _as_matrix(features_b, "features_b", min_rows=2)
    _same_width(features_a, "features_a", features_b, "features_b")
    moments = []
    for x in (features_a, features_b):
        x = x.astype(np.float64)
        moments += [x.mean(axis=0), np.atleast_2d(np.cov(x, rowvar=False))]
    return frechet_distance_from_moments(moments[0], moments[1], moments[2], moments[3], eps=eps)


# --- kernel (MMD) distance ----------------------------------------------------------

def _polynomial_mmd2_unbiased(x, y):
    """Unbiased MMD^2 with k(a, b) = (a.b / d + 1)^3 between equal-size x, y."""
    m, d = x.shape
    k_xx = (x @ x.T / d + 1.0) ** 3
    k_yy = (y @ y.T / d + 1.0) ** 3
    k_xy = (x @ y.T / d + 1.0) ** 3
    # Unbiased: the diagonals k(x_i, x_i) are left out of the within-set means.
    sum_xx = k_xx.sum() - np.trace(k_xx)
    sum_yy = k_yy.sum() - np.trace(k_yy)
    return (sum_xx + sum_yy) / (m * (m - 1)) - 2.0 * k_xy.sum() / (m * m)


def kernel_distance(features_a, features_b, n_subsets=10, subset_size=1000, seed=None):
    """Kernel Inception Distance analogue: unbiased MMD^2, cubic polynomial kernel.

    k(x, y) = (x.y / d + 1)^3,
    MMD^2_u = 1/(m(m-1)) sum_{i != j} [k(a_i, a_j) + k(b_i, b_j)]
              - 2/m^2 sum_{i, j} k(a_i, b_j),

    computed on `n_subsets` random subsets of m = min(subset_size, n_a, n_b)
    rows drawn without replacement from each set (Binkowski et al. 2018).
    Unlike FID it is unbiased, so small sets compare fairly, and its mean can
    be slightly negative when the two distributions agree.

    Args:
      features_a: (n_a, d) array.
      features_b: (n_b, d) array.
      n_subsets: int, number of random subsets.
      subset_size: int >= 2, rows per subset (capped at min(n_a, n_b)).
      seed: None, int or np.random.Generator for the subset draws.

    Returns:
      KernelDistance(mean, std): mean and std (ddof=0, as in the reference
      code) of MMD^2 over subsets. Often reported x 1000.

    #### Examples

    ```python
    rng = np.random.default_rng(0)
    real_features = rng.normal(size=(2000, 64))
    fake_features = rng.normal(size=(2000, 64)) + 0.1
    kid = kernel_distance(real_features, fake_features, seed=0)
    print(f"KID {kid.mean * 1e3:.2f} +- {kid.std * 1e3:.2f} (x 1e-3)")
    ```
    """
    features_a = _as_matrix(features_a, "features_a", min_rows=2)
    features_b = _as_matrix(features_b, "features_b", min_rows=2)
    _same_width(features_a, "features_a", features_b, "features_b")
    n_subsets = _positive_int(n_subsets, "n_subsets")
    subset_size = _positive_int(subset_size, "subset_size", minimum=2)
    m = min(subset_size, features_a.shape[0], features_b.shape[0])
    rng = np.random.default_rng(seed)
    values = np.empty(n_subsets)
    for k in range(n_subsets):
        a = features_a[rng.choice(features_a.shape[0], m, replace=False)].astype(np.float64)
        b = features_b[rng.choice(features_b.shape[0], m, replace=False)].astype(np.float64)
        values[k] = _polynomial_mmd2_unbiased(a, b)
    return KernelDistance(mean=float(values.mean()), std=float(values.std()))


# --- classifier-based scores --------------------------------------------------------

def _check_probabilities(probabilities, name="probabilities", atol=1e-3):
    p = _as_matrix(probabilities, name)
    if (p < 0).any():
        raise ValueError(f"`{name}` must be non-negative class probabilities (softmax outputs, "
                         f"not logits); got a minimum of {p.min():.3g}.")
    sums = p.sum(axis=1, dtype=np.float64)
    worst = int(np.argmax(np.abs(sums - 1.0)))
    if abs(sums[worst] - 1.0) > atol:
        raise ValueError(f"Each row of `{name}` must sum to 1 (row {worst} sums to "
                         f"{sums[worst]:.6g}); pass softmax outputs or normalise with "
                         f"p / p.sum(axis=1, keepdims=True).")
    return p.astype(np.float64)


def classifier_score(probabilities, n_splits=10):
    """Inception Score analogue from a classifier's predictions on samples.

    score = exp( E_x KL(p(y|x) || p(y)) ),   p(y) = E_x p(y|x),

    computed on each of `n_splits` contiguous splits and averaged (Salimans
    et al. 2016) — so the samples must be in random order (shuffle samples
    drawn class by class first). It is high (up to K, the number of classes) when each sample
    is confidently one class and the classes are used evenly; it is 1 when
    every sample gets the same prediction. It says nothing about whether the
    samples look like the real data within a class.

    Args:
      probabilities: (n, K) array of p(y|x) per sample; rows sum to 1.
      n_splits: int, number of splits (<= n).

    Returns:
      ClassifierScore(mean, std) over splits (std with ddof=0, as in the
      reference code).

    #### Examples

    ```python
    logits = np.random.default_rng(0).normal(size=(500, 10)) * 5
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)  # a classifier's softmax
    score = classifier_score(p)
    print(f"score {score.mean:.2f} +- {score.std:.2f} (max 10)")
    ```
    """
    p = _check_probabilities(probabilities)
    n_splits = _positive_int(n_splits, "n_splits")
    if n_splits > p.shape[0]:
        raise ValueError(f"`n_splits` ({n_splits}) cannot exceed the number of samples "
                         f"({p.shape[0]}); pass fewer splits or more samples.")
    scores = []
    for part in np.array_split(p, n_splits):
        marginal = part.mean(axis=0, keepdims=True)
        # rel_entr treats 0 log 0 as 0, so one-hot predictions are fine.
        kl = special.rel_entr(part, marginal).sum(axis=1)
        scores.append(np.exp(kl.mean()))
    scores = np.asarray(scores)
    return ClassifierScore(mean=float(scores.mean()), std=float(scores.std()))


def class_histogram(labels_or_probabilities, n_classes=10):
    """How evenly samples spread over classes, and how far that is from uniform.

    fractions_k = #{i : y_i = k} / n,
    KL(fractions || uniform) = sum_k f_k log(K f_k) = log K - H(fractions),

    0 when every class is equally frequent and log K when all samples fall in
    one class: a direct read-out of mode dropping on labelled data (e.g. MNIST
    digits as judged by a classifier).

    Args:
      labels_or_probabilities: (n,) integer labels in [0, n_classes), or
        (n, n_classes) class probabilities (each sample counts as its argmax).
      n_classes: int, the number of classes K.

    Returns:
      ClassHistogram(fractions, kl_to_uniform): (K,) float64 array summing to
      1, and a float in nats.

    #### Examples

    ```python
    labels = np.random.default_rng(0).integers(0, 10, size=1000)  # argmax of a classifier
    fractions, kl = class_histogram(labels)       # kl near 0: balanced
    fractions, kl = class_histogram(labels // 2)  # only digits 0-4: kl near log 2
    ```
    """
    n_classes = _positive_int(n_classes, "n_classes")
    x = _as_array(labels_or_probabilities, "labels_or_probabilities")
    if x.ndim == 2:
        if x.shape[1] != n_classes:
            raise ValueError(f"`labels_or_probabilities` has {x.shape[1]} columns but "
                             f"n_classes={n_classes}; pass n_classes={x.shape[1]}.")
        labels = np.argmax(_check_probabilities(x, "labels_or_probabilities"), axis=1)
    elif x.ndim == 1:
        _check_finite(x, "labels_or_probabilities")
        if not np.issubdtype(x.dtype, np.integer):
            if not np.array_equal(x, np.round(x)):
                raise TypeError("1-D `labels_or_probabilities` must be integer class labels; "
                                "pass probabilities as an (n, n_classes) array instead.")
        labels = x.astype(np.int64)
    else:
        raise ValueError(f"`labels_or_probabilities` must be (n,) labels or (n, n_classes) "
                         f"probabilities, got shape {x.shape}.")
    if labels.size == 0:
        raise ValueError("`labels_or_probabilities` is empty; need at least one sample.")
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(f"Labels must lie in [0, {n_classes}), got values from {labels.min()} "
                         f"to {labels.max()}; set n_classes to the number of classes.")
    fractions = np.bincount(labels, minlength=n_classes) / labels.size
    kl = float(special.rel_entr(fractions, 1.0 / n_classes).sum())
    return ClassHistogram(fractions=fractions, kl_to_uniform=kl)


# --- nearest neighbours, precision / recall, memorisation ---------------------------

def _kth_neighbour_sq_radii(x, k, batch_size):
    """Squared distance from each row of x to its k-th nearest other row."""
    n = x.shape[0]
    sq_norms = _row_sq_norms(x, batch_size)
    radii = np.empty(n)
    best = None
    for rows, cols, d2 in _sq_distance_blocks(x, x, batch_size, batch_size, sq_norms):
        if cols.start == 0:
            best = np.full((rows.stop - rows.start, k), np.inf)
        # Exclude each point itself (not its duplicates, which are genuine neighbours).
        overlap = np.arange(max(rows.start, cols.start), min(rows.stop, cols.stop))
        d2[overlap - rows.start, overlap - cols.start] = np.inf
        # Keep only the k smallest so far: memory stays O(batch_size * (block + k)).
        candidates = np.concatenate([best, d2], axis=1)
        best = np.partition(candidates, k - 1, axis=1)[:, :k]
        if cols.stop == n:
            radii[rows] = best.max(axis=1)
    return radii


def precision_recall(real_features, fake_features, k=3, batch_size=1000):
    """Improved precision and recall of Kynkaanniemi et al. (2019).

    Each set's manifold is the union of balls around its points, the radius
    of each being the distance to its k-th nearest neighbour in the same set
    (excluding the point itself):

    precision = (1/n_fake) sum_j 1[ exists i: ||f_j - r_i|| <= radius(r_i) ],
    recall    = (1/n_real) sum_i 1[ exists j: ||r_i - f_j|| <= radius(f_j) ].

    Precision is the fraction of samples that look real (quality); recall is
    the fraction of the real data the generator covers (diversity; mode
    dropping lowers it). Use equal set sizes and the same k when comparing.

    All distances are computed in blocks of `batch_size` x `batch_size`, so
    10,000 x 10,000 sets need only a few blocks of memory.

    Args:
      real_features: (n_real, d) array, n_real > k.
      fake_features: (n_fake, d) array, n_fake > k.
      k: int, neighbourhood size (3 in the paper).
      batch_size: int, rows per distance block.

    Returns:
      PrecisionRecall(precision, recall), floats in [0, 1].

    #### Examples

    ```python
    rng = np.random.default_rng(0)
    real_features = rng.normal(size=(1000, 8))
    fake_features = 0.5 * rng.normal(size=(1000, 8))   # too narrow: high precision, low recall
    precision, recall = precision_recall(real_features, fake_features, k=3)
    ```
    """
    k = _positive_int(k, "k")
    real = _as_matrix(real_features, "real_features", min_rows=k + 1)
    fake = _as_matrix(fake_features, "fake_features", min_rows=k + 1)
    _same_width(real, "real_features", fake, "fake_features")
    batch_size = _positive_int(batch_size, "batch_size")
    real_r2 = _kth_neighbour_sq_radii(real, k, batch_size)
    fake_r2 = _kth_neighbour_sq_radii(fake, k, batch_size)
    # One cross pass answers both questions: rows are fake points, columns real.
    fake_inside = np.zeros(fake.shape[0], dtype=bool)
    real_inside = np.zeros(real.shape[0], dtype=bool)
    real_norms = _row_sq_norms(real, batch_size)
    for rows, cols, d2 in _sq_distance_blocks(fake, real, batch_size, batch_size, real_norms):
        fake_inside[rows] |= (d2 <= real_r2[None, cols]).any(axis=1)
        real_inside[cols] |= (d2 <= fake_r2[rows, None]).any(axis=0)
    return PrecisionRecall(precision=float(fake_inside.mean()), recall=float(real_inside.mean()))


def nearest_neighbours(queries, reference, batch_size=1000):
    """The nearest reference row (Euclidean) for each query row.

    index_j = argmin_i ||q_j - r_i||,   distance_j = ||q_j - r_index_j||.

    The search uses blocked expanded distances; the winning distance is then
    re-measured directly as ||q - r|| because the expansion loses precision
    for near-duplicates (an exact copy gets distance exactly 0). Ties go to
    the lowest index.

    Args:
      queries: (n, D) array.
      reference: (m, D) array.
      batch_size: int, rows per distance block.

    Returns:
      NearestNeighbours(indices, distances): (n,) int64 and (n,) float64.

    #### Examples

    ```python
    rng = np.random.default_rng(0)
    x_train, samples = rng.random((1000, 784)), rng.random((16, 784))
    idx, dist = nearest_neighbours(samples, x_train)
    closest_training_images = x_train[idx]   # show these beside `samples`
    ```
    """
    queries = _as_matrix(queries, "queries")
    reference = _as_matrix(reference, "reference")
    _same_width(queries, "queries", reference, "reference")
    batch_size = _positive_int(batch_size, "batch_size")
    n = queries.shape[0]
    best_d2 = np.full(n, np.inf)
    best_index = np.zeros(n, dtype=np.int64)
    for rows, cols, d2 in _sq_distance_blocks(queries, reference, batch_size, batch_size):
        local = np.argmin(d2, axis=1)
        local_d2 = d2[np.arange(d2.shape[0]), local]
        better = local_d2 < best_d2[rows]
        best_d2[rows] = np.where(better, local_d2, best_d2[rows])
        best_index[rows] = np.where(better, local + cols.start, best_index[rows])
    distances = np.empty(n)
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        diff = (np.asarray(queries[start:stop], dtype=np.float64)
                - np.asarray(reference[best_index[start:stop]], dtype=np.float64))
        distances[start:stop] = np.sqrt(np.einsum("ij,ij->i", diff, diff))
    return NearestNeighbours(indices=best_index, distances=distances)


def memorisation_check(samples, train, test, percentile=1.0, batch_size=1000):
    """Are samples suspiciously close to training images? (copying check)

    For each sample s and test image t, with d(x) = min_i ||x - train_i||:

    sample_distances = d(s),    test_distances = d(t),
    threshold = percentile_p(test_distances),
    fraction_flagged = mean_s 1[ d(s) < threshold ].

    How to read it: test images are real data the model never saw, so
    `test_distances` says how close a genuinely new image typically lands to
    the training set. A generator that produces new images should look the
    same: median_sample_distance ~ median_test_distance and fraction_flagged
    ~ percentile / 100. Samples much closer to training images than test
    images are (a median ratio well below 1, fraction_flagged far above
    percentile / 100, distances of 0) indicate memorisation; look at the
    flagged samples next to `train[sample_indices]`. Samples much farther than
    test images (ratio well above 1) are off the data manifold, a quality
    problem rather than copying. Pixel distance is crude: it catches copies
    and near-copies, not shifted or re-styled ones.

    Args:
      samples: (n_samples, D) model samples.
      train: (n_train, D) the training data the model was fitted to.
      test: (n_test, D) held-out data from the same distribution (a few
        hundred rows at least, so the percentile means something).
      percentile: float in (0, 100), the test percentile used as threshold.
      batch_size: int, rows per distance block.

    Returns:
      MemorisationReport; see its attributes.

    #### Examples

    ```python
    rng = np.random.default_rng(0)
    x_train, x_test = rng.random((1000, 784)), rng.random((200, 784))
    samples = np.concatenate([x_train[:20], rng.random((80, 784))])  # 20 copies
    report = memorisation_check(samples, x_train, x_test)
    print(report.median_sample_distance / report.median_test_distance,
          report.fraction_flagged)
    ```
    """
    samples = _as_matrix(samples, "samples")
    train = _as_matrix(train, "train")
    test = _as_matrix(test, "test")
    _same_width(samples, "samples", train, "train")
    _same_width(test, "test", train, "train")
    percentile = float(percentile)
    if not 0.0 < percentile < 100.0:
        raise ValueError(f"`percentile` must lie strictly between 0 and 100, got {percentile}.")
    sample_nn = nearest_neighbours(samples, train, batch_size)
    test_nn = nearest_neighbours(test, train, batch_size)
    threshold = float(np.percentile(test_nn.distances, percentile))
    flagged = sample_nn.distances < threshold
    return MemorisationReport(
        sample_distances=sample_nn.distances,
        sample_indices=sample_nn.indices,
        test_distances=test_nn.distances,
        median_sample_distance=float(np.median(sample_nn.distances)),
        median_test_distance=float(np.median(test_nn.distances)),
        threshold=threshold,
        flagged=flagged,
        fraction_flagged=float(flagged.mean()),
    )
