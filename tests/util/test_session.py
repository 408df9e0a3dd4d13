"""Tests for gan_infer.util.session: get_session and set_seed."""

import random

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
import tensorflow_probability as tfp

import gan_infer
from gan_infer.util import get_session, set_seed
from gan_infer.util.session import require_graph_mode

# --- get_session ---------------------------------------------------------------


def test_same_graph_same_session():
    sess = get_session()
    assert isinstance(sess, tf.Session)
    assert sess.graph is tf.get_default_graph()
    assert get_session() is sess
    assert gan_infer.get_session() is sess


def test_new_graph_gets_its_own_session_and_returning_restores_the_first(fresh_graph):
    first = get_session()
    v = tf.get_variable("v", initializer=3.0)
    v.initializer.run()
    first.run(v.assign(42.0))
    with tf.Graph().as_default() as other:
        second = get_session()
        assert second is not first
        assert second.graph is other
        assert tf.get_default_session() is second
        w = tf.get_variable("v", initializer=-1.0)  # same name, other graph
        w.initializer.run()
        assert w.eval() == -1.0
        assert get_session() is second
    again = get_session()
    assert again is first and again.graph is fresh_graph
    assert tf.get_default_session() is first
    assert v.eval() == 42.0  # variable values intact
    assert first.run(v) == 42.0


def test_it_is_the_default_session():
    sess = get_session()
    assert tf.get_default_session() is sess
    v = tf.get_variable("counter", initializer=1.0)
    tf.global_variables_initializer().run()  # op.run() without a session
    tf.assign_add(v, 2.0).op.run()
    assert v.eval() == 3.0  # tensor.eval() without a session
    assert (tf.constant(5.0) * 2.0).eval() == 10.0


def test_a_closed_session_is_replaced():
    first = get_session()
    first.close()
    second = get_session()
    assert second is not first
    assert second.graph is tf.get_default_graph()
    assert tf.get_default_session() is second
    assert second.run(tf.constant(7.0)) == 7.0
    assert get_session() is second


def test_each_test_gets_a_fresh_graph_and_session(fresh_graph):
    assert tf.get_default_graph() is fresh_graph
    sess = get_session()
    assert sess.graph is fresh_graph
    assert tf.global_variables() == []


def test_many_graph_switches():
    sessions = {}
    graphs = [tf.Graph() for _ in range(3)]
    for _ in range(2):
        for index, graph in enumerate(graphs):
            with graph.as_default():
                sess = get_session()
                assert sessions.setdefault(index, sess) is sess
                assert tf.get_default_session() is sess
                assert sess.run(tf.constant(float(index))) == index
    assert len({id(s) for s in sessions.values()}) == 3


def test_a_users_default_session_for_the_graph_is_returned():
    sess = get_session()
    other = tf.Session()
    with other.as_default():
        assert get_session() is other  # as Edward did: the user keeps control
        assert tf.get_default_session() is other
    assert get_session() is sess
    assert tf.get_default_session() is sess
    with tf.Session() as user:
        assert get_session() is user
        assert (tf.constant(2.0) + 1.0).eval() == 3.0
    assert get_session() is sess and tf.get_default_session() is sess
    other.close()


def test_a_users_closed_session_is_not_returned():
    sess = get_session()
    other = tf.Session()
    other.close()
    with other.as_default():
        assert get_session() is sess
        # The user's block stays on top of the default stack, undisturbed.
        assert tf.get_default_session() is other
        assert sess.run(tf.constant(4.0)) == 4.0
    assert tf.get_default_session() is sess


def test_get_session_for_a_new_graph_inside_a_users_session_block():
    with tf.Session() as user:
        with tf.Graph().as_default() as other_graph:
            inner = get_session()
            assert inner is not user and inner.graph is other_graph
    assert get_session().graph is tf.get_default_graph()


def test_require_graph_mode_passes_in_graph_mode():
    assert not tf.executing_eagerly()
    require_graph_mode("anything")  # does not raise


# --- set_seed ----------------------------------------------------------------


def draws_in_a_fresh_graph(seed):
    with tf.Graph().as_default():
        set_seed(seed)
        normal = tf.random.normal([5])
        uniform = tf.random_uniform([3])
        tfp_draw = tfp.distributions.Gamma(2.0, 1.0).sample(4)
        with tf.Session() as sess:
            tf_values = sess.run([normal, uniform, tfp_draw])
            tf_second_run = sess.run(normal)
        return tf_values, tf_second_run, np.random.normal(size=4), random.random()


def test_same_seed_same_draws():
    (tf_a, second_a, np_a, py_a) = draws_in_a_fresh_graph(7)
    (tf_b, second_b, np_b, py_b) = draws_in_a_fresh_graph(7)
    for a, b in zip(tf_a, tf_b):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(second_a, second_b)
    assert not np.array_equal(tf_a[0], second_a)  # later runs still draw afresh
    np.testing.assert_array_equal(np_a, np_b)
    assert py_a == py_b


def test_different_seeds_differ():
    (tf_a, _, np_a, py_a) = draws_in_a_fresh_graph(7)
    (tf_b, _, np_b, py_b) = draws_in_a_fresh_graph(8)
    for a, b in zip(tf_a, tf_b):
        assert not np.array_equal(a, b)
    assert not np.array_equal(np_a, np_b)
    assert py_a != py_b


def test_set_seed_sets_the_graph_seed(fresh_graph):
    set_seed(123)
    assert fresh_graph.seed == 123
    set_seed(np.int64(5))
    assert fresh_graph.seed == 5
    set_seed(0)
    set_seed(2**31 - 1)
    assert fresh_graph.seed == 2**31 - 1


def test_set_seed_with_gan_infer_models():
    def draw():
        with tf.Graph().as_default():
            set_seed(11)
            from gan_infer.models import Normal

            x = Normal(loc=tf.zeros(4), scale=1.0, sample_shape=[2])
            return get_session().run(x)

    np.testing.assert_array_equal(draw(), draw())


@pytest.mark.parametrize(
    "seed, error",
    [
        (-1, ValueError),
        (2**31, ValueError),
        (2**40, ValueError),
        (1.0, TypeError),
        (7.5, TypeError),
        (True, TypeError),
        (False, TypeError),
        ("7", TypeError),
        (None, TypeError),
        (np.float32(3), TypeError),
    ],
)
def test_bad_seeds_raise(seed, error):
    with pytest.raises(error, match="seed"):
        set_seed(seed)
