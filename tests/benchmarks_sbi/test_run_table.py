"""benchmarks/sbi/run_table.py: queues that share a root split its runs."""

import argparse
import importlib.util
import os
import pathlib
import socket

SBI = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "sbi"


def load_run_table():
    spec = importlib.util.spec_from_file_location("run_table", SBI / "run_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_run_another_queue_holds_is_skipped_and_a_finished_one_too(tmp_path, capsys):
    run_table = load_run_table()
    args = argparse.Namespace(root=str(tmp_path), method="ours", seed=1, threads=1)
    held = tmp_path / "two_moons" / "10000" / "1"
    held.mkdir(parents=True)
    # The claim of a living process on this host (the lock's format: pid and host).
    (held / run_table.CLAIM).write_text(f"{os.getppid()} {socket.gethostname()}\n")
    finished = tmp_path / "two_moons" / "10000" / "2"
    finished.mkdir(parents=True)
    (finished / "metrics.json").write_text("{}")
    run_table.run(args, "two_moons", "10000", "1")
    run_table.run(args, "two_moons", "10000", "2")
    assert capsys.readouterr().out == ""
    assert not (held / "run.log").exists() and not (finished / "run.log").exists()


def test_a_dead_queues_claim_is_taken_over_and_released_after_the_run(tmp_path, monkeypatch):
    run_table = load_run_table()
    out = tmp_path / "two_moons" / "10000" / "1"
    out.mkdir(parents=True)
    (out / run_table.CLAIM).write_text(f"999999999 {socket.gethostname()}\n")
    ran = []

    def fake_run(command, **kwargs):
        ran.append(command)
        assert (out / run_table.CLAIM).read_text().split()[0] == str(os.getpid())
        return argparse.Namespace(returncode=0)

    monkeypatch.setattr(run_table.subprocess, "run", fake_run)
    args = argparse.Namespace(root=str(tmp_path), method="ours", seed=1, threads=1)
    run_table.run(args, "two_moons", "10000", "1")
    assert len(ran) == 1 and not (out / run_table.CLAIM).exists()
