#!/usr/bin/env python
"""Score generated MNIST digits with every metric of gan_infer.criticism.

    python examples/evaluate_mnist.py out/gan_mnist/samples.npy --json out/gan_mnist/metrics.json
    python examples/evaluate_mnist.py --reference      # the same metrics for real held-out digits

The first use trains the package's MNIST classifier (a couple of CPU
minutes) and caches it; later runs take about a minute, mostly the
Parzen-window estimate (skip it with --no-parzen).
"""

import argparse
import json

import numpy as np

from gan_infer.criticism.evaluate import METRIC_NAMES, evaluate_mnist
from gan_infer.util import atomic_write

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("samples", nargs="?", help="a .npy file of (N, 784) samples in [0, 1]")
parser.add_argument("--reference", action="store_true", help="score real validation images instead")
parser.add_argument("--data-dir", default=None, help="MNIST folder (default: cache, downloaded)")
parser.add_argument("--no-parzen", action="store_true", help="skip the Parzen-window estimate")
parser.add_argument("--json", default=None, help="also write the numbers to this JSON file")
parser.add_argument(
    "--labels",
    default=None,
    help="a .npy file of the digit each sample was asked to be (conditional GAN)",
)
args = parser.parse_args()
if (args.samples is None) == (not args.reference):
    parser.error("give a samples .npy file, or --reference (not both)")

samples = None if args.reference else np.load(args.samples)
labels = np.load(args.labels) if args.labels else None
results = evaluate_mnist(
    samples,
    data_dir=args.data_dir,
    parzen=not args.no_parzen,
    reference=args.reference,
    labels=labels,
)

for key, description in METRIC_NAMES:
    if key in results:
        spread = results.get(key + "_std", results.get(key + "_stderr"))
        value = f"{results[key]:.4g}" + (f" ± {spread:.2g}" if spread is not None else "")
        print(f"{value:>18}  {description}")
print("class fractions: " + " ".join(f"{f:.3f}" for f in results["class_fractions"]))
if args.json:
    with atomic_write(args.json, "w") as f:
        json.dump(results, f, indent=2)
