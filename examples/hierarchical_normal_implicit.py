#!/usr/bin/env python
"""Group means of a normal hierarchy by likelihood-free variational inference.

J groups of n observations each; group j's mean theta_j is a *local*
latent variable:

    theta_j ~ N(mu, tau^2),   y_ij ~ N(theta_j, sigma^2)   (mu, tau, sigma known).

`ed.ImplicitKLqp` only ever samples y (the program could be any
simulator) and fits a normal q(theta_j | y_j) with a ratio estimator
r(y_j, theta_j) that learns log p(y_j, theta_j) / q(y_j, theta_j) from those
samples. The exact posterior of each group is normal (precision 1/tau^2 +
n/sigma^2), so q is scored against it group by group.

    python examples/hierarchical_normal_implicit.py --out-dir out/hierarchical

Two choices decide whether q lands on the posterior (docs/implicit_models.md):
  --posterior amortised  q(theta_j | y_j) = N(a + b ybar_j, softplus(c + d ybar_j)),
                         a linear inference network of the group's mean ybar_j
                         (the default); per-group: free (m_j, s_j) per group;
  --ema-decay 0.999      evaluate q at the moving average of its weights: the
                         pair (q, estimator) circles around the optimum (0: off).
`--estimator mlp` (default) is an MLP of (ybar_j, theta_j); `exact` is
log p(y_j | theta_j) + log p(theta_j) - log q(theta_j) plus a learnt
constant: no estimation error, a check of the optimiser.

Writes posterior.png (each group's q beside its exact posterior) and
results.json (q's and the exact mean and std per group).
"""

import argparse
import contextlib
import json
import os

import gan_infer as ed  # before TensorFlow: keeps its start-up logs off the console

# isort: split
import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer import layers
from gan_infer.criticism import save_figure
from gan_infer.models import Normal
from gan_infer.util import atomic_write, ensure_directory
from gan_infer.util.checks import check_int, check_interval, check_number

tf.disable_eager_execution()

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--n-iter", type=int, default=10000, help="q updates (default 10000)")
parser.add_argument("--n-print", type=int, default=500)
parser.add_argument("--disc-steps", type=int, default=5, help="estimator updates per q update")
parser.add_argument("--estimator", choices=["mlp", "exact"], default="mlp")
parser.add_argument("--posterior", choices=["amortised", "per-group"], default="amortised")
parser.add_argument("--lr", type=float, default=2e-3, help="Adam's learning rate for q")
parser.add_argument("--lr-d", type=float, default=1e-3, help="... for the ratio estimator")
parser.add_argument("--ema-decay", type=float, default=0.999, help="average q's weights")
parser.add_argument("--groups", type=int, default=8, help="J, the number of groups")
parser.add_argument("--per-group", type=int, default=4, help="n, observations per group")
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--out-dir", default="out/hierarchical_normal_implicit")
args = parser.parse_args()
check_int(args.n_iter, "--n-iter", error=parser.error)
check_int(args.n_print, "--n-print", minimum=0, error=parser.error)
for flag, value in (("--disc-steps", args.disc_steps), ("--groups", args.groups)):
    check_int(value, flag, error=parser.error)
check_int(args.per_group, "--per-group", error=parser.error)
for flag, value in (("--lr", args.lr), ("--lr-d", args.lr_d)):
    check_number(value, flag, low=0.0, inclusive=False, error=parser.error)
check_interval(args.ema_decay, "--ema-decay", "[0, 1)", error=parser.error)

ed.set_seed(args.seed)
out_dir = ensure_directory(args.out_dir)

J, n = args.groups, args.per_group
mu, tau, sigma = 0.0, 1.0, 1.0
theta_true = np.random.normal(mu, tau, J)
y_train = np.random.normal(theta_true[:, None], sigma, (J, n)).astype(np.float32)

# MODEL: a program that samples; the inference never evaluates its density.
theta = Normal(loc=tf.fill([J], mu), scale=tf.fill([J], tau))
y = Normal(loc=tf.tile(theta[:, None], [1, n]), scale=tf.fill([J, n], sigma))

# INFERENCE. The estimator can only tell q(theta | y) apart from the model's
# p(theta | y) where it can tell the y's apart: a q that is a smooth function
# of ybar (an inference network) it can follow; free per-group parameters of
# groups with nearly equal ybar it cannot (docs/implicit_models.md).
if args.posterior == "amortised":
    ybar_data = tf.constant(y_train.mean(axis=1, keepdims=True))
    loc, scale = tf.unstack(layers.dense(ybar_data, 2), axis=1)
    qtheta = Normal(loc=loc, scale=tf.nn.softplus(scale))
else:
    qtheta = Normal(loc=tf.Variable(tf.zeros(J)), scale=tf.nn.softplus(tf.Variable(tf.zeros(J))))


def ratio_estimator(data, local_vars, global_vars):
    """r(y_j, theta_j) for each of the J groups."""
    ybar, theta_j = tf.reduce_mean(data[y], axis=1), local_vars[theta]
    if args.estimator == "exact":
        log_lik = -0.5 * n * tf.square(ybar - theta_j) / sigma**2
        log_ratio = log_lik + theta.log_prob(theta_j) - qtheta.log_prob(theta_j)
        return log_ratio + tf.get_variable("constant", [])
    hidden = layers.dense(tf.stack([ybar, theta_j], 1), 64, activation=tf.nn.relu)
    return tf.squeeze(layers.dense(hidden, 1), axis=1)


inference = ed.ImplicitKLqp({theta: qtheta}, data={y: y_train}, discriminator=ratio_estimator)
inference.initialize(
    optimizer=tf.train.AdamOptimizer(args.lr),
    optimizer_d=tf.train.AdamOptimizer(args.lr_d),
    n_iter=args.n_iter,
    n_print=args.n_print,
    disc_steps=args.disc_steps,
    ema_decay=args.ema_decay or None,
)

q_moments = [qtheta.mean(), qtheta.stddev()]
sess = ed.get_session()
tf.global_variables_initializer().run()
for _ in range(inference.n_iter):
    info_dict = inference.iterate()
    inference.print_progress(info_dict)
    if inference.n_print and info_dict["t"] % inference.n_print == 0:
        mean, std = sess.run(q_moments)
        print(f"  q(theta): mean {np.round(mean, 3)}, std {np.round(std, 3)}")

# CRITICISM: each group's exact posterior is normal with precision
# 1/tau^2 + n/sigma^2 and a mean that shrinks ybar_j towards mu.
precision = 1.0 / tau**2 + n / sigma**2
exact_mean = (mu / tau**2 + y_train.astype(np.float64).sum(axis=1) / sigma**2) / precision
exact_std = np.full(J, 1.0 / np.sqrt(precision))
# q and the estimator chase each other around the optimum; the average of
# q's weights over the last ~1,000 updates sits near its centre.
with inference.averaged_generator() if args.ema_decay else contextlib.nullcontext():
    q_mean, q_std = (v.astype(np.float64) for v in sess.run(q_moments))
errors = np.abs(q_mean - exact_mean) / exact_std
ratios = q_std / exact_std
print("\ngroup  ybar    exact mean   q mean  exact std   q std  |error|/std  std ratio")
for j in range(J):
    print(
        f"{j:5d} {y_train[j].mean():6.3f} {exact_mean[j]:11.3f} {q_mean[j]:8.3f} "
        f"{exact_std[j]:10.3f} {q_std[j]:7.3f} {errors[j]:12.2f} {ratios[j]:10.2f}"
    )

results = {
    "command": vars(args),
    "ybar": y_train.mean(axis=1).tolist(),
    "exact_mean": exact_mean.tolist(),
    "exact_std": exact_std.tolist(),
    "q_mean": q_mean.tolist(),
    "q_std": q_std.tolist(),
    "mean_error_in_exact_stds": errors.tolist(),
    "std_ratio": ratios.tolist(),
    "mean_within_half_std": bool(np.all(errors < 0.5)),
}
with atomic_write(os.path.join(out_dir, "results.json"), "w") as f:
    json.dump(results, f, indent=2)

import matplotlib.pyplot as plt  # noqa: E402  (after training: figures only)

figure, axis = plt.subplots(figsize=(max(4, 0.6 * J + 2), 3))
groups = np.arange(J)
axis.errorbar(groups - 0.1, exact_mean, 2 * exact_std, fmt="o", label="exact posterior (± 2 std)")
axis.errorbar(groups + 0.1, q_mean, 2 * q_std, fmt="s", label="q, ImplicitKLqp (± 2 std)")
axis.plot(groups, y_train.mean(axis=1), "kx", label="group mean of the data")
axis.set(xlabel="group j", ylabel="theta_j", xticks=groups)
axis.legend(fontsize=7)
save_figure(figure, os.path.join(out_dir, "posterior.png"))
print(f"Wrote {out_dir}/posterior.png and results.json")
