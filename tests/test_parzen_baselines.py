"""experiments/parzen_baselines.py at tiny size: the reference rows of Table 1
(real digits and k-means centroids as "samples") with both Parzen protocols.

In this process (runpy): the script imports nothing a test has not already
imported, so a subprocess would only add TensorFlow's start-up time."""

import json
import runpy
import sys

import numpy as np
import pytest

import gan_infer as ed
from tests.conftest import REPO_ROOT

SCRIPT = REPO_ROOT / "experiments" / "parzen_baselines.py"


def test_parzen_baselines_scores_real_digits_and_centroids(mnist_dir, tmp_path, monkeypatch):
    out_dir = tmp_path / "out"
    argv = ["--n-samples", "40", "--n-train", "400", "--kmeans-iter", "1", "--parzen-size", "30"]
    argv += ["--data-dir", str(mnist_dir), "--out-dir", str(out_dir)]
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), *argv])
    monkeypatch.setenv("MPLBACKEND", "Agg")
    runpy.run_path(str(SCRIPT), run_name="__main__")
    results = json.loads((out_dir / "parzen_baselines.json").read_text())
    assert (out_dir / "centroids.png").is_file()
    for name in ("real digits", "k-means"):
        for protocol in ("released", "all validation"):
            estimate = results[name][protocol]
            assert estimate["sigma"] in [float(s) for s in estimate["validation_scores"]]
            assert estimate["std_error"] > 0


def test_samples_files_are_scored_with_both_protocols_as_the_baselines_are(
    mnist_dir, tmp_path, monkeypatch
):
    """--samples scores a model's .npy: the first training digits saved to a
    file get exactly the "real digits" row of the baselines."""
    common = ["--parzen-size", "30", "--data-dir", str(mnist_dir)]
    monkeypatch.setenv("MPLBACKEND", "Agg")
    baselines_dir, samples_dir = tmp_path / "baselines", tmp_path / "samples"
    argv = ["--n-samples", "40", "--n-train", "400", "--kmeans-iter", "1", *common]
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), *argv, "--out-dir", str(baselines_dir)])
    runpy.run_path(str(SCRIPT), run_name="__main__")
    baselines = json.loads((baselines_dir / "parzen_baselines.json").read_text())

    (x_train, _), _, _ = ed.datasets.mnist_splits(str(mnist_dir), validation_size=10000)
    samples_file = tmp_path / "digits.npy"
    np.save(samples_file, x_train[:40].reshape(40, 784) / np.float32(255))
    argv = [*common, "--samples", str(samples_file), "--out-dir", str(samples_dir)]
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), *argv])
    runpy.run_path(str(SCRIPT), run_name="__main__")
    scored = json.loads((samples_dir / "parzen_samples.json").read_text())[str(samples_file)]
    assert not (samples_dir / "parzen_baselines.json").exists()
    for protocol in ("released", "all validation"):
        assert scored[protocol]["mean"] == pytest.approx(baselines["real digits"][protocol]["mean"])
        assert scored[protocol]["sigma"] == baselines["real digits"][protocol]["sigma"]


@pytest.mark.parametrize(
    "samples, message",
    [
        (np.ones((10, 5), np.float32), "holds 5 values per sample; MNIST samples have 784"),
        (np.full((10, 784), 255.0, np.float32), "holds values in [255, 255]; MNIST samples are"),
        (np.full((10, 784), np.nan, np.float32), "holds NaN or infinite values"),
    ],
    ids=["width", "0..255", "nan"],
)
def test_samples_that_are_not_mnist_pixels_are_refused(
    samples, message, mnist_dir, tmp_path, monkeypatch, capsys
):
    path = tmp_path / "samples.npy"
    np.save(path, samples)
    argv = ["--samples", str(path), "--data-dir", str(mnist_dir), "--out-dir", str(tmp_path)]
    monkeypatch.setattr(sys, "argv", [str(SCRIPT), *argv])
    with pytest.raises(SystemExit) as exit_info:
        runpy.run_path(str(SCRIPT), run_name="__main__")
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "parzen_samples.json").exists()
