#!/usr/bin/env python
"""The DCGAN of examples/dcgan_mnist.py with the switches docs/results.md measured.

Without switches this script trains exactly the tutorial's model: the same
seed and flags give the same samples.npy (tests/test_examples.py checks it).
Each switch changes one thing, for the experiments on MNIST's class balance:

    python experiments/dcgan_mnist_variants.py --pack 2              # PacGAN
    python experiments/dcgan_mnist_variants.py --ema-decay 0.999     # weight average
    python experiments/dcgan_mnist_variants.py --lr 4e-4 --minibatch-stddev  # batch spread to D
    python experiments/dcgan_mnist_variants.py --save-samples-every 500  # samples_<t>.npy
    python experiments/dcgan_mnist_variants.py --rejection-sampling 500  # D keeps samples.npy
    python experiments/dcgan_mnist_variants.py --feature-matching 0.1   # batch statistics to G
    python experiments/dcgan_mnist_variants.py --categorical-code 10    # InfoGAN, codes.png
    python experiments/dcgan_mnist_variants.py --self-condition 100 --lr 4e-4 \\
        --minibatch-stddev   # k-means clusters: every class >= 8 %
    python experiments/dcgan_mnist_variants.py --spectral-norm --disc-dropout 0.3 \\
        --generator large    # D: spectral norm, dropout; G: 256-128-64 channels

Writes what the tutorial writes (000.png, ..., final.png, losses.png,
samples.npy), and: with `--categorical-code K`, codes.png, one row of
samples per code; with `--self-condition K`, clusters.png, one row per
cluster (four of its training images, then four samples asked for it); with
`--ema-decay`, final.png and samples.npy from the moving average of the
generator's weights and samples_last_iterate.npy from its last weights; with
`--rejection-sampling STEPS`, D is first fitted to the final generator for
STEPS discriminator-only updates, then samples.npy and final.png hold the
samples D's judgement keeps (`ed.rejection_sample`), and
samples_generator.npy the generator's own.
"""

import argparse
import dataclasses
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
from gan_infer.util.checks import check_int, check_number

tf.disable_eager_execution()

M = 64  # batch size during training (the paper's mini-batch)
d = 100  # latent dimension
N_SAMPLES = 10000
# All weights start from N(0, 0.02), as in the paper.
INIT = tf.random_normal_initializer(stddev=0.02)


def build_parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--n-iter", type=int, default=5000, help="training iterations (default 5000)")
    add("--n-print", type=int, default=500, help="progress and grid every N iterations")
    add(
        "--loss",
        choices=sorted(GAN_LOSSES),
        default="non_saturating",
        help="the pair of GAN losses (default non_saturating)",
    )
    add("--lr", type=float, default=2e-4, help="the generator's Adam learning rate (default 2e-4)")
    add("--data-dir", default=None, help="folder with the four MNIST .gz files")
    add("--out-dir", default="out/dcgan_mnist_variants", help="where figures and samples go")
    add("--seed", type=int, default=42)

    training = parser.add_argument_group("training").add_argument
    training(
        "--noise",
        choices=["uniform", "normal"],
        default="uniform",
        help="prior of the noise: Uniform(-1, 1) as in the paper, or N(0, 1)",
    )
    training(
        "--lr-d",
        type=float,
        default=None,
        help="the discriminator's learning rate (default: --lr); e.g. --lr 1e-4 --lr-d 4e-4",
    )
    training(
        "--gradient-penalty",
        type=float,
        default=None,
        help="weight of a zero-centred gradient penalty on D (default: none)",
    )
    training(
        "--ema-decay",
        type=float,
        default=None,
        help="sample with a moving average of G's weights, e.g. 0.999 (default: none)",
    )

    networks = parser.add_argument_group("networks").add_argument
    networks(
        "--generator",
        choices=["small", "large"],
        default="small",
        help="small: 7x7x128 -> 64 -> 1 channels (default); large: 7x7x256 -> 128 -> 64 "
        "-> 1, TensorFlow's DCGAN tutorial, about twice the cost",
    )
    networks(
        "--pack",
        type=int,
        default=1,
        help="PacGAN: D judges PACK images at once, stacked as channels (default 1)",
    )
    networks(
        "--minibatch-stddev",
        action="store_true",
        help="give D the spread of its batch as a feature (Karras et al. 2018)",
    )
    networks(
        "--disc-dropout",
        type=float,
        default=0.0,
        help="dropout rate after each of D's convolutions, e.g. 0.3 (default 0: none)",
    )
    networks(
        "--disc-batch-norm", action="store_true", help="batch norm after D's second convolution"
    )
    networks(
        "--spectral-norm",
        action="store_true",
        help="spectral normalisation of D's kernels (Miyato et al. 2018)",
    )

    objectives = parser.add_argument_group("objectives").add_argument
    objectives(
        "--feature-matching",
        type=float,
        default=None,
        metavar="WEIGHT",
        help="add feature matching on D's last hidden layer to G's loss, with this "
        "weight (Salimans et al. 2016) (default: none)",
    )
    objectives(
        "--categorical-code",
        type=int,
        default=None,
        metavar="K",
        help="InfoGAN (Chen et al. 2016): G also reads a code c ~ Categorical(K) and D "
        "guesses c from the samples (default: none)",
    )
    objectives(
        "--self-condition",
        type=int,
        default=None,
        metavar="K",
        help="condition the GAN on K k-means clusters of the training pixels (no "
        "labels), drawn with the data's frequencies; e.g. 100 (default: none)",
    )

    sampling = parser.add_argument_group("sampling").add_argument
    sampling(
        "--save-samples-every",
        type=int,
        default=None,
        metavar="N",
        help="also write samples_<t>.npy (10,000 samples) every N iterations",
    )
    sampling(
        "--rejection-sampling",
        type=int,
        default=None,
        metavar="STEPS",
        help="draw samples.npy by discriminator rejection sampling (Azadi et al. 2019) "
        "after STEPS discriminator-only updates, e.g. 500 (default: none)",
    )
    sampling(
        "--rejection-quantile",
        type=float,
        default=0.8,
        metavar="Q",
        help="with --rejection-sampling: gamma is this quantile of F (default 0.8)",
    )
    return parser


def check_values(args, error):
    """Each flag on its own."""
    check_int(args.n_iter, "--n-iter", error=error)
    check_int(args.n_print, "--n-print", error=error)
    check_number(args.lr, "--lr", low=0.0, inclusive=False, error=error)
    check_number(
        args.lr_d,
        "--lr-d",
        low=0.0,
        inclusive=False,
        allow_none=True,
        what="a positive number",
        error=error,
    )
    check_number(
        args.gradient_penalty,
        "--gradient-penalty",
        low=0.0,
        allow_none=True,
        what="a non-negative number, e.g. 1",
        error=error,
    )
    check_number(
        args.ema_decay,
        "--ema-decay",
        low=0.0,
        high=1.0,
        inclusive=False,
        allow_none=True,
        what="a number in (0, 1), e.g. 0.999",
        error=error,
    )
    check_number(
        args.feature_matching,
        "--feature-matching",
        low=0.0,
        inclusive=False,
        allow_none=True,
        what="a positive number, e.g. 0.1",
        error=error,
    )
    check_int(
        args.categorical_code,
        "--categorical-code",
        minimum=2,
        allow_none=True,
        what="at least 2 categories, e.g. 10",
        error=error,
    )
    check_int(
        args.self_condition,
        "--self-condition",
        minimum=2,
        allow_none=True,
        what="at least 2 clusters, e.g. 100",
        error=error,
    )
    check_int(
        args.save_samples_every,
        "--save-samples-every",
        allow_none=True,
        what="a positive int",
        error=error,
    )
    check_int(
        args.rejection_sampling,
        "--rejection-sampling",
        minimum=0,
        allow_none=True,
        what="0 or more calibration steps, e.g. 500",
        error=error,
    )
    check_number(
        args.rejection_quantile,
        "--rejection-quantile",
        low=0.0,
        high=1.0,
        inclusive=False,
        what="a number in (0, 1), e.g. 0.8",
        error=error,
    )
    if not 0.0 <= args.disc_dropout < 1.0:
        error(f"--disc-dropout must be a number in [0, 1), got {args.disc_dropout!r}.")
    check_int(args.pack, "--pack", error=error)
    if M % args.pack:
        error(f"--pack must be a positive divisor of the batch size {M}, got {args.pack}.")


# Switches that cannot be combined: (switch, other switch, why).
CONFLICTS = [
    ("--categorical-code", "--pack", "D must guess the code of each image"),
    ("--categorical-code", "--feature-matching", "both use D's second output"),
    ("--self-condition", "--pack", "D reads one cluster per image"),
    ("--self-condition", "--categorical-code", "G reads one condition, the cluster"),
    ("--self-condition", "--feature-matching", "D's second input is the cluster"),
    ("--self-condition", "--rejection-sampling", "D's logit depends on the cluster"),
    ("--rejection-sampling", "--pack", "it weighs images one by one"),
    ("--rejection-sampling", "--ema-decay", "it calibrates D to G's last weights"),
]


def is_on(args, flag):
    value = getattr(args, flag[2:].replace("-", "_"))
    return value > 1 if flag == "--pack" else value is not None


def check_combinations(args, error):
    """Switches that need each other's absence or a particular setting."""
    for flag, other, why in CONFLICTS:
        if is_on(args, flag) and is_on(args, other):
            error(f"{flag} does not go with {other}: {why}")
    if args.rejection_sampling is not None and args.loss not in ("non_saturating", "minimax"):
        error(
            f"--rejection-sampling reads D's logit as log p_data/p_g, which needs the "
            f"cross-entropy discriminator of --loss non_saturating or minimax, not {args.loss}"
        )
    if args.minibatch_stddev and (M // args.pack) % 4:
        error(
            f"--minibatch-stddev takes groups of 4 packs; --pack {args.pack} leaves "
            f"{M // args.pack} packs a batch: use --pack {M // 4} or less"
        )


@dataclasses.dataclass(frozen=True)
class Networks:
    """How the two networks are built; the defaults are the tutorial's DCGAN."""

    large_generator: bool = False
    pack: int = 1  # images D judges together
    minibatch_stddev: bool = False
    disc_dropout: float = 0.0
    disc_batch_norm: bool = False
    spectral_norm: bool = False
    features: bool = False  # D also returns its last hidden layer (feature matching)
    n_codes: int = None  # D also guesses an InfoGAN code of this many values
    n_clusters: int = None  # D also judges the cluster (projection)

    @classmethod
    def from_args(cls, args):
        return cls(
            large_generator=args.generator == "large",
            pack=args.pack,
            minibatch_stddev=args.minibatch_stddev,
            disc_dropout=args.disc_dropout,
            disc_batch_norm=args.disc_batch_norm,
            spectral_norm=args.spectral_norm,
            features=args.feature_matching is not None,
            n_codes=args.categorical_code,
            n_clusters=args.self_condition,
        )


def generative_network(eps, nets):
    # Batch norm uses the statistics of the batch being generated, as in the tutorial.
    channels = 256 if nets.large_generator else 128
    net = layers.dense(eps, 7 * 7 * channels, kernel_initializer=INIT)
    net = tf.nn.relu(layers.batch_norm(net, training=True))
    net = tf.reshape(net, [M, 7, 7, channels])
    if nets.large_generator:
        net = layers.conv2d_transpose(net, 128, 5, strides=1, kernel_initializer=INIT)  # 7x7
        net = tf.nn.relu(layers.batch_norm(net, training=True))
    net = layers.conv2d_transpose(net, 64, 5, strides=2, kernel_initializer=INIT)  # 14x14
    net = tf.nn.relu(layers.batch_norm(net, training=True))
    net = layers.conv2d_transpose(
        net, 1, 5, strides=2, activation=tf.sigmoid, kernel_initializer=INIT
    )  # 28x28, pixels in [0, 1]
    return layers.flatten(net)


def make_discriminator(nets):
    """D(x[, cluster]): logits, one per pack of images; with `nets.features`
    or `nets.n_codes`, a pair (logits, features or code logits)."""

    def discriminative_network(x, cluster=None):
        if nets.spectral_norm:
            # Re-enter D's scope with the getter, so its variables keep their names.
            with tf.variable_scope(
                tf.get_variable_scope(),
                auxiliary_name_scope=False,
                custom_getter=layers.spectral_norm_getter(),
            ):
                return discriminative_layers(x, cluster, nets)
        return discriminative_layers(x, cluster, nets)

    return discriminative_network


def discriminative_layers(x, cluster, nets):
    # PacGAN (Lin et al. 2018): consecutive images become the channels of one
    # input, so a generator that repeats itself is easy to tell apart.
    net = tf.transpose(tf.reshape(x, [-1, nets.pack, 28, 28]), [0, 2, 3, 1])
    net = layers.conv2d(
        net, 64, 5, strides=2, activation=layers.leaky_relu, kernel_initializer=INIT
    )  # 14x14
    if nets.disc_dropout:
        # On for both players' steps, as in TensorFlow's DCGAN tutorial.
        net = layers.dropout(net, rate=nets.disc_dropout, training=True)
    net = layers.conv2d(net, 128, 5, strides=2, kernel_initializer=INIT)  # 7x7
    if nets.disc_batch_norm:
        # Real and generated batches are normalised separately, as in the DCGAN reference code.
        net = layers.batch_norm(net, training=True)
    net = layers.leaky_relu(net)
    # Features are taken before dropout and the batch spread, which describe
    # D's noise, not the images.
    features = layers.flatten(net) if nets.features or nets.n_codes else None
    if nets.disc_dropout:
        net = layers.dropout(net, rate=nets.disc_dropout, training=True)
    if nets.minibatch_stddev:
        net = layers.minibatch_stddev(net, group_size=4)
    net = layers.flatten(net)
    logits = layers.dense(net, 1, activation=None, kernel_initializer=INIT)
    if cluster is not None:
        # Projection (Miyato and Koyama 2018), as in cgan_mnist.py.
        embedding = layers.dense(
            tf.one_hot(cluster, nets.n_clusters),
            int(net.shape[1]),
            use_bias=False,
            kernel_initializer=INIT,
        )
        logits += tf.reduce_sum(net * embedding, axis=1, keepdims=True)
    if nets.n_codes:
        # Q(c | x) shares D's convolutions and adds a hidden layer, as in Chen et al.
        hidden = layers.dense(features, 128, activation=layers.leaky_relu, kernel_initializer=INIT)
        return logits, layers.dense(hidden, nets.n_codes, kernel_initializer=INIT)
    return logits if features is None else (logits, features)


@dataclasses.dataclass
class Clusters:
    """k-means groups of the training images (no labels)."""

    of_train: np.ndarray  # the cluster of each training image
    frequencies: np.ndarray

    @classmethod
    def fit(cls, x_train, k, seed):
        pixels = x_train.reshape(len(x_train), -1).astype(np.float32) / 255.0
        _, of_train = kmeans2(pixels, k, minit="++", seed=seed)
        frequencies = np.bincount(of_train, minlength=k) / len(of_train)
        print(
            f"k-means: {k} clusters of the training images, {frequencies.min():.2%} to "
            f"{frequencies.max():.2%} of them each"
        )
        return cls(of_train, frequencies)


@dataclasses.dataclass
class Model:
    """The random variables of the program: noise, code or cluster, image."""

    eps: object
    code: object  # Categorical or None: the InfoGAN code or the cluster
    x: tf.Tensor
    n_codes: int = None  # values of `code`


def build_model(args, nets, clusters):
    with tf.variable_scope("Gen"):
        if args.noise == "uniform":
            eps = Uniform(tf.zeros([M, d]) - 1.0, tf.ones([M, d]))
        else:
            eps = Normal(tf.zeros([M, d]), 1.0)
        if nets.n_codes:
            code = Categorical(logits=tf.zeros([M, nets.n_codes]))
        elif clusters is not None:
            # Drawn with the clusters' frequencies, so every group keeps its share.
            log_frequencies = np.log(clusters.frequencies, dtype=np.float32)
            code = Categorical(logits=tf.tile(log_frequencies[None], [M, 1]))
        else:
            return Model(eps, None, generative_network(eps, nets))
        n_codes = nets.n_codes or nets.n_clusters
        x = generative_network(tf.concat([eps, tf.one_hot(code, n_codes)], axis=1), nets)
        return Model(eps, code, x, n_codes)


def build_inference(args, nets, model, x_ph):
    """The inference, and the placeholder of the data's clusters (or None)."""
    optimizer = tf.train.AdamOptimizer(args.lr, beta1=0.5)
    optimizer_d = tf.train.AdamOptimizer(args.lr if args.lr_d is None else args.lr_d, beta1=0.5)
    discriminator = make_discriminator(nets)
    cluster_ph = None
    if nets.n_codes:
        inference = ed.InfoGANInference(
            data={model.x: x_ph}, discriminator=discriminator, code=model.code
        )
    elif nets.n_clusters:
        # Binding the cluster too makes D judge (image, cluster) pairs.
        cluster_ph = tf.placeholder(model.code.dtype, [M])
        inference = ed.GANInference(
            data={model.x: x_ph, model.code: cluster_ph}, discriminator=discriminator
        )
    else:
        inference = ed.GANInference(data={model.x: x_ph}, discriminator=discriminator)
    inference.initialize(
        optimizer=optimizer,
        optimizer_d=optimizer_d,
        loss=args.loss,
        gradient_penalty=args.gradient_penalty,
        ema_decay=args.ema_decay,
        feature_matching=args.feature_matching,
        n_iter=args.n_iter,
        n_print=args.n_print,
    )
    return inference, cluster_ph


def snapshot(model, clusters):
    """10,000 samples drawn with noise from numpy, not from `eps`, so that
    TensorFlow's random streams, and so the rest of the run, are the same with
    or without snapshots; every snapshot uses the same noise."""
    rng = np.random.default_rng(12345)
    sess = ed.get_session()
    samples = []
    for _ in range(-(-N_SAMPLES // M)):
        feed = {model.eps: rng.uniform(-1, 1, (M, d)).astype(np.float32)}
        if clusters is not None:
            drawn = rng.choice(model.n_codes, M, p=clusters.frequencies)
            feed[model.code] = drawn.astype(np.int32)
        elif model.code is not None:
            feed[model.code] = rng.integers(0, model.n_codes, M)
        samples.append(sess.run(model.x, feed))
    return np.concatenate(samples)[:N_SAMPLES]


def train(args, inference, model, clusters, next_feed, out_dir):
    """The tutorial's loop, with snapshots; returns the loss history and the
    fixed noise of the progress grids."""
    sess = ed.get_session()
    noise = [model.eps] if model.code is None else [model.eps, model.code]
    fixed_noise = dict(zip(noise, sess.run(noise)))
    history = {"t": [], "loss": [], "loss_d": []}
    i = 0
    start = time.perf_counter()
    for t in range(inference.n_iter):
        if t % inference.n_print == 0:
            samples = sess.run(model.x, fixed_noise)
            save_figure(
                sample_grid(samples[:16], 4, 4),
                os.path.join(out_dir, "{}.png".format(str(i).zfill(3))),
            )
            i += 1
        if args.save_samples_every and t and t % args.save_samples_every == 0:
            save_npy(os.path.join(out_dir, f"samples_{t}.npy"), snapshot(model, clusters))
        info_dict = inference.update(feed_dict=next_feed())
        inference.print_progress(info_dict)
        for key in history:
            history[key].append(info_dict[key])
    seconds = time.perf_counter() - start
    inference.finalize()
    print(
        f"{inference.n_iter} iterations in {seconds:.0f} s "
        f"({1000 * seconds / inference.n_iter:.0f} ms per iteration, grids included)"
    )
    print(f"Wrote {i} grids to {out_dir}")
    return history, fixed_noise


def final_samples(args, inference, model, next_feed, out_dir):
    """samples.npy: the generator's, its weight average's, or those D keeps."""
    samples = draw_samples(model.x, N_SAMPLES)
    if args.ema_decay is not None:
        save_npy(os.path.join(out_dir, "samples_last_iterate.npy"), samples)
        with inference.averaged_generator():
            samples = draw_samples(model.x, N_SAMPLES)
    if args.rejection_sampling is not None:
        save_npy(os.path.join(out_dir, "samples_generator.npy"), samples)
        # D trained alongside G lags one step behind it: fit it to the final
        # generator, so that its logit estimates log p_data / p_g of these weights.
        for _ in range(args.rejection_sampling):
            inference.update(feed_dict=next_feed(), variables="Disc")
        samples, acceptance = ed.rejection_sample(
            inference, N_SAMPLES, gamma_quantile=args.rejection_quantile, seed=args.seed
        )
        print(f"Discriminator rejection sampling kept {acceptance:.0%} of the proposals")
    return samples


def code_figures(model, clusters, x_train, fixed_noise, out_dir):
    """One row per code value (codes.png) or per cluster (clusters.png), with
    the same noise in every row."""
    sess = ed.get_session()
    rows = []
    for k in range(model.n_codes):
        drawn = sess.run(model.x, {**fixed_noise, model.code: np.full(M, k)})
        if clusters is None:
            rows.append(drawn[:8])
            continue
        # Four training images of the cluster, then four samples asked for it.
        members = x_train[clusters.of_train == k][:4].reshape(-1, 784) / 255.0
        # k-means can leave a cluster with fewer than four images (or none,
        # which the prior then never draws): blank squares keep the rows aligned.
        members = np.concatenate([members, np.zeros((4 - len(members), 784))])
        rows += [members, drawn[:4]]
    name = "codes.png" if clusters is None else "clusters.png"
    save_figure(sample_grid(np.concatenate(rows), model.n_codes, 8), os.path.join(out_dir, name))
    print(f"Wrote {name} (one row per {'code' if clusters is None else 'cluster'}) to {out_dir}")


def main():
    parser = build_parser()
    args = parser.parse_args()
    check_values(args, parser.error)
    check_combinations(args, parser.error)
    nets = Networks.from_args(args)

    ed.set_seed(args.seed)
    out_dir = ensure_directory(args.out_dir)
    (x_train, _), (x_valid, _), (x_test, _) = ed.datasets.mnist_splits(
        args.data_dir, validation_size=5000
    )
    clusters = None
    if args.self_condition:
        clusters = Clusters.fit(x_train, args.self_condition, args.seed)
        batches = ed.datasets.batches(x_train, M, labels=clusters.of_train.astype(np.int32))
    else:
        batches = ed.datasets.batches(x_train, M)
    x_ph = tf.placeholder(tf.float32, [M, 784])
    model = build_model(args, nets, clusters)
    inference, cluster_ph = build_inference(args, nets, model, x_ph)

    def next_feed():
        if cluster_ph is None:
            return {x_ph: next(batches)}
        x_batch, cluster_batch = next(batches)
        return {x_ph: x_batch, cluster_ph: cluster_batch}

    ed.get_session()
    tf.global_variables_initializer().run()
    history, fixed_noise = train(args, inference, model, clusters, next_feed, out_dir)

    samples = final_samples(args, inference, model, next_feed, out_dir)
    save_npy(os.path.join(out_dir, "samples.npy"), samples)
    save_figure(sample_grid(samples, 8, 8), os.path.join(out_dir, "final.png"))
    save_figure(training_curves(history), os.path.join(out_dir, "losses.png"))
    if model.code is not None:
        code_figures(model, clusters, x_train, fixed_noise, out_dir)
    print(f"Wrote final.png, losses.png and samples.npy to {out_dir}")


if __name__ == "__main__":
    main()
