#!/usr/bin/env python
"""The SBI table from whatever runs finished: ours beside our rejection ABC.

    python benchmarks/sbi/summary.py --root ~/.cache/gan_infer/runs/sbi

Reads <root>/<task>/<budget>/<observation>/metrics.json (run.py,
PooledImplicitKLqp) and <root>/rej_abc/<task>/<budget>/<observation>/
(rejection_abc.py), and prints a markdown table, one row per task x budget:
C2ST mean ± std over the observations that finished (how many, which),
the median wall seconds per run, as "inference + C2ST scoring" (the median: a
run paused by hand, or slowed by a busy machine, does not set it), and whether ours is
below rejection ABC in mean C2ST over the observations both finished; beside
them the published means over the ten observations (docs/data/
sbibm_published_c2st.csv: the benchmark's 2021 main-paper runs, transcribed
from github.com/sbi-benchmark/results) and how far ours is from the best
sequential method (SNPE, SNLE, SNRE). Cells with no finished run read
"pending".

    python benchmarks/sbi/summary.py --into docs/results.md --csv docs/data/sbi_runs.csv

also puts the table in place of the one in docs/results.md (from its header
line to the footnote) and writes every finished run, one row each, to the CSV.
"""

import argparse
import csv
import glob
import json
import os

import numpy as np

from gan_infer.util.files import atomic_write

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--root", default=os.path.expanduser("~/.cache/gan_infer/runs/sbi"))
parser.add_argument("--abc-root", default=None, help="default: <root>/rej_abc")
parser.add_argument("--budgets", default="10000,100000")
parser.add_argument(
    "--tasks", default="two_moons,gaussian_linear,gaussian_mixture,slcp,lotka_volterra"
)
parser.add_argument(
    "--published",
    default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)),
        "..",
        "..",
        "docs",
        "data",
        "sbibm_published_c2st.csv",
    ),
)
parser.add_argument("--source", default="sbibm2021_main_paper", help="a source of --published")
parser.add_argument("--into", help="a markdown file whose table this one replaces")
parser.add_argument("--csv", help="write every finished run here, one row each")
args = parser.parse_args()
abc_root = args.abc_root or os.path.join(args.root, "rej_abc")


def finished(root, task, budget):
    """{observation: metrics} of the runs with a C2ST score, and of those that
    failed (no posterior: training diverged), which count as C2ST 1.0."""
    runs = {}
    for path in glob.glob(os.path.join(root, task, budget, "*", "metrics.json")):
        with open(path) as f:
            metrics = json.load(f)
        if "failed" in metrics:
            metrics["c2st"] = 1.0
        if "c2st" in metrics:
            runs[int(metrics["observation"])] = metrics
    return runs


def cell(runs):
    if not runs:
        return "pending", "pending"
    scores = [r["c2st"] for r in runs.values()]
    seconds = np.median([r["wall_seconds"] for r in runs.values()])
    scoring = np.nanmedian([r.get("c2st_seconds", np.nan) for r in runs.values()])
    which = ",".join(str(i) for i in sorted(runs))
    failed = [str(i) for i in sorted(runs) if "failed" in runs[i]]
    note = f"; failed: obs {','.join(failed)}, as 1.0" if failed else ""
    score = f"{np.mean(scores):.3f} ± {np.std(scores):.3f} ({len(scores)}/10: obs {which}{note})"
    return score, f"{seconds:.0f} + {scoring:.0f}"


PUBLISHED = ("REJ-ABC", "SMC-ABC", "NPE", "SNPE", "SNLE", "SNRE")
SEQUENTIAL = ("SNPE", "SNLE", "SNRE")


def published_means(path, source):
    """{(task, budget, algorithm): mean C2ST} of one source of the published table."""
    if not os.path.exists(path):
        return {}
    with open(path) as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {
            (r["task"], r["num_simulations"], r["algorithm"]): float(r["c2st_mean"])
            for r in rows
            if r["source"] == source
        }


def verdict(ours, abc):
    common = sorted(set(ours) & set(abc))
    if not common:
        return "pending"
    mean_ours = np.mean([ours[i]["c2st"] for i in common])
    mean_abc = np.mean([abc[i]["c2st"] for i in common])
    wins = sum(ours[i]["c2st"] < abc[i]["c2st"] for i in common)
    word = "yes" if mean_ours < mean_abc else "no"
    return f"{word} ({mean_ours - mean_abc:+.3f}; lower on {wins}/{len(common)} obs)"


def table():
    """The markdown table and its footnote, as lines."""
    published = published_means(args.published, args.source)
    lines = [
        "| task | simulations | PooledImplicitKLqp C2ST | s/run | REJ-ABC (ours) C2ST | s/run "
        "| below REJ-ABC? | "
        + " | ".join(f"{name}*" for name in PUBLISHED)
        + " | ours − REJ-ABC* | ours − best S* |",
        "|---|---:|---|---:|---|---:|---|" + "---:|" * (len(PUBLISHED) + 2),
    ]
    for task in args.tasks.split(","):
        for budget in args.budgets.split(","):
            ours, abc = finished(args.root, task, budget), finished(abc_root, task, budget)
            (ours_score, ours_s), (abc_score, abc_s) = cell(ours), cell(abc)
            row = [published.get((task, budget, name)) for name in PUBLISHED]
            sequential = [
                published[task, budget, n] for n in SEQUENTIAL if (task, budget, n) in published
            ]
            mean_ours = np.mean([r["c2st"] for r in ours.values()]) if ours else None
            gap = gap_rej = "—"
            if mean_ours is not None and sequential:
                gap = f"{mean_ours - min(sequential):+.3f}"
            # Beside our own REJ-ABC, the benchmark's: it stands where ours is pending.
            if mean_ours is not None and row[0] is not None:
                gap_rej = f"{mean_ours - row[0]:+.3f}"
            lines.append(
                f"| {task} | {int(budget):,} | {ours_score} | {ours_s} | {abc_score} | {abc_s} "
                f"| {verdict(ours, abc)} | "
                + " | ".join("—" if v is None else f"{v:.3f}" for v in row)
                + f" | {gap_rej} | {gap} |"
            )
    lines += [
        "",
        f"\\* published ({args.source}, docs/data/sbibm_published_c2st.csv): mean over the "
        "ten observations; ours − REJ-ABC* and ours − best S: our mean (over the observations "
        "that finished) minus the published REJ-ABC mean, and minus the best of SNPE, SNLE "
        "and SNRE.",
    ]
    return lines


def replace_table(path, lines):
    """`path` with its table (header line to footnote) replaced by `lines`."""
    with open(path) as f:
        text = f.read().split("\n")
    starts = [i for i, line in enumerate(text) if line.startswith(lines[0][:40])]
    if not starts:
        raise SystemExit(
            f"--into {path}: no line there starts as the table's header ({lines[0][:40]!r}); "
            "paste the printed table there once, then --into keeps it current."
        )
    end = next(
        (i for i in range(starts[0], len(text)) if text[i].startswith("\\* published")), None
    )
    if end is None:
        raise SystemExit(f"--into {path}: the table there has no footnote ('\\* published ...').")
    text[starts[0] : end + 1] = lines
    with atomic_write(path, "w") as f:
        f.write("\n".join(text))


CSV_COLUMNS = ("task", "simulations", "observation", "seed", "method", "n_iter", "c2st")


def write_runs(path):
    """Every finished run under --root (ours) and the ABC root, one CSV row each."""
    with atomic_write(path, "w") as f:
        f.write(
            "# Each finished run of the SBI table (benchmarks/sbi/run.py: PooledImplicitKLqp; "
            "rejection_abc.py: our REJ-ABC), written by benchmarks/sbi/summary.py --csv from "
            "the runs' metrics.json; seconds are wall seconds\n"
        )
        out = csv.writer(f, lineterminator="\n")
        out.writerow(CSV_COLUMNS + ("inference_seconds", "c2st_seconds"))
        for method, root in (("pooled_implicit_klqp", args.root), ("rej_abc", abc_root)):
            for task in args.tasks.split(","):
                for budget in args.budgets.split(","):
                    for i, m in sorted(finished(root, task, budget).items()):
                        n_iter = m.get("command", {}).get("n_iter", "")  # REJ-ABC has none
                        seconds = (m["wall_seconds"], m.get("c2st_seconds", float("nan")))
                        # A failed run's C2ST column says so (the table counts it as 1.0).
                        score = "failed" if "failed" in m else f"{m['c2st']:.5f}"
                        out.writerow(
                            (task, budget, i, m.get("seed", ""), method, n_iter, score)
                            + tuple(f"{s:.1f}" for s in seconds)
                        )


lines = table()
print("\n".join(lines))
if args.into:
    replace_table(args.into, lines)
if args.csv:
    write_runs(args.csv)
