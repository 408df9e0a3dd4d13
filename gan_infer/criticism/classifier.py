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

import json
import logging
import os
import time
import warnings
from pathlib import Path

import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer.criticism.classifier_config import (
    FORMAT_VERSION,
    PIXELS,
    SCOPE,
    ClassifierConfig,
    check_config,
)
from gan_infer.criticism.classifier_model import (
    MNISTClassifier,
    network,
    weight_name,
    weights_checksum,
)
from gan_infer.datasets import mnist
from gan_infer.util.files import atomic_write, ensure_directory

__all__ = [
    "CACHE_ENV_VAR",
    "ClassifierCacheWarning",
    "ClassifierConfig",
    "MNISTClassifier",
    "classifier_cache_path",
    "load_classifier",
    "train_classifier",
]

logger = logging.getLogger(__name__)

#: Environment variable naming the folder that holds cached classifiers.
CACHE_ENV_VAR = "GAN_INFER_CACHE_DIR"

_METADATA_KEY = "__metadata__"


class ClassifierCacheWarning(UserWarning):
    """A cached classifier could not be used or written; the message names the file."""


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
    default 3 epochs, roughly two minutes on two CPU cores). After each epoch
    the accuracy on the 10,000 test images is printed (``verbose``) or logged.

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
    config = check_config(config)
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
        images = tf.placeholder(tf.float32, [None, PIXELS], name="images")
        labels = tf.placeholder(tf.int64, [None], name="labels")
        training = tf.placeholder_with_default(False, [], name="training")
        with tf.variable_scope(SCOPE):
            _, logits = network(images, config, training)
        # Collected before the optimizer adds its slot variables under the
        # same scope.
        model_variables = tf.trainable_variables(SCOPE)
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
        )
        # learning_rate * decay ** (step / total steps), smooth in the step.
        total_steps = config.epochs * -(-n // config.batch_size)
        step = tf.train.create_global_step()
        learning_rate = tf.train.exponential_decay(
            config.learning_rate, step, total_steps, config.learning_rate_decay
        )
        train_op = tf.train.AdamOptimizer(learning_rate).minimize(loss, global_step=step)
        predictions = tf.argmax(logits, axis=1)
        init = tf.global_variables_initializer()
        graph.finalize()

    def accuracy(sess, x, y):
        hits = sum(
            np.count_nonzero(sess.run(predictions, {images: x[i : i + 1000]}) == y[i : i + 1000])
            for i in range(0, len(x), 1000)
        )
        return hits / len(x)

    start_time = time.perf_counter()
    with tf.Session(graph=graph) as sess:
        sess.run(init)
        for epoch in range(1, config.epochs + 1):
            order = rng.permutation(n)
            total_loss = 0.0
            for start in range(0, n, config.batch_size):
                batch = order[start : start + config.batch_size]
                x_batch = _augment(x_train[batch], rng, config.binarize_fraction)
                _, batch_loss = sess.run(
                    [train_op, loss], {images: x_batch, labels: y_train[batch], training: True}
                )
                total_loss += batch_loss * len(batch)
            test_accuracy = accuracy(sess, x_test_grey, y_test)
            _say(
                f"MNIST classifier: epoch {epoch}/{config.epochs}, train loss "
                f"{total_loss / n:.4f}, test accuracy {test_accuracy:.2%} "
                f"({time.perf_counter() - start_time:.0f} s)",
                verbose,
            )
        binary_accuracy = accuracy(sess, x_test_binary, y_test)
        weights = dict(zip([weight_name(v) for v in model_variables], sess.run(model_variables)))
    train_seconds = time.perf_counter() - start_time
    metadata = {
        "format": FORMAT_VERSION,
        "config": config.to_dict(),
        "config_digest": config.digest,
        "test_accuracy": float(test_accuracy),
        "test_accuracy_binarized": float(binary_accuracy),
        "n_train": int(n),
        "train_seconds": round(train_seconds, 1),
        "weights_sha256": weights_checksum(weights),
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
    config = check_config(config)
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
    if stored_format != FORMAT_VERSION:
        raise _InvalidCache(f"in format {stored_format!r}, not {FORMAT_VERSION}")
    try:
        stored_config = ClassifierConfig(**metadata["config"])
    except Exception as exc:  # pylint: disable=broad-except
        raise _InvalidCache(f"holding an unreadable configuration ({exc})") from None
    if stored_config != config:
        raise _InvalidCache(f"for another configuration ({stored_config}, wanted {config})")
    checksum = weights_checksum(arrays)
    if checksum != metadata.get("weights_sha256"):
        raise _InvalidCache(
            f"corrupt: SHA-256 of the weights is {checksum}, the file "
            f"records {metadata.get('weights_sha256')}"
        )
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
    config = check_config(config)
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
    _say(
        f"MNIST classifier: {reason}; training one ({config.epochs} epoch(s), "
        f"this takes a while on a CPU).",
        verbose,
    )
    classifier = train_classifier(config, data_dir=data_dir, verbose=verbose)
    try:
        _write_cache(path, classifier)
    except OSError as exc:
        warnings.warn(
            f"Could not write the MNIST classifier cache {path} ({exc}); it will be "
            f"retrained next time. Pass a writable cache_dir or set {CACHE_ENV_VAR}.",
            ClassifierCacheWarning,
            stacklevel=2,
        )
    else:
        classifier._metadata["cache_path"] = str(path)
        _say(
            f"MNIST classifier: test accuracy {classifier.test_accuracy:.2%}, saved to {path}",
            verbose,
        )
    return classifier
