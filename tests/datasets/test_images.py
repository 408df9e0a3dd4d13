"""gan_infer.datasets.images: folders of PNG/JPEG files and array files into [N, H, W, C] in [0, 1].

Every bad input is a row of docs/errors.md (tests/errors/ makes
each one); here: what comes out of good inputs, and that the messages name
the file at fault.
"""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from gan_infer.datasets import DataError, images, read_array


def save(path, pixels):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)
    return path


@pytest.fixture
def folder(tmp_path):
    """Three 12x12 images, nested: grey PNG, colour JPEG (a 2x2-block pattern), RGBA PNG."""
    rng = np.random.default_rng(0)
    save(tmp_path / "a.png", np.full((12, 12), 255, np.uint8))
    save(
        tmp_path / "sub" / "b.JPG",
        np.kron(rng.integers(0, 256, (6, 6, 3), np.uint8), np.ones((2, 2, 1), np.uint8)),
    )
    save(tmp_path / "sub" / "deeper" / "c.png", np.zeros((12, 12, 4), np.uint8))
    (tmp_path / "notes.txt").write_text("not an image: ignored")
    (tmp_path / "._a.png").write_bytes(b"macOS metadata: hidden, ignored")
    save(tmp_path / ".ipynb_checkpoints" / "a.png", np.zeros((5, 5), np.uint8))
    return tmp_path


def test_a_folder_is_read_recursively_in_path_order(folder):
    x = images(folder)
    assert x.shape == (3, 12, 12, 3) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0
    np.testing.assert_array_equal(x[0], 1.0)  # a.png: white grey, repeated in 3 channels
    np.testing.assert_array_equal(x[2], 0.0)  # c.png: black, its alpha dropped
    assert x[1].std() > 0.1  # the JPEG's colours


def test_channels_and_size(folder):
    grey = images(folder, channels=1)
    assert grey.shape == (3, 12, 12, 1)
    np.testing.assert_allclose(grey[0], 1.0, atol=1e-6)  # luma of white is white
    small = images(folder, size=6)
    assert small.shape == (3, 6, 6, 3)
    np.testing.assert_allclose(small[0], 1.0)  # a box filter keeps a flat image flat


def test_a_grey_folder_stays_grey_and_16_bit_pngs_are_scaled(tmp_path):
    save(tmp_path / "eight.png", np.full((8, 8), 51, np.uint8))
    Image.fromarray(np.full((8, 8), 13107, np.uint16)).save(tmp_path / "sixteen.png")
    x = images(tmp_path)
    assert x.shape == (2, 8, 8, 1)
    np.testing.assert_allclose(x[..., 0].mean(axis=(1, 2)), [0.2, 0.2], atol=1e-6)


def test_a_non_square_image_is_centre_cropped_before_resizing(tmp_path):
    pixels = np.zeros((10, 20), np.uint8)
    pixels[:, 5:15] = 255  # the centred 10x10 square is white, the sides black
    save(tmp_path / "wide.png", pixels)
    np.testing.assert_allclose(images(tmp_path / "wide.png", size=5), 1.0)


@pytest.mark.parametrize(
    "array, expected_shape",
    [
        (np.zeros((4, 784), np.uint8), (4, 28, 28, 1)),  # MNIST rows
        (np.zeros((4, 9, 9), np.float32), (4, 9, 9, 1)),
        (np.zeros((4, 9, 9, 3), np.float64), (4, 9, 9, 3)),
        (np.zeros((4, 9, 9, 1), bool), (4, 9, 9, 1)),
        (np.zeros((4, 9, 9), np.int64), (4, 9, 9, 1)),  # integers 0..255 are pixels
    ],
)
def test_arrays_of_every_layout_become_images(tmp_path, array, expected_shape):
    np.save(tmp_path / "x.npy", array)
    x = images(tmp_path / "x.npy")
    assert x.shape == expected_shape and x.dtype == np.float32


def test_array_pixels_are_scaled_and_resized(tmp_path):
    pixels = np.random.default_rng(1).integers(0, 256, (3, 16, 16, 3), np.uint8)
    np.savez(tmp_path / "data.npz", images=pixels, labels=np.arange(3))
    x = images(tmp_path / "data.npz")
    np.testing.assert_allclose(x, pixels / 255.0, atol=1e-7)
    small = images(tmp_path / "data.npz", size=8, channels=1)
    assert small.shape == (3, 8, 8, 1) and 0.0 <= small.min() and small.max() <= 1.0
    block_means = (pixels / 255.0 @ [0.299, 0.587, 0.114]).reshape(3, 8, 2, 8, 2).mean((2, 4))
    np.testing.assert_allclose(small[..., 0], block_means, atol=1e-5)


def test_read_array_picks_the_npz_array(tmp_path):
    np.savez(tmp_path / "two.npz", x=np.ones(2), other=np.zeros(3))
    np.testing.assert_array_equal(read_array(tmp_path / "two.npz"), np.ones(2))
    np.testing.assert_array_equal(read_array(tmp_path / "two.npz", key="other"), np.zeros(3))


def test_messages_name_the_file_at_fault(folder):
    (folder / "sub" / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(DataError, match="broken.png cannot be read as an image"):
        images(folder)
    (folder / "sub" / "broken.png").unlink()
    save(folder / "z.png", np.zeros((10, 12), np.uint8))
    with pytest.raises(DataError, match=r"different sizes \(.*a.png is 12x12, .*z.png is 12x10"):
        images(folder)
    assert images(folder, size=10).shape == (4, 10, 10, 3)


def test_loading_images_does_not_import_tensorflow(tmp_path):
    code = (
        "import sys, numpy as np; from gan_infer.datasets import images; "
        "np.save('x.npy', np.zeros((2, 4, 4))); images('x.npy'); "
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)
