"""benchmarks/sbi/run.py on one tiny task at a small budget: the files it writes."""

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

SBI = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "sbi"
TASK = """
import numpy as np

NAME = "shifted_normal"
PARAMETER_NAMES = ["mu"]


def prior():
    import tensorflow_probability as tfp

    tfd = tfp.distributions
    return tfd.MultivariateNormalDiag(np.zeros(1, np.float32), np.ones(1, np.float32))


def simulate(theta, rng):
    x = (theta + 0.5 * rng.standard_normal(theta.shape)).astype(np.float32)
    # A simulator that fails at some parameters (as Lotka-Volterra's ODE solve
    # can) returns NaN rows: about 2 % of prior draws here.
    x[theta[:, 0] > 2.0] = np.nan
    return x


def observation(i):
    return np.array([1.0], np.float32)


def reference_posterior(i):
    # theta | x_o ~ N(0.8 x_o, 0.2)
    return np.random.default_rng(i).normal(0.8, np.sqrt(0.2), size=(10000, 1)).astype(np.float32)


def true_parameters(i):
    return np.array([1.0], np.float32)
"""


def test_a_tiny_run_writes_samples_metrics_and_a_pairplot(tmp_path):
    task = tmp_path / "shifted_normal.py"
    task.write_text(TASK)
    out = tmp_path / "run"
    command = [
        sys.executable,
        str(SBI / "run.py"),
        "--task",
        str(task),
        "--simulations",
        "400",
        "--rounds",
        "1",
        "--n-iter",
        "200",
        "--out",
        str(out),
        "--no-c2st",
        "--weight-decay",
        "1e-4",
        "--held-out",
        "300",
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    samples = np.load(out / "posterior_samples.npy")
    assert samples.shape == (10000, 1) and samples.dtype == np.float32
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["simulator_calls"] == 400 and metrics["wall_seconds"] > 0
    assert metrics["resampling"]["proposals"] == 80000
    assert "weight decay 0.0001" in metrics["method"]
    # The diagnosis simulates outside the budget: 400 calls still.
    losses = metrics["estimator_loss"]
    assert losses["held_out_simulations"] == 600
    # 200 steps on a pool of 400: held-out losses near the pool's, all below log 4.
    for name in ("pool", "held_out_prior", "held_out_q"):
        assert 0.0 < losses[name] < np.log(4.0), losses
    assert (out / "pairplot.png").stat().st_size > 0
    # 200 steps on 400 simulations: near the exact posterior N(0.8, 0.2), not exact.
    assert abs(samples.mean() - 0.8) < 0.3 and 0.2 < samples.std() < 0.8


def test_the_updates_grow_with_the_budget_as_measured():
    sys.path.insert(0, str(SBI))
    try:
        from run import default_updates, parse_args
    finally:
        sys.path.remove(str(SBI))
    assert [default_updates(n) for n in (10_000, 100_000)] == [16_000, 40_000]
    assert default_updates(10) == 1000
    assert parse_args(["--task", "two_moons", "--out", "x", "--simulations", "1000"]).n_iter == 6400
    assert parse_args(["--task", "two_moons", "--out", "x", "--n-iter", "50"]).n_iter == 50
    with pytest.raises(SystemExit):  # the parser's message, before any default is computed
        parse_args(["--task", "two_moons", "--out", "x", "--simulations", "-5"])
    assert parse_args(["--task", "two_moons", "--out", "x"]).weight_decay == 0.0
    with pytest.raises(SystemExit):
        parse_args(["--task", "two_moons", "--out", "x", "--held-out", "1"])
    for bad in ("-1e-3", "nan"):
        with pytest.raises(SystemExit):
            parse_args(["--task", "two_moons", "--out", "x", "--weight-decay", bad])


def test_a_failed_run_writes_why_and_no_samples(tmp_path, capsys):
    sys.path.insert(0, str(SBI))
    try:
        from outputs import print_summary, write_failed_run
    finally:
        sys.path.remove(str(SBI))
    metrics = {"task": "slcp", "observation": 2, "budget": 10000, "simulator_calls": 10000}
    write_failed_run(tmp_path, dict(metrics, wall_seconds=26.6), "no finite weight")
    written = json.loads((tmp_path / "metrics.json").read_text())
    assert written["failed"] == "no finite weight" and "c2st" not in written
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json"]
    print_summary(written)
    assert json.loads(capsys.readouterr().out)["failed"] == "no finite weight"


def test_a_run_gives_blas_the_threads_it_gives_tensorflow():
    """The C2ST's classifier runs on numpy's BLAS: `--threads 1` must hold it to one thread."""
    from threadpoolctl import threadpool_info, threadpool_limits

    sys.path.insert(0, str(SBI))
    try:
        from outputs import limit_threads
    finally:
        sys.path.remove(str(SBI))
    with threadpool_limits(limits=2):  # restores the test process's own limits after
        limit_threads(1)
        assert {pool["num_threads"] for pool in threadpool_info()} == {1}
