"""Recording quantities during training, and drawing samples, for the pictures afterwards."""
import numbers

import numpy as np

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
    inference.initialize(n_iter=5000, n_print=500)
    grid = np.linspace(-2, 8, 200, dtype=np.float32)[:, None]
    with tf.variable_scope("Disc", reuse=True):
        d_on_grid = tf.sigmoid(discriminative_network(tf.constant(grid)))
    monitor = Monitor({
        "d_real": tf.reduce_mean(tf.sigmoid(inference.d_true)),
        "d_fake": tf.reduce_mean(tf.sigmoid(inference.d_fake)),
        "samples": x, "d": d_on_grid}, every=100)
    tf.global_variables_initializer().run()
    for _ in range(inference.n_iter):
        feed = {x_ph: next_batch()}
        info_dict = inference.update(feed)
        monitor(info_dict, feed)
    history_figure(monitor.history, {"D": ["d_real", "d_fake"]})
    animate_1d(monitor.frames(), grid[:, 0], data_pdf, "fit.gif")
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
            raise ValueError("'t' is the iteration counter's name in the history; rename that fetch.")
        if isinstance(every, bool) or not isinstance(every, numbers.Integral) or every < 1:
            raise ValueError(f"every must be a positive int, got {every!r}.")
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
        record = {key: value for key, value in info_dict.items()
                  if key != "t" and isinstance(value, (numbers.Number, np.number))}
        record.update(values)
        self.history["t"].append(t)
        for key, value in record.items():
            self.history.setdefault(key, []).append(value)
        return values

    def frames(self):
        """The records as a list of dicts (one per recording), for animations."""
        names = [key for key in self.history if key != "t"]
        return [dict({"t": t}, **{name: self.history[name][i] for name in names})
                for i, t in enumerate(self.history["t"])]


def draw_samples(tensor, n, feed_dict=None):
    """`n` rows of `tensor` (e.g. the model's output x), from as many
    session runs as needed: each run draws a fresh batch.

    #### Examples

    ```python
    samples = draw_samples(x, 10000)           # (10000, 784) float32
    sevens = draw_samples(x, 100, {y: np.full(M, 7)})
    ```
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}.")
    sess = get_session()
    batches, total = [], 0
    while total < n:
        batch = np.asarray(sess.run(tensor, feed_dict))
        if batch.ndim == 0 or len(batch) == 0:
            raise ValueError(f"draw_samples needs a batch of samples, got shape {batch.shape}.")
        batches.append(batch)
        total += len(batch)
    return np.concatenate(batches)[:n]
