#!/usr/bin/env python
"""One run of the SBI benchmark: a task, an observation, a simulation budget, a seed.

    python benchmarks/sbi/run.py --task two_moons --observation 1 \
        --simulations 10000 --seed 1 --out ~/.cache/gan_infer/runs/sbi/two_moons/1e4/1

`--task` is a name from benchmarks/sbi/tasks/ or the path of any module that
follows the protocol (benchmarks/sbi/tasks/__init__.py). The method is
`ed.PooledImplicitKLqp`: half the budget simulates prior draws (they also
set the scale of the ratio estimator's inputs), the other half `--rounds`
rounds drawn from q, an inverse-autoregressive flow mapped onto the prior's
support; the ratio estimator, an MLP of (x, theta), learns from the whole
pool. Writes DIR/posterior_samples.npy (10,000 x d float32), DIR/metrics.json
(C2ST against the task's reference posterior, simulator calls, seconds) and
DIR/pairplot.png.
"""

import argparse
import os
import sys
import time

import gan_infer as ed  # before TensorFlow: keeps its start-up logs off the console

# isort: split
import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer.inferences.ratio_estimators import mlp_ratio_estimator, prior_simulations
from gan_infer.inferences.variational import flow_posterior
from gan_infer.models import RandomVariable
from gan_infer.models.simulator import Simulator
from gan_infer.util import ensure_directory

tf.disable_eager_execution()

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from outputs import limit_threads, print_summary, run_metrics, write_failed_run, write_run  # noqa: E402
from protocol import load_task  # noqa: E402

POSTERIOR_SAMPLES = 10_000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--task", required=True, help="a task name or PATH.py")
    parser.add_argument("--observation", type=int, default=1, help="1..10 (default 1)")
    parser.add_argument("--simulations", type=int, default=10_000, help="the budget")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", required=True, help="the run's folder")
    parser.add_argument("--rounds", type=int, default=4, help="rounds drawn from q (default 4)")
    parser.add_argument(
        "--n-iter",
        type=int,
        default=None,
        help="updates of q and r (default: 16,000 at 10^4 simulations, 40,000 at 10^5, "
        "16,000 (N / 10^4)^0.398 in general)",
    )
    parser.add_argument("--batch-size", type=int, default=512, help="pairs per estimator step")
    parser.add_argument(
        "--weight-decay",
        type=float,
        default=0.0,
        help="L2 penalty on the ratio estimator's kernels (default 0; docs/results.md, section 5)",
    )
    parser.add_argument("--resample", type=int, default=1, help="1: resample q by the ratio")
    parser.add_argument(
        "--held-out",
        type=int,
        default=0,
        help="diagnosis: the ratio estimator's loss on N fresh simulations at prior draws and N "
        "at draws of q, simulated outside the budget (default 0: none)",
    )
    parser.add_argument("--workers", type=int, default=1, help="processes that simulate")
    parser.add_argument("--threads", type=int, default=1, help="threads of TensorFlow and BLAS")
    parser.add_argument("--no-c2st", action="store_true", help="skip the C2ST score")
    args = parser.parse_args(argv)
    for name in ("simulations", "rounds", "n_iter", "batch_size", "workers", "threads", "held_out"):
        value = getattr(args, name)
        if value is not None and value < (0 if name in ("rounds", "held_out") else 1):
            parser.error(f"--{name.replace('_', '-')} must be a positive int.")
    if args.held_out == 1:  # a loss over shuffled pairs needs two simulations
        parser.error("--held-out must be 0 (none) or at least 2.")
    if not args.weight_decay >= 0:  # NaN too
        parser.error("--weight-decay must be a number >= 0 (0: no penalty).")
    if args.n_iter is None:
        args.n_iter = default_updates(args.simulations)
    return args


def default_updates(simulations):
    """Updates of q and r for a budget. Measured on observation 1, seed 1
    (docs/results.md, section 5): with 10^4 simulations, two_moons' C2ST was
    0.68 / 0.63 / 0.52 / 0.72 at 4,000 / 8,000 / 16,000 / 32,000 updates and
    gaussian_mixture's 0.72 / 0.63 at 4,000 / 16,000; with 10^5, two_moons'
    0.65 / 0.56 / 0.55 at 4,000 / 20,000 / 40,000 (single runs: their spread is
    large). A power law through 16,000 at 10^4 and 40,000 at 10^5, at least 1,000."""
    exponent = np.log10(40_000 / 16_000)
    return max(1000, int(round(16_000 * (simulations / 10_000) ** exponent, -2)))


def run(args):
    task = load_task(args.task)
    out_dir = ensure_directory(args.out)
    x_o = np.asarray(task.observation(args.observation), np.float32)
    reference = task.reference_posterior(args.observation) if not args.no_c2st else None
    tf.reset_default_graph()
    ed.set_seed(args.seed)
    session_config = tf.ConfigProto(
        intra_op_parallelism_threads=args.threads, inter_op_parallelism_threads=args.threads
    )
    # ed.get_session() returns a default session of this graph: ours, with its threads.
    default = tf.Session(config=session_config).as_default()
    default.__enter__()
    start = time.perf_counter()
    simulator = Simulator(
        task.simulate,
        budget=args.simulations,
        batch_size=min(1000, args.simulations),
        workers=args.workers,
        seed=args.seed,
        name=f"{task.NAME}.simulate",
        # A simulator may fail at some parameters (Lotka-Volterra's ODE solve
        # at a far draw of q, as sbibm's can): its NaN rows leave the pool.
        allow_nan=True,
    )
    prior = task.prior()
    theta = RandomVariable(prior)
    k = x_o.size
    # Half the budget on prior draws: the pool's first round, and the scale
    # of the estimator's inputs.
    n_prior = args.simulations // 2 if args.rounds else args.simulations
    round_size = (args.simulations - n_prior) // args.rounds if args.rounds else 1
    simulations = prior_simulations(prior, simulator, n_prior, seed=args.seed)

    # MODEL: theta ~ prior, x one simulation at theta (the pool simulates).
    x = tf.numpy_function(lambda t: simulator(t[None])[0], [theta.value], tf.float32)
    x.set_shape([k])
    qtheta = flow_posterior(prior)
    estimator = mlp_ratio_estimator(theta, x, simulations, weight_decay=args.weight_decay)
    inference = ed.PooledImplicitKLqp(
        {theta: qtheta},
        data={x: x_o},
        discriminator=estimator,
        global_vars={theta: qtheta},
        simulator=simulator,
        rounds=args.rounds,
        round_size=round_size,
        steps_per_round=max(1, args.n_iter // (args.rounds + 1)),
        simulations=simulations,
        batch_size=args.batch_size,
    )
    inference.initialize(
        optimizer=tf.train.AdamOptimizer(1e-3),
        optimizer_d=tf.train.AdamOptimizer(1e-3),
        n_iter=args.n_iter,
        n_print=0,
    )
    tf.global_variables_initializer().run()
    for _ in range(inference.n_iter):
        inference.update()
    penalty = f" with weight decay {args.weight_decay:g}" if args.weight_decay else ""
    method = f"PooledImplicitKLqp (IAF q, MLP ratio estimator{penalty}, " + (
        "importance-resampled, weights truncated)" if args.resample else "q's draws)"
    )
    try:
        samples = inference.posterior_samples(POSTERIOR_SAMPLES, resample=bool(args.resample))
    except FloatingPointError as error:  # training diverged: a result of the method, kept
        samples, failure = None, str(error)
    seconds = time.perf_counter() - start
    losses = estimator_losses(inference, task, prior, qtheta, args) if args.held_out else None
    simulator.close()
    default.__exit__(None, None, None)
    extra = {"pool_size": len(inference.pool), "resampling": inference.resampling}
    if losses:
        extra["estimator_loss"] = losses
    metrics = run_metrics(task, args, method, simulator, seconds, **extra)
    if samples is None:
        return write_failed_run(out_dir, metrics, failure)
    return write_run(out_dir, task, samples.astype(np.float32), reference, metrics)


def estimator_losses(inference, task, prior, qtheta, args):
    """The trained ratio estimator's loss on its pool and on `args.held_out` fresh
    simulations at prior draws and as many at draws of q: a diagnosis of
    overfitting (docs/results.md, section 5). They are simulated by the task
    directly, outside the budget, with their own seeds, so the run's posterior
    is the same with or without them."""
    sess = tf.get_default_session()
    losses = {"pool": inference.estimator_loss(inference.pool.theta, inference.pool.x)}
    for offset, (name, proposal) in enumerate([("held_out_prior", prior), ("held_out_q", qtheta)]):
        theta = sess.run(proposal.sample(args.held_out, seed=args.seed + 7919 * (offset + 1)))
        x = task.simulate(theta, np.random.default_rng([args.seed, 7919, offset]))
        finite = np.all(np.isfinite(x), axis=1)
        losses[name] = inference.estimator_loss(theta[finite], x[finite])
    losses["held_out_simulations"] = 2 * args.held_out
    return losses


def main(argv=None):
    args = parse_args(argv)
    limit_threads(args.threads)
    print_summary(run(args))


if __name__ == "__main__":
    main()
