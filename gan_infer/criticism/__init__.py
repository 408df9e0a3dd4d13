"""Criticism: judging what a GAN learned from its samples (arrays in,
numbers and figures out). Never imports the inference code."""

from gan_infer.criticism.c2st import c2st
from gan_infer.criticism.monitor import Monitor, draw_samples
from gan_infer.criticism.plots import (
    animate_1d,
    animate_2d,
    fit_figure_1d,
    history_figure,
    interpolation_grid,
    latent_interpolation,
    sample_grid,
    save_figure,
    training_curves,
)

__all__ = [
    "c2st",
    "Monitor",
    "draw_samples",
    "animate_1d",
    "animate_2d",
    "fit_figure_1d",
    "history_figure",
    "interpolation_grid",
    "latent_interpolation",
    "sample_grid",
    "save_figure",
    "training_curves",
]
