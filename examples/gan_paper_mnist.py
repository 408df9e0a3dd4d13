#!/usr/bin/env python
"""Goodfellow et al. (2014) on MNIST: the paper's model, trained as released.

The configuration of the authors' released code (mnist.yaml of
github.com/goodfeli/adversarial), written as the tutorial's GAN:

- data: grey-level digits in [0, 1], the first 50,000 training images (the
  last 10,000 are the validation set);
- generator: noise U(-sqrt 3, sqrt 3)^100 -> 1200 ReLU -> 1200 ReLU -> 784
  sigmoid, weights uniform in +-0.05, output biases the logits of the mean
  training pixels;
- discriminator: maxout 240 x 5 -> maxout 240 x 5 -> 1 logit, weights
  uniform in +-0.005, dropout keeping 0.8 of the pixels and 0.5 of the
  hidden units;
- SGD with momentum, batch 100, learning rate 0.1 / 1.000004^t (floor 1e-6),
  momentum 0.5 -> 0.7 over the first 250 epochs; each update steps both
  players on the same batch and noise, as pylearn2 did, the generator with
  the non-saturating loss.

    python examples/gan_paper_mnist.py --data-dir ~/data/mnist --out-dir out/gan_paper --seed 1

Every epoch is a checkpoint in OUT/checkpoints: the same command resumes an
interrupted run (Ctrl-C saves first), a larger --n-epochs continues a
finished one. Every --eval-every epochs and at the end, the Parzen-window
test log-likelihood with the released protocol (10,000 samples; sigma chosen
on the first 1,000 validation images; mean over the 10,000 test images +-
standard error) joins metrics.json, with the score of the 9,000 validation
images that did not choose sigma (to select an epoch without the test set),
the epochs, ms per iteration and wall time. `--noise gaussian` draws
z ~ N(0, 1) instead of the released uniform noise (both of unit variance).
Table 1's runs (seeds 1-3, longer, Gaussian) run as a queue outside the
checkout: experiments/table1_runs.sh. Also writes a 4x4 grid every n_print
iterations (000.png, ...), and at the end an 8x8 grid (final.png), the loss
curves (losses.png), the
paper's Figure 2 (figure2.png: samples, the nearest training image of the
last of each row in yellow) and the 10,000 samples scored (samples.npy).

References: Goodfellow et al. (2014), Generative adversarial nets;
Goodfellow et al. (2013), Maxout networks.
"""

import argparse
import json
import os
import time

import gan_infer as ed  # before TensorFlow: keeps its start-up logs off the console

# isort: split
import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer import layers
from gan_infer.criticism import draw_samples, sample_grid, save_figure, training_curves
from gan_infer.criticism.metrics import (
    nearest_neighbours,
    parzen_log_likelihood,
    parzen_window_estimate,
)
from gan_infer.inferences.optimizers import exponential_decay, linear_ramp
from gan_infer.models import Normal, Uniform
from gan_infer.util import atomic_write, ensure_directory, save_npy
from gan_infer.util.checks import check_int

tf.disable_eager_execution()

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--n-epochs", type=int, default=500, help="epochs of 500 batches (default 500)")
parser.add_argument("--n-iter", type=int, default=None, help="iterations instead of --n-epochs")
parser.add_argument("--n-print", type=int, default=5000, help="progress, grid every N iterations")
parser.add_argument("--eval-every", type=int, default=25, help="Parzen estimate every N epochs")
parser.add_argument("--parzen-size", type=int, default=10000, help="its samples and test images")
parser.add_argument("--threads", type=int, default=0, help="TensorFlow threads (default: all)")
parser.add_argument("--data-dir", default=None, help="folder with the four MNIST .gz files")
parser.add_argument("--out-dir", default="out/gan_paper_mnist", help="where everything goes")
parser.add_argument(
    "--precision",
    choices=layers.PRECISIONS,
    default="float32",
    help="bfloat16: products in bfloat16, variables float32 (docs/benchmarks.md)",
)
parser.add_argument("--seed", type=int, default=1)
parser.add_argument(
    "--noise",
    choices=("uniform", "gaussian"),
    default="uniform",
    help="the generator's noise: U(-sqrt 3, sqrt 3) as mnist.yaml (default), or N(0, 1)",
)
args = parser.parse_args()
for flag in ("n_epochs", "n_print", "eval_every"):
    check_int(getattr(args, flag), "--" + flag.replace("_", "-"), error=parser.error)
check_int(args.n_iter, "--n-iter", allow_none=True, error=parser.error)
check_int(args.parzen_size, "--parzen-size", maximum=10000, error=parser.error)
check_int(args.threads, "--threads", minimum=0, error=parser.error)

ed.set_seed(args.seed)
tf.config.threading.set_intra_op_parallelism_threads(args.threads)
tf.config.threading.set_inter_op_parallelism_threads(args.threads)
out_dir = ensure_directory(args.out_dir)
M = 100  # batch size during training
d = 100  # latent dimension
EPOCH = 50000 // M  # iterations per epoch
n_iter = args.n_iter or args.n_epochs * EPOCH

# DATA. The first 50,000 training images, grey levels in [0, 1].
(x_train, _), (x_valid, _), (x_test, _) = ed.datasets.mnist_splits(
    args.data_dir, validation_size=10000
)
x_valid, x_test = x_valid / np.float32(255), x_test[: args.parzen_size] / np.float32(255)
# Output biases the logits of the mean pixels (pylearn2's
# init_sigmoid_bias_from_marginals): the untrained generator draws the mean digit.
p = np.clip(x_train.mean(axis=0) / 255.0, 1e-5, 1 - 1e-5)
pixel_logits = np.log(p / (1 - p))


# MODEL
def generative_network(eps):
    init = tf.random_uniform_initializer(-0.05, 0.05)
    marginals = tf.constant_initializer(pixel_logits)
    net = layers.dense(eps, 1200, activation=tf.nn.relu, kernel_initializer=init)
    net = layers.dense(net, 1200, activation=tf.nn.relu, kernel_initializer=init)
    net = layers.dense(net, 784, tf.sigmoid, kernel_initializer=init, bias_initializer=marginals)
    return net


with tf.variable_scope("Gen"):
    if args.noise == "uniform":
        eps = Uniform(tf.zeros([M, d]) - np.sqrt(3.0), tf.zeros([M, d]) + np.sqrt(3.0))
    else:  # both have unit variance
        eps = Normal(tf.zeros([M, d]), tf.ones([M, d]))
    x = layers.with_precision(generative_network, args.precision)(eps)


# INFERENCE
def discriminative_network(x):
    """Outputs probability in logits."""
    init = tf.random_uniform_initializer(-0.005, 0.005)
    net = layers.dropout(x, rate=0.2, training=True)  # keeps 0.8, scaled by 1.25
    net = layers.maxout(net, 240, 5, kernel_initializer=init)
    net = layers.dropout(net, rate=0.5, training=True)  # keeps 0.5, scaled by 2
    net = layers.maxout(net, 240, 5, kernel_initializer=init)
    net = layers.dropout(net, rate=0.5, training=True)
    return layers.dense(net, 1, activation=None, kernel_initializer=init)


# The data live in the graph (ed.Minibatches: a new order every epoch), so
# checkpoints hold the position in the epoch and a resumed run continues it.
inference = ed.GANInference(
    data={x: ed.Minibatches(x_train)},
    discriminator=layers.with_precision(discriminative_network, args.precision),
)


# The released schedules, functions of the iteration counter t (read when
# the optimizers build their updates, and before t moves on).
def learning_rate():
    return exponential_decay(0.1, inference.t, 1.000004, minimum=1e-6)


def momentum():
    return linear_ramp(inference.t // EPOCH, 0.5, 0.7, 0, 249)


# The released cost halves the discriminator's loss, 0.5 (L_D), which is
# the same step as halving its learning rate.
optimizer = tf.train.MomentumOptimizer(learning_rate, momentum)
optimizer_d = tf.train.MomentumOptimizer(lambda: 0.5 * learning_rate(), momentum)
inference.initialize(
    optimizer=optimizer,
    optimizer_d=optimizer_d,
    n_iter=n_iter,
    n_print=args.n_print,
    checkpoint_dir=os.path.join(out_dir, "checkpoints"),
    checkpoint_every=EPOCH,
)
schedule = {"learning_rate": learning_rate(), "momentum": momentum()}
if args.noise == "uniform":
    fixed_noise = np.random.uniform(-np.sqrt(3.0), np.sqrt(3.0), [M, d]).astype(np.float32)
else:
    fixed_noise = np.random.normal(0.0, 1.0, [M, d]).astype(np.float32)

# What a previous session of this run recorded (kept up to its checkpoint).
metrics_path = os.path.join(out_dir, "metrics.json")
metrics = {
    "seed": args.seed,
    "noise": args.noise,
    "train_seconds": 0.0,
    "wall_seconds": 0.0,
    "parzen": [],
}
metrics["history"] = {"t": [], "loss": [], "loss_d": []}
if inference.latest_checkpoint() and os.path.exists(metrics_path):
    with open(metrics_path) as f:
        metrics = json.load(f)
    t0 = int(inference.latest_checkpoint().rsplit("-", 1)[1])
    metrics["parzen"] = [e for e in metrics["parzen"] if e["iteration"] <= t0]
    keep = [i for i, t in enumerate(metrics["history"]["t"]) if t <= t0]
    metrics["history"] = {k: [v[i] for i in keep] for k, v in metrics["history"].items()}


def write_metrics(t):
    """Epochs, speed, wall time (all sessions) and the schedule's values now."""
    now = time.perf_counter()
    metrics["wall_seconds"] += now - clock["wall"]
    clock["wall"] = now
    metrics.update(iterations=t, epochs=t / EPOCH, **ed.get_session().run(schedule))
    metrics["ms_per_iteration"] = 1000 * metrics["train_seconds"] / max(t, 1)
    with atomic_write(metrics_path, "w") as f:
        json.dump(metrics, f, indent=2, default=float)


def evaluate(t, samples):
    """The released Parzen protocol, recorded in metrics.json, and the score of
    the 9,000 validation images that did not choose sigma (51,000-59,999 of
    the training files): the number that selects an epoch without the test set."""
    start = time.perf_counter()
    estimate = parzen_window_estimate(samples, x_valid, x_test, n_validation=1000)
    valid = parzen_log_likelihood(samples, x_valid[1000:], estimate.sigma)
    entry = dict(iteration=t, epoch=t / EPOCH, seconds=time.perf_counter() - start)
    entry.update(mean=estimate.mean, std_error=estimate.std_error, sigma=estimate.sigma)
    entry.update(validation_mean=float(valid.mean()))
    metrics["parzen"].append(entry)
    print(
        f"epoch {t / EPOCH:g}: Parzen {estimate.mean:.1f} +- {estimate.std_error:.1f} nats "
        f"(validation {valid.mean():.1f})"
    )


clock = {"step": time.perf_counter(), "wall": time.perf_counter()}


def monitor(info_dict):
    """After every update: losses and a grid every n_print iterations, the
    Parzen estimate every --eval-every epochs, metrics.json every epoch."""
    t = info_dict["t"]
    metrics["train_seconds"] += time.perf_counter() - clock["step"]
    if t == 1 or t % args.n_print == 0:
        for key in metrics["history"]:
            metrics["history"][key].append(info_dict[key])
        samples = ed.get_session().run(x, {eps: fixed_noise})
        path = os.path.join(out_dir, f"{t // args.n_print:03d}.png")
        save_figure(sample_grid(samples[:16], 4, 4), path)
    if t % (args.eval_every * EPOCH) == 0:
        evaluate(t, draw_samples(x, args.parzen_size))
    if t % EPOCH == 0:
        write_metrics(t)
    clock["step"] = time.perf_counter()


inference.run(monitors=[monitor])
t = inference.current_iteration()

# CRITICISM: the last weights (scored unless the last evaluation was now).
samples = draw_samples(x, 10000)
if not metrics["parzen"] or metrics["parzen"][-1]["iteration"] != t:
    evaluate(t, samples[: args.parzen_size])
save_npy(os.path.join(out_dir, "samples.npy"), samples)
save_figure(sample_grid(samples, 8, 8), os.path.join(out_dir, "final.png"))
save_figure(training_curves(metrics["history"]), os.path.join(out_dir, "losses.png"))

# Samples beside the training image nearest to the last of each row (the
# paper's Figure 2): a model that copied its training set would show twins.
nearest = nearest_neighbours(samples[7:40:8], x_train / np.float32(255)).indices
fig = sample_grid(samples, 5, 8, neighbours=x_train[nearest] / 255.0)
save_figure(fig, os.path.join(out_dir, "figure2.png"))
write_metrics(t)
last = metrics["parzen"][-1]
print(
    f"{t} iterations ({t / EPOCH:g} epochs), {metrics['ms_per_iteration']:.0f} ms per iteration; "
    f"Parzen {last['mean']:.1f} +- {last['std_error']:.1f} nats (sigma {last['sigma']:.3f}). "
    f"Wrote grids, final.png, losses.png, figure2.png, samples.npy and metrics.json to {out_dir}"
)
