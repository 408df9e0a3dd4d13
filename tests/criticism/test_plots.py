"""Tests for gan_infer.criticism.plots."""

import os

import numpy as np
import pytest
from matplotlib.figure import Figure

from gan_infer.criticism import sample_grid, save_figure, training_curves

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def images(n, shape=(784,), seed=0):
    return np.random.default_rng(seed).uniform(size=(n,) + shape).astype(np.float32)


# --- sample_grid -------------------------------------------------------------------


def test_sample_grid_flat_samples():
    samples = images(16)
    fig = sample_grid(samples)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 16
    for index, ax in enumerate(fig.axes):
        (image,) = ax.get_images()
        np.testing.assert_array_equal(image.get_array(), samples[index].reshape(28, 28))
        assert image.get_clim() == (0.0, 1.0)
        assert not ax.axison


def test_sample_grid_image_shaped_samples_and_extra_samples():
    samples = images(20, (28, 28))
    fig = sample_grid(samples, nrows=2, ncols=3)
    assert len(fig.axes) == 6
    np.testing.assert_array_equal(fig.axes[5].get_images()[0].get_array(), samples[5])
    np.testing.assert_allclose(fig.get_size_inches(), [3.0, 2.0])
    # row-major order: the second axis is in the first row, second column
    first, second, fourth = (
        fig.axes[0].get_position(),
        fig.axes[1].get_position(),
        fig.axes[3].get_position(),
    )
    assert second.x0 > first.x0 and abs(second.y0 - first.y0) < 1e-9
    assert fourth.y0 < first.y0 and abs(fourth.x0 - first.x0) < 1e-9


def test_sample_grid_other_image_shape():
    samples = images(4, (12,))
    fig = sample_grid(
        samples, nrows=2, ncols=2, image_shape=(3, 4), cmap="viridis", cell_inches=2.0
    )
    assert len(fig.axes) == 4
    assert fig.axes[0].get_images()[0].get_array().shape == (3, 4)
    assert fig.axes[0].get_images()[0].get_cmap().name == "viridis"
    np.testing.assert_allclose(fig.get_size_inches(), [4.0, 4.0])


def test_sample_grid_accepts_lists():
    fig = sample_grid(images(1).tolist(), nrows=1, ncols=1)
    assert len(fig.axes) == 1


@pytest.mark.parametrize("count, nrows, ncols", [(15, 4, 4), (0, 4, 4), (5, 2, 3)])
def test_sample_grid_too_few_samples(count, nrows, ncols):
    with pytest.raises(ValueError, match=f"at least {nrows * ncols} samples"):
        sample_grid(images(count), nrows=nrows, ncols=ncols)


@pytest.mark.parametrize("shape", [(783,), (785,), (28, 27), (14, 14)])
def test_sample_grid_wrong_pixel_count(shape):
    with pytest.raises(ValueError, match="784"):
        sample_grid(images(16, shape))


# --- save_figure -----------------------------------------------------------------


def test_save_figure_writes_a_png_atomically(tmp_path):
    path = tmp_path / "samples.png"
    save_figure(sample_grid(images(16)), path)
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    assert data[12:16] == b"IHDR"
    assert os.listdir(tmp_path) == ["samples.png"]


def test_save_figure_replaces_an_existing_file(tmp_path):
    path = tmp_path / "curve.png"
    path.write_bytes(b"old")
    save_figure(training_curves({"t": [1, 2], "loss": [1, 0], "loss_d": [0, 1]}), str(path))
    assert path.read_bytes().startswith(PNG_MAGIC)
    assert os.listdir(tmp_path) == ["curve.png"]


def test_save_figure_keeps_the_old_file_when_rendering_fails(tmp_path):
    path = tmp_path / "grid.png"
    path.write_bytes(b"old")
    fig = sample_grid(images(1), nrows=1, ncols=1)

    def broken_savefig(handle, **kwargs):
        handle.write(PNG_MAGIC + b"partial")
        raise RuntimeError("render failed")

    fig.savefig = broken_savefig
    with pytest.raises(RuntimeError, match="render failed"):
        save_figure(fig, path)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["grid.png"]


def test_save_figure_unknown_format_leaves_nothing(tmp_path):
    with pytest.raises(ValueError, match="not_a_format"):
        save_figure(sample_grid(images(1), nrows=1, ncols=1), tmp_path / "grid.not_a_format")
    assert os.listdir(tmp_path) == []


def test_save_figure_other_formats(tmp_path):
    fig = sample_grid(images(1), nrows=1, ncols=1)
    save_figure(fig, tmp_path / "grid.PDF")
    save_figure(fig, tmp_path / "grid.svg")
    assert (tmp_path / "grid.PDF").read_bytes().startswith(b"%PDF")
    assert b"<svg" in (tmp_path / "grid.svg").read_bytes()[:1000]
    assert sorted(os.listdir(tmp_path)) == ["grid.PDF", "grid.svg"]


def test_save_figure_without_extension_is_png(tmp_path):
    save_figure(sample_grid(images(1), nrows=1, ncols=1), tmp_path / "grid")
    assert (tmp_path / "grid").read_bytes().startswith(PNG_MAGIC)


def test_save_figure_without_extension_in_a_dotted_directory(tmp_path):
    directory = tmp_path / "run.1"
    directory.mkdir()
    save_figure(sample_grid(images(1), nrows=1, ncols=1), directory / "grid")
    assert (directory / "grid").read_bytes().startswith(PNG_MAGIC)


def test_save_figure_to_a_missing_directory_raises(tmp_path):
    path = tmp_path / "missing" / "grid.png"
    with pytest.raises(OSError) as info:
        save_figure(sample_grid(images(1), nrows=1, ncols=1), path)
    assert str(path) in str(info.value)


# --- training_curves ----------------------------------------------------------------


def test_training_curves_one_line_per_key():
    t = np.arange(1, 11)
    history = {"t": t, "loss": np.linspace(2, 1, 10), "loss_d": list(np.linspace(0.5, 1.5, 10))}
    fig = training_curves(history)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    lines = ax.get_lines()
    assert len(lines) == 2
    for line, key, label in zip(lines, ["loss", "loss_d"], ["generator", "discriminator"]):
        np.testing.assert_array_equal(line.get_xdata(), t)
        np.testing.assert_array_equal(line.get_ydata(), np.asarray(history[key]))
        assert line.get_label() == label
    assert [text.get_text() for text in ax.get_legend().get_texts()] == [
        "generator",
        "discriminator",
    ]
    assert ax.get_xlabel() == "iteration"


def test_training_curves_custom_keys():
    history = {"t": [0, 5, 10], "a": [1, 2, 3], "b": [3, 2, 1], "c": [0, 0, 0], "unused": [9, 9, 9]}
    fig = training_curves(history, keys=("a", "b", "c"), labels=("A", "B", "C"))
    lines = fig.axes[0].get_lines()
    assert [line.get_label() for line in lines] == ["A", "B", "C"]
    np.testing.assert_array_equal(lines[2].get_ydata(), [0, 0, 0])
    single = training_curves(history, keys=("b",), labels=("only",))
    assert len(single.axes[0].get_lines()) == 1


def test_training_curves_missing_key_raises():
    with pytest.raises(KeyError):
        training_curves({"t": [1], "loss": [1]})
