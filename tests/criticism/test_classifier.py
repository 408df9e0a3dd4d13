"""Tests for gan_infer.criticism.classifier.

Only a tiny classifier is ever trained here (a few seconds on a CPU); it is
trained once and shared. Tests of the cache replace ``train_classifier`` by a
fake that hands back the shared weights, so they train nothing at all.
"""

import dataclasses
import os
import re
import shutil
import sys

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

from gan_infer.criticism.classifier import (
    CACHE_ENV_VAR,
    ClassifierCacheWarning,
    ClassifierConfig,
    MNISTClassifier,
    classifier_cache_path,
    load_classifier,
    train_classifier,
)
from gan_infer.datasets import mnist

# `gan_infer.criticism.classifier` may be shadowed by a re-exported name in the
# package, so fetch the module itself for monkeypatching.
classifier_module = sys.modules["gan_infer.criticism.classifier"]

# 2,000 training images, 2 epochs, constant step size: 87-90% test accuracy
# (seeds 0-4) in about two seconds.
TINY = ClassifierConfig(
    conv_filters=(4, 8),
    dense_units=32,
    epochs=2,
    batch_size=32,
    learning_rate=3e-3,
    learning_rate_decay=1.0,
    n_train=2000,
    seed=0,
)

_SHARED = {}


@pytest.fixture
def trained(mnist_dir, tmp_path_factory):
    """(classifier, cache file, (x_test, y_test)), trained once for the module
    through load_classifier, so the cache file is a real one."""
    if "classifier" not in _SHARED:
        cache_dir = tmp_path_factory.mktemp("classifier_cache")
        _SHARED["classifier"] = load_classifier(
            cache_dir=cache_dir, data_dir=mnist_dir, config=TINY, verbose=False
        )
        _SHARED["path"] = classifier_cache_path(TINY, cache_dir)
        _, (x_test, y_test) = mnist(mnist_dir)
        _SHARED["test"] = (x_test[:1000], y_test[:1000])
    return _SHARED["classifier"], _SHARED["path"], _SHARED["test"]


def fake_trainer(source, calls):
    """A train_classifier stand-in returning `source`'s weights for any config."""

    def train(config=None, data_dir=None, verbose=True):
        calls.append(config)
        metadata = dict(source.metadata, config=config.to_dict(), config_digest=config.digest)
        metadata.pop("cache_path", None)
        return MNISTClassifier(source.weights, config, metadata)

    return train


def forbid_training(monkeypatch):
    def train(*args, **kwargs):
        raise AssertionError("load_classifier trained although a valid cache file exists")

    monkeypatch.setattr(classifier_module, "train_classifier", train)


def copy_cache(path, directory, config=TINY):
    target = classifier_cache_path(config, directory)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    return target


# --- training and prediction ---------------------------------------------------------


def test_tiny_training_is_clearly_above_chance_and_cached(trained):
    classifier, path, (x_test, y_test) = trained
    assert classifier.accuracy(x_test, y_test) > 0.7
    assert classifier.test_accuracy > 0.7
    assert 0.0 < classifier.metadata["test_accuracy_binarized"] <= 1.0
    assert classifier.cache_path == path
    assert path.name == f"mnist_classifier-{TINY.digest}.npz"
    # Atomic write: the final file only, no temporary left beside it.
    assert os.listdir(path.parent) == [path.name]
    assert repr(classifier).startswith("MNISTClassifier(ClassifierConfig(conv_filters=(4, 8)")


def test_predict_proba_is_a_distribution_and_predict_its_argmax(trained):
    classifier, _, (x_test, _) = trained
    probs = classifier.predict_proba(x_test[:200])
    assert probs.shape == (200, 10) and probs.dtype == np.float64
    assert (probs >= 0).all()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    log_probs = classifier.predict_log_proba(x_test[:200])
    np.testing.assert_allclose(np.exp(log_probs), probs, rtol=1e-12)
    assert (log_probs <= 0).all() and np.isfinite(log_probs).all()
    predictions = classifier.predict(x_test[:200])
    assert predictions.shape == (200,) and predictions.dtype == np.int64
    np.testing.assert_array_equal(predictions, probs.argmax(axis=1))


def test_features_are_the_hidden_relu_layer(trained):
    classifier, _, (x_test, _) = trained
    features = classifier.features(x_test[:50])
    assert classifier.num_features == TINY.dense_units == 32
    assert features.shape == (50, 32) and features.dtype == np.float64
    assert (features >= 0).all() and features.max() > 0


def test_uint8_float_and_image_shapes_agree(trained):
    classifier, _, (x_test, _) = trained
    images = x_test[:64]
    reference = classifier.predict_proba(images)
    as_float32 = images.astype(np.float32) / np.float32(255)
    np.testing.assert_array_equal(classifier.predict_proba(as_float32), reference)
    np.testing.assert_allclose(classifier.predict_proba(images / 255.0), reference, atol=1e-6)
    np.testing.assert_array_equal(
        classifier.predict_proba(as_float32.reshape(-1, 28, 28)), reference
    )
    np.testing.assert_array_equal(
        classifier.predict_proba(images.reshape(-1, 28, 28, 1)), reference
    )
    # Batching changes nothing (but float round-off in the convolutions).
    np.testing.assert_allclose(classifier.predict_proba(images, batch_size=7), reference, atol=1e-6)
    np.testing.assert_allclose(
        classifier.features(images, batch_size=5),
        classifier.features(as_float32),
        rtol=1e-5,
        atol=1e-5,
    )
    binary = as_float32 > 0.5
    np.testing.assert_array_equal(
        classifier.predict_proba(binary), classifier.predict_proba(binary.astype(np.float32))
    )


def test_classifier_leaves_the_default_graph_and_session_alone(trained):
    classifier, path, (x_test, _) = trained
    graph = tf.get_default_graph()
    with tf.variable_scope("Gen"):
        tf.get_variable("theta", [3])
    ops_before = len(graph.get_operations())
    variables_before = tf.global_variables()
    # Whatever an earlier test left as the default session (ed.get_session()
    # makes its session the default) must still be the default afterwards.
    session_before = tf.get_default_session()
    with tf.variable_scope("Gen"):
        # Built inside the user's scope: nothing lands there.
        rebuilt = MNISTClassifier(classifier.weights, TINY)
        loaded = load_classifier(cache_dir=path.parent, config=TINY, verbose=False)
        rebuilt.predict_proba(x_test[:10])
        loaded.features(x_test[:10])
        loaded.accuracy(x_test[:10], np.zeros(10, np.int64))
    assert tf.get_default_graph() is graph
    assert len(graph.get_operations()) == ops_before
    assert tf.global_variables() == variables_before
    assert tf.get_default_session() is session_before
    assert rebuilt._graph is not graph and rebuilt._graph.finalized
    np.testing.assert_array_equal(
        rebuilt.predict_proba(x_test[:10]), classifier.predict_proba(x_test[:10])
    )


def test_bad_images_raise_clear_errors(trained):
    classifier, _, (x_test, y_test) = trained
    good = x_test[:4].astype(np.float32) / 255
    nan = good.copy()
    nan[1, 5] = np.nan
    cases = [
        (nan, "NaN"),
        (np.where(good > 0, np.inf, good), "infinite"),
        (good * 255, "divide by 255"),
        (good * 2 - 1, r"\(x \+ 1\) / 2"),
        (good[:, :100], r"shape \(N, 784\)"),
        (good[0], r"images\[None\]"),
        (good[:0], "empty"),
        (good.reshape(4, 28, 28, 1).repeat(3, axis=3), "shape"),
    ]
    for images, message in cases:
        with pytest.raises(ValueError, match=message):
            classifier.predict_proba(images)
    with pytest.raises(ValueError, match="NaN"):
        classifier.features(nan)
    with pytest.raises(TypeError, match="uint8"):
        classifier.predict(x_test[:4].astype(np.int64))
    with pytest.raises(TypeError, match="sess.run"):
        classifier.predict(tf.zeros([4, 784]))
    with pytest.raises(ValueError, match="batch_size"):
        classifier.predict(good, batch_size=0)
    with pytest.raises(ValueError, match="one per image"):
        classifier.accuracy(good, y_test[:3])
    with pytest.raises(ValueError, match="0..9"):
        classifier.accuracy(good, np.array([0, 1, 2, 10]))
    with pytest.raises(ValueError, match="integers"):
        classifier.accuracy(good, y_test[:4].astype(np.float32))


def test_weights_must_match_the_configuration(trained):
    classifier, _, _ = trained
    with pytest.raises(ValueError, match="hidden/kernel"):
        MNISTClassifier(classifier.weights, dataclasses.replace(TINY, dense_units=16))
    weights = classifier.weights
    del weights["logits/bias"]
    with pytest.raises(ValueError, match="missing"):
        MNISTClassifier(weights, TINY)


def test_close_frees_the_session(trained):
    classifier, _, (x_test, _) = trained
    with MNISTClassifier(classifier.weights, TINY) as copy:
        copy.predict(x_test[:2])
    with pytest.raises(RuntimeError, match="closed"):
        copy.predict(x_test[:2])


# --- the cache -----------------------------------------------------------------------


def test_second_load_reads_the_cache_without_training(trained, monkeypatch):
    classifier, path, (x_test, _) = trained
    forbid_training(monkeypatch)
    again = load_classifier(cache_dir=path.parent, config=TINY)
    assert again.cache_path == path
    assert again.test_accuracy == classifier.test_accuracy
    for name, value in classifier.weights.items():
        np.testing.assert_array_equal(again.weights[name], value)
    np.testing.assert_array_equal(
        again.predict_proba(x_test[:20]), classifier.predict_proba(x_test[:20])
    )


def test_missing_file_or_retrain_true_trains_and_writes(trained, tmp_path, monkeypatch, capsys):
    classifier, _, _ = trained
    calls = []
    monkeypatch.setattr(classifier_module, "train_classifier", fake_trainer(classifier, calls))
    path = classifier_cache_path(TINY, tmp_path / "new" / "dir")
    first = load_classifier(cache_dir=tmp_path / "new" / "dir", config=TINY)
    assert len(calls) == 1 and path.exists() and first.cache_path == path
    assert f"no cached classifier at {path}" in capsys.readouterr().out
    load_classifier(cache_dir=path.parent, config=TINY)
    assert len(calls) == 1
    load_classifier(cache_dir=path.parent, config=TINY, retrain=True, verbose=False)
    assert len(calls) == 2


def _flip_middle_bytes(path):
    blob = bytearray(path.read_bytes())
    middle = len(blob) // 2
    for index in range(middle, middle + 8):
        blob[index] ^= 0xFF
    path.write_bytes(bytes(blob))


def _truncate(fraction):
    def corrupt(path):
        blob = path.read_bytes()
        path.write_bytes(blob[: int(len(blob) * fraction)])

    return corrupt


def _rewrite_one_weight(path):
    # A well-formed file whose weights no longer match the recorded checksum.
    with np.load(path) as npz:
        arrays = {key: npz[key] for key in npz.files}
    arrays["logits/bias"] = arrays["logits/bias"] + 1.0
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


@pytest.mark.parametrize(
    "corrupt, reason",
    [
        (_flip_middle_bytes, "unreadable"),
        (_truncate(0.5), "unreadable"),
        (_truncate(0.0), "unreadable"),
        (lambda path: path.write_bytes(b"not a zip file at all"), "unreadable"),
        (_rewrite_one_weight, "SHA-256"),
    ],
    ids=["flipped-bytes", "truncated-half", "empty", "garbage", "checksum-mismatch"],
)
def test_corrupt_cache_is_retrained_and_rewritten(trained, tmp_path, monkeypatch, corrupt, reason):
    classifier, path, (x_test, _) = trained
    target = copy_cache(path, tmp_path)
    corrupt(target)
    calls = []
    monkeypatch.setattr(classifier_module, "train_classifier", fake_trainer(classifier, calls))
    with pytest.warns(ClassifierCacheWarning, match=re.escape(str(target))) as record:
        loaded = load_classifier(cache_dir=tmp_path, config=TINY, verbose=False)
    assert reason in str(record[0].message)
    assert len(calls) == 1
    np.testing.assert_array_equal(loaded.predict(x_test[:20]), classifier.predict(x_test[:20]))
    # The rewritten file is valid again.
    forbid_training(monkeypatch)
    assert load_classifier(cache_dir=tmp_path, config=TINY).cache_path == target
    assert os.listdir(tmp_path) == [target.name]


def test_a_file_for_another_configuration_is_not_used(trained, tmp_path, monkeypatch):
    classifier, path, _ = trained
    other = dataclasses.replace(TINY, seed=1)
    target = copy_cache(path, tmp_path, config=other)  # TINY's file under other's name
    calls = []
    monkeypatch.setattr(classifier_module, "train_classifier", fake_trainer(classifier, calls))
    with pytest.warns(ClassifierCacheWarning, match="another configuration"):
        load_classifier(cache_dir=tmp_path, config=other, verbose=False)
    assert calls == [other]
    forbid_training(monkeypatch)
    assert load_classifier(cache_dir=tmp_path, config=other).cache_path == target


def test_failed_write_leaves_the_old_file_intact(trained, tmp_path, monkeypatch):
    classifier, path, _ = trained
    target = copy_cache(path, tmp_path)
    before = target.read_bytes()
    monkeypatch.setattr(classifier_module, "train_classifier", fake_trainer(classifier, []))

    def savez_then_fail(handle, **arrays):
        handle.write(b"PK\x03\x04 half a file")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(classifier_module.np, "savez", savez_then_fail)
    with pytest.warns(ClassifierCacheWarning, match="Could not write"):
        result = load_classifier(cache_dir=tmp_path, config=TINY, retrain=True, verbose=False)
    assert isinstance(result, MNISTClassifier) and result.cache_path is None
    assert target.read_bytes() == before
    assert os.listdir(tmp_path) == [target.name]


def test_unwritable_cache_dir_still_returns_the_classifier(trained, tmp_path, monkeypatch):
    classifier, _, _ = trained
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory")
    monkeypatch.setattr(classifier_module, "train_classifier", fake_trainer(classifier, []))
    with pytest.warns(ClassifierCacheWarning, match=re.escape(str(blocker))):
        result = load_classifier(cache_dir=blocker, config=TINY, verbose=False)
    assert result.cache_path is None


# --- configuration and file names ------------------------------------------------------


def test_each_configuration_has_its_own_file(tmp_path):
    paths = {
        classifier_cache_path(config, tmp_path)
        for config in (
            TINY,
            dataclasses.replace(TINY, seed=1),
            dataclasses.replace(TINY, epochs=3),
            dataclasses.replace(TINY, conv_filters=(4, 16)),
            ClassifierConfig(),
        )
    }
    assert len(paths) == 5
    assert all(re.fullmatch(r"mnist_classifier-[0-9a-f]{16}\.npz", p.name) for p in paths)
    # Equal settings, spelled differently, share a file.
    same = ClassifierConfig(
        conv_filters=[4, 8],
        dense_units=32,
        epochs=2,
        batch_size=32,
        learning_rate=0.003,
        learning_rate_decay=1,
        n_train=2000,
        seed=0,
    )
    assert same == TINY and classifier_cache_path(same, tmp_path) == classifier_cache_path(
        TINY, tmp_path
    )
    assert classifier_cache_path(None, tmp_path) == classifier_cache_path(
        ClassifierConfig(), tmp_path
    )


def test_default_cache_dir(monkeypatch, tmp_path):
    name = f"mnist_classifier-{ClassifierConfig().digest}.npz"
    monkeypatch.setenv(CACHE_ENV_VAR, str(tmp_path / "env"))
    assert classifier_cache_path() == tmp_path / "env" / name
    monkeypatch.delenv(CACHE_ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert classifier_cache_path() == tmp_path / "xdg" / "gan_infer" / name
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/is/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert classifier_cache_path() == tmp_path / "home" / ".cache" / "gan_infer" / name
    assert classifier_cache_path(cache_dir="~/x") == tmp_path / "home" / "x" / name


@pytest.mark.parametrize(
    "settings",
    [
        dict(epochs=0),
        dict(conv_filters=(4, -8)),
        dict(conv_filters=8),
        dict(dense_units=2.5),
        dict(dropout_rate=1.0),
        dict(learning_rate=0.0),
        dict(binarize_fraction=1.5),
        dict(learning_rate_decay=0.0),
        dict(learning_rate_decay=1.5),
        dict(seed=-1),
        dict(n_train=0),
        dict(batch_size=True),
    ],
)
def test_config_is_validated(settings):
    with pytest.raises(ValueError, match="ClassifierConfig"):
        ClassifierConfig(**settings)


def test_wrong_argument_types_raise(tmp_path):
    with pytest.raises(TypeError, match="ClassifierConfig"):
        load_classifier(cache_dir=tmp_path, config={"epochs": 1})
    with pytest.raises(TypeError, match="cache_dir"):
        classifier_cache_path(TINY, cache_dir=3)
    with pytest.raises(TypeError, match="ClassifierConfig"):
        train_classifier(config="tiny")
