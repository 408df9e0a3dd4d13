"""The moving average of the generator's weights (initialize(ema_decay=...)).

The model and critic are the linear pair of test_updates; the expected
average is re-derived with numpy from the weights read after each step.
"""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer as ed
from tests.inferences.test_updates import M, build

DECAY = 0.9


def decay_at(t):
    """TF's ExponentialMovingAverage decay with num_updates = t (the
    iteration counter before the step): min(decay, (1 + t) / (10 + t))."""
    return min(DECAY, (1.0 + t) / (10.0 + t))


def batch(rng):
    return {"x": rng.normal(1.0, 0.5, size=[M, 1]).astype(np.float32)}


def shadow(variable):
    (found,) = [
        v
        for v in tf.global_variables()
        if v.op.name == variable.op.name + "/ExponentialMovingAverage"
    ]
    return found


@pytest.mark.parametrize("variables", [None, "Gen"])
def test_average_follows_the_generator_steps(variables):
    inference, x_ph, _, params = build(ed.GANInference, "adam", "adam", ema_decay=DECAY)
    sess = ed.get_session()
    rng = np.random.default_rng(0)
    names = ("a", "b")
    expected = {n: float(sess.run(params[n])) for n in names}  # the shadows start at the weights
    for t in range(6):
        inference.update({x_ph: batch(rng)["x"]}, variables=variables)
        weights = {n: float(sess.run(params[n])) for n in names}
        for n in names:
            expected[n] = decay_at(t) * expected[n] + (1.0 - decay_at(t)) * weights[n]
    for n in names:
        np.testing.assert_allclose(sess.run(shadow(params[n])), expected[n], rtol=1e-6)


def test_discriminator_steps_leave_the_average_alone():
    inference, x_ph, _, params = build(ed.GANInference, "adam", "adam", ema_decay=DECAY)
    sess = ed.get_session()
    before = sess.run(shadow(params["a"]))
    for _ in range(3):
        inference.update({x_ph: batch(np.random.default_rng(1))["x"]}, variables="Disc")
    assert sess.run(shadow(params["a"])) == before
    assert not [
        v
        for v in tf.global_variables()
        if v.op.name.startswith("Disc/") and "ExponentialMovingAverage" in v.op.name
    ]


def test_averaged_generator_swaps_in_the_average_and_back():
    inference, x_ph, z, params = build(ed.GANInference, "adam", "adam", ema_decay=DECAY)
    sess = ed.get_session()
    rng = np.random.default_rng(2)
    for _ in range(5):
        inference.update({x_ph: batch(rng)["x"]})
    live = sess.run([params["a"], params["b"]])
    averaged = sess.run([shadow(params["a"]), shadow(params["b"])])
    assert not np.allclose(live, averaged)
    z_value = np.linspace(-1, 1, M).reshape(M, 1).astype(np.float32)
    with inference.averaged_generator():
        np.testing.assert_array_equal(sess.run([params["a"], params["b"]]), averaged)
        samples = sess.run(inference.x_fake, {z: z_value})
    np.testing.assert_allclose(samples, averaged[0] * z_value + averaged[1], rtol=1e-6)
    # The live weights and the average are back, bit for bit.
    np.testing.assert_array_equal(sess.run([params["a"], params["b"]]), live)
    np.testing.assert_array_equal(sess.run([shadow(params["a"]), shadow(params["b"])]), averaged)


def test_live_weights_come_back_after_an_exception():
    inference, x_ph, _, params = build(ed.GANInference, "adam", "adam", ema_decay=DECAY)
    sess = ed.get_session()
    inference.update({x_ph: batch(np.random.default_rng(3))["x"]})
    live = sess.run(params["a"])
    with pytest.raises(ZeroDivisionError):
        with inference.averaged_generator():
            raise ZeroDivisionError
    assert sess.run(params["a"]) == live
    inference.update({x_ph: batch(np.random.default_rng(3))["x"]})  # training works again


def test_training_and_saving_inside_the_block_are_refused(tmp_path):
    inference, x_ph, _, _ = build(
        ed.GANInference, "adam", "adam", ema_decay=DECAY, checkpoint_dir=str(tmp_path)
    )
    feed = {x_ph: batch(np.random.default_rng(4))["x"]}
    with inference.averaged_generator():
        with pytest.raises(RuntimeError, match="inside averaged_generator"):
            inference.update(feed)
        with pytest.raises(RuntimeError, match="inside averaged_generator"):
            inference.save_checkpoint()
        with pytest.raises(RuntimeError, match="nested"):
            with inference.averaged_generator():
                pass
    assert not list(tmp_path.glob("ckpt-*"))
    inference.update(feed)
    assert inference.save_checkpoint().endswith("ckpt-1")


def test_the_average_is_checkpointed(tmp_path):
    inference, x_ph, _, params = build(
        ed.GANInference, "adam", "adam", ema_decay=DECAY, checkpoint_dir=str(tmp_path)
    )
    sess = ed.get_session()
    inference.update({x_ph: batch(np.random.default_rng(5))["x"]})
    saved = sess.run(shadow(params["b"]))
    path = inference.save_checkpoint()
    sess.run(shadow(params["b"]).assign(123.0))
    inference.restore(path)
    assert sess.run(shadow(params["b"])) == saved


def test_wgan_averages_too():
    inference, x_ph, _, params = build(ed.WGANInference, "adam", "adam", ema_decay=DECAY)
    sess = ed.get_session()
    before = float(sess.run(params["a"]))
    inference.update({x_ph: batch(np.random.default_rng(6))["x"]})
    after = float(sess.run(params["a"]))
    expected = decay_at(0) * before + (1.0 - decay_at(0)) * after
    with inference.averaged_generator():
        np.testing.assert_allclose(sess.run(params["a"]), expected, rtol=1e-6)
    assert sess.run(params["a"]) == after


def test_averaged_generator_needs_ema_decay():
    inference, _, _, _ = build(ed.GANInference, "adam", "adam")
    with pytest.raises(RuntimeError, match=r"initialize\(\.\.\., ema_decay=0\.999\)"):
        with inference.averaged_generator():
            pass


@pytest.mark.parametrize("bad", [0, 1, 1.5, -0.1, True, "0.999"])
def test_bad_ema_decay_is_refused(bad):
    with pytest.raises(ValueError, match="ema_decay must be None or a float in"):
        build(ed.GANInference, "adam", "adam", ema_decay=bad)
