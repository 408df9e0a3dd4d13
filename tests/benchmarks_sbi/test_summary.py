"""benchmarks/sbi/summary.py: our runs beside our REJ-ABC and the published table."""

import json
import pathlib
import subprocess
import sys

SBI = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "sbi"


def write_metrics(folder, observation, c2st):
    folder.mkdir(parents=True)
    metrics = {"observation": observation, "c2st": c2st, "wall_seconds": 10.0, "c2st_seconds": 5.0}
    (folder / "metrics.json").write_text(json.dumps(metrics))


def test_the_table_sets_finished_runs_beside_the_published_means(tmp_path):
    for observation, ours, abc in [(1, 0.70, 0.80), (2, 0.60, 0.90)]:
        write_metrics(tmp_path / "two_moons" / "10000" / str(observation), observation, ours)
        write_metrics(
            tmp_path / "rej_abc" / "two_moons" / "10000" / str(observation), observation, abc
        )
    table = subprocess.run(
        [sys.executable, str(SBI / "summary.py"), "--root", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    row = next(line for line in table.splitlines() if line.startswith("| two_moons | 10,000"))
    cells = [cell.strip() for cell in row.strip("|").split("|")]
    assert cells[2] == "0.650 ± 0.050 (2/10: obs 1,2)"
    assert cells[4] == "0.850 ± 0.050 (2/10: obs 1,2)"
    assert cells[6] == "yes (-0.200; lower on 2/2 obs)"
    # The benchmark's 2021 REJ-ABC and SNPE means, ours minus its REJ-ABC (which stands
    # where our own is pending) and ours minus the best sequential method.
    assert cells[7] == "0.847" and cells[10] == "0.554"
    assert cells[-2] == "-0.197" and cells[-1] == "+0.096"
    assert "| slcp | 100,000 | pending |" in table
    slcp = next(line for line in table.splitlines() if line.startswith("| slcp | 100,000"))
    assert slcp.endswith("| — | — |")


def test_into_replaces_the_documents_table_and_csv_lists_every_run(tmp_path):
    runs = tmp_path / "runs"
    write_metrics(runs / "two_moons" / "10000" / "1", 1, 0.70)
    write_metrics(runs / "rej_abc" / "two_moons" / "10000" / "1", 1, 0.80)
    document = tmp_path / "results.md"
    stale = "| task | simulations | PooledImplicitKLqp C2ST | old |\n|---|\n| stale row |\n"
    document.write_text("before\n\n" + stale + "\n\\* published: old footnote\n\nafter\n")
    command = [sys.executable, str(SBI / "summary.py"), "--root", str(runs)]
    subprocess.run(
        command + ["--into", str(document), "--csv", str(tmp_path / "runs.csv")], check=True
    )
    text = document.read_text()
    assert text.startswith("before\n\n| task |") and text.endswith("SNRE.\n\nafter\n")
    assert "stale row" not in text and "old footnote" not in text
    assert "| two_moons | 10,000 | 0.700 ± 0.000 (1/10: obs 1)" in text
    rows = (tmp_path / "runs.csv").read_text().splitlines()[2:]
    assert rows == [
        "two_moons,10000,1,,pooled_implicit_klqp,,0.70000,10.0,5.0",
        "two_moons,10000,1,,rej_abc,,0.80000,10.0,5.0",
    ]
    # A document without the table says so and is left as it was.
    (tmp_path / "other.md").write_text("no table here\n")
    failed = subprocess.run(
        command + ["--into", str(tmp_path / "other.md")], capture_output=True, text=True
    )
    assert failed.returncode != 0 and "no line there starts as the table's header" in failed.stderr
    assert (tmp_path / "other.md").read_text() == "no table here\n"


def test_a_failed_run_counts_as_the_worst_score_and_is_named(tmp_path):
    write_metrics(tmp_path / "slcp" / "10000" / "1", 1, 0.80)
    failed = tmp_path / "slcp" / "10000" / "2"
    failed.mkdir(parents=True)
    metrics = {"observation": 2, "failed": "no finite weight", "wall_seconds": 10.0}
    (failed / "metrics.json").write_text(json.dumps(metrics))
    command = [sys.executable, str(SBI / "summary.py"), "--root", str(tmp_path)]
    table = subprocess.run(
        command + ["--csv", str(tmp_path / "runs.csv")], capture_output=True, text=True, check=True
    ).stdout
    assert (
        "| slcp | 10,000 | 0.900 ± 0.100 (2/10: obs 1,2; failed: obs 2, as 1.0) | 10 + 5 |" in table
    )
    rows = (tmp_path / "runs.csv").read_text().splitlines()[2:]
    assert rows[1] == "slcp,10000,2,,pooled_implicit_klqp,,failed,10.0,nan"
