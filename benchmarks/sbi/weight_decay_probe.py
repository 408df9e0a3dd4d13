#!/usr/bin/env python
"""Does the ratio estimator learn its pool by heart, and does a weight penalty help?

    python benchmarks/sbi/weight_decay_probe.py --root ~/.cache/gan_infer/runs/sbi_weight_decay

Reads the runs of `run.py --weight-decay W --held-out N` kept as
<root>/<task>/wd<W>/<observation>/ and prints one row per run: the C2ST
(when scored), the ratio estimator's logistic loss on its pool and on
fresh simulations at prior draws and at draws of q (the held-out ones are
simulated outside the budget, for this diagnosis only), and for
gaussian_linear, whose posterior is N(x_o / 2, 0.05 I), the accuracy of the
best classifier between that posterior and a normal fitted to the samples
(`gaussian_accuracy`). It costs a second where the benchmark's C2ST on 10
dimensions costs 13-106 minutes, and it is what a C2ST measures when both
samples are normal: 0.5 for the exact posterior, 1 for a disjoint one.
`--csv FILE` also writes the rows.
"""

import argparse
import csv
import functools
import glob
import json
import os
import sys

import numpy as np
from scipy import stats

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from protocol import load_task  # noqa: E402

COLUMNS = [
    "task",
    "observation",
    "weight_decay",
    "c2st",
    "gaussian_accuracy",
    "loss_pool",
    "loss_held_out_prior",
    "loss_held_out_q",
]


def gaussian_accuracy(samples, mean, cov, n=20_000, seed=0):
    """The Bayes accuracy between N(mean, cov) and a normal fitted to `samples`:
    (P_p[log p > log q] + P_q[log q > log p]) / 2, by Monte Carlo with n draws of each."""
    exact = stats.multivariate_normal(mean, cov)
    fitted = stats.multivariate_normal(samples.mean(0), np.cov(samples.T))
    rng = np.random.default_rng(seed)
    from_exact, from_fitted = exact.rvs(n, random_state=rng), fitted.rvs(n, random_state=rng)
    right_exact = np.mean(exact.logpdf(from_exact) > fitted.logpdf(from_exact))
    right_fitted = np.mean(fitted.logpdf(from_fitted) > exact.logpdf(from_fitted))
    return 0.5 * (right_exact + right_fitted)


@functools.cache
def gaussian_linear():
    return load_task("gaussian_linear")  # its shipped files read once, not once per run


def row(run_dir, task_name, weight_decay, observation):
    with open(os.path.join(run_dir, "metrics.json")) as f:
        metrics = json.load(f)
    losses = metrics.get("estimator_loss", {})
    values = {
        "task": task_name,
        "observation": observation,
        "weight_decay": weight_decay,
        "c2st": metrics.get("c2st"),
        "gaussian_accuracy": None,
        "loss_pool": losses.get("pool"),
        "loss_held_out_prior": losses.get("held_out_prior"),
        "loss_held_out_q": losses.get("held_out_q"),
    }
    if task_name == "gaussian_linear":
        task = gaussian_linear()
        samples = np.load(os.path.join(run_dir, "posterior_samples.npy")).astype(np.float64)
        x_o = np.asarray(task.observation(observation), np.float64)
        # Both covariances are 0.1 I: the posterior is N(x_o / 2, 0.05 I).
        values["gaussian_accuracy"] = gaussian_accuracy(samples, x_o / 2, 0.05 * np.eye(x_o.size))
    return values


def rows(root):
    found = []
    for path in sorted(glob.glob(os.path.join(root, "*", "wd*", "*", "metrics.json"))):
        run_dir = os.path.dirname(path)
        observation = os.path.basename(run_dir)
        weight_decay = os.path.basename(os.path.dirname(run_dir))[2:]
        task_name = os.path.basename(os.path.dirname(os.path.dirname(run_dir)))
        found.append(row(run_dir, task_name, float(weight_decay), int(observation)))
    return sorted(found, key=lambda r: (r["task"], r["weight_decay"], r["observation"]))


def cell(value):
    return "" if value is None else f"{value:.3f}" if isinstance(value, float) else str(value)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--root", default=os.path.expanduser("~/.cache/gan_infer/runs/sbi_weight_decay")
    )
    parser.add_argument("--csv", help="write the rows here too")
    args = parser.parse_args(argv)
    table = rows(args.root)
    if not table:
        sys.exit(f"no run of run.py --weight-decay under {args.root}/<task>/wd<W>/<observation>/")
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for values in table:
        print("| " + " | ".join(cell(values[c]) for c in COLUMNS) + " |")
    if args.csv:
        with open(args.csv, "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(table)


if __name__ == "__main__":
    main()
