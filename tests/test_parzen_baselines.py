"""experiments/parzen_baselines.py at tiny size: the reference rows of Table 1
(real digits and k-means centroids as "samples") with both Parzen protocols.

In this process (runpy): the script imports nothing a test has not already
imported, so a subprocess would only add TensorFlow's start-up time."""

import json
import runpy
import sys

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
