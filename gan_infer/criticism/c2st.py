"""Classifier two-sample test (C2ST): how well a classifier tells two samples apart.

The metric of the simulation-based-inference benchmark (Lueckmann et al.,
2021, "Benchmarking simulation-based inference"): approximate posterior
samples X and reference posterior samples Y are labelled 0 and 1, both are
z-scored with the mean and standard deviation of the *reference*, and a
multilayer perceptron (scikit-learn's `MLPClassifier`: two ReLU hidden layers
of 10 * dim units, Adam) is scored by k-fold cross-validated accuracy,

    C2ST(X, Y) = (1 / k) sum_j accuracy_j.

0.5 means the classifier cannot tell the samples apart (the posterior
matches the reference); 1.0 means it always can (disjoint supports).

References:
  Lopez-Paz and Oquab (2017), Revisiting Classifier Two-Sample Tests.
  Lueckmann et al. (2021), Benchmarking Simulation-Based Inference.
"""

import numpy as np

__all__ = ["c2st"]


def c2st(samples, reference, seed=1, n_folds=5, max_iter=10000):
    """The benchmark's C2ST accuracy of `samples` against `reference`.

    Args:
      samples: array [n, dim], the posterior samples to judge.
      reference: array [m, dim], samples of the reference posterior (they
        set the z-scoring of both, as the benchmark does).
      seed: int, the seed of the classifier's initialisation and of the
        folds (the benchmark's default is 1).
      n_folds: int, folds of the cross-validation (default 5).
      max_iter: int, the classifier's epochs at most (default 10000, the
        benchmark's; Adam stops earlier when the loss stops improving).

    Returns:
      float, the mean held-out accuracy, in [0, 1].

    Raises:
      ValueError: a sample that is not 2-D with at least `n_folds` rows,
        samples of different dimension, or NaN/Inf values.

    #### Examples

    Two samples of one normal are indistinguishable (accuracy near 0.5):

    ```python
    from gan_infer.criticism import c2st

    rng = np.random.default_rng(0)
    score = c2st(rng.normal(size=(200, 2)), rng.normal(size=(200, 2)), max_iter=50)
    assert 0.3 < score < 0.7
    ```
    """
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.neural_network import MLPClassifier

    x = _checked(samples, "samples", n_folds)
    y = _checked(reference, "reference", n_folds)
    if x.shape[1] != y.shape[1]:
        raise ValueError(
            f"c2st needs samples and reference of one dimension; samples have {x.shape[1]} "
            f"columns, reference {y.shape[1]}."
        )
    mean, std = y.mean(axis=0), y.std(axis=0, ddof=1)
    # A constant reference column would divide by zero; it carries no scale.
    std = np.where(std > 0, std, 1.0)
    x, y = (x - mean) / std, (y - mean) / std
    dim = x.shape[1]
    classifier = MLPClassifier(
        activation="relu",
        hidden_layer_sizes=(10 * dim, 10 * dim),
        max_iter=max_iter,
        solver="adam",
        random_state=seed,
    )
    inputs = np.concatenate([x, y])
    labels = np.concatenate([np.zeros(len(x)), np.ones(len(y))])
    folds = KFold(n_splits=n_folds, shuffle=True, random_state=seed)
    return float(np.mean(cross_val_score(classifier, inputs, labels, cv=folds)))


def _checked(values, name, n_folds):
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 2 or len(array) < n_folds:
        raise ValueError(
            f"c2st needs {name} as a 2-D array [n, dim] with at least n_folds={n_folds} rows, "
            f"got shape {array.shape}; reshape a 1-D sample with x[:, None]."
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"c2st: {name} holds NaN or Inf values; drop those rows first.")
    return array
