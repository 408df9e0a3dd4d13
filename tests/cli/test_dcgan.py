"""`gan-infer train dcgan --data PATH`: your images, end to end, at toy size.

A run on a folder of PNGs writes what `train mnist` writes, resumes, and its
generator is sampled and evaluated by `sample` and `evaluate --data`. The
DCGAN draws 10,000 samples at the end; the tests draw 64 (`n_samples`
patched), so that the whole file takes seconds. Bad inputs are rows of
docs/errors.md (tests/errors/).
"""

import json

import numpy as np
import pytest
from PIL import Image

from gan_infer.cli import dcgan
from tests.cli.helpers import run_main


@pytest.fixture
def few_samples(monkeypatch):
    monkeypatch.setattr(dcgan.DCGAN, "n_samples", 64)


def picture_folder(folder, count=24, side=32):
    """`count` colour squares on black, in two sub-folders, as PNG files."""
    rng = np.random.default_rng(0)
    for index in range(count):
        pixels = np.zeros((side, side, 3), np.uint8)
        row, column = rng.integers(4, side - 4, 2)
        pixels[row - 3 : row + 3, column - 3 : column + 3] = rng.integers(100, 256, 3)
        path = folder / f"part{index % 2}" / f"{index:03d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(path)
    return folder


def test_a_folder_of_images_trains_resumes_samples_and_evaluates(tmp_path, capsys, few_samples):
    data, run = picture_folder(tmp_path / "pictures"), tmp_path / "run"
    flags = ["--data", data, "--out", run, "--n-print", 2, "--batch-size", 8]
    code, out, err = run_main(capsys, "train", "dcgan", "--n-iter", 4, *flags)
    assert code == 0, err
    config = json.loads((run / "config.json").read_text())
    assert config["data"] == str(data) and config["image_shape"] == [32, 32, 3]
    samples = np.load(run / "samples.npy")
    assert samples.shape == (64, 32, 32, 3) and samples.dtype == np.float32
    assert 0.0 <= samples.min() and samples.max() <= 1.0
    assert sorted(p.name for p in (run / "grids").iterdir()) == ["000.png", "001.png", "002.png"]
    assert (run / "final.png").stat().st_size > 0 and list((run / "logs").iterdir())
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["features"] == "random-conv-v1" and metrics["n_data"] == 24
    assert 0.0 <= metrics["precision"] <= 1.0 and np.isfinite(metrics["frechet_distance"])
    assert "Fréchet distance" in out

    code, out, err = run_main(capsys, "train", "dcgan", "--n-iter", 6, *flags)
    assert code == 0, err
    assert "Resuming from" in out and "at iteration 4." in out
    assert json.loads((run / "metrics.json").read_text())["iterations"] == 6

    code, out, err = run_main(capsys, "sample", "--checkpoint", run, "-o", tmp_path / "again.npy")
    assert code == 0, err
    np.testing.assert_array_equal(np.load(tmp_path / "again.npy"), np.load(run / "samples.npy"))
    assert (
        run_main(capsys, "sample", "--checkpoint", run, "-n", 16, "-o", tmp_path / "g.png")[0] == 0
    )

    code, out, err = run_main(capsys, "evaluate", run / "samples.npy", "--data", data)
    assert code == 0, err
    assert set(json.loads(out)) >= {"frechet_distance", "kernel_distance", "precision", "recall"}


def test_an_array_file_is_resized_to_a_dcgan_size(tmp_path, capsys, few_samples):
    np.save(tmp_path / "grey.npy", np.random.default_rng(1).random((20, 40, 40)))
    run = tmp_path / "run"
    code, out, err = run_main(
        capsys, "train", "dcgan", "--data", tmp_path / "grey.npy", "--image-size", 28,
        "--n-iter", 2, "--n-print", 1, "--batch-size", 4, "--no-evaluate", "--out", run,
    )  # fmt: skip
    assert code == 0, err
    assert json.loads((run / "config.json").read_text())["image_shape"] == [28, 28, 1]
    assert np.load(run / "samples.npy").shape == (64, 28, 28, 1)


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "ring", "--data", "x"], "argument --data: is an option of the dcgan model"),
        (["train", "dcgan", "--image-size", "28"], "give --data too"),
        (["train", "dcgan", "--data", "x", "--image-size", "30"], "must be 28, 32 or 64"),
        (["train", "dcgan", "--data", "x", "--data-dir", "m"], "argument --data-dir: is the"),
        (["evaluate", "s.npy", "--toy", "ring", "--data", "x"], "give one of them"),
    ],
)
def test_bad_flags_exit_2_with_one_line(args, message, tmp_path, capsys):
    out_dir = ["--out", tmp_path / "run"] if args[0] == "train" else []
    code, out, err = run_main(capsys, *args, *out_dir)
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert not (tmp_path / "run").exists()


def test_images_of_another_size_and_bad_sample_files_exit_1(tmp_path, capsys):
    picture_folder(tmp_path / "big", count=3, side=48)
    code, out, err = run_main(
        capsys, "train", "dcgan", "--data", tmp_path / "big", "--out", tmp_path / "r"
    )
    assert code == 1 and "are 48x48 pixels" in err and "--image-size" in err
    assert not (tmp_path / "r").exists()
    (tmp_path / "samples.npy").write_text("0.5 0.5\n")
    code, out, err = run_main(capsys, "evaluate", tmp_path / "samples.npy", "--data", tmp_path)
    assert code == 1 and f"{tmp_path / 'samples.npy'} is not a numpy .npy or .npz file" in err
