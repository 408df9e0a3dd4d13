"""`gan-infer train` on run folders that were damaged, locked or misnamed.

Each case is what a user met before issue 20: a deleted checkpoint index
restarted the run at iteration 1 and rotated the intact checkpoints away;
a second trainer ran unlocked on the same folder; a truncated config.json
and an --out naming a file ended in raw Python errors.
"""

import os
import socket

from gan_infer import cli
from tests.cli.helpers import run_main

TRAIN = ("train", "ring", "--n-iter", 20, "--n-print", 10, "--checkpoint-every", 5)


def checkpoints(run):
    """The iterations of the checkpoints in the run folder, in order."""
    names = os.listdir(run / "checkpoints")
    return sorted(int(name[5:-6]) for name in names if name.endswith(".index"))


def test_a_deleted_index_resumes_the_run_and_keeps_its_checkpoints(tmp_path, capsys):
    run = tmp_path / "run"
    code, _, err = run_main(capsys, *TRAIN[:3], 10, *TRAIN[4:], "--out", run)
    assert code == cli.EXIT_OK, err
    assert checkpoints(run) == [5, 10]
    os.unlink(run / "checkpoints" / "checkpoint")
    code, out, err = run_main(capsys, *TRAIN, "--out", run)
    assert code == cli.EXIT_OK, err
    assert "at iteration 10" in out  # resumed, not restarted at 1
    assert checkpoints(run)[-1] == 20


def test_a_second_trainer_on_a_locked_folder_exits_1_naming_the_process(tmp_path, capsys):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    # Process 1 always runs: the folder belongs to another live process.
    (run / "checkpoints" / ".lock").write_text(f"1 {socket.gethostname()}\n")
    code, _, err = run_main(capsys, *TRAIN, "--out", run)
    assert code == cli.EXIT_FAILURE
    assert "is in use by process 1" in err and len(err.strip().splitlines()) == 1
    assert not any(name.startswith("ckpt") for name in os.listdir(run / "checkpoints"))


def test_a_truncated_config_exits_2_naming_the_file(tmp_path, capsys):
    run = tmp_path / "run"
    run.mkdir()
    (run / "config.json").write_text('{"model": "ring", "n_it')
    code, _, err = run_main(capsys, *TRAIN, "--out", run)
    assert code == cli.EXIT_USAGE
    assert f"{run / 'config.json'} is not valid JSON" in err and "Traceback" not in err


def test_an_out_that_names_a_file_exits_2(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = run_main(capsys, *TRAIN, "--out", tmp_path / "notes.txt")
    assert code == cli.EXIT_USAGE
    assert "is a file, not a directory" in err
    assert (tmp_path / "notes.txt").read_text() == "mine"
