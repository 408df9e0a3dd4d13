"""Metrics for toy data: 1-D Gaussians and 2-D mixtures of Gaussians.

On toy problems the true distribution is known, so samples can be judged
against it directly: a normal fit and a Kolmogorov-Smirnov distance for the
1-D Gaussian of the GAN tutorial, and mode counting for the 2-D ring and grid
mixtures used to measure mode collapse (VEEGAN, Srivastava et al. 2017;
PacGAN, Lin et al. 2018).
"""

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import stats

from gan_infer.criticism.input_checks import as_array, as_matrix, check_finite, positive_int
from gan_infer.util.checks import check_number

__all__ = [
    "NormalFit",
    "Mixture2D",
    "ModeCoverage",
    "fit_normal_1d",
    "ks_distance",
    "ring_of_gaussians",
    "grid_of_gaussians",
    "mode_coverage",
]


class NormalFit(NamedTuple):
    """Result of `fit_normal_1d`: maximum-likelihood mean and std."""

    mean: float
    std: float


class ModeCoverage(NamedTuple):
    """Result of `mode_coverage`.

    Attributes:
      modes_captured: int, modes with at least `min_count` samples within
        `threshold_sigmas` standard deviations of their centre.
      high_quality_fraction: float, fraction of samples within
        `threshold_sigmas` standard deviations of some centre.
      counts: (n_modes,) int64, high-quality samples per mode (each sample
        counted for its nearest centre).
    """

    modes_captured: int
    high_quality_fraction: float
    counts: np.ndarray


def _as_1d(samples, name):
    """A finite 1-D array from (n,) or (n, 1) input (the tutorial's x is [M, 1])."""
    x = as_array(samples, name)
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        raise ValueError(
            f"`{name}` must be 1-D samples of shape (n,) or (n, 1), got shape "
            f"{x.shape}; for multivariate samples use the metrics module."
        )
    if x.size == 0:
        raise ValueError(f"`{name}` is empty; need at least one sample.")
    check_finite(x, name)
    return x.astype(np.float64)


def fit_normal_1d(samples):
    """Maximum-likelihood normal fit to 1-D samples.

    mean = (1/n) sum_i x_i,   std = sqrt( (1/n) sum_i (x_i - mean)^2 ),

    the same as `scipy.stats.norm.fit` (ddof=0). Compare with the target's
    parameters, e.g. N(4, 0.5) in the GAN tutorial.

    Args:
      samples: (n,) or (n, 1) array.

    Returns:
      NormalFit(mean, std).

    #### Examples

    ```python
    samples = np.random.default_rng(0).normal(4.0, 0.5, size=(1000, 1))  # e.g. sess.run(x)
    mean, std = fit_normal_1d(samples)   # close to (4.0, 0.5)
    ```
    """
    x = _as_1d(samples, "samples")
    return NormalFit(mean=float(x.mean()), std=float(x.std()))


def ks_distance(samples, cdf_or_samples):
    """Kolmogorov-Smirnov statistic of samples against a CDF or another sample.

    D = sup_x |F_n(x) - F(x)|,

    where F_n is the empirical CDF of `samples` and F is either the given CDF
    (one-sample test, `scipy.stats.kstest`) or the empirical CDF of a second
    sample (two-sample test, `scipy.stats.ks_2samp`). 0 means identical; 1
    means no overlap.

    Args:
      samples: (n,) or (n, 1) array.
      cdf_or_samples: a callable CDF (e.g. `scipy.stats.norm(4, 0.5).cdf`),
        an object with a `.cdf` method (a frozen scipy distribution), or a
        second array of samples of shape (m,) or (m, 1).

    Returns:
      float, the KS statistic in [0, 1].

    #### Examples

    ```python
    from scipy import stats
    rng = np.random.default_rng(0)
    samples = rng.normal(4.0, 0.6, size=(1000, 1))   # e.g. sess.run(x)
    x_data = rng.normal(4.0, 0.5, size=(1000, 1))
    d = ks_distance(samples, stats.norm(4.0, 0.5))   # against the true CDF
    d2 = ks_distance(samples, x_data)                # against the data
    ```
    """
    x = _as_1d(samples, "samples")
    target = cdf_or_samples
    if not callable(target) and callable(getattr(target, "cdf", None)):
        target = target.cdf
    if callable(target):
        return float(stats.kstest(x, target).statistic)
    if isinstance(target, str):
        raise TypeError(
            "`cdf_or_samples` must be a callable CDF, a distribution with a .cdf "
            f"method or an array of samples, got the string {target!r}; pass e.g. "
            "scipy.stats.norm(0, 1)."
        )
    other = _as_1d(target, "cdf_or_samples")
    return float(stats.ks_2samp(x, other).statistic)


# eq=False: a field-wise == on numpy arrays is not a bool, so compare by identity.
@dataclass(frozen=True, eq=False)
class Mixture2D:
    """An equal-weight mixture of isotropic 2-D Gaussians with a shared std.

    Attributes:
      centers: (n_modes, 2) float64 array of mode centres.
      std: float, the standard deviation of every component.
    """

    centers: np.ndarray
    std: float

    def __post_init__(self):
        centers = np.asarray(self.centers, dtype=np.float64)
        if centers.ndim != 2 or centers.shape[1] != 2 or centers.shape[0] < 1:
            raise ValueError(f"`centers` must have shape (n_modes, 2), got {centers.shape}.")
        if not np.isfinite(centers).all():
            raise ValueError("`centers` contains NaN or infinite values.")
        check_number(self.std, "`std`", low=0.0, inclusive=False, what="a positive finite number")
        centers.setflags(write=False)
        # Frozen dataclass: object.__setattr__ is the sanctioned way to normalise fields.
        object.__setattr__(self, "centers", centers)
        object.__setattr__(self, "std", float(self.std))

    @property
    def n_modes(self):
        return self.centers.shape[0]

    def sample(self, n, seed=None):
        """n points: a uniformly chosen mode plus N(0, std^2 I) noise.

        Args:
          n: int, number of points.
          seed: None, int or np.random.Generator.

        Returns:
          (n, 2) float64 array.
        """
        n = positive_int(n, "n", minimum=0)
        rng = np.random.default_rng(seed)
        modes = rng.integers(self.n_modes, size=n)
        return self.centers[modes] + self.std * rng.standard_normal((n, 2))


def ring_of_gaussians(n_modes=8, radius=2.0, std=0.02):
    """Modes evenly spaced on a circle (VEEGAN's 2-D ring: 8 modes, radius 2, std 0.02).

    centre_k = radius * (cos(2 pi k / n_modes), sin(2 pi k / n_modes)).

    #### Examples

    ```python
    ring = ring_of_gaussians()
    x_data = ring.sample(2500, seed=0)
    ```
    """
    n_modes = positive_int(n_modes, "n_modes")
    angles = 2.0 * np.pi * np.arange(n_modes) / n_modes
    centers = float(radius) * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    return Mixture2D(centers=centers, std=std)


def grid_of_gaussians(side=5, spacing=2.0, std=0.05):
    """Modes on a square grid centred at the origin (VEEGAN's 2-D grid).

    The default is the standard 25 modes at (-4, -2, 0, 2, 4)^2 with std 0.05:
    coordinates (k - (side - 1) / 2) * spacing for k = 0, ..., side - 1.

    #### Examples

    ```python
    grid = grid_of_gaussians()
    x_data = grid.sample(2500, seed=0)
    ```
    """
    side = positive_int(side, "side")
    axis = (np.arange(side) - (side - 1) / 2.0) * float(spacing)
    xs, ys = np.meshgrid(axis, axis, indexing="ij")
    return Mixture2D(centers=np.stack([xs.ravel(), ys.ravel()], axis=1), std=std)


def mode_coverage(samples, mixture, threshold_sigmas=3.0, min_count=20):
    """Mode counting on 2-D mixtures (VEEGAN / PacGAN protocol).

    With c(x) the centre nearest to sample x and r = threshold_sigmas * std:

    high quality(x)       = 1[ ||x - c(x)|| <= r ],
    counts_k              = #{x high quality : c(x) = k},
    modes_captured        = #{k : counts_k >= min_count},
    high_quality_fraction = mean_x high quality(x).

    A generator that has collapsed onto a few modes has few modes captured;
    one that blurs between modes has a low high-quality fraction. Samples
    from the mixture itself score about 1 - exp(-9/2) = 0.989 at 3 sigma.

    Args:
      samples: (n, 2) array of generated points.
      mixture: Mixture2D, the target (e.g. `ring_of_gaussians()`).
      threshold_sigmas: float, the radius in units of the mixture's std.
      min_count: int, samples a mode needs to count as captured.

    Returns:
      ModeCoverage(modes_captured, high_quality_fraction, counts).

    #### Examples

    ```python
    ring = ring_of_gaussians()
    generated = ring.sample(2500, seed=0)   # stand-in for a generator's output
    result = mode_coverage(generated, ring)
    print(f"{result.modes_captured}/8 modes, {result.high_quality_fraction:.1%} high quality")
    ```
    """
    if not isinstance(mixture, Mixture2D):
        raise TypeError(
            f"`mixture` must be a Mixture2D (e.g. ring_of_gaussians()), got "
            f"{type(mixture).__name__}."
        )
    x = as_matrix(samples, "samples")
    if x.shape[1] != 2:
        raise ValueError(f"`samples` must be 2-D points of shape (n, 2), got {x.shape}.")
    threshold_sigmas = check_number(
        float(threshold_sigmas), "`threshold_sigmas`", low=0.0, inclusive=False, what="positive"
    )
    min_count = positive_int(min_count, "min_count")
    x = x.astype(np.float64)
    # One centre at a time keeps memory at O(n) however many samples there are.
    best_d2 = np.full(x.shape[0], np.inf)
    nearest = np.zeros(x.shape[0], dtype=np.int64)
    for k, centre in enumerate(mixture.centers):
        d2 = ((x - centre) ** 2).sum(axis=1)
        closer = d2 < best_d2
        best_d2[closer] = d2[closer]
        nearest[closer] = k
    good = best_d2 <= (threshold_sigmas * mixture.std) ** 2
    counts = np.bincount(nearest[good], minlength=mixture.n_modes)
    return ModeCoverage(
        modes_captured=int((counts >= min_count).sum()),
        high_quality_fraction=float(good.mean()),
        counts=counts,
    )
