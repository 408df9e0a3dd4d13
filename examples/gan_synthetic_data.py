#!/usr/bin/env python
"""A GAN fits a normal distribution with a linear generator.

The blog-post experiment: data x ~ N(mu, sigma), model x = a * z + b with
z ~ N(0, 1). The model's distribution is N(b, |a|), so a fitted GAN should
recover mean b ~ mu and std |a| ~ sigma. The discriminator is a small MLP.

    python examples/gan_synthetic_data.py --mu 4 --sigma 0.5 --out-dir out/synthetic

Prints the fitted mean and std beside the true ones (and those of 10,000
samples), and writes fit.gif (data density, model density and the
discriminator's D(x), one frame per n_print iterations: the blog's
animation), densities.png (its last frame) and curves.png (losses, mean
D(real) and D(fake), and the generator's mean and std over training).
"""

import argparse
import os

import gan_infer as ed  # before TensorFlow: keeps its start-up logs off the console

# isort: split
import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer import layers
from gan_infer.criticism import Monitor, animate_1d, fit_figure_1d, history_figure, save_figure
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
inference.initialize(
    optimizer=tf.train.AdamOptimizer(1e-3, beta1=0.5),
    optimizer_d=tf.train.AdamOptimizer(1e-3, beta1=0.5),
    n_iter=args.n_iter,
    n_print=args.n_print,
)

# CRITICISM, recorded during training (ops built once, here): the
# generator's parameters, D on a grid, mean D(real) and D(fake), samples.
grid = np.linspace(args.mu - 4 * args.sigma, args.mu + 4 * args.sigma, M, dtype=np.float32)
with tf.variable_scope("Disc", reuse=True):
    d_on_grid = tf.sigmoid(discriminative_network(tf.constant(grid[:, None])))
monitor = Monitor(
    {
        "mean": b,
        "std": tf.abs(a),
        "samples": x,
        "d": d_on_grid,
        "d_real": tf.reduce_mean(tf.sigmoid(inference.d_true)),
        "d_fake": tf.reduce_mean(tf.sigmoid(inference.d_fake)),
    },
    every=max(args.n_print, 1),
)

sess = ed.get_session()
tf.global_variables_initializer().run()
for _ in range(inference.n_iter):
    feed_dict = {x_ph: next_batch(M)}
    info_dict = inference.update(feed_dict=feed_dict)
    inference.print_progress(info_dict)
    monitor(info_dict, feed_dict)
inference.finalize()

a_value, b_value = sess.run([a, b])
samples = np.concatenate([sess.run(x) for _ in range(10000 // M + 1)])[:10000, 0]
print(f"true   mean {args.mu:7.3f}  std {args.sigma:6.3f}")
print(f"fitted mean {b_value:7.3f}  std {abs(a_value):6.3f}   (b and |a| of x = a z + b)")
print(f"sample mean {samples.mean():7.3f}  std {samples.std():6.3f}   (10,000 samples)")

density = np.exp(-0.5 * ((grid - args.mu) / args.sigma) ** 2) / (args.sigma * np.sqrt(2 * np.pi))
frames = monitor.frames()
animate_1d(frames, grid, density, os.path.join(out_dir, "fit.gif"), title="linear generator")
save_figure(
    fit_figure_1d(frames[-1], grid, density, title="linear generator"),
    os.path.join(out_dir, "densities.png"),
)
save_figure(
    history_figure(
        monitor.history,
        {
            "losses": [("loss", "generator"), ("loss_d", "discriminator")],
            "discriminator": [("d_real", "mean D(real)"), ("d_fake", "mean D(fake)")],
            "generator": [("mean", "mean b"), ("std", "std |a|")],
        },
    ),
    os.path.join(out_dir, "curves.png"),
)
