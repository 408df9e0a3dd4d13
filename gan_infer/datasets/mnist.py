"""MNIST handwritten digits, loaded with numpy and the standard library only.

``mnist()`` returns the official MNIST arrays (train, test), ``mnist_splits()``
the same with a validation set cut from the training images; both download
the four IDX files into a cache folder the first time, and every file read
is checked against the official MD5 sums. ``read_idx()`` parses any single IDX file.
"""

import gzip
import hashlib
import logging
import os
import struct
import urllib.request
import zlib
from pathlib import Path

import numpy as np

from gan_infer.util.checks import check_int
from gan_infer.util.files import atomic_write

__all__ = [
    "CHECKSUMS",
    "DataError",
    "ENV_VAR",
    "MIRRORS",
    "TIMEOUT",
    "mnist",
    "mnist_splits",
    "read_idx",
]

logger = logging.getLogger(__name__)

# Tried in order; the first is also the one error messages point people to.
MIRRORS = (
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)

#: Seconds to wait on any one network operation before giving up on a mirror.
TIMEOUT = 30.0

#: Environment variable naming the folder that holds the four MNIST files.
ENV_VAR = "GAN_INFER_DATA_DIR"

TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
TEST_IMAGES = "t10k-images-idx3-ubyte.gz"
TEST_LABELS = "t10k-labels-idx1-ubyte.gz"

#: File name -> (MD5 of the *uncompressed* content, uncompressed size in bytes).
#: The sums cover the uncompressed bytes because mirrors recompress the files:
#: their .gz bytes differ while the content does not.
CHECKSUMS = {
    TRAIN_IMAGES: ("6bbc9ace898e44ae57da46a324031adb", 47040016),
    TRAIN_LABELS: ("a25bea736e30d166cdddb491f175f624", 60008),
    TEST_IMAGES: ("2646ac647ad5339dbf082846283269ea", 7840016),
    TEST_LABELS: ("27ae3e4e09519cfbb04c329615203637", 10008),
}

IMAGES_MAGIC = 0x00000803  # uint8 data, 3 dimensions
LABELS_MAGIC = 0x00000801  # uint8 data, 1 dimension

_NUM_TRAIN = 60000

# IDX type code (third byte of the magic number) -> dtype; multi-byte types
# are stored big-endian.
_IDX_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


class DataError(ValueError):
    """A data file is missing, corrupt, or could not be downloaded.

    The message names the file, says what is wrong and what to do about it.
    """


def mnist(data_dir=None, *, download=True, **unexpected):
    """Load the MNIST handwritten digits as numpy arrays: train and test.

    Reads the four standard files (``train-images-idx3-ubyte.gz``,
    ``train-labels-idx1-ubyte.gz``, ``t10k-images-idx3-ubyte.gz``,
    ``t10k-labels-idx1-ubyte.gz``, or the same names without ``.gz``) from
    ``data_dir``, downloading any that are missing. The uncompressed content
    of each file must match the official MD5 sum. For a validation set split
    off the training images, use ``mnist_splits``.

    Args:
      data_dir: str or os.PathLike, optional.
        Folder holding the four files. Defaults to the environment variable
        ``GAN_INFER_DATA_DIR``, else ``$XDG_CACHE_HOME/gan_infer/mnist``,
        else ``~/.cache/gan_infer/mnist``. ``~`` is expanded.
      download: bool, optional.
        Whether to download missing files, from each of ``MIRRORS`` in turn.
        A file is verified before it takes its final name, and written
        atomically.

    Returns:
      tuple.
      ``((x_train, y_train), (x_test, y_test))``, always (Edward's contract).
      Images are uint8 arrays of shape (N, 784), one flattened 28x28 image
      per row with values in 0..255; labels are uint8 arrays of shape (N,)
      with values in 0..9. N is 60000 for train and 10000 for test.

    Raises:
      DataError: a file is missing and could not be downloaded, or is
        corrupt (not valid gzip, wrong checksum).
      TypeError: an unknown keyword, e.g. ``validation_size`` (that is
        ``mnist_splits``).

    #### Examples

    ```python
    from gan_infer.datasets import mnist

    (x_train, y_train), (x_test, y_test) = mnist()
    x_train.shape  # (60000, 784)
    ```
    """
    if "validation_size" in unexpected:
        raise TypeError(
            "mnist() takes no validation_size: it always returns "
            "((x_train, y_train), (x_test, y_test)). For a validation split use "
            "mnist_splits(data_dir, validation_size=...), which returns "
            "((x_train, y_train), (x_valid, y_valid), (x_test, y_test))."
        )
    if unexpected:
        raise TypeError(f"mnist() got an unexpected keyword argument {next(iter(unexpected))!r}.")
    directory = _resolve_dir(data_dir)
    x_train = _load(directory, TRAIN_IMAGES, IMAGES_MAGIC, download)
    y_train = _load(directory, TRAIN_LABELS, LABELS_MAGIC, download)
    x_test = _load(directory, TEST_IMAGES, IMAGES_MAGIC, download)
    y_test = _load(directory, TEST_LABELS, LABELS_MAGIC, download)
    return ((x_train.reshape(len(x_train), -1), y_train), (x_test.reshape(len(x_test), -1), y_test))


def mnist_splits(data_dir=None, *, validation_size=5000, download=True):
    """MNIST as train, validation and test sets: the last training images held out.

    With n_valid = ``validation_size``, the training files' images
    0 .. 60000 - n_valid - 1 are the training set and the last n_valid the
    validation set; the test set is the official 10,000. The default, 5,000,
    gives the 55,000-image training split of Edward's GAN tutorial (and of
    the TensorFlow MNIST reader it used).

    Args:
      data_dir: str or os.PathLike, optional. As in ``mnist``.
      validation_size: int in [0, 60000). Training images held out for
        validation (0 gives an empty validation set).
      download: bool, optional. As in ``mnist``.

    Returns:
      tuple.
      ``((x_train, y_train), (x_valid, y_valid), (x_test, y_test))``, always;
      arrays as in ``mnist``.

    Raises:
      ValueError: validation_size is not an int in [0, 60000).
      DataError: as in ``mnist``.

    #### Examples

    ```python
    from gan_infer.datasets import mnist_splits

    # The Edward GAN tutorial's 55,000-image training split.
    (x_train, y_train), (x_valid, y_valid), (x_test, y_test) = mnist_splits()
    x_train.shape  # (55000, 784)
    ```
    """
    check_int(validation_size, "validation_size", minimum=None, what="an int")
    validation_size = check_int(
        validation_size,
        "validation_size",
        minimum=0,
        maximum=_NUM_TRAIN - 1,
        what=f"an int with 0 <= validation_size < {_NUM_TRAIN} (the number of MNIST "
        f"training images)",
    )
    (x_train, y_train), test = mnist(data_dir, download=download)
    cut = len(x_train) - validation_size
    return (x_train[:cut], y_train[:cut]), (x_train[cut:], y_train[cut:]), test


def read_idx(path, expected_magic=None):
    """Read one IDX file into a numpy array.

    An IDX file is a big-endian uint32 magic number (two zero bytes, a type
    code such as 0x08 for uint8, and the number of dimensions), one
    big-endian uint32 per dimension, then the data in row-major order. A file
    whose name ends in ``.gz`` is decompressed first. Unlike ``mnist()``,
    this verifies no checksum.

    Args:
      path: str or os.PathLike.
        The file to read. ``~`` is expanded.
      expected_magic: int, optional.
        If given, the file's magic number must equal it (0x00000803 for
        MNIST images, 0x00000801 for MNIST labels).

    Returns:
      np.ndarray.
      A new, writable array of the shape given in the header, in native byte
      order.

    Raises:
      DataError: the file is not valid gzip, has the wrong magic number, is
        truncated, or has bytes after the data.

    #### Examples

    ```python
    import struct

    from gan_infer.datasets import read_idx

    # Three uint8 labels: magic 0x00000801 (uint8, 1 dimension), the size, the data.
    with open("labels.idx", "wb") as f:
        f.write(struct.pack(">II", 0x00000801, 3) + bytes([7, 2, 1]))
    labels = read_idx("labels.idx", expected_magic=0x00000801)
    labels.tolist()  # [7, 2, 1]
    # The MNIST test labels, once mnist() has downloaded them:
    # read_idx("~/.cache/gan_infer/mnist/t10k-labels-idx1-ubyte.gz", 0x00000801)
    ```
    """
    path = Path(os.path.expanduser(os.fspath(path)))
    hint = "Check that the file is complete and in IDX format."
    content = _read_content(path, hint)
    return _parse_idx(content, path, expected_magic, hint)


def _resolve_dir(data_dir):
    if data_dir is None:
        data_dir = os.environ.get(ENV_VAR) or None
    if data_dir is None:
        xdg = os.environ.get("XDG_CACHE_HOME")
        # The XDG spec says a relative value is invalid and must be ignored.
        base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
        return base / "gan_infer" / "mnist"
    if not isinstance(data_dir, (str, os.PathLike)):
        raise TypeError(f"data_dir must be a str or os.PathLike, got {type(data_dir).__name__}.")
    return Path(os.path.expanduser(os.fspath(data_dir)))


def _by_hand(directory):
    mirror = MIRRORS[0] if MIRRORS else "a MNIST mirror"
    return (
        f"download the four files by hand from {mirror} into {directory}, "
        f"or set {ENV_VAR} to a folder that holds them"
    )


def _corrupt_hint(directory):
    return f"To fix: delete it and run again to re-download, or {_by_hand(directory)}."


def _load(directory, name, magic, download):
    """Find (or download), verify and parse one MNIST file."""
    path = directory / name
    raw_path = directory / name[: -len(".gz")]
    hint = _corrupt_hint(directory)
    if path.exists():
        content = _read_content(path, hint)
    elif raw_path.exists():
        path = raw_path
        content = _read_content(path, hint)
    elif download:
        # _download verified the content before giving the file its name.
        return _parse_idx(_download(directory, name), path, magic, hint)
    else:
        raise DataError(
            f"MNIST file {path} is missing (and so is the uncompressed {raw_path.name}), "
            f"and download=False. To fix: call mnist(download=True), or "
            f"{_by_hand(directory)}."
        )
    _verify(content, name, path, hint)
    return _parse_idx(content, path, magic, hint)


def _read_content(path, hint):
    """Return the file's bytes, decompressed if its name ends in .gz."""
    with open(path, "rb") as f:
        blob = f.read()
    if path.name.endswith(".gz"):
        return _gunzip(blob, path, hint)
    return blob


def _gunzip(blob, where, hint):
    try:
        return gzip.decompress(blob)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{where} is not a valid gzip file ({exc}). {hint}".rstrip()) from None


def _verify(content, name, where, hint):
    expected, size = CHECKSUMS[name]
    got = hashlib.md5(content, usedforsecurity=False).hexdigest()
    if got != expected:
        raise DataError(
            f"{where}: MD5 checksum mismatch: expected {expected}, got {got} "
            f"(uncompressed content is {len(content)} bytes, expected {size}); "
            f"the file is corrupt, truncated, or not the official MNIST file. {hint}".rstrip()
        )


def _parse_idx(content, where, expected_magic, hint):
    total = len(content)
    if total < 4:
        raise DataError(
            f"{where} is truncated: expected at least 4 bytes for the IDX magic number, "
            f"got {total}. {hint}"
        )
    (magic,) = struct.unpack(">I", content[:4])
    if expected_magic is not None and magic != expected_magic:
        raise DataError(
            f"{where} has the wrong magic number: expected 0x{expected_magic:08X}, "
            f"got 0x{magic:08X}. {hint}"
        )
    if magic >> 16 != 0 or (magic >> 8) & 0xFF not in _IDX_DTYPES:
        codes = ", ".join(f"0x{code:02X}" for code in _IDX_DTYPES)
        raise DataError(
            f"{where} has the wrong magic number: expected 0x0000TTNN with type code TT "
            f"one of {codes}, got 0x{magic:08X}. {hint}"
        )
    dtype = _IDX_DTYPES[(magic >> 8) & 0xFF]
    ndim = magic & 0xFF
    offset = 4 + 4 * ndim
    if total < offset:
        raise DataError(
            f"{where} is truncated: expected {offset} header bytes for {ndim} dimensions, "
            f"got {total}. {hint}"
        )
    shape = struct.unpack(f">{ndim}I", content[4:offset])
    count = 1
    for dim in shape:
        count *= dim
    expected_total = offset + count * dtype.itemsize
    if total < expected_total:
        raise DataError(
            f"{where} is truncated: expected {expected_total} bytes from the header "
            f"(shape {shape}), got {total}. {hint}"
        )
    if total > expected_total:
        raise DataError(
            f"{where} has {total - expected_total} bytes of trailing garbage: expected "
            f"{expected_total} bytes from the header (shape {shape}), got {total}. {hint}"
        )
    data = np.frombuffer(content, dtype=dtype, count=count, offset=offset)
    # astype copies: the caller gets a writable array in native byte order
    # that does not keep the decompressed bytes alive.
    return data.astype(dtype.newbyteorder("=")).reshape(shape)


def _unwritable(directory, exc):
    return DataError(
        f"Cannot write MNIST files into {directory} ({exc}). Pass a writable data_dir "
        f"to mnist(), or set {ENV_VAR} to a writable folder (or to one that already "
        f"holds the four files)."
    )


def _download(directory, name):
    """Download ``name`` into ``directory``; return its verified content.

    The file is fetched into memory (at most 10 MB) and checked before a
    byte is written, then written atomically: a failure at any point leaves
    neither a partial file nor litter.
    """
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unwritable(directory, exc) from exc
    final = directory / name
    errors = []
    for mirror in MIRRORS:
        url = (mirror if mirror.endswith("/") else mirror + "/") + name
        try:
            logger.info("Downloading %s to %s", url, final)
            blob = _fetch(url)
            content = _gunzip(blob, url, "")
            _verify(content, name, url, "")
        except Exception as exc:  # pylint: disable=broad-except
            # Whatever went wrong at this mirror (network, HTTP status, bad
            # bytes), the next one may work; every failure is reported if none does.
            logger.info("Download of %s failed: %s", url, exc)
            errors.append((url, exc))
            continue
        try:
            with atomic_write(final) as f:
                f.write(blob)
        except OSError as exc:
            raise _unwritable(directory, exc) from exc
        return content
    tried = "\n".join(f"  {url}: {type(exc).__name__}: {exc}" for url, exc in errors)
    if errors:
        last = f"{type(errors[-1][1]).__name__}: {errors[-1][1]}"
    else:
        last = "none (MIRRORS is empty)"
    raise DataError(
        f"MNIST file {final} is missing and could not be downloaded. URLs tried:\n"
        f"{tried or '  (none)'}\nLast error: {last}\n"
        f"To fix: check the network connection and run again, or {_by_hand(directory)}."
    )


def _fetch(url):
    """The bytes at ``url``, read in chunks so that the timeout applies to
    each read and a dropped connection raises instead of truncating."""
    chunks = []
    with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
        while chunk := response.read(1 << 20):
            chunks.append(chunk)
    return b"".join(chunks)
