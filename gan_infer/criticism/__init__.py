"""Criticism: judging what a GAN learned from its samples (arrays in,
numbers and figures out). Never imports the inference code."""
from gan_infer.criticism.plots import sample_grid, save_figure, training_curves

__all__ = ["sample_grid", "save_figure", "training_curves"]
