"""`gan-infer`'s contract with scripts: commands, exit codes, one-line errors, help.

The contract is checked on a real subprocess (the installed console script,
or `python -m gan_infer.cli`); the rest drives `main([...])` in-process,
which returns the exit code.
"""

import json
import re
import signal

import numpy as np
import pytest

from gan_infer import cli
from tests.cli.helpers import checkpoint_iteration, finish, gan_infer, run_main

# --------------------------------------------------------------- subprocesses


def test_train_then_again_then_sample_then_evaluate(tmp_path):
    run = tmp_path / "ring"
    code, out, err = finish(
        gan_infer("train", "ring", "--n-iter", 30, "--n-print", 10, "--out", run)
    )
    assert code == 0, err
    assert "30/30" in out and "modes captured" in out
    for name in (
        "config.json",
        "samples.npy",
        "final.png",
        "metrics.json",
        "grids/000.png",
        "grids/003.png",
    ):
        assert (run / name).is_file(), name
    assert list((run / "logs").glob("events.out.tfevents.*"))
    assert checkpoint_iteration(run) == 30
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["iterations"] == 30 and metrics["n_samples"] == 2500
    samples = np.load(run / "samples.npy")
    assert samples.shape == (2500, 2) and samples.dtype == np.float32

    # The same command again: the run is finished, nothing is redone.
    written = {p: p.stat().st_mtime_ns for p in run.rglob("*") if p.is_file()}
    code, out, err = finish(
        gan_infer("train", "ring", "--n-iter", 30, "--n-print", 10, "--out", run)
    )
    assert code == 0, err
    assert "nothing to do" in out
    assert {p: p.stat().st_mtime_ns for p in run.rglob("*") if p.is_file()} == written

    # The generator alone, restored from the checkpoint, draws the run's samples again.
    code, out, err = finish(gan_infer("sample", "--checkpoint", run, "-o", tmp_path / "s.npy"))
    assert code == 0, err
    np.testing.assert_array_equal(np.load(tmp_path / "s.npy"), samples)

    code, out, err = finish(
        gan_infer("evaluate", tmp_path / "s.npy", "--toy", "ring", "-o", tmp_path / "m.json")
    )
    assert code == 0, err
    printed = json.loads(out)
    assert printed == json.loads((tmp_path / "m.json").read_text())
    assert {key: printed[key] for key in ("modes_captured", "high_quality_fraction", "counts")} == {
        key: metrics[key] for key in ("modes_captured", "high_quality_fraction", "counts")
    }


def test_ctrl_c_saves_exits_130_and_the_same_command_resumes(tmp_path):
    run = tmp_path / "ring"
    args = (
        "train",
        "ring",
        "--n-iter",
        3000,
        "--n-print",
        1000,
        "--batch-size",
        64,
        "--checkpoint-every",
        100000,
        "--no-evaluate",
        "--out",
        run,
    )
    process = gan_infer(*args)
    for line in process.stdout:  # the progress line of the first iteration: training is on
        if line.startswith("   1/3000"):
            break
    process.send_signal(signal.SIGINT)
    code, out, err = finish(process)
    assert code == cli.EXIT_INTERRUPTED, err
    assert "Run the same command again to resume" in err and "Traceback" not in err
    saved_at = checkpoint_iteration(run)
    assert 1 <= saved_at < 3000
    assert not (run / "metrics.json").exists()

    code, out, err = finish(gan_infer(*args))
    assert code == 0, err
    assert f"at iteration {saved_at}." in out
    assert json.loads((run / "metrics.json").read_text())["iterations"] == 3000


def test_a_bad_flag_exits_2_naming_it():
    code, out, err = finish(gan_infer("train", "ring", "--out", "unused", "--n-iter", "-5"))
    assert code == cli.EXIT_USAGE
    assert (
        err.strip() == "gan-infer train: error: argument --n-iter: must be an integer >= 1, got -5."
    )
    code, out, err = finish(gan_infer("train", "ring", "--out", "unused", "--n-iters", "5"))
    assert code == cli.EXIT_USAGE and "unrecognized arguments: --n-iters" in err


# ------------------------------------------------------------------ in-process


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ("train", "ring", "--out", "D", "--batch-size", 0),
            "argument --batch-size: must be an integer >= 1, got 0",
        ),
        (
            ("train", "ring", "--out", "D", "--batch-size", 63),
            "argument --batch-size: must be a multiple of 2 for ring "
            "(its discriminator judges packs",
        ),
        (
            ("train", "ring", "--out", "D", "--learning-rate", -1),
            "argument --learning-rate: must be a positive number, got -1.0",
        ),
        (
            ("train", "ring", "--out", "D", "--keep-checkpoints", 0),
            "argument --keep-checkpoints: must be an integer >= 1, got 0",
        ),
        (("train", "ring", "--out", "D", "--seed", 2**31), "argument --seed: must be below 2**31"),
        (
            ("train", "ring", "--out", "D", "--loss", "wasserstein"),
            "argument --loss: invalid choice",
        ),
        (
            ("sample", "--checkpoint", "D", "-o", "x.npy"),
            "argument --checkpoint: D has no config.json: give the --out directory of a "
            "`gan-infer train`",
        ),
        (
            ("evaluate", "missing.npy", "--toy", "ring"),
            "argument SAMPLES: 'missing.npy' is not a file",
        ),
        (("evaluate", "s.npy", "--toy", "ring", "--parzen"), "--parzen are MNIST metrics"),
        (("evaluate", "s.npy", "-o", "m.txt"), "argument -o: must end in .json, got 'm.txt'"),
        (
            ("sweep", "s.toml", "--address", "auto", "--num-cpus", 2),
            "argument --num-cpus: applies to a local Ray only",
        ),
    ],
    ids=[
        "batch-size",
        "batch-size-pack",
        "learning-rate",
        "keep",
        "seed",
        "loss",
        "no-run",
        "no-samples",
        "toy-parzen",
        "output",
        "address-and-cpus",
    ],
)
def test_usage_errors_exit_2_naming_the_flag(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    np.save("s.npy", np.zeros((3, 2)))
    code, out, err = run_main(capsys, *args)
    assert code == cli.EXIT_USAGE
    assert message in err and "Traceback" not in err


def test_a_nan_loss_exits_1_naming_the_last_checkpoint(tmp_path, capsys):
    code, out, err = run_main(
        capsys,
        "train",
        "mixture",
        "--n-iter",
        20,
        "--learning-rate",
        1e38,
        "--checkpoint-every",
        1,
        "--out",
        tmp_path / "run",
    )
    assert code == cli.EXIT_FAILURE
    assert re.search(
        r"became (nan|inf) at iteration \d+: training stopped\. The last good "
        r"checkpoint, \S+ckpt-\d+, is intact",
        err,
    ), err
    assert "another --out" in err
    assert len(err.strip().splitlines()) == 1


def test_runtime_errors_print_one_line_or_the_traceback_with_debug(tmp_path, capsys, monkeypatch):
    np.save(tmp_path / "points3d.npy", np.zeros((10, 3)))
    args = ("evaluate", tmp_path / "points3d.npy", "--toy", "ring")
    code, out, err = run_main(capsys, *args)
    assert code == cli.EXIT_FAILURE
    assert err.strip().splitlines() == [
        "gan-infer evaluate: error: ValueError: `samples` must be 2-D points of shape (n, 2), "
        "got (10, 3)."
    ]
    monkeypatch.setenv("GAN_INFER_DEBUG", "1")
    code, out, err = run_main(capsys, *args)
    assert code == cli.EXIT_FAILURE and "Traceback" in err


@pytest.mark.parametrize("command", ["train", "sample", "evaluate", "sweep", None])
def test_help_shows_examples_and_exit_codes(capsys, command):
    code, out, _ = run_main(capsys, *([command] if command else []), "--help")
    assert code == 0
    assert "examples:\n  gan-infer " in out
    assert "130  interrupted by Ctrl-C" in out
