#!/usr/bin/env python
"""Wasserstein GAN with gradient penalty (WGAN-GP) for MNIST.

The tutorial's MLPs, a little wider: the generator maps 100-dimensional
normal noise through 256 ReLUs to 784 pixel intensities; the critic f maps
an image through 256 leaky ReLUs to one unbounded real number (no sigmoid,
no batch norm: the penalty is on the gradient for each example, which batch
norm would couple across the batch). The critic is trained 5 times per
generator step to estimate the Wasserstein-1 distance

    W(p_data, p_model) ~ max_f  E f(x) - E f(G(z))   over 1-Lipschitz f,

and the generator to lower it. With `--clip 0.01` the Lipschitz constraint
is the original WGAN's weight clipping instead of the penalty, with
RMSProp at 5e-5 as in that paper.

    python examples/wgan_mnist.py --data-dir ~/data/mnist --out-dir out/wgan_mnist
    python examples/wgan_mnist.py --clip 0.01 --out-dir out/wgan_clip_mnist

Unlike a GAN's losses, the critic's estimate means something: after a
first rise, while the critic learns, it falls roughly monotonically as the
samples improve. critic.png plots it (on held-out digits) with -L_D on the
training batches. Also writes a 4x4 grid every n_print iterations (000.png,
...), an 8x8 grid (final.png) and 10,000 samples (samples.npy, float32 in
[0, 1], shape (10000, 784)).

References: Arjovsky, Chintala and Bottou (2017), Wasserstein GAN;
Gulrajani et al. (2017), Improved training of Wasserstein GANs.
"""

import argparse
import os
import time

import gan_infer as ed  # before TensorFlow: keeps its start-up logs off the console

# isort: split
import tensorflow.compat.v1 as tf

from gan_infer import layers
from gan_infer.criticism import Monitor, draw_samples, history_figure, sample_grid, save_figure
from gan_infer.models import Normal
from gan_infer.util import ensure_directory, save_npy

tf.disable_eager_execution()

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument(
    "--n-iter",
    type=int,
    default=5000,
    help="generator iterations, each after 5 critic steps (default 5000)",
)
parser.add_argument("--n-print", type=int, default=500, help="progress and grid every N iterations")
parser.add_argument(
    "--penalty",
    type=float,
    default=10.0,
    help="weight of the gradient penalty (default 10, as in WGAN-GP)",
)
parser.add_argument(
    "--clip",
    type=float,
    default=None,
    help="clip the critic's weights to [-c, c] instead of the penalty (original "
    "WGAN, e.g. 0.01; then RMSProp 5e-5)",
)
parser.add_argument("--disc-steps", type=int, default=5, help="critic steps per generator step")
parser.add_argument(
    "--data-dir",
    default=None,
    help="folder with the four MNIST .gz files (default: $GAN_INFER_DATA_DIR or "
    "a per-user cache; downloaded when missing)",
)
parser.add_argument("--out-dir", default="out/wgan_mnist", help="where figures and samples go")
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()
if args.n_iter < 1 or args.n_print < 1 or args.disc_steps < 1:
    parser.error("--n-iter, --n-print and --disc-steps must be positive")
if args.clip is not None and args.clip <= 0:
    parser.error(f"--clip must be positive, got {args.clip}")

ed.set_seed(args.seed)
out_dir = ensure_directory(args.out_dir)
M = 64  # batch size during training
d = 100  # latent dimension

# DATA. Grey levels scaled to [0, 1], not binarized: the generator's sigmoid
# outputs are grey, and the critic would otherwise measure mostly the
# distance between grey and black-and-white pixels.
(x_train, _), (x_valid, _), (x_test, _) = ed.datasets.mnist_splits(
    args.data_dir, validation_size=5000
)
x_train_generator = ed.datasets.batches(x_train, M)
x_ph = tf.placeholder(tf.float32, [M, 784])


# MODEL
def generative_network(eps):
    net = layers.dense(eps, 256, activation=tf.nn.relu)
    net = layers.dense(net, 784, activation=tf.sigmoid)
    return net


with tf.variable_scope("Gen"):
    eps = Normal(tf.zeros([M, d]), 1.0)
    x = generative_network(eps)


# INFERENCE
def critic_network(x):
    """Outputs an unbounded score f(x): higher for data-like images."""
    net = layers.dense(x, 256, activation=layers.leaky_relu)
    net = layers.dense(net, 1, activation=None)
    return net


if args.clip is None:
    # Gulrajani et al.'s settings: Adam with a low beta1 and beta2 = 0.9.
    penalty = args.penalty
    optimizer = tf.train.AdamOptimizer(1e-4, beta1=0.5, beta2=0.9)
    optimizer_d = tf.train.AdamOptimizer(1e-4, beta1=0.5, beta2=0.9)
else:
    # Arjovsky et al.: momentum-based optimizers (Adam) were unstable with
    # clipped weights, so RMSProp with a small learning rate.
    penalty = None
    optimizer = tf.train.RMSPropOptimizer(5e-5)
    optimizer_d = tf.train.RMSPropOptimizer(5e-5)

inference = ed.WGANInference(data={x: x_ph}, discriminator=critic_network)
inference.initialize(
    penalty=penalty,
    clip=args.clip,
    optimizer=optimizer,
    optimizer_d=optimizer_d,
    disc_steps=args.disc_steps,
    n_iter=args.n_iter,
    n_print=args.n_print,
)

# CRITICISM, recorded during training: the critic's estimate of W on a fixed
# batch of held-out digits, E f(x_valid) - E f(G(z)), without the penalty.
# The monitor also keeps the losses of the iterations it records.
w_estimate = tf.reduce_mean(inference.d_true) - tf.reduce_mean(inference.d_fake)
x_valid_batch = next(ed.datasets.batches(x_valid, M))
monitor = Monitor(
    {"w_estimate": w_estimate}, every=max(1, args.n_print // 10), feed_dict={x_ph: x_valid_batch}
)

sess = ed.get_session()
tf.global_variables_initializer().run()


eps_fixed = sess.run(eps)  # the same 16 noise vectors in every progress grid
i = 0
start = time.perf_counter()
for t in range(inference.n_iter):
    if t % inference.n_print == 0:
        samples = sess.run(x, {eps: eps_fixed})
        save_figure(
            sample_grid(samples[:16], 4, 4), os.path.join(out_dir, "{}.png".format(str(i).zfill(3)))
        )
        i += 1

    # One iteration: disc_steps critic steps, then a generator step, each on
    # a fresh batch (iterate() calls the function once per step).
    info_dict = inference.iterate(lambda: {x_ph: next(x_train_generator)})
    inference.print_progress(info_dict)
    monitor(info_dict)
seconds = time.perf_counter() - start
inference.finalize()
print(
    f"{inference.n_iter} iterations ({args.disc_steps} critic steps + 1 generator step each) "
    f"in {seconds:.0f} s ({1000 * seconds / inference.n_iter:.0f} ms per iteration, "
    "grids included)"
)

# CRITICISM: what the fitted generator produces, and the critic's estimate.
samples = draw_samples(x, 10000)
save_npy(os.path.join(out_dir, "samples.npy"), samples)
save_figure(sample_grid(samples, 8, 8), os.path.join(out_dir, "final.png"))

# -L_D of the last critic step of each recorded iteration (on a training
# batch, with the penalty, which is >= 0, subtracted).
history = dict(monitor.history, neg_loss_d=[-v for v in monitor.history["loss_d"]])
save_figure(
    history_figure(
        history,
        {
            "critic's estimate of the Wasserstein distance": [
                ("w_estimate", "E f(x_valid) - E f(G(z))"),
                ("neg_loss_d", "-L_D (training batch)"),
            ],
            "generator loss": [("loss", "L_G = -E f(G(z))")],
        },
    ),
    os.path.join(out_dir, "critic.png"),
)
w = monitor.history["w_estimate"]
print(
    f"Critic's estimate of W on held-out digits: {w[0]:.3f} at iteration "
    f"{monitor.history['t'][0]}, {w[-1]:.3f} at iteration {monitor.history['t'][-1]}"
)
print(f"Wrote {i} grids, final.png, critic.png and samples.npy to {out_dir}")
