"""benchmarks/sbi/weight_decay_probe.py: the rows of the probe, and gaussian_linear's
cheap score against its exact posterior."""

import csv
import json
import pathlib
import subprocess
import sys

import numpy as np

SBI = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "sbi"
sys.path.insert(0, str(SBI))
from weight_decay_probe import gaussian_accuracy  # noqa: E402

sys.path.remove(str(SBI))


def test_the_gaussian_accuracy_is_one_half_for_the_exact_posterior_and_near_one_far_off():
    rng = np.random.default_rng(0)
    mean, cov = np.zeros(3), 0.05 * np.eye(3)
    exact = rng.multivariate_normal(mean, cov, size=10_000)
    assert abs(gaussian_accuracy(exact, mean, cov) - 0.5) < 0.02
    assert gaussian_accuracy(exact + 2.0, mean, cov) > 0.99
    # Half the spread of the truth in every coordinate: a C2ST tells it apart often.
    assert 0.7 < gaussian_accuracy(exact / 2, mean, cov) < 0.95


def write_run(folder, c2st, losses, samples=None):
    folder.mkdir(parents=True)
    metrics = {"c2st": c2st, "estimator_loss": losses}
    (folder / "metrics.json").write_text(json.dumps(metrics))
    if samples is not None:
        np.save(folder / "posterior_samples.npy", samples)


def test_rows_read_every_run_and_score_gaussian_linear_against_its_posterior(tmp_path):
    losses = {"pool": 0.2, "held_out_prior": 0.9, "held_out_q": 1.1}
    write_run(tmp_path / "two_moons" / "wd0" / "1", 0.55, losses)
    write_run(tmp_path / "two_moons" / "wd1e-3" / "1", 0.75, dict(losses, pool=0.3))
    sys.path.insert(0, str(SBI))
    try:
        from protocol import load_task
    finally:
        sys.path.remove(str(SBI))
    x_o = load_task("gaussian_linear").observation(1).astype(np.float64)
    exact = np.random.default_rng(1).multivariate_normal(x_o / 2, 0.05 * np.eye(10), 10_000)
    write_run(tmp_path / "gaussian_linear" / "wd3e-3" / "1", None, losses, exact)
    out = tmp_path / "rows.csv"
    table = subprocess.run(
        [
            sys.executable,
            str(SBI / "weight_decay_probe.py"),
            "--root",
            str(tmp_path),
            "--csv",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "| two_moons | 1 | 0.001 | 0.750 |  | 0.300 | 0.900 | 1.100 |" in table
    rows = list(csv.DictReader(out.open()))
    assert [(r["task"], r["weight_decay"]) for r in rows] == [
        ("gaussian_linear", "0.003"),
        ("two_moons", "0.0"),
        ("two_moons", "0.001"),
    ]
    assert abs(float(rows[0]["gaussian_accuracy"]) - 0.5) < 0.02 and rows[0]["c2st"] == ""


def test_no_runs_is_said_plainly(tmp_path):
    result = subprocess.run(
        [sys.executable, str(SBI / "weight_decay_probe.py"), "--root", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "no run of run.py --weight-decay" in result.stderr
