"""Nearest neighbours between sample sets: precision/recall and a memorisation check.

Reference:
  Kynkaanniemi et al. (2019), Improved Precision and Recall Metric for
    Assessing Generative Models.
"""

from typing import NamedTuple

import numpy as np

from gan_infer.criticism.input_checks import as_matrix, positive_int, same_width
from gan_infer.criticism.pairwise import row_sq_norms, sq_distance_blocks

__all__ = [
    "MemorisationReport",
    "NearestNeighbours",
    "PrecisionRecall",
    "memorisation_check",
    "nearest_neighbours",
    "precision_recall",
]


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


def _kth_neighbour_sq_radii(x, k, batch_size):
    """Squared distance from each row of x to its k-th nearest other row."""
    n = x.shape[0]
    sq_norms = row_sq_norms(x, batch_size)
    radii = np.empty(n)
    best = None
    for rows, cols, d2 in sq_distance_blocks(x, x, batch_size, batch_size, sq_norms):
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
    k = positive_int(k, "k")
    real = as_matrix(real_features, "real_features", min_rows=k + 1)
    fake = as_matrix(fake_features, "fake_features", min_rows=k + 1)
    same_width(real, "real_features", fake, "fake_features")
    batch_size = positive_int(batch_size, "batch_size")
    real_r2 = _kth_neighbour_sq_radii(real, k, batch_size)
    fake_r2 = _kth_neighbour_sq_radii(fake, k, batch_size)
    # One cross pass answers both questions: rows are fake points, columns real.
    fake_inside = np.zeros(fake.shape[0], dtype=bool)
    real_inside = np.zeros(real.shape[0], dtype=bool)
    real_norms = row_sq_norms(real, batch_size)
    for rows, cols, d2 in sq_distance_blocks(fake, real, batch_size, batch_size, real_norms):
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
    queries = as_matrix(queries, "queries")
    reference = as_matrix(reference, "reference")
    same_width(queries, "queries", reference, "reference")
    batch_size = positive_int(batch_size, "batch_size")
    n = queries.shape[0]
    best_d2 = np.full(n, np.inf)
    best_index = np.zeros(n, dtype=np.int64)
    for rows, cols, d2 in sq_distance_blocks(queries, reference, batch_size, batch_size):
        local = np.argmin(d2, axis=1)
        local_d2 = d2[np.arange(d2.shape[0]), local]
        better = local_d2 < best_d2[rows]
        best_d2[rows] = np.where(better, local_d2, best_d2[rows])
        best_index[rows] = np.where(better, local + cols.start, best_index[rows])
    distances = np.empty(n)
    for start in range(0, n, batch_size):
        stop = min(start + batch_size, n)
        diff = np.asarray(queries[start:stop], dtype=np.float64) - np.asarray(
            reference[best_index[start:stop]], dtype=np.float64
        )
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
    samples = as_matrix(samples, "samples")
    train = as_matrix(train, "train")
    test = as_matrix(test, "test")
    same_width(samples, "samples", train, "train")
    same_width(test, "test", train, "train")
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
