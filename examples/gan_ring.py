#!/usr/bin/env python
"""A GAN on 2-D mixtures of Gaussians: counting the modes it captures.

The standard test of mode collapse (Metz et al. 2017; VEEGAN, Srivastava
et al. 2017): the data are 8 Gaussians on a ring of radius 2 with std 0.02
(`--mixture ring`) or 25 on a 5x5 grid with std 0.05 (`--mixture grid`).
Their density is known, so the samples can be judged directly: a mode is
*captured* when at least 20 of 2,500 samples lie within 3 standard
deviations of its centre, and the *high-quality fraction* is the share of
samples within 3 standard deviations of some centre. A collapsed generator
captures few modes; a blurry one has a low high-quality fraction.

The generator maps Gaussian noise through three layers of 128 ReLUs to a
point in the plane; the discriminator is an MLP of the same size.

    python examples/gan_ring.py --out-dir out/gan_ring
    python examples/gan_ring.py --mixture grid --n-iter 20000 --out-dir out/gan_grid
    python examples/gan_ring.py --loss minimax --disc-steps 5 --out-dir out/gan_ring_k5
    python examples/gan_ring.py --pack 4 --out-dir out/gan_ring_pack4      # PacGAN
    python examples/gan_ring.py --pack 2 --lr 3e-4   # all 8 modes, >= 94% high quality, 5/5 seeds
    python examples/gan_ring.py --mixture grid --pack 2 --lr 1e-3 --n-iter 30000 \\
        --gradient-penalty 0.01 --ema-decay 0.999   # all 25 modes, >= 95% high quality, 5/5 seeds

Writes fit.gif (data and model samples every n_print iterations), final.png
(data, samples and the 3-sigma circles), curves.png (losses) and
metrics.json (modes captured, high-quality fraction, samples per mode). With
`--ema-decay` the samples scored and drawn come from the moving average of
the generator's weights, and metrics.json's "last_iterate" holds the
scores of the last weights.

References: Metz et al. (2017), Unrolled generative adversarial networks;
Srivastava et al. (2017), VEEGAN: reducing mode collapse in GANs using
implicit variational learning; Lin et al. (2018), PacGAN; Thanh-Tung et
al. (2019), Improving generalization and stability of generative
adversarial networks (the zero-centred gradient penalty); Yazici et al.
(2019), The unusual effectiveness of averaging in GAN training.
"""

import argparse
import json
import os
import time

import gan_infer as ed  # before TensorFlow: keeps its start-up logs off the console

# isort: split
import numpy as np
import tensorflow.compat.v1 as tf
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from gan_infer import layers
from gan_infer.criticism import Monitor, animate_2d, history_figure, save_figure
from gan_infer.criticism.toy import grid_of_gaussians, mode_coverage, ring_of_gaussians
from gan_infer.inferences.losses import GAN_LOSSES
from gan_infer.models import Normal
from gan_infer.util import atomic_write, ensure_directory

tf.disable_eager_execution()

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument(
    "--mixture",
    choices=["ring", "grid"],
    default="ring",
    help="8 modes on a ring (default) or 25 on a grid",
)
parser.add_argument(
    "--loss",
    choices=sorted(GAN_LOSSES),
    default="non_saturating",
    help="the pair of GAN losses (default non_saturating)",
)
parser.add_argument(
    "--disc-steps",
    type=int,
    default=None,
    help="k discriminator steps per generator step (Algorithm 1 of Goodfellow "
    "et al.); default: one simultaneous update of both",
)
parser.add_argument("--noise-dim", type=int, default=2, help="dimension of the noise (default 2)")
parser.add_argument(
    "--pack",
    type=int,
    default=1,
    help="PacGAN packing: D judges PACK samples at once (default 1: plain GAN)",
)
parser.add_argument(
    "--lr", type=float, default=1e-4, help="Adam learning rate of both players (default 1e-4)"
)
parser.add_argument(
    "--gradient-penalty",
    type=float,
    default=None,
    help="weight of a zero-centred gradient penalty on D between data and "
    "samples, e.g. 1 (default: none)",
)
parser.add_argument(
    "--ema-decay",
    type=float,
    default=None,
    help="score samples drawn with an exponential moving average of the "
    "generator's weights with this decay, e.g. 0.999 (default: the last "
    "weights)",
)
parser.add_argument("--n-iter", type=int, default=10000, help="training iterations (default 10000)")
parser.add_argument("--n-print", type=int, default=500, help="progress and animation frames")
parser.add_argument("--seed", type=int, default=42)
parser.add_argument("--out-dir", default="out/gan_ring")
args = parser.parse_args()
if args.n_iter < 1 or args.n_print < 1 or args.noise_dim < 1 or not args.lr > 0:
    parser.error("--n-iter, --n-print, --noise-dim and --lr must be positive")
if args.disc_steps is not None and args.disc_steps < 1:
    parser.error(f"--disc-steps must be positive, got {args.disc_steps}")
if args.gradient_penalty is not None and not args.gradient_penalty >= 0:
    parser.error(f"--gradient-penalty must be non-negative, got {args.gradient_penalty}")
if args.ema_decay is not None and not 0.0 < args.ema_decay < 1.0:
    parser.error(f"--ema-decay must lie in (0, 1), e.g. 0.999, got {args.ema_decay}")
if args.pack < 1 or 512 % args.pack:
    parser.error(f"--pack must be a positive divisor of the batch size 512, got {args.pack}")

ed.set_seed(args.seed)
out_dir = ensure_directory(args.out_dir)
M = 512  # batch size during training
N_EVAL = 2500  # samples scored at the end, as in VEEGAN

# DATA: fresh points from the mixture at every step.
mixture = ring_of_gaussians() if args.mixture == "ring" else grid_of_gaussians()
rng = np.random.default_rng(args.seed)


def next_batch():
    return mixture.sample(M, seed=rng).astype(np.float32)


# MODEL
def generative_network(eps):
    net = eps
    for _ in range(3):
        net = layers.dense(net, 128, activation=tf.nn.relu)
    return layers.dense(net, 2)  # a point in the plane, unconstrained


with tf.variable_scope("Gen"):
    eps = Normal(tf.zeros([M, args.noise_dim]), 1.0)
    x = generative_network(eps)

x_ph = tf.placeholder(tf.float32, [M, 2])


# INFERENCE
def discriminative_network(x):
    """Outputs probability in logits, one per pack of `--pack` points.

    Packing (PacGAN, Lin et al. 2018) lets D see several samples at once:
    a collapsed generator's packs look alike, real packs do not, so
    collapse becomes easy to detect and is penalised."""
    net = tf.reshape(x, [-1, 2 * args.pack])
    for _ in range(3):
        net = layers.dense(net, 128, activation=tf.nn.relu)
    return layers.dense(net, 1, activation=None)


# Adam with beta1 = 0.5, the usual setting on these mixtures (Metz et al.).
optimizer = tf.train.AdamOptimizer(args.lr, beta1=0.5)
optimizer_d = tf.train.AdamOptimizer(args.lr, beta1=0.5)

inference = ed.GANInference(data={x: x_ph}, discriminator=discriminative_network)
inference.initialize(
    optimizer=optimizer,
    optimizer_d=optimizer_d,
    loss=args.loss,
    disc_steps=args.disc_steps,
    gradient_penalty=args.gradient_penalty,
    ema_decay=args.ema_decay,
    n_iter=args.n_iter,
    n_print=args.n_print,
)

# CRITICISM, recorded during training: a batch of samples for the animation
# (and the losses, which the monitor keeps from each update's info_dict).
monitor = Monitor({"samples": x}, every=args.n_print)

sess = ed.get_session()
tf.global_variables_initializer().run()
start = time.perf_counter()
for _ in range(inference.n_iter):
    # iterate() runs the schedule: one simultaneous update, or disc_steps
    # discriminator steps and a generator step, each on a fresh batch.
    info_dict = inference.iterate(lambda: {x_ph: next_batch()})
    inference.print_progress(info_dict)
    monitor(info_dict)
seconds = time.perf_counter() - start
inference.finalize()
print(
    f"{inference.n_iter} iterations in {seconds:.0f} s "
    f"({1000 * seconds / inference.n_iter:.1f} ms per iteration)"
)


# CRITICISM: count the modes.
def draw():
    return np.concatenate([sess.run(x) for _ in range(-(-N_EVAL // M))])[:N_EVAL]


samples = draw()
coverage = mode_coverage(samples, mixture)
last_iterate = None
if args.ema_decay is not None:
    last_iterate = {
        "modes_captured": coverage.modes_captured,
        "high_quality_fraction": coverage.high_quality_fraction,
    }
    print(
        f"last weights: {coverage.modes_captured}/{mixture.n_modes} modes, "
        f"{coverage.high_quality_fraction:.1%} high quality; scored below: the weight average"
    )
    with inference.averaged_generator():
        samples = draw()
    coverage = mode_coverage(samples, mixture)
print(
    f"{args.mixture}: {coverage.modes_captured}/{mixture.n_modes} modes captured, "
    f"{coverage.high_quality_fraction:.1%} of samples within 3 std of a mode "
    f"(samples from the mixture itself: about 98.9%)"
)
print("samples per mode: " + " ".join(str(c) for c in coverage.counts))

metrics = {
    "mixture": args.mixture,
    "loss": args.loss,
    "disc_steps": args.disc_steps,
    "pack": args.pack,
    "lr": args.lr,
    "ema_decay": args.ema_decay,
    "gradient_penalty": args.gradient_penalty,
    "noise_dim": args.noise_dim,
    "n_iter": args.n_iter,
    "seed": args.seed,
    "n_samples": N_EVAL,
    "n_modes": mixture.n_modes,
    "modes_captured": coverage.modes_captured,
    "high_quality_fraction": coverage.high_quality_fraction,
    "counts": coverage.counts.tolist(),
    "last_iterate": last_iterate,
}
with atomic_write(os.path.join(out_dir, "metrics.json"), "w") as f:
    json.dump(metrics, f, indent=2)

data_samples = mixture.sample(N_EVAL, seed=rng)
title = f"{args.mixture} of {mixture.n_modes} Gaussians, {args.loss} loss"
if args.pack > 1:
    title += f", pack {args.pack}"
# A short title: the GIF's frames are small and add the iteration to it.
animate_2d(
    monitor.frames(),
    data_samples,
    os.path.join(out_dir, "fit.gif"),
    title=f"{args.mixture}, {args.loss}",
)

# The final fit: data, samples, and the 3-sigma circles that count as "high
# quality" (small: the modes are narrow).
fig = Figure(figsize=(5, 5))
ax = fig.add_subplot()
ax.scatter(data_samples[:, 0], data_samples[:, 1], s=4, alpha=0.3, color="C0", label="data")
ax.scatter(samples[:, 0], samples[:, 1], s=4, alpha=0.5, color="C1", label="model")
for centre in mixture.centers:
    ax.add_patch(Circle(centre, 3 * mixture.std, fill=False, color="k", linewidth=0.6))
extent = np.abs(mixture.centers).max() + 1.0
ax.set_xlim(-extent, extent)
ax.set_ylim(-extent, extent)
ax.set_aspect("equal")
ax.legend(loc="upper right", fontsize=8)
ax.set_title(
    f"{title}\n{coverage.modes_captured}/{mixture.n_modes} modes, "
    f"{coverage.high_quality_fraction:.0%} high quality, iteration {args.n_iter}",
    fontsize=9,
)
save_figure(fig, os.path.join(out_dir, "final.png"))
save_figure(
    history_figure(
        monitor.history, {"losses": [("loss", "generator"), ("loss_d", "discriminator")]}
    ),
    os.path.join(out_dir, "curves.png"),
)
print(f"Wrote fit.gif, final.png, curves.png and metrics.json to {out_dir}")
