"""Tests for gan_infer.models.copy: re-creating part of a model with swaps."""

import re
import textwrap

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
import tensorflow_probability as tfp
from scipy import stats

import gan_infer as ed
from gan_infer.models import Categorical, Mixture, Normal, RandomVariable, copy, random_variables
from gan_infer.util.seeds import fresh_seed, step_seed

tfd = tfp.distributions


@pytest.fixture
def sess():
    return ed.get_session()


def _count_ops(op_type, graph=None):
    graph = graph or tf.get_default_graph()
    return sum(op.type == op_type for op in graph.get_operations())


# --- swaps -------------------------------------------------------------------------


def test_swap_tensor_for_tensor(sess):
    x, y, qx = tf.constant(2.0), tf.constant(3.0), tf.constant(4.0)
    z = x * y
    z_new = copy(z, {x: qx})
    assert sess.run([z, z_new]) == [6.0, 12.0]


def test_swap_for_numbers_and_arrays(sess):
    x = tf.constant([1.0, 2.0])
    y = 2.0 * x
    np.testing.assert_allclose(sess.run(copy(y, {x: np.array([3.0, 4.0])})), [6.0, 8.0])
    np.testing.assert_allclose(sess.run(copy(y, {x: [5, 6]}, scope="ints")), [10.0, 12.0])
    z = tf.constant(1.0)
    assert sess.run(copy(z + 1.0, {z: 7}, scope="scalar")) == 8.0


def test_swap_placeholder_for_tensor_and_tensor_for_placeholder(sess):
    x_ph = tf.placeholder(tf.float32, [None])
    y = x_ph * 2.0
    np.testing.assert_allclose(sess.run(copy(y, {x_ph: tf.constant([1.0, 2.0])})), [2.0, 4.0])
    a = tf.constant([1.0, 2.0, 3.0])
    b_ph = tf.placeholder(tf.float32, [3])
    b = copy(a + 1.0, {a: b_ph}, scope="fed")
    np.testing.assert_allclose(sess.run(b, {b_ph: [0.0, 0.0, 1.0]}), [1.0, 1.0, 2.0])


def test_swap_random_variable_for_random_variable(sess):
    z = Normal(loc=0.0, scale=1.0, sample_shape=[4])
    x = Normal(loc=z, scale=0.01)
    qz = Normal(loc=10.0, scale=0.01, sample_shape=[4])
    x_new = copy(x, {z: qz})
    assert isinstance(x_new, Normal) and isinstance(x_new, RandomVariable)
    assert x_new in random_variables()
    x_value, x_new_value, qz_value = sess.run([x, x_new, qz])
    np.testing.assert_allclose(x_new_value, qz_value, atol=0.1)  # reads qz's draw itself
    assert np.all(np.abs(x_value) < 6.0)


def test_swap_random_variable_for_tensor_and_tensor_for_random_variable(sess):
    z = Normal(0.0, 0.1)
    y = z * tf.constant(1.0)
    assert sess.run(copy(y, {z: tf.constant(10.0)})) == 10.0
    c = tf.constant(5.0)
    qz = Normal(-3.0, 0.001)
    np.testing.assert_allclose(sess.run(copy(c * 2.0, {c: qz}, scope="rv_in")), -6.0, atol=0.1)


def test_swap_a_variable(sess):
    v = tf.Variable(2.0, name="CustomName")
    z = v * tf.constant(2.0)
    qv = tf.Variable(4.0, name="CustomName")
    z_new = copy(z, {v: qv})
    sess.run(tf.global_variables_initializer())
    assert sess.run([z, z_new]) == [4.0, 8.0]


def test_mixture_components_follow_a_swap(sess):
    # Edward's test_list: the components' loc is a random variable.
    x = Normal(tf.constant(0.0), tf.constant(0.1))
    y = Normal(tf.constant(10.0), tf.constant(0.1))
    cat = Categorical(logits=tf.zeros(5))
    z = Mixture(cat=cat, components=[Normal(x, tf.constant(0.1)) for _ in range(5)])
    z_new = copy(z, {x: y.value})
    assert isinstance(z_new, Mixture)
    assert abs(sess.run(z_new.mean()) - 10.0) < 1.0
    assert abs(sess.run(z_new) - 10.0) < 1.0


def test_transformed_distribution_is_rebuilt_with_its_bijector(sess):
    z = Normal(0.0, 0.01)
    x = RandomVariable(tfd.TransformedDistribution(tfd.Normal(z, 0.01), tfp.bijectors.Exp()))
    x_new = copy(x, {z: tf.constant(2.0)})
    np.testing.assert_allclose(sess.run(x_new), np.exp(2.0), rtol=0.1)


# --- what is shared -------------------------------------------------------------------


@pytest.mark.parametrize("use_resource", [True, False])
def test_variables_are_shared_not_copied(sess, use_resource):
    x_ph = tf.placeholder(tf.float32, [None, 2])
    w = tf.Variable([[1.0], [2.0]], use_resource=use_resource)
    y = tf.matmul(x_ph, w)
    n_variables = len(tf.global_variables())
    variable_ops = {
        op.name
        for op in tf.get_default_graph().get_operations()
        if op.type in ("VarHandleOp", "VariableV2")
    }
    y_new = copy(y, {x_ph: tf.ones([1, 2])})
    assert len(tf.global_variables()) == n_variables
    assert variable_ops == {
        op.name
        for op in tf.get_default_graph().get_operations()
        if op.type in ("VarHandleOp", "VariableV2")
    }
    sess.run(tf.global_variables_initializer())
    feed = {x_ph: [[1.0, 1.0]]}
    assert sess.run([y, y_new], feed) == [[[3.0]], [[3.0]]]
    sess.run(w.assign([[10.0], [20.0]]))  # an update reaches both
    assert sess.run([y, y_new], feed) == [[[30.0]], [[30.0]]]


def test_placeholders_are_shared(sess):
    x_ph = tf.placeholder(tf.float32, [2])
    y = tf.square(x_ph) + tf.constant(1.0)
    n_placeholders = _count_ops("Placeholder")
    y_new = copy(y)
    assert _count_ops("Placeholder") == n_placeholders
    assert y_new.op.name.startswith("copied/")
    assert copy(x_ph) is x_ph
    np.testing.assert_allclose(sess.run(y_new, {x_ph: [1.0, 3.0]}), [2.0, 10.0])


def test_a_variable_is_returned_as_it_is():
    w = tf.Variable(1.0)
    assert copy(w) is w
    qw = tf.constant(3.0)
    assert copy(w, {w: qw}, replace_itself=True) is qw


# --- random variables and randomness ----------------------------------------------------


def test_nested_random_variables_are_recreated_with_fresh_draws(sess):
    z = Normal(loc=0.0, scale=1.0, sample_shape=[50])
    x = Normal(loc=z, scale=0.001)
    n_before = len(random_variables())
    x_new = copy(x)
    new = random_variables()[n_before:]
    assert len(new) == 2  # z and x, re-created parent first
    z_new = new[0]
    assert isinstance(z_new, Normal) and new[1] is x_new
    z_value, x_value, z_new_value, x_new_value = sess.run([z, x, z_new, x_new])
    np.testing.assert_allclose(x_value, z_value, atol=0.01)
    np.testing.assert_allclose(x_new_value, z_new_value, atol=0.01)  # follows its own z
    assert np.abs(z_new_value - z_value).mean() > 0.1  # a fresh draw


def test_copies_of_stateless_draws_are_fresh_and_replayable(sess):
    noise = tfd.Normal(0.0, 1.0).sample([100], seed=fresh_seed())
    noise_new = copy(noise)
    feed = {step_seed(): [1, 2]}
    first = sess.run([noise, noise_new], feed)
    assert np.abs(first[0] - first[1]).mean() > 0.1
    again = sess.run([noise, noise_new], feed)  # a function of the step seed
    np.testing.assert_array_equal(first[0], again[0])
    np.testing.assert_array_equal(first[1], again[1])


def test_copies_of_seeded_stateful_random_ops_draw_afresh(sess):
    tf.set_random_seed(3742)
    x = tf.random_normal([100])
    x_new = copy(x)
    x_value, x_new_value = sess.run([x, x_new])
    assert np.abs(x_value - x_new_value).mean() > 0.1


def test_random_variable_with_fixed_value_keeps_it(sess):
    z = Normal(0.0, 1.0)
    x_ph = tf.placeholder(tf.float32, [3])
    x = Normal(loc=z, scale=1.0, sample_shape=[3], value=x_ph)
    log_lik = tf.reduce_sum(x.log_prob(x))
    log_lik_new = copy(log_lik, {z: 2.0})
    x_new = copy(x, {z: 2.0})  # the same number again: the same swap
    assert x_new.value is x_ph and x_new.has_fixed_value
    data = np.array([1.0, 2.0, 3.0], np.float32)
    np.testing.assert_allclose(
        sess.run(log_lik_new, {x_ph: data}), stats.norm(2.0, 1.0).logpdf(data).sum(), rtol=1e-5
    )


def test_variational_family_with_variable_parameters(sess):
    loc = tf.Variable([0.5, -1.0])
    raw_scale = tf.Variable([0.0, 1.0])
    qz = Normal(loc=loc, scale=tf.nn.softplus(raw_scale), sample_shape=[1000])
    log_prob = qz.log_prob(tf.constant([0.0, 0.0]))
    n_variables = len(tf.global_variables())
    qz_new = copy(qz)
    assert len(tf.global_variables()) == n_variables
    sess.run(tf.global_variables_initializer())
    scale = np.log1p(np.exp([0.0, 1.0]))
    np.testing.assert_allclose(
        sess.run(log_prob), stats.norm([0.5, -1.0], scale).logpdf(0.0), rtol=1e-5
    )
    draws = sess.run(qz)
    assert draws.shape == (1000, 2)
    np.testing.assert_allclose(draws.mean(0), [0.5, -1.0], atol=0.2)
    sess.run([loc.assign([10.0, 20.0]), raw_scale.assign([-20.0, -20.0])])
    np.testing.assert_allclose(sess.run(qz_new).mean(0), [10.0, 20.0], atol=0.01)
    gradients = tf.gradients(tf.reduce_sum(qz_new.log_prob(1.0)), [loc, raw_scale])
    assert all(gradient is not None for gradient in gradients)


# --- a network under a swapped input --------------------------------------------------


def test_network_output_under_a_swapped_input_matches_numpy(sess):
    rng = np.random.default_rng(0)
    x_ph = tf.placeholder(tf.float32, [None, 3])
    with tf.variable_scope("Gen"):
        w1 = tf.get_variable("w1", [3, 4])
        b1 = tf.get_variable("b1", [4], initializer=tf.constant_initializer(0.5))
        w2 = tf.get_variable("w2", [4, 1])
    output = tf.matmul(tf.nn.tanh(tf.matmul(x_ph, w1) + b1), w2)
    x_swap = rng.normal(size=[5, 3]).astype(np.float32)
    output_new = copy(output, {x_ph: x_swap})
    sess.run(tf.global_variables_initializer())
    w1_value, b1_value, w2_value = sess.run([w1, b1, w2])
    np.testing.assert_allclose(
        sess.run(output_new), np.tanh(x_swap @ w1_value + b1_value) @ w2_value, rtol=1e-5, atol=1e-6
    )
    # gradients flow through the copy into the shared weights
    gradient, gradient_new = tf.gradients(output, w2)[0], tf.gradients(output_new, w2)[0]
    np.testing.assert_allclose(*sess.run([gradient, gradient_new], {x_ph: x_swap}), rtol=1e-5)


def test_tf2_control_flow_is_copied(sess):
    z = tf.constant([1.0, 2.0, 3.0])
    w = tf.Variable(2.0)
    total = tf.scan(lambda acc, e: acc + e * w, z, initializer=0.0)
    branch = tf.cond(total[-1] > 0.0, lambda: total * 2.0, lambda: total)
    sess.run(tf.global_variables_initializer())
    np.testing.assert_allclose(sess.run(copy(branch, {z: tf.ones(3)})), [4.0, 8.0, 12.0])


# --- scopes, replace_itself, copy_q ------------------------------------------------------


def test_scope_names_the_copied_ops():
    x = tf.constant(2.0)
    y = tf.identity(x * 3.0, name="y")
    assert copy(y).name == "copied/y:0"
    assert copy(y, scope="my_scope/").name == "my_scope/y:0"
    with tf.name_scope("outer"):  # the scope is taken from the graph's root
        assert copy(y, scope="other").name == "other/y:0"
    assert copy(y.op, scope="ops").name == "ops/y"
    assert isinstance(copy(y.op, scope="ops"), tf.Operation)


def test_copies_in_one_scope_share_their_nodes():
    x = tf.constant(2.0)
    hidden = tf.square(x)
    a, b = hidden + 1.0, hidden * 2.0
    a_new, b_new = copy(a, {x: tf.constant(3.0)}), copy(b, {x: tf.constant(3.0)}, scope="s")
    assert a_new.op.inputs[0].op is not b_new.op.inputs[0].op  # two scopes, two copies
    c_new = copy(b, scope="copied")  # the swap of x made in this scope still applies
    assert c_new.op.inputs[0].op is a_new.op.inputs[0].op
    assert ed.get_session().run(c_new) == 18.0


def test_conflicting_swaps_in_one_scope_raise():
    x = tf.constant(2.0)
    y = x * 3.0
    copy(y, {x: tf.constant(1.0)})
    with pytest.raises(ValueError, match="already swapped.*another scope"):
        copy(y, {x: tf.constant(5.0)})
    z = tf.constant(1.0)
    copy(z + 1.0, scope="t")
    with pytest.raises(ValueError, match="already copied without a swap"):
        copy(z * 2.0, {z: tf.constant(5.0)}, scope="t")


def test_replace_itself(sess):
    z = Normal(0.0, 1.0)
    qz = Normal(5.0, 0.01)
    assert copy(z, {z: qz}, replace_itself=True) is qz
    assert copy(z.value, {z: qz}, replace_itself=True) is qz
    z_new = copy(z, {z: qz})
    assert isinstance(z_new, Normal) and z_new is not z and z_new is not qz
    assert abs(sess.run(z_new.mean())) < 1e-6  # z re-created, not swapped
    t = tf.constant(1.0)
    qt = tf.constant(2.0)
    assert copy(t, {t: qt}, replace_itself=True) is qt
    assert sess.run(copy(t, {t: qt}, scope="keep")) == 1.0


def test_copy_q_copies_the_swapped_values(sess):
    z = Normal(0.0, 1.0, sample_shape=[100])
    x = Normal(z, 0.001)
    qz = Normal(5.0, 1.0, sample_shape=[100])
    qz_new = copy(z, {z: qz}, replace_itself=True, copy_q=True)
    assert isinstance(qz_new, Normal) and qz_new is not qz
    x_new = copy(x, {z: qz}, copy_q=True)
    qz_value, qz_new_value, x_new_value = sess.run([qz, qz_new, x_new])
    np.testing.assert_allclose(x_new_value, qz_new_value, atol=0.01)  # reads the copy of qz
    assert np.abs(qz_value - qz_new_value).mean() > 0.1  # a fresh draw of q
    np.testing.assert_allclose(qz_new_value.mean(), 5.0, atol=0.5)


def test_copy_q_of_a_value_that_depends_on_its_key_raises():
    z = tf.constant(1.0)
    with pytest.raises(ValueError, match="depends on .* itself.*copy_q=False"):
        copy(z * 2.0, {z: z + 1.0}, copy_q=True)


# --- bad input ---------------------------------------------------------------------


@pytest.mark.parametrize("org_instance", [3.0, np.zeros(3), [1.0], "x", None])
def test_copy_of_a_non_graph_value_raises(org_instance):
    with pytest.raises(TypeError, match="org_instance must be a RandomVariable.*tf.constant"):
        copy(org_instance)


def test_dict_swap_must_be_a_dict():
    x = tf.constant(1.0)
    with pytest.raises(TypeError, match=re.escape("dict_swap must be a dict")):
        copy(x, [(x, 2.0)])


@pytest.mark.parametrize("key", ["x", 1.0, np.zeros(2)])
def test_dict_swap_key_of_the_wrong_type_raises(key):
    x = tf.constant(1.0)
    with pytest.raises(TypeError, match="dict_swap keys must be RandomVariable.*Use the"):
        copy(x + 1.0, {key if not isinstance(key, np.ndarray) else id(key): 2.0})


def test_swap_with_another_shape_raises():
    z = Normal(0.0, 1.0, sample_shape=[3])
    with pytest.raises(ValueError, match=r"shape \(3,\).*shapes differ.*same sample_shape"):
        copy(z * 2.0, {z: Normal(0.0, 1.0, sample_shape=[4])})
    x = tf.constant([1.0, 2.0])
    with pytest.raises(ValueError, match="shapes differ"):
        copy(x * 2.0, {x: np.zeros(3)})


def test_swap_with_another_dtype_raises():
    x = tf.constant([1.0, 2.0])
    with pytest.raises(TypeError, match="float32.*int32.*dtypes differ.*tf.cast"):
        copy(x * 2.0, {x: tf.constant([1, 2])})
    n = tf.constant([1, 2])
    with pytest.raises(TypeError, match="convertible to int32"):
        copy(n * 2, {n: np.array([0.5, 1.5])})
    with pytest.raises(TypeError, match="convertible to float32"):
        copy(x * 2.0, {x: "a"})


def test_swap_across_graphs_raises():
    x = tf.constant(1.0)
    with tf.Graph().as_default():
        other = tf.constant(2.0)
    with pytest.raises(ValueError, match="another graph"):
        copy(x * 2.0, {x: other})
    with pytest.raises(ValueError, match="another graph"):
        copy(other * 2.0, {x: 1.0})


@pytest.mark.parametrize("scope", ["", "/", "_hidden", "a b", 3])
def test_invalid_scope_raises(scope):
    with pytest.raises(ValueError, match="scope must be a valid TensorFlow name scope"):
        copy(tf.constant(1.0), scope=scope)


def test_tf1_while_loop_cycle_raises_a_clear_error():
    enabled = tf.control_flow_v2_enabled()
    tf.disable_control_flow_v2()
    try:
        x = tf.constant(1.0)
        loop = tf.while_loop(lambda i, a: i < 3, lambda i, a: (i + 1, a * x), (0, 1.0))[1]
        with pytest.raises(ValueError, match="cycle.*enable_control_flow_v2"):
            copy(loop, {x: tf.constant(2.0)})
    finally:
        if enabled:
            tf.enable_control_flow_v2()


# (eager mode: see test_random_variable.test_eager_mode_raises_graph_mode_error)


# --- the docstring examples run ---------------------------------------------------------


def _examples(function):
    return re.findall(r"```python\n(.*?)```", function.__doc__, re.S)


@pytest.mark.parametrize("function", [copy, random_variables, ed.models.dot])
def test_docstring_examples_run(function):
    for example in _examples(function):
        with tf.Graph().as_default():
            exec(
                compile(textwrap.dedent(example), function.__name__, "exec"),
                {"np": np, "tf": tf, "ed": ed},
            )
