#!/usr/bin/env python
"""Measure the tutorial GAN over seeds: every criticism metric at 1k, 5k and 15k iterations.

    python examples/tutorial_report.py --seeds 1 2 3 --data-dir ../shared/datasets/mnist

For each seed it runs examples/gan_mnist.py (skipped when its samples
exist), scores the 10,000 samples saved after 1,000, 5,000 and 15,000
iterations with examples/evaluate_mnist.py (skipped when the scores exist),
scores real held-out digits as the reference, and prints a Markdown table of
mean ± std over seeds (also written to OUT_DIR/summary.md). About 3 minutes
of training and 3 of scoring per seed on a 2-core CPU.
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np

from gan_infer.criticism.evaluate import METRIC_NAMES
from gan_infer.util import atomic_write, ensure_directory

HERE = os.path.dirname(os.path.abspath(__file__))
SNAPSHOTS = (1000, 5000, 15000)

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
parser.add_argument("--data-dir", default=None)
parser.add_argument("--out-dir", default="out/report")
args = parser.parse_args()
out_dir = ensure_directory(args.out_dir)
data_args = ["--data-dir", args.data_dir] if args.data_dir else []


def run(script, *script_args):
    subprocess.run([sys.executable, os.path.join(HERE, script), *script_args], check=True)


def scores(samples_path, json_path, *extra):
    if not os.path.exists(json_path):
        run(
            "evaluate_mnist.py",
            *extra,
            *([samples_path] if samples_path else []),
            "--json",
            json_path,
            *data_args,
        )
    with open(json_path) as f:
        return json.load(f)


results = {t: [] for t in SNAPSHOTS}
for seed in args.seeds:
    seed_dir = os.path.join(out_dir, f"seed{seed}")
    if not os.path.exists(os.path.join(seed_dir, "samples.npy")):
        run(
            "gan_mnist.py",
            "--seed",
            str(seed),
            "--out-dir",
            seed_dir,
            "--save-samples-at",
            *map(str, SNAPSHOTS[:-1]),
            *data_args,
        )
    for t in SNAPSHOTS:
        name = "samples.npy" if t == SNAPSHOTS[-1] else f"samples_{t}.npy"
        results[t].append(
            scores(os.path.join(seed_dir, name), os.path.join(seed_dir, f"metrics_{t}.json"))
        )
reference = scores(None, os.path.join(out_dir, "reference.json"), "--reference")

header = "| metric | " + " | ".join(f"{t:,} iterations" for t in SNAPSHOTS) + " | real digits |"
lines = [
    f"Tutorial GAN, seeds {', '.join(map(str, args.seeds))}: mean ± std over seeds.",
    "",
    header,
    "|---" * (len(SNAPSHOTS) + 2) + "|",
]
for key, description in METRIC_NAMES:
    if key not in reference:
        continue
    cells = []
    for t in SNAPSHOTS:
        values = np.array([r[key] for r in results[t]])
        cells.append(f"{values.mean():.3g} ± {values.std(ddof=1) if len(values) > 1 else 0:.2g}")
    lines.append(f"| {description} | " + " | ".join(cells) + f" | {reference[key]:.3g} |")
per_seed = [
    f"seed {seed}: "
    + ", ".join(f"{r['classifier_score']:.2f}" for r in (results[t][i] for t in SNAPSHOTS))
    for i, seed in enumerate(args.seeds)
]
lines += ["", "Classifier score per seed (1k, 5k, 15k): " + "; ".join(per_seed)]
table = "\n".join(lines)
print(table)
with atomic_write(os.path.join(out_dir, "summary.md"), "w") as f:
    f.write(table + "\n")
