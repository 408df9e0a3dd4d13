"""Data kept in the graph and served in mini-batches (issue: performance)."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer import layers
from gan_infer.models import Normal, Uniform

M = 4


def model(width=1, batch=M):
    with tf.variable_scope("Gen"):
        eps = Uniform(tf.zeros([batch, 2]), tf.ones([batch, 2]))
        return layers.dense(eps, width)


def discriminative_network(x, *extra):
    extra = [tf.reshape(tf.cast(e, tf.float32), [-1, 1]) for e in extra]
    return layers.dense(tf.concat([x] + extra, 1), 1)


def served_batches(inference, n_steps):
    """The batch each update trained on, read the way update() sees it."""
    sess = ed.get_session()
    stream = inference.data_stream
    seen = []
    for _ in range(n_steps):
        seen.append(sess.run(stream.indices))
        inference.update()
    return seen


def test_unshuffled_batches_follow_the_tutorials_wraparound():
    x = model()
    data = np.arange(10, dtype=np.float32).reshape(10, 1)
    inference = ed.GANInference(
        data={x: ed.Minibatches(data, shuffle=False)}, discriminator=discriminative_network
    )
    inference.initialize(n_iter=5, n_print=0)
    tf.global_variables_initializer().run()
    seen = np.concatenate(served_batches(inference, 5))
    np.testing.assert_array_equal(seen, np.arange(20) % 10)


def test_shuffled_epochs_are_permutations_and_differ():
    x = model()
    data = np.arange(12, dtype=np.float32).reshape(12, 1)
    inference = ed.GANInference(data={x: data}, discriminator=discriminative_network)
    inference.initialize(n_iter=9, n_print=0)
    tf.global_variables_initializer().run()
    seen = served_batches(inference, 9)  # 3 epochs of 3 batches
    epochs = [np.concatenate(seen[i : i + 3]) for i in (0, 3, 6)]
    for epoch in epochs:
        np.testing.assert_array_equal(np.sort(epoch), np.arange(12))
    assert not np.array_equal(epochs[0], epochs[1])


def test_the_batch_update_trains_on_is_the_gathered_rows():
    x = model()
    data = np.random.RandomState(0).normal(size=[10, 1]).astype(np.float32)
    inference = ed.GANInference(data={x: data}, discriminator=discriminative_network)
    inference.initialize(n_iter=1, n_print=0)
    tf.global_variables_initializer().run()
    sess = ed.get_session()
    indices, batch = sess.run([inference.data_stream.indices, inference.x_true])
    np.testing.assert_array_equal(batch, data[indices])


def test_images_and_labels_stay_paired():
    with tf.variable_scope("Gen"):
        y = ed.models.Categorical(logits=tf.zeros([M, 3]))
        x = layers.dense(Uniform(tf.zeros([M, 2]), tf.ones([M, 2])), 1)
    labels = np.arange(10) % 3
    images = (labels * 10.0).astype(np.float32).reshape(10, 1)
    inference = ed.GANInference(
        data={x: images, y: labels.astype(np.int32)}, discriminator=discriminative_network
    )
    inference.initialize(n_iter=1, n_print=0)
    tf.global_variables_initializer().run()
    sess = ed.get_session()
    for _ in range(6):
        batch_x, batch_y = sess.run([inference.reals[0], inference.reals[1]])
        np.testing.assert_array_equal(batch_x[:, 0], batch_y * 10.0)
        inference.update()


def test_binarized_batches_are_bernoulli_draws():
    x = model(width=1000)
    data = np.full([8, 1000], 0.3, np.float32)
    inference = ed.GANInference(
        data={x: ed.Minibatches(data, binarize=True)}, discriminator=discriminative_network
    )
    tf.global_variables_initializer().run()
    batch = ed.get_session().run(inference.x_true)
    assert set(np.unique(batch)) == {0.0, 1.0}
    assert batch.mean() == pytest.approx(0.3, abs=0.02)


def test_update_feeds_nothing_and_run_trains():
    with tf.variable_scope("Gen"):
        theta = tf.get_variable("theta", [], initializer=tf.zeros_initializer())
        x = Normal(theta, 0.1, sample_shape=[16, 1])
    data = np.random.RandomState(0).normal(4.0, 0.1, size=[1000, 1]).astype(np.float32)
    inference = ed.GANInference(data={x: data}, discriminator=discriminative_network)
    ed.set_seed(0)
    inference.run(
        n_iter=600,
        n_print=0,
        optimizer=tf.train.AdamOptimizer(0.05, beta1=0.5),
        optimizer_d=tf.train.AdamOptimizer(0.05, beta1=0.5),
    )
    assert ed.get_session().run(theta) == pytest.approx(4.0, abs=0.5)


@pytest.mark.parametrize(
    "make_value, error, message",
    [
        (lambda: ed.Minibatches(np.zeros([0, 1])), ValueError, "at least one row"),
        (lambda: ed.Minibatches(np.array([["a"]])), TypeError, "numeric"),
        (lambda: ed.Minibatches(np.full([3, 1], 2.0), binarize=True), ValueError, "in \\[0, 1\\]"),
    ],
    ids=["empty", "strings", "binarize-range"],
)
def test_minibatches_reject_bad_arrays(make_value, error, message):
    with pytest.raises(error, match=message):
        make_value()


def test_paired_entries_need_the_same_number_of_rows():
    with tf.variable_scope("Gen"):
        y = ed.models.Categorical(logits=tf.zeros([M, 3]))
        x = layers.dense(Uniform(tf.zeros([M, 2]), tf.ones([M, 2])), 1)
    with pytest.raises(ValueError, match="different numbers of rows"):
        ed.GANInference(
            data={x: np.zeros([10, 1], np.float32), y: np.zeros(11, np.int32)},
            discriminator=discriminative_network,
        )


def test_minibatches_need_a_static_batch_size():
    x = tf.placeholder(tf.float32, [None, 1]) * 2.0
    with pytest.raises(ValueError, match="static batch size"):
        ed.GANInference(
            data={x: ed.Minibatches(np.zeros([10, 1]))}, discriminator=discriminative_network
        )


def test_uint8_pixels_stay_uint8_in_the_graph_and_are_scaled_per_batch():
    x = model(width=3)
    pixels = np.array([[0, 51, 255]] * 6, np.uint8)
    inference = ed.GANInference(data={x: pixels}, discriminator=discriminative_network)
    tf.global_variables_initializer().run()
    np.testing.assert_allclose(
        ed.get_session().run(inference.x_true), np.tile([[0.0, 0.2, 1.0]], [M, 1]), rtol=1e-6
    )
    stored = [
        op
        for op in tf.get_default_graph().get_operations()
        if op.type == "VarHandleOp" and op.get_attr("dtype") == tf.uint8
    ]
    assert stored, "the pixels should be kept as uint8"


def test_binarizing_keeps_black_black_and_white_white_for_any_batch_size():
    x = model(width=3, batch=5)  # 15 values: an odd count of 16-bit draws
    pixels = np.array([[0, 255, 128]] * 7, np.uint8)
    inference = ed.GANInference(
        data={x: ed.Minibatches(pixels, binarize=True)}, discriminator=discriminative_network
    )
    tf.global_variables_initializer().run()
    draws = np.stack([ed.get_session().run(inference.x_true) for _ in range(2000)])
    assert draws.shape == (2000, 5, 3)
    assert np.all(draws[..., 0] == 0.0) and np.all(draws[..., 1] == 1.0)
    # 10,000 draws: the mean's standard error is 0.005, so this is 4 of them.
    assert draws[..., 2].mean() == pytest.approx(128 / 255, abs=0.02)
