"""Writing files so that a crash never leaves one half-written.

Standard library only: the data loaders use it without importing TensorFlow.
"""

import atexit
import contextlib
import errno
import os
import socket
import sys
import tempfile

__all__ = ["DirectoryInUseError", "DirectoryLock", "atomic_write", "ensure_directory", "save_npy"]


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


def _no_space_left(error, path, kept):
    """An OSError naming the full disk, if `error` is ENOSPC while writing
    `path` (`kept`: what is kept, for the message); else `error` itself."""
    if getattr(error, "errno", None) != errno.ENOSPC:
        return error
    return OSError(
        errno.ENOSPC,
        f"No space left on the device of {os.path.dirname(os.fspath(path)) or '.'} while writing "
        f"{os.fspath(path)}; {kept}. Free some space there (or choose another directory) and "
        "run again.",
    )


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
    except BaseException as error:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        if isinstance(error, OSError) and error.errno == errno.ENOSPC:
            kept = (
                f"{os.path.basename(path)} is left as it was"
                if os.path.exists(path)
                else "nothing was written"
            )
            raise _no_space_left(error, path, kept) from None
        raise


def save_npy(path, array):
    """Save a numpy array to `path` in .npy format, atomically."""
    import numpy as np  # only here: this module is otherwise standard-library only

    with atomic_write(path) as handle:
        np.save(handle, array)


class DirectoryInUseError(RuntimeError):
    """Another live process holds the lock of a directory."""


def _process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


class DirectoryLock:
    """A lock file that keeps a second process out of a directory.

    `acquire()` creates `directory/.lock` (atomically, with `O_EXCL`)
    holding this process's id and host name. A lock left by a process that
    no longer runs on this host (killed, say) is stale: it is taken over,
    with a note. A lock of this very process is taken again (re-entrant),
    so a notebook can build a second inference on the same directory.

    #### Examples

    ```python
    import tempfile

    lock = DirectoryLock(tempfile.mkdtemp())
    lock.acquire()          # another process now gets DirectoryInUseError
    lock.release()
    ```
    """

    def __init__(self, directory, name=".lock"):
        self.path = os.path.join(os.fspath(directory), name)
        self.held = False

    def _owner(self):
        """(pid, host) written in the lock file, or None if unreadable."""
        try:
            with open(self.path, encoding="utf-8") as handle:
                pid, host = handle.read().split()[:2]
            return int(pid), host
        except (OSError, ValueError):
            return None

    def acquire(self):
        """Take the lock; raises DirectoryInUseError if a live process has it."""
        me = (os.getpid(), socket.gethostname())
        for _ in range(3):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = self._owner()
                if owner == me:
                    self.held = True
                    return self
                if owner is not None and (owner[1] != me[1] or _process_alive(owner[0])):
                    raise DirectoryInUseError(
                        f"{os.path.dirname(self.path)} is in use by process {owner[0]} on "
                        f"{owner[1]} (lock file {self.path}): wait for it to finish, stop it, "
                        "or use another directory. If no such process runs, delete the lock file."
                    ) from None
                # Stale (its process is gone) or half-written by a killed one.
                if owner is not None:
                    print(
                        f"Taking over the stale lock {self.path} of process {owner[0]}, which "
                        "no longer runs.",
                        file=sys.stderr,
                    )
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.path)
                continue
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(f"{me[0]} {me[1]}\n")
            except OSError as error:
                os.unlink(self.path)  # empty, it would read as a stale lock
                if error.errno == errno.ENOSPC:
                    raise _no_space_left(error, self.path, "nothing else was written") from None
                raise
            if not self.held:
                atexit.register(self.release)
            self.held = True
            return self
        raise DirectoryInUseError(
            f"Could not take the lock file {self.path}: another process keeps creating it."
        )

    def release(self):
        """Give the lock up (only if this process holds it)."""
        if self.held and self._owner() == (os.getpid(), socket.gethostname()):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)
        self.held = False
