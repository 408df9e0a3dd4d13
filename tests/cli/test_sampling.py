"""`gan-infer sample`: the generator alone, restored from a run, draws the run's samples."""

import numpy as np

from gan_infer import cli
from gan_infer.cli import named_gans


def test_grid_draws_with_the_weight_average_and_sample_restores_it(tmp_path, monkeypatch):
    run = tmp_path / "grid"
    metrics = cli.train("grid", run, n_iter=40, n_print=20, batch_size=64)
    assert set(metrics["last_iterate"]) >= {"modes_captured", "high_quality_fraction", "counts"}
    samples = np.load(run / "samples.npy")
    np.testing.assert_array_equal(cli.sample(run), samples)
    # Restoring the last weights instead draws other points from the same noise.
    monkeypatch.setattr(named_gans.get("grid"), "ema_decay", None)
    assert np.abs(cli.sample(run) - samples).max() > 1e-3
