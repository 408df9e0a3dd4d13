#!/usr/bin/env python
"""The SBI table from whatever runs finished: C2ST mean ± std over observations.

    python benchmarks/sbi/summary.py --root ~/.cache/gan_infer/runs/sbi

Prints a markdown table (task x budget: C2ST mean ± std, observations done,
wall seconds per run); cells with no finished run read "pending".
"""

import argparse
import glob
import json
import os

import numpy as np

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--root", default=os.path.expanduser("~/.cache/gan_infer/runs/sbi"))
parser.add_argument("--budgets", default="10000,100000")
parser.add_argument(
    "--tasks", default="two_moons,gaussian_linear,gaussian_mixture,slcp,lotka_volterra"
)
args = parser.parse_args()

budgets = args.budgets.split(",")
print("| task | " + " | ".join(f"C2ST at {int(b):,}" for b in budgets) + " |")
print("|---|" + "---|" * len(budgets))
for task in args.tasks.split(","):
    cells = []
    for budget in budgets:
        runs = []
        for path in glob.glob(os.path.join(args.root, task, budget, "*", "metrics.json")):
            with open(path) as f:
                runs.append(json.load(f))
        scores = [r["c2st"] for r in runs if "c2st" in r]
        if not scores:
            cells.append("pending")
            continue
        seconds = np.mean([r["wall_seconds"] for r in runs])
        mean, std = np.mean(scores), np.std(scores)
        cells.append(f"{mean:.3f} ± {std:.3f} ({len(scores)}/10 obs, {seconds:.0f} s/run)")
    print(f"| {task} | " + " | ".join(cells) + " |")
