"""Monitor: recording during training without growing the graph."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer import layers
from gan_infer.criticism import Monitor
from gan_infer.models import Normal

M = 16


def build(x_data):
    with tf.variable_scope("Gen"):
        theta = tf.get_variable("theta", [], initializer=tf.constant_initializer(1.0))
        x = Normal(theta, 0.1, sample_shape=[M, 1])

    def discriminator(inputs):
        return layers.dense(layers.dense(inputs, 4, activation=tf.nn.relu), 1)

    return theta, x, ed.GANInference(data={x: x_data}, discriminator=discriminator)


def test_run_with_a_monitor_records_and_adds_no_ops():
    x_data = np.random.default_rng(0).normal(3.0, 0.1, size=[M, 1]).astype(np.float32)
    theta, x, inference = build(x_data)
    inference.initialize(n_iter=50, n_print=0)
    monitor = Monitor(
        {"theta": theta, "d_real": tf.reduce_mean(tf.sigmoid(inference.d_true)), "samples": x},
        every=10,
    )
    ops_before = len(tf.get_default_graph().get_operations())
    inference.run(monitors=[monitor])  # already initialized: run() skips initialize
    ops_after_run = len(tf.get_default_graph().get_operations())
    assert monitor.history["t"] == [1, 10, 20, 30, 40, 50]
    assert len(monitor.history["theta"]) == 6 and len(monitor.history["loss"]) == 6
    assert all(0.0 <= value <= 1.0 for value in monitor.history["d_real"])
    assert monitor.history["samples"][0].shape == (M, 1)
    frames = monitor.frames()
    assert frames[2]["t"] == 20 and set(frames[2]) >= {"theta", "samples", "loss", "loss_d"}
    # Only run()'s variable initializer (and queue-runner bookkeeping) is new.
    assert ops_after_run - ops_before <= 3
    tf.constant(1.0)  # after run() the graph is open again for criticism code


def test_initialize_twice_or_run_with_arguments_after_it_is_explained():
    _, _, inference = build(np.full([M, 1], 3.0, np.float32))
    inference.initialize(n_iter=5, n_print=0)
    with pytest.raises(RuntimeError, match="already"):
        inference.initialize(n_iter=5)
    with pytest.raises(RuntimeError, match="without"):
        inference.run(n_iter=5)


def test_graph_is_finalized_during_run():
    x_data = np.full([M, 1], 3.0, np.float32)
    _, _, inference = build(x_data)

    def add_an_op(info_dict):
        tf.constant(float(info_dict["t"]))

    with pytest.raises(RuntimeError, match="finalized"):
        inference.run(n_iter=3, n_print=0, monitors=[add_an_op])
    assert not tf.get_default_graph().finalized


def test_monitor_in_a_manual_loop_feeds_and_skips_between_records():
    x_ph = tf.placeholder(tf.float32, [M, 1])
    theta, x, inference = build(x_ph)
    inference.initialize(n_iter=7, n_print=0)
    monitor = Monitor({"real": tf.reduce_mean(x_ph)}, every=3)
    tf.global_variables_initializer().run()
    recorded = []
    for step in range(7):
        feed = {x_ph: np.full([M, 1], float(step), np.float32)}
        recorded.append(monitor(inference.update(feed), feed))
    assert monitor.history["t"] == [1, 3, 6]
    assert monitor.history["real"] == [0.0, 2.0, 5.0]
    assert recorded[1] is None and recorded[2] == {"real": 2.0}


@pytest.mark.parametrize(
    "fetches, every, error",
    [({}, 1, TypeError), ([1], 1, TypeError), ({"t": 1}, 1, ValueError), ({"a": 1}, 0, ValueError)],
)
def test_monitor_bad_arguments(fetches, every, error):
    with pytest.raises(error):
        Monitor(fetches, every=every)


def test_draw_samples_runs_as_often_as_needed_and_honours_the_feed():
    from gan_infer.criticism import draw_samples

    counter = tf.Variable(0.0)
    batch = tf.fill([4, 2], counter.assign_add(1.0))
    x = Normal(tf.zeros([4]), 1.0)
    ed.get_session().run(tf.global_variables_initializer())
    drawn = draw_samples(batch, 10)
    assert drawn.shape == (10, 2)
    np.testing.assert_array_equal(drawn[:, 0], [1, 1, 1, 1, 2, 2, 2, 2, 3, 3])
    fixed = draw_samples(x, 6, {x: np.full(4, 7.0, np.float32)})
    np.testing.assert_array_equal(fixed, np.full(6, 7.0))
    with pytest.raises(ValueError, match="positive"):
        draw_samples(x, 0)
