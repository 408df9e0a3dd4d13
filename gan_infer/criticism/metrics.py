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

This module gathers the metrics in one namespace; each family lives in its
own module:

  parzen             Parzen-window log-likelihood (and its bandwidth search)
  feature_distances  Frechet and kernel distances between feature sets
  class_scores       classifier score and class histogram
  neighbours         nearest neighbours, precision / recall, memorisation
  pairwise, arrays   the blocked distances and input checks they share

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

from gan_infer.criticism.class_scores import (
    ClassHistogram,
    ClassifierScore,
    class_histogram,
    classifier_score,
)
from gan_infer.criticism.feature_distances import (
    KernelDistance,
    frechet_distance,
    frechet_distance_from_moments,
    kernel_distance,
)
from gan_infer.criticism.neighbours import (
    MemorisationReport,
    NearestNeighbours,
    PrecisionRecall,
    memorisation_check,
    nearest_neighbours,
    precision_recall,
)
from gan_infer.criticism.parzen import (
    DEFAULT_SIGMAS,
    ParzenEstimate,
    parzen_log_likelihood,
    parzen_select_sigma,
    parzen_window_estimate,
)

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
