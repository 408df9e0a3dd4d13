"""Endless mini-batches of a data set, in the Edward GAN tutorial's order."""

import numpy as np

from gan_infer.util.checks import check_int

__all__ = ["batches"]


def batches(array, batch_size, *, binarize=False, seed=None, labels=None):
    """Yield float32 mini-batches of ``array`` forever, wrapping around its end.

    Batches follow the Edward GAN tutorial's generator: consecutive slices
    ``array[start:start + batch_size]`` and, where a slice runs past the end,
    the rest of the array followed by its beginning. The data is not shuffled.
    Every batch has exactly ``batch_size`` rows, even if ``batch_size`` exceeds
    ``len(array)``.

    Args:
      array: np.ndarray.
        Data with examples along the first axis, at least 1-D and non-empty:
        uint8 (scaled by 1/255), bool, or floating point with values already
        in [0, 1].
      batch_size: int.
        Number of examples per batch, positive.
      binarize: bool, optional.
        If True, each value p becomes 1.0 with probability p and 0.0
        otherwise, drawn afresh for every batch (the tutorial's dynamically
        binarized MNIST).
      labels: np.ndarray, optional.
        One label per example (same length as ``array``). Then each item is
        a pair ``(batch, label_batch)``, the labels in the batch's order and
        dtype (for conditional GANs).
      seed: int, optional.
        Seed for the binarization noise. If None, the noise generator is
        seeded from numpy's global random state when ``batches`` is called,
        so a script that calls ``np.random.seed`` once (or
        ``gan_infer.set_seed``) is reproducible.

    Returns:
      generator.
      An endless generator of new float32 arrays of shape
      ``(batch_size,) + array.shape[1:]``. The generator never writes to an
      array it has yielded, so batches may be kept.

    Raises:
      TypeError: ``batch_size`` is not an int, or ``array`` has an
        unsupported dtype.
      ValueError: ``batch_size`` is not positive, ``array`` is 0-D or empty,
        or a floating-point ``array`` has values outside [0, 1].

    #### Examples

    ```python
    from gan_infer.datasets import batches, mnist

    (x_train, _), _ = mnist()
    x_train_generator = batches(x_train, 128, binarize=True, seed=42)
    x_batch = next(x_train_generator)
    x_batch.shape, x_batch.dtype  # ((128, 784), dtype('float32'))
    ```
    """
    # Not an int at all is a TypeError; an int below 1 a ValueError.
    check_int(batch_size, "batch_size", minimum=None, what="a positive int", error=TypeError)
    batch_size = check_int(batch_size, "batch_size")
    array = np.asarray(array)
    if array.ndim < 1:
        raise ValueError(
            f"array must be at least 1-D with examples along the first axis, "
            f"got a {array.ndim}-D array."
        )
    if array.shape[0] == 0:
        raise ValueError(f"array must hold at least one example, got shape {array.shape}.")
    if labels is not None:
        labels = np.asarray(labels)
        if labels.ndim < 1 or labels.shape[0] != array.shape[0]:
            raise ValueError(
                f"labels must hold one label per example ({array.shape[0]}), got "
                f"shape {labels.shape}."
            )
    fill = _filler(array)
    rng = None
    if binarize:
        # Drawing the seed here, not at the first next(), ties the noise to the
        # global state at the moment the script asked for the generator.
        rng = np.random.default_rng(np.random.randint(2**31) if seed is None else seed)
    # Validation above runs now; the loop below only when batches are drawn.
    return _generate(array, batch_size, fill, rng, labels)


def _filler(array):
    """Return ``fill(out, src)``, writing ``src`` as float32 in [0, 1] into ``out``."""
    if array.dtype == np.uint8:
        scale = np.float32(255)

        def fill(out, src):
            # Divides in float32, as the tutorial's astype(float32) / 255 does,
            # so the values match it exactly.
            np.divide(src, scale, out=out)

        return fill
    if array.dtype == np.bool_ or np.issubdtype(array.dtype, np.floating):
        if array.dtype != np.bool_:
            low, high = array.min(), array.max()
            if not (np.isfinite(low) and np.isfinite(high)):
                bad = int(np.count_nonzero(~np.isfinite(array)))
                raise ValueError(
                    f"array holds {bad} NaN or Inf value(s): one bad value makes every weight "
                    "NaN within a few updates. Remove or impute them first, e.g. "
                    "array[~np.isfinite(array)] = 0."
                )
            if not (low >= 0 and high <= 1):
                raise ValueError(
                    f"Floating-point data must already be scaled to [0, 1], got values in "
                    f"[{low}, {high}]. Scale it first (e.g. divide 0..255 pixels by "
                    f"255), or pass the uint8 array, which is scaled for you."
                )

        def fill(out, src):
            np.copyto(out, src, casting="unsafe")

        return fill
    raise TypeError(
        f"array must be uint8 (0..255), bool, or floating point in [0, 1], got dtype "
        f"{array.dtype}. Convert it, e.g. array.astype(np.uint8) for 0..255 pixels."
    )


def _generate(array, batch_size, fill, rng, labels=None):
    n = array.shape[0]
    shape = (batch_size,) + array.shape[1:]
    if rng is not None:
        # Reused every batch: they never leave the generator.
        uniforms = np.empty(shape, np.float32)
        ones = np.empty(shape, np.bool_)
    start = 0
    while True:
        # A fresh array per batch, since callers may keep the ones yielded.
        out = np.empty(shape, np.float32)
        stop = start + batch_size
        if labels is not None:
            label_batch = np.take(labels, np.arange(start, stop) % n, axis=0)
        if stop <= n:
            fill(out, array[start:stop])
        elif batch_size <= n:
            head = n - start
            fill(out[:head], array[start:])
            fill(out[head:], array[: stop - n])
        else:
            # The batch spans the array more than once.
            fill(out, np.take(array, np.arange(start, stop) % n, axis=0))
        start = stop % n
        if rng is not None:
            # uniform < p is 1 with probability p: a Bernoulli(p) draw, about
            # 10x faster than np.random.binomial.
            rng.random(out=uniforms, dtype=np.float32)
            np.less(uniforms, out, out=ones)
            np.copyto(out, ones)
        yield out if labels is None else (out, label_batch)
