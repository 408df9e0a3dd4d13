"""Sessions, seeds and the graph-mode guard shared by the whole package."""

import random

import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer.util.checks import check_int

__all__ = ["GraphModeError", "require_graph_mode", "get_session", "set_seed"]


class GraphModeError(RuntimeError):
    """Raised when gan_infer is used while TensorFlow 2's eager mode is on."""


def require_graph_mode(what):
    """Raise `GraphModeError` naming `what` if eager execution is on.

    gan_infer builds TF1-style graphs (variable scopes, sessions, optimizers
    applied by `session.run`), which eager execution does not have. TensorFlow 2
    starts in eager mode, so this is the first mistake every Edward user makes;
    the message gives the one line that fixes it.
    """
    if tf.executing_eagerly():
        raise GraphModeError(
            f"{what} needs TensorFlow graph mode, but eager execution is on. "
            "Add `tf.compat.v1.disable_eager_execution()` right after importing "
            "TensorFlow, before building any part of the model."
        )


# One session per graph, kept on the graph itself: returning to a graph gives
# back its session (and so its variable values), and a graph that is dropped
# takes its session with it (a dict keyed by graph would keep both alive).
_SESSION_ATTRIBUTE = "_gan_infer_session"
# The `as_default()` context of the session made default by get_session().
_default_context = None
_default_session = None


def get_session():
    """Get the session of the current default graph, creating it if needed.

    - Inside a user's `with sess.as_default():` block for the current graph,
      that session is returned (as Edward did), so tests and programs that
      manage their own session keep control of it.
    - Otherwise the graph's own gan_infer session is returned, created on
      first use and made the default session, so `op.run()` and
      `tensor.eval()` work without a `with` block, as in Edward. Inside
      `with tf.Graph().as_default():` the new graph gets its own session;
      back in the first graph, its session (and its variables) come back.

    #### Examples

    ```python
    sess = ed.get_session()
    tf.global_variables_initializer().run()
    samples = sess.run(x)
    ```
    """
    require_graph_mode("gan_infer.get_session()")
    global _default_context, _default_session
    graph = tf.get_default_graph()
    current = tf.get_default_session()
    if current is not None and current.graph is graph and not current._closed:
        return current
    sess = getattr(graph, _SESSION_ATTRIBUTE, None)
    if sess is None or sess._closed:
        sess = tf.Session(graph=graph)
        setattr(graph, _SESSION_ATTRIBUTE, sess)
    # Like tf.InteractiveSession, stay the default without a `with` block.
    # Only replace our own previous default, and only push onto an empty
    # stack or over our own session: pushing over a user's `with
    # sess.as_default():` block would break its nesting when it exits.
    if current is None or current is _default_session:
        if _default_context is not None and current is _default_session:
            _default_context.__exit__(None, None, None)
        _default_context = sess.as_default()
        _default_context.__enter__()
        _default_session = sess
    return sess


def set_seed(seed):
    """Seed Python, numpy and TensorFlow's graph-level randomness.

    Call it once at the top of a script, after `disable_eager_execution()` and
    before building the model: TensorFlow derives each random op's seed from
    the graph-level seed and the op's position in the graph, so two runs of
    the same script then draw the same numbers and report the same losses.

    Args:
      seed: int. A non-negative integer below 2**31.
    """
    check_int(seed, "seed", minimum=None, what="an integer", error=TypeError)
    seed = check_int(seed, "seed", minimum=0, maximum=2**31 - 1, what="in [0, 2**31)")
    random.seed(seed)
    np.random.seed(seed)
    tf.set_random_seed(seed)
