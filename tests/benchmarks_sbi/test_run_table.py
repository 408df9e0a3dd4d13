"""benchmarks/sbi/run_table.py: queues that share a root split its runs."""

import argparse
import importlib.util
import os
import pathlib
import subprocess
import sys

SBI = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "sbi"


def load_run_table():
    spec = importlib.util.spec_from_file_location("run_table", SBI / "run_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def dead_pid():
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_run_is_claimed_once_and_a_dead_queues_claim_is_taken_over(tmp_path):
    run_table = load_run_table()
    assert run_table.claim(str(tmp_path))
    claim = tmp_path / run_table.CLAIM
    assert claim.read_text() == str(os.getpid())
    # This process lives: a second queue passes the run by.
    assert not run_table.claim(str(tmp_path))
    claim.write_text(str(dead_pid()))
    assert run_table.claim(str(tmp_path))
    assert claim.read_text() == str(os.getpid())
    # A claim being written this instant (still empty) is left to its writer.
    claim.write_text("")
    assert not run_table.claim(str(tmp_path))


def test_a_run_another_queue_holds_is_skipped_and_a_finished_one_too(tmp_path, capsys):
    run_table = load_run_table()
    args = argparse.Namespace(root=str(tmp_path), method="ours", seed=1, threads=1)
    held = tmp_path / "two_moons" / "10000" / "1"
    held.mkdir(parents=True)
    (held / run_table.CLAIM).write_text(str(os.getppid()))
    finished = tmp_path / "two_moons" / "10000" / "2"
    finished.mkdir(parents=True)
    (finished / "metrics.json").write_text("{}")
    run_table.run(args, "two_moons", "10000", "1")
    run_table.run(args, "two_moons", "10000", "2")
    assert capsys.readouterr().out == ""
    assert not (held / "run.log").exists() and not (finished / "run.log").exists()
