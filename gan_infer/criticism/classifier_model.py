"""The MNIST classifier's network and the trained classifier in its own graph.

``network`` builds the convolutional net (see ``gan_infer.criticism.classifier``
for the maths); ``MNISTClassifier`` holds trained weights in a private
``tf.Graph`` and session and evaluates numpy images with it.
"""

import hashlib
import json
from pathlib import Path

import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer import layers
from gan_infer.criticism.classifier_config import (
    IMAGE_SIZE,
    NUM_CLASSES,
    PIXELS,
    SCOPE,
    check_config,
)
from gan_infer.util.checks import check_int

__all__ = ["MNISTClassifier", "network", "weight_name", "weights_checksum"]


# --- the network -------------------------------------------------------------------


def network(images, config, training):
    """Build the network on float32 `images` [batch, 784]; return (features, logits).

    Variables live under the current variable scope, named conv1, conv2, ...,
    hidden, logits, so that their names are the keys of the weight dict.
    """
    net = tf.reshape(images, [-1, IMAGE_SIZE, IMAGE_SIZE, 1])
    for index, filters in enumerate(config.conv_filters, start=1):
        net = layers.conv2d(
            net,
            filters,
            config.kernel_size,
            padding="same",
            activation=tf.nn.relu,
            name=f"conv{index}",
        )
        net = tf.nn.max_pool2d(net, ksize=2, strides=2, padding="SAME")
    net = layers.flatten(net)
    features = layers.dense(net, config.dense_units, activation=tf.nn.relu, name="hidden")
    # Dropout after the features: the features themselves are the
    # deterministic activations, identical in training and evaluation.
    dropped = layers.dropout(features, rate=config.dropout_rate, training=training)
    logits = layers.dense(dropped, NUM_CLASSES, name="logits")
    return features, logits


def weight_name(variable):
    # "mnist_classifier/conv1/kernel:0" -> "conv1/kernel"
    return variable.op.name[len(SCOPE) + 1 :]


def weights_checksum(weights):
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
        raise TypeError(
            "MNISTClassifier takes numpy arrays, got a TensorFlow tensor "
            f"{images.name}; evaluate it first, e.g. sess.run(x)."
        )
    array = np.asarray(images)
    if array.dtype == np.uint8:
        kind = "uint8"
    elif array.dtype == np.bool_:
        kind = "bool"
    elif np.issubdtype(array.dtype, np.floating):
        kind = "float"
    else:
        hint = (
            "evaluate tensors and random variables first, e.g. sess.run(x)"
            if array.dtype == object
            else "convert them, e.g. images.astype(np.uint8) for 0..255 pixels"
        )
        raise TypeError(
            f"images must be uint8 (0..255, scaled by 1/255), bool, or floating point in "
            f"[0, 1], got dtype {array.dtype}; {hint}."
        )
    shape = array.shape
    if not (
        (array.ndim == 2 and shape[1] == PIXELS)
        or (array.ndim == 3 and shape[1:] == (IMAGE_SIZE, IMAGE_SIZE))
        or (array.ndim == 4 and shape[1:] == (IMAGE_SIZE, IMAGE_SIZE, 1))
    ):
        hint = ""
        if array.size == PIXELS and array.ndim <= 2:
            hint = " For a single image, pass images[None]."
        raise ValueError(
            f"images must have shape (N, 784), (N, 28, 28) or (N, 28, 28, 1), got {shape}.{hint}"
        )
    if shape[0] == 0:
        raise ValueError(f"images is empty (shape {shape}); pass at least one image.")
    array = array.reshape(shape[0], PIXELS)
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
                f"(the first at image {bad[0]}, pixel {bad[1]}); a diverged generator?"
            )
        low, high = float(array.min()), float(array.max())
        if low < 0.0 or high > 1.0:
            if low >= -1.0 and high <= 1.0:
                hint = " For tanh outputs in [-1, 1], pass (x + 1) / 2."
            elif high <= 255.0 and low >= 0.0:
                hint = " For 0..255 pixels, divide by 255 or pass a uint8 array."
            else:
                hint = ""
            raise ValueError(
                f"float images must lie in [0, 1], got values in [{low:g}, {high:g}].{hint}"
            )
    return np.ascontiguousarray(array, dtype=np.float32)


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
        self._config = check_config(config)
        self._metadata = dict(metadata or {})
        self._graph = tf.Graph()
        # Everything below is built in the private graph: the user's default
        # graph, variable scopes and name scopes are untouched.
        with self._graph.as_default():
            self._images = tf.placeholder(tf.float32, [None, PIXELS], name="images")
            with tf.variable_scope(SCOPE):
                self._features_t, self._logits_t = network(
                    self._images, self._config, training=False
                )
            variables = {weight_name(v): v for v in tf.global_variables()}
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
        self._weights = {
            name: np.array(weights[name], dtype=np.float32, copy=True) for name in variables
        }

    def _check_weights(self, weights, variables):
        if not isinstance(weights, dict):
            raise TypeError(f"weights must be a dict name -> array, got {type(weights).__name__}.")
        missing = sorted(set(variables) - set(weights))
        extra = sorted(set(weights) - set(variables))
        if missing or extra:
            raise ValueError(
                f"weights do not match the configuration {self._config}: "
                f"missing {missing}, unexpected {extra}."
            )
        for name, variable in variables.items():
            shape = tuple(np.shape(weights[name]))
            if shape != tuple(variable.shape.as_list()):
                raise ValueError(
                    f"weight {name!r} has shape {shape}, but the configuration "
                    f"needs {tuple(variable.shape.as_list())}."
                )

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
        batch_size = check_int(batch_size, "batch_size")
        if self._session._closed:
            raise RuntimeError("This MNISTClassifier has been closed.")
        return np.concatenate(
            [
                self._session.run(tensor, {self._images: images[start : start + batch_size]})
                for start in range(0, len(images), batch_size)
            ]
        )

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
            raise ValueError(
                f"labels must have shape ({len(predictions)},), one per image, got {labels.shape}."
            )
        if labels.min() < 0 or labels.max() >= NUM_CLASSES:
            raise ValueError(
                f"labels must lie in 0..9, got values in [{labels.min()}, {labels.max()}]."
            )
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
