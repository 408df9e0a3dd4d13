"""Pictures of what a GAN learned: sample grids and training curves.

Figures are built with `matplotlib.figure.Figure` directly, not pyplot, so
they need no display, hold no global state and are freed when dropped.
"""
import os

import numpy as np
from matplotlib.figure import Figure

from gan_infer.util.files import atomic_write

__all__ = ["sample_grid", "training_curves", "save_figure"]


def sample_grid(samples, nrows=4, ncols=4, image_shape=(28, 28), cmap="Greys_r", cell_inches=1.0):
    """A grid of images, one sample per cell (the tutorial's 4x4 figure).

    Args:
      samples: array of shape (N, prod(image_shape)) or (N,) + image_shape,
        values in [0, 1]; the first `nrows * ncols` are drawn.
      nrows, ncols: int. Grid size.
      image_shape: (height, width) of one image.

    Returns:
      matplotlib.figure.Figure.

    #### Examples

    ```python
    fig = sample_grid(sess.run(x)[:16])
    save_figure(fig, "out/000.png")
    ```
    """
    samples = np.asarray(samples)
    count = nrows * ncols
    if samples.shape[0] < count:
        raise ValueError(f"sample_grid needs at least {count} samples for a {nrows}x{ncols} grid, "
                         f"got {samples.shape[0]}.")
    pixels = int(np.prod(image_shape))
    if int(np.prod(samples.shape[1:])) != pixels:
        raise ValueError(f"Each sample must have {pixels} values to show as {image_shape} images, "
                         f"got shape {samples.shape[1:]}.")
    fig = Figure(figsize=(ncols * cell_inches, nrows * cell_inches))
    grid = fig.add_gridspec(nrows, ncols, wspace=0.05, hspace=0.05)
    for index in range(count):
        ax = fig.add_subplot(grid[index // ncols, index % ncols])
        ax.imshow(samples[index].reshape(image_shape), cmap=cmap, vmin=0.0, vmax=1.0)
        ax.set_axis_off()
    return fig


def training_curves(history, keys=("loss", "loss_d"), labels=("generator", "discriminator")):
    """Losses (or any recorded quantities) against the iteration.

    Args:
      history: dict with 't' (iterations) and one array per key, e.g. the
        `info_dict`s of `update()` gathered into lists.

    Returns:
      matplotlib.figure.Figure.
    """
    t = np.asarray(history["t"])
    fig = Figure(figsize=(6, 3.5))
    ax = fig.add_subplot()
    for key, label in zip(keys, labels):
        ax.plot(t, np.asarray(history[key]), label=label, linewidth=0.8)
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def save_figure(fig, path, dpi=100):
    """Save `fig` to `path` (format from the extension) atomically."""
    path = os.fspath(path)
    extension = os.path.splitext(path)[1][1:].lower() or "png"
    with atomic_write(path) as handle:
        fig.savefig(handle, format=extension, dpi=dpi, bbox_inches="tight")
