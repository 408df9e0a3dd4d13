"""Randomness that a checkpoint can replay.

TensorFlow 1's stateful random ops keep their position in the session's C++
kernels: no checkpoint saves it, so a resumed run would draw other noise
than the run it continues. Every random op of gan_infer (random variables,
dropout, in-graph batching) therefore draws with a *stateless* op whose seed
is folded from one per-graph tensor, the step seed, and the op's own index:

    seed(op) = fold_in(step_seed, index(op)).

The step seed is a `placeholder_with_default`. Left unfed it takes a fresh
value from a stateful op at each `session.run`, so `sess.run(x)` draws new
samples every time, as in Edward. An inference feeds it a value computed
from its seed and its iteration counter, so the noise of step t is a pure
function of (seed, t): a run restored from a checkpoint at step t continues
with exactly the draws of an uninterrupted run.
"""

import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer.util.session import require_graph_mode

__all__ = ["fresh_seed", "step_seed", "step_seed_value"]

_STEP_SEED = "_gan_infer_step_seed"
_COUNTER = "_gan_infer_seed_counter"


def _outermost(graph):
    # Inside tf.cond / tf.while_loop branches (functions in TF2's control
    # flow) the default graph is the branch's; seeds belong to the program's.
    while getattr(graph, "outer_graph", None) is not None:
        graph = graph.outer_graph
    return graph


def _inside_loop_body(graph):
    """Whether ops made now run once per iteration of a tf.while_loop
    (tf.map_fn, tf.scan, RNNs): TF2 builds loop bodies as function graphs."""
    while getattr(graph, "outer_graph", None) is not None:
        if type(graph).__name__.startswith("WhileBody"):
            return True
        graph = graph.outer_graph
    return False


def step_seed(graph=None):
    """The graph's step seed: an int32 tensor of shape [2] (see module doc)."""
    graph = _outermost(graph if graph is not None else tf.get_default_graph())
    seed = getattr(graph, _STEP_SEED, None)
    if seed is None:
        # Built at the top level of the graph even when first asked for inside
        # a cond branch, a while loop or a control-dependency block.
        with graph.as_default(), tf.init_scope(), tf.name_scope("step_seed/"):
            fresh = tf.random.uniform(
                [2], minval=np.iinfo(np.int32).min, maxval=np.iinfo(np.int32).max, dtype=tf.int32
            )
            seed = tf.placeholder_with_default(fresh, [2], name="step_seed")
        setattr(graph, _STEP_SEED, seed)
    return seed


def fresh_seed():
    """A stateless seed (int32, shape [2]) of its own for one random op.

    #### Examples

    ```python
    import tensorflow.compat.v1 as tf
    import tensorflow_probability as tfp
    from gan_infer.util.seeds import fresh_seed

    tf.disable_eager_execution()
    noise = tfp.distributions.Normal(0.0, 1.0).sample([128, 100], seed=fresh_seed())
    ```
    """
    require_graph_mode("gan_infer.util.seeds.fresh_seed()")
    if _inside_loop_body(tf.get_default_graph()):
        # Built once, run at every iteration of the loop: a folded index
        # would repeat the same noise each time. Draw a fresh seed per
        # iteration instead (not replayed by checkpoints).
        return tf.random.uniform(
            [2], minval=np.iinfo(np.int32).min, maxval=np.iinfo(np.int32).max, dtype=tf.int32
        )
    graph = _outermost(tf.get_default_graph())
    index = getattr(graph, _COUNTER, 0)
    setattr(graph, _COUNTER, index + 1)
    return tf.random.experimental.stateless_fold_in(step_seed(graph), index)


def step_seed_value(*key):
    """The step seed for `key` (non-negative ints, e.g. seed, t, sub-step).

    A SplitMix64 chain over the key, so nearby keys give unrelated streams;
    pure Python arithmetic, because it runs before every training step
    (numpy's SeedSequence costs ~20 us, this ~2 us).
    """
    state = 0
    for part in key:
        state = _splitmix64(state ^ int(part))
    return np.array([state & 0xFFFFFFFF, state >> 32], dtype=np.uint32).view(np.int32)


_MASK64 = 2**64 - 1


def _splitmix64(z):
    z = (z + 0x9E3779B97F4A7C15) & _MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK64
    return z ^ (z >> 31)
