"""docs/errors.md, section "Criticism": each row's mistake, made (see registry.py)."""

import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer.criticism import classifier as classifier_module
from gan_infer.criticism import evaluate as evaluate_module
from gan_infer.criticism import image_metrics, metrics, plots, toy
from gan_infer.criticism.c2st import c2st
from gan_infer.criticism.monitor import Monitor, draw_samples
from tests.errors.parts import IMAGE, TINY_CONFIG, A, M, fake_mnist, tiny_classifier, tiny_weights
from tests.errors.registry import also, row, row_test

row(
    "criticism-metrics-not-real",
    TypeError,
    "`…` must hold real numbers, got dtype …; convert it with np.asarray(…, dtype=np.float32).",
    lambda env: metrics.nearest_neighbours(np.full((2, 3), "0.5"), A),
)

row(
    "criticism-metrics-nan",
    ValueError,
    "`…` contains … NaN or infinite values; drop or fix those rows before computing the metric "
    "(a diverged generator emits NaNs).",
    lambda env: metrics.nearest_neighbours(np.full((2, 3), np.nan), A),
)

row(
    "criticism-metrics-not-2d",
    ValueError,
    "`…` must be 2-D with shape (n, D), got shape …; flatten images with ….reshape(len(…), -1).",
    lambda env: metrics.nearest_neighbours(np.zeros((2, 28, 28)), A),
)

row(
    "criticism-metrics-too-few-rows",
    ValueError,
    "`…` needs at least …, got …",
    lambda env: metrics.frechet_distance(np.zeros((1, 3)), A),
)

row(
    "criticism-metrics-no-features",
    ValueError,
    "`…` has no feature columns (shape …).",
    lambda env: metrics.nearest_neighbours(np.zeros((2, 0)), A),
)

row(
    "criticism-metrics-feature-width",
    ValueError,
    "`…` and `…` must have the same number of features, got … and …; compute both with the "
    "same feature extractor / image size.",
    lambda env: metrics.frechet_distance(np.zeros((4, 5)), A),
)

row(
    "criticism-metrics-int-argument",
    ValueError,
    "`…` must be an integer >= …, got …",
    lambda env: metrics.kernel_distance(A, A, n_subsets=0),
)

also("criticism-metrics-int-argument", lambda env: metrics.precision_recall(A, A, k=2.5))
also(
    "criticism-metrics-int-argument",
    lambda env: metrics.parzen_window_estimate(A, A, A, n_validation=0),
)

row(
    "criticism-metrics-sigma-type",
    TypeError,
    "`sigma` must be a positive number, got …",
    lambda env: metrics.parzen_log_likelihood(A, A, sigma="wide"),
)

row(
    "criticism-metrics-sigma-value",
    ValueError,
    "`sigma` must be a positive finite number, got …",
    lambda env: metrics.parzen_log_likelihood(A, A, sigma=0.0),
)

row(
    "criticism-metrics-sigmas-empty",
    ValueError,
    "`sigmas` must be a non-empty 1-D sequence of bandwidths, got …",
    lambda env: metrics.parzen_select_sigma(A, A, sigmas=[]),
)

row(
    "criticism-metrics-sigmas-positive",
    ValueError,
    "`sigmas` must all be positive and finite, got …",
    lambda env: metrics.parzen_select_sigma(A, A, sigmas=[0.1, -1.0]),
)


@row("criticism-frechet-mean-1d", ValueError, "`…` must be a 1-D mean vector, got shape …")
def _(env):
    metrics.frechet_distance_from_moments(np.zeros((1, 2)), np.eye(2), np.zeros(2), np.eye(2))


@row(
    "criticism-frechet-mean-length",
    ValueError,
    "`mu1` and `mu2` must have the same length, got … and …; use the same feature extractor "
    "for both.",
)
def _(env):
    metrics.frechet_distance_from_moments(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))


@row(
    "criticism-frechet-cov-shape",
    ValueError,
    "`…` must have shape (…, …) to match the means, got …",
)
def _(env):
    metrics.frechet_distance_from_moments(np.zeros(2), np.eye(3), np.zeros(2), np.eye(2))


@row(
    "criticism-frechet-sqrtm-not-finite",
    ValueError,
    "The matrix square root of cov1 @ cov2 is not finite even with eps=… added to the "
    "diagonals; check the covariances or pass a larger `eps`.",
)
def _(env):
    huge = 1e200 * np.eye(2)
    with np.errstate(all="ignore"):
        metrics.frechet_distance_from_moments(np.zeros(2), huge, np.zeros(2), huge)


@row(
    "criticism-frechet-not-psd",
    ValueError,
    "The square root of cov1 @ cov2 has imaginary parts up to …: the covariances are not "
    "positive semi-definite. Pass real covariance matrices (np.cov) or use more samples than "
    "feature dimensions.",
)
def _(env):
    metrics.frechet_distance_from_moments(np.zeros(2), np.diag([1.0, -1.0]), np.zeros(2), np.eye(2))


row(
    "criticism-probabilities-negative",
    ValueError,
    "`…` must be non-negative class probabilities (softmax outputs, not logits); got a "
    "minimum of …",
    lambda env: metrics.classifier_score(np.array([[-0.5, 1.5]]), n_splits=1),
)

row(
    "criticism-probabilities-sum",
    ValueError,
    "Each row of `…` must sum to 1 (row … sums to …); pass softmax outputs or normalise with "
    "p / p.sum(axis=1, keepdims=True).",
    lambda env: metrics.classifier_score(np.array([[0.2, 0.2]]), n_splits=1),
)

row(
    "criticism-score-splits",
    ValueError,
    "`n_splits` (…) cannot exceed the number of samples (…); pass fewer splits or more samples.",
    lambda env: metrics.classifier_score(np.full((2, 2), 0.5), n_splits=3),
)

row(
    "criticism-histogram-columns",
    ValueError,
    "`labels_or_probabilities` has … columns but n_classes=…; pass n_classes=….",
    lambda env: metrics.class_histogram(np.full((2, 3), 1 / 3), n_classes=10),
)

row(
    "criticism-histogram-float-labels",
    TypeError,
    "1-D `labels_or_probabilities` must be integer class labels; pass probabilities as an "
    "(n, n_classes) array instead.",
    lambda env: metrics.class_histogram(np.array([0.5, 1.5])),
)

row(
    "criticism-histogram-shape",
    ValueError,
    "`labels_or_probabilities` must be (n,) labels or (n, n_classes) probabilities, got shape …",
    lambda env: metrics.class_histogram(np.zeros((2, 28, 28))),
)

row(
    "criticism-histogram-empty",
    ValueError,
    "`labels_or_probabilities` is empty; need at least one sample.",
    lambda env: metrics.class_histogram(np.array([], np.int64)),
)

row(
    "criticism-histogram-label-range",
    ValueError,
    "Labels must lie in [0, …), got values from … to …; set n_classes to the number of classes.",
    lambda env: metrics.class_histogram(np.array([0, 12])),
)

row(
    "criticism-memorisation-percentile",
    ValueError,
    "`percentile` must lie strictly between 0 and 100, got …",
    lambda env: metrics.memorisation_check(A, A, A, percentile=100),
)

row(
    "criticism-toy-not-1d",
    ValueError,
    "`…` must be 1-D samples of shape (n,) or (n, 1), got shape …; for multivariate samples "
    "use the metrics module.",
    lambda env: toy.fit_normal_1d(np.zeros((5, 2))),
)

row(
    "criticism-toy-empty",
    ValueError,
    "`…` is empty; need at least one sample.",
    lambda env: toy.fit_normal_1d(np.zeros(0)),
)

row(
    "criticism-toy-cdf-string",
    TypeError,
    "`cdf_or_samples` must be a callable CDF, a distribution with a .cdf method or an array of "
    "samples, got the string …; pass e.g. scipy.stats.norm(0, 1).",
    lambda env: toy.ks_distance(np.zeros(5), "norm"),
)

row(
    "criticism-toy-centers-shape",
    ValueError,
    "`centers` must have shape (n_modes, 2), got …",
    lambda env: toy.Mixture2D(centers=np.zeros((3, 3)), std=0.1),
)

row(
    "criticism-toy-centers-nan",
    ValueError,
    "`centers` contains NaN or infinite values.",
    lambda env: toy.Mixture2D(centers=np.full((3, 2), np.inf), std=0.1),
)

row(
    "criticism-toy-std",
    ValueError,
    "`std` must be a positive finite number, got …",
    lambda env: toy.Mixture2D(centers=np.zeros((3, 2)), std=0.0),
)

row(
    "criticism-toy-mixture-type",
    TypeError,
    "`mixture` must be a Mixture2D (e.g. ring_of_gaussians()), got …",
    lambda env: toy.mode_coverage(np.zeros((5, 2)), "ring"),
)

row(
    "criticism-toy-samples-2d",
    ValueError,
    "`samples` must be 2-D points of shape (n, 2), got …",
    lambda env: toy.mode_coverage(np.zeros((5, 3)), toy.ring_of_gaussians()),
)

row(
    "criticism-toy-threshold",
    ValueError,
    "`threshold_sigmas` must be positive, got …",
    lambda env: toy.mode_coverage(np.zeros((5, 2)), toy.ring_of_gaussians(), threshold_sigmas=0),
)


@row(
    "criticism-evaluate-samples-shape",
    ValueError,
    "MNIST samples must have shape (N, 784) or (N, 28, 28), got …",
)
def _(env):
    env.monkeypatch.setattr(evaluate_module, "mnist_splits", fake_mnist)
    evaluate_module.evaluate_mnist(np.zeros((5, 32, 32)))


@row(
    "criticism-evaluate-samples-range",
    ValueError,
    "MNIST samples must be finite pixel intensities in [0, 1].",
)
def _(env):
    env.monkeypatch.setattr(evaluate_module, "mnist_splits", fake_mnist)
    evaluate_module.evaluate_mnist(np.full((5, 784), 255.0))


@row(
    "criticism-evaluate-labels",
    ValueError,
    "labels must hold one digit per sample (…), got shape …",
)
def _(env):
    env.monkeypatch.setattr(evaluate_module, "mnist_splits", fake_mnist)
    evaluate_module.evaluate_mnist(
        np.zeros((5, 784)), classifier=tiny_classifier(), labels=np.zeros(3, np.int64)
    )


row(
    "criticism-plots-image-size",
    ValueError,
    "Each of the … must have … values to show as … images, got shape …",
    lambda env: plots.sample_grid(np.zeros((16, 100))),
)

row(
    "criticism-plots-grid-too-few",
    ValueError,
    "sample_grid needs at least … samples for a …x… grid, got …",
    lambda env: plots.sample_grid(np.zeros((3, 784))),
)

row(
    "criticism-plots-neighbours",
    ValueError,
    "neighbours must hold one image per row (…), got …",
    lambda env: plots.sample_grid(np.zeros((16, 784)), neighbours=np.zeros((2, 784))),
)

row(
    "criticism-plots-interpolation-shapes",
    ValueError,
    "z_start and z_end must have the same shape, got … and …",
    lambda env: plots.latent_interpolation(np.zeros(3), np.zeros(4)),
)

row(
    "criticism-plots-interpolation-steps",
    ValueError,
    "steps must be at least 2, got …",
    lambda env: plots.latent_interpolation(np.zeros(3), np.ones(3), steps=1),
)

row(
    "criticism-plots-interpolation-grid",
    ValueError,
    "images must be (rows, steps, pixels), got shape …",
    lambda env: plots.interpolation_grid(np.zeros((10, 784))),
)

row(
    "criticism-plots-history-key",
    KeyError,
    "… was not recorded; recorded: …",
    lambda env: plots.history_figure({"t": [1, 2], "loss": [0.7, 0.6]}, {"losses": ["loss_d"]}),
)

row(
    "criticism-plots-no-frames",
    ValueError,
    "animate_… needs at least one frame.",
    lambda env: plots.animate_1d([], np.linspace(0, 1, 5), np.ones(5), env.tmp_path / "fit.gif"),
)

also(
    "criticism-plots-no-frames",
    lambda env: plots.animate_2d([], np.zeros((5, 2)), env.tmp_path / "fit.gif"),
)

row(
    "criticism-monitor-fetches",
    TypeError,
    "Monitor needs a non-empty dict of name -> tensor to record.",
    lambda env: Monitor([tf.zeros([])]),
)

row(
    "criticism-monitor-t",
    ValueError,
    "'t' is the iteration counter's name in the history; rename that fetch.",
    lambda env: Monitor({"t": tf.zeros([])}),
)

row(
    "criticism-monitor-every",
    ValueError,
    "every must be a positive int, got …",
    lambda env: Monitor({"d": tf.zeros([])}, every=0),
)

row(
    "criticism-draw-samples-n",
    ValueError,
    "n must be a positive int, got …",
    lambda env: draw_samples(tf.zeros([M, 1]), 0),
)


@row(
    "criticism-draw-samples-batch", ValueError, "draw_samples needs a batch of samples, got shape …"
)
def _(env):
    draw_samples(tf.reduce_mean(tf.zeros([M, 1])), 10)


row(
    "criticism-classifier-config-filters",
    ValueError,
    "ClassifierConfig.conv_filters must be a sequence of positive ints, got …",
    lambda env: classifier_module.ClassifierConfig(conv_filters=32),
)

row(
    "criticism-classifier-config-int",
    ValueError,
    "ClassifierConfig.… must be a positive int, got …",
    lambda env: classifier_module.ClassifierConfig(epochs=0),
)

row(
    "criticism-classifier-config-range",
    ValueError,
    "ClassifierConfig.… must be a number in …, got …",
    lambda env: classifier_module.ClassifierConfig(dropout_rate=1.0),
)

row(
    "criticism-classifier-config-seed",
    ValueError,
    "ClassifierConfig.seed must be an int in [0, 2**31), got …",
    lambda env: classifier_module.ClassifierConfig(seed=-1),
)


@row(
    "criticism-classifier-config-type",
    TypeError,
    "config must be a ClassifierConfig or None, got …",
)
def _(env):
    classifier_module.classifier_cache_path(config={"epochs": 1})


row(
    "criticism-classifier-cache-dir",
    TypeError,
    "cache_dir must be a str or os.PathLike, got …",
    lambda env: classifier_module.classifier_cache_path(cache_dir=3),
)

row(
    "criticism-classifier-tensor",
    TypeError,
    "MNISTClassifier takes numpy arrays, got a TensorFlow tensor …; evaluate it first, e.g. "
    "sess.run(x).",
    lambda env: tiny_classifier().predict(tf.zeros([1, 784])),
)

row(
    "criticism-classifier-images-dtype",
    TypeError,
    "images must be uint8 (0..255, scaled by 1/255), bool, or floating point in [0, 1], got "
    "dtype …; …",
    lambda env: tiny_classifier().predict(np.zeros((1, 784), np.int32)),
)

row(
    "criticism-classifier-images-shape",
    ValueError,
    "images must have shape (N, 784), (N, 28, 28) or (N, 28, 28, 1), got …",
    lambda env: tiny_classifier().predict(np.zeros(784, np.float32)),
)

row(
    "criticism-classifier-images-empty",
    ValueError,
    "images is empty (shape …); pass at least one image.",
    lambda env: tiny_classifier().predict(np.zeros((0, 784), np.float32)),
)

row(
    "criticism-classifier-images-nan",
    ValueError,
    "images contain … NaN or infinite values (the first at image …, pixel …); a diverged "
    "generator?",
    lambda env: tiny_classifier().features(np.full((1, 784), np.nan, np.float32)),
)

row(
    "criticism-classifier-images-range",
    ValueError,
    "float images must lie in [0, 1], got values in […, …].…",
    lambda env: tiny_classifier().predict_proba(np.full((1, 784), -1.0, np.float32)),
)

row(
    "criticism-classifier-weights-type",
    TypeError,
    "weights must be a dict name -> array, got …",
    lambda env: classifier_module.MNISTClassifier(list(tiny_weights().values()), TINY_CONFIG),
)


@row(
    "criticism-classifier-weights-names",
    ValueError,
    "weights do not match the configuration …: missing …, unexpected …",
)
def _(env):
    weights = tiny_weights()
    weights["dense/kernel"] = weights.pop("hidden/kernel")
    classifier_module.MNISTClassifier(weights, TINY_CONFIG)


@row(
    "criticism-classifier-weight-shape",
    ValueError,
    "weight … has shape …, but the configuration needs …",
)
def _(env):
    weights = tiny_weights()
    weights["logits/bias"] = np.zeros(9, np.float32)
    classifier_module.MNISTClassifier(weights, TINY_CONFIG)


@row("criticism-classifier-closed", RuntimeError, "This MNISTClassifier has been closed.")
def _(env):
    classifier = tiny_classifier()
    classifier.close()
    classifier.predict(IMAGE)


row(
    "criticism-classifier-labels-dtype",
    ValueError,
    "labels must be integers 0..9, got dtype …",
    lambda env: tiny_classifier().accuracy(IMAGE, np.array([1.0])),
)

row(
    "criticism-classifier-labels-shape",
    ValueError,
    "labels must have shape (…,), one per image, got …",
    lambda env: tiny_classifier().accuracy(IMAGE, np.array([1, 2])),
)

row(
    "criticism-classifier-labels-range",
    ValueError,
    "labels must lie in 0..9, got values in […, …].",
    lambda env: tiny_classifier().accuracy(IMAGE, np.array([10])),
)


row(
    "criticism-images-shapes",
    ValueError,
    "samples and data must hold images of one shape [N, H, W, C], got … and ….",
    lambda env: image_metrics.evaluate_images(np.zeros((8, 28, 28, 1)), np.zeros((40, 32, 32, 1))),
)
also(
    "criticism-images-shapes",
    lambda env: image_metrics.evaluate_images(np.zeros((8, 784)), np.zeros((40, 784))),
)

row(
    "criticism-images-too-few",
    ValueError,
    "evaluate_images needs at least 4 samples and 20 data images, got … and ….",
    lambda env: image_metrics.evaluate_images(np.zeros((8, 28, 28, 1)), np.zeros((10, 28, 28, 1))),
)

row(
    "criticism-random-features-shape",
    ValueError,
    "images must have shape [N, H, W, C] with H, W >= 14, got ….",
    lambda env: image_metrics.random_features(np.zeros((8, 8, 8, 1))),
)


row(
    "criticism-c2st-shape",
    ValueError,
    "c2st needs … as a 2-D array [n, dim] with at least n_folds=… rows, got shape …; reshape a "
    "1-D sample with x[:, None].",
    lambda env: c2st(np.zeros(10), np.zeros((10, 1))),
)
row(
    "criticism-c2st-dimension",
    ValueError,
    "c2st needs samples and reference of one dimension; samples have … columns, reference ….",
    lambda env: c2st(np.zeros((10, 2)), np.zeros((10, 3))),
)
row(
    "criticism-c2st-nan",
    ValueError,
    "c2st: … holds NaN or Inf values; drop those rows first.",
    lambda env: c2st(np.full((10, 1), np.nan), np.zeros((10, 1))),
)


test_row = row_test(__name__)
