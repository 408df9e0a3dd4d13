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
    python examples/dcgan_mnist.py --pack 2 --out-dir out/dcgan_pack2          # PacGAN
    python examples/dcgan_mnist.py --ema-decay 0.999 --out-dir out/dcgan_ema   # weight average
    python examples/dcgan_mnist.py --minibatch-stddev --out-dir out/dcgan_mbstd  # batch spread to D
    python examples/dcgan_mnist.py --save-samples-every 500   # samples_<t>.npy to follow the classes
    python examples/dcgan_mnist.py --rejection-sampling 500   # samples.npy kept by D's judgement
    python examples/dcgan_mnist.py --feature-matching 0.1 --out-dir out/dcgan_fm  # batch statistics to G
    python examples/dcgan_mnist.py --categorical-code 10 --out-dir out/infogan  # InfoGAN, codes.png
    python examples/dcgan_mnist.py --self-condition 100 --lr 4e-4 --minibatch-stddev \
        --out-dir out/dcgan_clusters   # k-means clusters: every class >= 8 %
    python examples/dcgan_mnist.py --spectral-norm --disc-dropout 0.3 --generator large \
        --out-dir out/dcgan_regularised   # D: spectral norm, dropout; G: 256-128-64 channels

Measured (docs/results.md, seeds 1-3): without clusters, `--lr 4e-4
--minibatch-stddev --n-iter 10000` reaches a Frechet distance of 15.0 +-
1.4, but its smallest class (fives or sixes) swings between 6.6 and 7.9 %
during training, and `--rejection-sampling 500` leaves the balance where it
was. With `--self-condition 50` added (k-means clusters of the training
pixels as the condition, drawn with their frequencies in the data; labels
are never read), every class holds at least 8 %: smallest class 8.34 +-
0.12 % after `--n-iter 6000` (Frechet distance 8.7 +- 0.7); with
`--self-condition 100`, 8.68 +- 0.26 % and a Frechet distance of 3.0 +-
0.2 after the default 5,000 iterations.

Writes a 4x4 grid every n_print iterations (000.png, 001.png, ...; the same
16 noise vectors each time, so the digits can be watched forming), and at
the end an 8x8 grid (final.png), the loss curves (losses.png) and 10,000
samples (samples.npy, float32 in [0, 1], shape (10000, 784)); with
`--categorical-code K`, also codes.png, one row of samples per code; with
`--self-condition K`, clusters.png, one row per cluster (four of its
training images, then four samples asked for it). With
`--ema-decay`, final.png and samples.npy come from the moving average of
the generator's weights, and samples_last_iterate.npy from the weights of
the last step, for comparison. With `--rejection-sampling STEPS`, D is
first fitted to the final generator for STEPS discriminator-only updates,
then samples.npy and final.png hold the samples that D's judgement keeps
(`ed.rejection_sample`), and samples_generator.npy the generator's own.

References: Radford, Metz and Chintala (2016), Unsupervised representation
learning with deep convolutional generative adversarial networks.
"""
import argparse
import os
import time

import numpy as np
import tensorflow.compat.v1 as tf
from scipy.cluster.vq import kmeans2

import gan_infer as ed
from gan_infer import layers
from gan_infer.criticism import draw_samples, sample_grid, save_figure, training_curves
from gan_infer.inferences.losses import GAN_LOSSES
from gan_infer.models import Categorical, Normal, Uniform
from gan_infer.util import ensure_directory, save_npy

tf.disable_eager_execution()

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--n-iter", type=int, default=5000, help="training iterations (default 5000)")
parser.add_argument("--n-print", type=int, default=500, help="progress and grid every N iterations")
parser.add_argument("--loss", choices=sorted(GAN_LOSSES), default="non_saturating",
                    help="the pair of GAN losses (default non_saturating)")
parser.add_argument("--noise", choices=["uniform", "normal"], default="uniform",
                    help="prior of the noise: Uniform(-1, 1) as in the paper, or N(0, 1)")
parser.add_argument("--pack", type=int, default=1,
                    help="PacGAN packing: D judges PACK images at once, stacked as channels "
                         "(default 1: plain DCGAN)")
parser.add_argument("--gradient-penalty", type=float, default=None,
                    help="weight of a zero-centred gradient penalty on D between data and "
                         "samples (default: none)")
parser.add_argument("--ema-decay", type=float, default=None,
                    help="sample with an exponential moving average of the generator's weights "
                         "with this decay, e.g. 0.999 (default: the last weights)")
parser.add_argument("--lr", type=float, default=2e-4,
                    help="the generator's Adam learning rate (default 2e-4, as in the paper)")
parser.add_argument("--lr-d", type=float, default=None,
                    help="the discriminator's Adam learning rate (default: --lr); e.g. "
                         "--lr 1e-4 --lr-d 4e-4 for two time-scale updates")
parser.add_argument("--minibatch-stddev", action="store_true",
                    help="give the discriminator the spread of its batch as a feature "
                         "(Karras et al. 2018), so too little variety is visible to it")
parser.add_argument("--disc-dropout", type=float, default=0.0,
                    help="dropout rate after each of the discriminator's convolutions, "
                         "e.g. 0.3 as in TensorFlow's DCGAN tutorial (default 0: none)")
parser.add_argument("--generator", choices=["small", "large"], default="small",
                    help="small: 7x7x128 -> 64 -> 1 channels (default); large: 7x7x256 -> 128 "
                         "-> 64 -> 1, TensorFlow's DCGAN tutorial, about twice the cost")
parser.add_argument("--spectral-norm", action="store_true",
                    help="spectral normalisation of the discriminator's kernels (Miyato et "
                         "al. 2018): each layer 1-Lipschitz")
parser.add_argument("--feature-matching", type=float, default=None, metavar="WEIGHT",
                    help="add feature matching (Salimans et al. 2016) on the discriminator's "
                         "last hidden layer to the generator's loss, with this weight "
                         "(default: none)")
parser.add_argument("--categorical-code", type=int, default=None, metavar="K",
                    help="InfoGAN (Chen et al. 2016): the generator also reads a code c ~ "
                         "Categorical(K) and D guesses c from the samples, so each code value "
                         "draws a recognisable kind of digit (with K = 10 not one digit each: "
                         "docs/results.md) (default: none)")
parser.add_argument("--self-condition", type=int, default=None, metavar="K",
                    help="cluster-conditioned GAN (the fixed-clustering form of Liu et al.'s "
                         "self-conditioned GAN, 2020): cluster the training images into K "
                         "groups by k-means on their pixels (no labels), then "
                         "train a GAN conditioned on the cluster, drawn with the data's "
                         "cluster frequencies, so every group keeps its share; e.g. 100 "
                         "(default: none)")
parser.add_argument("--disc-batch-norm", action="store_true",
                    help="batch norm after the discriminator's second convolution")
parser.add_argument("--save-samples-every", type=int, default=None, metavar="N",
                    help="also write samples_<t>.npy (10,000 samples) every N iterations, to "
                         "follow the class balance during training (default: only at the end)")
parser.add_argument("--rejection-sampling", type=int, default=None, metavar="STEPS",
                    help="draw samples.npy by discriminator rejection sampling (Azadi et al. "
                         "2019) after STEPS discriminator-only updates that fit D to the final "
                         "generator, e.g. 500; the generator's own samples go to "
                         "samples_generator.npy (default: none)")
parser.add_argument("--rejection-quantile", type=float, default=0.8, metavar="Q",
                    help="with --rejection-sampling: gamma is this quantile of F, so about "
                         "1 - Q of the proposals are kept with probability over 1/2 "
                         "(default 0.8)")
parser.add_argument("--data-dir", default=None,
                    help="folder with the four MNIST .gz files (default: $GAN_INFER_DATA_DIR or "
                         "a per-user cache; downloaded when missing)")
parser.add_argument("--out-dir", default="out/dcgan_mnist", help="where figures and samples go")
parser.add_argument("--seed", type=int, default=42)
args = parser.parse_args()
M = 64  # batch size during training (the paper's mini-batch)
d = 100  # latent dimension
if args.n_iter < 1 or args.n_print < 1:
    parser.error("--n-iter and --n-print must be positive")
if args.gradient_penalty is not None and not args.gradient_penalty >= 0:
    parser.error(f"--gradient-penalty must be non-negative, got {args.gradient_penalty}")
if args.feature_matching is not None and not args.feature_matching > 0:
    parser.error(f"--feature-matching must be positive, e.g. 1, got {args.feature_matching}")
if args.categorical_code is not None and args.categorical_code < 2:
    parser.error(f"--categorical-code needs at least 2 categories, got {args.categorical_code}")
if args.categorical_code and args.pack > 1:
    parser.error("--categorical-code needs one guess of the code per image; it does not go "
                 "with --pack")
if args.categorical_code and args.feature_matching:
    parser.error("--categorical-code and --feature-matching both use D's second output; "
                 "choose one")
if args.self_condition is not None:
    if args.self_condition < 2:
        parser.error(f"--self-condition needs at least 2 clusters, e.g. 100, got "
                     f"{args.self_condition}")
    for flag, value in [("--pack", args.pack > 1), ("--categorical-code", args.categorical_code),
                        ("--feature-matching", args.feature_matching),
                        ("--rejection-sampling", args.rejection_sampling is not None)]:
        if value:
            parser.error(f"--self-condition gives D a second input, the cluster; it does not "
                         f"go with {flag}")
if args.rejection_sampling is not None:
    if args.rejection_sampling < 0:
        parser.error(f"--rejection-sampling takes the number of calibration steps, 0 or more, "
                     f"e.g. 500; got {args.rejection_sampling}")
    if args.loss not in ("non_saturating", "minimax"):
        parser.error(f"--rejection-sampling reads D's logit as log p_data/p_g, which needs "
                     f"the cross-entropy discriminator of --loss non_saturating or minimax, "
                     f"not {args.loss}")
    if args.pack > 1:
        parser.error("--rejection-sampling weighs images one by one; it does not go with --pack")
    if args.ema_decay is not None:
        parser.error("--rejection-sampling calibrates D to the generator's last weights; it "
                     "does not go with --ema-decay")
if not 0.0 < args.rejection_quantile < 1.0:
    parser.error(f"--rejection-quantile must lie in (0, 1), e.g. 0.8, got "
                 f"{args.rejection_quantile}")
if args.ema_decay is not None and not 0.0 < args.ema_decay < 1.0:
    parser.error(f"--ema-decay must lie in (0, 1), e.g. 0.999, got {args.ema_decay}")
if not args.lr > 0 or (args.lr_d is not None and not args.lr_d > 0):
    parser.error(f"--lr and --lr-d must be positive, got {args.lr} and {args.lr_d}")
if args.save_samples_every is not None and args.save_samples_every < 1:
    parser.error(f"--save-samples-every must be positive, got {args.save_samples_every}")
if not 0.0 <= args.disc_dropout < 1.0:
    parser.error(f"--disc-dropout must lie in [0, 1), got {args.disc_dropout}")
if args.pack < 1 or M % args.pack:
    parser.error(f"--pack must be a positive divisor of the batch size {M}, got {args.pack}")
if args.minibatch_stddev and (M // args.pack) % 4:
    parser.error(f"--minibatch-stddev takes groups of 4 packs; --pack {args.pack} leaves "
                 f"{M // args.pack} packs a batch: use --pack {M // 4} or less")

ed.set_seed(args.seed)
out_dir = ensure_directory(args.out_dir)

# DATA. Grey levels scaled to [0, 1], not binarized: the generator's sigmoid
# outputs are grey images, and a discriminator shown binary data could tell
# real from fake by that alone, whatever the digits look like.
(x_train, _), (x_valid, _), (x_test, _) = ed.datasets.mnist(args.data_dir, validation_size=5000)
if args.self_condition:
    # Unsupervised groups of the training images: nearest of K centres in
    # pixel space. Their frequencies become the prior of the model's cluster,
    # so the generator must give every group its share of the samples.
    K = args.self_condition
    _, cluster_train = kmeans2(x_train.reshape(len(x_train), -1).astype(np.float32) / 255.0, K,
                               minit="++", seed=args.seed)
    cluster_frequencies = np.bincount(cluster_train, minlength=K) / len(cluster_train)
    print(f"k-means: {K} clusters of the training images, {cluster_frequencies.min():.2%} to "
          f"{cluster_frequencies.max():.2%} of them each")
    x_train_generator = ed.datasets.batches(x_train, M, labels=cluster_train.astype(np.int32))
else:
    x_train_generator = ed.datasets.batches(x_train, M)
x_ph = tf.placeholder(tf.float32, [M, 784])

# All weights start from N(0, 0.02), as in the paper.
init = tf.random_normal_initializer(stddev=0.02)


# MODEL
def generative_network(eps):
    # Batch norm normalises with the statistics of the batch being generated
    # (training=True): the samples for the figures use the same graph, in
    # batches of M, so they see the same kind of statistics as in training.
    channels = 256 if args.generator == "large" else 128
    net = layers.dense(eps, 7 * 7 * channels, kernel_initializer=init)
    net = tf.nn.relu(layers.batch_norm(net, training=True))
    net = tf.reshape(net, [M, 7, 7, channels])
    if args.generator == "large":
        net = layers.conv2d_transpose(net, 128, 5, strides=1, kernel_initializer=init)  # 7x7
        net = tf.nn.relu(layers.batch_norm(net, training=True))
    net = layers.conv2d_transpose(net, 64, 5, strides=2, kernel_initializer=init)  # 14x14
    net = tf.nn.relu(layers.batch_norm(net, training=True))
    net = layers.conv2d_transpose(net, 1, 5, strides=2, activation=tf.sigmoid,
                                  kernel_initializer=init)  # 28x28, pixels in [0, 1]
    return layers.flatten(net)


with tf.variable_scope("Gen"):
    if args.noise == "uniform":
        eps = Uniform(tf.zeros([M, d]) - 1.0, tf.ones([M, d]))
    else:
        eps = Normal(tf.zeros([M, d]), 1.0)
    if args.categorical_code or args.self_condition:
        if args.categorical_code:
            K = args.categorical_code
            c = Categorical(logits=tf.zeros([M, K]))
        else:
            log_frequencies = np.log(cluster_frequencies, dtype=np.float32)
            c = Categorical(logits=tf.tile(log_frequencies[None], [M, 1]))
        x = generative_network(tf.concat([eps, tf.one_hot(c, K)], axis=1))
    else:
        x = generative_network(eps)


# INFERENCE
def discriminative_network(x, cluster=None):
    """Outputs probability in logits, one per pack of `--pack` images (with
    `--self-condition`, that (x, cluster) is a real pair)."""
    if args.spectral_norm:
        # Re-enter D's scope with the getter, so its variables keep their names.
        with tf.variable_scope(tf.get_variable_scope(), auxiliary_name_scope=False,
                               custom_getter=layers.spectral_norm_getter()):
            return discriminative_layers(x, cluster)
    return discriminative_layers(x, cluster)


def discriminative_layers(x, cluster):
    # Packing (PacGAN, Lin et al. 2018): `--pack` consecutive images become
    # the channels of one input, so D judges them together and a generator
    # that keeps drawing the same few digits is easy to tell apart.
    net = tf.reshape(x, [-1, args.pack, 28, 28])
    net = tf.transpose(net, [0, 2, 3, 1])
    # No batch norm on the first layer (Radford et al.): it would normalise
    # away the pixel statistics the discriminator should look at.
    net = layers.conv2d(net, 64, 5, strides=2, activation=layers.leaky_relu,
                        kernel_initializer=init)  # 14x14
    if args.disc_dropout:
        # On whenever D runs, for its own step and the generator's, as in
        # TensorFlow's DCGAN tutorial.
        net = layers.dropout(net, rate=args.disc_dropout, training=True)
    net = layers.conv2d(net, 128, 5, strides=2, kernel_initializer=init)  # 7x7
    if args.disc_batch_norm:
        # Real and generated batches are normalised separately (D is called
        # once on each), as in the DCGAN reference code.
        net = layers.batch_norm(net, training=True)
    net = layers.leaky_relu(net)
    # The features to match: what D has learned to see in a batch, before
    # dropout and the batch spread, which describe D's noise, not the images.
    features = layers.flatten(net) if args.feature_matching or args.categorical_code else None
    if args.disc_dropout:
        net = layers.dropout(net, rate=args.disc_dropout, training=True)
    if args.minibatch_stddev:
        net = layers.minibatch_stddev(net, group_size=4)
    net = layers.flatten(net)
    logits = layers.dense(net, 1, activation=None, kernel_initializer=init)
    if cluster is not None:
        # Projection (Miyato and Koyama 2018), as in cgan_mnist.py: "does x
        # look like a member of this cluster?" is one inner product.
        embedding = layers.dense(tf.one_hot(cluster, K), int(net.shape[1]), use_bias=False,
                                 kernel_initializer=init)
        logits += tf.reduce_sum(net * embedding, axis=1, keepdims=True)
    if args.categorical_code:
        # Q(c | x) shares D's convolutions and adds a hidden layer of its own,
        # as in Chen et al.
        hidden = layers.dense(features, 128, activation=layers.leaky_relu,
                              kernel_initializer=init)
        return logits, layers.dense(hidden, args.categorical_code, kernel_initializer=init)
    return logits if features is None else (logits, features)


optimizer = tf.train.AdamOptimizer(args.lr, beta1=0.5)
optimizer_d = tf.train.AdamOptimizer(args.lr if args.lr_d is None else args.lr_d, beta1=0.5)

if args.categorical_code:
    inference = ed.InfoGANInference(data={x: x_ph}, discriminator=discriminative_network, code=c)
elif args.self_condition:
    # Binding the cluster too makes D judge (image, cluster) pairs, as in a
    # conditional GAN; the clusters of the data come from k-means above.
    cluster_ph = tf.placeholder(c.dtype, [M])
    inference = ed.GANInference(data={x: x_ph, c: cluster_ph},
                                discriminator=discriminative_network)
else:
    inference = ed.GANInference(data={x: x_ph}, discriminator=discriminative_network)
inference.initialize(optimizer=optimizer, optimizer_d=optimizer_d, loss=args.loss,
                     gradient_penalty=args.gradient_penalty, ema_decay=args.ema_decay,
                     feature_matching=args.feature_matching,
                     n_iter=args.n_iter, n_print=args.n_print)

sess = ed.get_session()
tf.global_variables_initializer().run()


# One fixed batch of noise for the progress grids: feeding it to `eps` shows
# how the same 16 noise vectors turn into digits over training.
noise = [eps, c] if args.categorical_code or args.self_condition else [eps]
fixed_noise = dict(zip(noise, sess.run(noise)))
history = {"t": [], "loss": [], "loss_d": []}
i = 0
start = time.perf_counter()
for t in range(inference.n_iter):
    if t % inference.n_print == 0:
        samples = sess.run(x, fixed_noise)
        save_figure(sample_grid(samples[:16], 4, 4),
                    os.path.join(out_dir, "{}.png".format(str(i).zfill(3))))
        i += 1

    if args.save_samples_every and t and t % args.save_samples_every == 0:
        # The noise comes from numpy, not from `eps`, so TensorFlow's random
        # streams, and so the rest of the run, are the same with or without
        # these snapshots; every snapshot uses the same 10,000 noise vectors.
        rng = np.random.default_rng(12345)
        snapshot = []
        for _ in range(-(-10000 // M)):
            feed = {eps: rng.uniform(-1, 1, (M, d)).astype(np.float32)}
            if args.categorical_code:
                feed[c] = rng.integers(0, args.categorical_code, M)
            elif args.self_condition:
                feed[c] = rng.choice(K, M, p=cluster_frequencies).astype(np.int32)
            snapshot.append(sess.run(x, feed))
        snapshot = np.concatenate(snapshot)[:10000]
        save_npy(os.path.join(out_dir, f"samples_{t}.npy"), snapshot)
    if args.self_condition:
        x_batch, cluster_batch = next(x_train_generator)
        info_dict = inference.update(feed_dict={x_ph: x_batch, cluster_ph: cluster_batch})
    else:
        info_dict = inference.update(feed_dict={x_ph: next(x_train_generator)})
    inference.print_progress(info_dict)
    for key in history:
        history[key].append(info_dict[key])
seconds = time.perf_counter() - start
inference.finalize()
print(f"{inference.n_iter} iterations in {seconds:.0f} s "
      f"({1000 * seconds / inference.n_iter:.0f} ms per iteration, grids included)")

# CRITICISM: what the fitted generator produces.
samples = draw_samples(x, 10000)
if args.ema_decay is not None:
    save_npy(os.path.join(out_dir, "samples_last_iterate.npy"), samples)
    with inference.averaged_generator():
        samples = draw_samples(x, 10000)
if args.rejection_sampling is not None:
    save_npy(os.path.join(out_dir, "samples_generator.npy"), samples)
    # D trained alongside G lags one step behind it: fit it to the final
    # generator, so that its logit estimates log p_data / p_g of these weights.
    for _ in range(args.rejection_sampling):
        inference.update(feed_dict={x_ph: next(x_train_generator)}, variables="Disc")
    samples, acceptance = ed.rejection_sample(inference, 10000,
                                              gamma_quantile=args.rejection_quantile,
                                              seed=args.seed)
    print(f"Discriminator rejection sampling kept {acceptance:.0%} of the proposals")
save_npy(os.path.join(out_dir, "samples.npy"), samples)
save_figure(sample_grid(samples, 8, 8), os.path.join(out_dir, "final.png"))
save_figure(training_curves(history), os.path.join(out_dir, "losses.png"))
if args.categorical_code:
    # Row k: code k with the same 8 noise vectors, so each row shows what
    # one code value has come to draw.
    rows = [sess.run(x, {**fixed_noise, c: np.full(M, k)})[:8] for k in range(K)]
    save_figure(sample_grid(np.concatenate(rows), K, 8), os.path.join(out_dir, "codes.png"))
    print(f"Wrote codes.png (one row per value of the code) to {out_dir}")
if args.self_condition:
    # Row k: four training images of cluster k, then four samples asked for
    # it, so each row shows whether the generator draws what the cluster holds.
    rows = []
    for k in range(K):
        members = x_train[cluster_train == k][:4].reshape(-1, 784) / 255.0
        # k-means can leave a cluster with fewer than four images (or none,
        # which the prior then never draws): blank squares keep the rows aligned.
        members = np.concatenate([members, np.zeros((4 - len(members), 784))])
        rows += [members, sess.run(x, {**fixed_noise, c: np.full(M, k)})[:4]]
    save_figure(sample_grid(np.concatenate(rows), K, 8), os.path.join(out_dir, "clusters.png"))
    print(f"Wrote clusters.png (per cluster: 4 training images, then 4 samples) to {out_dir}")
print(f"Wrote {i} grids, final.png, losses.png and samples.npy to {out_dir}")
