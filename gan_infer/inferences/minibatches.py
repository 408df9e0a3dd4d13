"""Observations kept in the graph and served in mini-batches.

With `data={x: Minibatches(x_train, binarize=True)}` (or simply a numpy array
with more rows than the model's batch) an update is one session call with
nothing fed from Python: the data live in a variable, and the batch is
gathered, shuffled and binarized by the graph. The position in the epoch and
the epoch's order are variables, so a checkpoint holds the data iterator's
state; its randomness comes from the step seed (`gan_infer.util.seeds`), so a
resumed run sees the same batches as an uninterrupted one.
"""

import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer.util.seeds import fresh_seed

__all__ = ["Minibatches"]


class Minibatches:
    """A numpy array served to an inference in mini-batches, in the graph.

    Each update reads the next `M` rows (M: the model's batch size, the
    leading dimension of the bound model tensor) of a random order of the
    rows; at the end of an epoch a new order is drawn (the batch that
    crosses the boundary takes its last rows from the start of the old order).
    Several entries of one inference (a conditional GAN's images and labels)
    share one order, so their rows stay paired.

    #### Examples

    ```python
    (x_train, _), _, _ = ed.datasets.mnist_splits(data_dir, validation_size=5000)
    with tf.variable_scope("Gen"):
        eps = Uniform(tf.zeros([128, 100]) - 1.0, tf.ones([128, 100]))
        x = generative_network(eps)                       # shape [128, 784]
    inference = ed.GANInference(data={x: ed.Minibatches(x_train, binarize=True)},
                                discriminator=discriminative_network)
    inference.run(n_iter=15000, n_print=1000)             # no feed_dict anywhere
    ```
    """

    def __init__(self, array, binarize=False, shuffle=True):
        """Args:
        array: numpy array, observations along the first axis. uint8
          values bound to a floating-point model are pixels 0..255: kept
          as uint8 in the graph (a quarter of the memory) and scaled by
          1/255 per batch, as `gan_infer.datasets.batches` does.
        binarize: bool. Replace each value p in [0, 1] by a Bernoulli(p)
          draw at every batch (the tutorial's `np.random.binomial(1, x)`).
        shuffle: bool. A new random order each epoch; False serves the rows
          in order, wrapping around at the end (the tutorial's generator).
        """
        array = np.asarray(array)
        if array.ndim < 1 or array.shape[0] < 1:
            raise ValueError(
                f"Minibatches needs an array with at least one row, got shape {array.shape}."
            )
        if array.dtype.kind not in "biuf":
            raise TypeError(f"Minibatches needs a numeric array, got dtype {array.dtype}.")
        if (
            binarize
            and array.dtype != np.uint8
            and (array.dtype.kind != "f" or array.min() < 0.0 or array.max() > 1.0)
        ):
            raise ValueError(
                "Minibatches(binarize=True) needs uint8 pixels (0..255) or floating-point values "
                "in [0, 1] (the probability of a 1); scale the data first, e.g. x / 255.0."
            )
        self.array = array
        self.binarize = bool(binarize)
        self.shuffle = bool(shuffle)

    def stored_dtype(self, model_dtype):
        """The dtype the array is kept in: uint8 pixels stay uint8."""
        if self.array.dtype == np.uint8 and model_dtype.is_floating:
            return tf.uint8
        return model_dtype.base_dtype

    def __repr__(self):
        return (
            f"Minibatches(array of shape {self.array.shape}, binarize={self.binarize}, "
            f"shuffle={self.shuffle})"
        )


class MinibatchStream:
    """The graph side: one order and position shared by every bound entry.

    `batch(stored, entry)` gives an entry's batch tensor; `advance` is the
    op every training step must run (after reading its batch) to move on.
    """

    def __init__(self, n_rows, batch_size, shuffle):
        self.n_rows, self.batch_size = n_rows, batch_size
        with tf.variable_scope(None, default_name="minibatches"):
            identity = tf.range(n_rows, dtype=tf.int32)
            order = self._new_order() if shuffle else identity
            self.order = tf.Variable(order, trainable=False, name="order")
            self.position = tf.Variable(0, trainable=False, dtype=tf.int32, name="position")
            self.indices = tf.gather(
                self.order, tf.math.floormod(self.position + tf.range(batch_size), n_rows)
            )
            with tf.control_dependencies([self.indices]):
                moved = self.position + batch_size
                # The new order is drawn inside the branch: an argsort of every
                # row at each step would cost more than the step itself.
                self.advance = tf.cond(
                    moved >= n_rows,
                    lambda: tf.group(
                        self.order.assign(self._new_order() if shuffle else identity),
                        self.position.assign(moved - n_rows),
                    ),
                    lambda: tf.group(self.position.assign(moved)),
                )

    def _new_order(self):
        uniform = tf.random.stateless_uniform([self.n_rows], seed=fresh_seed())
        return tf.argsort(uniform)

    def batch(self, stored, entry, dtype):
        batch = tf.gather(stored, self.indices)
        if batch.dtype != dtype.base_dtype:  # uint8 pixels
            batch = tf.cast(batch, dtype.base_dtype) / 255.0
        if entry.binarize:
            draws = tf.cast(_uniform16(tf.shape(batch)), batch.dtype)
            batch = tf.cast(draws < batch * 65536.0, batch.dtype)
        return batch


def _uniform16(shape):
    """Uniform draws on {0, ..., 65535} (as float32), one per element.

    16 bits are plenty for a Bernoulli(p) draw (p is off by < 2e-5) and
    cost half the random bits of float32 uniforms: the draw dominated the
    in-graph batch on a CPU.
    """
    size = tf.reduce_prod(shape)
    words = tf.random.stateless_uniform(
        [(size + 1) // 2], seed=fresh_seed(), dtype=tf.int32, minval=None, maxval=None
    )
    halves = tf.reshape(tf.bitcast(words, tf.uint16), [-1])[:size]
    return tf.reshape(tf.cast(halves, tf.float32), shape)
