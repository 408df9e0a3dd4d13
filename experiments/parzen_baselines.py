#!/usr/bin/env python
"""Reference rows of Table 1 of Goodfellow et al. (2014): the Parzen-window
estimate of models that are not GANs, with the released protocol.

- "real digits": 10,000 real training images (the first 10,000 of the 50,000
  training images; none is a validation or test image) as the "samples": what
  a generator that draws from the data distribution itself would score;
- "k-means": the 10,000 centroids of k-means on the 50,000 training images
  as the "samples" (Theis, van den Oord and Bethge, 2016): averages of
  digits, no sample of any model, and yet a higher score than real digits,
  which is why the estimate must be read with care.

Each set is scored with the authors' released protocol (sigma from
logspace(-1, 0, 10) chosen on the first 1,000 validation images, the last
10,000 training images; mean log-likelihood of the 10,000 test images +-
standard error) and, for comparison, with sigma chosen on all 10,000
validation images (the estimator's default).

    python experiments/parzen_baselines.py --data-dir ~/data/mnist --out-dir out/parzen_baselines

Writes parzen_baselines.json and centroids.png (16 of the centroids).

`--samples FILE ...` scores a model's samples (.npy, N x 784 in [0, 1])
with the same two protocols instead of the baselines (the DCGAN rows of
Table 1), into parzen_samples.json:

    python experiments/parzen_baselines.py --samples out/dcgan/samples.npy --out-dir out/parzen
"""

import argparse
import json
import os
import time

import numpy as np
from scipy.cluster.vq import kmeans2

import gan_infer as ed
from gan_infer.criticism import sample_grid, save_figure
from gan_infer.criticism.metrics import parzen_window_estimate
from gan_infer.util import atomic_write, ensure_directory
from gan_infer.util.checks import check_int

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--n-samples", type=int, default=10000, help="real digits and centroids")
parser.add_argument("--kmeans-iter", type=int, default=10, help="iterations of k-means")
parser.add_argument("--n-train", type=int, default=50000, help="training images k-means clusters")
parser.add_argument("--parzen-size", type=int, default=10000, help="test images scored")
parser.add_argument("--data-dir", default=None, help="folder with the four MNIST .gz files")
parser.add_argument("--out-dir", default="out/parzen_baselines", help="where the results go")
parser.add_argument("--seed", type=int, default=1, help="seed of k-means' initial centroids")
parser.add_argument(
    "--samples", nargs="+", default=None, help="score these .npy files instead of the baselines"
)
args = parser.parse_args()
check_int(args.n_samples, "--n-samples", maximum=40000, error=parser.error)
check_int(args.n_train, "--n-train", minimum=args.n_samples, maximum=50000, error=parser.error)
for flag in ("kmeans_iter", "parzen_size"):
    check_int(getattr(args, flag), "--" + flag.replace("_", "-"), error=parser.error)
out_dir = ensure_directory(args.out_dir)

(x_train, _), (x_valid, _), (x_test, _) = ed.datasets.mnist_splits(
    args.data_dir, validation_size=10000
)
x_train, x_valid = x_train / np.float32(255), x_valid / np.float32(255)
x_test = x_test[: args.parzen_size] / np.float32(255)


def score(name, samples):
    """The estimate of both protocols for one set of samples, printed."""
    scores = {}
    for protocol, n_validation in [("released", 1000), ("all validation", None)]:
        estimate = parzen_window_estimate(samples, x_valid, x_test, n_validation=n_validation)
        scores[protocol] = estimate._asdict()
        print(
            f"{name}, {protocol} protocol: {estimate.mean:.1f} +- {estimate.std_error:.1f} nats "
            f"(sigma {estimate.sigma:.3f})"
        )
    return scores


def read_samples(path):
    """A model's samples as (N, 784) pixels in [0, 1], or a usage error."""
    samples = ed.datasets.read_array(path)
    samples = samples.reshape(len(samples), -1) if samples.ndim else samples.reshape(1, 1)
    if samples.shape[1] != 784:
        parser.error(f"{path} holds {samples.shape[1]} values per sample; MNIST samples have 784")
    if not np.all(np.isfinite(samples)):
        parser.error(f"{path} holds NaN or infinite values")
    low, high = float(samples.min()), float(samples.max())
    if low < 0.0 or high > 1.0:
        parser.error(
            f"{path} holds values in [{low:g}, {high:g}]; MNIST samples are pixels in [0, 1] "
            "(divide 0..255 images by 255)"
        )
    return samples


if args.samples:
    samples = {path: read_samples(path) for path in args.samples}  # all checked before scoring
    results = {path: score(path, values) for path, values in samples.items()}
    with atomic_write(os.path.join(out_dir, "parzen_samples.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(f"Wrote {out_dir}/parzen_samples.json")
else:
    start = time.perf_counter()
    # Initial centroids: distinct training images (k-means++ costs as much as
    # the iterations here). In float64, as scipy computes the distances.
    centroids, _ = kmeans2(
        x_train[: args.n_train].astype(np.float64),
        args.n_samples,
        iter=args.kmeans_iter,
        minit="points",
        seed=args.seed,
        missing="warn",
    )
    kmeans_seconds = time.perf_counter() - start
    grid = sample_grid(np.clip(centroids[:16], 0, 1), 4, 4)
    save_figure(grid, os.path.join(out_dir, "centroids.png"))

    results = {"kmeans_seconds": kmeans_seconds, "n_samples": args.n_samples}
    for name, samples in [("real digits", x_train[: args.n_samples]), ("k-means", centroids)]:
        results[name] = score(name, samples)
    with atomic_write(os.path.join(out_dir, "parzen_baselines.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(f"k-means in {kmeans_seconds:.0f} s. Wrote parzen_baselines.json and centroids.png")
