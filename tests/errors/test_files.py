"""docs/errors.md, section "Files/IO": each row's mistake, made (see registry.py)."""

import errno
import os

import numpy as np
import pytest

from gan_infer.criticism import plots
from gan_infer.datasets import DataError, mnist
from gan_infer.util import DirectoryLock, atomic_write, ensure_directory, save_npy
from tests.errors.parts import gan, under_a_file
from tests.errors.registry import also, row, row_test

row(
    "files-ensure-directory-create",
    OSError,
    "Cannot create the … directory …: …. Choose a directory you can write to.",
    lambda env: ensure_directory(under_a_file(env, "out")),
)


@row(
    "files-ensure-directory-unwritable",
    PermissionError,
    "The … directory … is not writable. Choose a directory you can write to.",
)
def _(env):
    if os.geteuid() == 0:
        pytest.skip("root can write to any directory; chmod cannot make one unwritable")
    locked = env.tmp_path / "locked"
    locked.mkdir(parents=True)
    locked.chmod(0o500)
    try:
        if os.access(locked, os.W_OK):
            pytest.skip("chmod 0o500 does not make a directory unwritable here")
        ensure_directory(locked)
    finally:
        locked.chmod(0o700)


@row(
    "files-atomic-write",
    OSError,
    "Cannot write …: …. Check that its directory exists and is writable.",
)
def _(env):
    with atomic_write(env.tmp_path / "missing" / "out.bin") as handle:
        handle.write(b"")


also("files-atomic-write", lambda env: save_npy(under_a_file(env, "samples.npy"), np.zeros(3)))


@also("files-atomic-write")
def _(env):
    plots.save_figure(
        plots.sample_grid(np.zeros((1, 784)), 1, 1), env.tmp_path / "missing" / "grid.png"
    )


@row(
    "files-no-space",
    OSError,
    "[Errno 28] No space left on the device of … while writing …; …. Free some space there (or "
    "choose another directory) and run again.",
)
def _(env):
    env.tmp_path.mkdir(parents=True)
    save_npy(env.tmp_path / "samples.npy", np.zeros(3))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fsync", lambda fd: full_disk())
        save_npy(env.tmp_path / "samples.npy", np.ones(3))


@also("files-no-space")
def _(env):
    env.tmp_path.mkdir(parents=True)

    def fdopen(fd, *args, **kwargs):
        os.close(fd)
        full_disk()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "fdopen", fdopen)
        DirectoryLock(env.tmp_path).acquire()


def full_disk():
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


row(
    "files-logdir",
    OSError,
    "Cannot create the TensorBoard log directory … (…); pass a writable logdir.",
    lambda env: gan()[0].initialize(n_print=0, logdir=str(under_a_file(env, "logs"))),
)

row(
    "files-mnist-unwritable",
    DataError,
    "Cannot write MNIST files into … (…). Pass a writable data_dir to mnist(), or set "
    "GAN_INFER_DATA_DIR to a writable folder (or to one that already holds the four files).",
    lambda env: mnist(under_a_file(env, "mnist")),
)


test_row = row_test(__name__)
