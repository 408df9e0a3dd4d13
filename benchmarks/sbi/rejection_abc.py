#!/usr/bin/env python
"""Rejection ABC on one SBI task, observation and budget: the baseline of the table.

    python benchmarks/sbi/rejection_abc.py --task two_moons --observation 1 \
        --simulations 10000 --seed 1 --out ~/.cache/gan_infer/runs/sbi/rej_abc/two_moons/10000/1

The benchmark's REJ-ABC (Lueckmann et al. 2021), rebuilt on our tasks:

1. draw the whole budget, theta_1..N ~ p(theta), and simulate x_i once each;
2. keep the `--keep` simulations nearest x_o in Euclidean distance on the
   raw x (default 100, the benchmark's `num_top_samples`; rows the
   simulator returned non-finite are never kept);
3. fit a Gaussian KDE to the kept theta in the unconstrained space of the
   prior (u = B^-1(theta), B the prior's support bijector, so that no draw
   leaves a bounded prior's box) and draw 10,000 posterior samples
   theta = B(u), u ~ KDE.

The KDE is scipy's `gaussian_kde` (kernel covariance = factor^2 times the
kept points' covariance). As the benchmark does (sbibm's `get_kde`,
bandwidth "cv"), the bandwidth is chosen by cross-validation: the factor of
a grid with the highest held-out log density over 10 folds of the kept
points (`--bandwidth scott` takes Scott's rule instead, which blurs a
crescent into an ellipse). Writes the same DIR/posterior_samples.npy,
DIR/metrics.json and DIR/pairplot.png as run.py, so that summary.py reads
both.
"""

import argparse
import os
import sys
import time

import gan_infer as ed  # before TensorFlow: keeps its start-up logs off the console

# isort: split
import numpy as np
import scipy.stats
import tensorflow.compat.v1 as tf

from gan_infer.inferences.variational import support_bijector
from gan_infer.models.simulator import Simulator
from gan_infer.util import ensure_directory

tf.disable_eager_execution()

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from outputs import limit_threads, print_summary, run_metrics, write_run  # noqa: E402
from protocol import load_task  # noqa: E402

POSTERIOR_SAMPLES = 10_000
# Bandwidth factors tried by cross-validation: from 0.03 to beyond Scott's
# factor for 100 points in 2-D (0.46).
FACTORS = np.geomspace(0.03, 1.5, 30)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", required=True, help="a task name or PATH.py")
    parser.add_argument("--observation", type=int, default=1, help="1..10 (default 1)")
    parser.add_argument("--simulations", type=int, default=10_000, help="the budget")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True, help="the run's folder")
    parser.add_argument("--keep", type=int, default=100, help="nearest simulations kept")
    parser.add_argument("--bandwidth", choices=("cv", "scott"), default="cv")
    parser.add_argument("--threads", type=int, default=1, help="threads of TensorFlow and BLAS")
    parser.add_argument("--no-c2st", action="store_true", help="skip the C2ST score")
    args = parser.parse_args(argv)
    for name in ("simulations", "keep", "threads"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be a positive int.")
    if args.keep > args.simulations:
        parser.error(f"--keep {args.keep} exceeds --simulations {args.simulations}.")
    return args


def nearest(theta, x, x_o, keep):
    """The `keep` rows of theta whose x is nearest x_o (Euclidean), and their distances."""
    distance = np.sqrt(np.sum((x.astype(np.float64) - x_o) ** 2, axis=1))
    distance = np.where(np.isfinite(distance), distance, np.inf)
    if np.isfinite(distance).sum() < keep:
        raise ValueError(
            f"only {np.isfinite(distance).sum()} finite simulations, fewer than --keep {keep}; "
            "raise --simulations or lower --keep."
        )
    index = np.argsort(distance, kind="stable")[:keep]
    return theta[index], distance[index]


def cv_factor(u, folds=10, seed=0):
    """The KDE bandwidth factor of FACTORS with the highest 10-fold held-out log density."""
    n = len(u)
    fold = np.random.default_rng(seed).permutation(n) % folds
    scores = []
    for factor in FACTORS:
        held_out = 0.0
        for j in range(folds):
            kde = scipy.stats.gaussian_kde(u[fold != j].T, bw_method=factor)
            held_out += kde.logpdf(u[fold == j].T).sum()
        scores.append(held_out)
    return float(FACTORS[int(np.argmax(scores))])


def run(args):
    task = load_task(args.task)
    out_dir = ensure_directory(args.out)
    x_o = np.asarray(task.observation(args.observation), np.float32)
    reference = task.reference_posterior(args.observation) if not args.no_c2st else None
    tf.reset_default_graph()
    ed.set_seed(args.seed)
    session = tf.Session(
        config=tf.ConfigProto(
            intra_op_parallelism_threads=args.threads, inter_op_parallelism_threads=args.threads
        )
    )
    start = time.perf_counter()
    simulator = Simulator(
        task.simulate,
        budget=args.simulations,
        batch_size=min(1000, args.simulations),
        seed=args.seed,
        allow_nan=True,
        name=f"{task.NAME}.simulate",
    )
    prior = task.prior()
    bijector = support_bijector(prior)
    theta = session.run(prior.sample(args.simulations, seed=args.seed))
    x = simulator(theta)
    kept, distance = nearest(theta, x, x_o, args.keep)
    placeholder = tf.placeholder(tf.float32, [None, theta.shape[1]])
    to_u, to_theta = bijector.inverse(placeholder), bijector.forward(placeholder)
    kept_u = session.run(to_u, {placeholder: kept})
    kept_u = kept_u.astype(np.float64)
    factor = cv_factor(kept_u, seed=args.seed) if args.bandwidth == "cv" else "scott"
    kde = scipy.stats.gaussian_kde(kept_u.T, bw_method=factor)
    draws_u = kde.resample(POSTERIOR_SAMPLES, seed=np.random.default_rng(args.seed)).T
    samples = session.run(to_theta, {placeholder: draws_u.astype(np.float32)})
    samples = samples.astype(np.float32)
    seconds = time.perf_counter() - start
    simulator.close()
    session.close()

    method = (
        f"rejection ABC ({args.keep} nearest, L2 on raw x; Gaussian KDE, {args.bandwidth} "
        "bandwidth)"
    )
    metrics = run_metrics(
        task,
        args,
        method,
        simulator,
        seconds,
        kept=args.keep,
        epsilon=float(distance[-1]),
        kde_bandwidth_factor=float(kde.factor),
    )
    return write_run(out_dir, task, samples, reference, metrics)


def main(argv=None):
    args = parse_args(argv)
    limit_threads(args.threads)
    print_summary(run(args))


if __name__ == "__main__":
    main()
