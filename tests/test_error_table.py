"""Every row of docs/errors.md, triggered.

docs/errors.md lists each user error gan_infer detects: what the user did,
the exception type, the message and the fix the message names. The message
cell holds the literal text of the message, with "…" standing for each
variable part (a name, a shape, a path).

Each row has one case here, registered with `@row(test id, exception,
message)` on a function that makes the mistake; `@also(test id)` adds
another way to make the same mistake to that row. `test_row[<id>]` checks
that every trigger raises the documented exception with a message that
contains the documented fragments in order. `test_table_matches_cases`
checks that the table's (exception, message) pairs are exactly the cases'
and that each row sits in the section its test id names, so the table and
the package cannot drift apart: a row without a case, a case without a row,
or a message changed on one side only fails.

To add a row: add it to the table, then a `@row` case whose id starts with
the section's slug (models-, inference-, data-, criticism-, files-, cli-).
"""

import gzip
import importlib
import json
import os
import re
import socket
import struct
import sys
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
from tensorflow.python.eager import context

import gan_infer as ed
from gan_infer import cli, layers
from gan_infer.cli import sweep
from gan_infer.criticism import classifier as classifier_module
from gan_infer.criticism import evaluate as evaluate_module
from gan_infer.criticism import image_metrics, metrics, plots, toy
from gan_infer.criticism.monitor import Monitor, draw_samples
from gan_infer.datasets import DataError, batches, mnist, mnist_splits, read_idx
from gan_infer.inferences import optimizers
from gan_infer.models import Categorical, Normal, RandomVariable, Uniform, wrap
from gan_infer.util import DirectoryInUseError, Progbar, atomic_write, ensure_directory, save_npy

mnist_module = importlib.import_module("gan_infer.datasets.mnist")

TABLE = Path(__file__).resolve().parents[1] / "docs" / "errors.md"
SECTIONS = {
    "Models": "models-",
    "Inference": "inference-",
    "Data": "data-",
    "Criticism": "criticism-",
    "Files/IO": "files-",
    "Command line and checkpoints": "cli-",
}


# --- the registry ------------------------------------------------------------------


@dataclass
class Case:
    id: str
    exception: type
    message: str
    triggers: list[Callable] = field(default_factory=list)


CASES = {}


def row(case_id, exception, message, trigger=None):
    """Register `trigger(env)` as the case of the table row `case_id` (or decorate it)."""
    assert case_id not in CASES, case_id

    def register(trigger):
        CASES[case_id] = Case(case_id, exception, message, [trigger])
        return trigger

    return register if trigger is None else register(trigger)


def also(case_id, trigger=None):
    """Another trigger of an already registered row (or decorate it)."""

    def register(trigger):
        CASES[case_id].triggers.append(trigger)
        return trigger

    return register if trigger is None else register(trigger)


@dataclass
class Env:
    tmp_path: Path
    monkeypatch: pytest.MonkeyPatch


def fragments_in_order(message, text):
    """Whether `text`'s literal parts ("…" separates them) occur in `message` in order."""
    position = 0
    for fragment in text.split("…"):
        if not fragment:
            continue
        found = message.find(fragment, position)
        if found < 0:
            return False
        position = found + len(fragment)
    return True


# --- shared model pieces -----------------------------------------------------------

M = 4


def discriminator(x):
    return layers.dense(x, 1)


def normal_model(trainable=True):
    """x ~ Normal(theta, 0.1), shape [M, 1]; theta a variable under "Gen"."""
    with tf.variable_scope("Gen"):
        loc = tf.get_variable("theta", [], initializer=tf.zeros_initializer()) if trainable else 4.0
        x = Normal(loc, 0.1, sample_shape=[M, 1])
    return loc, x


def gan(inference_class=None, data=None):
    """A GANInference on normal_model() bound to a placeholder (or `data`)."""
    _, x = normal_model()
    x_ph = tf.placeholder(tf.float32, [M, 1])
    inference = (inference_class or ed.GANInference)(
        data={x: x_ph if data is None else data}, discriminator=discriminator
    )
    return inference, x_ph


def bigan_parts():
    with tf.variable_scope("Gen"):
        z = Uniform(-tf.ones([M, 2]), tf.ones([M, 2]))
        x = layers.dense(z, 1)
    x_ph = tf.placeholder(tf.float32, [M, 1])
    with tf.variable_scope("Enc"):
        qz = layers.dense(x_ph, 2)
    return z, x, x_ph, qz


def joint_discriminator(x, z):
    return layers.dense(tf.concat([x, z], 1), 1)


def under_a_file(env, *parts):
    """A path below a regular file: no one can create it, not even root."""
    env.tmp_path.mkdir(parents=True, exist_ok=True)
    blocker = env.tmp_path / "file.txt"
    blocker.write_text("not a directory")
    return blocker.joinpath(*parts)


def idx_bytes(magic, shape, payload):
    return struct.pack(">I", magic) + struct.pack(f">{len(shape)}I", *shape) + payload


def write(env, name, content):
    env.tmp_path.mkdir(parents=True, exist_ok=True)
    path = env.tmp_path / name
    path.write_bytes(content)
    return path


TINY_CONFIG = classifier_module.ClassifierConfig(conv_filters=(2,), kernel_size=3, dense_units=4)


def tiny_weights():
    """Zero weights for TINY_CONFIG: conv 3x3x1x2, 28 -> 14 after pooling, 4 features."""
    return {
        "conv1/kernel": np.zeros((3, 3, 1, 2), np.float32),
        "conv1/bias": np.zeros(2, np.float32),
        "hidden/kernel": np.zeros((14 * 14 * 2, 4), np.float32),
        "hidden/bias": np.zeros(4, np.float32),
        "logits/kernel": np.zeros((4, 10), np.float32),
        "logits/bias": np.zeros(10, np.float32),
    }


def tiny_classifier():
    return classifier_module.MNISTClassifier(tiny_weights(), TINY_CONFIG)


IMAGE = np.zeros((1, 784), np.float32)


# === Models ========================================================================


@row(
    "models-eager-mode",
    ed.GraphModeError,
    "… needs TensorFlow graph mode, but eager execution is on. Add "
    "`tf.compat.v1.disable_eager_execution()` right after importing TensorFlow, before "
    "building any part of the model.",
)
def _(env):
    with context.eager_mode():
        ed.get_session()


@also("models-eager-mode")
def _(env):
    with context.eager_mode():
        Normal(0.0, 1.0)


@also("models-eager-mode")
def _(env):
    with context.eager_mode():
        layers.dense(tf.zeros([2, 3]), 4)


row(
    "models-not-a-distribution",
    TypeError,
    "RandomVariable needs a tfp.distributions.Distribution, got …. Wrap the distribution, "
    "e.g. RandomVariable(tfp.distributions.Laplace(0.0, 1.0)).",
    lambda env: RandomVariable(1.0),
)

row(
    "models-value-shape",
    ValueError,
    "value has shape …, but this random variable has shape … "
    "(sample_shape + batch_shape + event_shape).",
    lambda env: Normal(tf.zeros(3), 1.0, value=tf.zeros([2])),
)

row(
    "models-sample-shape-type",
    TypeError,
    "sample_shape must be an int or a list of ints, got …",
    lambda env: Normal(0.0, 1.0, sample_shape=[1.5]),
)

row(
    "models-sample-shape-undefined",
    ValueError,
    "sample_shape must be fully defined, got …",
    lambda env: Normal(0.0, 1.0, sample_shape=[None]),
)


@row(
    "models-truth-value",
    TypeError,
    "A random variable is a symbolic tensor and has no truth value in graph mode. Evaluate "
    "it first (sess.run(rv)) or use tf.cond/tf.where.",
)
def _(env):
    if Normal(0.0, 1.0):
        pass


row(
    "models-iterate",
    TypeError,
    "A random variable is a symbolic tensor and cannot be iterated. Index it (rv[i]) or use "
    "tf.unstack(rv).",
    lambda env: list(Normal(tf.zeros(3), 1.0)),
)

row(
    "models-missing-attribute",
    AttributeError,
    "… random variable has no attribute … (neither has its … distribution)",
    lambda env: Normal(0.0, 1.0).no_such_method,
)

row(
    "models-dtype",
    ValueError,
    "Cannot use random variable … of dtype … where dtype … is requested; cast it with tf.cast.",
    lambda env: tf.convert_to_tensor(Normal(0.0, 1.0), dtype=tf.int32),
)

row(
    "models-wrap-non-distribution",
    TypeError,
    "wrap() needs a tfp.distributions.Distribution subclass, got …",
    lambda env: wrap(dict),
)

row(
    "models-constructor-arguments",
    TypeError,
    "…(self, …): got an unexpected keyword argument …",
    lambda env: Normal(0.0, 1.0, sacle=2.0),
)

row(
    "models-layer-integer-input",
    TypeError,
    "layers.… needs floating-point inputs, got … tensor …; cast it first, e.g. "
    "tf.cast(x, tf.float32).",
    lambda env: layers.dense(tf.zeros([2, 3], tf.int32), 4),
)

also("models-layer-integer-input", lambda env: layers.maxout(tf.zeros([2, 3], tf.int32), 4, 2))

row(
    "models-layer-dense-units",
    ValueError,
    "layers.dense: units must be a positive int, got …",
    lambda env: layers.dense(tf.zeros([2, 3]), 0),
)

row(
    "models-layer-dense-unknown-dim",
    ValueError,
    "layers.… needs the last dimension of its input to be known, got shape … for …; give "
    "the tensor a static shape (tf.reshape).",
    lambda env: layers.dense(tf.placeholder(tf.float32, [None, None]), 4),
)

also(
    "models-layer-dense-unknown-dim",
    lambda env: layers.maxout(tf.placeholder(tf.float32, [None, None]), 4, 2),
)

row(
    "models-layer-maxout-sizes",
    ValueError,
    "layers.maxout: … must be a positive int, got …",
    lambda env: layers.maxout(tf.zeros([2, 3]), 0, 5),
)

also("models-layer-maxout-sizes", lambda env: layers.maxout(tf.zeros([2, 3]), 240, 2.5))

row(
    "models-layer-dropout-rate",
    ValueError,
    "layers.dropout: rate must be in [0, 1), got …",
    lambda env: layers.dropout(tf.zeros([2, 3]), rate=1.0, training=True),
)

row(
    "models-layer-dropout-training",
    TypeError,
    "layers.dropout: training must be a Python bool or a scalar bool tensor, got …",
    lambda env: layers.dropout(tf.zeros([2, 3]), training=tf.constant([True, False])),
)

row(
    "models-layer-conv-size",
    ValueError,
    "layers.…: … must be a positive int or a pair of them, got …",
    lambda env: layers.conv2d(tf.zeros([1, 4, 4, 1]), 2, kernel_size=0),
)


@also("models-layer-conv-size")
def _(env):
    layers.conv2d_transpose(tf.zeros([1, 4, 4, 1]), 2, kernel_size=3, strides=(1, 2, 3))


row(
    "models-layer-conv-padding",
    ValueError,
    "layers.…: padding must be 'same' or 'valid', got …",
    lambda env: layers.conv2d(tf.zeros([1, 4, 4, 1]), 2, 3, padding="full"),
)

row(
    "models-layer-conv-not-nhwc",
    ValueError,
    "layers.… needs a 4-D NHWC input with a known number of channels, got shape … for …; "
    "reshape it, e.g. tf.reshape(x, [-1, 28, 28, 1]).",
    lambda env: layers.conv2d(tf.zeros([2, 784]), 2, 3),
)

row(
    "models-layer-conv-transpose-size",
    ValueError,
    "layers.conv2d_transpose needs inputs of known height and width, got shape …",
    lambda env: layers.conv2d_transpose(tf.placeholder(tf.float32, [None, None, None, 1]), 2, 3),
)

row(
    "models-layer-batch-norm-dim",
    ValueError,
    "layers.batch_norm needs a known last dimension, got …",
    lambda env: layers.batch_norm(tf.placeholder(tf.float32, [None, None]), training=True),
)

row(
    "models-layer-batch-norm-momentum",
    ValueError,
    "layers.batch_norm: momentum must be in [0, 1), got …",
    lambda env: layers.batch_norm(tf.zeros([2, 3]), training=True, momentum=1.0),
)

row(
    "models-layer-flatten",
    ValueError,
    "layers.flatten needs known non-batch dimensions, got …",
    lambda env: layers.flatten(tf.placeholder(tf.float32, [None, None, 3])),
)

row(
    "models-layer-minibatch-stddev-rank",
    ValueError,
    "layers.minibatch_stddev needs [batch, features] or [batch, height, width, channels] "
    "inputs with known non-batch dimensions, got shape …",
    lambda env: layers.minibatch_stddev(tf.zeros([4, 3, 2])),
)

row(
    "models-layer-minibatch-stddev-group",
    ValueError,
    "layers.minibatch_stddev: group_size must be an int >= 2 (a spread needs two examples) "
    "or None for the whole batch, got …",
    lambda env: layers.minibatch_stddev(tf.zeros([4, 3]), group_size=1),
)

row(
    "models-layer-minibatch-stddev-divide",
    ValueError,
    "layers.minibatch_stddev: group_size … does not divide the batch of …; pick a divisor, "
    "or None for the whole batch.",
    lambda env: layers.minibatch_stddev(tf.zeros([4, 3]), group_size=3),
)

row(
    "models-layer-spectral-norm-iterations",
    ValueError,
    "spectral_norm_getter: power_iterations must be an int >= 1, got …",
    lambda env: layers.spectral_norm_getter(power_iterations=0),
)

row(
    "models-layer-spectral-norm-filter",
    TypeError,
    "spectral_norm_getter: name_filter must be callable name -> bool, got …",
    lambda env: layers.spectral_norm_getter(name_filter="kernel"),
)


def _spectral_norm_of_a_bias(env):
    getter = layers.spectral_norm_getter(name_filter=lambda name: name.endswith("bias"))
    with tf.variable_scope("sn", custom_getter=getter):
        layers.dense(tf.zeros([2, 3]), 2)


row(
    "models-layer-spectral-norm-rank",
    ValueError,
    "spectral_norm_getter: … has shape …; only kernels of rank >= 2 have a spectral norm. "
    "Narrow name_filter.",
    _spectral_norm_of_a_bias,
)

row(
    "models-layer-regularizer-scale",
    ValueError,
    "…_regularizer: scale must be a non-negative number, got …",
    lambda env: layers.l2_regularizer(-1.0),
)

also("models-layer-regularizer-scale", lambda env: layers.l1_regularizer(-0.1))


# === Inference =====================================================================


class BareInference(ed.Inference):
    """The smallest concrete Inference, to reach the base class's checks."""

    def update(self, feed_dict=None):
        return {"t": 0}


row(
    "inference-latent-vars-not-dict",
    TypeError,
    "latent_vars must be a dict, got …",
    lambda env: BareInference(latent_vars=[1]),
)

row(
    "inference-data-not-dict",
    TypeError,
    "data must be a dict that binds the model's output to observations, e.g. data={x: x_ph}; got …",
    lambda env: BareInference(data=[1]),
)

row(
    "inference-gan-data-not-dict",
    ValueError,
    "… needs data as a dict that binds the model's output to the observations, e.g. "
    "data={x: x_ph}; got …",
    lambda env: ed.GANInference(data={}, discriminator=discriminator),
)


@also("inference-gan-data-not-dict")
def _(env):
    _, x = normal_model()
    ed.GANInference(data=[x], discriminator=discriminator)


@row(
    "inference-data-key",
    TypeError,
    "data keys must be model outputs (tf.Tensor or gan_infer.models.RandomVariable), got …; "
    "the model's output is the key: data={x: x_ph}.",
)
def _(env):
    ed.GANInference(data={"x": tf.placeholder(tf.float32, [M, 1])}, discriminator=discriminator)


@row(
    "inference-model-other-graph",
    ValueError,
    "The model tensor … belongs to another graph than the default graph; build the model and "
    "the inference in the same graph.",
)
def _(env):
    with tf.Graph().as_default():
        _, x = normal_model()
    ed.GANInference(data={x: tf.placeholder(tf.float32, [M, 1])}, discriminator=discriminator)


@row(
    "inference-data-other-graph",
    ValueError,
    "The data tensor … belongs to another graph than the model tensor …; create both in the "
    "same graph.",
)
def _(env):
    _, x = normal_model()
    with tf.Graph().as_default():
        x_ph = tf.placeholder(tf.float32, [M, 1])
    ed.GANInference(data={x: x_ph}, discriminator=discriminator)


@row(
    "inference-data-dtype",
    TypeError,
    "data binds model tensor … of dtype … to … of dtype …; give them the same dtype",
)
def _(env):
    _, x = normal_model()
    ed.GANInference(data={x: tf.placeholder(tf.float64, [M, 1])}, discriminator=discriminator)


@row(
    "inference-data-shape",
    ValueError,
    "data binds model tensor … of shape … to … of shape …; the shapes must match (a batch of "
    "observations as large as the model's batch of samples).",
)
def _(env):
    _, x = normal_model()
    ed.GANInference(data={x: tf.placeholder(tf.float32, [M + 1, 1])}, discriminator=discriminator)


@also("inference-data-shape")
def _(env):
    _, x = normal_model()
    ed.GANInference(data={x: np.zeros([M, 2], np.float32)}, discriminator=discriminator)


@row(
    "inference-data-not-numeric",
    TypeError,
    "data for … must be numeric, got a numpy array of dtype …",
)
def _(env):
    _, x = normal_model()
    ed.GANInference(data={x: np.full([M, 1], "a")}, discriminator=discriminator)


@row(
    "inference-data-value-type",
    TypeError,
    "data values must be tf.Tensor (e.g. a placeholder) or numpy arrays, got … for …",
)
def _(env):
    _, x = normal_model()
    ed.GANInference(data={x: "x_train.npy"}, discriminator=discriminator)


@row(
    "inference-swapped-data",
    ValueError,
    "data binds the placeholder … to …: key and value look swapped. The model's output is the "
    "key and the observations the value: data={x: x_ph}.",
)
def _(env):
    _, x = normal_model()
    ed.GANInference(data={tf.placeholder(tf.float32, [M, 1]): x}, discriminator=discriminator)


@row(
    "inference-discriminator-not-callable",
    TypeError,
    "discriminator must be a callable (a function from a batch to logits), got …",
)
def _(env):
    _, x = normal_model()
    ed.GANInference(data={x: tf.placeholder(tf.float32, [M, 1])}, discriminator="dense")


@row(
    "inference-discriminator-arity",
    ValueError,
    "data has …, so the discriminator is called with … (one per entry, in order), but its "
    "signature is …",
)
def _(env):
    _, x = normal_model()
    with tf.variable_scope("Gen"):
        y = tf.zeros([M], tf.int32)
    ed.GANInference(
        data={x: tf.placeholder(tf.float32, [M, 1]), y: tf.placeholder(tf.int32, [M])},
        discriminator=discriminator,
    )


row(
    "inference-n-iter",
    ValueError,
    "n_iter must be a positive int, got …",
    lambda env: gan()[0].initialize(n_iter=0),
)

row(
    "inference-n-print",
    ValueError,
    "n_print must be a non-negative int (0 disables printing), got …",
    lambda env: gan()[0].initialize(n_iter=10, n_print=-1),
)


@row(
    "inference-reinitialize",
    RuntimeError,
    "….initialize() was already called: its training ops exist. Create a new inference "
    "object (in a new graph) to start afresh.",
)
def _(env):
    inference, _ = gan()
    inference.initialize(n_print=0)
    inference.initialize(n_print=0)


@row(
    "inference-run-after-initialize",
    RuntimeError,
    "… is already initialized: call run() without initialize() arguments, or give them to "
    "run() instead of calling initialize().",
)
def _(env):
    inference, _ = gan(data=np.full([M, 1], 4.0, np.float32))
    inference.initialize(n_iter=1, n_print=0)
    inference.run(n_iter=5)


row(
    "inference-run-placeholder",
    ValueError,
    "run() cannot feed the placeholder … bound in data. Either bind the observations "
    "themselves (data={x: x_batch} with a numpy array), or write the loop: for _ in "
    "range(inference.n_iter): info = inference.update(feed_dict={x_ph: next(batches)}); "
    "inference.print_progress(info)",
    lambda env: gan()[0].run(n_iter=1, n_print=0),
)


def _model_reading_a_placeholder():
    with tf.variable_scope("Gen"):
        x = layers.dense(tf.placeholder(tf.float32, [M, 1]), 1)
    ed.GANInference(data={x: np.zeros([3 * M, 1], np.float32)}, discriminator=discriminator).run(
        n_iter=1, n_print=0
    )


row(
    "inference-run-placeholder-upstream",
    ValueError,
    "run() cannot feed the placeholder …, which the model reads. Build the model on the bound "
    "data instead (e.g. qz = encoder(inference.x_true) needs the batch tensor), or write the "
    "loop with update(feed_dict={...}).",
    lambda env: _model_reading_a_placeholder(),
)


@row(
    "inference-update-without-feed",
    ValueError,
    "update() needs a batch for the placeholder … bound in data: call "
    "inference.update(feed_dict={x_ph: batch}).",
)
def _(env):
    inference, _ = gan()
    inference.initialize(n_print=0)
    inference.update()


@row(
    "inference-update-variables",
    NotImplementedError,
    "variables must be None (both), 'Gen' or 'Disc', got …",
)
def _(env):
    inference, x_ph = gan()
    inference.initialize(n_print=0)
    inference.update(feed_dict={x_ph: np.zeros([M, 1])}, variables="Generator")


row(
    "inference-unknown-loss",
    ValueError,
    "Unknown loss …; choose one of hinge, least_squares, minimax, non_saturating.",
    lambda env: gan()[0].initialize(loss="saturating"),
)

row(
    "inference-wasserstein-loss",
    ValueError,
    "Unknown loss 'wasserstein'; choose one of …. Use WGANInference for it.",
    lambda env: gan()[0].initialize(loss="wasserstein"),
)

row(
    "inference-disc-steps",
    ValueError,
    "disc_steps must be None or a positive int, got …",
    lambda env: gan()[0].initialize(disc_steps=0),
)

row(
    "inference-pretrain-steps",
    ValueError,
    "pretrain_steps must be a non-negative int, got …",
    lambda env: gan()[0].initialize(pretrain_steps=-1),
)

row(
    "inference-gradient-penalty",
    ValueError,
    "gradient_penalty must be None or a non-negative number, got …",
    lambda env: gan()[0].initialize(gradient_penalty=-1.0),
)

row(
    "inference-feature-matching-weight",
    ValueError,
    "feature_matching must be None or a non-negative number, got …",
    lambda env: gan()[0].initialize(feature_matching=-1.0),
)


def _gan_whose_discriminator_returns(output):
    _, x = normal_model()
    return ed.GANInference(
        data={x: tf.placeholder(tf.float32, [M, 1])},
        discriminator=lambda x: output(discriminator(x), x),
    )


row(
    "inference-feature-matching-without-features",
    ValueError,
    "initialize(feature_matching=...) needs features of the discriminator to match: make it "
    "return (logits, features), e.g. 'return layers.dense(h, 1), h' with h its last hidden "
    "layer.",
    lambda env: gan()[0].initialize(feature_matching=1.0),
)

row(
    "inference-discriminator-output-items",
    ValueError,
    "The discriminator returned a … of … items; return the logits, or the pair (logits, features).",
    lambda env: _gan_whose_discriminator_returns(lambda logits, x: (logits, x, x)).initialize(
        n_print=0
    ),
)

row(
    "inference-discriminator-features-rank",
    ValueError,
    "The discriminator's features have shape …; they need one row per example, [batch, ...], "
    "e.g. the flattened last hidden layer.",
    lambda env: _gan_whose_discriminator_returns(
        lambda logits, x: (logits, tf.reduce_mean(x, axis=1))
    ).initialize(n_print=0),
)

row(
    "inference-ema-decay",
    ValueError,
    "ema_decay must be None or a float in (0, 1), e.g. 0.999, got …",
    lambda env: gan()[0].initialize(ema_decay=1.0),
)


@row(
    "inference-averaged-generator-without-ema",
    RuntimeError,
    "averaged_generator() needs a moving average of the generator's weights: call "
    "initialize(..., ema_decay=0.999) before training.",
)
def _(env):
    inference, _ = gan()
    inference.initialize(n_print=0)
    with inference.averaged_generator():
        pass


def inside_averaged_generator(env, action):
    inference, x_ph = gan()
    inference.initialize(n_print=0, ema_decay=0.99, checkpoint_dir=str(env.tmp_path))
    tf.global_variables_initializer().run()
    with inference.averaged_generator():
        action(inference, x_ph)


@row(
    "inference-inside-averaged-generator",
    RuntimeError,
    "Cannot … inside averaged_generator(): the generator's variables hold the weight "
    "average, not the trained weights. Leave the block first.",
)
def _(env):
    inside_averaged_generator(
        env, lambda inference, x_ph: inference.update({x_ph: np.zeros([M, 1])})
    )


also(
    "inference-inside-averaged-generator",
    lambda env: inside_averaged_generator(env, lambda inference, _: inference.save_checkpoint()),
)
also(
    "inference-inside-averaged-generator",
    lambda env: inside_averaged_generator(env, lambda inference, _: inference.run()),
)


@row(
    "inference-averaged-generator-nested",
    RuntimeError,
    "averaged_generator() blocks cannot be nested.",
)
def _(env):
    inside_averaged_generator(env, lambda inference, _: inference.averaged_generator().__enter__())


row(
    "inference-unknown-optimizer",
    ValueError,
    "Unknown … optimizer …; use one of adam, rmsprop, gradientdescent, momentum, adagrad, "
    "adadelta, ftrl, or pass a tf.compat.v1.train.Optimizer.",
    lambda env: gan()[0].initialize(optimizer="adamw", n_print=0),
)

also("inference-unknown-optimizer", lambda env: gan()[0].initialize(optimizer_d="sgd", n_print=0))

row(
    "inference-optimizer-type",
    TypeError,
    "The … optimizer must be None, a name or a tf.compat.v1.train.Optimizer "
    "(e.g. tf.compat.v1.train.AdamOptimizer(2e-4)), got …. Keras optimizers "
    "(tf.keras.optimizers.*) do not work in graph mode sessions.",
    lambda env: gan()[0].initialize(optimizer=1e-3, n_print=0),
)

row(
    "inference-global-step-type",
    TypeError,
    "… global step must be a tf.Variable or None, got …",
    lambda env: gan()[0].initialize(global_step=0, n_print=0),
)

row(
    "inference-schedule-decay",
    ValueError,
    "exponential_decay: … must be …, got …",
    lambda env: optimizers.exponential_decay(0.1, 0, 0.5),
)

also("inference-schedule-decay", lambda env: optimizers.exponential_decay(0.0, 0, 1.000004))

row(
    "inference-schedule-ramp",
    ValueError,
    "linear_ramp: end must come after begin, got begin=…, end=….",
    lambda env: optimizers.linear_ramp(0, 0.5, 0.7, 249, 0),
)


@row(
    "inference-var-list-disc",
    ValueError,
    "var_list holds discriminator variables …; list only the generator's.",
)
def _(env):
    theta, x = normal_model()
    with tf.variable_scope("Disc"):
        scale = tf.get_variable("scale", [])
    inference = ed.GANInference(
        data={x: tf.placeholder(tf.float32, [M, 1])}, discriminator=discriminator
    )
    inference.initialize(var_list=[theta, scale], n_print=0)


@row(
    "inference-disc-without-variables",
    ValueError,
    'The discriminator has no trainable variables under variable scope "Disc": create its '
    "weights inside the discriminator function (e.g. with gan_infer.layers.dense) so that "
    "they are made under that scope.",
)
def _(env):
    _, x = normal_model()
    inference = ed.GANInference(
        data={x: tf.placeholder(tf.float32, [M, 1])},
        discriminator=lambda v: tf.reduce_sum(v, 1, keepdims=True),
    )
    inference.initialize(n_print=0)


@row(
    "inference-generator-without-parameters",
    ValueError,
    'The generator loss does not depend on any trainable variable outside the "Disc" scope: '
    "the model has no parameters to fit, or var_list misses them.",
)
def _(env):
    _, x = normal_model(trainable=False)
    inference = ed.GANInference(
        data={x: tf.placeholder(tf.float32, [M, 1])}, discriminator=discriminator
    )
    inference.initialize(n_print=0)


@row(
    "inference-debug-nan",
    FloatingPointError,
    "NaN or Inf in … at iteration … (… values). Training stopped before applying this update; "
    "lower the learning rate or check the model and the data.",
)
def _(env):
    # NaN data are refused where they are bound: an overflowing step makes them.
    inference, _ = gan(data=np.zeros([M, 1], np.float32))
    step = tf.train.GradientDescentOptimizer(1e38)
    inference.initialize(optimizer=step, optimizer_d=step, n_print=0, debug=True)
    ed.get_session().run(tf.global_variables_initializer())
    for _ in range(20):
        inference.update()


row(
    "inference-wgan-penalty",
    ValueError,
    "penalty must be None or a non-negative number, got …",
    lambda env: gan(ed.WGANInference)[0].initialize(penalty=-1.0),
)

row(
    "inference-wgan-gradient-penalty",
    ValueError,
    "WGANInference's gradient penalty is penalty= (one-centred, WGAN-GP); gradient_penalty= "
    "is GANInference's zero-centred one.",
    lambda env: gan(ed.WGANInference)[0].initialize(gradient_penalty=1.0),
)

row(
    "inference-wgan-clip",
    ValueError,
    "clip must be a positive number or None, got …",
    lambda env: gan(ed.WGANInference)[0].initialize(penalty=None, clip=0.0),
)

row(
    "inference-wgan-loss",
    ValueError,
    "WGANInference always uses the Wasserstein loss; for the others use "
    "GANInference(...).initialize(loss=...).",
    lambda env: gan(ed.WGANInference)[0].initialize(loss="hinge"),
)


@row("inference-wgan-penalty-rank", ValueError, "The gradient penalty needs data of known rank.")
def _(env):
    _, x = normal_model()
    inference = ed.WGANInference(
        data={x: tf.placeholder(tf.float32, None)},
        discriminator=lambda v: layers.dense(tf.reshape(v, [-1, 1]), 1),
    )
    inference.initialize(n_print=0)


@row(
    "inference-bigan-latent-vars",
    ValueError,
    "BiGANInference needs latent_vars as a dict with one entry binding the model's latent "
    "variable to the encoder's output, e.g. latent_vars={z: qz}.",
)
def _(env):
    _, x, x_ph, _ = bigan_parts()
    ed.BiGANInference(latent_vars={}, data={x: x_ph}, discriminator=joint_discriminator)


@row(
    "inference-bigan-data",
    ValueError,
    "BiGANInference needs data as a dict with one entry, e.g. data={x: x_ph}.",
)
def _(env):
    z, _, x_ph, qz = bigan_parts()
    ed.BiGANInference(latent_vars={z: qz}, data=x_ph, discriminator=joint_discriminator)


@row(
    "inference-bigan-encoder-type",
    TypeError,
    "The encoder's output must be a tensor or random variable, got …",
)
def _(env):
    z, x, x_ph, _ = bigan_parts()
    ed.BiGANInference(
        latent_vars={z: np.zeros([M, 2], np.float32)},
        data={x: x_ph},
        discriminator=joint_discriminator,
    )


@row(
    "inference-bigan-shape",
    ValueError,
    "latent_vars binds z of shape … to an encoder output of shape …; they must match.",
)
def _(env):
    z, x, x_ph, _ = bigan_parts()
    ed.BiGANInference(
        latent_vars={z: tf.zeros([M, 3])}, data={x: x_ph}, discriminator=joint_discriminator
    )


@row(
    "inference-bigan-dtype",
    TypeError,
    "latent_vars binds z of dtype … to an encoder output of dtype …",
)
def _(env):
    z, x, x_ph, _ = bigan_parts()
    ed.BiGANInference(
        latent_vars={z: tf.zeros([M, 2], tf.float64)},
        data={x: x_ph},
        discriminator=joint_discriminator,
    )


@row(
    "inference-bigan-loss",
    ValueError,
    "BiGANInference uses its own cross-entropy losses; leave `loss` unset.",
)
def _(env):
    z, x, x_ph, qz = bigan_parts()
    inference = ed.BiGANInference(
        latent_vars={z: qz}, data={x: x_ph}, discriminator=joint_discriminator
    )
    inference.initialize(loss="hinge", n_print=0)


def infogan_parts(code=None):
    with tf.variable_scope("Gen"):
        c = Categorical(logits=tf.zeros([M, 3])) if code is None else code
        x = layers.dense(tf.one_hot(c, 3), 1)
    return c, x, tf.placeholder(tf.float32, [M, 1])


def infogan_discriminator(x):
    return layers.dense(x, 1), layers.dense(x, 3)


row(
    "inference-infogan-code-type",
    TypeError,
    "InfoGANInference's code must be the model's categorical latent code, an integer tensor or "
    "random variable such as Categorical(logits=tf.zeros([M, 10])), got …",
    lambda env: ed.InfoGANInference(
        data={tf.zeros([M, 1]): tf.zeros([M, 1])},
        discriminator=infogan_discriminator,
        code=Normal(tf.zeros([M]), 1.0),
    ),
)

row(
    "inference-infogan-code-rank",
    ValueError,
    "InfoGANInference's code needs one category per example, shape [batch]; got shape …",
    lambda env: ed.InfoGANInference(
        data={tf.zeros([M, 1]): tf.zeros([M, 1])},
        discriminator=infogan_discriminator,
        code=tf.zeros([M, 1], tf.int32),
    ),
)


def _infogan(discriminator=infogan_discriminator):
    c, x, x_ph = infogan_parts()
    return ed.InfoGANInference(data={x: x_ph}, discriminator=discriminator, code=c)


row(
    "inference-infogan-weight",
    ValueError,
    "info_weight must be a positive number, got …",
    lambda env: _infogan().initialize(info_weight=0),
)

row(
    "inference-infogan-feature-matching",
    ValueError,
    "InfoGANInference reads the discriminator's second output as Q(x), its guess of the code, "
    "so feature_matching= is not available with it.",
    lambda env: _infogan().initialize(feature_matching=1.0),
)

row(
    "inference-infogan-logits-only",
    ValueError,
    "InfoGANInference needs the discriminator to return (logits, code_logits): its real-fake "
    "logits and the logits of Q(x), its guess of the code, e.g. 'return layers.dense(h, 1), "
    "layers.dense(h, 10)'.",
    lambda env: _infogan(discriminator).initialize(n_print=0),
)

row(
    "inference-infogan-code-logits-shape",
    ValueError,
    "The discriminator's code logits have shape …; for a code of shape … they need shape "
    "[batch, number of categories].",
    lambda env: _infogan(lambda x: (layers.dense(x, 1), layers.dense(x, 3)[:, :, None])).initialize(
        n_print=0
    ),
)


def _initialized(inference, **kwargs):
    inference.initialize(n_print=0, **kwargs)
    return inference


row(
    "inference-rejection-uninitialized",
    ValueError,
    "rejection_sample needs a GANInference after initialize(...), whose discriminator has been "
    "built; call inference.initialize(...) and train first.",
    lambda env: ed.rejection_sample(gan()[0], 10),
)

row(
    "inference-rejection-loss",
    ValueError,
    "rejection_sample reads D's logit as the log density ratio log p_data/p_g, which holds for "
    "a discriminator trained with the cross-entropy loss; this inference uses loss=…. Train "
    "with loss='non_saturating' (or 'minimax'), or sample the model directly.",
    lambda env: ed.rejection_sample(_initialized(gan()[0], loss="least_squares"), 10),
)
also(
    "inference-rejection-loss",
    lambda env: ed.rejection_sample(_initialized(gan(ed.WGANInference)[0]), 10),
)

row(
    "inference-rejection-bigan",
    ValueError,
    "rejection_sample weighs samples of the model alone; a BiGAN's discriminator judges (x, z) "
    "pairs, so its logit is a ratio of joint densities. Sample the model directly.",
    lambda env: ed.rejection_sample(_initialized(_bigan()), 10),
)


def _bigan():
    z, x, x_ph, qz = bigan_parts()
    return ed.BiGANInference(latent_vars={z: qz}, data={x: x_ph}, discriminator=joint_discriminator)


def _conditional_gan():
    with tf.variable_scope("Gen"):
        y = Categorical(logits=tf.zeros([M, 3]))
        x = layers.dense(tf.one_hot(y, 3), 1)
    data = {x: tf.placeholder(tf.float32, [M, 1]), y: tf.placeholder(tf.int32, [M])}
    return ed.GANInference(
        data=data, discriminator=lambda x, y: layers.dense(tf.concat([x, tf.one_hot(y, 3)], 1), 1)
    )


row(
    "inference-rejection-several-outputs",
    ValueError,
    "rejection_sample weighs samples of one model output; this inference binds … in data "
    "(e.g. a conditional GAN's labels). Sample the model directly.",
    lambda env: ed.rejection_sample(_initialized(_conditional_gan()), 10),
)


def klqp_parts():
    beta = Normal(loc=0.0, scale=1.0)
    x = Normal(loc=beta * tf.ones([4]), scale=1.0)
    qbeta = Normal(loc=tf.Variable(0.0), scale=1.0)
    return beta, x, qbeta, {x: np.zeros(4, np.float32)}


def ratio_estimator(data, local_vars, global_vars):
    return tf.get_variable("w", []) * tf.ones([4])


def klqp(**initialize_kwargs):
    beta, x, qbeta, data = klqp_parts()
    inference = ed.ImplicitKLqp(
        {beta: qbeta}, data=data, discriminator=ratio_estimator, global_vars={beta: qbeta}
    )
    inference.initialize(**initialize_kwargs)


row(
    "inference-klqp-estimator-not-callable",
    TypeError,
    "ImplicitKLqp needs discriminator=ratio_estimator, a callable (data, local_vars, "
    "global_vars) -> logits; got …",
    lambda env: ed.ImplicitKLqp({klqp_parts()[0]: klqp_parts()[2]}),
)

row(
    "inference-klqp-estimator-arity",
    ValueError,
    "ImplicitKLqp calls the ratio estimator with three dicts, (data, local_vars, global_vars); "
    "its signature is …",
    lambda env: ed.ImplicitKLqp({klqp_parts()[0]: klqp_parts()[2]}, discriminator=lambda d: d),
)

row(
    "inference-klqp-latent-vars",
    TypeError,
    "ImplicitKLqp needs latent_vars as a non-empty dict binding the model's latent random "
    "variables to their approximations, e.g. {z: qz}; got …",
    lambda env: ed.ImplicitKLqp({}, discriminator=ratio_estimator),
)

row(
    "inference-klqp-global-subset",
    ValueError,
    "global_vars must be a subset of latent_vars; … is not bound to the same approximation in "
    "latent_vars.",
    lambda env: ed.ImplicitKLqp(
        {klqp_parts()[0]: klqp_parts()[2]},
        discriminator=ratio_estimator,
        global_vars={Normal(0.0, 1.0): Normal(0.0, 1.0)},
    ),
)

row(
    "inference-klqp-q-shape",
    ValueError,
    "latent_vars binds … of shape … to an approximation of shape …; q must have its prior's shape.",
    lambda env: ed.ImplicitKLqp(
        {Normal(0.0, 1.0): Normal(tf.zeros([2]), 1.0)}, discriminator=ratio_estimator
    ),
)

row(
    "inference-klqp-scale-key",
    ValueError,
    "scale has the key …, which is not in data; its keys are the observed variables that data "
    "binds.",
    lambda env: klqp(scale={Normal(0.0, 1.0): 2.0}),
)


@row(
    "inference-klqp-scale-value",
    ValueError,
    "scale[…] must be a positive number (N / M) or a tensor, got …",
)
def _klqp_negative_scale(env):
    beta, x, qbeta, data = klqp_parts()
    inference = ed.ImplicitKLqp(
        {beta: qbeta}, data=data, discriminator=ratio_estimator, global_vars={beta: qbeta}
    )
    inference.initialize(scale={x: -1.0})


row(
    "inference-klqp-ratio-loss",
    ValueError,
    "ratio_loss must be one of 'log', 'hinge' or a callable (r_p, r_q) -> loss, got …",
    lambda env: klqp(ratio_loss="squared"),
)

row(
    "inference-klqp-gan-option",
    ValueError,
    "ImplicitKLqp.initialize() does not take …=: its objective is the variational bound, and "
    "the ratio estimator's loss is ratio_loss= (log, hinge or a callable).",
    lambda env: klqp(loss="hinge"),
)
also("inference-klqp-gan-option", lambda env: klqp(gradient_penalty=1.0))


@row(
    "inference-klqp-scales-need-a-dict",
    ValueError,
    "scale gives the observed variables different weights, so the ratio estimator must return "
    "a dict of logits keyed by observed variable.",
)
def _klqp_two_scales(env):
    beta, x, qbeta, data = klqp_parts()
    x2 = Normal(loc=beta * tf.ones([4]), scale=1.0)
    inference = ed.ImplicitKLqp(
        {beta: qbeta},
        data={**data, x2: np.zeros(4, np.float32)},
        discriminator=ratio_estimator,
        global_vars={beta: qbeta},
    )
    inference.initialize(scale={x: 1.0, x2: 2.0})


row(
    "models-copy-not-a-node",
    TypeError,
    "copy() re-creates a node of a TensorFlow graph: org_instance must be a RandomVariable, "
    "tf.Tensor, tf.Operation or Variable, got …",
    lambda env: ed.copy(np.zeros(3)),
)

row(
    "models-copy-swap-not-dict",
    TypeError,
    "dict_swap must be a dict {node of the model: its replacement}, got …",
    lambda env: ed.copy(tf.zeros([2]) + 1.0, dict_swap=[1]),
)


@row(
    "models-copy-swap-shape",
    ValueError,
    "dict_swap cannot swap … (shape …) for a value of shape …: the shapes differ.",
)
def _copy_swap_shape(env):
    z = Normal(tf.zeros([3]), 1.0)
    ed.copy(z + 1.0, {z: tf.zeros([4])})


row(
    "models-copy-scope",
    ValueError,
    "scope must be a valid TensorFlow name scope (letters, digits, '_', '.', '-', '/'; not "
    "starting with '_', '-' or '/'), got …",
    lambda env: ed.copy(tf.zeros([2]) + 1.0, scope="_bad scope"),
)

row(
    "models-dot-ranks",
    ValueError,
    "dot() multiplies a matrix and a vector (ranks 2 and 1, in either order), got ranks … and …",
    lambda env: ed.dot(tf.zeros([2, 2]), tf.zeros([2, 2])),
)

row(
    "models-dot-inner",
    ValueError,
    "dot() cannot multiply shapes … and …: the shared dimension differs (… vs …).",
    lambda env: ed.dot(tf.zeros([2, 3]), tf.zeros([2])),
)


row(
    "inference-rejection-n",
    ValueError,
    "rejection_sample's n must be a positive int, got …",
    lambda env: ed.rejection_sample(_initialized(gan()[0]), 0),
)
also("inference-rejection-n", lambda env: ed.rejection_sample(_initialized(gan()[0]), 2.5))

row(
    "inference-rejection-burn-in",
    ValueError,
    "burn_in must be a positive int (proposals to set the bound on D's logits), got …",
    lambda env: ed.rejection_sample(_initialized(gan()[0]), 10, burn_in=0),
)

row(
    "inference-rejection-quantile",
    ValueError,
    "gamma_quantile must be a number strictly between 0 and 1, e.g. 0.8, or None for gamma = 0, "
    "got …",
    lambda env: ed.rejection_sample(_initialized(gan()[0]), 10, gamma_quantile=1.0),
)
also(
    "inference-rejection-quantile",
    lambda env: ed.rejection_sample(_initialized(gan()[0]), 10, gamma_quantile="0.8"),
)


row(
    "inference-rejection-max-proposals",
    ValueError,
    "max_proposals must be an int of at least burn_in (…), or None, got …",
    lambda env: ed.rejection_sample(_initialized(gan()[0]), 10, burn_in=8, max_proposals=4),
)


@row(
    "inference-rejection-gives-up",
    RuntimeError,
    "rejection_sample kept … of … proposals, short of n = …: D rejects nearly everything. Pass "
    "gamma_quantile (e.g. 0.8) to keep more, or raise max_proposals.",
)
def _(env):
    inference = _initialized(gan()[0])
    ed.get_session().run(tf.global_variables_initializer())
    ed.rejection_sample(inference, 100, burn_in=4, max_proposals=8)  # 8 cannot give 100


@row(
    "inference-rejection-packed",
    ValueError,
    "rejection_sample needs one logit per sample; the discriminator gave … for … samples (a "
    "packed discriminator judges several samples at once and cannot weigh them one by one).",
)
def _(env):
    _, x = normal_model()
    inference = ed.GANInference(
        data={x: tf.placeholder(tf.float32, [M, 1])},
        discriminator=lambda x: layers.dense(tf.reshape(x, [M // 2, 2]), 1),
    )
    _initialized(inference)
    ed.get_session().run(tf.global_variables_initializer())
    ed.rejection_sample(inference, 10, burn_in=2)


row(
    "inference-rejection-max-logit",
    ValueError,
    "max_logit … is below the largest logit …; pass the maximum of the logits or more.",
    lambda env: ed.inferences.acceptance_probability(np.array([0.0, 1.0]), max_logit=0.5),
)


row(
    "inference-seed-type",
    TypeError,
    "seed must be an integer, got …",
    lambda env: ed.set_seed("42"),
)

row(
    "inference-seed-range",
    ValueError,
    "seed must be in [0, 2**31), got …",
    lambda env: ed.set_seed(-1),
)

row(
    "inference-progbar-target",
    ValueError,
    "Progbar target must be a non-negative int, got …",
    lambda env: Progbar(-1),
)


# === Data ==========================================================================

row(
    "data-batch-size-type",
    TypeError,
    "batch_size must be a positive int, got …",
    lambda env: batches(np.zeros((10, 3), np.uint8), 2.5),
)

row(
    "data-batch-size-value",
    ValueError,
    "batch_size must be a positive int, got …",
    lambda env: batches(np.zeros((10, 3), np.uint8), 0),
)

also("data-batch-size-value", lambda env: tiny_classifier().predict(IMAGE, batch_size=0))

row(
    "data-batches-0d",
    ValueError,
    "array must be at least 1-D with examples along the first axis, got a 0-D array.",
    lambda env: batches(np.float32(0.5), 2),
)

row(
    "data-batches-empty",
    ValueError,
    "array must hold at least one example, got shape …",
    lambda env: batches(np.zeros((0, 3), np.uint8), 2),
)

row(
    "data-batches-labels",
    ValueError,
    "labels must hold one label per example (…), got shape …",
    lambda env: batches(np.zeros((10, 3), np.uint8), 2, labels=np.zeros(9)),
)

row(
    "data-batches-float-range",
    ValueError,
    "Floating-point data must already be scaled to [0, 1], got values in […, …]. Scale it first "
    "(e.g. divide 0..255 pixels by 255), or pass the uint8 array, which is scaled for you.",
    lambda env: batches(np.full((10, 3), 255.0, np.float32), 2),
)

row(
    "data-batches-not-finite",
    ValueError,
    "array holds … NaN or Inf value(s): one bad value makes every weight NaN within a few "
    "updates. Remove or impute them first, e.g. array[~np.isfinite(array)] = 0.",
    lambda env: batches(np.array([[0.5, np.nan], [0.1, 0.2]], np.float32), 2),
)

row(
    "data-batches-dtype",
    TypeError,
    "array must be uint8 (0..255), bool, or floating point in [0, 1], got dtype …. Convert it, "
    "e.g. array.astype(np.uint8) for 0..255 pixels.",
    lambda env: batches(np.zeros((10, 3), np.int64), 2),
)

row(
    "data-mnist-validation-size-type",
    ValueError,
    "validation_size must be an int, got …",
    lambda env: mnist_splits(env.tmp_path, validation_size=0.1, download=False),
)

row(
    "data-mnist-validation-size-range",
    ValueError,
    "validation_size must be an int with 0 <= validation_size < 60000 (the number of MNIST "
    "training images), got …",
    lambda env: mnist_splits(env.tmp_path, validation_size=60000, download=False),
)

row(
    "data-mnist-validation-size-moved",
    TypeError,
    "mnist() takes no validation_size: it always returns ((x_train, y_train), (x_test, y_test)). "
    "For a validation split use mnist_splits(data_dir, validation_size=...), which returns "
    "((x_train, y_train), (x_valid, y_valid), (x_test, y_test)).",
    lambda env: mnist(env.tmp_path, validation_size=5000, download=False),
)

row(
    "data-mnist-data-dir-type",
    TypeError,
    "data_dir must be a str or os.PathLike, got …",
    lambda env: mnist(3, download=False),
)


@row(
    "data-mnist-missing",
    DataError,
    "MNIST file … is missing (and so is the uncompressed …), and download=False. To fix: call "
    "mnist(download=True), or download the four files by hand from … into …, or set "
    "GAN_INFER_DATA_DIR to a folder that holds them.",
)
def _(env):
    env.tmp_path.mkdir(parents=True)
    mnist(env.tmp_path, download=False)


@row(
    "data-mnist-download-failed",
    DataError,
    "MNIST file … is missing and could not be downloaded. URLs tried:…Last error: …To fix: "
    "check the network connection and run again, or download the four files by hand from … "
    "into …, or set GAN_INFER_DATA_DIR to a folder that holds them.",
)
def _(env):
    def offline(url):
        raise urllib.error.URLError("network unreachable (test)")

    env.monkeypatch.setattr(mnist_module, "_fetch", offline)
    mnist(env.tmp_path)


@row(
    "data-mnist-not-gzip",
    DataError,
    "… is not a valid gzip file (…). To fix: delete it and run again to re-download, or "
    "download the four files by hand from … into …, or set GAN_INFER_DATA_DIR to a folder "
    "that holds them.",
)
def _(env):
    write(env, mnist_module.TRAIN_IMAGES, b"<html>404 Not Found</html>")
    mnist(env.tmp_path, download=False)


@row(
    "data-mnist-md5",
    DataError,
    "…: MD5 checksum mismatch: expected …, got … (uncompressed content is … bytes, expected …); "
    "the file is corrupt, truncated, or not the official MNIST file. To fix: delete it and run "
    "again to re-download, or download the four files by hand",
)
def _(env):
    small = idx_bytes(0x00000803, (1, 28, 28), bytes(784))
    write(env, mnist_module.TRAIN_IMAGES, gzip.compress(small))
    mnist(env.tmp_path, download=False)


row(
    "data-idx-too-short",
    DataError,
    "… is truncated: expected at least 4 bytes for the IDX magic number, got …",
    lambda env: read_idx(write(env, "short.idx", b"\x00\x00")),
)


@row(
    "data-idx-wrong-magic",
    DataError,
    "… has the wrong magic number: expected 0x…, got 0x…. Check that the file is complete and "
    "in IDX format.",
)
def _(env):
    read_idx(
        write(env, "images.idx", idx_bytes(0x00000803, (1, 1, 1), b"\x00")),
        expected_magic=mnist_module.LABELS_MAGIC,
    )


row(
    "data-idx-bad-type",
    DataError,
    "… has the wrong magic number: expected 0x0000TTNN with type code TT one of …, got 0x…",
    lambda env: read_idx(write(env, "odd.idx", idx_bytes(0x00000F01, (1,), b"\x00"))),
)


@row(
    "data-idx-truncated-header",
    DataError,
    "… is truncated: expected … header bytes for … dimensions, got …",
)
def _(env):
    read_idx(write(env, "header.idx", struct.pack(">I", 0x00000803) + b"\x00\x00\x00\x01"))


row(
    "data-idx-truncated-data",
    DataError,
    "… is truncated: expected … bytes from the header (shape …), got …",
    lambda env: read_idx(write(env, "data.idx", idx_bytes(0x00000801, (10,), bytes(5)))),
)

row(
    "data-idx-trailing",
    DataError,
    "… has … bytes of trailing garbage: expected … bytes from the header (shape …), got …",
    lambda env: read_idx(write(env, "trailing.idx", idx_bytes(0x00000801, (2,), bytes(5)))),
)


def image_file(env, name, shape):
    """A black PNG of `shape` at env.tmp_path/name."""
    from PIL import Image

    path = env.tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.zeros(shape, np.uint8)).save(path)
    return path


def npy(env, name, array):
    """`array` saved at env.tmp_path/name (objects pickled, as np.save can)."""
    env.tmp_path.mkdir(parents=True, exist_ok=True)
    np.save(env.tmp_path / name, array, allow_pickle=True)
    return env.tmp_path / name


row(
    "data-images-missing",
    DataError,
    "… does not exist: give a folder of PNG/JPEG images, a .npy or .npz.",
    lambda env: ed.datasets.images(env.tmp_path / "nowhere"),
)

row(
    "data-images-not-supported",
    DataError,
    "… is not a folder, a .npy or .npz file, or a PNG/JPEG image.",
    lambda env: ed.datasets.images(write(env, "data.csv", b"1,2,3\n")),
)

row(
    "data-images-empty-folder",
    DataError,
    "… holds no PNG or JPEG images (searched recursively; other files are ignored).",
    lambda env: ed.datasets.images(write(env, "README.txt", b"no images here").parent),
)

row(
    "data-images-unreadable",
    DataError,
    "… cannot be read as an image (…); replace it, or move it out of the folder.",
    lambda env: ed.datasets.images(write(env, "cut.png", b"\x89PNG\r\n\x1a\n").parent),
)


@row(
    "data-images-mixed-sizes",
    DataError,
    "The images of … have different sizes (… is …x…, … is …x… pixels); pass size= to resize "
    "them all to one side (gan-infer: --image-size).",
)
def _(env):
    image_file(env, "a.png", (8, 8))
    image_file(env, "sub/b.png", (8, 9))
    ed.datasets.images(env.tmp_path)


row(
    "data-images-size",
    ValueError,
    "size must be None or a positive int, got …",
    lambda env: ed.datasets.images("x.npy", size=0),
)

row(
    "data-images-channels",
    ValueError,
    "channels must be None, 1 or 3, got …",
    lambda env: ed.datasets.images("x.npy", channels=4),
)

row(
    "data-images-shape",
    DataError,
    "… holds an array of shape …: expected images (N, H, W), (N, H, W, C) with C = 1 or 3, or "
    "(N, s*s) square grey images…",
    lambda env: ed.datasets.images(npy(env, "x.npy", np.zeros((4, 3, 8, 8)))),
)
also("data-images-shape", lambda env: ed.datasets.images(npy(env, "x.npy", np.zeros((4, 10)))))

row(
    "data-images-no-rows",
    DataError,
    "… holds no images (shape …).",
    lambda env: ed.datasets.images(npy(env, "x.npy", np.zeros((0, 8, 8)))),
)

row(
    "data-images-not-finite",
    DataError,
    "… holds NaN or infinite values.",
    lambda env: ed.datasets.images(npy(env, "x.npy", np.full((2, 8, 8), np.nan))),
)

row(
    "data-images-float-range",
    DataError,
    "… holds values in […, …], outside [0, 1]. Scale them first: x / 255 for 0..255 pixels, "
    "(x + 1) / 2 for values in [-1, 1].",
    lambda env: ed.datasets.images(npy(env, "x.npy", np.full((2, 8, 8), 255.0))),
)
also(
    "data-images-float-range",
    lambda env: cli.evaluate(npy(env, "s.npy", -np.ones((4, 784))), data=env.tmp_path / "s.npy"),
)

row(
    "data-images-int-range",
    DataError,
    "… holds integers in […, …]: expected pixels in 0..255 (uint16 arrays may use 0..65535).",
    lambda env: ed.datasets.images(npy(env, "x.npy", np.full((2, 8, 8), 1000, np.int32))),
)

row(
    "data-array-missing",
    DataError,
    "… does not exist or is not a file.",
    lambda env: ed.datasets.read_array(env.tmp_path / "missing.npy"),
)

row(
    "data-array-empty",
    DataError,
    "… is empty (0 bytes): not a .npy or .npz file.",
    lambda env: ed.datasets.images(write(env, "empty.npy", b"")),
)
also("data-array-empty", lambda env: cli.evaluate(write(env, "empty.npy", b""), toy="ring"))

row(
    "data-array-not-numpy",
    DataError,
    "… is not a numpy .npy or .npz file (it starts with …); write arrays with np.save or np.savez.",
    lambda env: ed.datasets.images(write(env, "text.npy", b"0.5 0.5\n0.5 0.5\n")),
)
also("data-array-not-numpy", lambda env: cli.evaluate(write(env, "text.npy", b"1 2 3\n")))

row(
    "data-array-objects",
    DataError,
    "… holds Python objects (dtype object), which are not loaded: unpickling can run code. Save "
    "a numeric array instead, e.g. np.save(path, x.astype(np.float32)).",
    lambda env: ed.datasets.images(npy(env, "objects.npy", np.array([None, 1]))),
)
also(
    "data-array-objects",
    lambda env: cli.evaluate(npy(env, "s.npy", np.array([{"a": 1}])), toy="ring"),
)


@row("data-array-corrupt", DataError, "… is truncated or corrupt (…).")
def _(env):
    path = npy(env, "cut.npy", np.zeros((4, 8, 8)))
    path.write_bytes(path.read_bytes()[:-40])
    ed.datasets.images(path)


row(
    "data-array-not-numbers",
    DataError,
    "… holds … values, not numbers.",
    lambda env: ed.datasets.images(npy(env, "words.npy", np.array(["a", "b"]))),
)


@row("data-array-npz-no-key", DataError, "… has no array …; it holds ….")
def _(env):
    env.tmp_path.mkdir(parents=True, exist_ok=True)
    np.savez(env.tmp_path / "data.npz", images=np.zeros((2, 8, 8)))
    ed.datasets.images(env.tmp_path / "data.npz", key="x_train")


@row(
    "data-array-npz-which",
    DataError,
    "… holds the arrays …: pass key= with the one to use (without it, the only array is used, or "
    "the first of images, x, x_train, arr_0).",
)
def _(env):
    env.tmp_path.mkdir(parents=True, exist_ok=True)
    np.savez(env.tmp_path / "data.npz", train=np.zeros((2, 8, 8)), test=np.zeros((2, 8, 8)))
    ed.datasets.images(env.tmp_path / "data.npz")


# === Criticism =====================================================================

A = np.zeros((4, 3))

row(
    "criticism-metrics-not-real",
    TypeError,
    "`…` must hold real numbers, got dtype …; convert it with np.asarray(…, dtype=np.float32).",
    lambda env: metrics.nearest_neighbours(np.full((2, 3), "0.5"), A),
)

row(
    "criticism-metrics-nan",
    ValueError,
    "`…` contains … NaN or infinite values; drop or fix those rows before computing the metric "
    "(a diverged generator emits NaNs).",
    lambda env: metrics.nearest_neighbours(np.full((2, 3), np.nan), A),
)

row(
    "criticism-metrics-not-2d",
    ValueError,
    "`…` must be 2-D with shape (n, D), got shape …; flatten images with ….reshape(len(…), -1).",
    lambda env: metrics.nearest_neighbours(np.zeros((2, 28, 28)), A),
)

row(
    "criticism-metrics-too-few-rows",
    ValueError,
    "`…` needs at least …, got …",
    lambda env: metrics.frechet_distance(np.zeros((1, 3)), A),
)

row(
    "criticism-metrics-no-features",
    ValueError,
    "`…` has no feature columns (shape …).",
    lambda env: metrics.nearest_neighbours(np.zeros((2, 0)), A),
)

row(
    "criticism-metrics-feature-width",
    ValueError,
    "`…` and `…` must have the same number of features, got … and …; compute both with the "
    "same feature extractor / image size.",
    lambda env: metrics.frechet_distance(np.zeros((4, 5)), A),
)

row(
    "criticism-metrics-int-argument",
    ValueError,
    "`…` must be an integer >= …, got …",
    lambda env: metrics.kernel_distance(A, A, n_subsets=0),
)

also("criticism-metrics-int-argument", lambda env: metrics.precision_recall(A, A, k=2.5))
also(
    "criticism-metrics-int-argument",
    lambda env: metrics.parzen_window_estimate(A, A, A, n_validation=0),
)

row(
    "criticism-metrics-sigma-type",
    TypeError,
    "`sigma` must be a positive number, got …",
    lambda env: metrics.parzen_log_likelihood(A, A, sigma="wide"),
)

row(
    "criticism-metrics-sigma-value",
    ValueError,
    "`sigma` must be a positive finite number, got …",
    lambda env: metrics.parzen_log_likelihood(A, A, sigma=0.0),
)

row(
    "criticism-metrics-sigmas-empty",
    ValueError,
    "`sigmas` must be a non-empty 1-D sequence of bandwidths, got …",
    lambda env: metrics.parzen_select_sigma(A, A, sigmas=[]),
)

row(
    "criticism-metrics-sigmas-positive",
    ValueError,
    "`sigmas` must all be positive and finite, got …",
    lambda env: metrics.parzen_select_sigma(A, A, sigmas=[0.1, -1.0]),
)


@row("criticism-frechet-mean-1d", ValueError, "`…` must be a 1-D mean vector, got shape …")
def _(env):
    metrics.frechet_distance_from_moments(np.zeros((1, 2)), np.eye(2), np.zeros(2), np.eye(2))


@row(
    "criticism-frechet-mean-length",
    ValueError,
    "`mu1` and `mu2` must have the same length, got … and …; use the same feature extractor "
    "for both.",
)
def _(env):
    metrics.frechet_distance_from_moments(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))


@row(
    "criticism-frechet-cov-shape",
    ValueError,
    "`…` must have shape (…, …) to match the means, got …",
)
def _(env):
    metrics.frechet_distance_from_moments(np.zeros(2), np.eye(3), np.zeros(2), np.eye(2))


@row(
    "criticism-frechet-sqrtm-not-finite",
    ValueError,
    "The matrix square root of cov1 @ cov2 is not finite even with eps=… added to the "
    "diagonals; check the covariances or pass a larger `eps`.",
)
def _(env):
    huge = 1e200 * np.eye(2)
    with np.errstate(all="ignore"):
        metrics.frechet_distance_from_moments(np.zeros(2), huge, np.zeros(2), huge)


@row(
    "criticism-frechet-not-psd",
    ValueError,
    "The square root of cov1 @ cov2 has imaginary parts up to …: the covariances are not "
    "positive semi-definite. Pass real covariance matrices (np.cov) or use more samples than "
    "feature dimensions.",
)
def _(env):
    metrics.frechet_distance_from_moments(np.zeros(2), np.diag([1.0, -1.0]), np.zeros(2), np.eye(2))


row(
    "criticism-probabilities-negative",
    ValueError,
    "`…` must be non-negative class probabilities (softmax outputs, not logits); got a "
    "minimum of …",
    lambda env: metrics.classifier_score(np.array([[-0.5, 1.5]]), n_splits=1),
)

row(
    "criticism-probabilities-sum",
    ValueError,
    "Each row of `…` must sum to 1 (row … sums to …); pass softmax outputs or normalise with "
    "p / p.sum(axis=1, keepdims=True).",
    lambda env: metrics.classifier_score(np.array([[0.2, 0.2]]), n_splits=1),
)

row(
    "criticism-score-splits",
    ValueError,
    "`n_splits` (…) cannot exceed the number of samples (…); pass fewer splits or more samples.",
    lambda env: metrics.classifier_score(np.full((2, 2), 0.5), n_splits=3),
)

row(
    "criticism-histogram-columns",
    ValueError,
    "`labels_or_probabilities` has … columns but n_classes=…; pass n_classes=….",
    lambda env: metrics.class_histogram(np.full((2, 3), 1 / 3), n_classes=10),
)

row(
    "criticism-histogram-float-labels",
    TypeError,
    "1-D `labels_or_probabilities` must be integer class labels; pass probabilities as an "
    "(n, n_classes) array instead.",
    lambda env: metrics.class_histogram(np.array([0.5, 1.5])),
)

row(
    "criticism-histogram-shape",
    ValueError,
    "`labels_or_probabilities` must be (n,) labels or (n, n_classes) probabilities, got shape …",
    lambda env: metrics.class_histogram(np.zeros((2, 28, 28))),
)

row(
    "criticism-histogram-empty",
    ValueError,
    "`labels_or_probabilities` is empty; need at least one sample.",
    lambda env: metrics.class_histogram(np.array([], np.int64)),
)

row(
    "criticism-histogram-label-range",
    ValueError,
    "Labels must lie in [0, …), got values from … to …; set n_classes to the number of classes.",
    lambda env: metrics.class_histogram(np.array([0, 12])),
)

row(
    "criticism-memorisation-percentile",
    ValueError,
    "`percentile` must lie strictly between 0 and 100, got …",
    lambda env: metrics.memorisation_check(A, A, A, percentile=100),
)

row(
    "criticism-toy-not-1d",
    ValueError,
    "`…` must be 1-D samples of shape (n,) or (n, 1), got shape …; for multivariate samples "
    "use the metrics module.",
    lambda env: toy.fit_normal_1d(np.zeros((5, 2))),
)

row(
    "criticism-toy-empty",
    ValueError,
    "`…` is empty; need at least one sample.",
    lambda env: toy.fit_normal_1d(np.zeros(0)),
)

row(
    "criticism-toy-cdf-string",
    TypeError,
    "`cdf_or_samples` must be a callable CDF, a distribution with a .cdf method or an array of "
    "samples, got the string …; pass e.g. scipy.stats.norm(0, 1).",
    lambda env: toy.ks_distance(np.zeros(5), "norm"),
)

row(
    "criticism-toy-centers-shape",
    ValueError,
    "`centers` must have shape (n_modes, 2), got …",
    lambda env: toy.Mixture2D(centers=np.zeros((3, 3)), std=0.1),
)

row(
    "criticism-toy-centers-nan",
    ValueError,
    "`centers` contains NaN or infinite values.",
    lambda env: toy.Mixture2D(centers=np.full((3, 2), np.inf), std=0.1),
)

row(
    "criticism-toy-std",
    ValueError,
    "`std` must be a positive finite number, got …",
    lambda env: toy.Mixture2D(centers=np.zeros((3, 2)), std=0.0),
)

row(
    "criticism-toy-mixture-type",
    TypeError,
    "`mixture` must be a Mixture2D (e.g. ring_of_gaussians()), got …",
    lambda env: toy.mode_coverage(np.zeros((5, 2)), "ring"),
)

row(
    "criticism-toy-samples-2d",
    ValueError,
    "`samples` must be 2-D points of shape (n, 2), got …",
    lambda env: toy.mode_coverage(np.zeros((5, 3)), toy.ring_of_gaussians()),
)

row(
    "criticism-toy-threshold",
    ValueError,
    "`threshold_sigmas` must be positive, got …",
    lambda env: toy.mode_coverage(np.zeros((5, 2)), toy.ring_of_gaussians(), threshold_sigmas=0),
)


def fake_mnist(data_dir=None, validation_size=0, download=True):
    images, labels = np.zeros((10, 784), np.uint8), np.zeros(10, np.uint8)
    return (images, labels), (images, labels), (images, labels)


@row(
    "criticism-evaluate-samples-shape",
    ValueError,
    "MNIST samples must have shape (N, 784) or (N, 28, 28), got …",
)
def _(env):
    env.monkeypatch.setattr(evaluate_module, "mnist_splits", fake_mnist)
    evaluate_module.evaluate_mnist(np.zeros((5, 32, 32)))


@row(
    "criticism-evaluate-samples-range",
    ValueError,
    "MNIST samples must be finite pixel intensities in [0, 1].",
)
def _(env):
    env.monkeypatch.setattr(evaluate_module, "mnist_splits", fake_mnist)
    evaluate_module.evaluate_mnist(np.full((5, 784), 255.0))


@row(
    "criticism-evaluate-labels",
    ValueError,
    "labels must hold one digit per sample (…), got shape …",
)
def _(env):
    env.monkeypatch.setattr(evaluate_module, "mnist_splits", fake_mnist)
    evaluate_module.evaluate_mnist(
        np.zeros((5, 784)), classifier=tiny_classifier(), labels=np.zeros(3, np.int64)
    )


row(
    "criticism-plots-image-size",
    ValueError,
    "Each of the … must have … values to show as … images, got shape …",
    lambda env: plots.sample_grid(np.zeros((16, 100))),
)

row(
    "criticism-plots-grid-too-few",
    ValueError,
    "sample_grid needs at least … samples for a …x… grid, got …",
    lambda env: plots.sample_grid(np.zeros((3, 784))),
)

row(
    "criticism-plots-neighbours",
    ValueError,
    "neighbours must hold one image per row (…), got …",
    lambda env: plots.sample_grid(np.zeros((16, 784)), neighbours=np.zeros((2, 784))),
)

row(
    "criticism-plots-interpolation-shapes",
    ValueError,
    "z_start and z_end must have the same shape, got … and …",
    lambda env: plots.latent_interpolation(np.zeros(3), np.zeros(4)),
)

row(
    "criticism-plots-interpolation-steps",
    ValueError,
    "steps must be at least 2, got …",
    lambda env: plots.latent_interpolation(np.zeros(3), np.ones(3), steps=1),
)

row(
    "criticism-plots-interpolation-grid",
    ValueError,
    "images must be (rows, steps, pixels), got shape …",
    lambda env: plots.interpolation_grid(np.zeros((10, 784))),
)

row(
    "criticism-plots-history-key",
    KeyError,
    "… was not recorded; recorded: …",
    lambda env: plots.history_figure({"t": [1, 2], "loss": [0.7, 0.6]}, {"losses": ["loss_d"]}),
)

row(
    "criticism-plots-no-frames",
    ValueError,
    "animate_… needs at least one frame.",
    lambda env: plots.animate_1d([], np.linspace(0, 1, 5), np.ones(5), env.tmp_path / "fit.gif"),
)

also(
    "criticism-plots-no-frames",
    lambda env: plots.animate_2d([], np.zeros((5, 2)), env.tmp_path / "fit.gif"),
)

row(
    "criticism-monitor-fetches",
    TypeError,
    "Monitor needs a non-empty dict of name -> tensor to record.",
    lambda env: Monitor([tf.zeros([])]),
)

row(
    "criticism-monitor-t",
    ValueError,
    "'t' is the iteration counter's name in the history; rename that fetch.",
    lambda env: Monitor({"t": tf.zeros([])}),
)

row(
    "criticism-monitor-every",
    ValueError,
    "every must be a positive int, got …",
    lambda env: Monitor({"d": tf.zeros([])}, every=0),
)

row(
    "criticism-draw-samples-n",
    ValueError,
    "n must be a positive int, got …",
    lambda env: draw_samples(tf.zeros([M, 1]), 0),
)


@row(
    "criticism-draw-samples-batch", ValueError, "draw_samples needs a batch of samples, got shape …"
)
def _(env):
    draw_samples(tf.reduce_mean(tf.zeros([M, 1])), 10)


row(
    "criticism-classifier-config-filters",
    ValueError,
    "ClassifierConfig.conv_filters must be a sequence of positive ints, got …",
    lambda env: classifier_module.ClassifierConfig(conv_filters=32),
)

row(
    "criticism-classifier-config-int",
    ValueError,
    "ClassifierConfig.… must be a positive int, got …",
    lambda env: classifier_module.ClassifierConfig(epochs=0),
)

row(
    "criticism-classifier-config-range",
    ValueError,
    "ClassifierConfig.… must be a number in …, got …",
    lambda env: classifier_module.ClassifierConfig(dropout_rate=1.0),
)

row(
    "criticism-classifier-config-seed",
    ValueError,
    "ClassifierConfig.seed must be an int in [0, 2**31), got …",
    lambda env: classifier_module.ClassifierConfig(seed=-1),
)


@row(
    "criticism-classifier-config-type",
    TypeError,
    "config must be a ClassifierConfig or None, got …",
)
def _(env):
    classifier_module.classifier_cache_path(config={"epochs": 1})


row(
    "criticism-classifier-cache-dir",
    TypeError,
    "cache_dir must be a str or os.PathLike, got …",
    lambda env: classifier_module.classifier_cache_path(cache_dir=3),
)

row(
    "criticism-classifier-tensor",
    TypeError,
    "MNISTClassifier takes numpy arrays, got a TensorFlow tensor …; evaluate it first, e.g. "
    "sess.run(x).",
    lambda env: tiny_classifier().predict(tf.zeros([1, 784])),
)

row(
    "criticism-classifier-images-dtype",
    TypeError,
    "images must be uint8 (0..255, scaled by 1/255), bool, or floating point in [0, 1], got "
    "dtype …; …",
    lambda env: tiny_classifier().predict(np.zeros((1, 784), np.int32)),
)

row(
    "criticism-classifier-images-shape",
    ValueError,
    "images must have shape (N, 784), (N, 28, 28) or (N, 28, 28, 1), got …",
    lambda env: tiny_classifier().predict(np.zeros(784, np.float32)),
)

row(
    "criticism-classifier-images-empty",
    ValueError,
    "images is empty (shape …); pass at least one image.",
    lambda env: tiny_classifier().predict(np.zeros((0, 784), np.float32)),
)

row(
    "criticism-classifier-images-nan",
    ValueError,
    "images contain … NaN or infinite values (the first at image …, pixel …); a diverged "
    "generator?",
    lambda env: tiny_classifier().features(np.full((1, 784), np.nan, np.float32)),
)

row(
    "criticism-classifier-images-range",
    ValueError,
    "float images must lie in [0, 1], got values in […, …].…",
    lambda env: tiny_classifier().predict_proba(np.full((1, 784), -1.0, np.float32)),
)

row(
    "criticism-classifier-weights-type",
    TypeError,
    "weights must be a dict name -> array, got …",
    lambda env: classifier_module.MNISTClassifier(list(tiny_weights().values()), TINY_CONFIG),
)


@row(
    "criticism-classifier-weights-names",
    ValueError,
    "weights do not match the configuration …: missing …, unexpected …",
)
def _(env):
    weights = tiny_weights()
    weights["dense/kernel"] = weights.pop("hidden/kernel")
    classifier_module.MNISTClassifier(weights, TINY_CONFIG)


@row(
    "criticism-classifier-weight-shape",
    ValueError,
    "weight … has shape …, but the configuration needs …",
)
def _(env):
    weights = tiny_weights()
    weights["logits/bias"] = np.zeros(9, np.float32)
    classifier_module.MNISTClassifier(weights, TINY_CONFIG)


@row("criticism-classifier-closed", RuntimeError, "This MNISTClassifier has been closed.")
def _(env):
    classifier = tiny_classifier()
    classifier.close()
    classifier.predict(IMAGE)


row(
    "criticism-classifier-labels-dtype",
    ValueError,
    "labels must be integers 0..9, got dtype …",
    lambda env: tiny_classifier().accuracy(IMAGE, np.array([1.0])),
)

row(
    "criticism-classifier-labels-shape",
    ValueError,
    "labels must have shape (…,), one per image, got …",
    lambda env: tiny_classifier().accuracy(IMAGE, np.array([1, 2])),
)

row(
    "criticism-classifier-labels-range",
    ValueError,
    "labels must lie in 0..9, got values in […, …].",
    lambda env: tiny_classifier().accuracy(IMAGE, np.array([10])),
)


row(
    "criticism-images-shapes",
    ValueError,
    "samples and data must hold images of one shape [N, H, W, C], got … and ….",
    lambda env: image_metrics.evaluate_images(np.zeros((8, 28, 28, 1)), np.zeros((40, 32, 32, 1))),
)
also(
    "criticism-images-shapes",
    lambda env: image_metrics.evaluate_images(np.zeros((8, 784)), np.zeros((40, 784))),
)

row(
    "criticism-images-too-few",
    ValueError,
    "evaluate_images needs at least 4 samples and 20 data images, got … and ….",
    lambda env: image_metrics.evaluate_images(np.zeros((8, 28, 28, 1)), np.zeros((10, 28, 28, 1))),
)

row(
    "criticism-random-features-shape",
    ValueError,
    "images must have shape [N, H, W, C] with H, W >= 14, got ….",
    lambda env: image_metrics.random_features(np.zeros((8, 8, 8, 1))),
)


# === Files/IO ======================================================================

row(
    "files-ensure-directory-create",
    OSError,
    "Cannot create the … directory …: …. Choose a directory you can write to.",
    lambda env: ensure_directory(under_a_file(env, "out")),
)


@row(
    "files-ensure-directory-unwritable",
    PermissionError,
    "The … directory … is not writable. Choose a directory you can write to.",
)
def _(env):
    if os.geteuid() == 0:
        pytest.skip("root can write to any directory; chmod cannot make one unwritable")
    locked = env.tmp_path / "locked"
    locked.mkdir(parents=True)
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("chmod 0o500 does not make a directory unwritable here")
        ensure_directory(locked)
    finally:
        locked.chmod(0o700)


@row(
    "files-atomic-write",
    OSError,
    "Cannot write …: …. Check that its directory exists and is writable.",
)
def _(env):
    with atomic_write(env.tmp_path / "missing" / "out.bin") as handle:
        handle.write(b"")


also("files-atomic-write", lambda env: save_npy(under_a_file(env, "samples.npy"), np.zeros(3)))


@also("files-atomic-write")
def _(env):
    plots.save_figure(
        plots.sample_grid(np.zeros((1, 784)), 1, 1), env.tmp_path / "missing" / "grid.png"
    )


row(
    "files-logdir",
    OSError,
    "Cannot create the TensorBoard log directory … (…); pass a writable logdir.",
    lambda env: gan()[0].initialize(n_print=0, logdir=str(under_a_file(env, "logs"))),
)

row(
    "files-mnist-unwritable",
    DataError,
    "Cannot write MNIST files into … (…). Pass a writable data_dir to mnist(), or set "
    "GAN_INFER_DATA_DIR to a writable folder (or to one that already holds the four files).",
    lambda env: mnist(under_a_file(env, "mnist")),
)


# --- command line and checkpoints ---------------------------------------------------


def minibatched_gan(entries, discriminate=None):
    """A GANInference whose model tensors (one per entry) are bound to `entries`."""
    _, x = normal_model()
    keys = [x] + [x + float(k) for k in range(1, len(entries))]
    return ed.GANInference(
        data=dict(zip(keys, entries)),
        discriminator=discriminate or (lambda *v: layers.dense(tf.concat(v, 1), 1)),
    )


def checkpointed_gan(env, n_iter=2, data=None, **initialize_kwargs):
    """A small GAN on in-graph data, checkpointing into env.tmp_path."""
    inference = minibatched_gan(
        [ed.Minibatches(np.zeros([40, 1], np.float32) if data is None else data, shuffle=False)]
    )
    inference.initialize(
        n_iter=n_iter, n_print=0, checkpoint_dir=str(env.tmp_path), **initialize_kwargs
    )
    return inference


def run_dir(env, model="ring", **options):
    """A run directory holding only the config.json of `train(model, **options)`."""
    directory = env.tmp_path / "run"
    directory.mkdir(parents=True)
    (directory / "config.json").write_text(json.dumps(cli.resolve_config(model, **options)))
    return directory


def sweep_file(env, text):
    env.tmp_path.mkdir(parents=True, exist_ok=True)
    path = env.tmp_path / "sweep.toml"
    path.write_text(text)
    return sweep.plan(sweep.load_config(path), str(env.tmp_path / "out"), str(path))


SWEEP = 'model = "ring"\nseeds = 2\n[options]\nn_iter = 20\n[grid]\nloss = ["minimax", "hinge"]\n'

row(
    "cli-checkpoint-every-without-dir",
    ValueError,
    "checkpoint_every needs a checkpoint_dir to write to.",
    lambda env: gan(data=np.zeros([M, 1], np.float32))[0].initialize(n_print=0, checkpoint_every=5),
)

row(
    "cli-checkpoint-every",
    ValueError,
    "checkpoint_every must be a positive int, got …",
    lambda env: checkpointed_gan(env, checkpoint_every=0),
)

row(
    "cli-keep-checkpoints",
    ValueError,
    "keep_checkpoints must be a positive int, got …",
    lambda env: checkpointed_gan(env, keep_checkpoints=-1),
)


@row("cli-checkpoint-needs-dir", RuntimeError, "…() needs initialize(checkpoint_dir=...).")
def _(env):
    inference, _ = gan(data=np.zeros([M, 1], np.float32))
    inference.initialize(n_print=0)
    inference.save_checkpoint()


@also("cli-checkpoint-needs-dir")
def _(env):
    inference, _ = gan(data=np.zeros([M, 1], np.float32))
    inference.initialize(n_print=0)
    inference.restore()


row(
    "cli-no-checkpoint",
    FileNotFoundError,
    "No intact checkpoint in ….",
    lambda env: checkpointed_gan(env).restore(),
)


@row(
    "cli-checkpoint-of-another-model",
    ValueError,
    "The checkpoint … does not match this model (…). Resume with the program that wrote it, or "
    "use a new checkpoint_dir.",
)
def _(env):
    with tf.Graph().as_default():
        checkpointed_gan(env).run()
    with tf.Graph().as_default():
        with tf.variable_scope("Gen"):
            x = layers.dense(Uniform(tf.zeros([M, 3]), tf.ones([M, 3])), 1, name="other")
        inference = ed.GANInference(
            data={x: np.zeros([40, 1], np.float32)}, discriminator=discriminator
        )
        inference.initialize(n_iter=2, n_print=0, checkpoint_dir=str(env.tmp_path))
        inference.run()


@row("cli-nan-loss", FloatingPointError, "… became … at iteration …: training stopped.")
def _(env):
    # A step size that overflows the weights (NaN data are refused where bound).
    step = tf.train.GradientDescentOptimizer(1e38)
    checkpointed_gan(env, n_iter=10, checkpoint_every=1, optimizer=step, optimizer_d=step).run()


also(
    "cli-nan-loss",  # the command line's run, where the NaN reaches a TensorBoard histogram
    lambda env: cli.train(
        "mixture", env.tmp_path, n_iter=10, n_print=2, learning_rate=1e38, evaluate=False
    ),
)

row(
    "cli-minibatches-empty",
    ValueError,
    "Minibatches needs an array with at least one row, got shape ….",
    lambda env: ed.Minibatches(np.zeros([0, 2])),
)

row(
    "cli-minibatches-dtype",
    TypeError,
    "Minibatches needs a numeric array, got dtype ….",
    lambda env: ed.Minibatches(np.array(["a", "b"])),
)

row(
    "cli-minibatches-binarize",
    ValueError,
    "Minibatches(binarize=True) needs uint8 pixels (0..255) or floating-point values in [0, 1] "
    "(the probability of a 1); scale the data first, e.g. x / 255.0.",
    lambda env: ed.Minibatches(np.full([4, 1], 255.0), binarize=True),
)

row(
    "cli-minibatches-rows",
    ValueError,
    "The mini-batched data entries have different numbers of rows …; entries served together "
    "(e.g. images and their labels) must pair row by row.",
    lambda env: minibatched_gan(
        [ed.Minibatches(np.zeros([10, 1])), ed.Minibatches(np.zeros([12, 1]))]
    ),
)

row(
    "cli-minibatches-shuffle",
    ValueError,
    "Mini-batched data entries share one order of the rows: give them all the same shuffle= "
    "setting.",
    lambda env: minibatched_gan(
        [ed.Minibatches(np.zeros([10, 1])), ed.Minibatches(np.zeros([10, 1]), shuffle=False)]
    ),
)

row(
    "cli-minibatches-batch-size",
    ValueError,
    "Mini-batched data need model tensors with one static batch size (the leading dimension) to "
    "know how many rows to serve; give the model's samples a fixed batch dimension, e.g. "
    "tf.zeros([M, d]) (got …).",
    lambda env: ed.GANInference(
        data={tf.placeholder(tf.float32, [None, 1]): ed.Minibatches(np.zeros([10, 1], np.float32))},
        discriminator=discriminator,
    ),
)

row(
    "cli-option-int",
    cli.UsageError,
    "… must be an integer >= …, got …",
    lambda env: cli.train("ring", env.tmp_path, n_iter=0),
)
also("cli-option-int", lambda env: cli.resolve_config("ring", batch_size=2.5))
also("cli-option-int", lambda env: cli.sample(run_dir(env), n=0))
also("cli-option-int", lambda env: sweep.run_sweep("sweep.toml", num_cpus=0))

row(
    "cli-option-number",
    cli.UsageError,
    "… must be a positive number, got …",
    lambda env: cli.resolve_config("mixture", learning_rate=0),
)
also("cli-option-number", lambda env: cli.resolve_config("mixture", learning_rate_d=float("inf")))

row(
    "cli-model",
    cli.UsageError,
    "model must be one of mnist, mixture, ring, grid, dcgan, got …",
    lambda env: cli.train("cifar", env.tmp_path),
)

row(
    "cli-loss",
    cli.UsageError,
    "loss must be one of non_saturating, minimax, least_squares, hinge, got …",
    lambda env: cli.train("ring", env.tmp_path, loss="wasserstein"),
)

row(
    "cli-seed",
    cli.UsageError,
    "seed must be below 2**31, got …",
    lambda env: cli.resolve_config("ring", seed=2**31),
)

row(
    "cli-out-holds-another-run",
    cli.UsageError,
    "… holds a run trained with other options (…). To resume it, run `gan-infer train …`; to "
    "train these options, pass another --out (or delete the directory to start over).",
    lambda env: cli.train("ring", run_dir(env, n_iter=30), n_iter=30, loss="hinge"),
)
also(
    "cli-out-holds-another-run",  # n_iter may grow, not shrink
    lambda env: cli.train("ring", run_dir(env, n_iter=30), n_iter=20),
)

row(
    "cli-sample-not-a-run",
    cli.UsageError,
    "… has no config.json: give the --out directory of a `gan-infer train` run",
    lambda env: cli.sample(env.tmp_path),
)

row(
    "cli-sample-no-checkpoint",
    cli.UsageError,
    "… holds no checkpoint yet: train it first with `gan-infer train …`",
    lambda env: cli.sample(run_dir(env)),
)


@row(
    "cli-sample-another-generator",
    ValueError,
    "The checkpoint … does not hold the … generator of …/config.json (…); was the directory "
    "written by another program?",
)
def _(env):
    directory = run_dir(env)
    with tf.Graph().as_default(), tf.Session() as session:
        tf.Variable(0.0, name="something_else")
        session.run(tf.global_variables_initializer())
        tf.train.Saver().save(session, str(directory / "checkpoints" / "ckpt"), global_step=1)
    cli.sample(directory)


row(
    "cli-output-extension",
    cli.UsageError,
    "output must end in …, got …",
    lambda env: cli.sample(run_dir(env), output="samples.txt"),
)
also("cli-output-extension", lambda env: cli.evaluate("s.npy", output="metrics.csv"))

row(
    "cli-not-a-file",
    cli.UsageError,
    "… is not a file",
    lambda env: cli.evaluate(env.tmp_path / "missing.npy", toy="ring"),
)
also("cli-not-a-file", lambda env: sweep.run_sweep(env.tmp_path / "missing.toml"))

row(
    "cli-toy",
    cli.UsageError,
    "toy must be one of mixture, ring, grid, got …",
    lambda env: cli.evaluate("s.npy", toy="mnist"),
)

row(
    "cli-toy-mnist-options",
    cli.UsageError,
    "--labels and --parzen are MNIST metrics: leave them out with …",
    lambda env: cli.evaluate("s.npy", toy="ring", parzen=True),
)
also("cli-toy-mnist-options", lambda env: cli.evaluate("s.npy", data="images", labels="y.npy"))

row(
    "cli-evaluate-toy-and-data",
    cli.UsageError,
    "--toy and --data judge different samples: give one of them",
    lambda env: cli.evaluate("s.npy", toy="ring", data="images"),
)

row(
    "cli-data-other-model",
    cli.UsageError,
    "… is an option of the dcgan model (your images); … trains on its own data",
    lambda env: cli.resolve_config("mnist", data="images"),
)
also("cli-data-other-model", lambda env: cli.train("ring", env.tmp_path, image_size=32))

row(
    "cli-image-size-without-data",
    cli.UsageError,
    "image_size resizes the images of --data: give --data too",
    lambda env: cli.resolve_config("dcgan", image_size=32),
)

row(
    "cli-image-size",
    cli.UsageError,
    "image_size must be 28, 32 or 64, got …",
    lambda env: cli.resolve_config("dcgan", data="images", image_size=48),
)

row(
    "cli-data-and-data-dir",
    cli.UsageError,
    "data_dir is the MNIST folder, which training on --data does not read: leave it out",
    lambda env: cli.resolve_config("dcgan", data="images", data_dir="mnist"),
)


@row(
    "cli-dcgan-image-shape",
    DataError,
    "The images of … are …x… pixels: the DCGAN trains on square images of 28, 32, 64 pixels. "
    "Resize them with --image-size (size= in Python) 28, 32 or 64: each image is centre-cropped "
    "to a square first.",
)
def _(env):
    npy(env, "faces.npy", np.zeros((4, 40, 40, 3), np.uint8))
    cli.train("dcgan", env.tmp_path / "run", data=env.tmp_path / "faces.npy")


@also("cli-dcgan-image-shape")
def _(env):
    image_file(env, "pictures/wide.png", (28, 32))
    cli.train("dcgan", env.tmp_path / "run", data=env.tmp_path / "pictures")


row(
    "cli-sweep-address-and-cpus",
    cli.UsageError,
    "num_cpus applies to a local Ray only; with an address the cluster's CPUs are used: leave "
    "one of them out",
    lambda env: sweep.run_sweep("sweep.toml", address="auto", num_cpus=2),
)


@row(
    "cli-sweep-without-ray",
    RuntimeError,
    "gan-infer sweep needs Ray, an optional dependency: pip install 'gan-infer[sweep]'",
)
def _(env):
    env.monkeypatch.setitem(sys.modules, "ray", None)
    sweep.import_ray()


@row(
    "cli-sweep-toml-needs-python-3-11",
    cli.UsageError,
    "TOML sweep files need Python >= 3.11 (tomllib); write the same keys in a .json file",
)
def _(env):
    env.monkeypatch.setitem(sys.modules, "tomllib", None)
    sweep_file(env, SWEEP)


row(
    "cli-sweep-invalid",
    cli.UsageError,
    "… is not valid …: …",
    lambda env: sweep_file(env, "model = "),
)

row(
    "cli-sweep-not-a-table",
    cli.UsageError,
    "…: the file must hold a table (TOML) or an object (JSON)",
    lambda env: sweep.plan([], "out"),
)

row(
    "cli-sweep-unknown-key",
    cli.UsageError,
    "…: unknown key …; the keys are model, seeds, cpus_per_trial, options, grid, random",
    lambda env: sweep_file(env, "epochs = 3\n" + SWEEP),
)

row(
    "cli-sweep-model",
    cli.UsageError,
    "…: model must be one of mnist, mixture, ring, grid, dcgan, got …",
    lambda env: sweep_file(env, SWEEP.replace('"ring"', '"rings"')),
)

row(
    "cli-sweep-section",
    cli.UsageError,
    "…: […] must be a table of options",
    lambda env: sweep_file(env, 'grid = 3\n' + SWEEP.split("[grid]")[0]),
)

row(
    "cli-sweep-option",
    cli.UsageError,
    "…: … is not an option of a trial; the options are loss, n_iter, n_print, batch_size, "
    "learning_rate, learning_rate_d, data_dir, checkpoint_every, keep_checkpoints, evaluate",
    lambda env: sweep_file(env, SWEEP.replace("n_iter", "epochs")),
)
also("cli-sweep-option", lambda env: sweep_file(env, SWEEP.replace("loss", "seed")))

row(
    "cli-sweep-option-twice",
    cli.UsageError,
    "…: … is set in two of [options], [grid], [random]; set it in one",
    lambda env: sweep_file(env, SWEEP.replace("n_iter = 20", 'loss = "hinge"')),
)

row(
    "cli-sweep-seeds",
    cli.UsageError,
    "…: seeds must be a count (seeds = 3: 0, 1, 2) or a list of distinct non-negative integers, "
    "got …",
    lambda env: sweep_file(env, SWEEP.replace("seeds = 2", "seeds = [1, 1]")),
)

row(
    "cli-sweep-cpus",
    cli.UsageError,
    "…: cpus_per_trial must be a positive integer, got …",
    lambda env: sweep_file(env, "cpus_per_trial = 0\n" + SWEEP),
)

row(
    "cli-sweep-grid-values",
    cli.UsageError,
    "…: grid.… must be a non-empty list of values, got …",
    lambda env: sweep_file(env, SWEEP.replace('["minimax", "hinge"]', '"hinge"')),
)

row(
    "cli-sweep-random-n",
    cli.UsageError,
    "…: random.n (the number of draws) must be a positive integer, got …",
    lambda env: sweep_file(env, SWEEP + "[random]\nlearning_rate = {uniform = [0.1, 1]}\n"),
)

row(
    "cli-sweep-distribution",
    cli.UsageError,
    "…: random.… must be one of {choice = [...]}, {uniform = [low, high]}, {log_uniform = [low, "
    "high]}; got …",
    lambda env: sweep_file(env, SWEEP + "[random]\nn = 2\nbatch_size = {normal = [0, 1]}\n"),
)

row(
    "cli-sweep-choice",
    cli.UsageError,
    "…: random.….choice must be a non-empty list",
    lambda env: sweep_file(env, SWEEP + "[random]\nn = 2\nbatch_size = {choice = []}\n"),
)

row(
    "cli-sweep-range",
    cli.UsageError,
    "…: random.….… must be [low, high] with low < high…, got …",
    lambda env: sweep_file(env, SWEEP + "[random]\nn = 2\nlearning_rate = {uniform = [1, 0.1]}\n"),
)
also(
    "cli-sweep-range",
    lambda env: sweep_file(
        env, SWEEP + "[random]\nn = 2\nlearning_rate = {log_uniform = [0, 1]}\n"
    ),
)

row(
    "cli-sweep-trial-option",
    cli.UsageError,
    "…: trial …: …",
    lambda env: sweep_file(env, SWEEP.replace("n_iter = 20", "n_iter = 0")),
)


@row(
    "cli-sweep-trial-of-other-options",
    cli.UsageError,
    "…: the trial … was trained with other options (…). Trials are named by the options that "
    "vary, so a sweep whose shared options changed needs another --out",
)
def _(env):
    trial = env.tmp_path / "out" / "trials" / "loss=minimax,seed=0"
    trial.mkdir(parents=True)
    config = cli.resolve_config("ring", loss="minimax", n_iter=30)
    (trial / "config.json").write_text(json.dumps(config))
    sweep_file(env, SWEEP)


# === Issue 20: nothing silent ======================================================
# (Registered here together; each id names its section as everywhere else.)


def sigmoid_gan(data):
    """A GANInference whose model ends in a sigmoid, bound to `data`."""
    with tf.variable_scope("Gen"):
        x = layers.dense(Uniform(-tf.ones([M, 2]), tf.ones([M, 2])), 3, activation=tf.sigmoid)
    return ed.GANInference(data={x: data}, discriminator=discriminator), x


def initialized_gan(discriminate):
    """gan() with `discriminate`, initialized (the discriminator is called then)."""
    _, x = normal_model()
    x_ph = tf.placeholder(tf.float32, [M, 1])
    inference = ed.GANInference(data={x: x_ph}, discriminator=discriminate)
    inference.initialize(n_print=0)
    ed.get_session().run(tf.global_variables_initializer())
    return inference, x_ph


@row(
    "inference-discriminator-new-variables",
    ValueError,
    "The discriminator made new variables when called again (…): every call must share one set "
    "of weights. Keras layers built inside the function are new layers at each call: create "
    "them once, outside it, and call them inside",
)
def _(env):
    import tf_keras

    initialized_gan(lambda x: tf_keras.layers.Dense(1)(x))


@row(
    "inference-discriminator-variables-outside",
    ValueError,
    "The discriminator made the variables … outside its variable scope 'Disc', so the "
    "generator's optimizer would train them.",
)
def _(env):
    with tf.variable_scope("Elsewhere") as elsewhere:
        pass

    def discriminate(x):
        with tf.variable_scope(elsewhere):
            weight = tf.get_variable("w", [1, 1])
        return tf.matmul(x, weight)

    initialized_gan(discriminate)


row(
    "inference-discriminator-logits-shape",
    ValueError,
    "The discriminator returned logits of shape …; it must return one logit per example, of "
    "shape [M] or [M, 1]: end it with a layer of one unit, e.g. layers.dense(h, 1).",
    lambda env: initialized_gan(lambda x: layers.dense(x, 2)),
)
also("inference-discriminator-logits-shape", lambda env: initialized_gan(tf.reduce_sum))


row(
    "inference-discriminator-probabilities",
    ValueError,
    "The discriminator ends in … (…), so it returns probabilities, but the losses take logits "
    "and apply the sigmoid themselves: drop the final activation",
    lambda env: initialized_gan(lambda x: layers.dense(x, 1, activation=tf.sigmoid)),
)
also(
    "inference-discriminator-probabilities",
    lambda env: initialized_gan(lambda x: tf.nn.softmax(layers.dense(x, 1))),
)

row(
    "inference-tf-layers",
    AttributeError,
    "… tf.layers / tf.compat.v1.layers need Keras 2, which TensorFlow >= 2.16 no longer uses: "
    "build the network with gan_infer.layers",
    lambda env: initialized_gan(lambda x: tf.layers.dense(x, 1)),
)

row(
    "inference-before-initialize",
    RuntimeError,
    "…() needs the training ops: call inference.initialize(...) first (run() does it for you).",
    lambda env: gan()[0].update({}),
)
also("inference-before-initialize", lambda env: gan()[0].print_progress({"t": 1}))


@row(
    "inference-variables-not-a-string",
    TypeError,
    "variables must be None (both), 'Gen' or 'Disc', got …: name one side as a string",
)
def _(env):
    inference, x_ph = initialized_gan(discriminator)
    inference.update({x_ph: np.zeros([M, 1])}, variables=["Gen"])


@row(
    "inference-another-graph",
    RuntimeError,
    "….update() was called under another default graph than the one the inference was built "
    "in: call it outside that `with graph.as_default():` block",
)
def _(env):
    inference, x_ph = initialized_gan(discriminator)
    with tf.Graph().as_default():
        inference.update({x_ph: np.zeros([M, 1])})


row(
    "inference-data-not-finite",
    ValueError,
    "… holds … NaN or Inf value(s) (the first at index …): one bad value makes every weight NaN "
    "within a few updates. Remove or impute them, e.g. x[~np.isfinite(x)] = 0.",
    lambda env: sigmoid_gan(np.full([M, 3], np.nan, np.float32)),
)
also("inference-data-not-finite", lambda env: sigmoid_gan(np.full([40, 3], np.inf, np.float32)))


@also("inference-data-not-finite")
def _(env):
    inference, x_ph = initialized_gan(discriminator)
    inference.update({x_ph: np.full([M, 1], np.nan)})


row(
    "inference-data-out-of-range",
    ValueError,
    "… holds values in [0, 255], but the model's … ends in a sigmoid, whose values lie in "
    "[0, 1]: scale the data to that range (e.g. pixels / 255.0; uint8 pixels are scaled for "
    "you).",
    lambda env: sigmoid_gan(np.tile([[0.0, 255.0, 1.0]], [M, 1]).astype(np.float32)),
)


@also("inference-data-out-of-range")
def _(env):
    x_ph = tf.placeholder(tf.float32, [M, 3])
    inference, _ = sigmoid_gan(x_ph)
    inference.initialize(n_print=0)
    ed.get_session().run(tf.global_variables_initializer())
    inference.update({x_ph: np.tile([[0.0, 255.0, 1.0]], [M, 1])})


def written_checkpoints(env):
    """A small GAN run to iteration 2 with a checkpoint at 1 and 2."""
    inference = checkpointed_gan(env, checkpoint_every=1)
    inference.run()
    return inference


@row(
    "cli-checkpoint-damaged",
    FileNotFoundError,
    "Cannot restore the checkpoint …: …. Restore another one (newest intact: …",
)
def _(env):
    inference = written_checkpoints(env)
    data = env.tmp_path / "ckpt-2.data-00000-of-00001"
    data.write_bytes(data.read_bytes()[:5])
    inference.restore(str(env.tmp_path / "ckpt-2"))


@row(
    "cli-checkpoint-not-read-back",
    OSError,
    "The checkpoint … just written does not read back (…); the older checkpoints are kept. Check "
    "the disk (free space, errors) and resume.",
)
def _(env):
    from gan_infer.inferences import checkpoints

    env.monkeypatch.setattr(checkpoints, "checkpoint_damage", lambda path: "disk full")
    checkpointed_gan(env).run()


@row(
    "cli-checkpoint-dir-in-use",
    DirectoryInUseError,
    "… is in use by process 1 on … (lock file …): wait for it to finish, stop it, or use "
    "another directory. If no such process runs, delete the lock file.",
)
def _(env):
    env.tmp_path.mkdir(parents=True)
    # Process 1 always runs: this directory is another live process's.
    (env.tmp_path / ".lock").write_text(f"1 {socket.gethostname()}\n")
    checkpointed_gan(env)


@row(
    "cli-save-non-finite",
    FloatingPointError,
    "Not saving a checkpoint at iteration …: the parameters hold NaN or Inf.",
)
def _(env):
    inference = written_checkpoints(env)
    ed.get_session().run(tf.trainable_variables()[0].assign(np.nan))
    inference.save_checkpoint()


row(
    "cli-config-not-json",
    cli.UsageError,
    "…config.json is not valid JSON (… at line …, column …): the file is damaged. Restore it, or "
    "delete it and run the command that made it again",
    lambda env: cli.check_same_run(
        write(env, "config.json", b'{"model": "ring", "n_i').parent, cli.resolve_config("ring")
    ),
)

row(
    "cli-out-is-a-file",
    cli.UsageError,
    "… is a file, not a directory: --out names the directory of a run (a new one, or one to "
    "resume). Pass another path.",
    lambda env: cli.check_same_run(write(env, "notes.txt", b"x"), cli.resolve_config("ring")),
)


# --- the tests ---------------------------------------------------------------------


def _message(error):
    # KeyError's str() is the repr of its argument; the message is the argument.
    return str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_row(case, tmp_path, monkeypatch):
    for index, trigger in enumerate(case.triggers):
        env = Env(tmp_path / f"trigger{index}", monkeypatch)
        with tf.Graph().as_default(), pytest.raises(case.exception) as info:
            trigger(env)
        message = _message(info.value)
        assert fragments_in_order(message, case.message), (
            f"trigger {index} of {case.id}: the message\n  {message}\ndoes not match the "
            f"table's\n  {case.message}"
        )


def _code_span(cell):
    match = re.fullmatch(r"(`+) ?(.*?) ?\1", cell.strip())
    assert match, f"not a code span: {cell!r}"
    return match.group(2)


def table_rows():
    """(section, exception name, message) of every row of docs/errors.md's tables."""
    rows, section = [], None
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif (
            line.startswith("|")
            and not re.match(r"\|\s*-", line)
            and not line.startswith("| What the user did")
        ):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            assert len(cells) == 4, f"a row needs 4 cells, got {len(cells)}: {line}"
            rows.append((section, _code_span(cells[1]), _code_span(cells[2])))
    return rows


def test_table_matches_cases():
    rows = table_rows()
    documented = [(exception, message) for _, exception, message in rows]
    registered = [(case.exception.__name__, case.message) for case in CASES.values()]
    assert len(set(documented)) == len(documented), "two rows with the same exception and message"
    assert not set(documented) - set(registered), (
        f"rows without a case in {__file__}: {sorted(set(documented) - set(registered))}"
    )
    assert not set(registered) - set(documented), (
        f"cases without a row in {TABLE}: {sorted(set(registered) - set(documented))}"
    )
    by_message = {(case.exception.__name__, case.message): case for case in CASES.values()}
    for section, exception, message in rows:
        assert section in SECTIONS, f"unknown section {section!r}"
        case = by_message[exception, message]
        assert case.id.startswith(SECTIONS[section]), (
            f"{case.id} is documented under {section!r}, its id says otherwise"
        )
