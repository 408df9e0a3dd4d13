"""The `gan-infer` command: train/resume, sample, evaluate, exit codes.

The command's contract with scripts is checked on a real subprocess (the
installed console script, or `python -m gan_infer.cli`); the rest drives
`main([...])` in-process, which returns the exit code.
"""
import ast
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from gan_infer import cli, zoo
from gan_infer.inferences.losses import GAN_LOSSES

PACKAGE = pathlib.Path(cli.__file__).parent
SCRIPT = shutil.which("gan-infer", path=os.path.dirname(sys.executable))
COMMAND = [SCRIPT] if SCRIPT else [sys.executable, "-m", "gan_infer.cli"]


def gan_infer(*args, **popen):
    """`gan-infer ARGS` as a subprocess, with its output as text."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    return subprocess.Popen([*COMMAND, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env, **popen)


def finish(process, timeout=120):
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def checkpoint_iteration(run_dir):
    return int(tf.train.latest_checkpoint(str(run_dir / "checkpoints")).rsplit("-", 1)[1])


# --------------------------------------------------------------- subprocesses

def test_train_then_again_then_sample_then_evaluate(tmp_path):
    run = tmp_path / "ring"
    code, out, err = finish(gan_infer("train", "ring", "--n-iter", 30, "--n-print", 10,
                                      "--out", run))
    assert code == 0, err
    assert "30/30" in out and "modes captured" in out
    for name in ("config.json", "samples.npy", "final.png", "metrics.json", "grids/000.png",
                 "grids/003.png"):
        assert (run / name).is_file(), name
    assert list((run / "logs").glob("events.out.tfevents.*"))
    assert checkpoint_iteration(run) == 30
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["iterations"] == 30 and metrics["n_samples"] == 2500
    samples = np.load(run / "samples.npy")
    assert samples.shape == (2500, 2) and samples.dtype == np.float32

    # The same command again: the run is finished, nothing is redone.
    written = {p: p.stat().st_mtime_ns for p in run.rglob("*") if p.is_file()}
    code, out, err = finish(gan_infer("train", "ring", "--n-iter", 30, "--n-print", 10,
                                      "--out", run))
    assert code == 0, err
    assert "nothing to do" in out
    assert {p: p.stat().st_mtime_ns for p in run.rglob("*") if p.is_file()} == written

    # The generator alone, restored from the checkpoint, draws the run's samples again.
    code, out, err = finish(gan_infer("sample", "--checkpoint", run, "-o", tmp_path / "s.npy"))
    assert code == 0, err
    np.testing.assert_array_equal(np.load(tmp_path / "s.npy"), samples)

    code, out, err = finish(gan_infer("evaluate", tmp_path / "s.npy", "--toy", "ring",
                                      "-o", tmp_path / "m.json"))
    assert code == 0, err
    printed = json.loads(out)
    assert printed == json.loads((tmp_path / "m.json").read_text())
    assert {key: printed[key] for key in ("modes_captured", "high_quality_fraction", "counts")} \
        == {key: metrics[key] for key in ("modes_captured", "high_quality_fraction", "counts")}


def test_grid_draws_with_the_weight_average_and_sample_restores_it(tmp_path, monkeypatch):
    run = tmp_path / "grid"
    metrics = cli.train("grid", run, n_iter=40, n_print=20, batch_size=64)
    assert set(metrics["last_iterate"]) >= {"modes_captured", "high_quality_fraction", "counts"}
    samples = np.load(run / "samples.npy")
    np.testing.assert_array_equal(cli.sample(run), samples)
    # Restoring the last weights instead draws other points from the same noise.
    monkeypatch.setattr(zoo.get("grid"), "ema_decay", None)
    assert np.abs(cli.sample(run) - samples).max() > 1e-3


def test_ctrl_c_saves_exits_130_and_the_same_command_resumes(tmp_path):
    run = tmp_path / "ring"
    args = ("train", "ring", "--n-iter", 3000, "--n-print", 1000, "--batch-size", 64,
            "--checkpoint-every", 100000, "--no-evaluate", "--out", run)
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
    assert err.strip() == "gan-infer train: error: argument --n-iter: must be an integer >= 1, got -5"
    code, out, err = finish(gan_infer("train", "ring", "--out", "unused", "--n-iters", "5"))
    assert code == cli.EXIT_USAGE and "unrecognized arguments: --n-iters" in err


# ------------------------------------------------------------------ in-process

def run_main(capsys, *args):
    code = cli.main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_mnist_trains_the_tutorial_model(tmp_path, capsys, mnist_dir):
    run = tmp_path / "mnist"
    code, out, err = run_main(capsys, "train", "mnist", "--n-iter", 20, "--n-print", 10,
                              "--no-evaluate", "--data-dir", mnist_dir, "--out", run)
    assert code == 0, err
    samples = np.load(run / "samples.npy")
    assert samples.shape == (10000, 784) and samples.dtype == np.float32
    assert 0.0 <= samples.min() and samples.max() <= 1.0
    assert sorted(p.name for p in (run / "grids").iterdir()) == ["000.png", "001.png", "002.png"]
    config = json.loads((run / "config.json").read_text())
    assert config == dict(config, model="mnist", batch_size=128, learning_rate=1e-3, n_iter=20,
                          evaluate=False)
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["evaluated"] is False and np.isfinite(metrics["generator_loss"])
    reader = tf.train.load_checkpoint(str(run / "checkpoints" / "ckpt-20"))
    shapes = reader.get_variable_to_shape_map()
    assert shapes["Gen/dense/kernel"] == [100, 128] and shapes["Gen/dense_1/kernel"] == [128, 784]
    assert shapes["Disc/dense/kernel"] == [784, 128] and shapes["Disc/dense_1/kernel"] == [128, 1]

    code, out, err = run_main(capsys, "sample", "--checkpoint", run, "-n", 64,
                              "-o", tmp_path / "grid.png")
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
    assert metrics["share_left"] + metrics["share_right"] + metrics["share_elsewhere"] == \
        pytest.approx(1)
    assert json.loads((run / "config.json").read_text())["n_iter"] == 40


def test_a_run_directory_of_other_options_is_refused(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text(json.dumps(cli.resolve_config("ring", n_iter=30)))
    code, out, err = run_main(capsys, "train", "ring", "--n-iter", 30, "--loss", "hinge",
                              "--seed", 3, "--out", run)
    assert code == cli.EXIT_USAGE
    assert "--loss 'non_saturating' there, 'hinge' here; --seed 0 there, 3 here" in err
    assert f"gan-infer train ring --out {run} --loss non_saturating --seed 0" in err
    assert "pass another --out" in err
    # Watching and keeping options may change between invocations.
    assert not cli.differences(run, cli.resolve_config("ring", n_iter=30, n_print=1,
                                                       keep_checkpoints=9, evaluate=False))[0]


@pytest.mark.parametrize("args, message", [
    (("train", "ring", "--out", "D", "--batch-size", 0),
     "argument --batch-size: must be an integer >= 1, got 0"),
    (("train", "ring", "--out", "D", "--batch-size", 63),
     "argument --batch-size: must be a multiple of 2 for ring (its discriminator judges packs"),
    (("train", "ring", "--out", "D", "--learning-rate", -1),
     "argument --learning-rate: must be a positive number, got -1.0"),
    (("train", "ring", "--out", "D", "--keep-checkpoints", 0),
     "argument --keep-checkpoints: must be an integer >= 1, got 0"),
    (("train", "ring", "--out", "D", "--seed", 2**31), "argument --seed: must be below 2**31"),
    (("train", "ring", "--out", "D", "--loss", "wasserstein"), "argument --loss: invalid choice"),
    (("sample", "--checkpoint", "D", "-o", "x.npy"),
     "argument --checkpoint: D has no config.json: give the --out directory of a `gan-infer train`"),
    (("evaluate", "missing.npy", "--toy", "ring"), "argument SAMPLES: 'missing.npy' is not a file"),
    (("evaluate", "s.npy", "--toy", "ring", "--parzen"), "--parzen are MNIST metrics"),
    (("evaluate", "s.npy", "-o", "m.txt"), "argument -o: must end in .json, got 'm.txt'"),
    (("sweep", "s.toml", "--address", "auto", "--num-cpus", 2),
     "argument --num-cpus: applies to a local Ray only"),
], ids=["batch-size", "batch-size-pack", "learning-rate", "keep", "seed", "loss", "no-run", "no-samples",
        "toy-parzen", "output", "address-and-cpus"])
def test_usage_errors_exit_2_naming_the_flag(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    np.save("s.npy", np.zeros((3, 2)))
    code, out, err = run_main(capsys, *args)
    assert code == cli.EXIT_USAGE
    assert message in err and "Traceback" not in err


def test_a_nan_loss_exits_1_naming_the_last_checkpoint(tmp_path, capsys):
    code, out, err = run_main(capsys, "train", "mixture", "--n-iter", 20, "--learning-rate", 1e38,
                              "--checkpoint-every", 1, "--out", tmp_path / "run")
    assert code == cli.EXIT_FAILURE
    assert re.search(r"became (nan|inf) at iteration \d+: training stopped\. The last good "
                     r"checkpoint, \S+ckpt-\d+, is intact", err), err
    assert "another --out" in err
    assert len(err.strip().splitlines()) == 1


def test_runtime_errors_print_one_line_or_the_traceback_with_debug(tmp_path, capsys, monkeypatch):
    np.save(tmp_path / "points3d.npy", np.zeros((10, 3)))
    args = ("evaluate", tmp_path / "points3d.npy", "--toy", "ring")
    code, out, err = run_main(capsys, *args)
    assert code == cli.EXIT_FAILURE
    assert err.strip().splitlines() == [
        "gan-infer evaluate: error: ValueError: `samples` must be 2-D points of shape (n, 2), "
        "got (10, 3)."]
    monkeypatch.setenv("GAN_INFER_DEBUG", "1")
    code, out, err = run_main(capsys, *args)
    assert code == cli.EXIT_FAILURE and "Traceback" in err


def test_evaluate_passes_the_mnist_options_on(tmp_path, capsys, monkeypatch):
    calls = []

    def fake_evaluate_mnist(samples, **kwargs):
        calls.append((samples.shape, kwargs))
        return {"frechet_distance": np.float64(1.5)}

    monkeypatch.setattr("gan_infer.criticism.evaluate.evaluate_mnist", fake_evaluate_mnist)
    np.save(tmp_path / "s.npy", np.zeros((5, 784), np.float32))
    np.save(tmp_path / "y.npy", np.arange(5))
    code, out, err = run_main(capsys, "evaluate", tmp_path / "s.npy", "--data-dir", "D",
                              "--labels", tmp_path / "y.npy", "--parzen")
    assert code == 0, err
    assert json.loads(out) == {"frechet_distance": 1.5}
    (shape, kwargs), = calls
    assert shape == (5, 784) and kwargs["data_dir"] == "D" and kwargs["parzen"] is True
    np.testing.assert_array_equal(kwargs["labels"], np.arange(5))


@pytest.mark.parametrize("command", ["train", "sample", "evaluate", "sweep", None])
def test_help_shows_examples_and_exit_codes(capsys, command):
    code, out, _ = run_main(capsys, *([command] if command else []), "--help")
    assert code == 0
    assert "examples:\n  gan-infer " in out
    assert "130  interrupted by Ctrl-C" in out


def test_the_command_line_knows_every_loss_and_the_zoo_matches_the_examples():
    assert sorted(cli.LOSSES) == sorted(GAN_LOSSES)
    ring, mixture, mnist = zoo.get("ring"), zoo.get("mixture"), zoo.get("mnist")
    # The toys' recipes of docs/results.md (examples/gan_ring.py flags in zoo.py's table).
    assert (ring.batch_size, ring.learning_rate, ring.beta1, ring.n_iter, ring.pack) == \
        (512, 3e-4, 0.5, 10000, 2)
    assert (ring.gradient_penalty, ring.ema_decay) == (None, 0.999)
    grid = zoo.get("grid")
    assert (grid.learning_rate, grid.n_iter, grid.pack, grid.gradient_penalty, grid.ema_decay) == \
        (1e-3, 30000, 2, 0.01, 0.999)
    assert (mixture.batch_size, mixture.learning_rate, mixture.beta1) == (256, 1e-3, 0.5)
    assert (mnist.batch_size, mnist.noise_dim, mnist.learning_rate, mnist.binarize) == \
        (128, 100, 1e-3, True)


def test_nothing_in_the_package_imports_the_command_line():
    entry_points = {"cli.py", "zoo.py", "sweep.py"}
    for path in PACKAGE.rglob("*.py"):
        if path.name in entry_points and path.parent == PACKAGE:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = ([alias.name for alias in node.names] if isinstance(node, ast.Import) else
                     [f"{node.module}.{alias.name}" for alias in node.names]
                     if isinstance(node, ast.ImportFrom) and node.module else [])
            for name in names:
                assert not name.startswith(("gan_infer.cli", "gan_infer.zoo", "gan_infer.sweep")), \
                    f"{path} imports {name}"


def test_the_resolve_config_example_runs():
    example, = re.findall(r"```python\n(.*?)```", cli.resolve_config.__doc__, flags=re.S)
    exec(textwrap.dedent(example), {"resolve_config": cli.resolve_config})
