"""Metrics for images without labels: samples judged against the training images.

``evaluate_images(samples, data)`` is the label-free counterpart of
``evaluate_mnist``, for any images [N, H, W, C] in [0, 1]: no classifier, no
download.

- Features: ``random_features``, a small convolutional network with fixed
  random weights (seed 0), in numpy. Random networks are a known stand-in
  where no trained one fits the data (Naeem et al., 2020, found precision and
  recall on random embeddings to behave sensibly): the numbers compare runs on
  the same images and size with each other, not with published Inception
  FIDs.
- On those features: the Fréchet distance, the kernel distance (KID) and
  precision/recall (k = 3), on equal-size random subsets of samples and data.
- Memorisation, in pixels (area-averaged to at most 16 x 16): each sample's
  distance to its nearest training image, against the same distance for a
  held-out part of the training images (left out of the reference set), the
  yardstick of an image the reference never saw.

References:
  Naeem et al. (2020), Reliable Fidelity and Diversity Metrics for Generative Models.
  Heusel et al. (2017), GANs Trained by a Two Time-Scale Update Rule (FID).
  Binkowski et al. (2018), Demystifying MMD GANs (KID).
  Kynkaanniemi et al. (2019), Improved Precision and Recall Metric.
"""

import numpy as np

from gan_infer.criticism.feature_distances import frechet_distance, kernel_distance
from gan_infer.criticism.neighbours import memorisation_check, precision_recall

__all__ = ["FEATURES", "MIN_DATA_IMAGES", "MIN_SAMPLES", "evaluate_images", "random_features"]

#: The name of the feature extractor, recorded with the metrics: numbers
#: computed with other features (or another version) do not compare.
FEATURES = "random-conv-v1"
#: The fewest samples and training images `evaluate_images` judges: the
#: held-out part and the k = 3 neighbourhoods need that many.
MIN_SAMPLES, MIN_DATA_IMAGES = 4, 20

# (filters, kernel side, stride) of each convolution, with ReLUs between.
_LAYERS = ((32, 4, 2), (64, 4, 2))
# Larger images are area-averaged to at most this side first: the features
# cost the same for 64 as for 32 pixels.
_FEATURES_SIDE = 32
_MEMORISATION_SIDE = 16


def random_features(images, seed=0, batch_size=256):
    """Features of a fixed random convolutional network: [N, 384].

    Images larger than 32 pixels are first averaged over blocks of 2 x 2 (or
    more) pixels to at most 32; then x -> 2x - 1, two 'valid' convolutions
    (32 and 64 filters of 4 x 4, stride 2, weights N(0, 2 / fan_in) drawn
    with `seed`, a ReLU after each); the features are each of the 64 maps'
    mean and standard deviation over the image, and its means over the four
    quadrants (64 * 6 = 384).

    Args:
      images: float array [N, H, W, C] in [0, 1] (or uint8 pixels), H and W at least 14.
      seed: int. The weights' seed: features with different seeds do not compare.
      batch_size: int. Images per step (memory).

    Returns:
      np.ndarray, float32, shape [N, 384].

    #### Examples

    ```python
    rng = np.random.default_rng(0)
    features = random_features(rng.random((8, 28, 28, 1)))
    features.shape  # (8, 384)
    ```
    """
    images = np.asarray(images)
    if images.ndim != 4 or min(images.shape[1:3]) < 14:
        raise ValueError(
            f"images must have shape [N, H, W, C] with H, W >= 14, got {images.shape}."
        )
    rng = np.random.default_rng(seed)
    weights, depth = [], images.shape[-1]
    for filters, side, _ in _LAYERS:
        fan_in = side * side * depth
        weights.append(rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_in, filters)).astype(np.float32))
        depth = filters
    out = [
        _features(images[start : start + batch_size], weights)
        for start in range(0, len(images), batch_size)
    ]
    return np.concatenate(out) if out else np.zeros((0, 6 * _LAYERS[-1][0]), np.float32)


def _features(batch, weights):
    net = 2.0 * _area_average(batch, _FEATURES_SIDE) - 1.0
    for (_, side, stride), kernel in zip(_LAYERS, weights):
        windows = np.lib.stride_tricks.sliding_window_view(net, (side, side), axis=(1, 2))
        windows = windows[:, ::stride, ::stride]  # [n, h, w, c, side, side]
        n, h, w = windows.shape[:3]
        patches = windows.transpose(0, 1, 2, 4, 5, 3).reshape(n * h * w, -1)
        net = np.maximum(patches @ kernel, 0.0).reshape(n, h, w, -1)
    h, w = net.shape[1] // 2, net.shape[2] // 2
    quadrants = [net[:, :h, :w], net[:, :h, w:], net[:, h:, :w], net[:, h:, w:]]
    parts = [net.mean(axis=(1, 2)), net.std(axis=(1, 2))]
    parts += [quadrant.mean(axis=(1, 2)) for quadrant in quadrants]
    return np.concatenate(parts, axis=1)


def _features_of(images, index, chunk=2048):
    """`random_features` of images[index], a chunk at a time (no copy of the whole subset)."""
    index = np.sort(index)
    return np.concatenate(
        [random_features(images[index[i : i + chunk]]) for i in range(0, len(index), chunk)]
    )


def _area_average(images, side):
    """float32 images averaged over blocks of an integer factor, to at most `side` pixels."""
    factor = max(1, -(-max(images.shape[1:3]) // side))
    n, h, w, c = images.shape
    h, w = h - h % factor, w - w % factor
    out = np.empty((n, h // factor, w // factor, c), np.float32)
    for start in range(0, n, 1024):  # a block at a time: no float64 copy of all images
        part = np.asarray(images[start : start + 1024, :h, :w], np.float32)
        if images.dtype == np.uint8:
            part /= 255.0
        blocks = part.reshape(len(part), h // factor, factor, w // factor, factor, c)
        out[start : start + 1024] = blocks.mean(axis=(2, 4))
    return out


def _pixels(images):
    """Images area-averaged to at most 16 x 16 pixels, one row each."""
    return _area_average(images, _MEMORISATION_SIDE).reshape(len(images), -1)


def evaluate_images(samples, data, n_max=10000, n_memorisation=2000, seed=0):
    """Judge generated images against the training images, without labels.

    Protocol (see the module's docstring): m = min(len(samples), len(data),
    `n_max`) random rows of each; on their `random_features`, the Fréchet
    distance, the kernel distance (x 1000, mean and std over subsets) and
    precision/recall (k = 3). Memorisation: a random held-out tenth of the
    data (at most 1,000 images, at least 2) leaves the reference set; the
    first `n_memorisation` samples' distances to their nearest reference
    image are compared with the held-out images' (pixels area-averaged to at
    most 16 x 16): `memorisation_fraction` is the fraction of samples closer
    than 99 % of the held-out images, about 0.01 for a model that does not copy.

    Args:
      samples: float array [N, H, W, C] in [0, 1] (or uint8 pixels), N >= 4.
      data: array of the same image shape, the training images, >= 20 rows.
      n_max: int. Rows of each set compared on features.
      n_memorisation: int. Samples checked for copies.
      seed: int. The subsets' and held-out part's random draws.

    Returns:
      dict: n_samples, n_data, n_compared, features (``FEATURES``),
      frechet_distance, kernel_distance, kernel_distance_std, precision,
      recall, memorisation_fraction, median_distance_to_train,
      median_heldout_distance_to_train.

    #### Examples

    ```python
    rng = np.random.default_rng(0)
    data = rng.random((200, 28, 28, 1))
    metrics = evaluate_images(data[:100] * 0.5, data)  # too dark: far, low precision
    print(metrics["frechet_distance"], metrics["precision"], metrics["recall"])
    ```
    """
    samples, data = np.asarray(samples), np.asarray(data)
    if samples.ndim != 4 or samples.shape[1:] != data.shape[1:]:
        raise ValueError(
            f"samples and data must hold images of one shape [N, H, W, C], got {samples.shape} "
            f"and {data.shape}."
        )
    if len(samples) < MIN_SAMPLES or len(data) < MIN_DATA_IMAGES:
        raise ValueError(
            f"evaluate_images needs at least {MIN_SAMPLES} samples and {MIN_DATA_IMAGES} data "
            f"images, got {len(samples)} and {len(data)}."
        )
    rng = np.random.default_rng(seed)
    m = min(len(samples), len(data), n_max)
    fake = _features_of(samples, rng.choice(len(samples), m, replace=False))
    real = _features_of(data, rng.choice(len(data), m, replace=False))
    kid = kernel_distance(real, fake, seed=seed)
    pr = precision_recall(real, fake)
    held = rng.choice(len(data), max(2, min(1000, len(data) // 10)), replace=False)
    pixels = _pixels(data)
    memorisation = memorisation_check(
        _pixels(samples[:n_memorisation]), np.delete(pixels, held, axis=0), pixels[held]
    )
    return {
        "n_samples": int(len(samples)),
        "n_data": int(len(data)),
        "n_compared": int(m),
        "features": FEATURES,
        "frechet_distance": float(frechet_distance(real, fake)),
        "kernel_distance": 1000 * kid.mean,
        "kernel_distance_std": 1000 * kid.std,
        "precision": pr.precision,
        "recall": pr.recall,
        "memorisation_fraction": memorisation.fraction_flagged,
        "median_distance_to_train": memorisation.median_sample_distance,
        "median_heldout_distance_to_train": memorisation.median_test_distance,
    }
