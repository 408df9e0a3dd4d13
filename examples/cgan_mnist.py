#!/usr/bin/env python
"""Conditional GAN for MNIST: generate the digit you ask for.

A conditional GAN is a GAN on the joint distribution of images and labels.
The model is a program for both: a label y ~ Categorical (uniform over the
ten digits), then an image x = G(eps, y) from noise and the label's one-hot
code. Both are bound to data, `data={x: x_ph, y: y_ph}`, so the
discriminator D(x, y) judges (image, label) *pairs*: a well-drawn 3 that
was asked to be a 7 is a fake. After training, feeding the random variable
y a label asks the generator for that digit: `sess.run(x, {y: sevens})`.

The generator sees the label as ten more inputs beside the noise. By
default both networks are MLPs with two hidden layers of 512 units
(`--hidden`; 110 -> 512 -> 512 -> 784 for the generator), the original
paper's kind of network, with dropout in the discriminator. The
discriminator adds a projection term <embedding(y), h(x)> to its output
(Miyato and Koyama), which makes the generator follow the label much sooner
than the original design, where the label is concatenated to the pixels
(`--discriminator concat`). With `--network conv` both are small DCGANs
instead (the generator maps [noise, one-hot] to a 7x7x64 map and up-samples
it twice with batch norm and ReLUs; the discriminator down-samples twice
with strided convolutions): about four times slower per iteration here, and
not trained past 5,000 iterations in docs/results.md (91.4 % of samples drawn
as asked, against 97.6 % for the MLPs' default 50,000).

    python examples/cgan_mnist.py --data-dir ~/data/mnist --out-dir out/cgan_mnist
    python examples/cgan_mnist.py --hidden 256 --n-iter 30000 --out-dir out/cgan_small
    python examples/cgan_mnist.py --network conv --n-iter 5000 --out-dir out/cgan_conv
    python examples/cgan_mnist.py --discriminator concat --out-dir out/cgan_concat

Writes a 10x10 grid every n_print iterations (000.png, 001.png, ...) and
at the end (digits.png): row k holds digits asked to be k, and each column
shares its noise, so a column shows one "style" across digits. Also writes
the loss curves (losses.png), 10,000 samples asked to be 0, ..., 9 (1,000
each; samples.npy, float32 in [0, 1], shape (10000, 784)) with the
requested labels (labels.npy, int64), and prints how often the nearest
training image of a sample carries the requested label.

References: Mirza and Osindero (2014), Conditional generative adversarial nets;
Miyato and Koyama (2018), cGANs with projection discriminator.
"""

import argparse
import os
import time

import gan_infer as ed  # before TensorFlow: keeps its start-up logs off the console

# isort: split
import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer import layers
from gan_infer.criticism import sample_grid, save_figure, training_curves
from gan_infer.criticism.metrics import nearest_neighbours
from gan_infer.models import Categorical, Uniform
from gan_infer.util import atomic_write, ensure_directory

tf.disable_eager_execution()

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--n-iter", type=int, default=50000, help="training iterations (default 50000)")
parser.add_argument(
    "--n-print", type=int, default=1000, help="progress and grid every N iterations"
)
parser.add_argument(
    "--network",
    choices=["mlp", "conv"],
    default="mlp",
    help="MLPs (default) or small convolutional networks for both players",
)
parser.add_argument(
    "--hidden",
    type=int,
    nargs="+",
    default=None,
    metavar="UNITS",
    help="hidden layer widths of both MLPs (default: 512 512)",
)
parser.add_argument(
    "--discriminator",
    choices=["projection", "concat"],
    default="projection",
    help="how D(x, y) sees the label: a projection term (default) or as extra "
    "inputs concatenated to the pixels",
)
parser.add_argument(
    "--data-dir",
    default=None,
    help="folder with the four MNIST .gz files (default: $GAN_INFER_DATA_DIR or "
    "a per-user cache; downloaded when missing)",
)
parser.add_argument("--out-dir", default="out/cgan_mnist", help="where figures and samples go")
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()
if args.n_iter < 1 or args.n_print < 1:
    parser.error("--n-iter and --n-print must be positive")
if args.hidden is not None and args.network != "mlp":
    parser.error("--hidden sets the widths of the MLPs; it has no effect with --network conv")
args.hidden = args.hidden or [512, 512]
if min(args.hidden) < 1:
    parser.error(f"--hidden widths must be positive, got {args.hidden}")

ed.set_seed(args.seed)
out_dir = ensure_directory(args.out_dir)
M = 64  # batch size during training
d = 100  # latent dimension
K = 10  # number of classes

# DATA: images *and* their labels. Grey levels scaled to [0, 1], not
# binarized: the generator's sigmoid outputs are grey images, and binary
# data would let the discriminator tell them apart by that alone.
(x_train, y_train), (x_valid, y_valid), (x_test, y_test) = ed.datasets.mnist_splits(
    args.data_dir, validation_size=5000
)
train_generator = ed.datasets.batches(x_train, M, labels=y_train.astype(np.int32))
x_ph = tf.placeholder(tf.float32, [M, 784])


# MODEL: p(y) p(x | y).
# Convolution weights start from N(0, 0.02), as in DCGAN.
init = tf.random_normal_initializer(stddev=0.02)


def generative_network(eps, y_one_hot):
    net = tf.concat([eps, y_one_hot], axis=1)  # 110 inputs
    if args.network == "mlp":
        for units in args.hidden:
            net = layers.dense(net, units, activation=tf.nn.relu)
        return layers.dense(net, 784, activation=tf.sigmoid)
    # Batch norm uses the statistics of the batch being generated, so the
    # samples drawn below mix the requested digits in every batch, as the
    # training batches do (see `generate`).
    net = layers.dense(net, 7 * 7 * 64, kernel_initializer=init)
    net = tf.nn.relu(layers.batch_norm(net, training=True))
    net = tf.reshape(net, [M, 7, 7, 64])
    net = layers.conv2d_transpose(net, 32, 5, strides=2, kernel_initializer=init)  # 14x14
    net = tf.nn.relu(layers.batch_norm(net, training=True))
    net = layers.conv2d_transpose(
        net, 1, 5, strides=2, activation=tf.sigmoid, kernel_initializer=init
    )  # 28x28, pixels in [0, 1]
    return layers.flatten(net)


with tf.variable_scope("Gen"):
    y = Categorical(logits=tf.zeros([M, K]))  # a uniform prior over the digits
    eps = Uniform(tf.zeros([M, d]) - 1.0, tf.ones([M, d]))
    x = generative_network(eps, tf.one_hot(y, K))

# The labels' placeholder takes the model's label dtype (int32).
y_ph = tf.placeholder(y.dtype, [M])


# INFERENCE
def discriminative_network(x, y):
    """Outputs probability in logits that (x, y) is a real (image, label) pair."""
    y_one_hot = tf.one_hot(y, K)
    if args.network == "conv":
        h = tf.reshape(x, [-1, 28, 28, 1])
        if args.discriminator == "concat":
            # The label as ten constant image channels beside the pixels.
            h = tf.concat([h, tf.tile(y_one_hot[:, None, None, :], [1, 28, 28, 1])], axis=3)
        h = layers.conv2d(
            h, 32, 5, strides=2, activation=layers.leaky_relu, kernel_initializer=init
        )  # 14x14
        h = layers.conv2d(
            h, 64, 5, strides=2, activation=layers.leaky_relu, kernel_initializer=init
        )  # 7x7
        h = layers.flatten(h)
    else:
        # Mirza and Osindero's concatenation: the label is just 10 more inputs
        # beside the 784 pixels.
        h = tf.concat([x, y_one_hot], axis=1) if args.discriminator == "concat" else x
        for units in args.hidden[:-1]:
            h = layers.dense(h, units, activation=layers.leaky_relu)
            h = layers.dropout(h, rate=0.5, training=True)
        h = layers.dense(h, args.hidden[-1], activation=layers.leaky_relu)
    # Dropout (as in Mirza and Osindero) keeps the discriminator from winning
    # outright early on; without it the generator collapses onto one
    # drawing per digit.
    h = layers.dropout(h, rate=0.5, training=True)
    logits = layers.dense(h, 1, activation=None)
    if args.discriminator == "projection":
        # Miyato and Koyama: add the inner product of the image's features
        # with an embedding of the label, so "does x look like a y?" is one
        # term the discriminator gets for free; the generator then learns to
        # follow the label several times sooner than with concatenation.
        embedding = layers.dense(y_one_hot, int(h.shape[1]), use_bias=False)
        logits += tf.reduce_sum(h * embedding, axis=1, keepdims=True)
    return logits


optimizer = tf.train.AdamOptimizer(2e-4, beta1=0.5)
optimizer_d = tf.train.AdamOptimizer(2e-4, beta1=0.5)

# Binding y too makes this a conditional GAN: the discriminator is called
# as D(x_ph, y_ph) on data and D(x, y) on the model's samples.
inference = ed.GANInference(data={x: x_ph, y: y_ph}, discriminator=discriminative_network)
inference.initialize(
    optimizer=optimizer, optimizer_d=optimizer_d, n_iter=args.n_iter, n_print=args.n_print
)

sess = ed.get_session()
tf.global_variables_initializer().run()

# Fixed noise: column j of the digit grid uses noise j for every digit.
eps_fixed = sess.run(eps)[:10]


def generate(labels, noise=None):
    """Samples asked to be `labels` (and drawn from `noise`, if given).

    The requested digits are shuffled across batches of M and put back in
    order afterwards: every batch then mixes the digits as the training
    batches do, which matters to the generator's batch norm."""
    order = np.random.default_rng(0).permutation(len(labels))
    padding = -len(labels) % M  # whole batches
    batches = np.concatenate([np.asarray(labels)[order], np.zeros(padding, np.int64)])
    feeds = [{y: batch.astype(np.int32)} for batch in batches.reshape(-1, M)]
    if noise is not None:
        shuffled = np.concatenate([noise[order], sess.run(eps)[:padding]])
        for feed, rows in zip(feeds, shuffled.reshape(-1, M, d)):
            feed[eps] = rows
    samples = np.concatenate([sess.run(x, feed) for feed in feeds])[: len(labels)]
    restored = np.empty_like(samples)
    restored[order] = samples
    return restored


def digit_grid():
    """10x10 figure: row k holds digits asked to be k, column j noise j."""
    labels = np.repeat(np.arange(K), 10)
    return sample_grid(generate(labels, np.tile(eps_fixed, (K, 1))), K, 10)


def save_samples(samples_path, labels_path, per_digit=1000):
    """per_digit samples asked to be each digit (float32 in [0, 1], (10 per_digit, 784)),
    and the requested labels (int64)."""
    labels = np.repeat(np.arange(K, dtype=np.int64), per_digit)
    samples = generate(labels)
    with atomic_write(samples_path) as f:
        np.save(f, samples.astype(np.float32))
    with atomic_write(labels_path) as f:
        np.save(f, labels)
    return samples, labels


history = {"t": [], "loss": [], "loss_d": []}
i = 0
start = time.perf_counter()
for t in range(inference.n_iter):
    if t % inference.n_print == 0:
        save_figure(digit_grid(), os.path.join(out_dir, "{}.png".format(str(i).zfill(3))))
        i += 1

    # Images and labels come from the same rows of the training set.
    x_batch, y_batch = next(train_generator)
    feed_dict = {x_ph: x_batch, y_ph: y_batch}
    info_dict = inference.update(feed_dict=feed_dict)
    inference.print_progress(info_dict)
    for key in history:
        history[key].append(info_dict[key])
seconds = time.perf_counter() - start
inference.finalize()
print(
    f"{inference.n_iter} iterations in {seconds:.0f} s "
    f"({1000 * seconds / inference.n_iter:.0f} ms per iteration, grids included)"
)

# CRITICISM: does the generator draw the digit it is asked for?
samples, labels = save_samples(
    os.path.join(out_dir, "samples.npy"), os.path.join(out_dir, "labels.npy")
)
save_figure(digit_grid(), os.path.join(out_dir, "digits.png"))
save_figure(training_curves(history), os.path.join(out_dir, "losses.png"))

# A cheap check without a trained classifier: the label of the nearest of
# 10,000 training images (a 1-nearest-neighbour classifier), for 100 samples
# per requested digit. The same classifier on real held-out digits gives
# the score of a perfect generator; chance is 10%.
reference = x_train[:10000] / 255.0
subset = np.concatenate([np.flatnonzero(labels == k)[:100] for k in range(K)])
agree = y_train[nearest_neighbours(samples[subset], reference).indices] == labels[subset]
real = y_train[nearest_neighbours(x_valid[:1000] / 255.0, reference).indices] == y_valid[:1000]
print(
    f"Nearest training image has the requested label for {agree.mean():.1%} of samples "
    f"(real validation digits: {real.mean():.1%}); per digit: "
    + " ".join(f"{k}: {agree[labels[subset] == k].mean():.0%}" for k in range(K))
)
print(f"Wrote {i} grids, digits.png, losses.png, samples.npy and labels.npy to {out_dir}")
