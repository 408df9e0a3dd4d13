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

import contextlib
import errno
import glob
import os
import re
import shutil
import signal
import sys
import threading

import tensorflow.compat.v1 as tf

from gan_infer.util.checks import check_int
from gan_infer.util.files import DirectoryLock, ensure_directory

__all__ = [
    "Checkpoints",
    "DeferredInterrupt",
    "checkpoint_damage",
    "checkpoint_mismatch",
    "newest_intact_checkpoint",
    "stored_checkpoints",
]


class Checkpoints:
    """Save and restore every global variable in one directory, surviving
    damage to it.

    - Each checkpoint `ckpt-<t>` is read back after it is written, and only
      then recorded in the directory's index (`checkpoint`) and allowed to
      retire older ones: nothing older is deleted until a newer checkpoint
      has been written and read back.
    - The files, not the index, say what there is: resuming takes the
      newest `ckpt-<t>` that reads back whole, names every newer one it
      skips and why (truncated, bit-flipped: TensorFlow checks each
      tensor's checksum), and rewrites the index; a deleted index is
      rebuilt, never taken for "no checkpoint".
    - A lock file (`util.files.DirectoryLock`) keeps a second process out of
      the directory from `make_saver()` until `release()`.

    Args:
      directory: str or os.PathLike. Created when missing; `~` is expanded.
      every: int. How often (in iterations) a training loop should save.
      keep: int. How many recent checkpoints to keep.
    """

    def __init__(self, directory, every, keep=3):
        self.every = check_int(every, "checkpoint_every")
        self.keep = check_int(keep, "keep_checkpoints")
        self.directory = ensure_directory(os.path.expanduser(os.fspath(directory)))
        self.lock = DirectoryLock(self.directory)
        self.saver = None
        self.variables = None  # {name in a checkpoint: variable}, what the saver saves
        self.saved_t = None  # iteration of the last checkpoint written or restored

    def make_saver(self):
        """Take the directory's lock and create the saver: call once every
        variable to save exists."""
        self.lock.acquire()
        # The files of a save killed half-way (TensorFlow writes into
        # "<prefix>_temp" first): never a checkpoint, safe to clear now that
        # no other process writes here.
        for name in os.listdir(self.directory):
            if re.fullmatch(r"ckpt-\d+_temp.*", name):
                shutil.rmtree(os.path.join(self.directory, name), ignore_errors=True)
        # Rotation is ours (see save), so the saver deletes nothing itself.
        self.saver = tf.train.Saver(max_to_keep=None, save_relative_paths=True)
        self.variables = {v.op.name: v for v in tf.global_variables()}

    def release(self):
        """Give up the directory's lock (another process may then train there)."""
        self.lock.release()

    def stored(self):
        """Path prefixes of the checkpoints on disk, newest first."""
        return stored_checkpoints(self.directory)

    def latest(self):
        """Path prefix of the newest intact checkpoint in the directory, or None."""
        return newest_intact_checkpoint(self.directory)

    def _write_index(self, latest):
        """Record `latest` and the intact checkpoints before it in the index."""
        t_latest = _iteration(latest)
        kept = [p for p in reversed(self.stored()) if _iteration(p) <= t_latest]
        tf.train.update_checkpoint_state(
            self.directory,
            os.path.basename(latest),
            all_model_checkpoint_paths=[os.path.basename(p) for p in kept],
        )

    def save(self, session, t):
        """Save every variable as `ckpt-<t>`, read it back, record it in the
        index, then delete the checkpoints beyond the newest `keep`; returns
        the path prefix.

        Raises:
          OSError: the new checkpoint does not read back (a full or failing
            disk); the older ones are kept.
        """
        self.lock.acquire()  # again, after a release() by finalize()
        try:
            path = self.saver.save(
                session,
                os.path.join(self.directory, "ckpt"),
                global_step=t,
                write_meta_graph=False,
                write_state=False,
            )
        except tf.errors.ResourceExhaustedError as error:
            # A full disk: TensorFlow reports ENOSPC as ResourceExhaustedError,
            # with a hint about memory that would send the user the wrong way.
            full = [line for line in error.message.splitlines() if "No space left" in line]
            if not full:
                raise
            self._clear_failed_save(t)
            kept = self.latest()
            raise OSError(
                errno.ENOSPC,
                f"No space left on the device of {self.directory} while saving the checkpoint "
                f"ckpt-{t} ({full[0].strip()}). "
                + (f"The last good checkpoint, {kept}, is kept. " if kept else "")
                + "Free some space there (or move the run to a larger disk) and resume.",
            ) from None
        reason = checkpoint_damage(path)
        if reason is not None:
            raise OSError(
                f"The checkpoint {path} just written does not read back ({reason}); the older "
                "checkpoints are kept. Check the disk (free space, errors) and resume."
            )
        older = [p for p in self.stored() if _iteration(p) < t]
        for stale in older[self.keep - 1 :]:
            _delete_checkpoint(stale)
        self._write_index(path)
        self.saved_t = t
        return path

    def _clear_failed_save(self, t):
        """Delete what a failed save of `ckpt-<t>` left (its temporary files,
        a partial index): on a full disk that space is needed back."""
        for name in os.listdir(self.directory):
            if re.fullmatch(rf"ckpt-{t}(_temp.*|\..*tempstate.*)", name):
                target = os.path.join(self.directory, name)
                if os.path.isdir(target):
                    shutil.rmtree(target, ignore_errors=True)
                else:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(target)
        path = os.path.join(self.directory, f"ckpt-{t}")
        if os.path.exists(path + ".index") and checkpoint_damage(path) is not None:
            _delete_checkpoint(path)

    def mismatch(self, path):
        """The first difference between the checkpoint `path` and the
        variables this saver saves (see `checkpoint_mismatch`), or None."""
        return checkpoint_mismatch(path, self.variables)

    def restore(self, session, path=None):
        """Restore `path`, or else the newest checkpoint that reads back
        whole (naming each newer one skipped, and why); returns the path.

        Before anything is restored, the checkpoint's variables are compared
        with the model's, names, shapes and dtypes (TensorFlow itself would
        load a [4, 32] kernel into a variable declared [4, 64] and train on).

        Raises:
          FileNotFoundError: no intact checkpoint (or no `path`) there.
          ValueError: the checkpoint was written by another model: the
            message names the first difference.
        """
        if path is None:
            path = newest_intact_checkpoint(self.directory, report=True)
            if path is None:
                raise FileNotFoundError(f"No intact checkpoint in {self.directory}.")
        elif checkpoint_damage(path) is not None:
            raise FileNotFoundError(
                f"Cannot restore the checkpoint {path}: {checkpoint_damage(path)}. Restore "
                f"another one (newest intact: {self.latest()})."
            )
        difference = self.mismatch(path)
        if difference is None:
            try:
                self.saver.restore(session, path)
            except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError) as error:
                difference = error.message.splitlines()[0]
        if difference is not None:
            raise ValueError(
                f"The checkpoint {path} does not match this model ({difference}). Resume with the "
                "program that wrote it, or use a new checkpoint_dir."
            )
        self._write_index(path)
        return path


def checkpoint_mismatch(path, variables, exact=True):
    """The first difference between the variables stored in the checkpoint
    `path` and `variables`, as a phrase, or None when they agree.

    They agree when each of `variables` is stored under its name with its
    shape and dtype and, with `exact`, the checkpoint holds nothing else. A
    difference names the variable and both shapes (or dtypes), then how
    many more differences there are.

    Args:
      path: str, a checkpoint's path prefix.
      variables: dict {name in the checkpoint: tf.Variable}, in the order
        to compare them (the first difference in it is named).
      exact: bool. Whether variables the checkpoint holds beyond
        `variables` are a difference (a full resume), or not (restoring a
        part, such as the generator alone).

    #### Examples

    ```python
    import tempfile

    directory = tempfile.mkdtemp()
    with tf.Graph().as_default(), tf.Session() as sess:
        narrow = tf.Variable(tf.zeros([4, 32]), name="kernel")
        sess.run(narrow.initializer)
        path = tf.train.Saver().save(sess, directory + "/ckpt")
    with tf.Graph().as_default():
        wide = tf.Variable(tf.zeros([4, 64]), name="kernel")
        print(checkpoint_mismatch(path, {"kernel": wide}))
        # it holds kernel as [4, 32], this model declares [4, 64]
    ```
    """
    reader = tf.train.load_checkpoint(path)
    shapes, dtypes = reader.get_variable_to_shape_map(), reader.get_variable_to_dtype_map()
    found = []
    for name, variable in variables.items():
        declared, dtype = variable.shape.as_list(), variable.dtype.base_dtype
        if name not in shapes:
            found.append(f"it has no {name}, which this model declares as {declared}")
        elif list(shapes[name]) != declared:
            found.append(f"it holds {name} as {list(shapes[name])}, this model declares {declared}")
        elif dtypes[name] != dtype:
            found.append(
                f"it holds {name} as {dtypes[name].name}, this model declares {dtype.name}"
            )
    if exact:
        found += [
            f"it holds {name} {list(shapes[name])}, which this model lacks"
            for name in sorted(set(shapes) - set(variables))
        ]
    if not found:
        return None
    more = len(found) - 1
    return found[0] + (f"; and {more} more difference{'s' * (more > 1)}" if more else "")


def stored_checkpoints(directory):
    """Path prefixes of the checkpoints `ckpt-<t>` in `directory` (from the
    files, not the index), newest (largest t) first."""
    found = []
    for name in os.listdir(directory) if os.path.isdir(directory) else []:
        match = re.fullmatch(r"ckpt-(\d+)\.index", name)
        if match:
            found.append((int(match.group(1)), os.path.join(directory, name[: -len(".index")])))
    return [path for _, path in sorted(found, reverse=True)]


def checkpoint_damage(path):
    """Why the checkpoint `path` cannot be read back whole, or None if it can.

    Every tensor is read: TensorFlow checks each one's checksum, so a
    truncated or bit-flipped file is found here rather than in a restore.
    """
    try:
        reader = tf.train.load_checkpoint(path)
        for name in reader.get_variable_to_shape_map():
            reader.get_tensor(name)
    except Exception as error:  # noqa: BLE001 - the reader raises OpError, IndexError, ...
        message = getattr(error, "message", str(error)).strip().splitlines()
        return message[0] if message else type(error).__name__
    return None


def newest_intact_checkpoint(directory, report=False):
    """The newest checkpoint in `directory` that reads back whole, or None;
    with `report`, each newer damaged one is named on stderr, with why."""
    for path in stored_checkpoints(directory):
        reason = checkpoint_damage(path)
        if reason is None:
            return path
        if report:
            print(f"Skipping the damaged checkpoint {path}: {reason}", file=sys.stderr, flush=True)
    return None


def _iteration(path):
    return int(path.rsplit("-", 1)[1])


def _delete_checkpoint(path):
    # The index file first: a checkpoint half-deleted by a crash is then no
    # longer listed by stored().
    for name in [path + ".index"] + glob.glob(glob.escape(path) + ".data-*"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)


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
