"""The learning-rate and momentum schedules of Goodfellow et al. (2014)'s
released configuration (`optimizers.exponential_decay`, `linear_ramp`)."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer.inferences.optimizers import exponential_decay, linear_ramp


def test_exponential_decay_is_pylearn2s_with_its_floor():
    steps = np.array([0, 1, 1000, 125000, 2_000_000, 3_000_000, 10**8])
    t = tf.placeholder(tf.int64, [])
    rate = exponential_decay(0.1, t, 1.000004, minimum=1e-6)
    values = [ed.get_session().run(rate, {t: s}) for s in steps]
    expected = np.maximum(0.1 / 1.000004 ** steps.astype(np.float64), 1e-6)
    np.testing.assert_allclose(values, expected, rtol=1e-6)
    assert values[-1] == np.float32(1e-6) and values[3] == pytest.approx(0.1 * np.exp(-0.5), 1e-5)


def test_linear_ramp_rises_from_epoch_0_and_saturates_at_epoch_249():
    epoch = tf.placeholder(tf.int64, [])
    momentum = linear_ramp(epoch, 0.5, 0.7, 0, 249)
    sess = ed.get_session()
    for e in [0, 1, 124, 248, 249, 250, 5000]:
        expected = 0.5 + 0.2 * min(e / 249, 1.0)
        assert sess.run(momentum, {epoch: e}) == pytest.approx(expected, rel=1e-6)


def test_a_momentum_optimizer_follows_both_schedules_step_by_step():
    """Tensor-valued rate and momentum read the step counter before it moves:
    SGD with momentum on loss = v (gradient 1) against the numpy recursion."""
    t = tf.Variable(0, trainable=False, dtype=tf.int64)
    v = tf.Variable(0.0, dtype=tf.float64)
    optimizer = tf.train.MomentumOptimizer(
        lambda: tf.cast(exponential_decay(0.5, t, 2.0, minimum=0.1), tf.float64),
        lambda: tf.cast(linear_ramp(t // 2, 0.0, 0.9, 0, 2), tf.float64),
    )
    train = optimizer.minimize(v)
    with tf.control_dependencies([train]):
        step = t.assign_add(1)
    sess = ed.get_session()
    sess.run(tf.global_variables_initializer())
    value, accumulator = 0.0, 0.0
    for s in range(7):
        sess.run(step)
        rate = max(0.5 / 2.0**s, 0.1)
        momentum = 0.9 * min((s // 2) / 2, 1.0)
        accumulator = momentum * accumulator + 1.0
        value -= rate * accumulator
        assert sess.run(v) == pytest.approx(value, rel=1e-6), s


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: exponential_decay(0.1, 0, 0.5), "factor must be"),
        (lambda: exponential_decay(0.0, 0, 2.0), "initial must be"),
        (lambda: linear_ramp(0, 0.5, 0.7, 10, 10), "end must come after begin"),
    ],
)
def test_schedules_refuse_bad_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()
