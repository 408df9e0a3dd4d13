#!/usr/bin/env python
"""Generative adversarial network for MNIST: Edward's GAN tutorial.

A generator maps 100-dimensional uniform noise through a hidden layer of
128 ReLUs to 784 pixel intensities; a discriminator of the same size tells
binarized MNIST digits from generated ones. Both train with Adam.

    python examples/gan_mnist.py --data-dir ~/data/mnist --out-dir out/gan_mnist

Writes the tutorial's 4x4 grid every n_print iterations (000.png, 001.png,
...), and at the end an 8x8 grid (final.png), the loss curves (losses.png)
and 10,000 samples (samples.npy, float32 in [0, 1], shape (10000, 784)).

References: Goodfellow et al. (2014), Generative adversarial nets.
"""

import argparse
import os

import gan_infer as ed  # before TensorFlow: keeps its start-up logs off the console

# isort: split
import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer import layers
from gan_infer.criticism import (
    draw_samples,
    interpolation_grid,
    latent_interpolation,
    sample_grid,
    save_figure,
    training_curves,
)
from gan_infer.criticism.metrics import nearest_neighbours
from gan_infer.models import Uniform
from gan_infer.util import ensure_directory, save_npy

tf.disable_eager_execution()

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--n-iter", type=int, default=15000, help="training iterations (default 15000)")
parser.add_argument(
    "--n-print", type=int, default=1000, help="progress and grid every N iterations"
)
parser.add_argument(
    "--data-dir",
    default=None,
    help="folder with the four MNIST .gz files (default: $GAN_INFER_DATA_DIR or "
    "a per-user cache; downloaded when missing)",
)
parser.add_argument("--out-dir", default="out/gan_mnist", help="where figures and samples go")
parser.add_argument(
    "--precision",
    choices=layers.PRECISIONS,
    default="float32",
    help="bfloat16: products in bfloat16, variables float32 (docs/benchmarks.md)",
)
parser.add_argument("--seed", type=int, default=42)
parser.add_argument(
    "--save-samples-at",
    type=int,
    nargs="*",
    default=[],
    metavar="T",
    help="also save 10,000 samples after these iterations (samples_T.npy)",
)
args = parser.parse_args()

ed.set_seed(args.seed)
out_dir = ensure_directory(args.out_dir)
M = 128  # batch size during training
d = 100  # latent dimension

# DATA. The tutorial's 55,000 training images (the last 5,000 are validation).
(x_train, _), (x_valid, _), (x_test, _) = ed.datasets.mnist_splits(
    args.data_dir, validation_size=5000
)
x_train_generator = ed.datasets.batches(x_train, M, binarize=True)
x_ph = tf.placeholder(tf.float32, [M, 784])


# MODEL
def generative_network(eps):
    net = layers.dense(eps, 128, activation=tf.nn.relu)
    net = layers.dense(net, 784, activation=tf.sigmoid)
    return net


with tf.variable_scope("Gen"):
    eps = Uniform(tf.zeros([M, d]) - 1.0, tf.ones([M, d]))
    x = layers.with_precision(generative_network, args.precision)(eps)


# INFERENCE
def discriminative_network(x):
    """Outputs probability in logits."""
    net = layers.dense(x, 128, activation=tf.nn.relu)
    net = layers.dense(net, 1, activation=None)
    return net


optimizer = tf.train.AdamOptimizer()
optimizer_d = tf.train.AdamOptimizer()

inference = ed.GANInference(
    data={x: x_ph}, discriminator=layers.with_precision(discriminative_network, args.precision)
)
inference.initialize(
    optimizer=optimizer, optimizer_d=optimizer_d, n_iter=args.n_iter, n_print=args.n_print
)

sess = ed.get_session()
tf.global_variables_initializer().run()

idx = np.random.randint(M, size=16)
history = {"t": [], "loss": [], "loss_d": []}
i = 0
for t in range(inference.n_iter):
    if t % inference.n_print == 0:
        samples = sess.run(x)
        samples = samples[idx,]

        fig = sample_grid(samples, 4, 4)
        save_figure(fig, os.path.join(out_dir, "{}.png".format(str(i).zfill(3))))
        i += 1

    x_batch = next(x_train_generator)
    info_dict = inference.update(feed_dict={x_ph: x_batch})
    inference.print_progress(info_dict)
    for key in history:
        history[key].append(info_dict[key])
    if info_dict["t"] in args.save_samples_at:
        save_npy(
            os.path.join(out_dir, "samples_{}.npy".format(info_dict["t"])), draw_samples(x, 10000)
        )
inference.finalize()

# CRITICISM: what the fitted generator produces.
samples = draw_samples(x, 10000)
save_npy(os.path.join(out_dir, "samples.npy"), samples)
save_figure(sample_grid(samples, 8, 8), os.path.join(out_dir, "final.png"))
save_figure(training_curves(history), os.path.join(out_dir, "losses.png"))

# Samples beside the training image nearest to the last of each row
# (Goodfellow et al., 2014, Figure 1): a copying model would show twins.
nearest = nearest_neighbours(samples[7:40:8], x_train / 255.0).indices
fig = sample_grid(samples, 5, 8, neighbours=x_train[nearest] / 255.0)
save_figure(fig, os.path.join(out_dir, "neighbours.png"))

# Walks through noise space (Figure 2): feed interpolated noise to `eps`.
eps_value = sess.run(eps)
path = latent_interpolation(eps_value[:8], eps_value[8:16], steps=10)  # (10, 8, d)
walks = np.concatenate([path.transpose(1, 0, 2).reshape(80, d), eps_value[80:]])
images = sess.run(x, {eps: walks})[:80].reshape(8, 10, 784)
save_figure(interpolation_grid(images), os.path.join(out_dir, "interpolation.png"))
print(
    f"Wrote {i} grids, final.png, losses.png, neighbours.png, interpolation.png and "
    f"samples.npy to {out_dir}"
)
