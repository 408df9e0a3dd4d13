#!/usr/bin/env python
"""The measurements behind `gan-infer train dcgan --data`'s defaults (issue 32).

Makes the image sets, then scores finished run folders with classifiers that
know the sets' classes (the runs themselves are plain `gan-infer train dcgan
--data PATH` commands, docs/cli.md):

    python experiments/dcgan_defaults.py make-mnist ~/.cache/gan_infer/images/mnist_png
    python experiments/dcgan_defaults.py make-digits ~/.cache/gan_infer/images/digits32.npz
    python experiments/dcgan_defaults.py make-colour ~/.cache/gan_infer/images/colour32.npz
    gan-infer train dcgan --data ~/.cache/gan_infer/images/mnist_png --seed 1 --out RUN
    python experiments/dcgan_defaults.py score mnist RUN [RUN ...] [--last-iterate] --json S.json
    python experiments/dcgan_defaults.py table S.json [S.json ...]

- mnist: MNIST's 55,000 training digits (the tutorial's split) as 28x28 grey
  PNG files, 1,000 a sub-folder, named by index (no labels anywhere).
- digits: scikit-learn's 1,797 bundled 8x8 digits, upscaled to 32x32 grey
  (bicubic), as `images` in a .npz; `labels` beside them for scoring only.
- colour: the same digits at 32x32 in colour, ten colourings of each (a
  random foreground hue on a random dark background): 17,970 images.

`score` prints one row per run: the label-free metrics of its metrics.json
(`gan-infer evaluate --data`), and the class metrics of its samples.npy
(MNIST: `evaluate_mnist`'s Fréchet distance on the package's classifier and
its class fractions; digits and colour: the class fractions of a logistic
regression trained on the 8x8 digits, reading each sample's contrast to its
border averaged back to 8x8). `--last-iterate` scores, for a run trained
with `--ema-decay`, the samples of the last weights instead: drawn again
from the checkpoint (`gan-infer sample`'s noise), which are exactly what
the same run without the average draws (the average does not change the
training). `table` prints the scored runs as mean ± std over each
configuration's seeds (the run folders are named CONFIGURATION_sSEED).
"""

import argparse
import json
import os

import numpy as np

from gan_infer.cli import named_gans
from gan_infer.cli.run_folder import latest_checkpoint, read_json, run_file
from gan_infer.cli.sampling import draw_seeded_samples, graph_and_session
from gan_infer.util.files import ensure_directory


def make_mnist(out, data_dir):
    from PIL import Image

    from gan_infer.datasets import mnist_splits

    (x_train, _), _, _ = mnist_splits(data_dir, validation_size=5000)
    for index, pixels in enumerate(x_train):
        folder = ensure_directory(os.path.join(out, f"{index // 1000:02d}"))
        Image.fromarray(pixels.reshape(28, 28)).save(os.path.join(folder, f"{index:05d}.png"))
    print(f"Wrote {len(x_train)} PNG files to {out}")


def upscaled_digits():
    """scikit-learn's 8x8 digits as uint8 32x32 images (bicubic), and their labels."""
    from PIL import Image
    from sklearn.datasets import load_digits

    digits = load_digits()
    small = np.round(digits.images * (255.0 / 16.0)).astype(np.uint8)
    large = [np.asarray(Image.fromarray(image).resize((32, 32), Image.BICUBIC)) for image in small]
    return np.stack(large), digits.target.astype(np.int32)


def make_digits(out):
    images, labels = upscaled_digits()
    np.savez_compressed(out, images=images, labels=labels)
    print(f"Wrote {len(images)} images {images.shape[1:]} to {out}")


def make_colour(out, copies=10, seed=0):
    """Each digit `copies` times: ink of a random bright hue on a random dark ground."""
    grey, labels = upscaled_digits()
    rng = np.random.default_rng(seed)
    ink = grey[None].repeat(copies, axis=0).reshape(-1, 32, 32, 1) / 255.0
    n = len(ink)
    foreground = rng.uniform(0.5, 1.0, (n, 1, 1, 3))
    foreground[np.arange(n), 0, 0, rng.integers(0, 3, n)] = 1.0  # one bright channel
    background = rng.uniform(0.0, 0.35, (n, 1, 1, 3))
    images = np.round(255 * (ink * foreground + (1 - ink) * background)).astype(np.uint8)
    np.savez_compressed(out, images=images, labels=np.tile(labels, copies))
    print(f"Wrote {n} images {images.shape[1:]} to {out}")


def last_iterate_samples(run_dir):
    """The samples of the run's last weights (not their average), with samples.npy's noise."""
    import tensorflow.compat.v1 as tf

    config = read_json(run_file(run_dir, "config.json"))
    spec = named_gans.get(config["model"]).configure(config)
    with graph_and_session() as session:
        x = spec.generator(config["batch_size"])
        variables = tf.global_variables(scope=named_gans.GEN_SCOPE + "/")
        tf.train.Saver(variables).restore(session, latest_checkpoint(run_dir))
        return draw_seeded_samples(x, spec.n_samples, config["seed"])


def digit_fractions(samples):
    """Class fractions of 32x32 or 64x64 samples by a logistic regression on the 8x8 digits."""
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression

    digits = load_digits()
    classifier = LogisticRegression(max_iter=2000).fit(digits.data, digits.target)
    x = np.asarray(samples, np.float64)
    border = np.concatenate([x[:, 0], x[:, -1], x[:, :, 0], x[:, :, -1]], axis=1)
    ink = np.abs(x - np.median(border, axis=1)[:, None, None]).max(axis=-1)
    ink = ink / np.maximum(ink.max(axis=(1, 2), keepdims=True), 1e-6)
    block = x.shape[1] // 8  # 32 or 64 px samples, averaged down to the 8x8 digits
    small = ink.reshape(len(x), 8, block, 8, block).mean(axis=(2, 4)) * 16.0
    predicted = classifier.predict(small.reshape(len(x), 64))
    return np.bincount(predicted, minlength=10) / len(predicted)


def score(image_set, run_dirs, last_iterate, data_dir):
    from gan_infer.criticism.evaluate import evaluate_mnist

    rows = []
    for run_dir in run_dirs:
        metrics = read_json(run_file(run_dir, "metrics.json"))
        if metrics is None:  # its checkpoints would score a half-trained network
            raise SystemExit(f"{run_dir} has not finished (no metrics.json): score it when it has.")
        config = read_json(run_file(run_dir, "config.json")) or {}
        if last_iterate and config.get("ema_decay"):  # else samples.npy is the last weights
            samples, free = last_iterate_samples(run_dir), metrics.get("last_iterate", {})
        else:
            samples, free = np.load(run_file(run_dir, "samples.npy")), metrics
        averaged = config.get("ema_decay") and not last_iterate
        row = {"run": run_dir, "weights": "average" if averaged else "last"}
        row.update({k: free.get(k) for k in ("frechet_distance", "precision")})
        row["recall"], row["seconds"] = free.get("recall"), metrics.get("seconds")
        if image_set == "mnist":
            scores = evaluate_mnist(samples.reshape(len(samples), 784), data_dir, parzen=False)
            fractions = np.array(scores["class_fractions"])
            row["classifier_frechet_distance"] = scores["frechet_distance"]
        else:
            fractions = digit_fractions(samples)
        row["min_class_fraction"] = float(fractions.min())
        row["class_fractions"] = [round(float(f), 4) for f in fractions]
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def mean_std(values, digits=3, scale=1.0):
    values = [v * scale for v in values if v is not None]
    if not values:
        return "—"
    spread = np.std(values, ddof=1) if len(values) > 1 else 0.0
    return f"{np.mean(values):.{digits}f} ± {spread:.{digits}f}"


def table(score_files):
    """Print a markdown table of scored runs: one row per configuration (the
    run folder's name without its _sN) and weights, mean ± std over seeds."""
    groups = {}
    for path in score_files:
        for row in read_json(path):
            config, seed = os.path.basename(os.path.normpath(row["run"])).rsplit("_s", 1)
            weights = row.get("weights", "?")
            groups.setdefault((config, weights), {})[int(seed)] = row  # a later file wins
    print(
        "| configuration | weights | seeds | label-free Fréchet | precision | recall "
        "| smallest class (%) | per seed: Fréchet / smallest (%) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for (config, weights), by_seed in sorted(groups.items()):
        rows = [by_seed[seed] for seed in sorted(by_seed)]
        column = {key: [r.get(key) for r in rows] for key in rows[0]}
        each = ", ".join(
            f"{'—' if r['frechet_distance'] is None else format(r['frechet_distance'], '.3f')}"
            f" / {100 * r['min_class_fraction']:.1f}"
            for r in rows
        )
        print(
            f"| {config} | {weights} | {','.join(map(str, sorted(by_seed)))} "
            f"| {mean_std(column['frechet_distance'])} | {mean_std(column['precision'], 2)} "
            f"| {mean_std(column['recall'], 2)} "
            f"| {mean_std(column['min_class_fraction'], 1, 100)} | {each} |"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("make-mnist")
    make.add_argument("out")
    make.add_argument("--data-dir", default=None)
    commands.add_parser("make-digits").add_argument("out")
    commands.add_parser("make-colour").add_argument("out")
    scoring = commands.add_parser("score")
    scoring.add_argument("image_set", choices=["mnist", "digits", "colour"])
    scoring.add_argument("runs", nargs="+")
    scoring.add_argument("--last-iterate", action="store_true")
    scoring.add_argument("--data-dir", default=None)
    scoring.add_argument("--json", help="also write the rows here")
    commands.add_parser("table").add_argument("scores", nargs="+", help="score --json files")
    args = parser.parse_args()
    if args.command == "make-mnist":
        make_mnist(args.out, args.data_dir)
    elif args.command == "make-digits":
        make_digits(args.out)
    elif args.command == "make-colour":
        make_colour(args.out)
    elif args.command == "table":
        table(args.scores)
    else:
        rows = score(args.image_set, args.runs, args.last_iterate, args.data_dir)
        if args.json:
            with open(args.json, "w", encoding="utf-8") as handle:
                json.dump(rows, handle, indent=1)


if __name__ == "__main__":
    main()
