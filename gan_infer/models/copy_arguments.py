"""Checking `copy`'s arguments, and turning each swap into the tensor the copy reads.

`copy(org_instance, dict_swap, scope)` (`gan_infer.models.graph_copy`)
accepts a node of a graph-mode graph, a valid name scope, and swaps whose
keys are nodes of that graph (random variables, tensors, variables) and
whose values are nodes of the same graph, or numbers and arrays, of the
key's dtype and a compatible shape. Each check names the problem and the
fix.

#### Examples

```python
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_eager_execution()
z = tf.zeros([2, 3])
((key, key_tensors, value, tensor),) = check_swaps({z: np.ones((2, 3))}, z.graph)
assert tensor.shape == [2, 3] and check_scope("copied/") == "copied"
```
"""

import re

import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer.models.random_variable import RandomVariable

__all__ = [
    "Variable",
    "GRAPH_TYPES",
    "SWAP_KEY_TYPES",
    "graph_of",
    "check_scope",
    "check_swaps",
    "swapped_tensors",
]

# The base class of every variable: tf.compat.v1.Variable misses resource ones.
Variable = tf.compat.v2.Variable

# TensorFlow's rule for name scopes (tf.Graph.name_scope).
VALID_SCOPE = re.compile(r"^[A-Za-z0-9.][A-Za-z0-9_.\-/]*$")

GRAPH_TYPES = (RandomVariable, tf.Tensor, tf.Operation, Variable)
SWAP_KEY_TYPES = (RandomVariable, tf.Tensor, Variable)


def graph_of(org_instance):
    if not isinstance(org_instance, GRAPH_TYPES):
        raise TypeError(
            "copy() re-creates a node of a TensorFlow graph: org_instance must be a "
            "RandomVariable, tf.Tensor, tf.Operation or Variable, got "
            f"{type(org_instance).__name__} ({org_instance!r:.80}). Build it as a tensor "
            "first, e.g. tf.constant(value), and copy that."
        )
    graph = org_instance.graph
    if not isinstance(graph, tf.Graph) or getattr(graph, "outer_graph", None) is not None:
        raise ValueError(
            f"copy() needs a node of a graph built in graph mode, got {org_instance!r:.80} "
            "of a function graph. Copy the node outside tf.function / control flow bodies."
        )
    return graph


def check_scope(scope):
    if not isinstance(scope, str) or not VALID_SCOPE.match(scope.rstrip("/") or "/"):
        raise ValueError(
            f"scope must be a valid TensorFlow name scope (letters, digits, '_', '.', '-', "
            f"'/'; not starting with '_', '-' or '/'), got {scope!r}. Pass e.g. "
            "scope='copied'."
        )
    return scope.rstrip("/")


def check_swaps(dict_swap, graph):
    """dict_swap as a list of (key, key tensors, value object, value tensor)."""
    if dict_swap is None:
        return []
    if not isinstance(dict_swap, dict):
        raise TypeError(
            f"dict_swap must be a dict {{node of the model: its replacement}}, got "
            f"{type(dict_swap).__name__}. Pass e.g. dict_swap={{z: qz}}."
        )
    return [check_swap(key, value, graph) for key, value in dict_swap.items()]


def check_swap(key, value, graph):
    if not isinstance(key, SWAP_KEY_TYPES):
        raise TypeError(
            f"dict_swap keys must be RandomVariable, tf.Tensor or tf.Variable (the nodes "
            f"of the model to replace), got a key of type {type(key).__name__} "
            f"({key!r:.60}). Use the random variable or tensor itself as the key."
        )
    if key.graph is not graph:
        raise ValueError(
            f"dict_swap key {key.name} belongs to another graph than the node to copy. "
            "Build the model and its replacements in one graph."
        )
    key_tensors = swapped_tensors(key)
    value_tensor = swap_value_tensor(key, value, graph)
    return key, key_tensors, value, value_tensor


def swapped_tensors(key):
    """The tensors of the graph that stand for `key`: where the copy reads `value`."""
    if isinstance(key, RandomVariable):
        return [key.value]
    if isinstance(key, Variable):
        # A resource variable is read by one ReadVariableOp per use; a
        # reference variable is read through its own output tensor.
        handle = key.handle if key.op.type == "VarHandleOp" else None
        if handle is None:
            return [key.op.outputs[0]]
        return [op.outputs[0] for op in handle.consumers() if op.type == "ReadVariableOp"]
    return [key]


def swap_value_tensor(key, value, graph):
    key_dtype = key.dtype.base_dtype
    if isinstance(value, (RandomVariable, tf.Tensor, Variable)):
        if value.graph is not graph:
            raise ValueError(
                f"dict_swap value for {key.name} belongs to another graph than the node to "
                "copy. Build the model and its replacements in one graph."
            )
        if value.dtype.base_dtype != key_dtype:
            raise TypeError(
                f"dict_swap cannot swap {key.name} ({key_dtype.name}) for {value.name} "
                f"({value.dtype.base_dtype.name}): the dtypes differ. Cast the value, e.g. "
                f"tf.cast(value, tf.{key_dtype.name})."
            )
        tensor = tf.convert_to_tensor(value) if isinstance(value, Variable) else value
        tensor = tensor.value if isinstance(tensor, RandomVariable) else tensor
    else:
        tensor = constant_for(key, value, graph)
    if not key.shape.is_compatible_with(tensor.shape):
        raise ValueError(
            f"dict_swap cannot swap {key.name} (shape {key.shape}) for a value of shape "
            f"{tensor.shape}: the shapes differ. Swap in a value of the key's shape (reshape "
            "it, or draw it with the same sample_shape)."
        )
    return tensor


def constant_for(key, value, graph):
    key_dtype = key.dtype.base_dtype
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 -- any failure means "not array-like"
        array = None
    allowed_kinds = "biuf" if key_dtype.is_floating else ("biu" if key_dtype.is_integer else "b")
    if array is None or array.dtype.kind not in allowed_kinds:
        raise TypeError(
            f"dict_swap value for {key.name} must be a RandomVariable, tf.Tensor, "
            f"tf.Variable, or a number / numpy array convertible to {key_dtype.name}, got "
            f"{type(value).__name__} ({value!r:.60})."
        )
    with graph.as_default():
        return tf.constant(array.astype(key_dtype.as_numpy_dtype), name="swapped_value")
