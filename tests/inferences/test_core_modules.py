"""The small modules around the Inference core, each through its public surface:
data binding, checkpoints, summaries, the weight average, the GAN options, and
the one extension point (build_loss_and_gradients)."""

import glob
import os
import signal

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer import layers
from gan_infer.inferences.checkpoints import Checkpoints, DeferredInterrupt
from gan_infer.inferences.data import bind_data, model_tensor, store_in_graph
from gan_infer.inferences.options import GANOptions, TwoPlayerOptions
from gan_infer.inferences.summaries import Summaries, image_grid
from gan_infer.inferences.weight_average import WeightAverage
from gan_infer.models import Normal

M = 4


# ------------------------------------------------------------------- data
def test_a_placeholder_is_bound_as_it_is_and_nothing_is_streamed():
    x_ph = tf.placeholder(tf.float32, [M, 2])
    x = tf.get_variable("loc", [2]) + tf.zeros([M, 2])
    bound = bind_data({x: x_ph})
    assert bound.tensors == {x: x_ph} and bound.stream is None
    op = tf.no_op()
    assert bound.consumes_batch(op) is op


def test_an_array_of_the_batch_size_is_stored_once_in_the_graph():
    x = tf.zeros([M, 2])
    data = np.arange(8, dtype=np.float32).reshape(M, 2)
    bound = bind_data({x: data})
    assert bound.stream is None
    np.testing.assert_array_equal(ed.get_session().run(bound.tensors[x]), data)
    # Not a global variable: a user's initializer cannot wipe the data.
    assert not tf.global_variables()


def test_a_larger_array_is_served_in_minibatches_that_cover_an_epoch():
    x = tf.zeros([M, 1])
    data = np.arange(12, dtype=np.float32).reshape(12, 1)
    bound = bind_data({x: data})
    assert bound.stream is not None
    step = bound.consumes_batch(tf.no_op())
    sess = ed.get_session()
    sess.run(tf.global_variables_initializer())
    seen = []
    for _ in range(3):
        seen.extend(sess.run(bound.tensors[x]).ravel())
        sess.run(step)
    assert sorted(seen) == list(range(12))


def test_the_users_order_is_kept_for_the_discriminator():
    x, y = tf.zeros([M, 1]), tf.zeros([M], tf.int32)
    y_ph, x_ph = tf.placeholder(tf.int32, [M]), tf.placeholder(tf.float32, [M, 1])
    assert list(bind_data({y: y_ph, x: x_ph}).tensors) == [y, x]


def test_model_tensor_of_a_random_variable_is_its_sample():
    z = Normal(tf.zeros([M]), 1.0)
    assert model_tensor(z) is z.value
    with pytest.raises(TypeError, match="data keys must be model outputs"):
        model_tensor("x")


@pytest.mark.parametrize(
    "value, error, message",
    [
        (np.zeros([M, 3], np.float32), ValueError, "shapes must match"),
        (np.array([["a"] * 2] * M), TypeError, "must be numeric"),
        ({"not": "data"}, TypeError, "tf.Tensor .* or numpy arrays"),
    ],
)
def test_bad_data_values_are_named(value, error, message):
    with pytest.raises(error, match=message):
        bind_data({tf.zeros([M, 2]): value})


def test_a_placeholder_of_another_dtype_is_refused():
    with pytest.raises(TypeError, match="same dtype"):
        bind_data({tf.zeros([M, 2]): tf.placeholder(tf.float64, [M, 2])})


def test_store_in_graph_keeps_the_array():
    variable = store_in_graph(tf.float32, np.ones([3, 2], np.float32))
    np.testing.assert_array_equal(ed.get_session().run(variable.value()), np.ones([3, 2]))


# ------------------------------------------------------------ checkpoints
def test_checkpoints_save_restore_and_keep_the_newest(tmp_path):
    counter = tf.Variable(0, name="counter")
    checkpoints = Checkpoints(tmp_path / "ckpt", every=5, keep=2)
    assert os.path.isdir(checkpoints.directory) and checkpoints.latest() is None
    checkpoints.make_saver()
    sess = ed.get_session()
    sess.run(tf.global_variables_initializer())
    for t in (1, 2, 3):
        sess.run(counter.assign(t))
        checkpoints.save(sess, t)
    assert checkpoints.saved_t == 3 and checkpoints.latest().endswith("ckpt-3")
    assert len(glob.glob(os.path.join(checkpoints.directory, "ckpt-*.index"))) == 2
    sess.run(counter.assign(0))
    checkpoints.restore(sess, checkpoints.latest())
    assert sess.run(counter) == 3


def test_a_new_saver_counts_the_checkpoints_of_earlier_processes(tmp_path):
    tf.Variable(0, name="counter")
    sess = ed.get_session()
    first = Checkpoints(tmp_path, every=1, keep=2)
    first.make_saver()
    sess.run(tf.global_variables_initializer())
    first.save(sess, 1)
    first.save(sess, 2)
    second = Checkpoints(tmp_path, every=1, keep=2)
    second.make_saver()
    second.save(sess, 3)
    kept = sorted(os.path.basename(p) for p in glob.glob(str(tmp_path / "ckpt-*.index")))
    assert kept == ["ckpt-2.index", "ckpt-3.index"]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"every": 0}, "checkpoint_every must be a positive int"),
        ({"every": 1, "keep": True}, "keep_checkpoints must be a positive int"),
    ],
)
def test_checkpoint_arguments_are_checked(tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        Checkpoints(tmp_path, **kwargs)


def test_restore_without_a_checkpoint_names_the_directory(tmp_path):
    tf.Variable(0)
    checkpoints = Checkpoints(tmp_path, every=1)
    checkpoints.make_saver()
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        checkpoints.restore(ed.get_session())


def test_deferred_interrupt_turns_the_first_ctrl_c_into_a_flag():
    with DeferredInterrupt() as interrupt:
        os.kill(os.getpid(), signal.SIGINT)
        assert interrupt.requested
        with pytest.raises(KeyboardInterrupt):
            os.kill(os.getpid(), signal.SIGINT)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


# -------------------------------------------------------------- summaries
def test_summaries_write_scalars_and_histograms_of_finite_values(tmp_path):
    values = tf.constant([1.0, np.nan, 3.0])
    summaries = Summaries(tmp_path, timestamp=False)
    summaries.scalar("loss_value", tf.reduce_mean(tf.constant([1.0, 3.0])))
    summaries.histogram("values", values)
    assert not summaries.images("not_images", tf.zeros([4, 3]))
    tf.summary.scalar("users_own", tf.constant(0.0))  # another collection: left alone
    merged = summaries.merge()
    summaries.write(ed.get_session().run(merged), t=1)
    summaries.close()
    events = glob.glob(str(tmp_path / "events.out.tfevents.*"))
    assert len(events) == 1
    tags = {
        value.tag for event in tf.train.summary_iterator(events[0]) for value in event.summary.value
    }
    assert tags == {"loss_value", "values"}


def test_summaries_use_a_timestamped_folder_by_default(tmp_path):
    summaries = Summaries(tmp_path)
    assert os.path.dirname(summaries.logdir) == str(tmp_path)
    assert len(os.path.basename(summaries.logdir)) == len("YYYYmmdd_HHMMSS")


def test_image_grid_tiles_flat_and_tanh_images():
    samples = np.linspace(-1.0, 1.0, 16 * 4).reshape(16, 4).astype(np.float32)
    grid = ed.get_session().run(image_grid(tf.constant(samples)))
    assert grid.shape == (1, 8, 8, 1) and grid.min() == 0.0 and grid.max() == 1.0
    # Tile (row 0, column 1) is sample 1, shown in [0, 1].
    np.testing.assert_allclose(grid[0, :2, 2:4, 0], (samples[1].reshape(2, 2) + 1) / 2, rtol=1e-6)


# --------------------------------------------------------- weight average
def test_weight_average_follows_tensorflows_decay_and_swaps_back():
    t = tf.Variable(0, trainable=False)
    w = tf.Variable(1.0)
    average = WeightAverage(0.9, [w], t)
    step = average.after(w.assign_add(1.0))
    average.build_swap()
    sess = ed.get_session()
    sess.run(tf.global_variables_initializer())
    sess.run(step)
    decay = min(0.9, 1.0 / 10.0)  # num_updates = t = 0
    want = decay * 1.0 + (1 - decay) * 2.0
    with average.swapped(sess):
        assert sess.run(w) == pytest.approx(want)
        with pytest.raises(RuntimeError, match="nested"):
            with average.swapped(sess):
                pass
    assert sess.run(w) == 2.0 and not average.inside


# ------------------------------------------------------------ options
def test_two_player_options_group_the_schedule():
    assert TwoPlayerOptions().schedule == (None, 0)
    assert TwoPlayerOptions(disc_steps=5, pretrain_steps=10).schedule == (5, 10)


@pytest.mark.parametrize(
    "options, kwargs, message",
    [
        (GANOptions, {"loss": "nope"}, "choose one of hinge, least_squares, minimax, non_saturat"),
        (TwoPlayerOptions, {"disc_steps": 0}, "disc_steps must be None or a positive int"),
        (TwoPlayerOptions, {"pretrain_steps": True}, "pretrain_steps must be a non-negative int"),
        (GANOptions, {"gradient_penalty": -1.0}, "gradient_penalty must be None or a non-negat"),
        (GANOptions, {"feature_matching": "1"}, "feature_matching must be None or a non-negative"),
        (TwoPlayerOptions, {"weight_clip": 0.0}, "clip must be a positive number or None"),
        (TwoPlayerOptions, {"ema_decay": 1.0}, r"ema_decay must be None or a float in \(0, 1\)"),
    ],
)
def test_options_refuse_bad_values(options, kwargs, message):
    with pytest.raises(ValueError, match=message):
        options(**kwargs)


def test_each_option_lives_in_one_place():
    """No option is copied into an attribute beside self.options / self.training."""
    with tf.Graph().as_default():
        with tf.variable_scope("Gen"):
            x = Normal(tf.get_variable("mu", []), 1.0, sample_shape=[4, 1])
        inference = ed.WGANInference(
            data={x: np.zeros((4, 1), np.float32)}, discriminator=lambda x: layers.dense(x, 1)
        )
        inference.initialize(clip=0.01, penalty=None, disc_steps=2, n_iter=2, n_print=0)
        assert inference.options.loss == "wasserstein"
        assert inference.training.weight_clip == 0.01 and inference.training.disc_steps == 2
        for name in ("loss_name", "disc_steps", "pretrain_steps", "clip", "gradient_penalty"):
            assert not hasattr(inference, name), name


def test_a_positional_argument_means_the_optimizer_on_every_class():
    """initialize's positional arguments are the core's; the extras are keyword-only."""
    import inspect

    for cls in (ed.GANInference, ed.WGANInference, ed.InfoGANInference, ed.ImplicitKLqp):
        for klass in cls.__mro__:
            if "initialize" not in vars(klass) or klass is ed.Inference:
                continue
            params = list(inspect.signature(klass.initialize).parameters.values())[1:]
            positional = [
                p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
            assert positional in (
                [],
                ["optimizer", "optimizer_d", "global_step", "global_step_d", "var_list"],
            ), (klass, positional)


# ----------------------------------------------- the one extension point
class ScaledLossGAN(ed.GANInference):
    """A subclass written the documented way: one public method."""

    def build_loss_and_gradients(self, var_list):
        d_true, d_fake = self.discriminate()
        loss, loss_d = self.gan_losses(d_true, d_fake)
        return self.regularized_gradients(3.0 * loss, loss_d, var_list)


def test_a_subclass_changes_the_losses_through_build_loss_and_gradients():
    x_ph = tf.placeholder(tf.float32, [M, 1])
    with tf.variable_scope("Gen"):
        theta = tf.get_variable("theta", [], initializer=tf.constant_initializer(0.5))
        x = theta * tf.ones([M, 1])

    def discriminator(x):
        return tf.reshape(x, [-1]) * tf.get_variable("w", [], initializer=tf.ones_initializer())

    inference = ScaledLossGAN(data={x: x_ph}, discriminator=discriminator)
    inference.initialize(optimizer="gradientdescent", optimizer_d="gradientdescent", n_print=0)
    sess = ed.get_session()
    sess.run(tf.global_variables_initializer())
    batch = np.full([M, 1], 2.0, np.float32)
    got = sess.run(inference.loss, {x_ph: batch})
    # Non-saturating loss of D(x) = w x with w = 1, scaled by 3.
    assert got == pytest.approx(3.0 * np.logaddexp(0.0, -0.5), rel=1e-6)


def test_update_before_initialize_says_what_to_call():
    x_ph = tf.placeholder(tf.float32, [M, 1])
    with tf.variable_scope("Gen"):
        x = tf.get_variable("theta", []) * tf.ones([M, 1])
    inference = ed.GANInference(data={x: x_ph}, discriminator=lambda x: x)
    with pytest.raises(RuntimeError, match=r"call inference.initialize\(...\) first"):
        inference.update({x_ph: np.zeros([M, 1], np.float32)})
