"""Calling the user's discriminator: one set of weights, logits out.

Every adversarial inference calls the discriminator two or more times (on
the data, then with `reuse=True` on the samples, and on interpolates for a
gradient penalty). What the user's function does on those calls decides
which variables each player trains, so `call_discriminator` checks them:

- the first call creates every variable, and only under the "Disc" scope
  (the generator's optimizer takes every other trainable variable);
- a later call creates none: a function that builds Keras layers in its
  body (a new layer, with new weights, at every call) would otherwise train
  a second discriminator with the generator's optimizer;

and `checked_logits` checks what the discriminator returns: one logit per
example, not probabilities (the losses apply the sigmoid themselves).

Keras layers are supported when made once, outside the function, and
called inside it: their weights are created by the first call, under
"Disc", and shared by the others.

#### Examples

```python
x = tf.zeros([4, 3])
def discriminative_network(x):
    return layers.dense(x, 1)
logits = call_discriminator(discriminative_network, [x], reuse=False)
again = call_discriminator(discriminative_network, [x], reuse=True)
assert checked_logits(again).shape == [4, 1]
```
"""

import tensorflow.compat.v1 as tf

__all__ = ["DISC_SCOPE", "call_discriminator", "checked_logits"]

# The discriminator's variables and regularization losses live under this
# variable scope; everything else trainable belongs to the generator.
DISC_SCOPE = "Disc"

# Ops that pass a tensor on unchanged in value: looked through to find the
# op that made the logits.
_PASS_THROUGH = {"Identity", "Reshape", "Squeeze", "ExpandDims"}
_PROBABILITY_OPS = {"Sigmoid": "a sigmoid", "Softmax": "a softmax"}

_NO_TF_LAYERS = (
    "tf.layers / tf.compat.v1.layers need Keras 2, which TensorFlow >= 2.16 no longer uses: "
    "build the network with gan_infer.layers (dense, conv2d, conv2d_transpose, batch_norm, "
    "dropout, flatten take the same arguments), e.g. layers.dense(h, 1)."
)


def _variable_names(graph):
    return {v.op.name for v in graph.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)}


def call_discriminator(discriminator, inputs, reuse, scope=DISC_SCOPE):
    """`discriminator(*inputs)` under `variable_scope(scope, reuse=reuse)`,
    checking the variables the call created.

    Args:
      discriminator: the user's callable.
      inputs: list of its positional arguments.
      reuse: bool. False for the call that builds the weights, True after.

    Returns:
      What the discriminator returned.

    Raises:
      ValueError: a `reuse=True` call created variables, or a call created
        variables outside `scope` (which the generator's optimizer would own).
      AttributeError: the network uses tf.layers, which needs Keras 2.
    """
    graph = tf.get_default_graph()
    before = _variable_names(graph)
    try:
        with tf.variable_scope(scope, reuse=reuse):
            output = discriminator(*inputs)
    except AttributeError as error:
        if "is not available with Keras 3" in str(error):
            raise AttributeError(f"{error} {_NO_TF_LAYERS}") from error
        raise
    created = sorted(_variable_names(graph) - before)
    if reuse and created:
        raise ValueError(
            f"The discriminator made new variables when called again ({', '.join(created[:4])}"
            f"{', ...' if len(created) > 4 else ''}): every call must share one set of weights. "
            "Keras layers built inside the function are new layers at each call: create them "
            "once, outside it, and call them inside; or build the weights with gan_infer.layers "
            "(or tf.get_variable), which the reused 'Disc' scope shares."
        )
    outside = [name for name in created if not name.startswith(scope + "/")]
    if outside:
        raise ValueError(
            f"The discriminator made the variables {', '.join(outside[:4])} outside its "
            f"variable scope '{scope}', so the generator's optimizer would train them. Create "
            "its weights inside the function (gan_infer.layers, tf.get_variable, or Keras "
            "layers on their first call), not under an absolute scope or name."
        )
    return output


def _source_op(tensor):
    op = tensor.op
    while op.type in _PASS_THROUGH and op.inputs:
        op = op.inputs[0].op
    return op


def checked_logits(logits, who="The discriminator"):
    """`logits` as a tensor, checked to be one logit per example (or per
    pack of examples, for a discriminator that packs them as PacGAN does).

    Args:
      logits: what the discriminator returned (its logits part).
      who: how the error messages name the function.

    Raises:
      ValueError: the output is not of shape [M] or [M, 1], or it is the
        output of a sigmoid or softmax (probabilities, not logits).
    """
    logits = tf.convert_to_tensor(logits)
    shape = logits.shape
    if shape.rank is not None and not (
        shape.rank == 1 or (shape.rank == 2 and shape[1] in (None, 1))
    ):
        raise ValueError(
            f"{who} returned logits of shape {shape}; it must return one logit per example, "
            "of shape [M] or [M, 1]: end it with a layer of one unit, e.g. layers.dense(h, 1)."
        )
    source = _source_op(logits)
    if source.type in _PROBABILITY_OPS:
        raise ValueError(
            f"{who} ends in {_PROBABILITY_OPS[source.type]} ({source.name}), so it returns "
            "probabilities, but the losses take logits and apply the sigmoid themselves: "
            "drop the final activation (e.g. layers.dense(h, 1, activation=None))."
        )
    return logits
