"""Tests for gan_infer.util.files: atomic_write and ensure_directory."""

import errno
import os
import stat

import pytest

from gan_infer.util.files import DirectoryLock, atomic_write, ensure_directory


def entries(directory):
    return sorted(os.listdir(directory))


@pytest.fixture
def read_only_dir(tmp_path):
    """A directory the test process cannot create files in (skipped where chmod can't do that)."""
    directory = tmp_path / "locked"
    directory.mkdir()
    directory.chmod(0o500)
    probe = directory / "probe"
    try:
        probe.write_bytes(b"")
    except OSError:
        blocked = True
    else:
        probe.unlink()
        blocked = False
    if not blocked or os.access(directory, os.W_OK):
        directory.chmod(0o700)
        pytest.skip("chmod 0o500 does not block writes here (running as root?)")
    yield directory
    directory.chmod(0o700)


# --- atomic_write ------------------------------------------------------------------


def test_atomic_write_bytes(tmp_path):
    path = tmp_path / "out.bin"
    with atomic_write(path) as handle:
        handle.write(b"\x00\x01hello")
    assert path.read_bytes() == b"\x00\x01hello"
    assert entries(tmp_path) == ["out.bin"]


def test_atomic_write_text_mode_and_str_path(tmp_path):
    path = str(tmp_path / "out.txt")
    with atomic_write(path, mode="w") as handle:
        handle.write("line one\nline two\n")
    with open(path) as f:
        assert f.read() == "line one\nline two\n"
    assert entries(tmp_path) == ["out.txt"]


def test_atomic_write_replaces_an_existing_file(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old content that is longer")
    with atomic_write(path, mode="w") as handle:
        handle.write("new")
    assert path.read_text() == "new"
    assert entries(tmp_path) == ["out.txt"]


def test_nothing_visible_until_the_block_ends(tmp_path):
    path = tmp_path / "out.txt"
    path.write_text("old")
    with atomic_write(path, mode="w") as handle:
        handle.write("new")
        handle.flush()
        assert path.read_text() == "old"
        temporaries = [name for name in entries(tmp_path) if name != "out.txt"]
        assert len(temporaries) == 1  # written beside the target, same filesystem
    assert path.read_text() == "new"
    assert entries(tmp_path) == ["out.txt"]


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_an_exception_keeps_the_old_file_and_leaves_no_temporary(tmp_path, error):
    path = tmp_path / "out.txt"
    path.write_text("previous")
    with pytest.raises(type(error)):
        with atomic_write(path, mode="w") as handle:
            handle.write("partial")
            handle.flush()
            raise error
    assert path.read_text() == "previous"
    assert entries(tmp_path) == ["out.txt"]


def test_a_full_disk_names_the_folder_and_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "samples.npy"
    path.write_text("previous")

    def full(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as info:
        with atomic_write(path, mode="w") as handle:
            handle.write("new")
    assert info.value.errno == errno.ENOSPC
    assert str(info.value) == (
        f"[Errno 28] No space left on the device of {tmp_path} while writing {path}; "
        "samples.npy is left as it was. Free some space there (or choose another directory) "
        "and run again."
    )
    assert path.read_text() == "previous" and entries(tmp_path) == ["samples.npy"]


def test_a_full_disk_leaves_no_half_written_lock(tmp_path, monkeypatch):
    def fdopen(fd, *args, **kwargs):
        os.close(fd)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fdopen", fdopen)
    with pytest.raises(OSError, match=r"No space left on the device of .*\.lock; nothing else"):
        DirectoryLock(tmp_path).acquire()
    monkeypatch.undo()
    assert entries(tmp_path) == []  # an empty .lock would read as a stale lock later
    DirectoryLock(tmp_path).acquire().release()


def test_an_exception_creates_no_file(tmp_path):
    path = tmp_path / "new.txt"
    with pytest.raises(ValueError, match="half way"):
        with atomic_write(path, mode="w") as handle:
            handle.write("partial")
            raise ValueError("half way")
    assert entries(tmp_path) == []


def test_missing_directory_raises_oserror_naming_the_path(tmp_path):
    path = tmp_path / "no" / "such" / "dir" / "out.txt"
    with pytest.raises(OSError) as info:
        with atomic_write(path):
            pass
    assert str(path) in str(info.value)
    assert not (tmp_path / "no").exists()


def test_unwritable_directory_raises_oserror_naming_the_path(read_only_dir):
    path = read_only_dir / "out.txt"
    with pytest.raises(OSError) as info:
        with atomic_write(path) as handle:
            handle.write(b"x")
    assert str(path) in str(info.value)
    assert entries(read_only_dir) == []


def test_expands_user(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    with atomic_write("~/home.txt", mode="w") as handle:
        handle.write("hi")
    assert (tmp_path / "home.txt").read_text() == "hi"


# --- ensure_directory -----------------------------------------------------------


def test_ensure_directory_creates_nested_directories(tmp_path):
    target = tmp_path / "a" / "b" / "c"
    result = ensure_directory(target)
    assert target.is_dir()
    assert result == str(target)
    assert ensure_directory(target) == str(target)  # existing is fine
    assert ensure_directory(str(target)) == str(target)


def test_ensure_directory_under_a_regular_file_raises(tmp_path):
    regular = tmp_path / "file.txt"
    regular.write_text("x")
    target = regular / "sub" / "dir"
    with pytest.raises(OSError) as info:
        ensure_directory(target)
    assert str(target) in str(info.value)
    assert "output directory" in str(info.value)
    assert regular.read_text() == "x"


def test_ensure_directory_that_is_a_file_raises(tmp_path):
    regular = tmp_path / "file.txt"
    regular.write_text("x")
    with pytest.raises(OSError) as info:
        ensure_directory(regular, what="sample directory")
    assert str(regular) in str(info.value)
    assert "sample directory" in str(info.value)


def test_ensure_directory_unwritable_raises(read_only_dir):
    with pytest.raises(OSError) as info:
        ensure_directory(read_only_dir)
    assert str(read_only_dir) in str(info.value)
    with pytest.raises(OSError) as info:
        ensure_directory(read_only_dir / "sub")
    assert str(read_only_dir / "sub") in str(info.value)


def test_read_only_fixture_really_is_read_only(read_only_dir):
    assert not (stat.S_IMODE(read_only_dir.stat().st_mode) & stat.S_IWUSR)


def test_atomic_write_gives_ordinary_permissions(tmp_path):
    fresh = tmp_path / "fresh.bin"
    with atomic_write(fresh) as handle:
        handle.write(b"x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o666 & ~umask
    existing = tmp_path / "existing.bin"
    existing.write_bytes(b"old")
    os.chmod(existing, 0o640)
    with atomic_write(existing) as handle:
        handle.write(b"new")
    assert stat.S_IMODE(os.stat(existing).st_mode) == 0o640 and existing.read_bytes() == b"new"


def test_save_npy_round_trips(tmp_path):
    import numpy as np

    from gan_infer.util.files import save_npy

    array = np.arange(12, dtype=np.float32).reshape(3, 4)
    save_npy(tmp_path / "a.npy", array)
    np.testing.assert_array_equal(np.load(tmp_path / "a.npy"), array)
    assert os.listdir(tmp_path) == ["a.npy"]
