#!/usr/bin/env python
"""A GAN fits a normal distribution with a linear generator.

The blog-post experiment: data x ~ N(mu, sigma), model x = a * z + b with
z ~ N(0, 1). The model's distribution is N(b, |a|), so a fitted GAN should
recover mean b ~ mu and std |a| ~ sigma. The discriminator is a small MLP.

    python examples/gan_synthetic_data.py --mu 4 --sigma 0.5 --out-dir out/synthetic

Prints the fitted mean and std beside the true ones (and the std of 10,000
samples), and writes densities.png (data density, model density and the
discriminator's D(x)) and losses.png.
"""
import argparse
import os

import numpy as np
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer import layers
from gan_infer.criticism import save_figure, training_curves
from gan_infer.models import Normal
from gan_infer.util import ensure_directory

tf.disable_eager_execution()

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--mu", type=float, default=4.0, help="mean of the data (default 4)")
parser.add_argument("--sigma", type=float, default=0.5, help="std of the data (default 0.5)")
parser.add_argument("--n-iter", type=int, default=10000)
parser.add_argument("--n-print", type=int, default=1000)
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--out-dir", default="out/gan_synthetic_data")
args = parser.parse_args()
if args.sigma <= 0:
    parser.error(f"--sigma must be positive, got {args.sigma}")

ed.set_seed(args.seed)
out_dir = ensure_directory(args.out_dir)
M = 256  # batch size during training


def next_batch(n):
    return np.random.normal(args.mu, args.sigma, size=[n, 1]).astype(np.float32)


# MODEL: a linear generator.
with tf.variable_scope("Gen"):
    a = tf.get_variable("a", [], initializer=tf.constant_initializer(1.0))
    b = tf.get_variable("b", [], initializer=tf.constant_initializer(0.0))
    z = Normal(tf.zeros([M, 1]), 1.0)
    x = a * z + b

x_ph = tf.placeholder(tf.float32, [M, 1])


# INFERENCE
def discriminative_network(x):
    """Outputs probability in logits."""
    net = layers.dense(x, 32, activation=tf.nn.relu)
    net = layers.dense(net, 32, activation=tf.nn.relu)
    return layers.dense(net, 1, activation=None)


inference = ed.GANInference(data={x: x_ph}, discriminator=discriminative_network)
inference.initialize(optimizer=tf.train.AdamOptimizer(1e-3, beta1=0.5),
                     optimizer_d=tf.train.AdamOptimizer(1e-3, beta1=0.5),
                     n_iter=args.n_iter, n_print=args.n_print)
sess = ed.get_session()
tf.global_variables_initializer().run()

history = {"t": [], "loss": [], "loss_d": []}
for _ in range(inference.n_iter):
    info_dict = inference.update(feed_dict={x_ph: next_batch(M)})
    inference.print_progress(info_dict)
    for key in history:
        history[key].append(info_dict[key])
inference.finalize()

# CRITICISM
a_value, b_value = sess.run([a, b])
samples = np.concatenate([sess.run(x) for _ in range(10000 // M + 1)])[:10000, 0]
print(f"true   mean {args.mu:7.3f}  std {args.sigma:6.3f}")
print(f"fitted mean {b_value:7.3f}  std {abs(a_value):6.3f}   (b and |a| of x = a z + b)")
print(f"sample mean {samples.mean():7.3f}  std {samples.std():6.3f}   (10,000 samples)")

# The discriminator's curve over the data's range, through the trained network.
grid = np.linspace(args.mu - 4 * args.sigma, args.mu + 4 * args.sigma, M, dtype=np.float32)
with tf.variable_scope("Disc", reuse=True):
    d_curve = tf.sigmoid(discriminative_network(x_ph))
d_values = sess.run(d_curve, {x_ph: grid[:, None]})[:, 0]

from matplotlib.figure import Figure  # noqa: E402  (plotting only at the end)

fig = Figure(figsize=(6, 3.5))
ax = fig.add_subplot()
density = np.exp(-0.5 * ((grid - args.mu) / args.sigma) ** 2) / (args.sigma * np.sqrt(2 * np.pi))
ax.plot(grid, density, label=f"data N({args.mu:g}, {args.sigma:g})")
ax.hist(samples, bins=60, range=(grid[0], grid[-1]), density=True, alpha=0.5, label="model samples")
ax.plot(grid, d_values, label="D(x)")
ax.set_xlabel("x")
ax.legend()
fig.tight_layout()
save_figure(fig, os.path.join(out_dir, "densities.png"))
save_figure(training_curves(history), os.path.join(out_dir, "losses.png"))
