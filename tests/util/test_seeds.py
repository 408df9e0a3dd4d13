"""The step seed: fresh draws when unfed, a pure function of the fed value."""

import numpy as np
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer.models import Normal
from gan_infer.util.seeds import fresh_seed, step_seed, step_seed_value


def test_unfed_draws_differ_between_runs_and_need_no_initializer():
    x = Normal(tf.zeros([5]), 1.0)
    sess = ed.get_session()
    first, second = sess.run(x), sess.run(x)
    assert not np.array_equal(first, second)


def test_fed_step_seed_fixes_every_draw_and_ops_get_distinct_streams():
    x, y = Normal(tf.zeros([5]), 1.0), Normal(tf.zeros([5]), 1.0)
    sess = ed.get_session()
    feed = {step_seed(): step_seed_value(1, 2, 3)}
    a, b = sess.run([x, y], feed)
    np.testing.assert_array_equal(sess.run(x, feed), a)
    assert not np.array_equal(a, b)
    other = sess.run(x, {step_seed(): step_seed_value(1, 2, 4)})
    assert not np.array_equal(a, other)


def test_seeds_inside_cond_branches_use_the_programs_step_seed():
    # TF2 control flow builds branches as functions with their own graph;
    # a seed made there must still follow the fed step seed.
    flag = tf.placeholder(tf.bool, [])
    draw = tf.cond(
        flag, lambda: tf.random.stateless_uniform([4], seed=fresh_seed()), lambda: tf.zeros([4])
    )
    sess = ed.get_session()
    feed = {flag: True, step_seed(): step_seed_value(5)}
    np.testing.assert_array_equal(sess.run(draw, feed), sess.run(draw, feed))
    assert (
        len(
            [
                op
                for op in tf.get_default_graph().get_operations()
                if op.type == "PlaceholderWithDefault"
            ]
        )
        == 1
    )


def test_set_seed_makes_unfed_draws_reproducible():
    def draws():
        with tf.Graph().as_default():
            ed.set_seed(7)
            x = Normal(tf.zeros([3]), 1.0)
            return ed.get_session().run(x)

    np.testing.assert_array_equal(draws(), draws())


def test_step_seed_value_is_a_hash():
    values = {tuple(step_seed_value(1, t, 0)) for t in range(100)}
    assert len(values) == 100
    assert step_seed_value(1, 2).dtype == np.int32


def test_random_ops_inside_a_loop_body_draw_fresh_noise_each_iteration():
    # tf.map_fn runs its body as a while loop built once: a seed folded from
    # a fixed index would give every row the same mask.
    rows = tf.map_fn(lambda row: ed.layers.dropout(row, rate=0.5, training=True), tf.ones([8, 100]))
    masks = ed.get_session().run(rows, {step_seed(): step_seed_value(1)})
    assert len({tuple(mask) for mask in masks}) == 8


def test_a_run_needs_no_random_variable_of_ours():
    """run() feeds the step seed even when the model draws with TF's own ops
    (the seed must exist before the graph is finalized)."""
    import gan_infer.layers as layers

    with tf.variable_scope("Gen"):
        x = layers.dense(tf.random.normal([4, 2]), 1)
    inference = ed.GANInference(
        data={x: np.zeros([4, 1], np.float32)}, discriminator=lambda x: layers.dense(x, 1)
    )
    inference.run(n_iter=3, n_print=0)
    assert ed.get_session().run(inference.t) == 3
