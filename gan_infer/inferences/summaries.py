"""TensorBoard logging of a training run: scalars, histograms, image grids.

`Summaries(logdir)` opens an event file (in a time-stamped sub-directory by
default, so that runs do not mix) and collects the summary ops an inference
adds while it builds its graph, in a collection of its own (a user's own
`tf.summary` ops in the default collection are left alone). `merge()` makes
the one op a training step fetches on print steps; `write(summary, t)`
records its result at iteration t.

#### Examples

```python
import tempfile

loss = tf.reduce_mean(tf.square(tf.get_variable("w", [3])))
summaries = Summaries(tempfile.mkdtemp(), timestamp=False)
summaries.scalar("loss", loss)
summaries.histogram("parameter/w", tf.trainable_variables()[0])
op = summaries.merge()
sess = ed.get_session()
sess.run(tf.global_variables_initializer())
summaries.write(sess.run(op), t=1)
summaries.close()
```
"""

import datetime
import itertools
import os

import tensorflow.compat.v1 as tf

__all__ = ["Summaries", "image_grid"]

_instances = itertools.count()


class Summaries:
    """A TensorBoard event file and the summary ops written to it.

    Args:
      logdir: str or os.PathLike. Directory for the event files (`~` expanded).
      timestamp: bool. Write into a `YYYYmmdd_HHMMSS` sub-directory.
    """

    def __init__(self, logdir, timestamp=True):
        logdir = os.path.expanduser(os.fspath(logdir))
        if timestamp:
            logdir = os.path.join(logdir, datetime.datetime.now().strftime("%Y%m%d_%H%M%S"))
        try:
            os.makedirs(logdir, exist_ok=True)
        except OSError as error:
            raise OSError(
                f"Cannot create the TensorBoard log directory {logdir!r} ({error.strerror}); "
                "pass a writable logdir."
            ) from error
        self.logdir = logdir
        self.writer = tf.summary.FileWriter(logdir, tf.get_default_graph())
        # The collection holding this run's summary ops.
        self.key = f"gan_infer_summaries_{next(_instances)}"

    def scalar(self, name, tensor):
        """Log a scalar tensor."""
        tf.summary.scalar(name, tensor, collections=[self.key])

    def histogram(self, name, values):
        """Log a histogram of the finite values only: TensorFlow's histogram
        op fails the whole session call on a NaN, which would hide the NaN
        loss that `run()` reports with the iteration."""
        values = tf.reshape(tf.convert_to_tensor(values), [-1])
        if values.dtype.is_floating:
            values = tf.boolean_mask(values, tf.math.is_finite(values))
        tf.summary.histogram(name, values, collections=[self.key])

    def images(self, name, samples):
        """Log a grid of the first samples, when they look like images
        (see `image_grid`); returns whether they did."""
        grid = image_grid(samples)
        if grid is not None:
            tf.summary.image(name, grid, max_outputs=1, collections=[self.key])
        return grid is not None

    def merge(self):
        """The op that evaluates every summary added so far (or None)."""
        return tf.summary.merge_all(key=self.key)

    def write(self, summary, t):
        """Record a merged summary's value at iteration `t`."""
        self.writer.add_summary(summary, t)

    def reopen(self):
        """Reopen the event file after `close()` (a second `run()`)."""
        self.writer.reopen()

    def close(self):
        """Flush and close the event file."""
        self.writer.close()


def image_grid(samples, max_tiles=16):
    """The first samples of a batch tiled into one image for TensorBoard, or
    None when the samples do not look like images: [N, H, W, C] with C in
    (1, 3, 4), or [N, D] with D a square (flattened grey images, MNIST).

    #### Examples

    ```python
    grid = image_grid(tf.zeros([16, 784]))      # 4 x 4 MNIST digits
    assert grid.shape.as_list() == [1, 112, 112, 1]
    assert image_grid(tf.zeros([16, 3])) is None
    ```
    """
    shape = samples.shape
    if shape.rank == 2 and shape[1] is not None and shape[1] > 1:
        side = int(round(shape[1] ** 0.5))
        if side * side != shape[1]:
            return None
        samples = tf.reshape(samples, [-1, side, side, 1])
    elif not (shape.rank == 4 and shape[3] in (1, 3, 4) and shape[1:].is_fully_defined()):
        return None
    if shape[0] is None:
        return None
    rows = int(min(shape[0], max_tiles) ** 0.5)
    height, width, channels = samples.shape[1:].as_list()
    tiles = tf.reshape(samples[: rows * rows], [rows, rows, height, width, channels])
    grid = tf.reshape(
        tf.transpose(tiles, [0, 2, 1, 3, 4]), [1, rows * height, rows * width, channels]
    )
    grid = tf.cast(grid, tf.float32)
    # A tanh generator's images live in [-1, 1]: show them in [0, 1].
    grid = tf.where(tf.reduce_min(grid) < 0.0, (grid + 1.0) / 2.0, grid)
    return tf.clip_by_value(grid, 0.0, 1.0)
