"""gan_infer: Edward-style GAN inference for implicit probabilistic models.

A model is a program: random variables pass through deterministic networks
and the result is an implicit model ``x`` whose density we cannot evaluate.
``GANInference`` fits it to data by adversarial training, with Edward
1.3.5's interface::

    import tensorflow.compat.v1 as tf
    import gan_infer as ed
    from gan_infer.models import Normal

    tf.disable_eager_execution()
    x_data = np.random.normal(4.0, 0.1, size=[12, 1]).astype(np.float32)
    with tf.variable_scope("Gen"):
        theta = tf.get_variable("theta", [])
        x = Normal(theta, 0.1, sample_shape=[12, 1])
    inference = ed.GANInference(data={x: x_data}, discriminator=my_critic)
    inference.run(n_iter=1000)

The package is laid out as Box's loop: ``models`` (the modelling language),
``inferences`` (fitting), ``criticism`` (judging samples), with ``datasets``
and ``util`` beside them.

Attributes are imported lazily (PEP 562): ``import gan_infer.datasets``
never pays for a TensorFlow import; ``gan_infer.GANInference`` does.

Importing gan_infer before TensorFlow keeps TensorFlow's start-up logs off
the console (``gan_infer.console``; ``GAN_INFER_VERBOSE=1`` keeps them).
"""

import importlib

from gan_infer import console

__version__ = "0.1.0"

# Before anything imports TensorFlow: its C++ side reads the log level once.
console.quiet_tensorflow()

# public name -> module that defines it
_LAZY = {
    "GANInference": "gan_infer.inferences",
    "WGANInference": "gan_infer.inferences",
    "BiGANInference": "gan_infer.inferences",
    "InfoGANInference": "gan_infer.inferences",
    "ImplicitKLqp": "gan_infer.inferences",
    "PooledImplicitKLqp": "gan_infer.inferences",
    "Inference": "gan_infer.inferences",
    "Minibatches": "gan_infer.inferences",
    "rejection_sample": "gan_infer.inferences",
    "copy": "gan_infer.models",
    "dot": "gan_infer.models",
    "get_session": "gan_infer.util",
    "set_seed": "gan_infer.util",
    "GraphModeError": "gan_infer.util",
}
_SUBPACKAGES = ("models", "inferences", "criticism", "datasets", "util", "layers")

__all__ = sorted(_LAZY) + list(_SUBPACKAGES)


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module("gan_infer." + name)
    else:
        raise AttributeError(f"module 'gan_infer' has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
