"""Shared fixtures: every test builds its graph in a fresh default graph."""

import os
import pathlib

import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow.compat.v1 as tf  # noqa: E402

tf.disable_eager_execution()

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED_MNIST = REPO_ROOT.parent / "shared" / "datasets" / "mnist"


@pytest.fixture(autouse=True)
def fresh_graph():
    """A new default graph (and so a new gan_infer session) per test."""
    graph = tf.Graph()
    with graph.as_default():
        yield graph


@pytest.fixture
def mnist_dir():
    if not (SHARED_MNIST / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"the MNIST files are not at {SHARED_MNIST}")
    return SHARED_MNIST
