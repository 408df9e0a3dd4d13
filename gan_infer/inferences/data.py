"""Binding observations to a model: `data={x: x_ph}` made into graph tensors.

An inference's `data` dict maps each observed model tensor (or random
variable) to what was observed:

- a `tf.Tensor`, typically a placeholder fed at each `update`;
- a numpy array (or number) with the model tensor's shape: the batch itself,
  stored in the graph once, in a non-trainable variable, as Edward did;
- a numpy array with another number of rows (or a `Minibatches`): served in
  mini-batches by the graph (`gan_infer.inferences.minibatches`), so an
  update feeds nothing from Python.

One rule holds for uint8 arrays bound to a floating-point model, however
many rows they have: they are pixels 0..255, scaled by 1/255 (as
`Minibatches` and `gan_infer.datasets.batches` scale them). Observations
are checked where they enter (`check_observations`): NaN or Inf, or values
outside what the model can produce (a model ending in a sigmoid makes
values in [0, 1]), are refused with the fix; fed batches are checked on the
first update and on print steps.

`bind_data(data)` checks every entry (dtype, shape, graph) and returns a
`BoundData`: the tensor that stands for each entry's observations, and the
mini-batch stream that every training step must advance.

#### Examples

```python
x_ph = tf.placeholder(tf.float32, [4, 2])
with tf.variable_scope("Gen"):
    x = tf.get_variable("loc", [2]) + tf.zeros([4, 2])
bound = bind_data({x: x_ph})
assert bound.tensors[x] is x_ph and bound.stream is None
```
"""

import numbers

import numpy as np
import tensorflow as tf2
import tensorflow.compat.v1 as tf

from gan_infer.inferences.minibatches import Minibatches, MinibatchStream
from gan_infer.models.random_variable import RandomVariable
from gan_infer.util.session import get_session

__all__ = [
    "BoundData",
    "bind_data",
    "check_binding",
    "check_observations",
    "model_range",
    "model_tensor",
    "store_in_graph",
]

# Ops whose outputs lie in a known interval: data bound to a model that ends
# in one must lie there too (0..255 pixels for a sigmoid, say, cannot).
_BOUNDED_OPS = {"Sigmoid": (0.0, 1.0), "Tanh": (-1.0, 1.0)}
_PASS_THROUGH = {"Identity", "Reshape", "Squeeze", "ExpandDims"}


class BoundData:
    """The result of `bind_data`.

    Attributes:
      tensors: dict. The user's keys, in the user's order (the order the
        discriminator takes its arguments), each mapped to the tensor that
        holds its observations.
      stream: `MinibatchStream` or None. The in-graph mini-batch order and
        position, when some entries are served in mini-batches.
    """

    def __init__(self, tensors, stream):
        self.tensors = tensors
        self.stream = stream

    def consumes_batch(self, train_op):
        """`train_op` followed by moving the in-graph data to the next batch
        (`train_op` itself when no data are mini-batched in the graph)."""
        if self.stream is None:
            return train_op
        return tf.group(train_op, self.stream.advance)


def bind_data(data):
    """Check `data` and return a `BoundData` (see the module docstring)."""
    if data is None:
        return BoundData({}, None)
    if not isinstance(data, dict):
        raise TypeError(
            f"data must be a dict that binds the model's output to observations, e.g. "
            f"data={{x: x_ph}}; got {type(data).__name__}."
        )
    adapted, minibatched = {}, {}
    for key, value in data.items():
        tensor = model_tensor(key)
        entry = _as_minibatches(tensor, value)
        if entry is not None:
            minibatched[key] = (tensor, entry)
        else:
            adapted[key] = _observed_tensor(tensor, value)
    stream = None
    if minibatched:
        stream, batch_of = _bind_minibatches(list(minibatched.values()))
        adapted.update({key: batch_of[id(entry)] for key, (_, entry) in minibatched.items()})
    return BoundData({key: adapted[key] for key in data}, stream)


def model_tensor(key):
    """The tensor of a data key (a tensor, or a random variable's sample)."""
    if isinstance(key, RandomVariable):
        return key.value
    if isinstance(key, tf.Tensor):
        return key
    raise TypeError(
        "data keys must be model outputs (tf.Tensor or gan_infer.models.RandomVariable), "
        f"got {type(key).__name__}; the model's output is the key: data={{x: x_ph}}."
    )


def model_range(tensor):
    """(low, high, op type) of the values `tensor` can take when it is the
    output of a sigmoid or tanh (looking through reshapes), else None."""
    op = tensor.op
    while op.type in _PASS_THROUGH and op.inputs:
        op = op.inputs[0].op
    if op.type in _BOUNDED_OPS:
        return (*_BOUNDED_OPS[op.type], op.type.lower())
    return None


def check_observations(array, tensor, data_name):
    """Raise ValueError if the observations `array`, bound or fed for the
    model tensor `tensor`, hold NaN or Inf, or values the model cannot
    produce (outside [0, 1] for a model ending in a sigmoid, [-1, 1] for a
    tanh). `data_name` names the array in the message."""
    array = np.asarray(array)
    if array.dtype.kind not in "biuf" or array.size == 0:
        return
    finite = np.isfinite(array)
    if not finite.all():
        where = np.unravel_index(np.argmin(finite), array.shape)
        raise ValueError(
            f"{data_name} holds {int(array.size - finite.sum())} NaN or Inf value(s) (the first "
            f"at index {tuple(int(i) for i in where)}): one bad value makes every weight NaN "
            "within a few updates. Remove or impute them, e.g. x[~np.isfinite(x)] = 0."
        )
    bounds = model_range(tensor)
    low, high = float(array.min()), float(array.max())
    if bounds is not None and (low < bounds[0] - 1e-6 or high > bounds[1] + 1e-6):
        raise ValueError(
            f"{data_name} holds values in [{low:g}, {high:g}], but the model's {tensor.name} "
            f"ends in a {bounds[2]}, whose values lie in [{bounds[0]:g}, {bounds[1]:g}]: scale "
            f"the data to that range (e.g. pixels / 255.0; uint8 pixels are scaled for you)."
        )


def store_in_graph(dtype, array):
    """A variable holding `array` (read it whole with `.value()`; gather
    rows from the variable itself, which copies only those rows)."""
    # A variable fed once through a placeholder, rather than a constant:
    # large arrays would otherwise be copied into the GraphDef (2 GB cap).
    # collections=[] keeps it out of global_variables_initializer(), so a
    # user's own initializer call cannot wipe the data.
    placeholder = tf.placeholder(dtype, array.shape)
    variable = tf.Variable(placeholder, trainable=False, collections=[], name="data")
    get_session().run(variable.initializer, {placeholder: array})
    return variable


def _as_minibatches(tensor, value):
    """A `Minibatches` for `value`, or None when it is bound as it is.

    A numpy array with as many rows as the model's batch is the batch
    itself (Edward's semantics); one with another number of rows, and the
    same shape otherwise, is served in mini-batches.
    """
    if isinstance(value, Minibatches):
        return value
    if not isinstance(value, np.ndarray) or value.ndim < 1 or tensor.shape.rank is None:
        return None
    model_shape = tensor.shape.as_list()
    if (
        len(model_shape) == value.ndim
        and model_shape[0] not in (None, value.shape[0])
        and tf.TensorShape(model_shape[1:]).is_compatible_with(value.shape[1:])
    ):
        return Minibatches(value, binarize=False, shuffle=True)
    return None


def _bind_minibatches(entries):
    """(stream, batch tensors by id of the entry), sharing one row order."""
    n_rows = {entry.array.shape[0] for _, entry in entries}
    batch_sizes = {
        tensor.shape.as_list()[0] if tensor.shape.rank else None for tensor, _ in entries
    }
    if len(n_rows) > 1:
        raise ValueError(
            f"The mini-batched data entries have different numbers of rows {sorted(n_rows)}; "
            "entries served together (e.g. images and their labels) must pair row by row."
        )
    if None in batch_sizes or len(batch_sizes) > 1:
        raise ValueError(
            "Mini-batched data need model tensors with one static batch size (the leading "
            "dimension) to know how many rows to serve; give the model's samples a fixed "
            f"batch dimension, e.g. tf.zeros([M, d]) (got {sorted(map(str, batch_sizes))})."
        )
    shuffle = {entry.shuffle for _, entry in entries}
    if len(shuffle) > 1:
        raise ValueError(
            "Mini-batched data entries share one order of the rows: give them "
            "all the same shuffle= setting."
        )
    stream = MinibatchStream(n_rows.pop(), batch_sizes.pop(), shuffle.pop())
    batches = {}
    for tensor, entry in entries:
        # Checked like a bound array, against the shape of one batch.
        _check_shapes(
            tensor,
            tf.TensorShape([tensor.shape[0]]).concatenate(entry.array.shape[1:]),
            f"rows of the array of shape {entry.array.shape}",
        )
        if entry.array.dtype != np.uint8:  # uint8 pixels are scaled into [0, 1]
            check_observations(entry.array, tensor, f"The array bound to {tensor.name}")
        batch = stream.batch(
            store_in_graph(entry.stored_dtype(tensor.dtype), entry.array), entry, tensor.dtype
        )
        batch.set_shape(tensor.shape)
        batches[id(entry)] = batch
    return stream, batches


def _observed_tensor(tensor, value):
    graph = tf.get_default_graph()
    if tensor.graph is not graph:
        raise ValueError(
            f"The model tensor {tensor.name} belongs to another graph than the "
            "default graph; build the model and the inference in the same graph."
        )
    if isinstance(value, RandomVariable):
        value = value.value
    if isinstance(value, tf2.Variable):
        value = value.value()
    if isinstance(value, tf.Tensor):
        return _checked_data_tensor(tensor, value, graph)
    if isinstance(value, (np.ndarray, numbers.Number, list, tuple)):
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            raise TypeError(
                f"data for {tensor.name} must be numeric, got a numpy array of dtype {array.dtype}."
            )
        _check_shapes(tensor, array, "the numpy array")
        if array.dtype == np.uint8 and tensor.dtype.is_floating:
            # The one rule for uint8 data, as Minibatches and batches() apply
            # it: pixels 0..255, scaled to [0, 1] whatever the row count.
            array = array.astype(tensor.dtype.base_dtype.as_numpy_dtype) / 255.0
        check_observations(array, tensor, f"The array bound to {tensor.name}")
        return store_in_graph(tensor.dtype.base_dtype, array).value()
    raise TypeError(
        f"data values must be tf.Tensor (e.g. a placeholder) or numpy arrays, got "
        f"{type(value).__name__} for {tensor.name}."
    )


def _checked_data_tensor(tensor, value, graph):
    if value.graph is not graph:
        raise ValueError(
            f"The data tensor {value.name} belongs to another graph than the model "
            f"tensor {tensor.name}; create both in the same graph."
        )
    _check_shapes(tensor, value, value.name)
    return value


def _check_shapes(tensor, value, data_name):
    check_binding(
        "data",
        f"model tensor {tensor.name}",
        tensor,
        data_name,
        value,
        "the shapes must match (a batch of observations as large as the model's batch of samples).",
        f"; give them the same dtype (e.g. tf.placeholder({tensor.dtype.name}, ...))",
    )


def check_binding(argument, key_name, key_tensor, value_name, value, shape_fix, dtype_fix=""):
    """What an inference's `argument` dict binds must fit: one dtype (for a
    tensor value) and compatible shapes; the one check behind `data=` and
    `latent_vars=` of every inference.

    Args:
      argument: the argument's name, e.g. "data" or "latent_vars".
      key_name, value_name: how the message names the two sides.
      key_tensor: the model's tf.Tensor.
      value: a tf.Tensor, or a numpy array or tf.TensorShape (its shape only
        is checked).
      shape_fix: the sentence that ends the shape message.
      dtype_fix: what follows the dtype message's last dtype, before the
        full stop.

    Raises:
      TypeError: the dtypes differ. ValueError: the shapes do not fit.
    """
    dtype = getattr(value, "dtype", None)
    if isinstance(dtype, tf.DType) and dtype.base_dtype != key_tensor.dtype.base_dtype:
        raise TypeError(
            f"{argument} binds {key_name} of dtype {key_tensor.dtype.name} to {value_name} of "
            f"dtype {dtype.name}{dtype_fix}."
        )
    shape = value if isinstance(value, tf.TensorShape) else tf.TensorShape(value.shape)
    if not key_tensor.shape.is_compatible_with(shape):
        raise ValueError(
            f"{argument} binds {key_name} of shape {key_tensor.shape} to {value_name} of shape "
            f"{shape}; {shape_fix}"
        )
