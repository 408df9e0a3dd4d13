"""Tests for gan_infer.datasets.batches."""

import itertools

import numpy as np
import pytest

from gan_infer.datasets import batches

N = 50


def tutorial_generator(array, batch_size):
    """The Edward GAN tutorial's generator, less its binarization."""
    start = 0
    while True:
        stop = start + batch_size
        diff = stop - array.shape[0]
        if diff <= 0:
            batch = array[start:stop]
            start += batch_size
        else:
            batch = np.concatenate((array[start:], array[:diff]))
            start = diff
        yield batch.astype(np.float32) / 255.0


def cyclic_reference(array, batch_size):
    """Batch k is examples k*batch_size ... (k+1)*batch_size - 1 of the endless cycle."""
    for k in itertools.count():
        indices = np.arange(k * batch_size, (k + 1) * batch_size) % len(array)
        yield array[indices].astype(np.float32) / 255.0


def take(generator, count):
    return [next(generator) for _ in range(count)]


@pytest.fixture
def images():
    return np.random.default_rng(0).integers(0, 256, (N, 6), dtype=np.uint8)


@pytest.mark.parametrize("batch_size", [1, 7, 10, 25, 49, N])
def test_order_matches_the_tutorial(images, batch_size):
    count = 3 * N // batch_size + 5  # several passes over the data
    for got, want in zip(
        take(batches(images, batch_size), count),
        take(tutorial_generator(images, batch_size), count),
    ):
        assert got.shape == (batch_size, 6) and got.dtype == np.float32
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("batch_size", [7, N, N + 1, 2 * N, 3 * N + 7])
def test_order_is_the_endless_cycle_even_for_batches_larger_than_the_data(images, batch_size):
    for got, want in zip(
        take(batches(images, batch_size), 12), take(cyclic_reference(images, batch_size), 12)
    ):
        assert got.shape == (batch_size, 6)
        np.testing.assert_array_equal(got, want)


def test_one_dimensional_and_single_example_arrays():
    got = take(batches(np.array([0, 51, 255], np.uint8), 2), 3)
    np.testing.assert_allclose(np.concatenate(got), np.array([0, 51, 255, 0, 51, 255]) / 255)
    single = next(batches(np.full((1, 2, 2), 255, np.uint8), 5))
    assert single.shape == (5, 2, 2)
    np.testing.assert_array_equal(single, 1.0)


def test_uint8_is_scaled_to_unit_interval_exactly_like_the_tutorial(images):
    images[0, 0], images[1, 0] = 0, 255
    batch = next(batches(images, N))
    assert batch.dtype == np.float32
    np.testing.assert_array_equal(batch, images.astype(np.float32) / 255.0)
    assert batch[0, 0] == 0.0 and batch[1, 0] == 1.0


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_float_input_is_taken_as_already_scaled(images, dtype):
    data = (images / 255.0).astype(dtype)
    got = take(batches(data, 16), 4)
    for got_batch, want in zip(got, take(cyclic_reference(images, 16), 4)):
        assert got_batch.dtype == np.float32
        np.testing.assert_allclose(got_batch, want, atol=1e-3)


def test_float32_batches_are_copies_not_views():
    data = np.linspace(0, 1, 12, dtype=np.float32).reshape(6, 2)
    original = data.copy()
    batch = next(batches(data, 4))
    assert not np.shares_memory(batch, data)
    batch[...] = 0.5
    np.testing.assert_array_equal(data, original)


def test_bool_input():
    data = np.array([[True, False], [False, True]])
    np.testing.assert_array_equal(next(batches(data, 2)), data.astype(np.float32))


@pytest.mark.parametrize("bad", [[-0.1, 0.5], [0.5, 1.5]])
def test_float_input_outside_unit_interval_is_rejected(bad):
    with pytest.raises(ValueError, match=r"\[0, 1\]") as info:
        batches(np.array(bad), 1)  # raised at the call, before any next()
    assert "Scale" in str(info.value)


@pytest.mark.parametrize("bad", [[0.0, np.nan], [0.0, np.inf], [np.nan, 2.0]])
def test_nan_or_inf_is_rejected_as_such(bad):
    with pytest.raises(ValueError, match=r"array holds 1 NaN or Inf value"):
        batches(np.array(bad), 1)


@pytest.mark.parametrize("dtype", [np.int64, np.uint16, np.complex64])
def test_unsupported_dtypes_are_rejected(dtype):
    with pytest.raises(TypeError, match="uint8"):
        batches(np.zeros((3, 2), dtype), 1)


@pytest.mark.parametrize(
    "batch_size, error",
    [
        (0, ValueError),
        (-3, ValueError),
        (1.5, TypeError),
        (True, TypeError),
        ("8", TypeError),
        (None, TypeError),
    ],
)
def test_bad_batch_size(images, batch_size, error):
    with pytest.raises(error, match="batch_size"):
        batches(images, batch_size)


def test_numpy_integer_batch_size(images):
    assert next(batches(images, np.int32(4))).shape == (4, 6)


@pytest.mark.parametrize("array", [np.uint8(3), np.zeros((0, 784), np.uint8), []])
def test_bad_arrays(array):
    with pytest.raises(ValueError, match="array"):
        batches(array, 2)


def test_binarize_gives_bernoulli_draws():
    rng = np.random.default_rng(1)
    intensities = rng.integers(0, 256, (200, 784), dtype=np.uint8)
    intensities[:, 0] = 0
    intensities[:, 1] = 255
    generator = batches(intensities, 128, binarize=True, seed=0)
    draws = np.concatenate(take(generator, 25))  # 3200 rows: 16 passes over the data
    assert draws.dtype == np.float32
    assert set(np.unique(draws)) <= {0.0, 1.0}
    assert np.all(draws[:, 0] == 0.0) and np.all(draws[:, 1] == 1.0)
    # Overall mean: the standard error is below 0.5 / sqrt(2.5e6) = 3e-4.
    expected = np.mean(intensities / 255.0)
    assert abs(draws.mean() - expected) < 0.005
    # Per intensity level (about 9,800 draws each, standard error at most
    # 0.005): the frequency of ones matches the intensity.
    levels = np.tile(intensities, (16, 1))
    frequency = np.bincount(levels.ravel(), weights=draws.ravel(), minlength=256)
    counts = np.bincount(levels.ravel(), minlength=256)
    seen = counts > 0
    np.testing.assert_allclose(
        frequency[seen] / counts[seen], np.arange(256)[seen] / 255, atol=0.03
    )
    # Draws are fresh each pass, not one fixed binarization.
    assert not np.array_equal(draws[:200], draws[200:400])


def test_binarize_float_input():
    data = np.full((10, 100), 0.25)
    draws = np.concatenate(take(batches(data, 10, binarize=True, seed=3), 100))
    assert set(np.unique(draws)) == {0.0, 1.0}
    assert abs(draws.mean() - 0.25) < 0.01  # standard error 0.0014


def test_seed_makes_batches_reproducible(images):
    first = take(batches(images, 16, binarize=True, seed=7), 5)
    second = take(batches(images, 16, binarize=True, seed=7), 5)
    other = take(batches(images, 16, binarize=True, seed=8), 5)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, c) for a, c in zip(first, other))


def test_global_seed_makes_unseeded_batches_reproducible(images):
    np.random.seed(123)
    first = take(batches(images, 16, binarize=True), 5)
    np.random.seed(123)
    second = take(batches(images, 16, binarize=True), 5)
    np.random.seed(124)
    other = take(batches(images, 16, binarize=True), 5)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, c) for a, c in zip(first, other))


def test_noise_seed_is_taken_when_the_generator_is_created(images):
    np.random.seed(5)
    generator = batches(images, 16, binarize=True)
    np.random.seed(99)  # later use of the global state must not matter
    first = next(generator)
    np.random.seed(5)
    np.testing.assert_array_equal(next(batches(images, 16, binarize=True)), first)


def test_without_binarize_the_global_state_is_untouched(images):
    np.random.seed(11)
    before = np.random.get_state()[1].copy()
    take(batches(images, 16, seed=None), 3)
    np.testing.assert_array_equal(np.random.get_state()[1], before)


@pytest.mark.parametrize("binarize", [False, True])
@pytest.mark.parametrize("batch_size", [16, N, 2 * N + 3])
def test_yielded_batches_are_never_mutated(images, binarize, batch_size):
    generator = batches(images, batch_size, binarize=binarize, seed=0)
    kept = take(generator, 3)
    copies = [batch.copy() for batch in kept]
    later = take(generator, 20)
    for batch, copy in zip(kept, copies):
        np.testing.assert_array_equal(batch, copy)
        assert not any(np.shares_memory(batch, other) for other in later)


def test_input_array_is_not_modified(images):
    original = images.copy()
    take(batches(images, 16, binarize=True, seed=0), 10)
    np.testing.assert_array_equal(images, original)


def test_labels_follow_their_images():
    images = np.arange(10, dtype=np.uint8).reshape(10, 1) * 20
    labels = np.arange(10) + 100
    generator = batches(images, 4, labels=labels)
    for _ in range(5):
        batch, label_batch = next(generator)
        np.testing.assert_array_equal(
            np.round(batch[:, 0] * 255 / 20).astype(int), label_batch - 100
        )
        assert label_batch.dtype == labels.dtype


def test_labels_must_match_the_examples():
    with pytest.raises(ValueError, match="one label per example"):
        batches(np.zeros((5, 2), np.uint8), 2, labels=np.zeros(4))
