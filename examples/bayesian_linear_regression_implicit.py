#!/usr/bin/env python
"""Bayesian linear regression by likelihood-free variational inference.

Edward's `bayesian_linear_regression_implicit.py`: the likelihood
p(y | X, w) is used only through samples, and `ed.ImplicitKLqp` fits a
normal q(w) with a ratio estimator r(X, y, w) that learns
log p(y | X, w) / q(y | X) from them. N = 500 points, M = 50 per batch,
D = 2 weights, w_true = [5, 5], noise 0.1 in the data and 1 in the model;
the conjugate model has an exact posterior to score q against.

    python examples/bayesian_linear_regression_implicit.py --out-dir out/blr

`--estimator` chooses the ratio estimator:
  edward    Edward's: an MLP of (y, w); it never sees X, so it cannot learn
            the likelihood, whose only link between y and w is X w;
  mlp       an MLP of (X, y, w);
  residual  an MLP of the residual y - X w and of (X, y): the likelihood of
            a regression depends on w only through the residual;
  additive  f(y - X w) + g(X, y), two MLPs: the optimal log ratio
            log p(y | X, w) - log q(y | X) has exactly this form, so the part
            that depends on w cannot borrow from the part that does not;
  exact     the exact log likelihood -(y - X w)^2 / 2 plus a learnt constant,
            as in Edward's unit test: no estimation error, so what is left is
            the optimiser's (a check of the inference, not a method).

`--kernel-width h` (default 0.3) adds fresh noise N(0, h^2) to y before the
learnt estimators see it, on both sides (`initialize(blur=h)`): the data's y
then lie in a band of width sqrt(0.1^2 + h^2) around X w_true instead of
0.1, which a classifier can draw, and the posterior targeted is that of a model with noise
sqrt(1 + h^2) (4 % wider at 0.3); `--kernel-width 0` turns it off.

`--ema-decay` (default 0.999) reads q at a moving average of its weights
(`initialize(ema_decay=...)`, `averaged_generator()`); 0 reads the last.

Writes posterior.png (q's density of each weight beside the exact
posterior) and results.json (q's and the exact mean and std per weight).
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
parser.add_argument("--n-iter", type=int, default=5000, help="Gen updates (default 5000)")
parser.add_argument("--n-print", type=int, default=500)
parser.add_argument("--disc-steps", type=int, default=5, help="Disc updates per Gen update")
parser.add_argument(
    "--estimator", choices=["edward", "mlp", "residual", "additive", "exact"], default="residual"
)
parser.add_argument("--lr", type=float, default=1e-2, help="Adam's learning rate for q")
parser.add_argument("--lr-d", type=float, default=1e-3, help="... for the ratio estimator")
parser.add_argument("--kernel-width", type=float, default=0.3, help="noise on y, both sides")
parser.add_argument(
    "--ema-decay", type=float, default=0.999, help="q read at this moving average (0: off)"
)
parser.add_argument("--n", type=int, default=500, help="number of data points")
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--out-dir", default="out/bayesian_linear_regression_implicit")
args = parser.parse_args()
check_int(args.n_iter, "--n-iter", error=parser.error)
check_int(args.n_print, "--n-print", minimum=0, error=parser.error)
check_int(args.disc_steps, "--disc-steps", error=parser.error)
check_int(args.n, "--n", minimum=50, what="at least 50 (one batch)", error=parser.error)
for flag, value in (("--lr", args.lr), ("--lr-d", args.lr_d)):
    check_number(value, flag, low=0.0, inclusive=False, error=parser.error)
check_number(args.kernel_width, "--kernel-width", low=0.0, error=parser.error)
check_interval(args.ema_decay, "--ema-decay", "[0, 1)", error=parser.error)

ed.set_seed(args.seed)
out_dir = ensure_directory(args.out_dir)


def build_toy_dataset(N, w, noise_std=0.1):
    D = len(w)
    x = np.random.randn(N, D).astype(np.float32)
    y = (x @ w + np.random.normal(0.0, noise_std, size=N)).astype(np.float32)
    return x, y


def generator(arrays, batch_size):
    """Shuffled mini-batches, reshuffled every epoch."""
    starts = range(0, len(arrays[0]) - batch_size + 1, batch_size)
    while True:
        order = np.random.permutation(len(arrays[0]))
        for start in starts:
            rows = order[start : start + batch_size]
            yield [array[rows] for array in arrays]


N, M, D = args.n, 50, 2
w_true = np.full(D, 5.0, np.float32)
X_train, y_train = build_toy_dataset(N, w_true)
data = generator([X_train, y_train], M)

# MODEL
X = tf.placeholder(tf.float32, [M, D])
y_ph = tf.placeholder(tf.float32, [M])
w = Normal(loc=tf.zeros(D), scale=tf.ones(D))
y = Normal(loc=ed.dot(X, w), scale=tf.ones(M))

# INFERENCE
qw = Normal(
    loc=tf.Variable(tf.random_normal([D]) + 1.0),
    scale=tf.nn.softplus(tf.Variable(tf.random_normal([D]))),
)


def ratio_estimator(data, local_vars, global_vars):
    """r(y_n, w) for each of the M points: log p(y_n | X_n, w) / q(y_n | X_n)."""
    y_batch, w_sample = data[y], global_vars[w]
    if args.estimator == "exact":
        residual = y_batch - ed.dot(X, w_sample)
        return -0.5 * tf.square(residual) + tf.get_variable("constant", [])
    if args.estimator == "edward":
        inputs = [y_batch[:, None], tf.tile(w_sample[None, :], [M, 1])]
    elif args.estimator == "additive":
        residual = (y_batch - ed.dot(X, w_sample))[:, None]
        with tf.variable_scope("likelihood"):
            f = layers.dense(layers.dense(residual, 64, activation=tf.nn.relu), 1)
        with tf.variable_scope("data_density"):
            xy = tf.concat([X, y_batch[:, None]], axis=1)
            g = layers.dense(layers.dense(xy, 64, activation=tf.nn.relu), 1)
        return tf.squeeze(f + g, axis=1)
    elif args.estimator == "mlp":
        inputs = [X, y_batch[:, None], tf.tile(w_sample[None, :], [M, 1])]
    else:
        inputs = [(y_batch - ed.dot(X, w_sample))[:, None], X, y_batch[:, None]]
    hidden = layers.dense(tf.concat(inputs, axis=1), 64, activation=tf.nn.relu)
    return tf.squeeze(layers.dense(hidden, 1), axis=1)


inference = ed.ImplicitKLqp(
    {w: qw}, data={y: y_ph}, discriminator=ratio_estimator, global_vars={w: qw}
)
inference.initialize(
    optimizer=tf.train.AdamOptimizer(args.lr),
    optimizer_d=tf.train.AdamOptimizer(args.lr_d),
    n_iter=args.n_iter,
    n_print=args.n_print,
    scale={y: float(N) / M},
    # The data's y sit within 0.1 of X w_true, the model's within 1 of X w:
    # blurred on both sides, the boundary between them is smooth enough to
    # learn. The exact ratio is of the unblurred model, so it goes without.
    blur=None if args.estimator == "exact" else args.kernel_width,
    disc_steps=args.disc_steps,
    ema_decay=args.ema_decay or None,
)

q_moments = [qw.mean(), qw.stddev()]
sess = ed.get_session()
tf.global_variables_initializer().run()
for _ in range(inference.n_iter):
    info_dict = inference.iterate(lambda: dict(zip([X, y_ph], next(data))))
    inference.print_progress(info_dict)
    if inference.n_print and info_dict["t"] % inference.n_print == 0:
        mean, std = sess.run(q_moments)
        print(f"  q(w): mean {np.round(mean, 4)}, std {np.round(std, 4)}")

# CRITICISM: the exact posterior of the conjugate model (prior N(0, I),
# likelihood noise 1): precision I + X^T X, mean cov X^T y.
covariance = np.linalg.inv(np.eye(D) + X_train.T.astype(np.float64) @ X_train)
exact_mean = covariance @ X_train.T.astype(np.float64) @ y_train
exact_std = np.sqrt(np.diag(covariance))
# q and the estimator circle each other as a GAN's players do: read q at the
# average of its recent weights.
with inference.averaged_generator() if args.ema_decay else contextlib.nullcontext():
    q_mean, q_std = (v.astype(np.float64) for v in sess.run(q_moments))
errors = np.abs(q_mean - exact_mean) / exact_std
ratios = q_std / exact_std
print("\nweight   exact mean    q mean   exact std    q std   |error|/std  std ratio")
for d in range(D):
    print(
        f"w[{d}]     {exact_mean[d]:10.4f} {q_mean[d]:9.4f} {exact_std[d]:11.4f} "
        f"{q_std[d]:8.4f} {errors[d]:12.2f} {ratios[d]:10.2f}"
    )

results = {
    "command": vars(args),
    "exact_mean": exact_mean.tolist(),
    "exact_std": exact_std.tolist(),
    "q_mean": q_mean.tolist(),
    "q_std": q_std.tolist(),
    "mean_error_in_exact_stds": errors.tolist(),
    "std_ratio": ratios.tolist(),
    "mean_within_2_stds": bool(np.all(errors < 2.0)),
    "std_within_factor_2": bool(np.all((ratios > 0.5) & (ratios < 2.0))),
}
with atomic_write(os.path.join(out_dir, "results.json"), "w") as f:
    json.dump(results, f, indent=2)

import matplotlib.pyplot as plt  # noqa: E402  (after training: figures only)
from scipy import stats  # noqa: E402

figure, axes = plt.subplots(1, D, figsize=(4 * D, 3))
for d, axis in enumerate(np.atleast_1d(axes)):
    grid = np.linspace(
        min(exact_mean[d], q_mean[d]) - 4 * max(exact_std[d], q_std[d]),
        max(exact_mean[d], q_mean[d]) + 4 * max(exact_std[d], q_std[d]),
        400,
    )
    axis.plot(grid, stats.norm.pdf(grid, exact_mean[d], exact_std[d]), label="exact posterior")
    axis.plot(grid, stats.norm.pdf(grid, q_mean[d], q_std[d]), label="q (ImplicitKLqp)")
    axis.set_title(f"w[{d}]")
axes[0].legend(fontsize=8)
save_figure(figure, os.path.join(out_dir, "posterior.png"))
print(f"Wrote {out_dir}/posterior.png and results.json")
