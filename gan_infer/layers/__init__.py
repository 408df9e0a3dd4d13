"""TF1-style network pieces for graph mode, without Keras.

`tf.compat.v1.layers` is gone under Keras 3 (which TensorFlow 2.16+ ships),
yet Edward-era programs build networks as plain functions called twice (once
on data, once with `reuse=True` on samples). These functions keep exactly
those semantics: variables come from `tf.compat.v1.get_variable`, so they
honour `variable_scope`, `reuse` and custom getters; unnamed layers are
numbered `dense`, `dense_1`, ... afresh each time their enclosing scope is
re-entered, so a network function called a second time under
`variable_scope(..., reuse=True)` finds the same variables; and kernel
regularizers land in the `REGULARIZATION_LOSSES` collection, from where the
inferences route them to the right loss.

The layers live in modules by kind, and are all imported here, so
`from gan_infer import layers; layers.dense(...)` reaches every one:

- `gan_infer.layers.core`: `dense`, `maxout`, `dropout`, `flatten`;
- `gan_infer.layers.convolutional`: `conv2d`, `conv2d_transpose`;
- `gan_infer.layers.normalization`: `batch_norm`, `minibatch_stddev`,
  `spectral_norm_getter`;
- `gan_infer.layers.activations`: `leaky_relu`;
- `gan_infer.layers.regularizers`: `l2_regularizer`, `l1_regularizer`;
- `gan_infer.layers.mixed_precision`: `precision`, `with_precision` (float32
  variables, bfloat16 products), `bfloat16_support`;
- `gan_infer.layers.inputs`: the input checks they share.

#### Examples

```python
from gan_infer import layers

def discriminative_network(x):
    h1 = layers.dense(x, 128, activation=tf.nn.relu,
                      kernel_regularizer=layers.l2_regularizer(1e-3))
    h1 = layers.dropout(h1, rate=0.5, training=True)
    return layers.dense(h1, 1, activation=None)
```
"""

from gan_infer.layers.activations import leaky_relu
from gan_infer.layers.convolutional import conv2d, conv2d_transpose
from gan_infer.layers.core import dense, dropout, flatten, maxout
from gan_infer.layers.mixed_precision import (
    PRECISIONS,
    SlowBfloat16Warning,
    bfloat16_support,
    current_precision,
    precision,
    with_precision,
)
from gan_infer.layers.normalization import batch_norm, minibatch_stddev, spectral_norm_getter
from gan_infer.layers.regularizers import l1_regularizer, l2_regularizer

__all__ = [
    "dense",
    "maxout",
    "dropout",
    "conv2d",
    "conv2d_transpose",
    "batch_norm",
    "leaky_relu",
    "flatten",
    "minibatch_stddev",
    "spectral_norm_getter",
    "l2_regularizer",
    "l1_regularizer",
    "precision",
    "with_precision",
    "current_precision",
    "bfloat16_support",
    "PRECISIONS",
    "SlowBfloat16Warning",
]
