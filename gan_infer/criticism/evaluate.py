"""Every MNIST metric at once: what `gan-infer evaluate` and the report print."""

import numpy as np

from gan_infer.criticism import metrics
from gan_infer.criticism.classifier import load_classifier
from gan_infer.datasets import mnist_splits

__all__ = ["evaluate_mnist", "METRIC_NAMES"]

#: (key, description) of what `evaluate_mnist` returns, in display order.
METRIC_NAMES = (
    ("requested_label_accuracy", "samples classified as the requested digit (conditional GAN)"),
    ("classifier_score", "classifier score (Inception Score analogue; real test images ~9.9)"),
    ("frechet_distance", "Fréchet distance of classifier features to the test set (FID analogue)"),
    ("kernel_distance", "kernel distance (KID, x1000) to the test set"),
    ("class_kl_to_uniform", "KL(class histogram || uniform)"),
    ("min_class_fraction", "smallest class fraction"),
    ("precision", "precision (k=3, classifier features)"),
    ("recall", "recall (k=3, classifier features)"),
    ("parzen_log_likelihood", "Parzen-window log-likelihood of the test set (nats)"),
    (
        "memorisation_fraction",
        "fraction of samples closer to a training image than 99% of test images are",
    ),
)


def _as_samples(samples):
    samples = np.asarray(samples)
    if samples.ndim == 3:
        samples = samples.reshape(len(samples), -1)
    if samples.ndim != 2 or samples.shape[1] != 784:
        raise ValueError(
            f"MNIST samples must have shape (N, 784) or (N, 28, 28), got {samples.shape}."
        )
    if samples.dtype == np.uint8:
        samples = samples / 255.0
    samples = samples.astype(np.float64)
    if not np.all(np.isfinite(samples)) or samples.min() < 0 or samples.max() > 1:
        raise ValueError("MNIST samples must be finite pixel intensities in [0, 1].")
    return samples


def evaluate_mnist(
    samples,
    data_dir=None,
    classifier=None,
    parzen=True,
    n_parzen=10000,
    seed=0,
    reference=False,
    n_test=10000,
    labels=None,
):
    """Judge generated MNIST digits by every metric of `gan_infer.criticism`.

    Protocols:
    - Classifier score, Fréchet and kernel distances, class histogram and
      precision/recall use the package's own MNIST classifier
      (`load_classifier`, trained on first use): its class probabilities and
      its 256 penultimate features, compared with the 10,000 test images.
    - Parzen window (Goodfellow et al., 2014): a Gaussian window on the first
      `n_parzen` samples, σ chosen on the 5,000 validation images (the last
      of the 60,000 training images), mean log-likelihood of the 10,000 test
      images with its standard error.
    - Memorisation: each sample's distance to its nearest training image
      (the first 55,000), against the test images' distances to theirs.

    Args:
      samples: (N, 784) floats in [0, 1] (or uint8, or (N, 28, 28)), N ≥ 1,000
        recommended (10,000 for the Parzen protocol).
      data_dir: MNIST folder (see `gan_infer.datasets.mnist`).
      classifier: MNISTClassifier, optional (loaded or trained if None).
      parzen: bool. The Parzen estimate costs ~10-20 s for 10k x 10k.
      reference: bool. Score held-out *real* images the same way instead
        (the validation images stand in for samples): the ceiling a perfect
        generator would reach.
      labels: array of N ints, optional. The digit each sample was asked to
        be (a conditional GAN): adds `requested_label_accuracy`, the
        fraction the classifier assigns to the requested digit.
      n_test: int. How many test images serve as the reference set (all
        10,000 for the protocol; fewer for quick checks: the nearest-
        neighbour searches over them dominate the cost).

    Returns:
      dict of floats, keys as in `METRIC_NAMES` plus `*_std`/`*_stderr`,
      `parzen_sigma`, `class_fractions`, `n_samples`.
    """
    (x_train, _), (x_valid, _), (x_test, _) = mnist_splits(data_dir, validation_size=5000)
    train, valid, test = (x / 255.0 for x in (x_train, x_valid, x_test))
    if reference:
        samples, valid, train = valid, test[:5000], train
        test = test[5000:]
    test = test[:n_test]
    samples = _as_samples(samples)
    classifier = classifier or load_classifier(data_dir=data_dir)

    probabilities = classifier.predict_proba(samples)
    features = classifier.features(samples)
    test_features = classifier.features(test)
    results = {"n_samples": int(len(samples))}
    if labels is not None:
        labels = np.asarray(labels)
        if labels.shape != (len(samples),):
            raise ValueError(
                f"labels must hold one digit per sample ({len(samples)}), got shape {labels.shape}."
            )
        results["requested_label_accuracy"] = float(np.mean(np.argmax(probabilities, 1) == labels))

    # The score's splits are contiguous: shuffle, or samples ordered by class
    # (a conditional GAN's) would make every split a single class.
    shuffled = probabilities[np.random.default_rng(seed).permutation(len(probabilities))]
    score = metrics.classifier_score(shuffled)
    results.update(classifier_score=score.mean, classifier_score_std=score.std)
    results["frechet_distance"] = metrics.frechet_distance(test_features, features)
    kid = metrics.kernel_distance(test_features, features, seed=seed)
    results.update(kernel_distance=1000 * kid.mean, kernel_distance_std=1000 * kid.std)
    histogram = metrics.class_histogram(probabilities)
    results.update(
        class_kl_to_uniform=histogram.kl_to_uniform,
        min_class_fraction=float(np.min(histogram.fractions)),
        class_fractions=[float(f) for f in histogram.fractions],
    )
    pr = metrics.precision_recall(test_features, features)
    results.update(precision=pr.precision, recall=pr.recall)
    if parzen:
        estimate = metrics.parzen_window_estimate(samples[:n_parzen], valid, test)
        results.update(
            parzen_log_likelihood=estimate.mean,
            parzen_log_likelihood_stderr=estimate.std_error,
            parzen_sigma=estimate.sigma,
        )
    memorisation = metrics.memorisation_check(samples, train, test)
    results.update(
        memorisation_fraction=memorisation.fraction_flagged,
        median_distance_to_train=memorisation.median_sample_distance,
        median_test_distance_to_train=memorisation.median_test_distance,
    )
    return {
        key: (float(value) if isinstance(value, (float, np.floating)) else value)
        for key, value in results.items()
    }
