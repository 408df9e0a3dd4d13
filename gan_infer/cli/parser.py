"""The argparse parser of `gan-infer` and its subcommands: the flags, their help and examples.

Parsing only: `gan_infer.cli.command` runs what was parsed. `args.command`
names the subcommand (train, sample, evaluate, sweep).

#### Examples

```python
from gan_infer.cli.parser import build_parser

args = build_parser().parse_args(["train", "ring", "--out", "runs/ring", "--n-iter", "2000"])
assert (args.command, args.model, args.n_iter, args.loss) == ("train", "ring", 2000,
                                                              "non_saturating")
```
"""

import argparse

from gan_infer.cli import named_gans
from gan_infer.cli.options import LOSSES

__all__ = ["EXIT_CODES", "build_parser"]

EXIT_CODES = """\
exit codes:
  0    success
  1    runtime failure (e.g. a loss became NaN: the message names the last good checkpoint)
  2    usage error (a bad flag or value: the message names the flag and the fix)
  130  interrupted by Ctrl-C after saving a checkpoint (run the same command again to resume)

Errors print one line; --debug (or GAN_INFER_DEBUG=1) prints the traceback too.
See docs/cli.md."""


def build_parser():
    """The argparse parser of `gan-infer` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="gan-infer",
        parents=[_common(default=False)],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train, sample, evaluate and sweep the GANs of gan_infer's examples.",
        epilog="examples:\n"
        "  gan-infer train ring --out runs/ring\n"
        "  gan-infer sample --checkpoint runs/ring -o ring.png\n"
        "  gan-infer evaluate runs/ring/samples.npy --toy ring\n"
        "  gan-infer sweep examples/sweep_ring.toml --num-cpus 4\n\n"
        "'gan-infer COMMAND --help' describes each command.\n\n" + EXIT_CODES,
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    # A subcommand that sets its flags' defaults would overwrite a flag given
    # before it (`gan-infer --debug train ...`): its copies set nothing unless given.
    common = _common(default=argparse.SUPPRESS)
    for add in (_add_train, _add_sample, _add_evaluate, _add_sweep):
        add(subparsers, common)
    return parser


def _common(default):
    """The flags every command takes, before or after the command's name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--debug",
        action="store_true",
        default=default,
        help="print the traceback of an error (also GAN_INFER_DEBUG=1)",
    )
    common.add_argument(
        "--verbose",
        action="store_true",
        default=default,
        help="show TensorFlow's start-up logs (also GAN_INFER_VERBOSE=1)",
    )
    return common


def _subcommand(subparsers, name, help_text, examples, common):
    return subparsers.add_parser(
        name,
        help=help_text,
        description=help_text,
        parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"examples:\n{examples}\n\n{EXIT_CODES}",
    )


def _add_train(subparsers, common):
    listing = "\n".join(
        f"  {name:8} {spec.description}" for name, spec in named_gans.MODELS.items()
    )
    train = _subcommand(
        subparsers,
        "train",
        "Train a GAN of the examples, with checkpoints; resume it.",
        "  gan-infer train ring --out runs/ring\n"
        "  gan-infer train ring --out runs/ring     # again: resumes, or does nothing if finished\n"
        "  gan-infer train mnist --out runs/mnist --data-dir ../shared/datasets/mnist\n"
        "  gan-infer train mixture --out runs/mix --loss least_squares --n-iter 3000 --seed 2\n"
        "  gan-infer train dcgan --data ~/pictures/faces --image-size 64 --out runs/faces\n\n"
        f"models:\n{listing}\n\n"
        "writes OUT/config.json, OUT/checkpoints/, OUT/logs/ (TensorBoard), OUT/grids/NNN.png\n"
        "(every n_print iterations), and at the end OUT/samples.npy, OUT/final.png and\n"
        "OUT/metrics.json. The same command resumes an interrupted run; a run directory\n"
        "trained with other options is refused.",
        common,
    )
    train.add_argument("model", choices=list(named_gans.MODELS), help="which GAN (see below)")
    train.add_argument("--out", required=True, metavar="DIR", help="the run directory")
    train.add_argument(
        "--loss",
        default="non_saturating",
        choices=LOSSES,
        help="the pair of GAN losses (default non_saturating)",
    )
    train.add_argument(
        "--n-iter", type=int, metavar="N", help="training iterations (default: the example's)"
    )
    train.add_argument(
        "--n-print",
        type=int,
        metavar="P",
        help="progress, figure and checkpoint every P iterations (default: "
        "the example's, at most n_iter/10)",
    )
    train.add_argument("--seed", type=int, default=0, metavar="S", help="default 0")
    train.add_argument("--batch-size", type=int, metavar="M", help="default: the example's")
    train.add_argument(
        "--learning-rate",
        type=float,
        metavar="LR",
        help="Adam's learning rate (default: the example's)",
    )
    train.add_argument(
        "--learning-rate-d",
        type=float,
        metavar="LR",
        help="the discriminator's (default: --learning-rate)",
    )
    _add_train_data_and_keeping(train)
    _add_dcgan_switches(train)


def _clusters(text):
    """--self-condition's value: 'auto' or an int."""
    return text if text == "auto" else int(text)


def _add_dcgan_switches(train):
    """The dcgan's switches (defaults with --data: the best recipe measured, docs/cli.md)."""
    group = train.add_argument_group(
        "dcgan switches",
        "on by default with --data (the recipe measured best: docs/cli.md); 0 turns one off; "
        "without --data all are off (examples/dcgan_mnist.py)",
    )
    group.add_argument(
        "--self-condition",
        type=_clusters,
        metavar="K",
        help="condition G and D on K k-means clusters of the training images (no labels), "
        "drawn with the clusters' frequencies; 'auto' (default with --data): one cluster per "
        "500 images, at most 100",
    )
    group.add_argument(
        "--minibatch-stddev",
        type=int,
        metavar="G",
        help="give D the spread of its batch over groups of G images as a feature "
        "(default with --data: 4)",
    )
    group.add_argument(
        "--ema-decay",
        type=float,
        metavar="A",
        help="sample from a moving average of G's weights with this decay (default with "
        "--data: 0.999); 0: the last weights",
    )


def _add_train_data_and_keeping(train):
    """train's flags for the data, and for how a run is kept and watched."""
    train.add_argument(
        "--data-dir",
        metavar="D",
        help="MNIST folder (default: $GAN_INFER_DATA_DIR or a per-user "
        "cache, downloaded when missing)",
    )
    train.add_argument(
        "--data",
        metavar="PATH",
        help="dcgan: train on your images, a folder of PNG/JPEG files (searched "
        "recursively), a .npy or a .npz (default: MNIST)",
    )
    train.add_argument(
        "--image-size",
        type=int,
        metavar="S",
        help="dcgan: resize the images of --data to S x S (28, 32 or 64), each "
        "centre-cropped to a square first",
    )
    train.add_argument(
        "--checkpoint-every",
        type=int,
        metavar="K",
        help="save every K iterations (default: --n-print)",
    )
    train.add_argument(
        "--keep-checkpoints",
        type=int,
        default=3,
        metavar="N",
        help="how many recent checkpoints to keep (default 3)",
    )
    train.add_argument(
        "--no-evaluate",
        dest="evaluate",
        action="store_false",
        help="skip the metrics at the end (MNIST's need its classifier, trained on first use)",
    )
    train.add_argument(
        "--threads", type=int, metavar="T", help="TensorFlow CPU threads (default: all cores)"
    )


def _add_sample(subparsers, common):
    sample = _subcommand(
        subparsers,
        "sample",
        "Draw samples from a trained generator.",
        "  gan-infer sample --checkpoint runs/mnist -n 10000 -o samples.npy\n"
        "  gan-infer sample --checkpoint runs/mnist -n 64 -o grid.png\n\n"
        "Restores only the generator's variables from the latest checkpoint of the run.\n"
        "With the run's seed and the model's sample count it draws the run's samples.npy again.",
        common,
    )
    sample.add_argument(
        "--checkpoint",
        required=True,
        metavar="DIR",
        help="the --out directory of `gan-infer train`",
    )
    sample.add_argument(
        "-n",
        type=int,
        metavar="N",
        help="how many samples (default: the model's, e.g. 10000 for mnist)",
    )
    sample.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help=".npy for the array, .png/.pdf/.svg/.jpg for a figure",
    )
    sample.add_argument("--seed", type=int, metavar="S", help="default: the run's seed")


def _add_evaluate(subparsers, common):
    evaluate = _subcommand(
        subparsers,
        "evaluate",
        "Print the metrics of a samples .npy file as JSON.",
        "  gan-infer evaluate runs/mnist/samples.npy --data-dir ../shared/datasets/mnist\n"
        "  gan-infer evaluate runs/ring/samples.npy --toy ring -o metrics.json\n"
        "  gan-infer evaluate runs/faces/samples.npy --data ~/pictures/faces\n\n"
        "MNIST metrics use the package's classifier, trained on first use (a few CPU minutes)\n"
        "and cached in $GAN_INFER_CACHE_DIR (default ~/.cache/gan_infer). With --data, images\n"
        "without labels are judged against those of PATH (resized to the samples' size) on\n"
        "the features of a fixed random network: see docs/cli.md.",
        common,
    )
    evaluate.add_argument("samples", metavar="SAMPLES", help="a .npy file of samples")
    evaluate.add_argument("--data-dir", metavar="D", help="MNIST folder")
    evaluate.add_argument(
        "--labels", metavar="FILE", help=".npy of the digit each sample was asked to be (cGAN)"
    )
    evaluate.add_argument(
        "--parzen", action="store_true", help="add the Parzen-window log-likelihood (10-20 s)"
    )
    evaluate.add_argument(
        "--toy", choices=named_gans.TOYS, help="score samples of a toy model instead of MNIST"
    )
    evaluate.add_argument(
        "--data",
        metavar="PATH",
        help="score images against these training images (a folder, .npy or .npz), without labels",
    )
    evaluate.add_argument("-o", "--output", metavar="FILE", help="also write the JSON here")


def _add_sweep(subparsers, common):
    sweep = _subcommand(
        subparsers,
        "sweep",
        "Run a grid or random search of trainings on Ray.",
        "  gan-infer sweep examples/sweep_ring.toml\n"
        "  gan-infer sweep examples/sweep_ring.toml --num-cpus 8 --out runs/sweep\n"
        "  gan-infer sweep sweep.json --address auto       # an existing Ray cluster\n\n"
        "Each trial is one `gan-infer train` in OUT/trials/NAME; running the sweep again\n"
        "skips finished trials and resumes the others. Writes OUT/results.csv (a row per\n"
        "trial) and OUT/summary.md (mean, std, min, max over seeds per configuration).\n"
        "Needs Ray: pip install 'gan-infer[sweep]'. The config format is in docs/cli.md.",
        common,
    )
    sweep.add_argument("config", metavar="CONFIG", help="a .toml or .json sweep file")
    sweep.add_argument(
        "--address",
        metavar="ADDR",
        help="an existing Ray cluster (e.g. auto, or HOST:6379); default: start a local one",
    )
    sweep.add_argument(
        "--num-cpus", type=int, metavar="N", help="CPUs of the local Ray (default: all cores)"
    )
    sweep.add_argument(
        "--out", metavar="DIR", help="the sweep directory (default: out/<config file name>)"
    )
