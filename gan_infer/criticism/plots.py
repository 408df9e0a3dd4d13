"""Pictures of what a GAN learned: sample grids, nearest training images,
latent interpolations, training curves and animations of toy fits.

Figures are built with `matplotlib.figure.Figure` directly, not pyplot, so
they need no display, hold no global state and are freed when dropped.
Animations use matplotlib's own `FuncAnimation` and `PillowWriter` (GIF).
"""

import os
import tempfile

import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.figure import Figure

from gan_infer.util.files import atomic_write

__all__ = [
    "sample_grid",
    "interpolation_grid",
    "latent_interpolation",
    "training_curves",
    "history_figure",
    "fit_figure_1d",
    "animate_1d",
    "animate_2d",
    "save_figure",
]


def _images(samples, image_shape, what="samples"):
    samples = np.asarray(samples)
    pixels = int(np.prod(image_shape))
    if samples.ndim < 1 or int(np.prod(samples.shape[1:])) != pixels:
        raise ValueError(
            f"Each of the {what} must have {pixels} values to show as {image_shape} "
            f"images, got shape {samples.shape[1:]}."
        )
    return samples.reshape((-1,) + tuple(image_shape))


def sample_grid(
    samples,
    nrows=4,
    ncols=4,
    image_shape=(28, 28),
    cmap="Greys_r",
    cell_inches=1.0,
    neighbours=None,
):
    """A grid of images, one sample per cell (the tutorial's 4x4 figure).

    Args:
      samples: array of shape (N, prod(image_shape)) or (N,) + image_shape,
        values in [0, 1]; the first `nrows * ncols` are drawn row by row.
      nrows, ncols: int. Grid size.
      image_shape: (height, width) of one image.
      neighbours: array of `nrows` images, optional. Drawn as an extra
        right-hand column framed in yellow: the nearest training image of
        the last sample of each row (Goodfellow et al., 2014, Figure 1),
        which shows whether the model copies its training set. Compute them
        with `gan_infer.criticism.nearest_neighbours`.

    Returns:
      matplotlib.figure.Figure.

    #### Examples

    ```python
    samples = sess.run(x)
    fig = sample_grid(samples[:16])
    save_figure(fig, "out/000.png")
    ```
    """
    images = _images(samples, image_shape)
    count = nrows * ncols
    if images.shape[0] < count:
        raise ValueError(
            f"sample_grid needs at least {count} samples for a {nrows}x{ncols} grid, "
            f"got {images.shape[0]}."
        )
    extra = 0
    if neighbours is not None:
        neighbours = _images(neighbours, image_shape, "neighbours")
        if neighbours.shape[0] != nrows:
            raise ValueError(
                f"neighbours must hold one image per row ({nrows}), got {neighbours.shape[0]}."
            )
        extra = 1
    fig = Figure(figsize=((ncols + extra) * cell_inches, nrows * cell_inches))
    grid = fig.add_gridspec(nrows, ncols + extra, wspace=0.05, hspace=0.05)
    for index in range(count):
        ax = fig.add_subplot(grid[index // ncols, index % ncols])
        ax.imshow(images[index], cmap=cmap, vmin=0.0, vmax=1.0)
        ax.set_axis_off()
    for row in range(nrows if extra else 0):
        ax = fig.add_subplot(grid[row, ncols])
        ax.imshow(neighbours[row], cmap=cmap, vmin=0.0, vmax=1.0)
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_edgecolor("gold")
            spine.set_linewidth(2.5)
    return fig


def latent_interpolation(z_start, z_end, steps=10, spherical=False):
    """Points on the way from `z_start` to `z_end` (arrays of the same shape).

    Linear: z(a) = (1 - a) z_start + a z_end for a in [0, 1]. Spherical
    (slerp) keeps the norm profile of high-dimensional Gaussian noise:
    z(a) = sin((1 - a) w) / sin(w) z_start + sin(a w) / sin(w) z_end, with w
    the angle between the two (per row when the inputs are batches).

    Returns:
      array of shape (steps,) + z_start.shape; feed it to the noise random
      variable: `sess.run(x, {eps: path[:, i]})`.
    """
    z_start, z_end = np.asarray(z_start, np.float64), np.asarray(z_end, np.float64)
    if z_start.shape != z_end.shape:
        raise ValueError(
            f"z_start and z_end must have the same shape, got {z_start.shape} and {z_end.shape}."
        )
    if steps < 2:
        raise ValueError(f"steps must be at least 2, got {steps}.")
    alphas = np.linspace(0.0, 1.0, steps).reshape((steps,) + (1,) * z_start.ndim)
    if not spherical:
        return (1 - alphas) * z_start + alphas * z_end
    unit_start = z_start / np.linalg.norm(z_start, axis=-1, keepdims=True)
    unit_end = z_end / np.linalg.norm(z_end, axis=-1, keepdims=True)
    omega = np.arccos(np.clip(np.sum(unit_start * unit_end, axis=-1, keepdims=True), -1, 1))
    sin_omega = np.sin(omega)
    # Nearly parallel vectors: slerp degenerates to lerp.
    safe = np.where(sin_omega < 1e-8, 1.0, sin_omega)
    slerp = (np.sin((1 - alphas) * omega) * z_start + np.sin(alphas * omega) * z_end) / safe
    return np.where(sin_omega < 1e-8, (1 - alphas) * z_start + alphas * z_end, slerp)


def interpolation_grid(images, image_shape=(28, 28), cmap="Greys_r", cell_inches=0.8):
    """Rows of images along latent interpolations (Goodfellow et al., 2014, Figure 2).

    Args:
      images: array (rows, steps, prod(image_shape)) — one interpolation per row.
    """
    images = np.asarray(images)
    if images.ndim < 3:
        raise ValueError(f"images must be (rows, steps, pixels), got shape {images.shape}.")
    rows, steps = images.shape[:2]
    flat = _images(images.reshape((rows * steps,) + images.shape[2:]), image_shape)
    return sample_grid(flat, rows, steps, image_shape, cmap, cell_inches)


def history_figure(history, panels, xlabel="iteration", width=7.0, panel_height=2.4):
    """Recorded quantities against the iteration, one panel per group.

    Args:
      history: dict with 't' and one sequence per recorded name (e.g.
        `Monitor.history`).
      panels: dict panel title -> list of names, or of (name, label) pairs.

    #### Examples

    ```python
    fig = history_figure(monitor.history, {
        "losses": [("loss", "generator"), ("loss_d", "discriminator")],
        "discriminator": [("d_real", "mean D(real)"), ("d_fake", "mean D(fake)")]})
    ```
    """
    t = np.asarray(history["t"])
    fig = Figure(figsize=(width, panel_height * len(panels)))
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    for ax, (title, names) in zip(axes, panels.items()):
        for entry in names:
            name, label = (entry, entry) if isinstance(entry, str) else entry
            if name not in history:
                raise KeyError(f"{name!r} was not recorded; recorded: {sorted(history)}.")
            ax.plot(t, np.asarray(history[name]), label=label, linewidth=0.9)
        ax.set_title(title, fontsize=10)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8)
    axes[-1].set_xlabel(xlabel)
    fig.tight_layout()
    return fig


def training_curves(history, keys=("loss", "loss_d"), labels=("generator", "discriminator")):
    """Generator and discriminator losses against the iteration."""
    return history_figure(history, {"losses": list(zip(keys, labels))}, width=6.0, panel_height=3.5)


def _save_animation(animation, path, fps):
    path = os.fspath(path)
    # PillowWriter writes by file name; render beside the target, then swap
    # it in atomically.
    directory = os.path.dirname(path) or "."
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=".anim.", suffix=".gif")
    os.close(handle)
    try:
        animation.save(temporary, writer=PillowWriter(fps=fps))
        with open(temporary, "rb") as rendered, atomic_write(path) as target:
            target.write(rendered.read())
    finally:
        os.unlink(temporary)


def _model_density(samples, grid, bandwidth, collapsed_height):
    from scipy.stats import gaussian_kde

    samples = np.asarray(samples, np.float64).ravel()
    if np.ptp(samples) > 0:
        # A bandwidth in x units, not scipy's rule of thumb: that rule scales
        # with the samples' std and smears a two-mode fit into one bump.
        bandwidth = (grid[-1] - grid[0]) / 60 if bandwidth is None else bandwidth
        return gaussian_kde(samples, bw_method=bandwidth / samples.std(ddof=1))(grid)
    # A collapsed generator puts all its mass at one point: draw a spike.
    nearest = np.argmin(np.abs(grid - samples[0]))
    return np.where(nearest == np.arange(grid.size), collapsed_height, 0.0)


class _Fit1D:
    """One axes showing data density, model density (KDE) and D(x)."""

    def __init__(self, fig, grid, data_density, title, bandwidth):
        self.grid = np.asarray(grid, np.float64)
        self.title, self.bandwidth = title, bandwidth
        self.top = max(float(np.max(data_density)) * 1.5, 1.05)
        ax = fig.add_subplot()
        ax.plot(self.grid, data_density, label="data", color="C0")
        (self.model_line,) = ax.plot(
            self.grid, np.zeros_like(self.grid), label="model (KDE)", color="C1"
        )
        (self.d_line,) = ax.plot(self.grid, np.zeros_like(self.grid), label="D(x)", color="C2")
        ax.set_ylim(0, self.top)
        ax.set_xlim(self.grid[0], self.grid[-1])
        ax.set_xlabel("x")
        ax.legend(loc="upper right", fontsize=8)
        self.heading = ax.set_title(title)

    def draw(self, frame):
        self.model_line.set_ydata(
            _model_density(frame["samples"], self.grid, self.bandwidth, self.top)
        )
        self.d_line.set_ydata(np.asarray(frame["d"]).ravel())
        self.heading.set_text(f"{self.title} — iteration {frame['t']}")
        return self.model_line, self.d_line, self.heading


def fit_figure_1d(frame, grid, data_density, title="1-D GAN", bandwidth=None):
    """One frame of `animate_1d` as a still figure (e.g. the final fit)."""
    fig = Figure(figsize=(6, 3.5))
    _Fit1D(fig, grid, data_density, title, bandwidth).draw(frame)
    return fig


def animate_1d(frames, grid, data_density, path, fps=4, bandwidth=None, title="1-D GAN"):
    """Animate a 1-D fit: data density, model density and D(x), frame by frame
    (the blog's animation), as a GIF.

    Args:
      frames: list of dicts with 't' (iteration), 'samples' (model samples,
        1-D array) and 'd' (discriminator probabilities D(x) on `grid`), e.g.
        `Monitor.frames()`.
      grid: 1-D array of x values.
      data_density: 1-D array, the data's density on `grid`.
      path: where the GIF goes (written atomically).
      bandwidth: Gaussian KDE bandwidth for the model density, in x units
        (default: 1/60 of the grid's width).
    """
    if not frames:
        raise ValueError("animate_1d needs at least one frame.")
    fig = Figure(figsize=(6, 3.5))
    fit = _Fit1D(fig, grid, data_density, title, bandwidth)
    _save_animation(
        FuncAnimation(fig, lambda index: fit.draw(frames[index]), frames=len(frames), blit=False),
        path,
        fps,
    )


def animate_2d(frames, data_samples, path, fps=4, limits=None, title="2-D GAN"):
    """Animate a 2-D fit: data and model samples as scatter plots per frame.

    Args:
      frames: list of dicts with 't' and 'samples' ((n, 2) model samples).
      data_samples: (m, 2) data points drawn in the background.
      limits: ((xmin, xmax), (ymin, ymax)); default from the data.
    """
    if not frames:
        raise ValueError("animate_2d needs at least one frame.")
    data_samples = np.asarray(data_samples)
    if limits is None:
        low, high = data_samples.min(0), data_samples.max(0)
        margin = 0.25 * (high - low) + 1e-6
        limits = (
            (low[0] - margin[0], high[0] + margin[0]),
            (low[1] - margin[1], high[1] + margin[1]),
        )
    fig = Figure(figsize=(4.5, 4.5))
    ax = fig.add_subplot()
    ax.scatter(data_samples[:, 0], data_samples[:, 1], s=4, alpha=0.3, label="data", color="C0")
    model = ax.scatter([], [], s=4, alpha=0.6, label="model", color="C1")
    ax.set_xlim(*limits[0])
    ax.set_ylim(*limits[1])
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=8)
    heading = ax.set_title(title, fontsize=9)
    fig.tight_layout()

    def draw(index):
        model.set_offsets(np.asarray(frames[index]["samples"])[:, :2])
        heading.set_text(f"{title} — iteration {frames[index]['t']}")
        return model, heading

    _save_animation(FuncAnimation(fig, draw, frames=len(frames), blit=False), path, fps)


def save_figure(fig, path, dpi=100):
    """Save `fig` to `path` (format from the extension, PNG by default) atomically."""
    path = os.fspath(path)
    extension = os.path.splitext(path)[1][1:].lower() or "png"
    with atomic_write(path) as handle:
        fig.savefig(handle, format=extension, dpi=dpi, bbox_inches="tight")
