"""Recording quantities during training, and drawing samples, for the pictures afterwards."""

import numbers

import numpy as np

from gan_infer.util.checks import check_int
from gan_infer.util.session import get_session

__all__ = ["Monitor", "draw_samples"]


class Monitor:
    """Evaluates chosen tensors every `every` updates and keeps the values.

    The tensors are built once, before training, and only *evaluated* in the
    loop, so the graph never grows while training (`run()` finalizes it).
    Numbers in the update's `info_dict` (the losses) are recorded too.

    Pass monitors to `inference.run(..., monitors=[monitor])`, or call one
    after each update in your own loop: `monitor(info_dict, feed_dict)`.

    #### Examples

    ```python
    from gan_infer.criticism import history_figure

    inference = ed.GANInference(data={x: x_ph}, discriminator=discriminative_network)
    inference.initialize(n_iter=20, n_print=0)
    with tf.variable_scope("Disc", reuse=True):   # D's own weights, evaluated only
        d_real = tf.reduce_mean(tf.sigmoid(discriminative_network(x_ph)))
        d_fake = tf.reduce_mean(tf.sigmoid(discriminative_network(x)))
    monitor = Monitor({"d_real": d_real, "d_fake": d_fake, "samples": x}, every=10)
    tf.global_variables_initializer().run()
    for _ in range(inference.n_iter):
        feed = {x_ph: next_batch()}
        info_dict = inference.update(feed)
        monitor(info_dict, feed)
    fig = history_figure(monitor.history, {"D": ["d_real", "d_fake"]})
    frames = monitor.frames()   # one dict per recording, e.g. for animate_2d
    ```
    """

    def __init__(self, fetches, every=100, feed_dict=None):
        """
        Args:
          fetches: dict name -> tensor (or random variable, or anything
            `session.run` fetches).
          every: int. Record at the first update and every `every` updates.
          feed_dict: dict, optional. Fed at every recording (e.g. fixed
            inputs); merged with the feed passed at each call.
        """
        if not isinstance(fetches, dict) or not fetches:
            raise TypeError("Monitor needs a non-empty dict of name -> tensor to record.")
        if "t" in fetches:
            raise ValueError(
                "'t' is the iteration counter's name in the history; rename that fetch."
            )
        every = check_int(every, "every")
        self.fetches = dict(fetches)
        self.every = int(every)
        self.feed_dict = dict(feed_dict or {})
        self.history = {"t": []}

    def due(self, t):
        """Whether iteration `t` is recorded."""
        return t == 1 or t % self.every == 0

    def __call__(self, info_dict, feed_dict=None):
        """Record at iteration `info_dict['t']` if due; returns the values or None."""
        t = int(info_dict["t"])
        if not self.due(t):
            return None
        values = get_session().run(self.fetches, {**self.feed_dict, **(feed_dict or {})})
        record = {
            key: value
            for key, value in info_dict.items()
            if key != "t" and isinstance(value, (numbers.Number, np.number))
        }
        record.update(values)
        self.history["t"].append(t)
        for key, value in record.items():
            self.history.setdefault(key, []).append(value)
        return values

    def frames(self):
        """The records as a list of dicts (one per recording), for animations."""
        names = [key for key in self.history if key != "t"]
        return [
            dict({"t": t}, **{name: self.history[name][i] for name in names})
            for i, t in enumerate(self.history["t"])
        ]


def draw_samples(tensor, n, feed_dict=None):
    """`n` rows of `tensor` (e.g. the model's output x), from as many
    session runs as needed: each run draws a fresh batch.

    #### Examples

    ```python
    samples = draw_samples(x, 10000)           # (10000, 784) float32
    sevens = draw_samples(x, 100, {y: np.full(M, 7)})
    ```
    """
    n = check_int(n, "n")
    sess = get_session()
    batches, total = [], 0
    while total < n:
        batch = np.asarray(sess.run(tensor, feed_dict))
        if batch.ndim == 0 or len(batch) == 0:
            raise ValueError(f"draw_samples needs a batch of samples, got shape {batch.shape}.")
        batches.append(batch)
        total += len(batch)
    return np.concatenate(batches)[:n]
