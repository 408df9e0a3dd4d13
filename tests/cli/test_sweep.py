"""`gan-infer sweep`: planning a sweep file, and a real one on a local Ray of two CPUs."""

import csv
import json
import os
import sys

import numpy as np
import pytest

from gan_infer import cli
from gan_infer.cli import sweep

SWEEP = """\
model = "ring"
seeds = [0, 1]

[options]
n_iter = 20
n_print = 10

[grid]
loss = ["non_saturating", "minimax"]
"""


def test_a_ring_sweep_on_two_ray_workers_resumes_and_skips(tmp_path, capsys):
    pytest.importorskip("ray", reason="the sweep extra: pip install '.[sweep]'")
    config, out = tmp_path / "ring.toml", tmp_path / "sweep"
    config.write_text(SWEEP)
    # One trial finished before the sweep, one interrupted half-way (its checkpoint is at 10).
    cli.train("ring", out / "trials" / "loss=non_saturating,seed=0", n_iter=20, n_print=10, seed=0)
    cli.train(
        "ring",
        out / "trials" / "loss=minimax,seed=1",
        loss="minimax",
        n_iter=10,
        n_print=10,
        seed=1,
    )
    capsys.readouterr()

    assert sweep.run_sweep(config, out_dir=out, num_cpus=2) == cli.EXIT_OK
    printed = capsys.readouterr().out
    assert "4 trials in" in printed and "1 finished earlier, 3 to run." in printed
    resumed = (out / "trials" / "loss=minimax,seed=1" / "train.log").read_text()
    assert "Resuming from" in resumed and "at iteration 10." in resumed

    with open(out / "results.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["trial"] for row in rows] == [
        "loss=non_saturating,seed=0",
        "loss=non_saturating,seed=1",
        "loss=minimax,seed=0",
        "loss=minimax,seed=1",
    ]
    for row in rows:
        metrics = json.loads((out / "trials" / row["trial"] / "metrics.json").read_text())
        assert row["status"] == "finished" and row["model"] == "ring" and row["n_iter"] == "20"
        assert row["trial"] == f"loss={row['loss']},seed={row['seed']}"
        assert int(row["modes_captured"]) == metrics["modes_captured"]
        assert json.loads(row["counts"]) == metrics["counts"]
        threads = json.loads((out / "trials" / row["trial"] / "config.json").read_text())["threads"]
        assert threads == (None if row["trial"] == "loss=non_saturating,seed=0" else 1)

    summary = (out / "summary.md").read_text()
    assert (
        "2 configurations × 2 seeds (0, 1) = 4 trials: 4 finished, 0 failed, 0 unfinished."
        in summary
    )
    assert "| configuration | seeds | modes_captured | high_quality_fraction |" in summary
    minimax = [float(row["high_quality_fraction"]) for row in rows if row["loss"] == "minimax"]
    row = next(line for line in summary.splitlines() if line.startswith("| loss=minimax | 2/2 |"))
    assert (
        f"| {np.mean(minimax):.4g} ± {np.std(minimax, ddof=1):.2g} [{min(minimax):.4g}, "
        f"{max(minimax):.4g}] |"
    ) in row

    # Again: every trial is finished, so nothing runs (Ray is not even started).
    before = (out / "results.csv").read_text()
    assert sweep.run_sweep(config, out_dir=out, num_cpus=2) == cli.EXIT_OK
    assert "4 finished earlier, 0 to run." in capsys.readouterr().out
    assert (out / "results.csv").read_text() == before


def plan(tmp_path, text):
    path = tmp_path / "sweep.toml"
    path.write_text(text)
    return sweep.plan(sweep.load_config(path), str(tmp_path / "out"), str(path))


def test_grid_times_random_draws_times_seeds(tmp_path):
    text = (
        SWEEP.replace("seeds = [0, 1]", "seeds = 3")
        + """
[random]
n = 2
learning_rate = {log_uniform = [1e-5, 1e-3]}
batch_size = {choice = [64, 128]}
"""
    )
    trials = plan(tmp_path, text)
    assert len(trials) == 2 * 2 * 3
    assert [t.seed for t in trials[:3]] == [0, 1, 2]
    first = trials[0]
    assert first.name.startswith("loss=non_saturating,draw=0,learning_rate=")
    assert first.name.endswith(",seed=0")
    assert 1e-5 <= first.options["learning_rate"] <= 1e-3
    assert first.options["batch_size"] in (64, 128)
    assert first.config["n_iter"] == 20 and first.config["threads"] == 1
    # The draws are the file's: the same file plans the same trials.
    assert [t.options for t in plan(tmp_path, text)] == [t.options for t in trials]
    # Each grid point gets the same draws.
    assert trials[0].options["learning_rate"] == trials[6].options["learning_rate"]


@pytest.mark.parametrize(
    "text, message",
    [
        ("epochs = 3\n" + SWEEP, "unknown key 'epochs'"),
        (SWEEP.replace('"ring"', '"rings"'), "model must be one of mnist, mixture, ring, grid"),
        (
            SWEEP.replace("n_iter = 20", "n_iters = 20"),
            "options.n_iters is not an option of a trial",
        ),
        (SWEEP.replace("n_print = 10", 'loss = "hinge"'), "loss is set in two of"),
        (SWEEP.replace("seeds = [0, 1]", "seeds = [1, 1]"), "seeds must be a count"),
        (
            SWEEP.replace("n_iter = 20", "n_iter = 0"),
            "trial loss=non_saturating,seed=0: n_iter must be an integer >= 1, got 0",
        ),
        (SWEEP + "[random]\nn = 2\nbatch_size = {normal = [0, 1]}\n", "random.batch_size must be"),
        (SWEEP + "[random]\nn = 2\nlearning_rate = {log_uniform = [0, 1]}\n", "low > 0"),
        (
            SWEEP + "[random]\nlearning_rate = {uniform = [0.1, 1]}\n",
            "random.n (the number of draws)",
        ),
        ("cpus_per_trial = 0\n" + SWEEP, "cpus_per_trial must be a positive integer"),
        ("model = ", "is not valid TOML"),
    ],
    ids=[
        "unknown-key",
        "model",
        "option",
        "twice",
        "seeds",
        "value",
        "distribution",
        "log-uniform",
        "random-n",
        "cpus",
        "toml",
    ],
)
def test_bad_sweep_files_are_usage_errors(tmp_path, text, message):
    with pytest.raises(cli.UsageError, match=message.replace("(", r"\(").replace(")", r"\)")):
        plan(tmp_path, text)


def test_a_failed_trial_is_a_result_with_its_log(tmp_path):
    outcome = sweep.run_trial(
        "mixture", str(tmp_path / "t"), {"n_iter": 20, "learning_rate": 1e38, "checkpoint_every": 1}
    )
    assert outcome["status"] == "failed" and "FloatingPointError" in outcome["error"]
    assert "Traceback" in (tmp_path / "t" / "train.log").read_text()


def test_the_summary_reports_spread_over_seeds_and_failures(tmp_path):
    trials = plan(tmp_path, SWEEP.replace("seeds = [0, 1]", "seeds = 3"))
    outcomes = {
        trials[0].name: {"status": "finished", "metrics": {"modes_captured": 8}},
        trials[1].name: {"status": "finished", "metrics": {"modes_captured": 6}},
        trials[2].name: {"status": "failed", "error": "FloatingPointError: nan"},
        trials[3].name: {"status": "finished", "metrics": {"modes_captured": 5}},
    }
    summary = sweep.summary_markdown(trials, outcomes, "t")
    assert "6 trials: 3 finished, 1 failed, 2 unfinished." in summary
    assert "| loss=non_saturating | 2/3 | 7 ± 1.4 [6, 8] |" in summary
    assert "| loss=minimax | 1/3 | 5 (one seed) |" in summary
    assert f"- `{trials[2].name}`: FloatingPointError: nan" in summary


def test_without_ray_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(RuntimeError, match=r"pip install 'gan-infer\[sweep\]'"):
        sweep.import_ray()


def test_a_dcgan_sweep_compares_the_switches_on_your_images(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    np.save(tmp_path / "pictures.npy", np.zeros((4, 28, 28), np.uint8))
    text = """
model = "dcgan"
seeds = 2

[options]
data = "pictures.npy"
n_iter = 20

[grid]
self_condition = [0, "auto"]
minibatch_stddev = [0, 4]
"""
    trials = plan(tmp_path, text)
    assert len(trials) == 2 * 2 * 2
    assert trials[0].name == "self_condition=0,minibatch_stddev=0,seed=0"
    last = trials[-1].config
    # The learning rate was chosen by the number of images: a small set's.
    assert (last["self_condition"], last["minibatch_stddev"], last["learning_rate"]) == (
        "auto",
        4,
        2e-4,
    )
    assert last["data"] == os.path.abspath("pictures.npy") and last["ema_decay"] == 0.999


def test_a_sweep_over_missing_images_names_the_trial_and_the_path(tmp_path):
    text = """
model = "dcgan"

[options]
data = "no_such_pictures"
"""
    with pytest.raises(cli.UsageError, match=r"trial seed=0: .*no_such_pictures does not exist"):
        plan(tmp_path, text)
