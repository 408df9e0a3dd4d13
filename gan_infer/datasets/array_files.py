"""Array files (.npy, .npz) read safely, and arrays of images checked and scaled to [0, 1].

``read_array`` never unpickles (a .npy of Python objects could run code when
loaded) and turns numpy's errors about a bad file into a ``DataError`` that
names the file. ``as_unit_images`` turns a numeric array into float32 images
[N, H, W, C] in [0, 1], refusing values that are not pixel intensities.

#### Examples

```python
import numpy as np

from gan_infer.datasets.array_files import as_unit_images, read_array

np.save("digits.npy", np.zeros((5, 28, 28), np.uint8))
x = as_unit_images(read_array("digits.npy"), "digits.npy")
x.shape, x.dtype  # ((5, 28, 28, 1), dtype('float32'))
```
"""

import math
import os
import zipfile
from pathlib import Path

import numpy as np

from gan_infer.datasets.mnist import DataError

__all__ = ["NPZ_KEYS", "as_unit_images", "read_array"]

#: The array `read_array` takes from a .npz file of several, without `key`: the first present.
NPZ_KEYS = ("images", "x", "x_train", "arr_0")

_NPY_MAGIC = b"\x93NUMPY"
# A zip file starts with a local file header, or (empty) the end-of-directory record.
_ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")


def read_array(path, key=None):
    """The numeric array in a .npy or .npz file, read without unpickling.

    Args:
      path: str or os.PathLike. A file written by ``np.save`` (.npy) or
        ``np.savez`` / ``np.savez_compressed`` (.npz); the content decides,
        not the name. ``~`` is expanded.
      key: str, optional. The array of a .npz file. Without it: the only
        array, else the first of ``NPZ_KEYS`` present.

    Returns:
      np.ndarray of a numeric or bool dtype.

    Raises:
      DataError: naming the file: it is missing, empty, not a .npy/.npz file
        (e.g. text), truncated, holds Python objects or non-numbers, or the
        .npz holds no array `key` / several without one of ``NPZ_KEYS``.

    #### Examples

    ```python
    np.savez("data.npz", images=np.ones((3, 8, 8)), labels=np.arange(3))
    read_array("data.npz").shape  # (3, 8, 8): the array called images
    read_array("data.npz", key="labels").tolist()  # [0, 1, 2]
    ```
    """
    path = Path(os.path.expanduser(os.fspath(path)))
    if not path.is_file():
        raise DataError(f"{path} does not exist or is not a file.")
    with open(path, "rb") as handle:
        start = handle.read(len(_NPY_MAGIC))
    if not start:
        raise DataError(f"{path} is empty (0 bytes): not a .npy or .npz file.")
    if not start.startswith(_ZIP_MAGICS) and start != _NPY_MAGIC:
        raise DataError(
            f"{path} is not a numpy .npy or .npz file (it starts with {start!r}); "
            "write arrays with np.save or np.savez."
        )
    try:
        loaded = np.load(path, allow_pickle=False)
        if isinstance(loaded, np.lib.npyio.NpzFile):
            with loaded:
                array = loaded[_npz_key(loaded.files, key, path)]
        else:
            array = loaded
    except DataError:
        raise
    except ValueError as error:
        if "Object arrays cannot be loaded" in str(error):
            raise DataError(
                f"{path} holds Python objects (dtype object), which are not loaded: unpickling "
                "can run code. Save a numeric array instead, e.g. "
                "np.save(path, x.astype(np.float32))."
            ) from None
        raise DataError(f"{path} is truncated or corrupt ({error}).") from None
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise DataError(f"{path} is truncated or corrupt ({error}).") from None
    if array.dtype.kind not in "biuf":
        raise DataError(f"{path} holds {array.dtype} values, not numbers.")
    return array


def _npz_key(names, key, path):
    if key is not None:
        if key not in names:
            raise DataError(f"{path} has no array {key!r}; it holds {', '.join(names) or 'none'}.")
        return key
    if len(names) == 1:
        return names[0]
    for name in NPZ_KEYS:
        if name in names:
            return name
    raise DataError(
        f"{path} holds the arrays {', '.join(names) or '(none)'}: pass key= with the one to "
        f"use (without it, the only array is used, or the first of {', '.join(NPZ_KEYS)})."
    )


def as_unit_images(array, source):
    """`array` as float32 images [N, H, W, C] in [0, 1], C = 1 or 3.

    Shapes: (N, H, W) and (N, H, W, 1) are grey, (N, H, W, 3) colour, and
    (N, D) with D a square s * s grey s x s images (MNIST's rows of 784).
    A 3-D array whose last axis is 1, 3 or 4 is refused rather than guessed
    at: (64, 64, 3) is one colour image far more often than 64 grey images
    of 64 x 3 pixels, and the message says how to save either.
    Values: uint8 are divided by 255, uint16 by 65535, other integers must
    lie in 0..255 (and are divided by 255), bools are 0 or 1, and floats
    must already lie in [0, 1]. Integers that are all 0 or 1 are refused:
    binary images saved as integers would read as 0..255 pixels, all but
    black (save them as bool).

    Args:
      array: np.ndarray (numeric or bool).
      source: what the array came from (a path), for the error messages.

    Raises:
      DataError: naming `source`: no images, a shape that is not images
        (channels first, or an alpha channel: the message says what to do),
        one image without its batch axis, NaN or infinite values, values
        outside the range of pixel intensities, integers that are all 0 or 1.
    """
    array = np.asarray(array)
    shape = array.shape
    if array.ndim == 3 and shape[-1] in (1, 3, 4):
        raise DataError(
            f"{source} holds an array of shape {shape}: one image of {shape[0]}x{shape[1]} "
            f"pixels with {shape[-1]} channels, or {shape[0]} grey images of "
            f"{shape[2]}x{shape[1]} pixels? Save one image with its batch axis, x[None] "
            f"(shape (1, {shape[0]}, {shape[1]}, {shape[2]})); save grey images as "
            f"(N, H, W, 1), x[..., None]."
        )
    if array.ndim == 2 and math.isqrt(shape[1]) ** 2 == shape[1] and shape[1] > 0:
        side = math.isqrt(shape[1])
        array = array.reshape(len(array), side, side, 1)
    elif array.ndim == 3:
        array = array[..., None]
    if array.ndim != 4 or array.shape[-1] not in (1, 3) or 0 in array.shape[1:]:
        hint = ""
        if array.ndim == 4 and array.shape[1] in (1, 3):
            hint = " (channels first? move them last with np.moveaxis(x, 1, -1))"
        elif array.ndim == 4 and array.shape[-1] in (2, 4):
            hint = (
                " (an alpha channel? composite the images onto a background first, e.g. "
                "colour * alpha + (1 - alpha) for white, with alpha in [0, 1])"
            )
        raise DataError(
            f"{source} holds an array of shape {shape}: expected images (N, H, W), "
            f"(N, H, W, C) with C = 1 or 3, or (N, s*s) square grey images{hint}."
        )
    if len(array) == 0:
        raise DataError(f"{source} holds no images (shape {shape}).")
    return _unit_range(array, source)


def _unit_range(array, source):
    """float32 values in [0, 1] from pixels of any numeric dtype."""
    if array.dtype == np.bool_:
        return array.astype(np.float32)
    low, high = array.min(), array.max()
    if array.dtype.kind in "iu" and low >= 0 and high == 1:
        raise DataError(
            f"{source} holds {array.dtype} values that are all 0 or 1: read as pixels "
            f"(0..{65535 if array.dtype == np.uint16 else 255}) they would "
            "be all but black. If these are binary images, save them as bool, x.astype(bool), "
            "which reads as 0 and 1."
        )
    if array.dtype == np.uint8:
        return np.divide(array, np.float32(255), dtype=np.float32)
    if array.dtype == np.uint16:
        return np.divide(array, np.float32(65535), dtype=np.float32)
    if array.dtype.kind in "iu":
        if low < 0 or high > 255:
            raise DataError(
                f"{source} holds integers in [{low}, {high}]: expected pixels in 0..255 "
                "(uint16 arrays may use 0..65535)."
            )
        return np.divide(array, np.float32(255), dtype=np.float32)
    if not (np.isfinite(low) and np.isfinite(high)):
        raise DataError(f"{source} holds NaN or infinite values.")
    if low < 0 or high > 1:
        raise DataError(
            f"{source} holds values in [{low:.4g}, {high:.4g}], outside [0, 1]. Scale them "
            "first: x / 255 for 0..255 pixels, (x + 1) / 2 for values in [-1, 1]."
        )
    return array.astype(np.float32, copy=False)
