"""Your own images: a folder of PNG/JPEG files, a .npy or a .npz file, as one array.

``images(path)`` returns float32 images of shape [N, H, W, C] with values in
[0, 1], C = 1 (grey) or 3 (colour), ready for a GAN whose generator ends in a
sigmoid. Files are decoded with Pillow, the image library matplotlib itself
depends on (so nothing new to install): it reads PNG (8- and 16-bit, palette,
alpha) and JPEG, turns photos upright from their EXIF orientation, converts
between grey and colour, and resizes with antialiasing; TensorFlow's decoders
would make loading data pay for a TensorFlow import, which
``gan_infer.datasets`` never does.

#### Examples

```python
import numpy as np
from PIL import Image

from gan_infer.datasets import images

for i in range(3):
    Image.fromarray(np.full((40, 30), 80 * i, np.uint8)).save(f"face_{i}.png")
x = images(".", size=32)          # the three PNGs of this folder, centre-cropped and resized
x.shape, x.dtype                  # ((3, 32, 32, 1), dtype('float32'))
```
"""

import os
import warnings
from pathlib import Path

import numpy as np

from gan_infer.datasets.array_files import as_unit_images, read_array
from gan_infer.datasets.mnist import DataError
from gan_infer.util.checks import check_int

__all__ = ["IMAGE_SUFFIXES", "count_images", "images"]

#: File name endings read as images (any case); other files in a folder are ignored.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def images(path, size=None, channels=None, key=None, background=None):
    """Images from a folder, an array file or one image file: float32 [N, H, W, C] in [0, 1].

    - A folder: every ``.png``, ``.jpg`` and ``.jpeg`` file below it (its
      sub-folders too), in sorted path order; other files, and hidden ones
      (a name starting with "."), are ignored.
      8-bit pixels are divided by 255, 16-bit ones by 65535. A photo is
      turned upright as its EXIF orientation says (``ImageOps.exif_transpose``:
      a phone's portraits are stored sideways). An image with transparent
      pixels is composited onto ``background``: c = a * colour + (1 - a) *
      background, a the alpha in [0, 1], so the colour hidden under a
      transparent pixel never shows.
    - A ``.npy`` or ``.npz`` file (see ``arrays.read_array``, ``key``):
      shapes (N, H, W), (N, H, W, C) with C = 1 or 3, or (N, s*s) (square
      grey images, e.g. MNIST's rows of 784); uint8 pixels are divided by
      255, floats must already lie in [0, 1].
    - One PNG or JPEG file: an array of one image.

    With ``size``, each image is centre-cropped to a square and resized to
    ``size`` x ``size`` pixels (box filter when shrinking, bicubic when
    growing). Without it, all images must have one size.

    Args:
      path: str or os.PathLike. ``~`` is expanded.
      size: int, optional. The side, in pixels, to resize every image to.
      channels: None, 1 or 3. 1 converts colour to grey (luma
        0.299 R + 0.587 G + 0.114 B), 3 repeats grey into three channels;
        None keeps the data's: grey if every image is grey, else colour.
      key: str, optional. The array of a .npz file.
      background: None, a grey level in [0, 1] (1.0 is white) or an (r, g,
        b) triple in [0, 1]: what transparent pixels show. None is white,
        as a viewer shows them, with a warning naming the images (that
        choice changes the data).

    Returns:
      np.ndarray, float32, shape [N, H, W, C], values in [0, 1].

    Raises:
      DataError: naming the path or file: it does not exist or is not a
        folder, an array file or an image; a folder without images; a file
        that cannot be decoded; images of different sizes without ``size``;
        an array file that is empty, text, truncated or holds objects; values
        outside the range of pixel intensities.
      ValueError: ``size`` not a positive int, ``channels`` not None, 1 or 3,
        ``background`` not a grey level or a colour in [0, 1].

    Warns:
      UserWarning: images with transparent pixels and no ``background``
        (they are composited onto white): how many, and the first.

    #### Examples

    ```python
    np.save("pixels.npy", np.random.default_rng(0).integers(0, 256, (10, 32, 32, 3), np.uint8))
    x = images("pixels.npy", channels=1)       # (10, 32, 32, 1), grey
    x = images("pixels.npy", size=28)          # (10, 28, 28, 3), resized
    ```
    """
    size = check_int(size, "size", allow_none=True)
    if channels not in (None, 1, 3):
        raise ValueError(f"channels must be None, 1 or 3, got {channels!r}.")
    matte = _background(background)
    path, files = _image_files(path)
    if files is not None:
        return _from_files(files, path, size, channels, matte, background is None)
    array = as_unit_images(read_array(path, key), path)
    if channels is not None:
        array = _with_channels(array, channels)
    if size is None or array.shape[1:3] == (size, size):
        return array
    return _resized_array(array, size)


def count_images(path, key=None):
    """How many images ``images(path, key=key)`` returns, without decoding
    them: a folder is listed; of an array file, its rows (a file ``images``
    would refuse for its shape or values is counted all the same).

    Raises:
      DataError: as ``images``, for a path that holds no images.

    #### Examples

    ```python
    np.save("pixels.npy", np.zeros((7, 8, 8), np.uint8))
    assert count_images("pixels.npy") == 7
    ```
    """
    path, files = _image_files(path)
    if files is not None:
        return len(files)
    return len(read_array(path, key))


def _image_files(path):
    """(path, its image files in sorted order), or (path, None) for an array
    file; DataError for a path that is neither."""
    path = Path(os.path.expanduser(os.fspath(path)))
    if path.is_dir():
        # Hidden files and folders are skipped: macOS's "._name.png" companions
        # and .ipynb_checkpoints copies are not images of the data set.
        files = sorted(
            p
            for p in path.rglob("*")
            if p.suffix.lower() in IMAGE_SUFFIXES
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
            and p.is_file()
        )
        if not files:
            raise DataError(
                f"{path} holds no PNG or JPEG images (searched recursively; other files are "
                "ignored)."
            )
        return path, files
    if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
        return path, [path]
    if path.is_file() and path.suffix.lower() in (".npy", ".npz"):
        return path, None
    if not path.exists():
        raise DataError(f"{path} does not exist: give a folder of PNG/JPEG images, a .npy or .npz.")
    raise DataError(f"{path} is not a folder, a .npy or .npz file, or a PNG/JPEG image.")


def _background(background):
    """`background` as float32 RGB in [0, 1] (None: white); ValueError otherwise."""
    value = np.asarray(1.0 if background is None else background, np.float64)
    if value.shape not in ((), (3,)) or not np.all((value >= 0) & (value <= 1)):
        raise ValueError(
            f"background must be a grey level in [0, 1] (1.0 is white) or an (r, g, b) triple "
            f"in [0, 1], got {background!r}."
        )
    return np.broadcast_to(value, (3,)).astype(np.float32)


def _from_files(files, root, size, channels, matte, warn):
    """Decode, convert and stack image files; DataError naming the file at fault."""
    decoded = [_decode(file, size, matte) for file in files]
    transparent = [file for file, (_, _, composited) in zip(files, decoded) if composited]
    if transparent and warn:
        warnings.warn(
            f"{len(transparent)} of the {len(files)} images of {root} have transparent pixels "
            f"(the first: {transparent[0]}); they are composited onto white, as a viewer shows "
            "them. Pass background= (a grey level or an (r, g, b) triple in [0, 1]) to choose "
            "another, or flatten the images yourself.",
            stacklevel=3,
        )
    if channels is None:
        channels = 3 if any(image.shape[-1] == 3 for image, _, _ in decoded) else 1
    shapes = {}
    for (image, _, _), file in zip(decoded, files):
        shapes.setdefault(image.shape[:2], file)
    if len(shapes) > 1:
        (first, one), (second, other) = list(shapes.items())[:2]
        raise DataError(
            f"The images of {root} have different sizes ({one} is {first[1]}x{first[0]}, "
            f"{other} is {second[1]}x{second[0]} pixels); pass size= to resize them all to "
            "one side (gan-infer: --image-size)."
        )
    height, width = next(iter(shapes))
    out = np.empty((len(files), height, width, channels), np.float32)
    for row, (image, scale, _) in enumerate(decoded):
        out[row] = _with_channels(np.divide(image, np.float32(scale), dtype=np.float32), channels)
    # Bicubic interpolation of 16-bit images (resized as floats) overshoots at edges.
    return np.clip(out, 0.0, 1.0, out=out)


def _decode(file, size, matte):
    """(pixels [H, W, 1 or 3], full scale, whether transparent pixels were
    composited onto `matte`) of one image file, upright, resized if `size`."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(file) as image:
            image.load()
            image = ImageOps.exif_transpose(image)
            grey = image.mode in ("1", "L", "LA", "La") or _grey_palette(image)
            image, composited = _composited(image, matte, grey)
            if grey:
                image = image.convert("L")
            elif image.mode != "F" and not image.mode.startswith("I"):
                image = image.convert("RGB")  # colour, palette, CMYK
            # 16-bit PNGs open as "I;16" (or "I"); "F" is float already.
            scale = {"L": 255.0, "RGB": 255.0, "F": 1.0}.get(image.mode, 65535.0)
            if size is not None:
                image = _resize(image, size)
            pixels = np.asarray(image)
    except (OSError, ValueError, UnidentifiedImageError, Image.DecompressionBombError) as error:
        raise DataError(
            f"{file} cannot be read as an image ({error}); replace it, or move it out of the "
            "folder."
        ) from None
    if pixels.ndim == 2:
        pixels = pixels[..., None]
    return pixels, scale, composited


def _composited(image, matte, grey):
    """(`image` over the colour `matte`, True) if it has transparent pixels,
    else (`image`, False). Alpha is 8-bit in every mode Pillow gives it."""
    from PIL import Image

    if not image.has_transparency_data:
        return image, False
    rgba = np.asarray(image.convert("RGBA"), np.float32) / 255.0
    alpha = rgba[..., 3:]
    if alpha.min() == 1.0:
        return image, False
    rgb = alpha * rgba[..., :3] + (1.0 - alpha) * matte
    if grey:  # a grey image over a colour: the luma of the result
        return Image.fromarray(
            np.round(_with_channels(rgb, 1)[..., 0] * 255).astype(np.uint8)
        ), True
    return Image.fromarray(np.round(rgb * 255).astype(np.uint8)), True


def _grey_palette(image):
    """Whether a palette image only uses grey colours (then it is read as grey)."""
    if image.mode not in ("P", "PA"):
        return False
    rgb = np.asarray(image.convert("RGB"))
    return bool(np.all(rgb[..., 0] == rgb[..., 1]) and np.all(rgb[..., 1] == rgb[..., 2]))


def _resize(image, size):
    """`image` centre-cropped to a square, then resized to size x size."""
    from PIL import Image

    width, height = image.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    image = image.crop((left, top, left + side, top + side))
    if side == size:
        return image
    # A box filter averages the pixels each output pixel covers (no ringing)
    # when shrinking; bicubic interpolation is smoother when growing.
    method = Image.Resampling.BOX if size < side else Image.Resampling.BICUBIC
    if image.mode.startswith("I"):
        image = image.convert("F")  # Pillow resizes 32-bit floats, not 16-bit integers
    return image.resize((size, size), method)


def _resized_array(array, size):
    """Float images [N, H, W, C] in [0, 1], each channel resized with `_resize`."""
    from PIL import Image

    out = np.empty((len(array), size, size, array.shape[-1]), np.float32)
    for row, image in enumerate(array):
        for channel in range(array.shape[-1]):
            out[row, ..., channel] = _resize(Image.fromarray(image[..., channel], "F"), size)
    # Bicubic interpolation overshoots at edges.
    return np.clip(out, 0.0, 1.0, out=out)


def _with_channels(image, channels):
    """Images [..., C] with `channels` channels: luma of colour, or grey repeated."""
    if image.shape[-1] == channels:
        return image
    if channels == 3:
        return np.repeat(image, 3, axis=-1)
    luma = np.array([0.299, 0.587, 0.114], np.float32)
    return (image @ luma)[..., None].astype(np.float32)
