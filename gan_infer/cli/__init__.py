"""The `gan-infer` command: train, sample and evaluate the examples' GANs, and sweep them.

    gan-infer train ring --out runs/ring              # trains examples/gan_ring.py's GAN
    gan-infer train ring --out runs/ring              # again: resumes, or does nothing if done
    gan-infer sample --checkpoint runs/ring -n 2500 -o ring.png
    gan-infer evaluate runs/ring/samples.npy --toy ring
    gan-infer train dcgan --data ~/pictures --image-size 64 --out runs/pictures   # your images
    gan-infer evaluate runs/pictures/samples.npy --data ~/pictures
    gan-infer sweep examples/sweep_ring.toml          # a grid of trials on Ray

The same work from Python, where `train` runs in a graph of its own and
returns the run's metrics (what it writes to OUT/metrics.json):

```python
from gan_infer.cli import train
metrics = train("ring", "runs/ring", loss="minimax", n_iter=2000, seed=1)
print(metrics["modes_captured"], metrics["high_quality_fraction"])
```

A training run is a directory (see docs/cli.md): `config.json` (the model
and every option), `checkpoints/` (resume points), `logs/` (TensorBoard),
`grids/` (a figure every n_print iterations), and at the end `samples.npy`,
`final.png` and `metrics.json`. Every file is written atomically.

Exit codes: 0 success, 1 a runtime failure (a NaN loss, a data error),
2 a usage error (a bad flag or value; argparse's convention), 130 interrupted
by Ctrl-C (after saving a checkpoint: the same command resumes).

The package's modules, each importing only those above it (nothing else in
gan_infer imports this package):

    named_gan_base.py  what a named GAN is: the interface every one implements
    dcgan.py        the DCGAN, on MNIST or on your images (--data), sized from them
    named_gans.py   the examples' GANs by name: networks, data, metrics, figures
    options.py      train()'s options checked and resolved; UsageError, exit codes
    run_folder.py   a run directory: config.json, same-run checks, finished runs
    sampling.py     gan-infer sample (and the sample drawing that train shares)
    training.py     gan-infer train
    evaluation.py   gan-infer evaluate
    sweep_results.py  a sweep's results.csv and summary.md (mean ± std over seeds)
    sweep.py        gan-infer sweep, on Ray (an optional extra)
    parser.py       the argparse parser
    command.py      main(): parse, run, map errors to exit codes
"""

from gan_infer.cli.command import main
from gan_infer.cli.evaluation import evaluate
from gan_infer.cli.options import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_USAGE,
    LOSSES,
    RUN_OPTIONS,
    Interrupted,
    UsageError,
    command_line,
    resolve_config,
)
from gan_infer.cli.run_folder import (
    check_same_run,
    describe_differences,
    differences,
    finished_metrics,
    latest_checkpoint,
    read_text,
)
from gan_infer.cli.sampling import sample
from gan_infer.cli.sweep import run_sweep
from gan_infer.cli.training import train

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "LOSSES",
    "RUN_OPTIONS",
    "Interrupted",
    "UsageError",
    "check_same_run",
    "command_line",
    "describe_differences",
    "differences",
    "evaluate",
    "finished_metrics",
    "latest_checkpoint",
    "main",
    "read_text",
    "resolve_config",
    "run_sweep",
    "sample",
    "train",
]
