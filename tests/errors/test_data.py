"""docs/errors.md, section "Data": each row's mistake, made (see registry.py)."""

import gzip
import struct
import urllib.error

import numpy as np

import gan_infer as ed
from gan_infer import cli
from gan_infer.datasets import DataError, batches, mnist, mnist_splits, read_idx
from tests.errors.parts import (
    IMAGE,
    idx_bytes,
    image_file,
    mnist_module,
    npy,
    tiny_classifier,
    write,
)
from tests.errors.registry import also, row, row_test

row(
    "data-batch-size-type",
    TypeError,
    "batch_size must be a positive int, got …",
    lambda env: batches(np.zeros((10, 3), np.uint8), 2.5),
)

row(
    "data-batch-size-value",
    ValueError,
    "batch_size must be a positive int, got …",
    lambda env: batches(np.zeros((10, 3), np.uint8), 0),
)

also("data-batch-size-value", lambda env: tiny_classifier().predict(IMAGE, batch_size=0))

row(
    "data-batches-0d",
    ValueError,
    "array must be at least 1-D with examples along the first axis, got a 0-D array.",
    lambda env: batches(np.float32(0.5), 2),
)

row(
    "data-batches-empty",
    ValueError,
    "array must hold at least one example, got shape …",
    lambda env: batches(np.zeros((0, 3), np.uint8), 2),
)

row(
    "data-batches-labels",
    ValueError,
    "labels must hold one label per example (…), got shape …",
    lambda env: batches(np.zeros((10, 3), np.uint8), 2, labels=np.zeros(9)),
)

row(
    "data-batches-float-range",
    ValueError,
    "Floating-point data must already be scaled to [0, 1], got values in […, …]. Scale it first "
    "(e.g. divide 0..255 pixels by 255), or pass the uint8 array, which is scaled for you.",
    lambda env: batches(np.full((10, 3), 255.0, np.float32), 2),
)

row(
    "data-batches-not-finite",
    ValueError,
    "array holds … NaN or Inf value(s): one bad value makes every weight NaN within a few "
    "updates. Remove or impute them first, e.g. array[~np.isfinite(array)] = 0.",
    lambda env: batches(np.array([[0.5, np.nan], [0.1, 0.2]], np.float32), 2),
)

row(
    "data-batches-dtype",
    TypeError,
    "array must be uint8 (0..255), bool, or floating point in [0, 1], got dtype …. Convert it, "
    "e.g. array.astype(np.uint8) for 0..255 pixels.",
    lambda env: batches(np.zeros((10, 3), np.int64), 2),
)

row(
    "data-mnist-validation-size-type",
    ValueError,
    "validation_size must be an int, got …",
    lambda env: mnist_splits(env.tmp_path, validation_size=0.1, download=False),
)

row(
    "data-mnist-validation-size-range",
    ValueError,
    "validation_size must be an int with 0 <= validation_size < 60000 (the number of MNIST "
    "training images), got …",
    lambda env: mnist_splits(env.tmp_path, validation_size=60000, download=False),
)

row(
    "data-mnist-validation-size-moved",
    TypeError,
    "mnist() takes no validation_size: it always returns ((x_train, y_train), (x_test, y_test)). "
    "For a validation split use mnist_splits(data_dir, validation_size=...), which returns "
    "((x_train, y_train), (x_valid, y_valid), (x_test, y_test)).",
    lambda env: mnist(env.tmp_path, validation_size=5000, download=False),
)

row(
    "data-mnist-data-dir-type",
    TypeError,
    "data_dir must be a str or os.PathLike, got …",
    lambda env: mnist(3, download=False),
)


@row(
    "data-mnist-missing",
    DataError,
    "MNIST file … is missing (and so is the uncompressed …), and download=False. To fix: call "
    "mnist(download=True), or download the four files by hand from … into …, or set "
    "GAN_INFER_DATA_DIR to a folder that holds them.",
)
def _(env):
    env.tmp_path.mkdir(parents=True)
    mnist(env.tmp_path, download=False)


@row(
    "data-mnist-download-failed",
    DataError,
    "MNIST file … is missing and could not be downloaded. URLs tried:…Last error: …To fix: "
    "check the network connection and run again, or download the four files by hand from … "
    "into …, or set GAN_INFER_DATA_DIR to a folder that holds them.",
)
def _(env):
    def offline(url):
        raise urllib.error.URLError("network unreachable (test)")

    env.monkeypatch.setattr(mnist_module, "_fetch", offline)
    mnist(env.tmp_path)


@row(
    "data-mnist-not-gzip",
    DataError,
    "… is not a valid gzip file (…). To fix: delete it and run again to re-download, or "
    "download the four files by hand from … into …, or set GAN_INFER_DATA_DIR to a folder "
    "that holds them.",
)
def _(env):
    write(env, mnist_module.TRAIN_IMAGES, b"<html>404 Not Found</html>")
    mnist(env.tmp_path, download=False)


@row(
    "data-mnist-md5",
    DataError,
    "…: MD5 checksum mismatch: expected …, got … (uncompressed content is … bytes, expected …); "
    "the file is corrupt, truncated, or not the official MNIST file. To fix: delete it and run "
    "again to re-download, or download the four files by hand",
)
def _(env):
    small = idx_bytes(0x00000803, (1, 28, 28), bytes(784))
    write(env, mnist_module.TRAIN_IMAGES, gzip.compress(small))
    mnist(env.tmp_path, download=False)


row(
    "data-idx-too-short",
    DataError,
    "… is truncated: expected at least 4 bytes for the IDX magic number, got …",
    lambda env: read_idx(write(env, "short.idx", b"\x00\x00")),
)


@row(
    "data-idx-wrong-magic",
    DataError,
    "… has the wrong magic number: expected 0x…, got 0x…. Check that the file is complete and "
    "in IDX format.",
)
def _(env):
    read_idx(
        write(env, "images.idx", idx_bytes(0x00000803, (1, 1, 1), b"\x00")),
        expected_magic=mnist_module.LABELS_MAGIC,
    )


row(
    "data-idx-bad-type",
    DataError,
    "… has the wrong magic number: expected 0x0000TTNN with type code TT one of …, got 0x…",
    lambda env: read_idx(write(env, "odd.idx", idx_bytes(0x00000F01, (1,), b"\x00"))),
)


@row(
    "data-idx-truncated-header",
    DataError,
    "… is truncated: expected … header bytes for … dimensions, got …",
)
def _(env):
    read_idx(write(env, "header.idx", struct.pack(">I", 0x00000803) + b"\x00\x00\x00\x01"))


row(
    "data-idx-truncated-data",
    DataError,
    "… is truncated: expected … bytes from the header (shape …), got …",
    lambda env: read_idx(write(env, "data.idx", idx_bytes(0x00000801, (10,), bytes(5)))),
)

row(
    "data-idx-trailing",
    DataError,
    "… has … bytes of trailing garbage: expected … bytes from the header (shape …), got …",
    lambda env: read_idx(write(env, "trailing.idx", idx_bytes(0x00000801, (2,), bytes(5)))),
)


row(
    "data-images-missing",
    DataError,
    "… does not exist: give a folder of PNG/JPEG images, a .npy or .npz.",
    lambda env: ed.datasets.images(env.tmp_path / "nowhere"),
)

row(
    "data-images-not-supported",
    DataError,
    "… is not a folder, a .npy or .npz file, or a PNG/JPEG image.",
    lambda env: ed.datasets.images(write(env, "data.csv", b"1,2,3\n")),
)

row(
    "data-images-empty-folder",
    DataError,
    "… holds no PNG or JPEG images (searched recursively; other files are ignored).",
    lambda env: ed.datasets.images(write(env, "README.txt", b"no images here").parent),
)

row(
    "data-images-unreadable",
    DataError,
    "… cannot be read as an image (…); replace it, or move it out of the folder.",
    lambda env: ed.datasets.images(write(env, "cut.png", b"\x89PNG\r\n\x1a\n").parent),
)


@row(
    "data-images-mixed-sizes",
    DataError,
    "The images of … have different sizes (… is …x…, … is …x… pixels); pass size= to resize "
    "them all to one side (gan-infer: --image-size).",
)
def _(env):
    image_file(env, "a.png", (8, 8))
    image_file(env, "sub/b.png", (8, 9))
    ed.datasets.images(env.tmp_path)


row(
    "data-images-size",
    ValueError,
    "size must be None or a positive int, got …",
    lambda env: ed.datasets.images("x.npy", size=0),
)

row(
    "data-images-channels",
    ValueError,
    "channels must be None, 1 or 3, got …",
    lambda env: ed.datasets.images("x.npy", channels=4),
)

row(
    "data-images-shape",
    DataError,
    "… holds an array of shape …: expected images (N, H, W), (N, H, W, C) with C = 1 or 3, or "
    "(N, s*s) square grey images…",
    lambda env: ed.datasets.images(npy(env, "x.npy", np.zeros((4, 3, 8, 8)))),
)
also("data-images-shape", lambda env: ed.datasets.images(npy(env, "x.npy", np.zeros((4, 10)))))

row(
    "data-images-no-rows",
    DataError,
    "… holds no images (shape …).",
    lambda env: ed.datasets.images(npy(env, "x.npy", np.zeros((0, 8, 8)))),
)

row(
    "data-images-not-finite",
    DataError,
    "… holds NaN or infinite values.",
    lambda env: ed.datasets.images(npy(env, "x.npy", np.full((2, 8, 8), np.nan))),
)

row(
    "data-images-float-range",
    DataError,
    "… holds values in […, …], outside [0, 1]. Scale them first: x / 255 for 0..255 pixels, "
    "(x + 1) / 2 for values in [-1, 1].",
    lambda env: ed.datasets.images(npy(env, "x.npy", np.full((2, 8, 8), 255.0))),
)
also(
    "data-images-float-range",
    lambda env: cli.evaluate(npy(env, "s.npy", -np.ones((4, 784))), data=env.tmp_path / "s.npy"),
)

row(
    "data-images-int-range",
    DataError,
    "… holds integers in […, …]: expected pixels in 0..255 (uint16 arrays may use 0..65535).",
    lambda env: ed.datasets.images(npy(env, "x.npy", np.full((2, 8, 8), 1000, np.int32))),
)

row(
    "data-images-one-image",
    DataError,
    "… holds an array of shape …: one image of …x… pixels with … channels, or … grey images of "
    "…x… pixels? Save one image with its batch axis, x[None] (shape (1, …)); save grey images as "
    "(N, H, W, 1), x[..., None].",
    lambda env: ed.datasets.images(npy(env, "photo.npy", np.zeros((64, 64, 3), np.uint8))),
)

row(
    "data-images-binary-integers",
    DataError,
    "… holds … values that are all 0 or 1: read as pixels (0..…) they would be all but black. If "
    "these are binary images, save them as bool, x.astype(bool), which reads as 0 and 1.",
    lambda env: ed.datasets.images(npy(env, "x.npy", np.eye(8, dtype=np.int64)[None])),
)

row(
    "data-images-background",
    ValueError,
    "background must be a grey level in [0, 1] (1.0 is white) or an (r, g, b) triple in [0, 1], "
    "got ….",
    lambda env: ed.datasets.images("x.npy", background=255),
)

row(
    "data-array-missing",
    DataError,
    "… does not exist or is not a file.",
    lambda env: ed.datasets.read_array(env.tmp_path / "missing.npy"),
)

row(
    "data-array-empty",
    DataError,
    "… is empty (0 bytes): not a .npy or .npz file.",
    lambda env: ed.datasets.images(write(env, "empty.npy", b"")),
)
also("data-array-empty", lambda env: cli.evaluate(write(env, "empty.npy", b""), toy="ring"))

row(
    "data-array-not-numpy",
    DataError,
    "… is not a numpy .npy or .npz file (it starts with …); write arrays with np.save or np.savez.",
    lambda env: ed.datasets.images(write(env, "text.npy", b"0.5 0.5\n0.5 0.5\n")),
)
also("data-array-not-numpy", lambda env: cli.evaluate(write(env, "text.npy", b"1 2 3\n")))

row(
    "data-array-objects",
    DataError,
    "… holds Python objects (dtype object), which are not loaded: unpickling can run code. Save "
    "a numeric array instead, e.g. np.save(path, x.astype(np.float32)).",
    lambda env: ed.datasets.images(npy(env, "objects.npy", np.array([None, 1]))),
)
also(
    "data-array-objects",
    lambda env: cli.evaluate(npy(env, "s.npy", np.array([{"a": 1}])), toy="ring"),
)


@row("data-array-corrupt", DataError, "… is truncated or corrupt (…).")
def _(env):
    path = npy(env, "cut.npy", np.zeros((4, 8, 8)))
    path.write_bytes(path.read_bytes()[:-40])
    ed.datasets.images(path)


row(
    "data-array-not-numbers",
    DataError,
    "… holds … values, not numbers.",
    lambda env: ed.datasets.images(npy(env, "words.npy", np.array(["a", "b"]))),
)


@row("data-array-npz-no-key", DataError, "… has no array …; it holds ….")
def _(env):
    env.tmp_path.mkdir(parents=True, exist_ok=True)
    np.savez(env.tmp_path / "data.npz", images=np.zeros((2, 8, 8)))
    ed.datasets.images(env.tmp_path / "data.npz", key="x_train")


@row(
    "data-array-npz-which",
    DataError,
    "… holds the arrays …: pass key= with the one to use (without it, the only array is used, or "
    "the first of images, x, x_train, arr_0).",
)
def _(env):
    env.tmp_path.mkdir(parents=True, exist_ok=True)
    np.savez(env.tmp_path / "data.npz", train=np.zeros((2, 8, 8)), test=np.zeros((2, 8, 8)))
    ed.datasets.images(env.tmp_path / "data.npz")


test_row = row_test(__name__)
