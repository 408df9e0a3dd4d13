"""The two players' training ops, built from their gradients.

`build_train_ops` turns `(loss, grads_and_vars, loss_d, grads_and_vars_d)`,
what every adversarial `build_loss_and_gradients` returns, into three ops:
a generator step, a discriminator step and a simultaneous step of both.
Each op waits for every value it reads (gradients and losses) before it
writes, so no update sees the other player's parameters half-updated; the
simultaneous step computes both gradients at the same parameters, from the
same batch and noise, before applying either. Batch-norm moving averages
(`tf.GraphKeys.UPDATE_OPS`) run with the step of the player that owns them;
the generator's weight average moves after each generator step; the
discriminator's weights are clipped after each of its steps when asked.

#### Examples

```python
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()
w = tf.Variable(1.0)
with tf.variable_scope("Disc"):
    v = tf.Variable(2.0)
loss, loss_d = tf.square(w * v), tf.square(w - v)
ops = build_train_ops(
    tf.train.GradientDescentOptimizer(0.1), tf.train.GradientDescentOptimizer(0.1),
    (loss, list(zip(tf.gradients(loss, [w]), [w])),
     loss_d, list(zip(tf.gradients(loss_d, [v]), [v]))),
)
sess = tf.Session()
sess.run(tf.global_variables_initializer())
sess.run(ops.both)
```
"""

import contextlib
from typing import NamedTuple, Optional

import tensorflow.compat.v1 as tf

from gan_infer.inferences.discriminator_calls import DISC_SCOPE
from gan_infer.inferences.weight_average import WeightAverage

__all__ = ["TrainOps", "build_train_ops", "check_players", "clip_weights"]


class TrainOps(NamedTuple):
    """The three steps, and the generator's weight average (or None)."""

    generator: tf.Operation
    discriminator: tf.Operation
    both: tf.Operation
    weight_average: Optional[WeightAverage]


def check_players(grads_and_vars, grads_and_vars_d):
    """Each player has something to train: refuse a game one side cannot play."""
    if not grads_and_vars_d:
        raise ValueError(
            'The discriminator has no trainable variables under variable scope "Disc": '
            "create its weights inside the discriminator function (e.g. with "
            "gan_infer.layers.dense) so that they are made under that scope."
        )
    if not any(grad is not None for grad, _ in grads_and_vars):
        raise ValueError(
            "The generator loss does not depend on any trainable variable outside the "
            '"Disc" scope: the model has no parameters to fit, or var_list misses them.'
        )


def clip_weights(train_d, clip):
    """`train_d`, then the discriminator's weights clipped to [-clip, clip]."""
    if clip is None:
        return train_d
    variables = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=DISC_SCOPE + "/")
    with tf.control_dependencies([train_d]):
        return tf.group(
            *[v.assign(tf.clip_by_value(v, -clip, clip)) for v in variables],
            name="clip_critic_weights",
        )


def apply_once_computed(optimizer, grads_and_vars, global_step, after, scope):
    """`optimizer`'s update, made to wait for every tensor in `after`;
    `scope` makes the context the ops are created in."""
    with tf.control_dependencies(after), scope():
        return optimizer.apply_gradients(
            [(g, v) for g, v in grads_and_vars if g is not None], global_step=global_step
        )


def build_train_ops(
    optimizer,
    optimizer_d,
    losses_and_gradients,
    global_step=None,
    global_step_d=None,
    *,
    weight_clip=None,
    ema_decay=None,
    num_updates=None,
    scope=None,
):
    """The generator's, the discriminator's and the simultaneous step.

    Args:
      optimizer, optimizer_d: tf.compat.v1.train.Optimizer, one per player.
      losses_and_gradients: `(loss, grads_and_vars, loss_d,
        grads_and_vars_d)`, as `build_loss_and_gradients` returns it.
      global_step, global_step_d: tf.Variable, optional. Moved by each
        player's steps.
      weight_clip: float, optional. Clip the discriminator's weights to
        [-c, c] after each of its steps.
      ema_decay: float, optional. Keep a moving average of the generator's
        variables, moved after each generator step (`WeightAverage`).
      num_updates: tf.Variable. The iteration counter, for the average.
      scope: callable returning a context manager for the ops' creation
        (the XLA scope of `initialize(jit=True)`); default none.

    Returns:
      TrainOps(generator, discriminator, both, weight_average).
    """
    scope = scope or contextlib.nullcontext
    loss, grads_and_vars, loss_d, grads_and_vars_d = losses_and_gradients
    # Reusing "Disc" opens name scopes "Disc_1", "Disc_2": their updates are D's too.
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    update_ops_d = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope=DISC_SCOPE + r"(_\d+)?/")
    update_ops_g = [op for op in update_ops if op not in update_ops_d]
    # Its shadow variables appear with the first generator step below; they
    # are global variables, so checkpoints keep the average with the weights.
    average = (
        None
        if ema_decay is None
        else WeightAverage(ema_decay, [v for _, v in grads_and_vars], num_updates)
    )

    def generator_step(after):
        train = apply_once_computed(optimizer, grads_and_vars, global_step, after, scope)
        train = train if average is None else average.after(train)
        return tf.group(train, *update_ops_g) if update_ops_g else train

    def discriminator_step(after):
        train = apply_once_computed(optimizer_d, grads_and_vars_d, global_step_d, after, scope)
        train = clip_weights(train, weight_clip)
        return tf.group(train, *update_ops_d) if update_ops_d else train

    grads = [g for g, _ in grads_and_vars if g is not None]
    grads_d = [g for g, _ in grads_and_vars_d if g is not None]
    train = generator_step(grads + [loss])
    train_d = discriminator_step(grads_d + [loss_d])
    both = grads + grads_d + [loss, loss_d]
    train_both = tf.group(generator_step(both), discriminator_step(both))
    if average is not None:
        average.build_swap()
    return TrainOps(train, train_d, train_both, average)
