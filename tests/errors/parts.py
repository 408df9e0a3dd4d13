"""Model pieces and files shared by the error-table cases of several sections."""

import importlib
import json
import struct

import numpy as np
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer import cli, layers
from gan_infer.cli import sweep
from gan_infer.criticism import classifier as classifier_module
from gan_infer.models import Categorical, Normal, Uniform
from tests.errors.registry import Env  # noqa: F401

mnist_module = importlib.import_module("gan_infer.datasets.mnist")

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


def spectral_norm_of_a_bias(env):
    getter = layers.spectral_norm_getter(name_filter=lambda name: name.endswith("bias"))
    with tf.variable_scope("sn", custom_getter=getter):
        layers.dense(tf.zeros([2, 3]), 2)


class BareInference(ed.Inference):
    """The smallest concrete Inference, to reach the base class's checks."""

    def update(self, feed_dict=None):
        return {"t": 0}


def model_reading_a_placeholder():
    with tf.variable_scope("Gen"):
        x = layers.dense(tf.placeholder(tf.float32, [M, 1]), 1)
    ed.GANInference(data={x: np.zeros([3 * M, 1], np.float32)}, discriminator=discriminator).run(
        n_iter=1, n_print=0
    )


def gan_whose_discriminator_returns(output):
    _, x = normal_model()
    return ed.GANInference(
        data={x: tf.placeholder(tf.float32, [M, 1])},
        discriminator=lambda x: output(discriminator(x), x),
    )


def inside_averaged_generator(env, action):
    inference, x_ph = gan()
    inference.initialize(n_print=0, ema_decay=0.99, checkpoint_dir=str(env.tmp_path))
    tf.global_variables_initializer().run()
    with inference.averaged_generator():
        action(inference, x_ph)


def infogan_parts(code=None):
    with tf.variable_scope("Gen"):
        c = Categorical(logits=tf.zeros([M, 3])) if code is None else code
        x = layers.dense(tf.one_hot(c, 3), 1)
    return c, x, tf.placeholder(tf.float32, [M, 1])


def infogan_discriminator(x):
    return layers.dense(x, 1), layers.dense(x, 3)


def infogan(discriminator=infogan_discriminator):
    c, x, x_ph = infogan_parts()
    return ed.InfoGANInference(data={x: x_ph}, discriminator=discriminator, code=c)


def initialized(inference, **kwargs):
    inference.initialize(n_print=0, **kwargs)
    return inference


def bigan():
    z, x, x_ph, qz = bigan_parts()
    return ed.BiGANInference(latent_vars={z: qz}, data={x: x_ph}, discriminator=joint_discriminator)


def conditional_gan():
    with tf.variable_scope("Gen"):
        y = Categorical(logits=tf.zeros([M, 3]))
        x = layers.dense(tf.one_hot(y, 3), 1)
    data = {x: tf.placeholder(tf.float32, [M, 1]), y: tf.placeholder(tf.int32, [M])}
    return ed.GANInference(
        data=data, discriminator=lambda x, y: layers.dense(tf.concat([x, tf.one_hot(y, 3)], 1), 1)
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


A = np.zeros((4, 3))


def fake_mnist(data_dir=None, validation_size=0, download=True):
    images, labels = np.zeros((10, 784), np.uint8), np.zeros(10, np.uint8)
    return (images, labels), (images, labels), (images, labels)


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


def written_checkpoints(env):
    """A small GAN run to iteration 2 with a checkpoint at 1 and 2."""
    inference = checkpointed_gan(env, checkpoint_every=1)
    inference.run()
    return inference
