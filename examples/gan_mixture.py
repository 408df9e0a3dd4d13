#!/usr/bin/env python
"""A GAN fits a two-mode mixture: mode averaging, mode collapse, and a fix.

The blog-post experiments. Data: 0.5 N(-s, 0.5) + 0.5 N(s, 0.5).
- `--generator linear` (x = a z + b, a single Gaussian) cannot fit two
  modes: with close modes it *averages* them (one wide bump between them),
  with far-apart modes (`--separation 6`) it *collapses* onto one.
- `--generator mlp` (z -> 32 tanh -> 32 tanh -> x) can bend the noise into
  both modes and covers them.
- `--regularize` gives the discriminator L2 weight decay and dropout (active
  only in discriminator training steps' forward passes on both data and
  samples), which smooths D(x) and steadies training.

    python examples/gan_mixture.py --generator mlp --separation 3 --out-dir out/mixture_mlp

Prints the fraction of samples near each mode; writes fit.gif (data
density, model density, D(x) per frame), final.png and curves.png.
"""

import argparse
import json
import os

import gan_infer as ed  # before TensorFlow: keeps its start-up logs off the console

# isort: split
import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer import layers
from gan_infer.criticism import Monitor, animate_1d, fit_figure_1d, history_figure, save_figure
from gan_infer.criticism.toy import ks_distance
from gan_infer.models import Normal
from gan_infer.util import atomic_write, ensure_directory

tf.disable_eager_execution()

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--generator", choices=["linear", "mlp"], default="mlp")
parser.add_argument("--separation", type=float, default=3.0, help="modes at -s and +s")
parser.add_argument("--regularize", action="store_true", help="L2 and dropout in D")
parser.add_argument("--n-iter", type=int, default=6000)
parser.add_argument("--n-print", type=int, default=200, help="progress and animation frames")
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--out-dir", default="out/gan_mixture")
args = parser.parse_args()
if args.separation <= 0:
    parser.error(f"--separation must be positive, got {args.separation}")

ed.set_seed(args.seed)
out_dir = ensure_directory(args.out_dir)
M = 256  # batch size during training
STD = 0.5
MODES = np.array([-args.separation, args.separation])


def next_batch(n):
    centres = np.random.choice(MODES, size=[n, 1])
    return (centres + STD * np.random.normal(size=[n, 1])).astype(np.float32)


# MODEL
def generative_network(z):
    if args.generator == "linear":
        return layers.dense(z, 1)
    net = layers.dense(z, 32, activation=tf.nn.tanh)
    net = layers.dense(net, 32, activation=tf.nn.tanh)
    return layers.dense(net, 1)


with tf.variable_scope("Gen"):
    z = Normal(tf.zeros([M, 1]), 1.0)
    x = generative_network(z)

x_ph = tf.placeholder(tf.float32, [M, 1])
training = tf.placeholder_with_default(False, [], name="training")
regularizer = layers.l2_regularizer(1e-3) if args.regularize else None


# INFERENCE
def discriminative_network(x):
    """Outputs probability in logits."""
    net = layers.dense(x, 32, activation=tf.nn.relu, kernel_regularizer=regularizer)
    if args.regularize:
        net = layers.dropout(net, rate=0.3, training=training)
    net = layers.dense(net, 32, activation=tf.nn.relu, kernel_regularizer=regularizer)
    return layers.dense(net, 1, activation=None)


inference = ed.GANInference(data={x: x_ph}, discriminator=discriminative_network)
inference.initialize(
    optimizer=tf.train.AdamOptimizer(1e-3, beta1=0.5),
    optimizer_d=tf.train.AdamOptimizer(1e-3, beta1=0.5),
    n_iter=args.n_iter,
    n_print=args.n_print,
)

# CRITICISM, recorded during training: the model's samples, D on a grid,
# mean D(real) and D(fake). All ops are built here, before the loop.
span = args.separation + 4 * STD
grid = np.linspace(-span, span, M, dtype=np.float32)
with tf.variable_scope("Disc", reuse=True):
    d_on_grid = tf.sigmoid(discriminative_network(tf.constant(grid[:, None])))
monitor = Monitor(
    {
        "samples": x,
        "d": d_on_grid,
        "d_real": tf.reduce_mean(tf.sigmoid(inference.d_true)),
        "d_fake": tf.reduce_mean(tf.sigmoid(inference.d_fake)),
    },
    every=args.n_print,
)

sess = ed.get_session()
tf.global_variables_initializer().run()
for _ in range(inference.n_iter):
    feed_dict = {x_ph: next_batch(M), training: True}
    info_dict = inference.update(feed_dict=feed_dict)
    inference.print_progress(info_dict)
    monitor(info_dict, {x_ph: feed_dict[x_ph]})

samples = np.concatenate([sess.run(x) for _ in range(40)])[:, 0]
distance = np.abs(samples[:, None] - MODES[None, :])
nearest = np.argmin(distance, axis=1)
on_mode = distance.min(axis=1) < 2 * STD
share = [np.mean(on_mode & (nearest == k)) for k in range(2)]
print(
    f"{args.generator} generator, modes at ±{args.separation:g} (std {STD}): samples within 2σ "
    f"of -{args.separation:g}: {share[0]:.2f}, of +{args.separation:g}: {share[1]:.2f}, "
    f"elsewhere: {1 - sum(share):.2f}; sample mean {samples.mean():.2f}, "
    f"std {samples.std():.2f} (data: 0, {np.sqrt(args.separation**2 + STD**2):.2f})"
)

data_samples = next_batch(len(samples))[:, 0]
metrics = {
    "generator": args.generator,
    "separation": args.separation,
    "regularize": args.regularize,
    "seed": args.seed,
    "share_left": float(share[0]),
    "share_right": float(share[1]),
    "share_elsewhere": float(1 - sum(share)),
    "mean": float(samples.mean()),
    "std": float(samples.std()),
    "ks_distance": float(ks_distance(samples, data_samples)),
}
with atomic_write(os.path.join(out_dir, "metrics.json"), "w") as f:
    json.dump(metrics, f, indent=2)

density = (
    0.5 * sum(np.exp(-0.5 * ((grid - m) / STD) ** 2) for m in MODES) / (STD * np.sqrt(2 * np.pi))
)
frames = monitor.frames()
animate_1d(
    frames, grid, density, os.path.join(out_dir, "fit.gif"), title=f"{args.generator} generator"
)
save_figure(
    fit_figure_1d(frames[-1], grid, density, title=f"{args.generator} generator"),
    os.path.join(out_dir, "final.png"),
)
save_figure(
    history_figure(
        monitor.history,
        {
            "losses": [("loss", "generator"), ("loss_d", "discriminator")],
            "discriminator": [("d_real", "mean D(real)"), ("d_fake", "mean D(fake)")],
        },
    ),
    os.path.join(out_dir, "curves.png"),
)
