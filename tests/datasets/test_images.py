"""gan_infer.datasets.images: folders of PNG/JPEG files and array files into [N, H, W, C] in [0, 1].

Every bad input is a row of docs/errors.md (tests/errors/ makes
each one); here: what comes out of good inputs, and that the messages name
the file at fault.
"""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from PIL import Image

from gan_infer.datasets import DataError, count_images, images, read_array


def save(path, pixels):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)
    return path


@pytest.fixture
def folder(tmp_path):
    """Three 12x12 images, nested: grey PNG, colour JPEG (a 2x2-block pattern), opaque RGBA PNG."""
    rng = np.random.default_rng(0)
    save(tmp_path / "a.png", np.full((12, 12), 255, np.uint8))
    save(
        tmp_path / "sub" / "b.JPG",
        np.kron(rng.integers(0, 256, (6, 6, 3), np.uint8), np.ones((2, 2, 1), np.uint8)),
    )
    opaque_black = np.zeros((12, 12, 4), np.uint8)
    opaque_black[..., 3] = 255
    save(tmp_path / "sub" / "deeper" / "c.png", opaque_black)
    (tmp_path / "notes.txt").write_text("not an image: ignored")
    (tmp_path / "._a.png").write_bytes(b"macOS metadata: hidden, ignored")
    save(tmp_path / ".ipynb_checkpoints" / "a.png", np.zeros((5, 5), np.uint8))
    return tmp_path


def test_a_folder_is_read_recursively_in_path_order(folder):
    x = images(folder)
    assert x.shape == (3, 12, 12, 3) and x.dtype == np.float32
    assert 0.0 <= x.min() and x.max() <= 1.0
    np.testing.assert_array_equal(x[0], 1.0)  # a.png: white grey, repeated in 3 channels
    np.testing.assert_array_equal(x[2], 0.0)  # c.png: black, its opaque alpha dropped
    assert x[1].std() > 0.1  # the JPEG's colours


def test_count_images_counts_what_images_reads_without_decoding(folder, tmp_path_factory):
    assert count_images(folder) == len(images(folder)) == 3  # hidden and other files skipped
    arrays = tmp_path_factory.mktemp("arrays")
    np.savez(arrays / "set.npz", images=np.zeros((5, 8, 8), np.uint8), labels=np.arange(5))
    assert count_images(arrays / "set.npz") == 5
    assert count_images(folder / "a.png") == 1
    with pytest.raises(DataError, match="does not exist"):
        count_images(arrays / "missing")


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
        "np.save('x.npy', np.zeros((2, 6, 6))); images('x.npy'); "
        "assert 'tensorflow' not in sys.modules, 'tensorflow imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=tmp_path)


def test_a_photo_is_turned_upright_from_its_exif_orientation(tmp_path):
    """A phone stores a portrait sideways, with EXIF orientation 6 (turn 90
    degrees clockwise to view): read as stored, it trains on sideways faces."""
    stored = np.zeros((8, 12), np.uint8)  # 12 wide, 8 high, as the sensor wrote it
    stored[0] = 255  # the top row of the stored pixels: the right edge once upright
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(stored).save(tmp_path / "portrait.jpg", exif=exif, quality=100)
    x = images(tmp_path / "portrait.jpg")
    assert x.shape == (1, 12, 8, 1)  # upright: 8 wide, 12 high
    np.testing.assert_allclose(x[0, :, -1, 0], 1.0, atol=0.02)
    np.testing.assert_allclose(x[0, :, :-2, 0], 0.0, atol=0.02)


def transparent_red(path):
    """A 4x4 PNG: the top half opaque white, the bottom half red at alpha 0."""
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgba[..., 0] = 255
    rgba[:2] = 255
    return save(path, rgba)


def test_transparent_pixels_are_composited_onto_white_with_a_warning(tmp_path):
    transparent_red(tmp_path / "sprite.png")
    save(tmp_path / "plain.png", np.full((4, 4, 3), 30, np.uint8))
    with pytest.warns(
        UserWarning,
        match=r"1 of the 2 images of .* have transparent pixels \(the "
        r"first: .*sprite.png\); they are composited onto white",
    ):
        x = images(tmp_path)
    np.testing.assert_allclose(x[1, 2:], 1.0)  # white, not the red hidden under alpha 0
    np.testing.assert_allclose(x[0], 30 / 255, atol=1e-6)


@pytest.mark.parametrize("background, expected", [(0.0, 0.0), ((0.0, 0.0, 1.0), (0, 0, 1))])
def test_a_chosen_background_is_used_without_a_warning(tmp_path, background, expected):
    transparent_red(tmp_path / "sprite.png")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = images(tmp_path / "sprite.png", background=background)
    np.testing.assert_allclose(x[0, 2:], np.broadcast_to(expected, (2, 4, 3)))
    np.testing.assert_allclose(x[0, :2], 1.0)


def test_half_transparent_grey_is_blended_and_stays_grey(tmp_path):
    Image.fromarray(np.full((4, 4, 2), (200, 128), np.uint8), "LA").save(tmp_path / "la.png")
    x = images(tmp_path / "la.png", background=0.0)
    assert x.shape == (1, 4, 4, 1)
    np.testing.assert_allclose(x, 200 / 255 * 128 / 255, atol=1 / 255)


def test_bool_images_are_zero_and_one(tmp_path):
    pixels = np.random.default_rng(0).random((3, 8, 8)) > 0.5
    np.save(tmp_path / "binary.npy", pixels)
    np.testing.assert_array_equal(images(tmp_path / "binary.npy")[..., 0], pixels)


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.int32])
def test_integer_images_of_zeros_and_ones_are_refused_not_read_as_black(tmp_path, dtype):
    np.save(
        tmp_path / "binary.npy", (np.random.default_rng(0).random((3, 8, 8)) > 0.5).astype(dtype)
    )
    with pytest.raises(
        DataError, match=r"binary.npy holds .* values that are all 0 or 1.*astype\(bool\)"
    ):
        images(tmp_path / "binary.npy")


@pytest.mark.parametrize("shape", [(64, 64, 3), (28, 28, 1), (32, 32, 4)])
def test_one_image_without_its_batch_axis_is_refused_not_read_as_many(tmp_path, shape):
    np.save(tmp_path / "one.npy", np.zeros(shape, np.uint8))
    with pytest.raises(DataError, match=r"one image of .* or \d+ grey images .* x\[None\]"):
        images(tmp_path / "one.npy")
    np.save(tmp_path / "one.npy", np.zeros(shape, np.uint8)[None, ..., :3])
    assert images(tmp_path / "one.npy").shape == (1, *shape[:2], min(shape[2], 3))
