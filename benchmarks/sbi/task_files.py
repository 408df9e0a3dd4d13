"""Reading a task's shipped files: observations, true parameters, reference posteriors.

The files are sbibm's (Lueckmann et al., 2021), one folder per task and
observation: `<root>/<task>/num_observation_<i>/{observation.csv,
true_parameters.csv, reference_posterior_samples.csv.bz2}`, each a CSV with
one header row. The root is `$GAN_INFER_SBIBM_DIR`, else
`../shared/datasets/sbibm` beside the checkout.
"""

import os

import numpy as np

__all__ = ["data_root", "read_rows", "NUM_OBSERVATIONS"]

NUM_OBSERVATIONS = 10
_DEFAULT_ROOT = os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "datasets")


def data_root():
    """The folder holding one subfolder per task."""
    return os.environ.get("GAN_INFER_SBIBM_DIR") or os.path.normpath(
        os.path.join(_DEFAULT_ROOT, "sbibm")
    )


def read_rows(task, i, stem):
    """The rows of `<task>/num_observation_<i>/<stem>.csv[.bz2]` as float32 [n, k]."""
    if not isinstance(i, (int, np.integer)) or not 1 <= i <= NUM_OBSERVATIONS:
        raise ValueError(f"{task}: observations are numbered 1..{NUM_OBSERVATIONS}, got {i!r}.")
    folder = os.path.join(data_root(), task, f"num_observation_{i}")
    for name in (stem + ".csv", stem + ".csv.bz2"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            return np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2, dtype=np.float32)
    raise FileNotFoundError(
        f"{task}: no {stem}.csv[.bz2] in {folder}; set GAN_INFER_SBIBM_DIR to the folder "
        "holding sbibm's task files."
    )


def shipped_files(task):
    """The protocol's `observation(i)`, `reference_posterior(i)` and
    `true_parameters(i)` of a task whose files ship in `data_root()`."""

    def observation(i):
        return read_rows(task, i, "observation")[0]

    def reference_posterior(i):
        return read_rows(task, i, "reference_posterior_samples")

    def true_parameters(i):
        return read_rows(task, i, "true_parameters")[0]

    return observation, reference_posterior, true_parameters
