"""benchmarks/sbi/rejection_abc.py: the baseline's files, its support and its posterior."""

import json
import pathlib
import subprocess
import sys

import numpy as np

SBI = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "sbi"
# theta ~ U(0, 4), x = theta + N(0, 0.5^2), x_o = 1: the posterior is N(1, 0.5^2)
# cut at 0 (mean 1.03, sd 0.47), and half of that normal's mass lies near the bound.
TASK = """
import numpy as np

NAME = "bounded_normal"
PARAMETER_NAMES = ["theta"]


def prior():
    import tensorflow_probability as tfp

    tfd = tfp.distributions
    return tfd.Independent(tfd.Uniform(np.zeros(1, np.float32), 4 * np.ones(1, np.float32)), 1)


def simulate(theta, rng):
    return (theta + 0.5 * rng.standard_normal(theta.shape)).astype(np.float32)


def observation(i):
    return np.array([1.0], np.float32)


def reference_posterior(i):
    draws = np.random.default_rng(i).normal(1.0, 0.5, size=40000)
    return draws[(draws > 0) & (draws < 4)][:10000, None].astype(np.float32)


def true_parameters(i):
    return np.array([1.0], np.float32)
"""


def test_rejection_abc_keeps_the_nearest_and_stays_in_the_prior_support(tmp_path):
    task = tmp_path / "bounded_normal.py"
    task.write_text(TASK)
    out = tmp_path / "abc"
    command = [sys.executable, str(SBI / "rejection_abc.py"), "--task", str(task)]
    command += ["--simulations", "4000", "--keep", "200", "--out", str(out), "--no-c2st"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    samples = np.load(out / "posterior_samples.npy")
    assert samples.shape == (10000, 1) and samples.dtype == np.float32
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["simulator_calls"] == 4000 and metrics["kept"] == 200
    # 200 of 4000 prior draws lie within epsilon of x_o: a small ball around it.
    assert 0 < metrics["epsilon"] < 0.2
    assert (out / "pairplot.png").stat().st_size > 0
    # The KDE lives on the unconstrained line, so no draw leaves (0, 4) ...
    assert samples.min() > 0 and samples.max() < 4
    # ... and the draws follow the cut normal, up to ABC's and the KDE's blur.
    assert abs(samples.mean() - 1.03) < 0.15 and 0.35 < samples.std() < 0.65
