#!/usr/bin/env python
"""Deep convolutional GAN (DCGAN) for MNIST.

The generator turns 100-dimensional noise into a 7x7x128 feature map and
up-samples it twice with strided transposed convolutions (7 -> 14 -> 28),
with batch normalization and ReLUs in between; the discriminator mirrors it
with strided convolutions and leaky ReLUs. These are the architecture
guidelines of Radford et al.: no pooling, batch norm in the generator,
leaky ReLU in the discriminator, Adam with learning rate 2e-4 and beta1 0.5.

    python examples/dcgan_mnist.py --data-dir ~/data/mnist --out-dir out/dcgan_mnist
    python examples/dcgan_mnist.py --loss least_squares --out-dir out/dcgan_lsgan
    python examples/dcgan_mnist.py --lr 4e-4 --n-iter 10000 --out-dir out/dcgan_4e-4

Measured (docs/results.md, seeds 1-3, scored by examples/evaluate_mnist.py):
after 10,000 iterations the Frechet distance is 20.5 +- 0.8 (6.5x lower than
the MLP GAN of gan_mnist.py), 18.3 +- 0.5 with `--loss least_squares` and
15.9 +- 2.0 with `--lr 4e-4`, but the rarest digit stays under 8 % of the
samples. The variants tried for that (PacGAN, InfoGAN codes, feature
matching, rejection sampling, conditioning on k-means clusters, ...) are
switches of experiments/dcgan_mnist_variants.py, which builds this same
model when given none of them.

Writes a 4x4 grid every n_print iterations (000.png, 001.png, ...; the same
16 noise vectors each time, so the digits can be watched forming), and at
the end an 8x8 grid (final.png), the loss curves (losses.png) and 10,000
samples (samples.npy, float32 in [0, 1], shape (10000, 784)).

References: Radford, Metz and Chintala (2016), Unsupervised representation
learning with deep convolutional generative adversarial networks.
"""

import argparse
import os
import time

import gan_infer as ed  # before TensorFlow: keeps its start-up logs off the console

# isort: split
import tensorflow.compat.v1 as tf

from gan_infer import layers
from gan_infer.criticism import draw_samples, sample_grid, save_figure, training_curves
from gan_infer.inferences.losses import GAN_LOSSES
from gan_infer.models import Uniform
from gan_infer.util import ensure_directory, save_npy
from gan_infer.util.checks import check_int, check_number

tf.disable_eager_execution()

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--n-iter", type=int, default=5000, help="training iterations (default 5000)")
parser.add_argument("--n-print", type=int, default=500, help="progress and grid every N iterations")
parser.add_argument(
    "--loss",
    choices=sorted(GAN_LOSSES),
    default="non_saturating",
    help="the pair of GAN losses (default non_saturating)",
)
parser.add_argument(
    "--lr",
    type=float,
    default=2e-4,
    help="Adam's learning rate for both networks (default 2e-4, as in the paper)",
)
parser.add_argument(
    "--data-dir",
    default=None,
    help="folder with the four MNIST .gz files (default: $GAN_INFER_DATA_DIR or "
    "a per-user cache; downloaded when missing)",
)
parser.add_argument("--out-dir", default="out/dcgan_mnist", help="where figures and samples go")
parser.add_argument(
    "--precision",
    choices=layers.PRECISIONS,
    default="float32",
    help="bfloat16: products in bfloat16, variables float32 (docs/benchmarks.md)",
)
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()
check_int(args.n_iter, "--n-iter", error=parser.error)
check_int(args.n_print, "--n-print", error=parser.error)
check_number(args.lr, "--lr", low=0.0, inclusive=False, error=parser.error)

ed.set_seed(args.seed)
out_dir = ensure_directory(args.out_dir)
M = 64  # batch size during training (the paper's mini-batch)
d = 100  # latent dimension

# DATA. Grey levels scaled to [0, 1], not binarized: the generator's sigmoid
# outputs are grey images, and a discriminator shown binary data could tell
# real from fake by that alone, whatever the digits look like.
(x_train, _), (x_valid, _), (x_test, _) = ed.datasets.mnist_splits(
    args.data_dir, validation_size=5000
)
x_train_generator = ed.datasets.batches(x_train, M)
x_ph = tf.placeholder(tf.float32, [M, 784])

# All weights start from N(0, 0.02), as in the paper.
init = tf.random_normal_initializer(stddev=0.02)


# MODEL
def generative_network(eps):
    # Batch norm normalises with the statistics of the batch being generated
    # (training=True): the samples for the figures use the same graph, in
    # batches of M, so they see the same kind of statistics as in training.
    net = layers.dense(eps, 7 * 7 * 128, kernel_initializer=init)
    net = tf.nn.relu(layers.batch_norm(net, training=True))
    net = tf.reshape(net, [M, 7, 7, 128])
    net = layers.conv2d_transpose(net, 64, 5, strides=2, kernel_initializer=init)  # 14x14
    net = tf.nn.relu(layers.batch_norm(net, training=True))
    net = layers.conv2d_transpose(
        net, 1, 5, strides=2, activation=tf.sigmoid, kernel_initializer=init
    )  # 28x28, pixels in [0, 1]
    return layers.flatten(net)


with tf.variable_scope("Gen"):
    eps = Uniform(tf.zeros([M, d]) - 1.0, tf.ones([M, d]))
    x = layers.with_precision(generative_network, args.precision)(eps)


# INFERENCE
def discriminative_network(x):
    """Outputs probability in logits."""
    net = tf.reshape(x, [-1, 28, 28, 1])
    # No batch norm on the first layer (Radford et al.): it would normalise
    # away the pixel statistics the discriminator should look at.
    net = layers.conv2d(
        net, 64, 5, strides=2, activation=layers.leaky_relu, kernel_initializer=init
    )  # 14x14
    net = layers.conv2d(
        net, 128, 5, strides=2, activation=layers.leaky_relu, kernel_initializer=init
    )  # 7x7
    net = layers.flatten(net)
    return layers.dense(net, 1, activation=None, kernel_initializer=init)


optimizer = tf.train.AdamOptimizer(args.lr, beta1=0.5)
optimizer_d = tf.train.AdamOptimizer(args.lr, beta1=0.5)

inference = ed.GANInference(
    data={x: x_ph}, discriminator=layers.with_precision(discriminative_network, args.precision)
)
inference.initialize(
    optimizer=optimizer,
    optimizer_d=optimizer_d,
    loss=args.loss,
    n_iter=args.n_iter,
    n_print=args.n_print,
)

sess = ed.get_session()
tf.global_variables_initializer().run()

# One fixed batch of noise for the progress grids: feeding it to `eps` shows
# how the same 16 noise vectors turn into digits over training.
fixed_noise = {eps: sess.run(eps)}
history = {"t": [], "loss": [], "loss_d": []}
i = 0
start = time.perf_counter()
for t in range(inference.n_iter):
    if t % inference.n_print == 0:
        samples = sess.run(x, fixed_noise)
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

# CRITICISM: what the fitted generator produces.
samples = draw_samples(x, 10000)
save_npy(os.path.join(out_dir, "samples.npy"), samples)
save_figure(sample_grid(samples, 8, 8), os.path.join(out_dir, "final.png"))
save_figure(training_curves(history), os.path.join(out_dir, "losses.png"))
print(f"Wrote {i} grids, final.png, losses.png and samples.npy to {out_dir}")
