"""evaluate_mnist end to end with a tiny classifier: real digits score like
real digits, copies of training images are flagged, noise scores badly."""

import numpy as np
import pytest

from gan_infer.criticism.classifier import load_classifier
from gan_infer.criticism.evaluate import METRIC_NAMES, evaluate_mnist
from gan_infer.datasets import mnist
from tests.criticism.test_classifier import TINY  # the same tiny classifier


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from tests.conftest import SHARED_MNIST

    if not (SHARED_MNIST / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(f"the MNIST files are not at {SHARED_MNIST}")
    classifier = load_classifier(
        cache_dir=tmp_path_factory.mktemp("cache"),
        data_dir=SHARED_MNIST,
        config=TINY,
        verbose=False,
    )
    (x_train, _), (x_test, _) = mnist(SHARED_MNIST)
    return classifier, SHARED_MNIST, x_train, x_test


def score(setup, samples, **kwargs):
    classifier, data_dir, _, _ = setup
    return evaluate_mnist(
        samples, data_dir=data_dir, classifier=classifier, n_parzen=500, n_test=500, **kwargs
    )


def test_real_digits_beat_noise_on_every_metric(setup):
    _, _, x_train, x_test = setup
    real = x_test[-300:] / 255.0
    noise = np.random.default_rng(0).uniform(size=(300, 784))
    good, bad = score(setup, real), score(setup, noise)
    assert {key for key, _ in METRIC_NAMES} - {"requested_label_accuracy"} <= set(good)
    assert good["classifier_score"] > 2 * bad["classifier_score"]
    assert good["frechet_distance"] < bad["frechet_distance"] / 2
    assert good["kernel_distance"] < bad["kernel_distance"]
    assert good["parzen_log_likelihood"] > bad["parzen_log_likelihood"] + 100
    assert good["recall"] > bad["recall"]
    assert abs(sum(good["class_fractions"]) - 1) < 1e-9
    assert good["memorisation_fraction"] < 0.1


def test_copies_of_training_images_are_flagged(setup):
    _, _, x_train, _ = setup
    copies = x_train[:200] / 255.0
    assert score(setup, copies, parzen=False)["memorisation_fraction"] == 1.0


@pytest.mark.parametrize(
    "bad, message",
    [
        (np.zeros((10, 100)), "shape"),
        (np.full((10, 784), 2.0), r"\[0, 1\]"),
        (np.full((10, 784), np.nan), "finite"),
    ],
)
def test_bad_samples(setup, bad, message):
    with pytest.raises(ValueError, match=message):
        score(setup, bad)


def test_requested_label_accuracy(setup):
    classifier, data_dir, _, x_test = setup
    (_, _), (_, y_test) = mnist(data_dir)
    images = x_test[-300:] / 255.0
    right = score(setup, images, parzen=False, labels=y_test[-300:])["requested_label_accuracy"]
    wrong = score(setup, images, parzen=False, labels=(y_test[-300:] + 1) % 10)
    assert right > 0.7 and wrong["requested_label_accuracy"] < 0.2
    with pytest.raises(ValueError, match="one digit per sample"):
        score(setup, images, labels=y_test[:10])
