"""Criticism: judging what a GAN learned from its samples (arrays in, numbers and figures out)."""
