"""Checkpoints of a training run: save, restore, resume, and Ctrl-C.

`Checkpoints` wraps TensorFlow's `tf.train.Saver` for one directory: every
global variable (parameters, optimizer slots, the iteration counter, the
seed and the in-graph data position) is saved as `ckpt-<t>`, the newest
`keep` are kept, and a run started again with the same directory resumes
from the newest one and produces exactly the losses of an uninterrupted run
(the noise of step t depends only on the seed and t: `gan_infer.util.seeds`).

`DeferredInterrupt` turns the first Ctrl-C into a flag, so that a training
loop can finish the current iteration and save a consistent checkpoint.

#### Examples

```python
import tempfile

counter = tf.Variable(0, name="counter")
checkpoints = Checkpoints(tempfile.mkdtemp(), every=10, keep=2)
checkpoints.make_saver()            # once every variable exists
sess = ed.get_session()
sess.run(tf.global_variables_initializer())
sess.run(counter.assign(7))
path = checkpoints.save(sess, t=7)
sess.run(counter.assign(0))
checkpoints.restore(sess)
assert sess.run(counter) == 7 and checkpoints.latest() == path
```
"""

import os
import signal
import threading

import tensorflow.compat.v1 as tf

from gan_infer.util.checks import check_int
from gan_infer.util.files import ensure_directory

__all__ = ["Checkpoints", "DeferredInterrupt"]


class Checkpoints:
    """Save and restore every global variable in one directory.

    Args:
      directory: str or os.PathLike. Created when missing; `~` is expanded.
      every: int. How often (in iterations) a training loop should save.
      keep: int. How many recent checkpoints to keep.
    """

    def __init__(self, directory, every, keep=3):
        self.every = check_int(every, "checkpoint_every")
        self.keep = check_int(keep, "keep_checkpoints")
        self.directory = ensure_directory(os.path.expanduser(os.fspath(directory)))
        self.saver = None
        self.saved_t = None  # iteration of the last checkpoint written or restored

    def make_saver(self):
        """Create the saver: call once every variable to save exists."""
        self.saver = tf.train.Saver(max_to_keep=self.keep, save_relative_paths=True)
        # A new Saver knows no earlier checkpoints: without this, those of a
        # previous process would never be deleted.
        state = tf.train.get_checkpoint_state(self.directory)
        if state is not None:
            self.saver.recover_last_checkpoints(list(state.all_model_checkpoint_paths))

    def latest(self):
        """Path prefix of the newest checkpoint in the directory, or None."""
        return tf.train.latest_checkpoint(self.directory)

    def save(self, session, t):
        """Save every variable as `ckpt-<t>`; returns the path prefix.

        TensorFlow writes the files under a temporary name and records the
        new checkpoint in the directory's index only once they are complete,
        so a crash while saving leaves the previous checkpoint the latest.
        """
        path = self.saver.save(
            session, os.path.join(self.directory, "ckpt"), global_step=t, write_meta_graph=False
        )
        self.saved_t = t
        return path

    def restore(self, session, path=None):
        """Restore `path` (default: the newest checkpoint); returns the path."""
        path = path or self.latest()
        if path is None:
            raise FileNotFoundError(f"No checkpoint in {self.directory}.")
        try:
            self.saver.restore(session, path)
        except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError) as error:
            raise ValueError(
                f"The checkpoint {path} does not match this model ({error.message.splitlines()[0]}"
                "). Resume with the program that wrote it, or use a new checkpoint_dir."
            ) from None
        return path


class DeferredInterrupt:
    """Turns the first Ctrl-C into a flag, so the loop can finish the current
    iteration (all its session steps) and save a consistent checkpoint; a
    second Ctrl-C interrupts at once. Off the main thread, does nothing.

    #### Examples

    ```python
    with DeferredInterrupt() as interrupt:
        for _ in range(3):
            pass                      # one iteration, never cut in half
            if interrupt.requested:
                break                 # save, then raise KeyboardInterrupt
    ```
    """

    def __init__(self):
        self.requested = False
        self._installed = False
        self._previous = None

    def _handle(self, signum, frame):
        del frame
        if self.requested:
            signal.default_int_handler(signum, None)
        self.requested = True

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        return self

    def __exit__(self, *exc_info):
        if self._installed:
            # None: the previous handler was not installed from Python.
            signal.signal(
                signal.SIGINT,
                self._previous if self._previous is not None else signal.default_int_handler,
            )
        return False
