"""Tests for gan_infer.datasets.mnist: IDX parsing, checksums, downloads."""

import ast
import gzip
import hashlib
import importlib
import io
import os
import struct
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from gan_infer.datasets import DataError, mnist, mnist_splits, read_idx

# `gan_infer.datasets.mnist` is the function; the module is reached this way.
mnist_module = importlib.import_module("gan_infer.datasets.mnist")

REPO_ROOT = Path(__file__).resolve().parents[2]
REAL_DIR = REPO_ROOT.parent / "shared/datasets/mnist"
NAMES = (
    mnist_module.TRAIN_IMAGES,
    mnist_module.TRAIN_LABELS,
    mnist_module.TEST_IMAGES,
    mnist_module.TEST_LABELS,
)


def idx_bytes(array, magic=None):
    array = np.asarray(array)
    codes = {
        np.dtype(np.uint8): 0x08,
        np.dtype(np.int8): 0x09,
        np.dtype(">i2"): 0x0B,
        np.dtype(">i4"): 0x0C,
        np.dtype(">f4"): 0x0D,
        np.dtype(">f8"): 0x0E,
    }
    if magic is None:
        magic = (codes[array.dtype] << 8) | array.ndim
    header = struct.pack(f">I{array.ndim}I", magic, *array.shape)
    return header + array.tobytes()


def write(path, content):
    path = Path(path)
    path.write_bytes(gzip.compress(content) if path.name.endswith(".gz") else content)
    return path


def fake_arrays():
    rng = np.random.default_rng(0)
    return {
        mnist_module.TRAIN_IMAGES: rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
        mnist_module.TRAIN_LABELS: rng.integers(0, 10, 12, dtype=np.uint8),
        mnist_module.TEST_IMAGES: rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        mnist_module.TEST_LABELS: rng.integers(0, 10, 5, dtype=np.uint8),
    }


@pytest.fixture
def fake():
    """Small valid IDX contents for the four MNIST names: name -> (array, bytes)."""
    return {name: (array, idx_bytes(array)) for name, array in fake_arrays().items()}


@pytest.fixture
def trust_fake(monkeypatch, fake):
    """Make the module accept the fake files' checksums."""
    for name, (_, content) in fake.items():
        monkeypatch.setitem(
            mnist_module.CHECKSUMS, name, (hashlib.md5(content).hexdigest(), len(content))
        )
    return fake


class FakeResponse(io.BytesIO):
    """A urlopen() result serving fixed bytes, optionally failing after `fail_after`."""

    def __init__(self, content, fail_after=None, error=ConnectionResetError("reset by peer")):  # noqa: B008
        super().__init__(content)
        self.fail_after = fail_after
        self.error = error

    def read(self, size=-1):
        if self.fail_after is not None and self.tell() >= self.fail_after:
            raise self.error
        if self.fail_after is not None:
            size = min(size if size >= 0 else self.fail_after, self.fail_after - self.tell())
        return super().read(size)


def serve(monkeypatch, handler):
    """Route urllib.request.urlopen to handler(url); return the list of URLs asked for."""
    calls = []

    def urlopen(url, timeout=None, **kwargs):
        calls.append(url)
        assert timeout is not None and timeout > 0, "downloads must use a timeout"
        return handler(url)

    monkeypatch.setattr(urllib.request, "urlopen", urlopen)
    return calls


def gz_server(fake, corrupt=False):
    def handler(url):
        name = url.rsplit("/", 1)[1]
        content = fake[name][1]
        if corrupt:
            content = content[:-1] + bytes([content[-1] ^ 0xFF])
        return FakeResponse(gzip.compress(content))

    return handler


def listing(directory):
    return sorted(p.name for p in Path(directory).iterdir())


# --------------------------------------------------------------------------
# read_idx


@pytest.mark.parametrize("suffix", [".gz", ""])
def test_read_idx_round_trips_images_and_labels(tmp_path, suffix):
    images = np.random.default_rng(1).integers(0, 256, (4, 28, 28), dtype=np.uint8)
    labels = np.arange(7, dtype=np.uint8)
    image_path = write(tmp_path / f"images-idx3-ubyte{suffix}", idx_bytes(images))
    label_path = write(tmp_path / f"labels-idx1-ubyte{suffix}", idx_bytes(labels))

    got_images = read_idx(image_path, expected_magic=0x00000803)
    got_labels = read_idx(str(label_path), expected_magic=0x00000801)

    assert got_images.dtype == np.uint8 and got_images.shape == (4, 28, 28)
    np.testing.assert_array_equal(got_images, images)
    assert got_labels.dtype == np.uint8 and got_labels.shape == (7,)
    np.testing.assert_array_equal(got_labels, labels)
    assert got_images.flags.writeable and got_labels.flags.writeable


def test_read_idx_other_types_come_back_in_native_byte_order(tmp_path):
    array = np.arange(-6, 6, dtype=">i4").reshape(3, 4)
    got = read_idx(write(tmp_path / "ints.idx", idx_bytes(array)))
    assert got.dtype == np.dtype(np.int32) and got.dtype.isnative
    np.testing.assert_array_equal(got, array)


def test_read_idx_expands_user(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    write(tmp_path / "labels.gz", idx_bytes(np.arange(3, dtype=np.uint8)))
    np.testing.assert_array_equal(read_idx("~/labels.gz"), [0, 1, 2])


def test_read_idx_wrong_magic(tmp_path):
    path = write(tmp_path / "labels.gz", idx_bytes(np.arange(3, dtype=np.uint8)))
    with pytest.raises(DataError) as info:
        read_idx(path, expected_magic=0x00000803)
    message = str(info.value)
    assert str(path) in message and "magic" in message
    assert "0x00000803" in message and "0x00000801" in message


@pytest.mark.parametrize("magic", [0x12340801, 0x00000701])
def test_read_idx_invalid_magic_without_expectation(tmp_path, magic):
    path = write(tmp_path / "bad", idx_bytes(np.arange(3, dtype=np.uint8), magic=magic))
    with pytest.raises(DataError, match="magic") as info:
        read_idx(path)
    assert str(path) in str(info.value) and f"0x{magic:08X}" in str(info.value)


@pytest.mark.parametrize("suffix", [".gz", ""])
def test_read_idx_truncated_data(tmp_path, suffix):
    content = idx_bytes(np.zeros((2, 3, 3), np.uint8))
    path = write(tmp_path / f"images{suffix}", content[:-5])
    with pytest.raises(DataError) as info:
        read_idx(path)
    message = str(info.value)
    assert str(path) in message and "truncated" in message
    assert f"expected {len(content)} bytes" in message and f"got {len(content) - 5}" in message


@pytest.mark.parametrize("cut", [0, 2, 6])
def test_read_idx_truncated_header(tmp_path, cut):
    path = write(tmp_path / "images", idx_bytes(np.zeros((2, 3, 3), np.uint8))[:cut])
    with pytest.raises(DataError, match="truncated") as info:
        read_idx(path)
    assert str(path) in str(info.value)


def test_read_idx_trailing_bytes(tmp_path):
    path = write(tmp_path / "labels.gz", idx_bytes(np.arange(3, dtype=np.uint8)) + b"xyz")
    with pytest.raises(DataError) as info:
        read_idx(path)
    message = str(info.value)
    assert str(path) in message and "trailing" in message and "3 bytes" in message


@pytest.mark.parametrize(
    "blob",
    [
        b"this is not gzip at all",
        gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x10" + bytes(range(16)))[:-12],
        b"",
    ],
    ids=["garbage", "cut-off", "empty"],
)
def test_read_idx_bad_gzip(tmp_path, blob):
    path = tmp_path / "labels-idx1-ubyte.gz"
    path.write_bytes(blob)
    with pytest.raises(DataError) as info:
        read_idx(path)
    message = str(info.value)
    assert str(path) in message
    assert "gzip" in message or "truncated" in message


def test_data_error_is_a_value_error():
    assert issubclass(DataError, ValueError)


# --------------------------------------------------------------------------
# mnist() on local files


@pytest.mark.parametrize("suffix", [".gz", ""])
def test_mnist_rejects_files_with_wrong_md5(tmp_path, fake, suffix):
    for name, (_, content) in fake.items():
        write(tmp_path / (name if suffix else name[:-3]), content)
    with pytest.raises(DataError) as info:
        mnist(tmp_path, download=False)
    message = str(info.value)
    name = mnist_module.TRAIN_IMAGES
    assert str(tmp_path / (name if suffix else name[:-3])) in message
    assert "MD5" in message and mnist_module.CHECKSUMS[name][0] in message
    assert hashlib.md5(fake[name][1]).hexdigest() in message
    assert "delete it" in message and "GAN_INFER_DATA_DIR" in message


def test_mnist_reads_verified_files_gz_or_raw(tmp_path, trust_fake):
    for i, (name, (_, content)) in enumerate(trust_fake.items()):
        write(tmp_path / (name if i % 2 else name[:-3]), content)  # mixed .gz and raw
    (x_train, y_train), (x_test, y_test) = mnist(tmp_path, download=False)
    arrays = fake_arrays()
    np.testing.assert_array_equal(x_train, arrays[mnist_module.TRAIN_IMAGES].reshape(12, 784))
    np.testing.assert_array_equal(y_train, arrays[mnist_module.TRAIN_LABELS])
    np.testing.assert_array_equal(x_test, arrays[mnist_module.TEST_IMAGES].reshape(5, 784))
    np.testing.assert_array_equal(y_test, arrays[mnist_module.TEST_LABELS])
    assert x_train.dtype == y_train.dtype == np.uint8


def test_mnist_validation_split_takes_the_last_training_examples(tmp_path, trust_fake):
    for name, (_, content) in trust_fake.items():
        write(tmp_path / name, content)
    (x_full, y_full), _ = mnist(tmp_path, download=False)
    (x_train, y_train), (x_valid, y_valid), (x_test, _) = mnist_splits(
        tmp_path, validation_size=3, download=False
    )
    np.testing.assert_array_equal(x_train, x_full[:9])
    np.testing.assert_array_equal(x_valid, x_full[9:])
    np.testing.assert_array_equal(y_train, y_full[:9])
    np.testing.assert_array_equal(y_valid, y_full[9:])
    assert x_test.shape == (5, 784)


def test_mnist_splits_with_no_validation_set_returns_three_pairs(tmp_path, trust_fake):
    for name, (_, content) in trust_fake.items():
        write(tmp_path / name, content)
    (x_full, _), _ = mnist(tmp_path, download=False)
    (x_train, _), (x_valid, y_valid), _ = mnist_splits(tmp_path, validation_size=0, download=False)
    np.testing.assert_array_equal(x_train, x_full)
    assert x_valid.shape == (0, 784) and y_valid.shape == (0,)


def test_mnist_takes_no_validation_size_and_names_mnist_splits(tmp_path):
    with pytest.raises(TypeError, match=r"mnist\(\) takes no validation_size.*mnist_splits"):
        mnist(tmp_path, validation_size=5000, download=False)
    with pytest.raises(TypeError, match="unexpected keyword argument 'validation'"):
        mnist(tmp_path, validation=5000, download=False)


def test_mnist_missing_file_without_download(tmp_path):
    directory = tmp_path / "nowhere"
    with pytest.raises(DataError) as info:
        mnist(directory, download=False)
    message = str(info.value)
    assert str(directory / mnist_module.TRAIN_IMAGES) in message
    assert "download=True" in message and "GAN_INFER_DATA_DIR" in message
    assert mnist_module.MIRRORS[0] in message and str(directory) in message
    assert not directory.exists()


def test_mnist_corrupt_gzip_in_data_dir(tmp_path):
    (tmp_path / mnist_module.TRAIN_IMAGES).write_bytes(b"not gzip")
    with pytest.raises(DataError) as info:
        mnist(tmp_path, download=False)
    message = str(info.value)
    assert str(tmp_path / mnist_module.TRAIN_IMAGES) in message
    assert "gzip" in message and "delete it" in message


@pytest.mark.parametrize("bad", [-1, 60000, 1.5, True, "5000", None])
def test_mnist_splits_validates_validation_size(tmp_path, bad):
    with pytest.raises(ValueError, match="validation_size"):
        mnist_splits(tmp_path, validation_size=bad, download=False)


def test_mnist_accepts_numpy_int_validation_size(tmp_path, trust_fake):
    for name, (_, content) in trust_fake.items():
        write(tmp_path / name, content)
    _, (x_valid, _), _ = mnist_splits(tmp_path, validation_size=np.int64(2), download=False)
    assert x_valid.shape == (2, 784)


def test_mnist_rejects_bad_data_dir_type():
    with pytest.raises(TypeError, match="data_dir"):
        mnist(42, download=False)


def test_mnist_default_dir_is_the_env_var(tmp_path, monkeypatch, trust_fake):
    for name, (_, content) in trust_fake.items():
        write(tmp_path / name, content)
    monkeypatch.setenv("GAN_INFER_DATA_DIR", str(tmp_path))
    (x_train, _), _ = mnist(download=False)
    assert x_train.shape == (12, 784)


def test_mnist_default_dir_falls_back_to_xdg_then_home(tmp_path, monkeypatch):
    monkeypatch.delenv("GAN_INFER_DATA_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    with pytest.raises(DataError) as info:
        mnist(download=False)
    expected = tmp_path / "xdg" / "gan_infer" / "mnist" / mnist_module.TRAIN_IMAGES
    assert str(expected) in str(info.value)

    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    with pytest.raises(DataError) as info:
        mnist(download=False)
    expected = tmp_path / "home" / ".cache" / "gan_infer" / "mnist" / mnist_module.TRAIN_IMAGES
    assert str(expected) in str(info.value)


def test_mnist_expands_user_in_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    with pytest.raises(DataError) as info:
        mnist("~/mnist-data", download=False)
    assert str(tmp_path / "mnist-data" / mnist_module.TRAIN_IMAGES) in str(info.value)


# --------------------------------------------------------------------------
# mnist() downloads (urlopen is faked; nothing touches the network)


def test_download_writes_verified_files_atomically(tmp_path, monkeypatch, trust_fake):
    directory = tmp_path / "new" / "cache"
    calls = serve(monkeypatch, gz_server(trust_fake))

    (x_train, y_train), (x_test, y_test) = mnist(directory)

    assert calls == [mnist_module.MIRRORS[0] + name for name in NAMES]
    assert listing(directory) == sorted(NAMES)  # no temp files left
    for name, (_, content) in trust_fake.items():
        assert gzip.decompress((directory / name).read_bytes()) == content
    arrays = fake_arrays()
    np.testing.assert_array_equal(x_train, arrays[mnist_module.TRAIN_IMAGES].reshape(12, 784))
    np.testing.assert_array_equal(y_test, arrays[mnist_module.TEST_LABELS])

    # A second call reads the cached files and downloads nothing.
    calls.clear()
    (x_again, _), _ = mnist(directory)
    assert calls == []
    np.testing.assert_array_equal(x_again, x_train)


def test_download_falls_back_to_the_next_mirror(tmp_path, monkeypatch, trust_fake):
    good = gz_server(trust_fake)

    def handler(url):
        if url.startswith(mnist_module.MIRRORS[0]):
            raise urllib.error.URLError("first mirror is down")
        return good(url)

    calls = serve(monkeypatch, handler)
    mnist(tmp_path)
    assert calls[:2] == [
        mnist_module.MIRRORS[0] + mnist_module.TRAIN_IMAGES,
        mnist_module.MIRRORS[1] + mnist_module.TRAIN_IMAGES,
    ]
    assert listing(tmp_path) == sorted(NAMES)


def test_download_joins_mirror_without_trailing_slash(tmp_path, monkeypatch, trust_fake):
    monkeypatch.setattr(mnist_module, "MIRRORS", ("https://example.invalid/mnist",))
    calls = serve(monkeypatch, gz_server(trust_fake))
    mnist(tmp_path)
    assert calls[0] == "https://example.invalid/mnist/" + mnist_module.TRAIN_IMAGES


def test_download_with_wrong_checksum_leaves_nothing(tmp_path, monkeypatch, trust_fake):
    calls = serve(monkeypatch, gz_server(trust_fake, corrupt=True))
    with pytest.raises(DataError) as info:
        mnist(tmp_path)
    message = str(info.value)
    assert "MD5" in message and str(tmp_path / mnist_module.TRAIN_IMAGES) in message
    for mirror in mnist_module.MIRRORS:
        assert mirror + mnist_module.TRAIN_IMAGES in message
    assert len(calls) == len(mnist_module.MIRRORS)
    assert listing(tmp_path) == []


def test_download_of_non_gzip_bytes_leaves_nothing(tmp_path, monkeypatch, trust_fake):
    serve(monkeypatch, lambda url: FakeResponse(b"<html>Not Found</html>"))
    with pytest.raises(DataError, match="gzip"):
        mnist(tmp_path)
    assert listing(tmp_path) == []


def test_download_offline_lists_every_url(tmp_path, monkeypatch):
    def handler(url):
        raise urllib.error.URLError("Temporary failure in name resolution")

    serve(monkeypatch, handler)
    directory = tmp_path / "cache"
    with pytest.raises(DataError) as info:
        mnist(directory)
    message = str(info.value)
    assert str(directory / mnist_module.TRAIN_IMAGES) in message
    for mirror in mnist_module.MIRRORS:
        assert mirror + mnist_module.TRAIN_IMAGES in message
    assert "Last error" in message and "Temporary failure in name resolution" in message
    assert "by hand" in message and "GAN_INFER_DATA_DIR" in message
    assert listing(directory) == []


def test_download_failing_midway_leaves_nothing(tmp_path, monkeypatch, trust_fake):
    def handler(url):
        blob = gzip.compress(trust_fake[url.rsplit("/", 1)[1]][1])
        return FakeResponse(blob, fail_after=len(blob) // 2)

    serve(monkeypatch, handler)
    with pytest.raises(DataError, match="reset by peer"):
        mnist(tmp_path)
    assert listing(tmp_path) == []


def test_download_interrupted_leaves_nothing(tmp_path, monkeypatch, trust_fake):
    def handler(url):
        blob = gzip.compress(trust_fake[url.rsplit("/", 1)[1]][1])
        return FakeResponse(blob, fail_after=10, error=KeyboardInterrupt())

    serve(monkeypatch, handler)
    with pytest.raises(KeyboardInterrupt):
        mnist(tmp_path)
    assert listing(tmp_path) == []


def test_download_into_unwritable_dir(tmp_path, monkeypatch, trust_fake):
    serve(monkeypatch, gz_server(trust_fake))
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    directory = blocker / "mnist"
    with pytest.raises(DataError) as info:
        mnist(directory)
    message = str(info.value)
    assert str(directory) in message
    assert "writable data_dir" in message and "GAN_INFER_DATA_DIR" in message


# --------------------------------------------------------------------------
# The real files, if this checkout has them (read only: never written to).

REAL_NAMES_PRESENT = all((REAL_DIR / name).exists() for name in NAMES)
needs_real = pytest.mark.skipif(
    not REAL_NAMES_PRESENT, reason=f"real MNIST files not found in {REAL_DIR}"
)


@pytest.fixture(scope="module")
def real():
    return mnist(REAL_DIR, download=False)


@needs_real
def test_real_mnist_shapes_and_labels(real):
    (x_train, y_train), (x_test, y_test) = real
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    for array in (x_train, y_train, x_test, y_test):
        assert array.dtype == np.uint8
    assert y_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert y_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert x_train.max() == 255 and y_train.max() == 9


@needs_real
def test_real_mnist_validation_split(real):
    (x_full, y_full), (x_test_full, _) = real
    (x_train, y_train), (x_valid, y_valid), (x_test, y_test) = mnist_splits(
        REAL_DIR, download=False
    )  # the default: 5,000, Edward's split
    assert x_train.shape == (55000, 784) and y_train.shape == (55000,)
    assert x_valid.shape == (5000, 784) and y_valid.shape == (5000,)
    assert x_test.shape == (10000, 784) and y_test.shape == (10000,)
    np.testing.assert_array_equal(x_valid, x_full[-5000:])
    np.testing.assert_array_equal(y_valid, y_full[-5000:])
    np.testing.assert_array_equal(x_train, x_full[:55000])
    np.testing.assert_array_equal(x_test, x_test_full)


@needs_real
def test_real_read_idx_matches_mnist(real):
    (_, _), (x_test, y_test) = real
    labels = read_idx(REAL_DIR / mnist_module.TEST_LABELS, expected_magic=0x00000801)
    np.testing.assert_array_equal(labels, y_test)
    images = read_idx(REAL_DIR / mnist_module.TEST_IMAGES, expected_magic=0x00000803)
    assert images.shape == (10000, 28, 28)
    np.testing.assert_array_equal(images.reshape(10000, 784), x_test)


# --------------------------------------------------------------------------
# Import hygiene


def test_import_does_not_pull_in_tensorflow():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    code = (
        "import sys, gan_infer.datasets; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'tensorflow'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", f"TensorFlow modules imported: {result.stdout}"


def test_datasets_imports_only_numpy_and_the_standard_library():
    """Besides numpy and the standard library, only gan_infer.util.files and
    gan_infer.util.checks (themselves standard-library only) may be imported,
    and Pillow (matplotlib's own dependency), which decodes image files."""
    package = REPO_ROOT / "gan_infer" / "datasets"
    allowed = set(sys.stdlib_module_names) | {"numpy", "gan_infer", "PIL"}
    for helper in ("files.py", "checks.py"):
        helper_tree = ast.parse((REPO_ROOT / "gan_infer" / "util" / helper).read_text())
        for node in helper_tree.body:  # top-level imports (docstrings hold examples)
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = (
                    [node.module]
                    if isinstance(node, ast.ImportFrom)
                    else [alias.name for alias in node.names]
                )
                assert all(name.split(".")[0] in sys.stdlib_module_names for name in names), (
                    helper,
                    names,
                )
    for source in sorted(package.glob("*.py")):
        tree = ast.parse(source.read_text(), filename=str(source))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative: must stay inside gan_infer.datasets
                    assert node.level == 1, f"{source.name} imports outside the package"
                    continue
                roots = [node.module.split(".")[0]]
                if roots == ["gan_infer"]:
                    assert node.module in (
                        "gan_infer.util.files",
                        "gan_infer.util.checks",
                    ) or node.module.startswith("gan_infer.datasets"), (
                        f"{source.name} imports {node.module}"
                    )
            else:
                continue
            for root in roots:
                assert root in allowed, f"{source.name} imports {root}"
