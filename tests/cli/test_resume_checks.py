"""`gan-infer train` and `sample` check what they resume before touching the run folder.

Each case is what a user met before issue 31: a network whose width changed
resumed on the old weights' shapes; images re-exported at 32 px or added to
the --data folder ended in raw TensorFlow errors after config.json had been
rewritten; a one-image folder failed only after training, in the
evaluation; two commands started together on one folder could leave the
config.json of the one that lost the lock; `sample` of a folder whose
config.json names another model ended in a raw shape error.
"""

import json
import os
import socket

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from gan_infer import cli, layers
from gan_infer.cli import dcgan, named_gans
from tests.cli.helpers import finish, gan_infer, run_main
from tests.cli.test_dcgan import picture_folder

RING = ("train", "ring", "--n-print", 2, "--batch-size", 64, "--no-evaluate")


def snapshot(run):
    """Every file of the run folder but the logs, with its bytes."""
    return {
        path.relative_to(run): path.read_bytes()
        for path in sorted(run.rglob("*"))
        if path.is_file() and "logs" not in path.parts
    }


def test_a_network_changed_since_is_refused_leaving_the_folder_as_it_was(
    tmp_path, capsys, monkeypatch
):
    run = tmp_path / "run"
    code, _, err = run_main(capsys, *RING, "--n-iter", 4, "--out", run)
    assert code == cli.EXIT_OK, err
    before = snapshot(run)

    def narrower(eps):
        net = eps
        for _ in range(3):
            net = layers.dense(net, 64, activation=tf.nn.relu)
        return layers.dense(net, 2)

    monkeypatch.setattr(named_gans.get("ring"), "generative_network", narrower)
    code, _, err = run_main(capsys, *RING, "--n-iter", 8, "--out", run)
    assert code == cli.EXIT_USAGE and err.count("\n") == 1, err
    assert (
        f"{run} holds checkpoints of another network than the ring built now (it holds "
        "Gen/dense/kernel as [2, 128], this model declares [2, 64]; and " in err
    )
    assert "pass another --out" in err
    assert snapshot(run) == before  # config.json still says 4 iterations


def test_sample_of_a_folder_whose_config_names_another_model_names_the_difference(tmp_path, capsys):
    run = tmp_path / "run"
    assert run_main(capsys, *RING, "--n-iter", 2, "--out", run)[0] == cli.EXIT_OK
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps({**config, "model": "mixture"}))
    code, _, err = run_main(
        capsys, "sample", "--checkpoint", run, "-n", 4, "-o", tmp_path / "s.npy"
    )
    assert code == cli.EXIT_FAILURE and err.count("\n") == 1, err
    assert "does not hold the mixture generator of" in err
    assert "(it holds Gen/dense/kernel as [2, 128], this model declares [1, 32]; and " in err


@pytest.fixture
def few_samples(monkeypatch):
    monkeypatch.setattr(dcgan.DCGAN, "n_samples", 16)


def dcgan_flags(data, run, n_iter):
    return (
        "train", "dcgan", "--data", data, "--out", run, "--n-iter", n_iter, "--n-print", 2,
        "--batch-size", 8, "--no-evaluate",
    )  # fmt: skip


@pytest.mark.parametrize(
    "change, difference",
    [
        (lambda data: picture_folder(data, count=24, side=32), "[28, 28, 3] there, [32, 32, 3]"),
        (lambda data: picture_folder(data, count=26, side=28), "n_images 24 there, 26 here"),
    ],
    ids=["re-exported-at-32px", "images-added"],
)
def test_data_changed_before_a_resume_is_refused_leaving_the_folder_as_it_was(
    tmp_path, capsys, few_samples, change, difference
):
    data, run = picture_folder(tmp_path / "pictures", count=24, side=28), tmp_path / "run"
    code, _, err = run_main(capsys, *dcgan_flags(data, run, 2))
    assert code == cli.EXIT_OK, err
    before = snapshot(run)
    change(data)
    code, _, err = run_main(capsys, *dcgan_flags(data, run, 4))
    assert code == cli.EXIT_USAGE and err.count("\n") == 1, err
    assert f"The run in {run} started on other data than --data {data} holds now (" in err
    assert difference in err and "put the data back as they were" in err
    assert snapshot(run) == before


def test_too_few_images_to_evaluate_are_refused_before_training(tmp_path, capsys):
    data = picture_folder(tmp_path / "one", count=1, side=28)
    run = tmp_path / "run"
    code, _, err = run_main(capsys, "train", "dcgan", "--data", data, "--out", run)
    assert code == cli.EXIT_USAGE and err.count("\n") == 1, err
    assert f"--data {data} holds 1 image: evaluating the samples at the end" in err
    assert "--no-evaluate" in err and not run.exists()


def test_a_locked_folder_gets_no_config_json_from_the_command_refused(tmp_path, capsys):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    # Process 1 always runs: another live process trains here.
    (run / "checkpoints" / ".lock").write_text(f"1 {socket.gethostname()}\n")
    code, _, err = run_main(capsys, *RING, "--n-iter", 4, "--out", run)
    assert code == cli.EXIT_FAILURE and "is in use by process 1" in err, err
    assert sorted(os.listdir(run)) == ["checkpoints"]
    assert os.listdir(run / "checkpoints") == [".lock"]


def test_two_commands_started_together_leave_the_config_of_the_one_that_trained(tmp_path):
    """Real processes, other seeds, one folder: whichever wins the lock
    trains, and config.json describes it; the other is refused (exit 1 while
    the winner holds the lock, exit 2 if it already finished)."""
    run = tmp_path / "run"
    seeds = (1, 2)
    processes = [
        gan_infer(*RING, "--n-iter", 4, "--seed", seed, "--threads", 1, "--out", run)
        for seed in seeds
    ]
    results = [finish(process, timeout=300) for process in processes]
    codes = [code for code, _, _ in results]
    assert sorted(codes) in ([0, 1], [0, 2]), results
    winner = seeds[codes.index(0)]
    assert json.loads((run / "config.json").read_text())["seed"] == winner
    assert json.loads((run / "metrics.json").read_text())["iterations"] == 4
    loser_err = results[codes.index(0) ^ 1][2]
    assert "is in use by process" in loser_err or "trained with other options" in loser_err
    assert np.load(run / "samples.npy").shape[1] == 2
