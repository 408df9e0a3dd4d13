"""Nothing silent: data checks, training health and discriminator sanity.

The refusals themselves (messages, exception types) are rows of
docs/errors.md, triggered in tests/errors/; here: what is
accepted, what a hand-written loop hears, and that the checks do not
change training.
"""

import warnings

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer import layers
from gan_infer.models import Uniform

M = 4


def sigmoid_model(extra_parameter=False):
    with tf.variable_scope("Gen"):
        eps = Uniform(tf.zeros([M, 2]), tf.ones([M, 2]))
        x = layers.dense(eps, 3, activation=tf.sigmoid)
        # A parameter the losses never see: NaN there leaves them finite.
        unused = tf.get_variable("unused", [2]) if extra_parameter else None
    return x, unused


def discriminator(x):
    return layers.dense(x, 1)


def stored_data(inference):
    """The observations as the graph holds them (bound arrays live in a variable)."""
    return ed.get_session().run(next(iter(inference.data.values())))


@pytest.mark.parametrize("rows", [M, 40], ids=["the model's batch", "more rows"])
def test_uint8_pixels_are_scaled_whatever_the_row_count(rows):
    with tf.Graph().as_default():
        x, _ = sigmoid_model()
        pixels = np.full([rows, 3], 255, np.uint8)
        pixels[:, 0] = 51
        inference = ed.GANInference(data={x: pixels}, discriminator=discriminator)
        inference.initialize(n_print=0)
        ed.get_session().run(tf.global_variables_initializer())
        batch = stored_data(inference)
    np.testing.assert_allclose(batch[:, 0], 0.2, rtol=1e-6)
    np.testing.assert_allclose(batch[:, 1:], 1.0)


def test_fed_batches_are_checked_on_the_first_update_and_on_print_steps_only():
    with tf.Graph().as_default():
        x, _ = sigmoid_model()
        x_ph = tf.placeholder(tf.float32, [M, 3])
        inference = ed.GANInference(data={x: x_ph}, discriminator=discriminator)
        inference.initialize(n_print=3)
        ed.get_session().run(tf.global_variables_initializer())
        good, bad = np.full([M, 3], 0.5), np.full([M, 3], 2.0)
        with pytest.raises(ValueError, match="holds values in \\[2, 2\\]"):
            inference.update({x_ph: bad})  # the first update
        inference.update({x_ph: good})  # t = 1
        inference.update({x_ph: bad})  # t = 2: not a print step, not checked
        with pytest.raises(ValueError, match="holds values in"):
            inference.update({x_ph: bad})  # t = 3: a print step


def diverging_gan(**initialize_kwargs):
    x, unused = sigmoid_model(extra_parameter=True)
    data = np.random.RandomState(0).uniform(size=[M, 3]).astype(np.float32)
    inference = ed.GANInference(data={x: data}, discriminator=discriminator)
    inference.initialize(**initialize_kwargs)
    ed.get_session().run(tf.global_variables_initializer())
    return inference, unused.assign([np.nan, 0.0])


def test_an_update_loop_is_warned_once_when_the_parameters_go_bad():
    with tf.Graph().as_default():
        inference, turn_bad = diverging_gan(n_print=2)
        inference.update()
        ed.get_session().run(turn_bad)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            infos = [inference.update() for _ in range(4)]
    assert all(np.isfinite(info["loss"]) and np.isfinite(info["loss_d"]) for info in infos)
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(messages) == 1, messages
    assert messages[0].startswith("the parameters became NaN or Inf at iteration 2")


def test_run_stops_at_the_print_step_after_the_parameters_go_bad():
    with tf.Graph().as_default():
        inference, turn_bad = diverging_gan(n_iter=10, n_print=4)
        monitor = lambda info: info["t"] == 5 and ed.get_session().run(turn_bad)  # noqa: E731
        with pytest.raises(
            FloatingPointError, match="the parameters became NaN or Inf at iteration 8"
        ):
            inference.run(variables=[], monitors=[monitor])


def test_keras_layers_made_once_outside_the_discriminator_belong_to_it():
    import tf_keras

    with tf.Graph().as_default():
        x, _ = sigmoid_model()
        hidden, logit = tf_keras.layers.Dense(5, activation="relu"), tf_keras.layers.Dense(1)
        inference = ed.GANInference(
            data={x: np.full([M, 3], 0.5, np.float32)}, discriminator=lambda x: logit(hidden(x))
        )
        inference.initialize(n_print=0)
        # The generator's optimizer takes every trainable variable outside "Disc/".
        disc = {v.op.name for v in tf.trainable_variables() if v.op.name.startswith("Disc/")}
        keras = {v.op.name for v in hidden.trainable_weights + logit.trainable_weights}
    assert keras == disc and len(disc) == 4


# --- what a second run(), a loop past n_iter and an exploding loop do (issue 31, item 5)
def trained_gan(**initialize_kwargs):
    x, _ = sigmoid_model()
    data = np.random.RandomState(0).uniform(size=[M, 3]).astype(np.float32)
    inference = ed.GANInference(data={x: data}, discriminator=discriminator)
    inference.initialize(**initialize_kwargs)
    return inference


def test_a_second_run_continues_from_the_trained_weights(capsys):
    with tf.Graph().as_default():
        inference = trained_gan(optimizer="adam", optimizer_d="adam", n_iter=3, n_print=0)
        marker = tf.Variable(0.0, trainable=False, name="marker")
        inference.run()
        sess = ed.get_session()
        sess.run(marker.assign(7.0))
        inference.run()
        assert inference.current_iteration() == 6  # n_iter more, not from t = 0 again
        assert sess.run(marker) == 7.0  # nothing was initialized again
        assert "Continuing from iteration 3 to 6" in capsys.readouterr().out


def test_a_second_run_with_checkpoints_saves_the_new_iterations(tmp_path):
    with tf.Graph().as_default():
        inference = trained_gan(n_iter=2, n_print=0, checkpoint_dir=str(tmp_path))
        inference.run()
        inference.run()
        assert tf.train.latest_checkpoint(str(tmp_path)).endswith("ckpt-4")


def test_an_update_loop_past_n_iter_is_warned_once():
    with tf.Graph().as_default():
        inference = trained_gan(n_iter=2, n_print=0)
        ed.get_session().run(tf.global_variables_initializer())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for _ in range(5):
                inference.update()
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    assert len(messages) == 1, messages
    assert messages[0].startswith("update() ran past the end of training: iteration 3 of n_iter")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_loop_whose_losses_explode_to_finite_values_is_warned_once(seed):
    with tf.Graph().as_default():
        ed.set_seed(seed)
        inference = trained_gan(
            optimizer=tf.train.GradientDescentOptimizer(1e9),
            optimizer_d=tf.train.GradientDescentOptimizer(1e9),
            n_print=1,
        )
        ed.get_session().run(tf.global_variables_initializer())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for _ in range(6):
                info = inference.update()
    messages = [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]
    exploding = [m for m in messages if "training is exploding" in m]
    assert len(exploding) == 1, messages
    assert np.isfinite(info["loss_d"])


def test_a_healthy_loop_hears_nothing():
    with tf.Graph().as_default():
        inference = trained_gan(n_iter=20, n_print=1)
        ed.get_session().run(tf.global_variables_initializer())
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for _ in range(inference.n_iter):
                inference.update()
    assert not [w for w in caught if issubclass(w.category, RuntimeWarning)]


@pytest.mark.parametrize(
    "loss, loss_d, warned",
    [("non_saturating", 1e-5, True), ("minimax", 0.0, True), ("non_saturating", 0.3, False)]
    + [("least_squares", 1e-5, False)],
)
def test_a_discriminator_that_has_won_for_2000_iterations_is_warned_once(loss, loss_d, warned):
    x, _ = sigmoid_model()
    inference = ed.GANInference(data={x: np.zeros([M, 3], np.float32)}, discriminator=discriminator)
    inference.initialize(loss=loss, n_print=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for t in range(1, 2500):
            inference.check_health({"t": t, "loss": 12.0, "loss_d": np.float32(loss_d)}, t)
    messages = [str(w.message) for w in caught if "has collapsed" in str(w.message)]
    assert len(messages) == warned
    if warned:
        assert "since iteration 1 (now 2001" in messages[0]
