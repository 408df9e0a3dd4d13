"""Writing files so that a crash never leaves one half-written.

Standard library only: the data loaders use it without importing TensorFlow.
"""

import contextlib
import os
import tempfile

__all__ = ["atomic_write", "ensure_directory", "save_npy"]


def ensure_directory(directory, what="output directory"):
    """Create `directory` if needed and check that it is writable.

    Raises:
      OSError: naming the directory and what to do instead.
    """
    directory = os.path.expanduser(os.fspath(directory))
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as error:
        raise OSError(
            error.errno,
            f"Cannot create the {what} {directory!r}: {error.strerror}. "
            "Choose a directory you can write to.",
        ) from error
    if not os.access(directory, os.W_OK | os.X_OK):
        raise PermissionError(
            f"The {what} {directory!r} is not writable. Choose a directory you can write to."
        )
    return directory


def _current_umask():
    umask = os.umask(0)
    os.umask(umask)
    return umask


@contextlib.contextmanager
def atomic_write(path, mode="wb"):
    """Open a temporary file beside `path`; on success it replaces `path`.

    The temporary file is flushed and fsynced before `os.replace`, which is
    atomic on POSIX and Windows: readers see the old file or the complete new
    one, never a partial one. On any error the temporary file is removed and
    `path` is left as it was.

    #### Examples

    ```python
    with atomic_write("samples.npy") as f:     # the folder must exist
        np.save(f, samples)
    ```
    """
    path = os.path.expanduser(os.fspath(path))
    directory = os.path.dirname(path) or "."
    try:
        fd, temporary = tempfile.mkstemp(
            dir=directory, prefix="." + os.path.basename(path) + ".", suffix=".tmp"
        )
    except OSError as error:
        raise OSError(
            error.errno,
            f"Cannot write {path!r}: {error.strerror}. "
            "Check that its directory exists and is writable.",
        ) from error
    try:
        # mkstemp creates 0600 files; give the result the permissions an
        # ordinary open() would (or those of the file being replaced).
        try:
            permissions = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            permissions = 0o666 & ~_current_umask()
        os.chmod(temporary, permissions)
        with os.fdopen(fd, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def save_npy(path, array):
    """Save a numpy array to `path` in .npy format, atomically."""
    import numpy as np  # only here: this module is otherwise standard-library only

    with atomic_write(path) as handle:
        np.save(handle, array)
