"""`gan-infer train dcgan --data PATH`: your images, end to end, at toy size.

A run on a folder of PNGs writes what `train mnist` writes, resumes, and its
generator is sampled and evaluated by `sample` and `evaluate --data`. The
DCGAN draws 10,000 samples at the end; the tests draw 64 (`n_samples`
patched), so that the whole file takes seconds. Bad inputs are rows of
docs/errors.md (tests/errors/).
"""

import json
import re
import textwrap

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
from PIL import Image

from gan_infer.cli import dcgan
from tests.cli.helpers import run_main


@pytest.fixture
def few_samples(monkeypatch):
    monkeypatch.setattr(dcgan.DCGAN, "n_samples", 64)


def picture_folder(folder, count=24, side=32):
    """`count` colour squares on black, in two sub-folders, as PNG files."""
    rng = np.random.default_rng(0)
    for index in range(count):
        pixels = np.zeros((side, side, 3), np.uint8)
        row, column = rng.integers(4, side - 4, 2)
        pixels[row - 3 : row + 3, column - 3 : column + 3] = rng.integers(100, 256, 3)
        path = folder / f"part{index % 2}" / f"{index:03d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels).save(path)
    return folder


def test_a_folder_of_images_trains_resumes_samples_and_evaluates(tmp_path, capsys, few_samples):
    data, run = picture_folder(tmp_path / "pictures"), tmp_path / "run"
    flags = ["--data", data, "--out", run, "--n-print", 2, "--batch-size", 8]
    code, out, err = run_main(capsys, "train", "dcgan", "--n-iter", 4, *flags)
    assert code == 0, err
    config = json.loads((run / "config.json").read_text())
    assert config["data"] == str(data) and config["image_shape"] == [32, 32, 3]
    samples = np.load(run / "samples.npy")
    assert samples.shape == (64, 32, 32, 3) and samples.dtype == np.float32
    assert 0.0 <= samples.min() and samples.max() <= 1.0
    assert sorted(p.name for p in (run / "grids").iterdir()) == ["000.png", "001.png", "002.png"]
    assert (run / "final.png").stat().st_size > 0 and list((run / "logs").iterdir())
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["features"] == "random-conv-v1" and metrics["n_data"] == 24
    assert 0.0 <= metrics["precision"] <= 1.0 and np.isfinite(metrics["frechet_distance"])
    assert "Fréchet distance" in out

    code, out, err = run_main(capsys, "train", "dcgan", "--n-iter", 6, *flags)
    assert code == 0, err
    assert "Resuming from" in out and "at iteration 4." in out
    assert json.loads((run / "metrics.json").read_text())["iterations"] == 6

    code, out, err = run_main(capsys, "sample", "--checkpoint", run, "-o", tmp_path / "again.npy")
    assert code == 0, err
    np.testing.assert_array_equal(np.load(tmp_path / "again.npy"), np.load(run / "samples.npy"))
    assert (
        run_main(capsys, "sample", "--checkpoint", run, "-n", 16, "-o", tmp_path / "g.png")[0] == 0
    )

    code, out, err = run_main(capsys, "evaluate", run / "samples.npy", "--data", data)
    assert code == 0, err
    assert set(json.loads(out)) >= {"frechet_distance", "kernel_distance", "precision", "recall"}


def test_an_array_file_is_resized_to_a_dcgan_size(tmp_path, capsys, few_samples):
    np.save(tmp_path / "grey.npy", np.random.default_rng(1).random((20, 40, 40)))
    run = tmp_path / "run"
    code, out, err = run_main(
        capsys, "train", "dcgan", "--data", tmp_path / "grey.npy", "--image-size", 28,
        "--n-iter", 2, "--n-print", 1, "--batch-size", 4, "--no-evaluate", "--out", run,
    )  # fmt: skip
    assert code == 0, err
    assert json.loads((run / "config.json").read_text())["image_shape"] == [28, 28, 1]
    assert np.load(run / "samples.npy").shape == (64, 28, 28, 1)


@pytest.mark.parametrize(
    "args, message",
    [
        (["train", "ring", "--data", "x"], "argument --data: is an option of the dcgan model"),
        (["train", "dcgan", "--image-size", "28"], "give --data too"),
        (["train", "dcgan", "--data", "x", "--image-size", "30"], "must be 28, 32 or 64"),
        (["train", "dcgan", "--data", "x", "--data-dir", "m"], "argument --data-dir: is the"),
        (["evaluate", "s.npy", "--toy", "ring", "--data", "x"], "give one of them"),
    ],
)
def test_bad_flags_exit_2_with_one_line(args, message, tmp_path, capsys):
    out_dir = ["--out", tmp_path / "run"] if args[0] == "train" else []
    code, out, err = run_main(capsys, *args, *out_dir)
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert not (tmp_path / "run").exists()


def test_images_of_another_size_and_bad_sample_files_exit_1(tmp_path, capsys):
    picture_folder(tmp_path / "big", count=3, side=48)
    code, out, err = run_main(
        capsys, "train", "dcgan", "--data", tmp_path / "big", "--out", tmp_path / "r"
    )
    assert code == 1 and "are 48x48 pixels" in err and "--image-size" in err
    assert not (tmp_path / "r").exists()
    (tmp_path / "samples.npy").write_text("0.5 0.5\n")
    code, out, err = run_main(capsys, "evaluate", tmp_path / "samples.npy", "--data", tmp_path)
    assert code == 1 and f"{tmp_path / 'samples.npy'} is not a numpy .npy or .npz file" in err


def two_kinds(tmp_path, count=40):
    """`count` 28x28 grey images, three quarters with a bar on the left, the rest on the right."""
    images = np.zeros((count, 28, 28), np.uint8)
    images[: 3 * count // 4, 4:24, 4:8] = 255
    images[3 * count // 4 :, 4:24, 20:24] = 255
    np.save(tmp_path / "bars.npy", images)
    return tmp_path / "bars.npy"


def generator_weights(run_dir):
    """The generator's variables in the run's newest checkpoint, by name."""
    reader = tf.train.load_checkpoint(str(run_dir / "checkpoints"))
    return {
        name: reader.get_tensor(name)
        for name in reader.get_variable_to_shape_map()
        if name.startswith("Gen/")
    }


def test_self_conditioning_trains_resumes_and_samples_again(tmp_path, capsys, few_samples):
    data, run = two_kinds(tmp_path), tmp_path / "run"
    flags = ["--data", data, "--out", run, "--batch-size", 8, "--n-print", 2, "--no-evaluate"]
    switches = ["--self-condition", 2, "--minibatch-stddev", 4, "--ema-decay", 0.9]
    code, out, err = run_main(capsys, "train", "dcgan", "--n-iter", 4, *flags, *switches)
    assert code == 0, err
    assert "k-means: 2 clusters of the training images, 25.00% to 75.00%" in out
    config = json.loads((run / "config.json").read_text())
    assert (config["self_condition"], config["n_clusters"]) == (2, 2)
    assert (config["minibatch_stddev"], config["ema_decay"], config["learning_rate"]) == (
        4,
        0.9,
        2e-4,
    )  # fmt: skip: 40 images, a small set's rate
    # The prior of the cluster holds the data's frequencies, in the checkpoint.
    weights = generator_weights(run)
    frequencies = np.exp(weights["Gen/cluster_log_frequencies"])
    np.testing.assert_allclose(sorted(frequencies), [0.25, 0.75], rtol=1e-6)
    # The weight average is kept beside the weights and restored by `sample`.
    assert any("ExponentialMovingAverage" in name for name in weights)

    code, out, err = run_main(capsys, "train", "dcgan", "--n-iter", 6, *flags, *switches)
    assert code == 0 and "at iteration 4." in out, err
    code, out, err = run_main(capsys, "sample", "--checkpoint", run, "-o", tmp_path / "again.npy")
    assert code == 0, err
    np.testing.assert_array_equal(np.load(tmp_path / "again.npy"), np.load(run / "samples.npy"))


def test_the_weight_average_does_not_change_the_training(tmp_path, capsys, few_samples):
    # So one run with --ema-decay measures both: its average, and (from its
    # weights) the same run without the average (experiments/dcgan_defaults.py).
    data = two_kinds(tmp_path)
    runs = {decay: tmp_path / f"ema{decay}" for decay in (0, 0.99)}
    for decay, run in runs.items():
        code, out, err = run_main(
            capsys, "train", "dcgan", "--data", data, "--out", run, "--batch-size", 8,
            "--n-iter", 3, "--no-evaluate", "--self-condition", 2, "--ema-decay", decay,
        )  # fmt: skip
        assert code == 0, err
    plain, averaged = (generator_weights(run) for run in runs.values())
    assert set(plain) < set(averaged)
    for name, value in plain.items():
        np.testing.assert_array_equal(averaged[name], value, err_msg=name)


def test_an_old_config_json_is_the_plain_network(tmp_path, capsys, few_samples):
    # A run of your images recorded before the switches existed: sample and
    # resume read it as the network it trained, the switches off.
    data, run = two_kinds(tmp_path), tmp_path / "run"
    plain = ["--self-condition", 0, "--minibatch-stddev", 0, "--ema-decay", 0]
    flags = ["--data", data, "--out", run, "--batch-size", 8, "--n-iter", 2, "--no-evaluate"]
    code, out, err = run_main(capsys, "train", "dcgan", *flags, *plain, "--learning-rate", 2e-4)
    assert code == 0, err
    config = json.loads((run / "config.json").read_text())
    for key in ("self_condition", "minibatch_stddev", "ema_decay", "n_clusters"):
        del config[key]
    (run / "config.json").write_text(json.dumps(config))

    code, out, err = run_main(capsys, "sample", "--checkpoint", run, "-o", tmp_path / "again.npy")
    assert code == 0, err
    np.testing.assert_array_equal(np.load(tmp_path / "again.npy"), np.load(run / "samples.npy"))
    code, out, err = run_main(capsys, "train", "dcgan", *flags, *plain, "--learning-rate", 2e-4)
    assert code == 0 and "nothing to do" in out, err
    # Today's defaults are another run; the message gives the command that resumes the old one.
    code, out, err = run_main(capsys, "train", "dcgan", *flags)
    assert code == 2, err
    assert "--self-condition 0 there, 'auto' here" in err
    assert "--self-condition 0 --minibatch-stddev 0 --ema-decay 0.0" in err


def test_a_small_set_trains_without_clusters_at_the_plain_rate(tmp_path, capsys, few_samples):
    data, run = two_kinds(tmp_path), tmp_path / "run"
    flags = ["--data", data, "--batch-size", 8, "--n-iter", 2, "--no-evaluate"]
    code, out, err = run_main(capsys, "train", "dcgan", *flags, "--out", run)
    assert code == 0, err
    config = json.loads((run / "config.json").read_text())
    assert (config["self_condition"], config["n_clusters"], config["learning_rate"]) == (
        "auto", 0, 2e-4,
    )  # fmt: skip
    assert (config["minibatch_stddev"], config["ema_decay"]) == (4, 0.999)
    # A rate given is kept, and resuming with the same command finds the same run.
    code, out, err = run_main(capsys, "train", "dcgan", *flags, "--out", run)
    assert code == 0 and "nothing to do" in out, err
    code, out, err = run_main(
        capsys, "train", "dcgan", *flags, "--out", tmp_path / "fast", "--learning-rate", 4e-4
    )
    assert code == 0, err
    assert json.loads((tmp_path / "fast" / "config.json").read_text())["learning_rate"] == 4e-4


def test_a_resume_keeps_the_clusters_auto_chose_when_the_run_started(tmp_path, capsys, few_samples):
    # A run whose "auto" chose K = 2 under an earlier rule (today's gives 40
    # images none) resumes with its two clusters instead of failing on its
    # checkpoints.
    data, run = two_kinds(tmp_path), tmp_path / "run"
    flags = ["--data", data, "--out", run, "--batch-size", 8, "--no-evaluate"]
    code, out, err = run_main(
        capsys, "train", "dcgan", *flags, "--n-iter", 2, "--self-condition", 2
    )
    assert code == 0, err
    config = json.loads((run / "config.json").read_text())
    (run / "config.json").write_text(json.dumps(dict(config, self_condition="auto")))
    code, out, err = run_main(capsys, "train", "dcgan", *flags, "--n-iter", 4)
    assert code == 0 and "at iteration 2." in out and "k-means: 2 clusters" in out, err
    assert json.loads((run / "config.json").read_text())["n_clusters"] == 2


@pytest.mark.parametrize("count, rate", [(4_999, 2e-4), (5_000, 4e-4)])
def test_the_default_rate_follows_the_number_of_images(tmp_path, count, rate):
    np.save(tmp_path / "set.npy", np.zeros((count, 8, 8), np.uint8))
    assert dcgan.DCGAN.data_learning_rate(tmp_path / "set.npy") == rate
    assert (dcgan.default_clusters(count) > 0) == (rate == 4e-4)


@pytest.mark.parametrize(
    "function", [dcgan.default_clusters, dcgan.default_learning_rate, dcgan.kmeans_clusters]
)
def test_the_documented_examples_run(function):
    (example,) = re.findall(r"```python\n(.*?)```", function.__doc__, flags=re.S)
    exec(textwrap.dedent(example), {})
