"""Tests for gan_infer.layers.mixed_precision: float32 variables, bfloat16 products."""

import warnings

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer
from gan_infer import layers
from gan_infer.layers import mixed_precision as precision_module
from gan_infer.layers.mixed_precision import Bfloat16Check, Bfloat16Support, SlowBfloat16Warning
from gan_infer.models import Uniform

M = 8


def network(x):
    """Every layer with a product or statistics, images through a dense head."""
    h = layers.dense(x, 7 * 7 * 4, activation=tf.nn.relu)
    h = layers.batch_norm(tf.reshape(h, [M, 7, 7, 4]), training=True)
    h = layers.conv2d_transpose(h, 3, 5, strides=2, activation=tf.nn.relu)
    h = layers.conv2d(h, 4, 3, strides=2, activation=layers.leaky_relu)
    h = layers.minibatch_stddev(h)
    h = layers.maxout(layers.flatten(h), 6, 3)
    return layers.dense(h, 1)


def product_dtypes(graph=None):
    """The dtype of every matrix product and convolution of the graph, forward and backward."""
    kinds = ("MatMul", "Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter")
    ops = (graph or tf.get_default_graph()).get_operations()
    return {op.get_attr("T") for op in ops if op.type in kinds}


@pytest.fixture
def x_value():
    return np.random.default_rng(0).uniform(-1, 1, [M, 10]).astype(np.float32)


def test_bfloat16_products_float32_variables_outputs_and_gradients():
    x = tf.placeholder(tf.float32, [M, 10])
    with tf.variable_scope("net"):
        y = layers.with_precision(network, "bfloat16")(x)
    variables = tf.global_variables()
    assert variables and {v.dtype.base_dtype for v in variables} == {tf.float32}
    assert y.dtype == tf.float32
    grads = tf.gradients(tf.reduce_sum(y), tf.trainable_variables())
    assert all(g is not None and g.dtype == tf.float32 for g in grads)
    assert product_dtypes() == {tf.bfloat16}


def test_bfloat16_outputs_and_gradients_close_to_float32(x_value):
    """The same weights, built once per precision: outputs and gradients agree
    to bfloat16's accuracy, and do differ (the products really are bfloat16)."""
    x = tf.placeholder(tf.float32, [M, 10])
    results = {}
    for name in ("float32", "bfloat16"):
        with tf.variable_scope("net", reuse=tf.AUTO_REUSE):
            y = layers.with_precision(network, name)(x)
        variables = tf.trainable_variables()
        results[name] = (y, tf.gradients(tf.reduce_sum(tf.square(y)), variables))
    sess = gan_infer.get_session()
    sess.run(tf.global_variables_initializer())
    (y32, g32), (y16, g16) = sess.run([results["float32"], results["bfloat16"]], {x: x_value})
    scale = np.abs(y32).max()
    assert 0 < np.abs(y16 - y32).max() < 0.03 * scale
    for a, b in zip(g32, g16):
        cosine = np.sum(a * b) / (np.linalg.norm(a) * np.linalg.norm(b))
        assert cosine > 0.99


def test_precision_float32_nested_in_bfloat16_keeps_a_layer_in_float32():
    x = tf.placeholder(tf.float32, [M, 10])
    with layers.precision("bfloat16"):
        assert layers.current_precision() == "bfloat16"
        h = layers.dense(x, 5, name="low")
        with layers.precision("float32"):
            assert layers.current_precision() == "float32"
            layers.dense(h, 1, name="full")
    assert layers.current_precision() is None
    graph = tf.get_default_graph()
    assert graph.get_operation_by_name("low/MatMul").get_attr("T") == tf.bfloat16
    assert graph.get_operation_by_name("full/MatMul").get_attr("T") == tf.float32


def test_without_precision_layers_follow_their_inputs_dtype():
    x = tf.placeholder(tf.float64, [M, 10])
    y = layers.dense(layers.conv2d(tf.reshape(x, [M, 5, 2, 1]), 2, 3), 1)
    assert y.dtype == tf.float64
    assert {v.dtype.base_dtype for v in tf.global_variables()} == {tf.float64}
    assert not any(op.type == "Cast" for op in tf.get_default_graph().get_operations())


def test_float32_precision_adds_no_cast(x_value):
    """--precision float32 in the examples builds the graph they built before."""
    x = tf.placeholder(tf.float32, [M, 10])
    layers.with_precision(network, "float32")(x)
    assert not any(op.type == "Cast" for op in tf.get_default_graph().get_operations())


def test_with_precision_casts_every_floating_output_and_keeps_the_name():
    def discriminative_network(x):
        h = layers.dense(x, 4)
        return tf.cast(h, tf.bfloat16)[:, :1], {"features": h, "count": tf.shape(h)[0]}

    wrapped = layers.with_precision(discriminative_network, "bfloat16")
    assert wrapped.__name__ == "discriminative_network"
    logits, extra = wrapped(tf.zeros([M, 3]))
    assert logits.dtype == tf.float32 and extra["features"].dtype == tf.float32
    assert extra["count"].dtype == tf.int32


def test_spectral_norm_getter_under_bfloat16():
    x = tf.placeholder(tf.float32, [M, 10])
    getter = layers.spectral_norm_getter()
    with layers.precision("bfloat16"):
        with tf.variable_scope("Disc", custom_getter=getter):
            y = layers.dense(x, 3)
    assert y.dtype == tf.float32
    assert {v.dtype.base_dtype for v in tf.global_variables()} == {tf.float32}
    # The layer's product is bfloat16; the power iteration stays float32.
    graph = tf.get_default_graph()
    assert graph.get_operation_by_name("Disc/dense/MatMul").get_attr("T") == tf.bfloat16
    assert product_dtypes() == {tf.bfloat16, tf.float32}


def test_gan_trains_in_bfloat16():
    """GANInference with both networks wrapped: float32 data binding, finite
    losses, float32 optimizer slots, and the parameters move."""
    x_ph = tf.placeholder(tf.float32, [M, 10])
    with tf.variable_scope("Gen"):
        eps = Uniform(tf.zeros([M, 4]) - 1.0, tf.ones([M, 4]))
        x = layers.with_precision(lambda e: layers.dense(e, 10, tf.sigmoid), "bfloat16")(eps)
    discriminator = layers.with_precision(lambda v: layers.dense(v, 1), "bfloat16")
    inference = gan_infer.GANInference(data={x: x_ph}, discriminator=discriminator)
    inference.initialize(
        optimizer=tf.train.AdamOptimizer(1e-2), optimizer_d=tf.train.AdamOptimizer(1e-2), n_print=0
    )
    sess = gan_infer.get_session()
    sess.run(tf.global_variables_initializer())
    before = sess.run(tf.trainable_variables())
    batch = np.random.default_rng(1).uniform(0, 1, [M, 10]).astype(np.float32)
    for _ in range(3):
        info = inference.update(feed_dict={x_ph: batch})
    assert np.isfinite(info["loss"]) and np.isfinite(info["loss_d"])
    after = sess.run(tf.trainable_variables())
    assert all(np.abs(a - b).max() > 0 for a, b in zip(after, before))
    floats = [v for v in tf.global_variables() if v.dtype.base_dtype.is_floating]
    assert {v.dtype.base_dtype for v in floats} == {tf.float32}


# --- is bfloat16 fast here? ---------------------------------------------------


def test_slow_bfloat16_warns_once(monkeypatch):
    monkeypatch.delenv("GAN_INFER_BFLOAT16_CHECK", raising=False)
    slow = Bfloat16Support(False, "no CPU flag of native bfloat16; measured 0.40x", 0.4)
    check = Bfloat16Check(detect=lambda: slow)
    monkeypatch.setattr(precision_module, "BFLOAT16_CHECK", check)
    with pytest.warns(SlowBfloat16Warning, match=r"not faster than float32.*measured 0\.40x"):
        with layers.precision("bfloat16"):
            pass
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with layers.precision("bfloat16"):
            layers.dense(tf.zeros([2, 3]), 1)
    assert check.support() is slow


@pytest.mark.parametrize("environment", [None, "0"])
def test_fast_bfloat16_or_disabled_check_does_not_warn(monkeypatch, environment):
    calls = []
    fast = Bfloat16Support(True, "CPU flag avx512_bf16", None)
    slow = Bfloat16Support(False, "measured", 0.5)
    if environment is None:
        monkeypatch.delenv("GAN_INFER_BFLOAT16_CHECK", raising=False)
        detect = lambda: calls.append(1) or fast  # noqa: E731
    else:
        monkeypatch.setenv("GAN_INFER_BFLOAT16_CHECK", environment)
        detect = lambda: calls.append(1) or slow  # noqa: E731
    monkeypatch.setattr(precision_module, "BFLOAT16_CHECK", Bfloat16Check(detect=detect))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with layers.precision("bfloat16"):
            pass
        with layers.precision("float32"):
            pass
    assert calls == ([1] if environment is None else [])


def test_detection_trusts_a_cpu_flag_and_measures_without_one(monkeypatch):
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda kind: [])
    monkeypatch.setattr(precision_module, "measure_bfloat16_speedup", lambda: 0.5)
    monkeypatch.setattr(precision_module, "cpu_flags", lambda: {"sse2", "amx_bf16"})
    assert precision_module.detect_bfloat16_support() == (True, "CPU flag amx_bf16", None)
    monkeypatch.setattr(precision_module, "cpu_flags", lambda: {"sse2", "avx2"})
    support = precision_module.detect_bfloat16_support()
    assert support.fast is False and support.speedup == 0.5 and "0.50x" in support.how
    monkeypatch.setattr(precision_module, "measure_bfloat16_speedup", lambda: 1.9)
    assert precision_module.detect_bfloat16_support().fast is True


def test_measured_speedup_is_a_positive_ratio():
    speedup = precision_module.measure_bfloat16_speedup(rows=32, size=64, products=2, repeats=2)
    assert np.isfinite(speedup) and speedup > 0


def test_cpu_flags_reads_proc_cpuinfo():
    flags = precision_module.cpu_flags()
    assert isinstance(flags, set)
    try:
        text = open("/proc/cpuinfo").read()
    except OSError:
        assert flags == set()
        return
    if "flags" in text or "Features" in text:
        assert flags
