"""`copy`: re-create part of a model with some of its inputs swapped.

Edward's `ed.copy`. A model is a graph: random variables, tensors computed
from them, and variables (the weights). `copy(x, {z: qz})` builds, under a
new name scope, the graph that computes `x` again, except that wherever the
original read `z` the copy reads `qz`. Inference algorithms use it to ask
"what would the model produce if its latent variables were drawn from the
variational posterior?" without rewriting the model.

What is copied and what is shared:

| node of the original graph           | in the copy                                 |
|--------------------------------------|---------------------------------------------|
| a key of `dict_swap`                 | its value (copied too if `copy_q=True`)     |
| a random variable's draw             | a new random variable of the same class,    |
|                                      | built from the copied parameters: a fresh   |
|                                      | draw                                        |
| a variable (`tf.Variable`, weights)  | shared: the copy reads the same weights     |
| a placeholder                        | shared: one feed serves both                |
| queues, readers, dataset iterators   | shared: the copy reads the same batch       |
| any other op (math, layers, random)  | re-created under `scope`; seeded random ops |
|                                      | get new seeds, so their draws are fresh     |

Copies made in the same scope of the same graph form one copied model: each
node is copied at most once, so `copy(x, swaps, scope="s")` and
`copy(y, swaps, scope="s")` share every node that `x` and `y` share.
"""

import zlib

import numpy as np
import tensorflow.compat.v1 as tf
import tensorflow_probability as tfp

from gan_infer.models.copy_arguments import (
    SWAP_KEY_TYPES,
    Variable,
    check_scope,
    check_swaps,
    graph_of,
)
from gan_infer.models.random_variable import RandomVariable, random_variables
from gan_infer.util.seeds import fresh_seed, step_seed
from gan_infer.util.session import require_graph_mode

__all__ = ["copy"]

tfd = tfp.distributions
tfb = tfp.bijectors

# Per-graph record of the scopes copied into (see _ScopeState); an attribute
# of the graph lives as long as the graph does.
_SCOPES = "_gan_infer_copy_scopes"

# Ops that hold state or feed data: re-creating one would make a second,
# uninitialised variable, an unfed placeholder or a second reader of the
# input pipeline, so the copy uses the original.
_SHARED_OP_TYPES = frozenset(
    {
        "Placeholder",
        "PlaceholderV2",
        "PlaceholderWithDefault",
        "VarHandleOp",
        "VariableV2",
        "Variable",
        "TemporaryVariable",
    }
)
_SHARED_OP_TYPE_PARTS = ("Queue", "Reader", "Iterator")


def copy(org_instance, dict_swap=None, scope="copied", replace_itself=False, copy_q=False):
    """Re-create the graph that computes `org_instance`, with `dict_swap` swapped in.

    Walks back from `org_instance` through the ops that compute it and
    re-creates each under the name scope `scope`, replacing every key of
    `dict_swap` met on the way by its value. Variables, placeholders and
    input pipelines are shared, not copied (a copy reads the same weights
    and the same feeds). Each random variable met on the way is re-created
    as a new random variable of the same class, with the same sample shape,
    whose distribution's parameters are the copied parameters: its draws
    are fresh, and if a parameter depends on a swapped key the new random
    variable follows the swap. So for a model `z -> x`,
    `copy(x, {z: qz})` is a draw of `x ~ p(x | z = qz)`.

    Copies into the same `scope` of a graph share what they have in common
    (each node is copied once per scope); the swaps of one call therefore
    must agree with those of earlier calls in that scope.

    Args:
      org_instance: RandomVariable, tf.Tensor, tf.Operation or tf.Variable.
        The node to re-create. A variable is returned as it is (shared).
      dict_swap: dict, optional. Keys: RandomVariable, tf.Tensor or
        tf.Variable of `org_instance`'s graph. Values: RandomVariable,
        tf.Tensor, tf.Variable, or a number / numpy array, of the key's
        dtype and a shape compatible with the key's. A random variable key
        stands for its draw, so `{z: qz}` makes the copy read `qz`'s draw.
      scope: str. Name scope of the copied ops (`"copied"` makes
        `"copied/mul"` of `"mul"`). Taken from the root of the graph, not
        from the name scope `copy` is called in.
      replace_itself: bool. If `org_instance` is itself a key of
        `dict_swap` (or the draw of a random variable key), return its
        value instead of copying it; otherwise copy it (its ancestors are
        swapped either way).
      copy_q: bool. Also copy the values of `dict_swap` into `scope` before
        using them (a random variable value gets a fresh draw), instead of
        using them as they are. Swaps apply inside the copied values too.

    Returns:
      The copy, of `org_instance`'s kind: a RandomVariable (of the same
      class), a tf.Tensor or a tf.Operation; a tf.Variable is returned as
      it is. With `replace_itself=True` and `org_instance` swapped: the
      value of the swap (copied if `copy_q`).

    Raises:
      GraphModeError: eager execution is on.
      TypeError: `org_instance`, a key or a value of `dict_swap` is of a
        kind that cannot be copied or swapped, or a swap changes the dtype.
      ValueError: a swap changes the shape, a key is not in
        `org_instance`'s graph, `scope` is not a valid name scope, a swap
        conflicts with an earlier copy into the same scope, or the graph has
        a cycle (a TF1 `while_loop`; TF2 control flow copies fine).

    #### Examples

    ```python
    x = tf.constant(2.0)
    y = tf.constant(3.0)
    z = x * y
    qx = tf.constant(4.0)
    z_new = ed.copy(z, {x: qx})          # copied/mul reads qx: 4 * 3
    sess = ed.get_session()
    assert sess.run([z, z_new]) == [6.0, 12.0]
    assert z_new.name == "copied/mul:0"
    ```

    A model whose likelihood reads a latent variable, re-drawn under the
    variational posterior; the weights `w` are shared, not duplicated:

    ```python
    z = ed.models.Normal(loc=tf.zeros(3), scale=1.0)
    w = tf.Variable(2.0)
    x = ed.models.Normal(loc=w * z, scale=0.01)
    qz = ed.models.Normal(loc=tf.Variable(tf.fill([3], 5.0)), scale=0.01)
    n_variables = len(tf.global_variables())
    x_q = ed.copy(x, {z: qz})            # a Normal random variable
    assert len(tf.global_variables()) == n_variables   # w is shared, not copied
    sess = ed.get_session()
    sess.run(tf.global_variables_initializer())
    np.testing.assert_allclose(sess.run(x_q), 10.0, atol=0.2)
    ```
    """
    require_graph_mode("gan_infer.copy()")
    graph = graph_of(org_instance)
    scope = check_scope(scope)
    state = _scope_state(graph, scope)
    with graph.as_default():
        swaps = check_swaps(dict_swap, graph)
        copier = _Copier(graph, scope, state, copy_q)
        copier.add_swaps(swaps)
        return copier.copy_root(org_instance, replace_itself)


# --- the copy itself -----------------------------------------------------------


class _ScopeState:
    """What has been copied into one scope of one graph, kept between calls.

    `swaps` and `tensors` map original tensor names to the tensor the copy
    reads; `operations` maps op names to copied ops; `random_variables` maps
    the name of an original draw to its re-created random variable;
    `swap_objects` keeps the value each swap was given as (to return a
    RandomVariable where one was swapped in); `variable_swaps` maps the
    name of a swapped variable to its value (for distribution parameters
    that are variables).
    """

    def __init__(self):
        self.swaps = {}
        self.swap_objects = {}
        self.variable_swaps = {}
        self.tensors = {}
        self.operations = {}
        self.random_variables = {}


def _scope_state(graph, scope):
    scopes = getattr(graph, _SCOPES, None)
    if scopes is None:
        scopes = {}
        setattr(graph, _SCOPES, scopes)
    return scopes.setdefault(scope, _ScopeState())


def _same_numbers(earlier, value):
    # A number or array swapped in again (each call makes a new constant of
    # it) is the same swap, not a conflicting one.
    graph_types = SWAP_KEY_TYPES
    if earlier is None or isinstance(earlier, graph_types) or isinstance(value, graph_types):
        return False
    earlier, value = np.asarray(earlier), np.asarray(value)
    return earlier.shape == value.shape and bool(np.all(earlier == value))


def _is_shared(op):
    return op.type in _SHARED_OP_TYPES or any(part in op.type for part in _SHARED_OP_TYPE_PARTS)


class _Copier:
    """One call of `copy`: resolves tensors of the original graph to their copies."""

    def __init__(self, graph, scope, state, copy_q):
        self.graph = graph
        self.scope = scope
        self.state = state
        self.copy_q = copy_q
        self.draws = {rv.value.name: rv for rv in random_variables(graph)}
        self.resolving = set()  # swap values and random variables being copied now

    # -- swaps --

    def add_swaps(self, swaps):
        # Check every swap before recording any, so that a rejected call
        # leaves the scope as it was.
        new = [
            (key, tensor, value, value_tensor)
            for key, key_tensors, value, value_tensor in swaps
            for tensor in key_tensors
            if self._is_new_swap(key, tensor, value, value_tensor)
        ]
        for _key, tensor, value, value_tensor in new:
            self.state.swaps[tensor.name] = value_tensor
            self.state.swap_objects[tensor.name] = value
        for key, _, _, value_tensor in swaps:
            if isinstance(key, Variable):
                self.state.variable_swaps[key.name] = value_tensor

    def _is_new_swap(self, key, tensor, value, value_tensor):
        """False if this scope already has the swap; raises if it conflicts."""
        state = self.state
        earlier = state.swaps.get(tensor.name)
        if earlier is value_tensor or _same_numbers(state.swap_objects.get(tensor.name), value):
            return False
        if earlier is not None or tensor.name in state.tensors:
            was = f"swapped for {earlier.name}" if earlier is not None else "copied without a swap"
            raise ValueError(
                f"copy(scope={self.scope!r}): {key.name} was already {was} by an earlier copy "
                "into this scope, and copies in one scope share their nodes. Use another "
                "scope for a copy with other swaps, e.g. scope='copied_2'."
            )
        return True

    def _swap_value(self, name):
        value = self.state.swaps[name]
        if not self.copy_q:
            return value
        if name in self.resolving:
            raise ValueError(
                f"copy(copy_q=True): the value swapped for {name} depends on {name} itself, "
                "so copying it would never end. Use copy_q=False for this swap."
            )
        self.resolving.add(name)
        try:
            return self.tensor(value)
        finally:
            self.resolving.discard(name)

    # -- the root --

    def copy_root(self, org_instance, replace_itself):
        if isinstance(org_instance, Variable):
            swapped = self.state.variable_swaps.get(org_instance.name)
            return swapped if (replace_itself and swapped is not None) else org_instance
        if isinstance(org_instance, tf.Operation):
            return self.operation(org_instance)
        tensor = org_instance.value if isinstance(org_instance, RandomVariable) else org_instance
        if replace_itself and tensor.name in self.state.swaps:
            return self._replacement(tensor.name)
        rv = self.draws.get(tensor.name)
        if rv is not None:
            new_rv = self.random_variable(rv)
            return new_rv if isinstance(org_instance, RandomVariable) else new_rv.value
        # Not replacing itself: copy the node even if it is a key (its
        # ancestors are still swapped).
        return self.tensor(tensor, use_swap=False)

    def _replacement(self, name):
        value = self.state.swap_objects[name]
        if self.copy_q:
            copied = self._swap_value(name)
            rv = self.state.random_variables.get(self.state.swaps[name].name)
            return rv if isinstance(value, RandomVariable) and rv is not None else copied
        return value

    # -- tensors and ops --

    def tensor(self, tensor, use_swap=True, use_draw=True):
        """The copy of `tensor`: its swap, an earlier copy, or a new copy."""
        resolved = self._resolve(tensor, use_swap, use_draw)
        return resolved if resolved is not None else self._copy_computed(tensor)

    def _resolve(self, tensor, use_swap=True, use_draw=True):
        """The copy of `tensor` if no op has to be copied for it, else None.

        `use_swap=False` ignores a swap of `tensor` itself (a root copied
        with replace_itself=False); `use_draw=False` treats the fixed value
        of a random variable as the plain tensor it is (data, a feed).
        """
        name = tensor.name
        if use_swap and name in self.state.swaps:
            return self._swap_value(name)
        if name in self.state.tensors:
            return self.state.tensors[name]
        if use_draw and name in self.draws:
            return self.random_variable(self.draws[name]).value
        op = tensor.op
        if op.type == "PlaceholderWithDefault" and tensor is step_seed(self.graph):
            return self._scope_seed()
        if _is_shared(op):
            return tensor
        return None

    def _copy_computed(self, tensor):
        """Copy the op computing `tensor` (and what it needs) and return its output."""
        self.operation(tensor.op)
        return self.state.tensors[tensor.name]

    def operation(self, root):
        """Copy `root` and every op it needs that has no copy yet (iterative DFS)."""
        if _is_shared(root):
            return root
        done = self.state.operations
        stack, expanded = [root], set()
        while stack:
            op = stack[-1]
            if op.name in done:
                stack.pop()
                continue
            needed = [t.op for t in op.inputs if self._resolve(t) is None]
            needed += [c for c in op.control_inputs if not _is_shared(c)]
            needed = [other for other in needed if other.name not in done]
            if needed and op.name not in expanded:
                expanded.add(op.name)
                stack.extend(needed)
                continue
            if needed:
                raise ValueError(
                    f"copy() cannot copy {op.name}: it lies on a cycle of the graph (a TF1 "
                    "tf.while_loop). Build loops with TF2 control flow "
                    "(tf.compat.v1.enable_control_flow_v2()), which copies as one op."
                )
            stack.pop()
            self._create(op)
        return done[root.name]

    def _create(self, op):
        inputs = [self.tensor(t) for t in op.inputs]
        control_inputs = [self.operation(c) for c in op.control_inputs]
        attrs = _reseeded(dict(op.node_def.attr), f"{self.scope}/{op.name}")
        with self.graph.name_scope(self.scope + "/"), tf.control_dependencies(control_inputs):
            new_op = self.graph.create_op(
                op.type,
                inputs,
                dtypes=[t.dtype for t in op.outputs],
                name=op.name,
                attrs=attrs,
                op_def=op.op_def,
            )
        self.state.operations[op.name] = new_op
        for original, copied in zip(op.outputs, new_op.outputs):
            try:  # keep static shape known from set_shape calls on the original
                copied.set_shape(original.shape)
            except ValueError:
                pass
            self.state.tensors[original.name] = copied

    def _scope_seed(self):
        """A step seed of the scope's own, so stateless draws in the copy are fresh.

        Every stateless random op of gan_infer folds its index into the step
        seed; re-using the step seed would make the copy repeat the
        original's draws. Folding a fresh index in once per scope keeps the
        copy's draws replayable (a function of the step seed) but new.
        """
        original = step_seed(self.graph)
        if original.name not in self.state.tensors:
            with self.graph.name_scope(self.scope + "/"):
                self.state.tensors[original.name] = fresh_seed()
        return self.state.tensors[original.name]

    # -- random variables --

    def random_variable(self, rv):
        """A new random variable like `rv`, from the copied parameters (memoised)."""
        name = rv.value.name
        state = self.state
        if name in state.random_variables:
            return state.random_variables[name]
        if name in self.resolving:
            raise ValueError(
                f"copy() cannot re-create random variable {name}: its parameters depend "
                "on its own draw."
            )
        self.resolving.add(name)
        try:
            distribution = self._distribution(rv.distribution)
            value = self.tensor(rv.value, use_draw=False) if rv.has_fixed_value else None
            with self.graph.name_scope(self.scope + "/"):
                new_rv = object.__new__(type(rv))
                RandomVariable.__init__(
                    new_rv, distribution, sample_shape=rv.sample_shape, value=value
                )
        finally:
            self.resolving.discard(name)
        state.random_variables[name] = new_rv
        state.tensors[name] = new_rv.value
        return new_rv

    def _distribution(self, distribution):
        parameters = {key: self._argument(value) for key, value in distribution.parameters.items()}
        with self.graph.name_scope(self.scope + "/"):
            return type(distribution)(**parameters)

    def _argument(self, value):
        """A constructor argument of a distribution or bijector, copied."""
        if isinstance(value, RandomVariable):
            return self.tensor(value.value)
        if isinstance(value, Variable):
            return self.state.variable_swaps.get(value.name, value)
        if isinstance(value, tf.Tensor):
            return self.tensor(value)
        if isinstance(value, tfd.Distribution):
            return self._distribution(value)
        if isinstance(value, tfb.Bijector):
            parameters = {key: self._argument(item) for key, item in value.parameters.items()}
            return type(value)(**parameters)
        if isinstance(value, (list, tuple)):
            return type(value)(self._argument(item) for item in value)
        if isinstance(value, dict):
            return {key: self._argument(item) for key, item in value.items()}
        return value


def _reseeded(attrs, new_name):
    """Op attributes with a new op-level seed if the op was seeded.

    A copied stateful random op with the original's (graph seed, op seed)
    would replay the original's numbers; an unseeded op (both 0) already
    draws afresh. The new seed is a function of the copy's name, so a
    seeded program stays reproducible.
    """
    if "seed2" not in attrs or not (attrs["seed"].i or attrs["seed2"].i):
        return attrs
    seed2 = zlib.crc32(f"{new_name}:{attrs['seed2'].i}".encode()) & 0x7FFFFFFF
    attrs["seed2"] = type(attrs["seed2"])(i=seed2 or 1)
    return attrs
