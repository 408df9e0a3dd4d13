"""The command line's models are the examples' models: one recipe, two ways to run it.

Each model names the example command it reproduces (`Model.example`). The
test below runs that command, unchanged, up to `GANInference.initialize`,
and `gan-infer train` with the model's defaults up to the same point, and
compares what reached the inference on both sides: the batch size, every
Adam optimizer's settings, initialize's arguments (loss, gradient penalty,
weight average, discriminator steps, n_iter, n_print), every trainable
variable's name and shape, and the operations of the generator and the
discriminator. Changing a network or a default on one side only fails it.
"""

import collections
import inspect
import runpy
import shlex
import sys

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
from scipy.cluster import vq

import gan_infer as ed
from gan_infer import cli, datasets
from gan_infer.cli import dcgan, named_gans
from gan_infer.inferences.two_player import TwoPlayerInference
from tests.conftest import REPO_ROOT

# initialize() arguments about where a run is kept, which only the command line sets.
KEEPING = ("logdir", "log_timestamp", "checkpoint_dir", "checkpoint_every", "keep_checkpoints")
# Compared through the Adam optimizers they are built from.
OPTIMIZERS = ("optimizer", "optimizer_d")
ADAM = ("learning_rate", "beta1", "beta2", "epsilon")


class Built(Exception):
    """Raised right after initialize(): everything the test compares exists."""


def bound_arguments(function, *args, **kwargs):
    """`function`'s arguments as a dict, defaults filled in and **kwargs flattened."""
    bound = inspect.signature(function).bind(*args, **kwargs)
    bound.apply_defaults()
    arguments = dict(bound.arguments)
    for name, parameter in inspect.signature(function).parameters.items():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            arguments.update(arguments.pop(name))
    arguments.pop("self", None)
    return arguments


def record_recipe(monkeypatch):
    """Patch GANInference and Adam to record what a program builds; returns the record."""
    recipe = {"adam": [], "batches": []}
    adam = tf.train.AdamOptimizer
    construct, initialize = ed.GANInference.__init__, ed.GANInference.initialize
    make_batches = datasets.batches

    class RecordingAdam(adam):
        def __init__(self, *args, **kwargs):
            arguments = bound_arguments(adam.__init__, self, *args, **kwargs)
            recipe["adam"].append({key: arguments[key] for key in ADAM})
            super().__init__(*args, **kwargs)

    def recording_construct(self, data, *args, **kwargs):
        recipe["model_shapes"] = [tensor.shape.as_list() for tensor in data]
        construct(self, data, *args, **kwargs)

    def recording_initialize(self, *args, **kwargs):
        initialize(self, *args, **kwargs)
        arguments = bound_arguments(initialize, self, *args, **kwargs)
        # The two-player core's keyword-only options, passed on through
        # **kwargs: an option left at its default reads as that default.
        core = inspect.signature(TwoPlayerInference.initialize).parameters.values()
        for parameter in core:
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
                arguments.setdefault(parameter.name, parameter.default)
        recipe["initialize"] = {
            key: value for key, value in arguments.items() if key not in KEEPING + OPTIMIZERS
        }
        recipe["variables"] = sorted(
            (v.op.name, v.shape.as_list()) for v in tf.trainable_variables()
        )
        recipe["operations"] = collections.Counter(
            (op.name.split("/")[0].split("_")[0], op.type)
            for op in tf.get_default_graph().get_operations()
            if op.name.startswith(("Gen/", "Disc/", "Disc_"))
        )
        raise Built

    def recording_batches(array, batch_size, *args, **kwargs):
        recipe["batches"].append(bound_arguments(make_batches, array, batch_size, *args, **kwargs))
        return make_batches(array, batch_size, *args, **kwargs)

    monkeypatch.setattr(tf.train, "AdamOptimizer", RecordingAdam)
    monkeypatch.setattr(ed.GANInference, "__init__", recording_construct)
    monkeypatch.setattr(ed.GANInference, "initialize", recording_initialize)
    monkeypatch.setattr(datasets, "batches", recording_batches)
    return recipe


def example_recipe(monkeypatch, command, out_dir, data_dir):
    """What the example `command` (as in Model.example) builds, with its own defaults."""
    script, *flags = shlex.split(command)
    flags += ["--out-dir", str(out_dir)] + (["--data-dir", str(data_dir)] if data_dir else [])
    with monkeypatch.context() as patch:
        patch.setattr(sys, "argv", [str(REPO_ROOT / script), *flags])
        recipe = record_recipe(patch)
        with pytest.raises(Built):
            runpy.run_path(str(REPO_ROOT / script), run_name="__main__")
    return recipe


def command_line_recipe(monkeypatch, name, out_dir, data_dir):
    """What `gan-infer train NAME` builds with the model's defaults."""
    with monkeypatch.context() as patch:
        recipe = record_recipe(patch)
        with pytest.raises(Built):
            cli.train(name, out_dir, data_dir=data_dir)
    return recipe


@pytest.mark.parametrize("name", list(named_gans.MODELS))
def test_the_command_line_builds_what_its_example_builds(name, tmp_path, monkeypatch, request):
    spec = named_gans.get(name)
    assert spec.example and spec.example.startswith("examples/"), name
    data_dir = request.getfixturevalue("mnist_dir") if name in ("mnist", "dcgan") else None
    with tf.Graph().as_default():
        example = example_recipe(monkeypatch, spec.example, tmp_path / "example", data_dir)
    command_line = command_line_recipe(monkeypatch, name, tmp_path / "run", data_dir)

    assert command_line["model_shapes"] == example["model_shapes"]
    assert command_line["model_shapes"][0][0] == spec.batch_size
    assert command_line["adam"] == example["adam"] and len(example["adam"]) == 2
    assert command_line["initialize"] == example["initialize"]
    assert command_line["variables"] == example["variables"]
    assert command_line["operations"] == example["operations"]
    # The data: MNIST binarized at each batch as in the tutorial, grey levels for the
    # DCGAN; the toys draw theirs without `batches`.
    expected = {"mnist": [True], "dcgan": [False]}.get(name, [])
    assert [b["binarize"] for b in example["batches"]] == expected
    assert spec.binarize == (expected == [True])


def test_the_models_hold_the_recipes_of_docs_results():
    ring, mixture, mnist = (
        named_gans.get("ring"),
        named_gans.get("mixture"),
        named_gans.get("mnist"),
    )
    # The toys' recipes of docs/results.md (examples/gan_ring.py flags in Model.example).
    assert (ring.batch_size, ring.learning_rate, ring.beta1, ring.n_iter, ring.pack) == (
        512,
        3e-4,
        0.5,
        10000,
        2,
    )
    assert (ring.gradient_penalty, ring.ema_decay) == (None, 0.999)
    grid = named_gans.get("grid")
    assert (grid.learning_rate, grid.n_iter, grid.pack, grid.gradient_penalty, grid.ema_decay) == (
        1e-3,
        30000,
        2,
        0.01,
        0.999,
    )
    assert (mixture.batch_size, mixture.learning_rate, mixture.beta1) == (256, 1e-3, 0.5)
    assert (mnist.batch_size, mnist.noise_dim, mnist.learning_rate, mnist.binarize) == (
        128,
        100,
        1e-3,
        True,
    )


BEST_DCGAN = (
    "experiments/dcgan_mnist_variants.py --self-condition 100 --minibatch-stddev --lr 4e-4 "
    "--ema-decay 0.999"
)


def test_the_dcgan_defaults_on_your_images_are_the_best_measured_recipe(
    tmp_path, monkeypatch, mnist_dir
):
    # `gan-infer train dcgan --data PATH` with no other flag, on MNIST's 55,000
    # training digits, builds the networks and optimizers of the recipe that
    # docs/results.md measured best (Fréchet distance 3.0 at 5,000 iterations).
    (x_train, _), _, _ = datasets.mnist_splits(mnist_dir, validation_size=5000)
    np.save(tmp_path / "digits.npy", x_train.reshape(-1, 28, 28))

    def clusters(count, k):  # k-means itself takes minutes on 55,000 images
        return np.arange(count, dtype=np.int32) % k

    monkeypatch.setattr(vq, "kmeans2", lambda x, k, minit, seed: (None, clusters(len(x), k)))
    monkeypatch.setattr(
        dcgan,
        "kmeans_clusters",
        lambda pixels, k, seed: (clusters(len(pixels), k), np.full(k, 1.0 / k)),
    )
    with tf.Graph().as_default():
        best = example_recipe(monkeypatch, BEST_DCGAN, tmp_path / "example", mnist_dir)
    with monkeypatch.context() as patch:
        command_line = record_recipe(patch)
        with pytest.raises(Built):
            cli.train("dcgan", tmp_path / "run", data=tmp_path / "digits.npy")

    assert command_line["variables"] == best["variables"]
    assert command_line["adam"] == best["adam"] and best["adam"][0]["learning_rate"] == 4e-4
    assert [np.prod(shape) for shape in command_line["model_shapes"]] == [64 * 784, 64]
    assert [np.prod(shape) for shape in best["model_shapes"]] == [64 * 784, 64]
    for key in ("loss", "n_iter", "n_print", "ema_decay", "gradient_penalty"):
        assert command_line["initialize"].get(key) == best["initialize"].get(key), key
