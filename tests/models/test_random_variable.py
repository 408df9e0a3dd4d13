"""Tests for gan_infer.models.random_variable: a RandomVariable is a tensor."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
import tensorflow_probability as tfp
from scipy import stats

import gan_infer
from gan_infer.models import Normal, RandomVariable

tfd = tfp.distributions


@pytest.fixture
def sess():
    return gan_infer.get_session()


def normal3():
    """A random variable of shape [3] with well separated, non-zero draws."""
    return Normal(loc=tf.constant([1.0, 2.0, 3.0]), scale=0.1)


# --- conversion, fetching and feeding ------------------------------------


def test_convert_to_tensor_is_the_value():
    rv = normal3()
    assert tf.convert_to_tensor(rv) is rv.value
    assert tf.convert_to_tensor(rv, dtype=tf.float32) is rv.value
    assert isinstance(rv.value, tf.Tensor)
    assert not callable(rv.value)  # a property, not a method
    assert rv.dtype == tf.float32 and rv.graph is tf.get_default_graph()
    assert rv.name == rv.value.name


@pytest.mark.parametrize("dtype", [tf.int32, tf.float64])
def test_conversion_to_another_dtype_raises(dtype):
    rv = normal3()
    with pytest.raises((ValueError, TypeError), match="dtype"):
        tf.convert_to_tensor(rv, dtype=dtype)


def test_sess_run_fetches_the_sample(sess):
    rv = normal3()
    got, value = sess.run([rv, rv.value])
    assert isinstance(got, np.ndarray) and got.shape == (3,)
    np.testing.assert_array_equal(got, value)
    # the draw follows the distribution (scale 0.1 around 1, 2, 3)
    np.testing.assert_allclose(got, [1.0, 2.0, 3.0], atol=1.0)
    fetched = sess.run({"rv": rv, "nested": [rv, (rv.value,)]})
    np.testing.assert_array_equal(fetched["rv"], fetched["nested"][0])
    np.testing.assert_array_equal(fetched["rv"], fetched["nested"][1][0])


def test_each_run_draws_afresh(sess):
    rv = normal3()
    first, second = sess.run(rv), sess.run(rv)
    assert not np.array_equal(first, second)


def test_feeding_a_random_variable_overrides_its_value(sess):
    rv = normal3()
    fed = np.array([10.0, 20.0, 30.0], np.float32)
    got, doubled, value = sess.run([rv, 2.0 * rv, rv.value], feed_dict={rv: fed})
    np.testing.assert_array_equal(got, fed)
    np.testing.assert_array_equal(value, fed)
    np.testing.assert_array_equal(doubled, 2.0 * fed)


def test_eval_uses_the_gan_infer_session():
    rv = normal3()
    sample = rv.eval()
    assert sample.shape == (3,) and sample.dtype == np.float32
    np.testing.assert_allclose(sample, [1.0, 2.0, 3.0], atol=1.0)
    fed = np.array([7.0, 8.0, 9.0], np.float32)
    np.testing.assert_array_equal(rv.eval(feed_dict={rv: fed}), fed)
    fixed = Normal(0.0, 1.0, sample_shape=[2], value=[4.0, 5.0])
    np.testing.assert_array_equal(fixed.eval(), [4.0, 5.0])
    np.testing.assert_array_equal(fixed.eval(session=gan_infer.get_session()), [4.0, 5.0])


# --- operators -------------------------------------------------------------


def test_arithmetic_operators(sess):
    rv = Normal(loc=tf.constant([[1.0, 2.0], [3.0, 4.0]]), scale=0.1)  # shape [2, 2]
    a = np.array([[1.5, -2.0], [0.5, 3.0]], np.float32)
    expressions = {
        "add": (rv + 2.0, lambda v: v + 2.0),
        "radd": (2.0 + rv, lambda v: 2.0 + v),
        "radd_np": (a + rv, lambda v: a + v),
        "sub": (rv - a, lambda v: v - a),
        "rsub": (3.0 - rv, lambda v: 3.0 - v),
        "rsub_np": (a - rv, lambda v: a - v),
        "mul": (rv * a, lambda v: v * a),
        "rmul": (2.5 * rv, lambda v: 2.5 * v),
        "rmul_np": (a * rv, lambda v: a * v),
        "div": (rv / 4.0, lambda v: v / 4.0),
        "rdiv": (1.0 / rv, lambda v: 1.0 / v),
        "rdiv_np": (a / rv, lambda v: a / v),
        "pow": (rv**2, lambda v: v**2),
        "rpow": (2.0**rv, lambda v: 2.0**v),
        "matmul": (rv @ a, lambda v: v @ a),
        "rmatmul_np": (a @ rv, lambda v: a @ v),
        "rv_matmul_rv": (rv @ rv, lambda v: v @ v),
        "neg": (-rv, lambda v: -v),
        "abs": (abs(-rv), lambda v: np.abs(v)),
        "column": (rv[:, 0], lambda v: v[:, 0]),
        "element": (rv[1, 1], lambda v: v[1, 1]),
        "sum_rv": (rv + rv, lambda v: v + v),
    }
    for name, (tensor, _) in expressions.items():
        assert isinstance(tensor, tf.Tensor), name  # not a numpy object array
    results = sess.run({"value": rv.value, **{k: t for k, (t, _) in expressions.items()}})
    value = results["value"]
    for name, (_, reference) in expressions.items():
        np.testing.assert_allclose(results[name], reference(value), rtol=1e-5, err_msg=name)
    assert results["column"].shape == (2,)


def test_numpy_scalars_and_integer_operators(sess):
    rv = normal3()
    expressions = [np.float32(2) * rv, np.float64(2) + rv, rv * np.float32(3), rv // 1.0, rv % 1.0]
    assert all(isinstance(t, tf.Tensor) and t.dtype == tf.float32 for t in expressions)
    value, *results = sess.run([rv.value] + expressions)
    for got, want in zip(results, [2 * value, 2 + value, value * 3, value // 1.0, value % 1.0]):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_logical_operators_on_a_bool_random_variable(sess):
    from gan_infer.models import Bernoulli

    b = Bernoulli(probs=0.5, sample_shape=[50], dtype=tf.bool)
    mask = np.arange(50) % 2 == 0
    value, and_, or_, xor, rxor, inv = sess.run(
        [b.value, b & mask, b | mask, b ^ mask, mask ^ b, ~b]
    )
    np.testing.assert_array_equal(and_, value & mask)
    np.testing.assert_array_equal(or_, value | mask)
    np.testing.assert_array_equal(xor, value ^ mask)
    np.testing.assert_array_equal(rxor, mask ^ value)
    np.testing.assert_array_equal(inv, ~value)


def test_comparison_operators_are_elementwise(sess):
    rv = normal3()
    less, greater, value = sess.run([rv < 2.5, rv >= 1.5, rv])
    np.testing.assert_array_equal(less, value < 2.5)
    np.testing.assert_array_equal(greater, value >= 1.5)
    assert less.dtype == np.bool_


def test_tf_functions_take_random_variables(sess):
    rv = normal3()
    w = np.arange(6, dtype=np.float32).reshape(3, 2)
    out = tf.matmul(tf.reshape(rv, [1, 3]), w)
    got, value = sess.run([out, rv.value])
    np.testing.assert_allclose(got, value[None] @ w, rtol=1e-5)


def test_truth_value_and_iteration_raise():
    rv = normal3()
    with pytest.raises(TypeError, match="truth value"):
        bool(rv)
    with pytest.raises(TypeError):
        if rv:
            pass
    with pytest.raises(TypeError, match="iterated"):
        iter(rv)
    with pytest.raises(TypeError):
        list(rv)


def test_hashable_with_identity_equality():
    x, y = normal3(), normal3()
    data = {x: 1, y: 2}
    assert data[x] == 1 and data[y] == 2 and len(data) == 2
    assert x == x and x != y and not (x == y)
    assert hash(x) == hash(x) and hash(x) != hash(y)
    assert x in {x} and y not in {x}


# --- distribution methods --------------------------------------------------


def test_distribution_methods_match_closed_forms(sess):
    loc = np.array([0.5, -1.0, 2.0], np.float32)
    scale = np.array([1.0, 0.5, 2.0], np.float32)
    rv = Normal(loc, scale)
    v = np.array([0.1, 0.2, -0.3], np.float32)
    log_prob, mean, stddev, variance, entropy = sess.run(
        [rv.log_prob(v), rv.mean(), rv.stddev(), rv.variance(), rv.entropy()]
    )
    np.testing.assert_allclose(log_prob, stats.norm.logpdf(v, loc, scale), rtol=1e-5)
    np.testing.assert_allclose(mean, loc, rtol=1e-6)
    np.testing.assert_allclose(stddev, scale, rtol=1e-6)
    np.testing.assert_allclose(variance, scale**2, rtol=1e-6)
    np.testing.assert_allclose(entropy, stats.norm.entropy(loc, scale), rtol=1e-5)
    assert rv.batch_shape.as_list() == [3] and rv.event_shape.as_list() == []


def test_log_prob_of_the_random_variable_itself(sess):
    rv = normal3()
    log_prob, value = sess.run([rv.log_prob(rv), rv])
    np.testing.assert_allclose(log_prob, stats.norm.logpdf(value, [1.0, 2.0, 3.0], 0.1), rtol=1e-4)


def test_sample_is_a_new_op_and_keeps_value(sess):
    rv = Normal(loc=tf.zeros([2, 3]), scale=1.0, sample_shape=[4])
    draw = rv.sample([5, 6])
    assert isinstance(draw, tf.Tensor) and draw is not rv.value
    assert draw.shape.as_list() == [5, 6, 2, 3]
    assert rv.sample().shape.as_list() == [2, 3]
    assert rv.sample(7).shape.as_list() == [7, 2, 3]
    assert rv.shape.as_list() == [4, 2, 3]
    first, second = sess.run([draw, rv.value])
    assert first.shape == (5, 6, 2, 3) and second.shape == (4, 2, 3)


def test_distribution_property():
    dist = tfd.Normal(0.0, 1.0)
    rv = RandomVariable(dist, sample_shape=[2])
    assert rv.distribution is dist
    assert rv.sample_shape == tf.TensorShape([2])


def test_unknown_attribute_raises_a_helpful_attribute_error():
    rv = normal3()
    with pytest.raises(AttributeError, match=r"no attribute 'no_such_thing'.*Normal"):
        rv.no_such_thing  # noqa: B018
    assert not hasattr(rv, "no_such_thing")
    assert not hasattr(rv, "__no_such_dunder__")


def test_repr_names_the_class_and_shape():
    rv = Normal(0.0, 1.0, sample_shape=[2, 5])
    text = repr(rv)
    assert "Normal" in text and "(2, 5)" in text and "float32" in text
    assert str(rv) == text


# --- shapes and values ----------------------------------------------------


@pytest.mark.parametrize(
    "sample_shape, expected",
    [((), [2, 3]), (4, [4, 2, 3]), ([4], [4, 2, 3]), ([4, 5], [4, 5, 2, 3]), ((1,), [1, 2, 3])],
)
def test_shape_is_sample_then_batch_then_event(sess, sample_shape, expected):
    rv = tfd.MultivariateNormalDiag(loc=tf.zeros([2, 3]))  # batch [2], event [3]
    rv = RandomVariable(rv, sample_shape=sample_shape)
    assert rv.shape.as_list() == expected
    assert rv.get_shape().as_list() == expected
    assert rv.sample_shape.as_list() == expected[:-2]
    assert sess.run(rv).shape == tuple(expected)


def test_value_argument_fixes_the_value(sess):
    value = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], np.float32)
    rv = Normal(loc=tf.zeros(3), scale=1.0, sample_shape=[2], value=value)
    assert rv.shape.as_list() == [2, 3]
    np.testing.assert_array_equal(sess.run(rv), value)
    np.testing.assert_array_equal(sess.run(rv), value)  # no fresh draw
    np.testing.assert_allclose(sess.run(rv.log_prob(rv)), stats.norm.logpdf(value), rtol=1e-5)


def test_value_argument_accepts_a_placeholder(sess):
    ph = tf.placeholder(tf.float32, [None, 3])
    rv = Normal(loc=tf.zeros(3), scale=1.0, sample_shape=[5], value=ph)
    feed = np.ones((5, 3), np.float32)
    np.testing.assert_array_equal(sess.run(rv, {ph: feed}), feed)


@pytest.mark.parametrize("value", [np.zeros(3, np.float32), np.zeros((3, 2), np.float32), 0.0])
def test_value_with_the_wrong_shape_raises(value):
    with pytest.raises(ValueError, match="shape"):
        Normal(loc=tf.zeros(3), scale=1.0, sample_shape=[2], value=value)


def test_value_of_the_wrong_dtype_raises():
    with pytest.raises((TypeError, ValueError)):
        Normal(0.0, 1.0, value=tf.constant(1, tf.int32))


def test_sample_shape_must_be_fully_defined():
    with pytest.raises(ValueError, match="fully defined"):
        Normal(0.0, 1.0, sample_shape=[None, 2])
    with pytest.raises((TypeError, ValueError)):
        Normal(0.0, 1.0, sample_shape="abc")


# --- construction from instances -----------------------------------------


def test_random_variable_of_a_tfp_instance(sess):
    rv = RandomVariable(tfd.Laplace(0.0, 1.0), sample_shape=[3])
    assert isinstance(rv, RandomVariable)
    assert rv.shape.as_list() == [3]
    v = np.array([-1.0, 0.0, 2.0], np.float32)
    np.testing.assert_allclose(sess.run(rv.log_prob(v)), stats.laplace.logpdf(v), rtol=1e-5)
    assert sess.run(rv).shape == (3,)


@pytest.mark.parametrize("not_a_distribution", [1.0, tfd.Normal, "Normal", np.zeros(3)])
def test_random_variable_of_a_non_distribution_raises(not_a_distribution):
    with pytest.raises(TypeError, match="Distribution"):
        RandomVariable(not_a_distribution)


# --- graph-mode guard ------------------------------------------------------

EAGER_SCRIPT = textwrap.dedent("""
    import json
    import tensorflow as tf
    assert tf.executing_eagerly()
    import gan_infer
    from gan_infer import layers
    from gan_infer.models import Normal

    checks = {
        "Normal": lambda: Normal(0.0, 1.0),
        "get_session": gan_infer.get_session,
        "dense": lambda: layers.dense(tf.zeros([2, 3]), 4),
        "copy": lambda: gan_infer.copy(tf.constant(1.0)),
    }
    results = {}
    for name, check in checks.items():
        try:
            check()
        except gan_infer.GraphModeError as error:
            results[name] = ["GraphModeError", str(error)]
        except Exception as error:  # noqa: BLE001
            results[name] = [type(error).__name__, str(error)]
        else:
            results[name] = None
    print("RESULTS=" + json.dumps(results))
""")


def test_eager_mode_raises_graph_mode_error():
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run(
        [sys.executable, "-c", EAGER_SCRIPT], capture_output=True, text=True, env=env, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    line = next(line for line in proc.stdout.splitlines() if line.startswith("RESULTS="))
    results = json.loads(line[len("RESULTS=") :])
    assert set(results) == {"Normal", "get_session", "dense", "copy"}
    for name, result in results.items():
        assert result is not None, f"{name} did not raise under eager execution"
        kind, message = result
        assert kind == "GraphModeError", (name, result)
        assert "tf.compat.v1.disable_eager_execution()" in message, (name, message)
    assert "Normal" in results["Normal"][1]
    assert "get_session" in results["get_session"][1]
    assert "dense" in results["dense"][1]
    assert "gan_infer.copy()" in results["copy"][1]


def test_graph_mode_error_is_a_runtime_error():
    assert issubclass(gan_infer.GraphModeError, RuntimeError)
