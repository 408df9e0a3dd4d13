"""docs/errors.md, section "Models": each row's mistake, made (see registry.py)."""

import sys

import numpy as np
import tensorflow.compat.v1 as tf
from tensorflow.python.eager import context

import gan_infer as ed
from gan_infer import layers
from gan_infer.models import Normal, RandomVariable, wrap
from gan_infer.models.simulator import SimulationBudgetExceeded, Simulator
from tests.errors.parts import spectral_norm_of_a_bias
from tests.errors.registry import also, row, row_test


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


row(
    "models-layer-spectral-norm-rank",
    ValueError,
    "spectral_norm_getter: … has shape …; only kernels of rank >= 2 have a spectral norm. "
    "Narrow name_filter.",
    spectral_norm_of_a_bias,
)

row(
    "models-layer-regularizer-scale",
    ValueError,
    "…_regularizer: scale must be a non-negative number, got …",
    lambda env: layers.l2_regularizer(-1.0),
)

also("models-layer-regularizer-scale", lambda env: layers.l1_regularizer(-0.1))


def enter_precision(name):
    with layers.precision(name):
        pass


row(
    "models-layer-precision-name",
    ValueError,
    "layers.…: precision must be 'float32' or 'bfloat16', got …; bfloat16 runs the layers' "
    "products in bfloat16 with float32 variables, float32 runs everything in float32.",
    lambda env: enter_precision("float16"),
)

also(
    "models-layer-precision-name",
    lambda env: layers.with_precision(lambda x: layers.dense(x, 1), "bf16"),
)

row(
    "models-layer-with-precision-not-callable",
    TypeError,
    "layers.with_precision wraps a network function, got …; pass the function itself, e.g. "
    "with_precision(generative_network, 'bfloat16').",
    lambda env: layers.with_precision(layers.dense(tf.zeros([2, 3]), 1), "bfloat16"),
)


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


# Simulator (gan_infer.models.simulator)


def _copy(theta, rng):
    return theta.copy()


def _simulate_with(output):
    return Simulator(lambda theta, rng: output(theta), name="sim")(np.zeros((2, 1)))


row(
    "models-simulator-not-callable",
    TypeError,
    "Simulator needs simulate, a callable (theta, rng) -> x; got …",
    lambda env: Simulator("simulate"),
)
row(
    "models-simulator-budget-below-batch",
    ValueError,
    "budget=… is smaller than one batch (batch_size=…); raise the budget or lower batch_size "
    "to at most ….",
    lambda env: Simulator(_copy, budget=10, batch_size=100),
)
row(
    "models-simulator-engine",
    ValueError,
    "engine must be one of …, got …",
    lambda env: Simulator(_copy, engine="threads"),
)


@row(
    "models-simulator-no-ray",
    ImportError,
    "engine='ray' needs Ray: pip install 'gan-infer[sweep]' (or pip install ray).",
)
def _ray_missing(env):
    env.monkeypatch.setitem(sys.modules, "ray", None)
    Simulator(_copy, workers=2, batch_size=1, engine="ray")(np.zeros((2, 1)))


row(
    "models-simulator-theta-shape",
    ValueError,
    "…: theta must be a non-empty 2-D array [n, d], got shape …; simulate one parameter vector "
    "as theta[None].",
    lambda env: Simulator(_copy)(np.zeros(3)),
)


@row(
    "models-simulator-budget-exceeded",
    SimulationBudgetExceeded,
    "…: … more simulations would pass the budget of … (… used); ask for at most ….",
)
def _past_budget(env):
    simulator = Simulator(_copy, budget=5, batch_size=5)
    simulator(np.zeros((4, 1)))
    simulator(np.zeros((2, 1)))


row(
    "models-simulator-output-shape",
    ValueError,
    "… returned shape … for theta of shape …; a simulator must return one row per parameter "
    "vector, x [n, k] (reshape each simulation to a vector).",
    lambda env: _simulate_with(lambda theta: np.zeros((3, 1), np.float32)),
)
row(
    "models-simulator-output-dtype",
    TypeError,
    "… returned dtype …; a simulator must return floats (cast with x.astype(np.float32)).",
    lambda env: _simulate_with(lambda theta: np.zeros(theta.shape, np.int64)),
)
row(
    "models-simulator-nan",
    ValueError,
    "… returned … rows with NaN or Inf (first at theta …); fix the simulator, or pass "
    "allow_nan=True to keep them and drop them downstream.",
    lambda env: _simulate_with(lambda theta: np.full(theta.shape, np.nan, np.float32)),
)


test_row = row_test(__name__)
