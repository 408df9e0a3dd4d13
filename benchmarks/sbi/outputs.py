"""What every run of the SBI table writes, whichever method made the samples:
DIR/posterior_samples.npy (10,000 x d, float32), DIR/metrics.json (with the
C2ST against the reference posterior when the task has one, and the seconds
it took) and DIR/pairplot.png (posterior beside reference), or for a run
that failed its metrics.json alone, saying why; and the one-line summary a
run prints."""

import json
import os
import time

import numpy as np
from pairplot import pairplot
from threadpoolctl import threadpool_limits

from gan_infer.criticism import c2st, save_figure
from gan_infer.util import atomic_write


def limit_threads(threads):
    """Run numpy's BLAS and OpenMP (the C2ST's classifier, scipy's KDE) on `threads`
    threads, as TensorFlow is run. By default OpenBLAS takes every core, and two runs
    side by side on this 2-core machine then wait on each other's threads: two
    gaussian_linear C2STs at once (60 epochs per fold) took 133 s each on two BLAS
    threads and 16 s each on one, with the same score (docs/results.md, section 5)."""
    threadpool_limits(limits=threads)


def write_run(out_dir, task, samples, reference, metrics):
    """Score `samples` against `reference` (if any) into `metrics`, then write
    the run's three files; returns `metrics`."""
    if reference is not None:
        start = time.perf_counter()
        metrics["c2st"] = c2st(samples, reference)
        metrics["c2st_seconds"] = time.perf_counter() - start
    np.save(os.path.join(out_dir, "posterior_samples.npy"), samples)
    with atomic_write(os.path.join(out_dir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    figure = pairplot(samples, reference, task.PARAMETER_NAMES)
    save_figure(figure, os.path.join(out_dir, "pairplot.png"))
    return metrics


def write_failed_run(out_dir, metrics, failure):
    """A run whose method gave no posterior (training diverged): metrics.json
    says why, and the table counts it as the worst score, C2ST 1.0."""
    metrics["failed"] = failure
    with atomic_write(os.path.join(out_dir, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    return metrics


def run_metrics(task, args, method, simulator, seconds, **extra):
    """The metrics every run records: the cell, the method, the simulator
    calls, the wall seconds and the command, plus the method's own `extra`."""
    return {
        "task": task.NAME,
        "observation": args.observation,
        "budget": args.simulations,
        "seed": args.seed,
        "method": method,
        "simulator_calls": simulator.calls,
        **extra,
        "wall_seconds": seconds,
        "command": vars(args),
    }


def print_summary(metrics):
    """One JSON line: the task, observation, budget, calls used, C2ST and seconds."""
    summary = {k: metrics[k] for k in ("task", "observation", "budget", "simulator_calls")}
    summary.update({k: round(metrics[k], 3) for k in ("c2st", "wall_seconds") if k in metrics})
    if "failed" in metrics:
        summary["failed"] = metrics["failed"]
    print(json.dumps(summary))
