"""A small GAN trained by `run()` with checkpoints, for the resume tests.

    python resume_program.py CHECKPOINT_DIR LOSSES_FILE N_ITER [--disc-steps K] [--slow-from T]

Appends "t loss loss_d" (full precision) to LOSSES_FILE after every
iteration. Run it again with the same CHECKPOINT_DIR to resume.
"""

import argparse
import time

import numpy as np
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer import layers
from gan_infer.models import Normal, Uniform

tf.disable_eager_execution()
parser = argparse.ArgumentParser()
parser.add_argument("checkpoint_dir")
parser.add_argument("losses_file")
parser.add_argument("n_iter", type=int)
parser.add_argument("--disc-steps", type=int, default=None)
parser.add_argument("--checkpoint-every", type=int, default=7)
# From iteration T on, 0.2 s a step (the losses are the same): a test that
# signals the run after T lines then has seconds, not milliseconds, to do it
# while the run still trains, however loaded the machine.
parser.add_argument("--slow-from", type=int, default=None)
args = parser.parse_args()

ed.set_seed(3)
M, d = 16, 4
x_train = np.random.RandomState(0).uniform(size=[100, 8]).astype(np.float32)
with tf.variable_scope("Gen"):
    eps = Uniform(tf.zeros([M, d]) - 1.0, tf.ones([M, d]))
    noise = Normal(tf.zeros([M, 8]), 0.1)
    x = layers.dense(layers.dense(eps, 16, activation=tf.nn.relu), 8, activation=tf.sigmoid) + noise


def discriminative_network(x):
    h = layers.dropout(layers.dense(x, 16, activation=tf.nn.relu), rate=0.3, training=True)
    return layers.dense(h, 1)


inference = ed.GANInference(
    data={x: ed.Minibatches(x_train, binarize=True)}, discriminator=discriminative_network
)
with open(args.losses_file, "a") as losses:

    def record(info):
        if args.slow_from is not None and info["t"] >= args.slow_from:
            time.sleep(0.2)
        losses.write(f"{info['t']} {info['loss']!r} {info['loss_d']!r}\n")
        losses.flush()

    inference.run(
        n_iter=args.n_iter,
        n_print=0,
        disc_steps=args.disc_steps,
        optimizer=tf.train.AdamOptimizer(1e-3),
        optimizer_d=tf.train.AdamOptimizer(1e-3),
        checkpoint_dir=args.checkpoint_dir,
        checkpoint_every=args.checkpoint_every,
        keep_checkpoints=2,
        monitors=[record],
    )
