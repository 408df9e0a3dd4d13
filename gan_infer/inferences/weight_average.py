"""An exponential moving average of the generator's weights (Yazici et al., 2019).

GAN training circles around its equilibrium instead of settling; the
average of the generator's recent weights sits nearer its centre, so
samples drawn with it are usually cleaner than the last iterate's:

    w_avg <- d_t w_avg + (1 - d_t) w,  d_t = min(decay, (1 + t) / (10 + t)),

with t the iteration (the second term lets the average forget the initial
weights quickly). The shadow variables are global variables, so checkpoints
keep the average with the weights.

#### Examples

```python
t = tf.Variable(0, trainable=False)
w = tf.Variable(1.0)
average = WeightAverage(0.9, [w], t)
step = average.after(w.assign_add(1.0))     # the train op, then the average
sess = ed.get_session()
sess.run(tf.global_variables_initializer())
sess.run(step)
with average.swapped(sess):
    averaged = sess.run(w)                   # the average, between 1 and 2
assert sess.run(w) == 2.0 and 1.0 < averaged < 2.0
```
"""

import contextlib

import tensorflow.compat.v1 as tf

__all__ = ["WeightAverage"]


class WeightAverage:
    """The moving average of `variables`, and the op that swaps it in.

    Args:
      decay: float in (0, 1). E.g. 0.999 averages over roughly the last
        1,000 updates.
      variables: list of tf.Variable to average.
      num_updates: tf.Variable. The iteration counter (for d_t above).
    """

    def __init__(self, decay, variables, num_updates):
        self.variables = list(variables)
        self.ema = tf.train.ExponentialMovingAverage(decay, num_updates=num_updates)
        self.inside = False
        self._swap = None

    def after(self, train_op):
        """An op that moves the average once `train_op`'s new weights exist."""
        with tf.control_dependencies([train_op]):
            return self.ema.apply(self.variables)

    def build_swap(self):
        """Make the swap op; call after the first `after` (which makes the
        shadow variables)."""
        averages = [self.ema.average(v) for v in self.variables]
        # Both values are read before either variable is written.
        live = [v.read_value() for v in self.variables]
        averaged = [a.read_value() for a in averages]
        with tf.control_dependencies(live + averaged):
            self._swap = tf.group(
                *[v.assign(a) for v, a in zip(self.variables, averaged)],
                *[a.assign(v) for a, v in zip(averages, live)],
                name="swap_weight_average",
            )

    @contextlib.contextmanager
    def swapped(self, session):
        """Inside the block the variables hold the average; the live values
        come back when it ends, also on an exception."""
        if self._swap is None:
            self.build_swap()
        if self.inside:
            raise RuntimeError("averaged_generator() blocks cannot be nested.")
        session.run(self._swap)
        self.inside = True
        try:
            yield
        finally:
            session.run(self._swap)
            self.inside = False
