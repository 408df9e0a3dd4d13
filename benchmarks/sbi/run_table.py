#!/usr/bin/env python
"""Run the SBI table, one run after another, skipping runs that finished.

    nice -n 10 python benchmarks/sbi/run_table.py --root ~/.cache/gan_infer/runs/sbi

Order: every task at the first budget on the first observations, then more
observations, then the next budget, so that an interrupted queue leaves a
table with every task in it. Each run is benchmarks/sbi/run.py in its own
process, writing <root>/<task>/<budget>/<observation>/; a run whose
metrics.json exists is skipped. `summary.py` builds the table from whatever
finished.
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "tasks"))
from __init__ import NAMES  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--root", default=os.path.expanduser("~/.cache/gan_infer/runs/sbi"))
parser.add_argument("--budgets", default="10000,100000")
parser.add_argument("--tasks", default=",".join(NAMES))
parser.add_argument("--observations", default="1,2,3|4,5,6,7,8,9,10", help="waves, '|'-separated")
parser.add_argument("--seed", type=int, default=1)
parser.add_argument("--threads", type=int, default=1)
args = parser.parse_args()

for budget in args.budgets.split(","):
    for wave in args.observations.split("|"):
        for i in wave.split(","):
            for task in args.tasks.split(","):
                out = os.path.join(args.root, task, budget, i)
                if os.path.exists(os.path.join(out, "metrics.json")):
                    continue
                command = [
                    sys.executable,
                    os.path.join(HERE, "run.py"),
                    "--task",
                    task,
                    "--observation",
                    i,
                    "--simulations",
                    budget,
                    "--seed",
                    str(args.seed),
                    "--out",
                    out,
                    "--threads",
                    str(args.threads),
                ]
                print(" ".join(command), flush=True)
                subprocess.run(command, check=False)
