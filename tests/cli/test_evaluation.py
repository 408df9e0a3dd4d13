"""`gan-infer evaluate`: MNIST options reach evaluate_mnist."""

import json

import numpy as np

from tests.cli.helpers import run_main


def test_evaluate_passes_the_mnist_options_on(tmp_path, capsys, monkeypatch):
    calls = []

    def fake_evaluate_mnist(samples, **kwargs):
        calls.append((samples.shape, kwargs))
        return {"frechet_distance": np.float64(1.5)}

    monkeypatch.setattr("gan_infer.criticism.evaluate.evaluate_mnist", fake_evaluate_mnist)
    np.save(tmp_path / "s.npy", np.zeros((5, 784), np.float32))
    np.save(tmp_path / "y.npy", np.arange(5))
    code, out, err = run_main(
        capsys,
        "evaluate",
        tmp_path / "s.npy",
        "--data-dir",
        "D",
        "--labels",
        tmp_path / "y.npy",
        "--parzen",
    )
    assert code == 0, err
    assert json.loads(out) == {"frechet_distance": 1.5}
    ((shape, kwargs),) = calls
    assert shape == (5, 784) and kwargs["data_dir"] == "D" and kwargs["parzen"] is True
    np.testing.assert_array_equal(kwargs["labels"], np.arange(5))


def test_samples_of_your_own_images_are_pointed_at_data_before_mnist_is_read(
    tmp_path, capsys, monkeypatch
):
    def mnist_read(*args, **kwargs):
        raise AssertionError("the MNIST files were read")

    monkeypatch.setattr("gan_infer.criticism.evaluate.evaluate_mnist", mnist_read)
    np.save(tmp_path / "s.npy", np.zeros((5, 28, 28, 1), np.float32))
    code, out, err = run_main(capsys, "evaluate", tmp_path / "s.npy")
    assert code == 2 and err.count("\n") == 1, err
    assert f"{tmp_path / 's.npy'} holds an array of shape (5, 28, 28, 1)" in err
    assert "For samples of your own images, pass --data" in err
