"""`gan-infer train`: the models train into a run directory, and a run goes on."""

import json

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from tests.cli.helpers import run_main


def test_mnist_trains_the_tutorial_model(tmp_path, capsys, mnist_dir):
    run = tmp_path / "mnist"
    code, out, err = run_main(
        capsys,
        "train",
        "mnist",
        "--n-iter",
        20,
        "--n-print",
        10,
        "--no-evaluate",
        "--data-dir",
        mnist_dir,
        "--out",
        run,
    )
    assert code == 0, err
    samples = np.load(run / "samples.npy")
    assert samples.shape == (10000, 784) and samples.dtype == np.float32
    assert 0.0 <= samples.min() and samples.max() <= 1.0
    assert sorted(p.name for p in (run / "grids").iterdir()) == ["000.png", "001.png", "002.png"]
    config = json.loads((run / "config.json").read_text())
    assert config == dict(
        config, model="mnist", batch_size=128, learning_rate=1e-3, n_iter=20, evaluate=False
    )
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["evaluated"] is False and np.isfinite(metrics["generator_loss"])
    reader = tf.train.load_checkpoint(str(run / "checkpoints" / "ckpt-20"))
    shapes = reader.get_variable_to_shape_map()
    assert shapes["Gen/dense/kernel"] == [100, 128] and shapes["Gen/dense_1/kernel"] == [128, 784]
    assert shapes["Disc/dense/kernel"] == [784, 128] and shapes["Disc/dense_1/kernel"] == [128, 1]

    code, out, err = run_main(
        capsys, "sample", "--checkpoint", run, "-n", 64, "-o", tmp_path / "grid.png"
    )
    assert code == 0 and (tmp_path / "grid.png").stat().st_size > 0, err


def test_mixture_is_evaluated_and_n_iter_may_grow(tmp_path, capsys):
    run = tmp_path / "mixture"
    assert run_main(capsys, "train", "mixture", "--n-iter", 20, "--out", run)[0] == 0
    code, out, err = run_main(capsys, "train", "mixture", "--n-iter", 40, "--out", run)
    assert code == 0, err
    assert "Resuming from" in out and "at iteration 20." in out
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["iterations"] == 40 and metrics["n_samples"] == 10000
    assert 0 <= metrics["ks_distance"] <= 1
    assert metrics["share_left"] + metrics["share_right"] + metrics[
        "share_elsewhere"
    ] == pytest.approx(1)
    assert json.loads((run / "config.json").read_text())["n_iter"] == 40
