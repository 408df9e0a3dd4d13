#!/usr/bin/env python
"""The log-rates of a stochastic Lotka–Volterra simulator, by ImplicitKLqp and by rejection ABC.

A predator–prey simulator (examples/lotka_volterra.py: the Markov jump
process of Papamakarios and Murray, 2016, discretised in time, observed
with noise) has four log-rates and no likelihood that can be evaluated.
`ed.ImplicitKLqp` fits a normal q over the log-rates with a ratio
estimator r(summaries of x, log-rates) trained on simulations; rejection
ABC, run here on the same observation, is the reference. Both report each
log-rate's posterior mean and std, the number of simulations and the wall
time.

    python examples/lotka_volterra_implicit.py --out-dir out/lotka_volterra

The simulator is numpy, called through `tf.numpy_function`: nothing
differentiates it. The model's samples only train the ratio estimator; q
learns through r's gradient with respect to the log-rates at the
observation. The estimator (docs/implicit_models.md says why):
  --kernel-width 0.2   noise on the scaled summaries, on both sides, so that
                       the single observation is not a point the estimator
                       separates from every simulation;
  --estimator          quadratic (default): a(beta) + sum_i b_i(beta) s_i +
                       c_i(beta) s_i^2, the coefficients an MLP of the
                       log-rates beta; mlp: an MLP of (s, beta).

Writes posterior.png (q and the ABC sample per log-rate, and the
observed series) and results.json (means, stds, simulations, seconds).
"""

import argparse
import json
import os
import time

import gan_infer as ed  # before TensorFlow: keeps its start-up logs off the console

# isort: split
import lotka_volterra as lv
import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer import layers
from gan_infer.criticism import save_figure
from gan_infer.models import Normal
from gan_infer.util import atomic_write, ensure_directory
from gan_infer.util.checks import check_int, check_interval, check_number
from gan_infer.util.seeds import fresh_seed

tf.disable_eager_execution()

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--n-iter", type=int, default=6000, help="q updates (default 6000)")
parser.add_argument("--n-print", type=int, default=500)
parser.add_argument("--replicas", type=int, default=10, help="simulations per estimator step")
parser.add_argument("--lr", type=float, default=1e-2, help="Adam's learning rate for q")
parser.add_argument("--lr-d", type=float, default=1e-3, help="... for the ratio estimator")
parser.add_argument("--estimator", choices=["quadratic", "mlp"], default="quadratic")
parser.add_argument("--kernel-width", type=float, default=0.2, help="noise on the summaries")
parser.add_argument("--ema-decay", type=float, default=0.999, help="average of q's weights")
parser.add_argument("--pilot", type=int, default=1000, help="prior simulations to scale summaries")
parser.add_argument("--abc-simulations", type=int, default=1_000_000)
parser.add_argument("--abc-accept", type=int, default=1000, help="nearest draws ABC keeps")
parser.add_argument("--data-seed", type=int, default=0, help="seed of the observed series")
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--out-dir", default="out/lotka_volterra_implicit")
args = parser.parse_args()
check_int(args.n_iter, "--n-iter", error=parser.error)
check_int(args.n_print, "--n-print", minimum=0, error=parser.error)
for flag in ("replicas", "pilot", "abc_simulations", "abc_accept"):
    check_int(getattr(args, flag), "--" + flag.replace("_", "-"), error=parser.error)
check_int(args.data_seed, "--data-seed", minimum=0, error=parser.error)
for flag, value in (("--lr", args.lr), ("--lr-d", args.lr_d)):
    check_number(value, flag, low=0.0, inclusive=False, error=parser.error)
check_number(args.kernel_width, "--kernel-width", low=0.0, error=parser.error)
check_interval(args.ema_decay, "--ema-decay", "(0, 1)", error=parser.error)
if args.abc_accept > args.abc_simulations:
    parser.error("--abc-accept must not exceed --abc-simulations.")

ed.set_seed(args.seed)
out_dir = ensure_directory(args.out_dir)
rng = np.random.default_rng(args.seed)

# DATA: one noisy series at the true log-rates. Summaries are scaled by
# their spread under the prior (median absolute deviation: some prior
# draws explode), from pilot simulations that both methods pay for.
x_train = lv.simulate(lv.TRUE_LOG_RATES[None], np.random.default_rng(args.data_seed))[0]
observed = lv.summaries(x_train[None])[0]
pilot = lv.summaries(lv.simulate(lv.prior_draws(rng, args.pilot), rng))
spread = 1.4826 * np.median(np.abs(pilot - np.median(pilot, axis=0)), axis=0)

# MODEL: log-rates from the prior, then `replicas` runs of the simulator.
K = args.replicas
simulations = [0]


def simulator(log_rates, seed):
    simulations[0] += K
    runs = lv.simulate(np.tile(log_rates, (K, 1)), np.random.default_rng(seed.view(np.uint32)))
    return runs.astype(np.float32)


prior_mean = lv.PRIOR_MEAN.astype(np.float32)
log_rates = Normal(loc=prior_mean, scale=tf.fill([4], lv.PRIOR_STD))
x = tf.numpy_function(simulator, [log_rates, fresh_seed()], tf.float32)
x.set_shape([K, lv.STEPS + 1, 2])

# INFERENCE: q starts as wide as the prior (softplus(-0.5) = 0.47).
qlog_rates = Normal(
    loc=tf.Variable(prior_mean), scale=tf.nn.softplus(tf.Variable(tf.fill([4], -0.5)))
)


def scaled_summaries(series):
    return ((lv.summaries(series) - observed) / spread).astype(np.float32)


def ratio_estimator(data, local_vars, global_vars):
    """r(s(x_k), log-rates) for each of the K series (the observed one, or K simulations)."""
    stats = tf.numpy_function(scaled_summaries, [data[x]], tf.float32)
    stats.set_shape([K, observed.size])
    # Noise on both sides makes the observation a blob, not a point the
    # estimator separates perfectly: its logit then estimates the log
    # likelihood of ABC with a Gaussian kernel of this width.
    noise = tf.random.stateless_normal(tf.shape(stats), seed=fresh_seed())
    stats += args.kernel_width * noise
    params = (global_vars[log_rates] - prior_mean) / lv.PRIOR_STD
    if args.estimator == "mlp":
        inputs = tf.concat([stats, tf.tile(params[None], [K, 1])], axis=1)
    else:
        inputs = params[None]
    hidden = layers.dense(inputs, 64, activation=tf.nn.relu)
    hidden = layers.dense(hidden, 64, activation=tf.nn.relu)
    if args.estimator == "mlp":
        return tf.squeeze(layers.dense(hidden, 1), axis=1)
    # Quadratic in the summaries, the coefficients a network of the
    # log-rates: the log ratio of two normals, the model's summaries at
    # these log-rates and the blurred observation (a synthetic likelihood).
    d = observed.size
    a, b, c = tf.split(layers.dense(hidden, 1 + 2 * d), [1, d, d], axis=1)
    return a[:, 0] + tf.reduce_sum(b * stats + c * tf.square(stats), axis=1)


inference = ed.ImplicitKLqp(
    {log_rates: qlog_rates},
    data={x: np.repeat(x_train[None], K, axis=0).astype(np.float32)},
    discriminator=ratio_estimator,
    global_vars={log_rates: qlog_rates},
)
inference.initialize(
    optimizer=tf.train.AdamOptimizer(args.lr),
    optimizer_d=tf.train.AdamOptimizer(args.lr_d),
    n_iter=args.n_iter,
    n_print=args.n_print,
    # The observation is repeated K times; each copy weighs 1 / K.
    scale={x: 1.0 / K},
    ema_decay=args.ema_decay,
)

q_moments = [qlog_rates.mean(), qlog_rates.stddev()]
sess = ed.get_session()
tf.global_variables_initializer().run()
start = time.perf_counter()
for _ in range(inference.n_iter):
    info_dict = inference.update()
    inference.print_progress(info_dict)
    if inference.n_print and info_dict["t"] % inference.n_print == 0:
        mean, std = sess.run(q_moments)
        print(f"  q: mean {np.round(mean, 3)}, std {np.round(std, 3)}")
with inference.averaged_generator():
    q_mean, q_std = (v.astype(np.float64) for v in sess.run(q_moments))
q_seconds = time.perf_counter() - start
q_simulations = simulations[0] + args.pilot

# CRITICISM: rejection ABC on the same observation and summaries.
accepted, tolerance, abc_seconds = lv.rejection_abc(
    observed, spread, args.abc_simulations, args.abc_accept, rng
)
abc_mean, abc_std = accepted.mean(axis=0), accepted.std(axis=0)
abc_simulations = args.abc_simulations + args.pilot
errors = np.abs(q_mean - abc_mean) / abc_std
print(f"\n{'log-rate':20s} {'true':>7s} {'ABC mean ± std':>16s} {'q mean ± std':>16s}  |q-ABC|/std")
for d, name in enumerate(lv.PARAMETER_NAMES):
    print(
        f"{name:20s} {lv.TRUE_LOG_RATES[d]:7.3f} {abc_mean[d]:8.3f} ± {abc_std[d]:5.3f} "
        f"{q_mean[d]:8.3f} ± {q_std[d]:5.3f} {errors[d]:10.2f}"
    )
print(f"simulations: ImplicitKLqp {q_simulations:,} in {q_seconds:.0f} s; ABC {abc_simulations:,}")
print(f"in {abc_seconds:.0f} s, tolerance {tolerance:.3f} ({abc_simulations / q_simulations:.1f}x)")

results = {
    "command": vars(args),
    "parameters": lv.PARAMETER_NAMES,
    "true": lv.TRUE_LOG_RATES.tolist(),
    "q_mean": q_mean.tolist(),
    "q_std": q_std.tolist(),
    "abc_mean": abc_mean.tolist(),
    "abc_std": abc_std.tolist(),
    "abc_tolerance": float(tolerance),
    "mean_error_in_abc_stds": errors.tolist(),
    "simulations": {"implicit_klqp": q_simulations, "abc": abc_simulations},
    "seconds": {"implicit_klqp": q_seconds, "abc": abc_seconds},
    "mean_within_abc_std": bool(np.all(errors < 1.0)),
    "ten_times_fewer_simulations": abc_simulations >= 10 * q_simulations,
}
with atomic_write(os.path.join(out_dir, "results.json"), "w") as f:
    json.dump(results, f, indent=2)

figure = lv.posterior_figure(x_train, accepted, q_mean, q_std)
save_figure(figure, os.path.join(out_dir, "posterior.png"))
print(f"Wrote {out_dir}/posterior.png and results.json")
