"""Distances between two sets of features: Frechet (FID-style) and kernel (KID-style).

Features come from whatever network the caller trusts, e.g. an MNIST
classifier's penultimate layer; the distances do not care where they came from.

References:
  Heusel et al. (2017), GANs Trained by a Two Time-Scale Update Rule (FID).
  Binkowski et al. (2018), Demystifying MMD GANs (KID).
"""

import warnings
from typing import NamedTuple

import numpy as np
from scipy import linalg

from gan_infer.criticism.input_checks import (
    as_array,
    as_matrix,
    check_finite,
    positive_int,
    same_width,
)

__all__ = ["KernelDistance", "frechet_distance", "frechet_distance_from_moments", "kernel_distance"]


class KernelDistance(NamedTuple):
    """Result of `kernel_distance`: mean and std of MMD^2 over subsets."""

    mean: float
    std: float


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
    mu1 = as_array(mu1, "mu1").astype(np.float64)
    mu2 = as_array(mu2, "mu2").astype(np.float64)
    cov1 = as_array(cov1, "cov1").astype(np.float64)
    cov2 = as_array(cov2, "cov2").astype(np.float64)
    for name, mu in (("mu1", mu1), ("mu2", mu2)):
        if mu.ndim != 1:
            raise ValueError(f"`{name}` must be a 1-D mean vector, got shape {mu.shape}.")
    if mu1.shape != mu2.shape:
        raise ValueError(
            f"`mu1` and `mu2` must have the same length, got {mu1.shape} and "
            f"{mu2.shape}; use the same feature extractor for both."
        )
    d = mu1.shape[0]
    for name, cov in (("cov1", cov1), ("cov2", cov2)):
        if cov.shape != (d, d):
            raise ValueError(
                f"`{name}` must have shape ({d}, {d}) to match the means, got {cov.shape}."
            )
    for name, x in (("mu1", mu1), ("mu2", mu2), ("cov1", cov1), ("cov2", cov2)):
        check_finite(x, name)
    eps = float(eps)

    covmean, ok = _sqrtm_with_residual(cov1 @ cov2)
    if not ok:
        offset = eps * np.eye(d)
        covmean, ok = _sqrtm_with_residual((cov1 + offset) @ (cov2 + offset))
        if not np.isfinite(covmean).all():
            raise ValueError(
                "The matrix square root of cov1 @ cov2 is not finite even with "
                f"eps={eps} added to the diagonals; check the covariances or "
                "pass a larger `eps`."
            )
        if not ok:
            warnings.warn(
                "sqrtm(cov1 @ cov2) is inaccurate even with eps added to the "
                "diagonals; the distance may be off. Use more samples than feature "
                "dimensions or a larger `eps`.",
                RuntimeWarning,
                stacklevel=2,
            )
    if np.iscomplexobj(covmean):
        diag = np.diagonal(covmean)
        largest_imag = float(np.max(np.abs(diag.imag)))
        if largest_imag > 1e-3 * max(1.0, float(np.max(np.abs(diag.real)))):
            raise ValueError(
                f"The square root of cov1 @ cov2 has imaginary parts up to "
                f"{largest_imag:.3g}: the covariances are not positive "
                f"semi-definite. Pass real covariance matrices (np.cov) or use "
                f"more samples than feature dimensions."
            )
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
    features_a = as_matrix(features_a, "features_a", min_rows=2)
    features_b = as_matrix(features_b, "features_b", min_rows=2)
    same_width(features_a, "features_a", features_b, "features_b")
    moments = []
    for x in (features_a, features_b):
        x = x.astype(np.float64)
        moments += [x.mean(axis=0), np.atleast_2d(np.cov(x, rowvar=False))]
    return frechet_distance_from_moments(moments[0], moments[1], moments[2], moments[3], eps=eps)


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
    features_a = as_matrix(features_a, "features_a", min_rows=2)
    features_b = as_matrix(features_b, "features_b", min_rows=2)
    same_width(features_a, "features_a", features_b, "features_b")
    n_subsets = positive_int(n_subsets, "n_subsets")
    subset_size = positive_int(subset_size, "subset_size", minimum=2)
    m = min(subset_size, features_a.shape[0], features_b.shape[0])
    rng = np.random.default_rng(seed)
    values = np.empty(n_subsets)
    for k in range(n_subsets):
        a = features_a[rng.choice(features_a.shape[0], m, replace=False)].astype(np.float64)
        b = features_b[rng.choice(features_b.shape[0], m, replace=False)].astype(np.float64)
        values[k] = _polynomial_mmd2_unbiased(a, b)
    return KernelDistance(mean=float(values.mean()), std=float(values.std()))
