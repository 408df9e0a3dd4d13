#!/usr/bin/env python
"""Bidirectional GAN (BiGAN) for MNIST: a generator and an encoder, trained adversarially.

A GAN's generator maps codes to images but gives no way back. A BiGAN also
trains an encoder E from images to codes, and its discriminator judges
*pairs*: (x_data, E(x_data)) against (G(z), z). The only way to fool it is
for the two joint distributions to match, and then E inverts G: G(E(x))
reconstructs x, although no reconstruction loss is ever computed.

The model is the tutorial's GAN with 50-dimensional codes, z ~ Uniform(-1,
1) and G: z -> 256 ReLUs (batch-normalized) -> 784 sigmoid pixels; the
encoder (variable scope "Enc") maps an image through 256 ReLUs to a code in
(-1, 1) (tanh, the support of the prior), and is bound to z:
`latent_vars={z: qz}`. BiGANs learn slowly: expect recognisable
reconstructions only after many thousands of iterations.

    python examples/bigan_mnist.py --data-dir ~/data/mnist --out-dir out/bigan_mnist

Writes a 4x4 grid of samples every n_print iterations (000.png, 001.png,
...), and at the end reconstructions.png (rows of test digits, each followed
by its reconstruction G(E(x))), an 8x8 grid (final.png), the loss curves
(losses.png) and 10,000 samples (samples.npy, float32 in [0, 1], shape
(10000, 784)). Prints how close the reconstructions are.

References: Donahue, Krähenbühl and Darrell (2017), Adversarial feature
learning; Dumoulin et al. (2017), Adversarially learned inference.
"""

import argparse
import os
import time

import gan_infer as ed  # before TensorFlow: keeps its start-up logs off the console

# isort: split
import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer import layers
from gan_infer.criticism import draw_samples, sample_grid, save_figure, training_curves
from gan_infer.criticism.metrics import nearest_neighbours
from gan_infer.models import Uniform
from gan_infer.util import ensure_directory, save_npy

tf.disable_eager_execution()

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--n-iter", type=int, default=10000, help="training iterations (default 10000)")
parser.add_argument(
    "--n-print", type=int, default=1000, help="progress and grid every N iterations"
)
parser.add_argument(
    "--dropout",
    type=float,
    default=0.2,
    help="dropout rate in the discriminator (default 0.2; 0 for none)",
)
parser.add_argument(
    "--data-dir",
    default=None,
    help="folder with the four MNIST .gz files (default: $GAN_INFER_DATA_DIR or "
    "a per-user cache; downloaded when missing)",
)
parser.add_argument("--out-dir", default="out/bigan_mnist", help="where figures and samples go")
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()
if args.n_iter < 1 or args.n_print < 1:
    parser.error("--n-iter and --n-print must be positive")
if not 0 <= args.dropout < 1:
    parser.error(f"--dropout must be in [0, 1), got {args.dropout}")

ed.set_seed(args.seed)
out_dir = ensure_directory(args.out_dir)
M = 100  # batch size during training
d = 50  # latent dimension

# DATA. Grey levels scaled to [0, 1], not binarized: the generator's sigmoid
# outputs are grey images, and binary data would let the discriminator tell
# them apart by that alone.
(x_train, y_train), (x_valid, _), (x_test, y_test) = ed.datasets.mnist_splits(
    args.data_dir, validation_size=5000
)
x_train_generator = ed.datasets.batches(x_train, M)
x_ph = tf.placeholder(tf.float32, [M, 784])


# MODEL: z ~ p(z), x = G(z).
def generative_network(z):
    # Batch norm before the ReLUs (a DCGAN guideline) keeps the generator
    # from collapsing onto one image early on, which a BiGAN's discriminator,
    # looking at pixels and codes at once, otherwise provokes. It normalises
    # with the statistics of the batch being generated (training=True), also
    # for the samples and reconstructions below, which come in batches of M.
    net = layers.dense(z, 256)
    net = tf.nn.relu(layers.batch_norm(net, training=True))
    net = layers.dense(net, 784, activation=tf.sigmoid)
    return net


with tf.variable_scope("Gen"):
    z = Uniform(tf.zeros([M, d]) - 1.0, tf.ones([M, d]))
    x = generative_network(z)


# INFERENCE NETWORK: the encoder, qz = E(x_data).
def encoder_network(x):
    net = layers.dense(x, 256, activation=tf.nn.relu)
    # tanh: codes in (-1, 1), where the prior puts z; outside it the
    # discriminator would spot encoded pairs by their codes alone.
    net = layers.dense(net, d, activation=tf.tanh)
    return net


with tf.variable_scope("Enc"):
    qz = encoder_network(x_ph)


# The joint discriminator: is (x, z) a data image with its code, or a
# sample with the noise that made it?
def discriminative_network(x, z):
    """Outputs probability in logits."""
    net = tf.concat([x, z], axis=1)  # 784 + 50 inputs
    net = layers.dense(net, 256, activation=layers.leaky_relu)
    if args.dropout > 0:
        # The discriminator runs only in training steps, so always on.
        net = layers.dropout(net, rate=args.dropout, training=True)
    net = layers.dense(net, 1, activation=None)
    return net


optimizer = tf.train.AdamOptimizer(2e-4, beta1=0.5)  # trains G and E together
optimizer_d = tf.train.AdamOptimizer(2e-4, beta1=0.5)

inference = ed.BiGANInference(
    latent_vars={z: qz}, data={x: x_ph}, discriminator=discriminative_network
)
inference.initialize(
    optimizer=optimizer, optimizer_d=optimizer_d, n_iter=args.n_iter, n_print=args.n_print
)

sess = ed.get_session()
tf.global_variables_initializer().run()


z_fixed = sess.run(z)  # the same 16 codes in every progress grid
history = {"t": [], "loss": [], "loss_d": []}
i = 0
start = time.perf_counter()
for t in range(inference.n_iter):
    if t % inference.n_print == 0:
        samples = sess.run(x, {z: z_fixed})
        save_figure(
            sample_grid(samples[:16], 4, 4), os.path.join(out_dir, "{}.png".format(str(i).zfill(3)))
        )
        i += 1

    x_batch = next(x_train_generator)
    info_dict = inference.update(feed_dict={x_ph: x_batch})
    inference.print_progress(info_dict)
    for key in history:
        history[key].append(info_dict[key])
seconds = time.perf_counter() - start
inference.finalize()
print(
    f"{inference.n_iter} iterations in {seconds:.0f} s "
    f"({1000 * seconds / inference.n_iter:.0f} ms per iteration, grids included)"
)

# CRITICISM: samples, and reconstructions of test digits. Encode a batch by
# running the encoder on it, then decode the codes by feeding them to the
# model's random variable z.
samples = draw_samples(x, 10000)
save_npy(os.path.join(out_dir, "samples.npy"), samples)
save_figure(sample_grid(samples, 8, 8), os.path.join(out_dir, "final.png"))
save_figure(
    training_curves(history, labels=("generator and encoder", "discriminator")),
    os.path.join(out_dir, "losses.png"),
)

x_test_batch = x_test[:M].astype(np.float32) / 255.0
codes = sess.run(qz, {x_ph: x_test_batch})
reconstructions = sess.run(x, {z: codes})
# Rows of 10 test digits, each row followed by its reconstructions.
rows = [
    block
    for r in range(5)
    for block in (x_test_batch[10 * r : 10 * r + 10], reconstructions[10 * r : 10 * r + 10])
]
save_figure(sample_grid(np.concatenate(rows), 10, 10), os.path.join(out_dir, "reconstructions.png"))

# How close is G(E(x)) to x? Against the distance to another test digit (a
# code that ignored x would do that well), and whether the reconstruction
# keeps the digit: the label of its nearest training image.
error = np.mean((reconstructions - x_test_batch) ** 2)
baseline = np.mean((np.roll(x_test_batch, 1, axis=0) - x_test_batch) ** 2)
nearest = nearest_neighbours(reconstructions, x_train[:10000] / 255.0).indices
same_digit = np.mean(y_train[nearest] == y_test[:M])
print(
    f"Reconstructions of {M} test digits: mean squared error per pixel {error:.4f} (another "
    f"test digit: {baseline:.4f}); same digit as the input for {same_digit:.0%} (chance 10%)"
)
print(f"Wrote {i} grids, reconstructions.png, final.png, losses.png and samples.npy to {out_dir}")
