"""gan_infer.inferences.blur: the widths accepted, and the noise they add."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from gan_infer.inferences.blur import blurred, checked_blur


def test_widths_are_checked_against_the_known_dimensions_only():
    x = tf.placeholder(tf.float32, [None, 2])
    assert set(checked_blur([0.1, 0.2], {x: x})) == {x}
    with pytest.raises(ValueError, match=r"has shape \(3,\), which does not broadcast"):
        checked_blur([0.1, 0.2, 0.3], {x: x})
    assert checked_blur({x: 0.0}, {x: x}) == {}  # a width of 0 blurs nothing


def test_a_float64_observation_gets_its_width_unrounded():
    x = tf.placeholder(tf.float64, [None, 1])
    widths = checked_blur(0.3, {x: x})
    assert widths[x].dtype == np.float64 and widths[x] == 0.3
    noisy = blurred({x: x}, widths)[x]
    assert noisy.dtype == tf.float64
    with tf.Session() as session:
        values = session.run(noisy, {x: np.ones((20000, 1))})
    assert abs(values.std() - 0.3) < 0.01 and abs(values.mean() - 1.0) < 0.01
