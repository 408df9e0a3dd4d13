"""Parzen-window log-likelihood of data under a model's samples.

Two protocols share one estimator (`parzen_window_estimate`): by default
the bandwidth is chosen on every validation point given; with
`n_validation=1000` it is the protocol of the authors' released evaluation
(see `parzen_window_estimate`).

References:
  Goodfellow et al. (2014), Generative Adversarial Nets (Parzen windows);
    the released evaluation is parzen_ll.py of github.com/goodfeli/adversarial.
  Breuleux, Bengio and Vincent (2011), Quickly generating representative
    samples from an RBM-derived process (Parzen protocol).
"""

from typing import Dict, NamedTuple

import numpy as np

from gan_infer.criticism.input_checks import as_matrix, positive_int, positive_number, same_width
from gan_infer.criticism.pairwise import sq_distance_blocks

__all__ = [
    "DEFAULT_SIGMAS",
    "RELEASED_N_VALIDATION",
    "ParzenEstimate",
    "parzen_log_likelihood",
    "parzen_select_sigma",
    "parzen_window_estimate",
]

# Goodfellow et al. (2014) searched this grid for MNIST pixels in [0, 1].
DEFAULT_SIGMAS = tuple(float(s) for s in np.logspace(-1, 0, 10))
# The released evaluation chose sigma on the first 1,000 validation images.
RELEASED_N_VALIDATION = 1000


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


def _parzen_log_likelihoods(samples, data, sigmas, batch_size, block_size):
    """(len(sigmas), n) log-likelihoods; one distance pass serves every sigma."""
    sigmas = np.asarray(sigmas, dtype=np.float64)
    n, dim = data.shape
    m = samples.shape[0]
    scales = -0.5 / sigmas**2
    # Streaming logsumexp over sample blocks: running max and running sum of
    # exp(. - max), per sigma and data point.
    run_max = np.full((len(sigmas), n), -np.inf)
    run_sum = np.zeros((len(sigmas), n))
    for rows, _, d2 in sq_distance_blocks(data, samples, batch_size, block_size):
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
    log_norm = np.log(m) + 0.5 * dim * np.log(2.0 * np.pi * sigmas**2)
    return run_max + np.log(run_sum) - log_norm[:, None]


def _check_parzen_inputs(samples, data, data_name, batch_size, block_size):
    samples = as_matrix(samples, "samples")
    data = as_matrix(data, data_name)
    same_width(samples, "samples", data, data_name)
    batch_size = positive_int(batch_size, "batch_size")
    block_size = batch_size if block_size is None else positive_int(block_size, "block_size")
    return samples, data, batch_size, block_size


def _check_sigmas(sigmas):
    sigmas = np.atleast_1d(np.asarray(sigmas, dtype=np.float64))
    if sigmas.ndim != 1 or sigmas.size == 0:
        raise ValueError(
            f"`sigmas` must be a non-empty 1-D sequence of bandwidths, got {sigmas!r}."
        )
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
        samples, data, "data", batch_size, block_size
    )
    sigma = positive_number(sigma, "sigma")
    return _parzen_log_likelihoods(samples, data, [sigma], batch_size, block_size)[0]


def parzen_select_sigma(
    samples, validation, sigmas=DEFAULT_SIGMAS, batch_size=1000, block_size=None, n_validation=None
):
    """Choose the Parzen bandwidth by grid search on a validation set.

    sigma* = argmax_{sigma in sigmas} (1/n) sum_{j <= n} log p_sigma(v_j),

    the protocol of Breuleux et al. (2011) as used by Goodfellow et al. (2014):
    a bandwidth chosen on held-out data, so that the test score is not tuned
    on the test set. One pass over the distances serves the whole grid.

    Args:
      samples: (m, D) array of model samples.
      validation: (n, D) array of held-out data, not the test set.
      sigmas: 1-D sequence of positive bandwidths to try; the default is
        10 values log-spaced over [0.1, 1], suited to pixels in [0, 1].
      batch_size, block_size: as in `parzen_log_likelihood`.
      n_validation: int, optional. Use only the first `n_validation` rows
        of `validation` (n above); default: every row.

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
        samples, validation, "validation", batch_size, block_size
    )
    if n_validation is not None:
        validation = validation[: positive_int(n_validation, "n_validation")]
    sigmas = _check_sigmas(sigmas)
    ll = _parzen_log_likelihoods(samples, validation, sigmas, batch_size, block_size)
    means = ll.mean(axis=1)
    scores = {float(s): float(v) for s, v in zip(sigmas, means)}
    return float(sigmas[int(np.argmax(means))]), scores


def parzen_window_estimate(
    samples,
    validation,
    test,
    sigmas=DEFAULT_SIGMAS,
    batch_size=1000,
    block_size=None,
    n_validation=None,
):
    """The full Parzen protocol: choose sigma on validation, score the test set.

    With p_sigma the window of `parzen_log_likelihood` on the m samples,

    sigma* = argmax_{sigma in sigmas} (1/k) sum_{j <= k} log p_sigma(v_j)   (validation)
    mean   = (1/n) sum_{i <= n} log p_sigma*(x_i)                           (test)
    std_error = std_i(log p_sigma*(x_i)) / sqrt(n)

    The two protocols differ only in k, the validation points that choose
    sigma:

    - default (`n_validation=None`): k = n_valid, every validation point
      given (this package's `evaluate_mnist` gives the 5,000 images of the
      tutorial's split);
    - the authors' released evaluation (`n_validation=1000`, i.e.
      `RELEASED_N_VALIDATION`; parzen_ll.py of goodfeli/adversarial): k =
      1,000, the first 1,000 validation images, which for MNIST are
      training images 50,000-50,999 (pass the last 10,000 training images,
      `mnist_splits(data_dir, validation_size=10000)`), with m = 10,000
      samples and the n = 10,000 test images. Its sigma is fitted to
      fewer (and other) points, so the two can pick neighbouring values of
      the grid.

    `std_error` uses the population std (ddof=0), as Goodfellow et al.'s
    script did; it measures the spread over test points only, not over
    draws of samples.

    Args:
      samples: (m, D) array of model samples.
      validation: (n_valid, D) held-out data used only to pick sigma.
      test: (n_test, D) data to report the log-likelihood on.
      sigmas, batch_size, block_size: as in `parzen_select_sigma`.
      n_validation: int, optional. k above: choose sigma on the first
        `n_validation` rows of `validation` only (1000 for the released
        protocol); default: every row.

    Returns:
      ParzenEstimate(sigma, mean, std_error, validation_scores).

    #### Examples

    ```python
    rng = np.random.default_rng(0)
    x_gen, x_valid, x_test = rng.random((3, 100, 784))
    result = parzen_window_estimate(x_gen, x_valid, x_test)
    print(f"Parzen LL {result.mean:.1f} +- {result.std_error:.1f} (sigma={result.sigma:.3f})")
    released = parzen_window_estimate(x_gen, x_valid, x_test, n_validation=50)  # 1000 for MNIST
    ```
    """
    # Check the test set before spending time on the validation pass.
    samples, test, batch_size, block_size = _check_parzen_inputs(
        samples, test, "test", batch_size, block_size
    )
    sigma, scores = parzen_select_sigma(
        samples, validation, sigmas, batch_size, block_size, n_validation
    )
    ll = _parzen_log_likelihoods(samples, test, [sigma], batch_size, block_size)[0]
    return ParzenEstimate(
        sigma=sigma,
        mean=float(ll.mean()),
        std_error=float(ll.std() / np.sqrt(ll.size)),
        validation_scores=scores,
    )
