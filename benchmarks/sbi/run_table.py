#!/usr/bin/env python
"""Run the SBI table, one run after another, skipping runs that finished.

    nice -n 10 python benchmarks/sbi/run_table.py --root ~/.cache/gan_infer/runs/sbi

Order: every task at the first budget on the first observations, then more
observations, then the next budget, so that an interrupted queue leaves a
table with every task in it. Each run is benchmarks/sbi/run.py in its own
process, writing <root>/<task>/<budget>/<observation>/; with `--method abc`
each run is rejection_abc.py, writing <root>/rej_abc/<task>/<budget>/<obs>/.
A run whose metrics.json exists is skipped; each run's output and errors go
to its run.log, and the queue prints each exit status. `summary.py` builds
the table from whatever finished. Several queues may share one root (one
per free core): each claims a run before it starts it (`<run>/claimed`, a
`gan_infer.util.files.DirectoryLock`), and the others pass it by while that
process lives.
"""

import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "tasks"))
from __init__ import NAMES  # noqa: E402

from gan_infer.util.files import DirectoryInUseError, DirectoryLock  # noqa: E402

# Held by the queue that runs the run (gan_infer's lock: O_EXCL, pid and host,
# a dead process's claim taken over).
CLAIM = "claimed"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", default=os.path.expanduser("~/.cache/gan_infer/runs/sbi"))
    parser.add_argument("--budgets", default="10000,100000")
    parser.add_argument("--tasks", default=",".join(NAMES))
    parser.add_argument(
        "--observations", default="1,2,3|4,5,6,7,8,9,10", help="waves, '|'-separated"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--method", choices=("ours", "abc"), default="ours")
    return parser.parse_args()


def run(args, task, budget, observation):
    """One run in its own process, unless it finished or another queue holds it."""
    root = args.root if args.method == "ours" else os.path.join(args.root, "rej_abc")
    out = os.path.join(root, task, budget, observation)
    if os.path.exists(os.path.join(out, "metrics.json")):
        return
    os.makedirs(out, exist_ok=True)
    claim = DirectoryLock(out, name=CLAIM)
    try:
        claim.acquire()
    except DirectoryInUseError:
        return
    script = "run.py" if args.method == "ours" else "rejection_abc.py"
    command = [sys.executable, os.path.join(HERE, script), "--task", task]
    command += ["--observation", observation, "--simulations", budget, "--seed", str(args.seed)]
    command += ["--out", out, "--threads", str(args.threads)]
    print(" ".join(command), flush=True)
    # The run's own output, tracebacks included, stays beside it: a
    # queue that only echoes commands leaves no trace of a failure.
    start = time.time()
    try:
        with open(os.path.join(out, "run.log"), "w") as log:
            code = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT).returncode
    finally:
        claim.release()
    print(f"  exit {code} after {time.time() - start:.0f} s; log: {out}/run.log", flush=True)


def main():
    args = parse_args()
    for budget in args.budgets.split(","):
        for wave in args.observations.split("|"):
            for observation in wave.split(","):
                for task in args.tasks.split(","):
                    run(args, task, budget, observation)


if __name__ == "__main__":
    main()
