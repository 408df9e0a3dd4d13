"""Scores from a classifier's predictions on samples: Inception-Score analogue and class balance.

Reference:
  Salimans et al. (2016), Improved Techniques for Training GANs (IS).
"""

from typing import NamedTuple

import numpy as np
from scipy import special

from gan_infer.criticism.input_checks import as_array, as_matrix, check_finite, positive_int

__all__ = ["ClassHistogram", "ClassifierScore", "class_histogram", "classifier_score"]


class ClassifierScore(NamedTuple):
    """Result of `classifier_score`: mean and std of the score over splits."""

    mean: float
    std: float


class ClassHistogram(NamedTuple):
    """Result of `class_histogram`: per-class fractions and KL to uniform."""

    fractions: np.ndarray
    kl_to_uniform: float


def _check_probabilities(probabilities, name="probabilities", atol=1e-3):
    p = as_matrix(probabilities, name)
    if (p < 0).any():
        raise ValueError(
            f"`{name}` must be non-negative class probabilities (softmax outputs, "
            f"not logits); got a minimum of {p.min():.3g}."
        )
    sums = p.sum(axis=1, dtype=np.float64)
    worst = int(np.argmax(np.abs(sums - 1.0)))
    if abs(sums[worst] - 1.0) > atol:
        raise ValueError(
            f"Each row of `{name}` must sum to 1 (row {worst} sums to "
            f"{sums[worst]:.6g}); pass softmax outputs or normalise with "
            f"p / p.sum(axis=1, keepdims=True)."
        )
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
    n_splits = positive_int(n_splits, "n_splits")
    if n_splits > p.shape[0]:
        raise ValueError(
            f"`n_splits` ({n_splits}) cannot exceed the number of samples "
            f"({p.shape[0]}); pass fewer splits or more samples."
        )
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
    n_classes = positive_int(n_classes, "n_classes")
    x = as_array(labels_or_probabilities, "labels_or_probabilities")
    if x.ndim == 2:
        if x.shape[1] != n_classes:
            raise ValueError(
                f"`labels_or_probabilities` has {x.shape[1]} columns but "
                f"n_classes={n_classes}; pass n_classes={x.shape[1]}."
            )
        labels = np.argmax(_check_probabilities(x, "labels_or_probabilities"), axis=1)
    elif x.ndim == 1:
        check_finite(x, "labels_or_probabilities")
        if not np.issubdtype(x.dtype, np.integer):
            if not np.array_equal(x, np.round(x)):
                raise TypeError(
                    "1-D `labels_or_probabilities` must be integer class labels; "
                    "pass probabilities as an (n, n_classes) array instead."
                )
        labels = x.astype(np.int64)
    else:
        raise ValueError(
            f"`labels_or_probabilities` must be (n,) labels or (n, n_classes) "
            f"probabilities, got shape {x.shape}."
        )
    if labels.size == 0:
        raise ValueError("`labels_or_probabilities` is empty; need at least one sample.")
    if labels.min() < 0 or labels.max() >= n_classes:
        raise ValueError(
            f"Labels must lie in [0, {n_classes}), got values from {labels.min()} "
            f"to {labels.max()}; set n_classes to the number of classes."
        )
    fractions = np.bincount(labels, minlength=n_classes) / labels.size
    kl = float(special.rel_entr(fractions, 1.0 / n_classes).sum())
    return ClassHistogram(fractions=fractions, kl_to_uniform=kl)
