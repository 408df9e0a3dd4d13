"""evaluate_images: label-free metrics that tell good samples, bad samples and copies apart."""

import numpy as np

from gan_infer.criticism.image_metrics import FEATURES, evaluate_images, random_features


def blobs(n, seed, side=28):
    """Grey images of one square each, of a random place and brightness: a toy data set
    (the brightness makes every image unique, as real photos are)."""
    rng = np.random.default_rng(seed)
    images = np.zeros((n, side, side, 1), np.float32)
    places, levels = rng.integers(3, side - 9, (n, 2)), rng.uniform(0.3, 1.0, n)
    for image, (row, column), level in zip(images, places, levels):
        image[row : row + 6, column : column + 6] = level
    return images


def test_random_features_are_fixed_and_read_uint8_pixels():
    images = blobs(6, seed=0)
    features = random_features(images)
    assert features.shape == (6, 384) and features.dtype == np.float32
    np.testing.assert_array_equal(features, random_features(images))  # fixed weights
    pixels = np.round(images * 255).astype(np.uint8)
    np.testing.assert_allclose(
        random_features(pixels), random_features(pixels / 255.0), rtol=1e-5, atol=1e-6
    )
    assert random_features(np.ones((2, 64, 64, 3))).shape == (2, 384)


def test_good_samples_bad_samples_and_copies_are_told_apart():
    data = blobs(600, seed=1)
    good = evaluate_images(blobs(300, seed=2), data)
    noise = evaluate_images(np.random.default_rng(3).random((300, 28, 28, 1)), data)
    copies = evaluate_images(data[:300], data)
    assert good["features"] == FEATURES and good["n_compared"] == 300
    assert good["frechet_distance"] < 0.2 * noise["frechet_distance"]
    assert good["precision"] > 0.5 and noise["precision"] < 0.05
    assert good["memorisation_fraction"] < 0.2 < 0.8 < copies["memorisation_fraction"]
