"""The `gan-infer` command: train, sample and evaluate the zoo's GANs, and sweep them.

    gan-infer train ring --out runs/ring              # trains examples/gan_ring.py's GAN
    gan-infer train ring --out runs/ring              # again: resumes, or does nothing if done
    gan-infer sample --checkpoint runs/ring -n 2500 -o ring.png
    gan-infer evaluate runs/ring/samples.npy --toy ring
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
"""
import argparse
import contextlib
import json
import logging
import os
import shlex
import sys
import time
import traceback

from gan_infer import zoo

__all__ = ["EXIT_FAILURE", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_USAGE", "LOSSES", "RUN_OPTIONS",
           "Interrupted", "UsageError", "check_int", "check_same_run", "command_line",
           "describe_differences", "differences", "evaluate", "finished_metrics",
           "latest_checkpoint", "main", "read_text", "resolve_config", "sample", "train"]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# The names of gan_infer.inferences.losses.GAN_LOSSES, spelled out so that
# --help and usage errors need no TensorFlow import (tests/test_cli.py checks
# that the two agree).
LOSSES = ("non_saturating", "minimax", "least_squares", "hinge")

# Options that define what is trained: a run directory holding other values
# is refused (n_iter may grow: training goes on). The other options only say
# how the run is watched and kept, and may change from one invocation to the next.
RUN_OPTIONS = ("model", "loss", "seed", "batch_size", "learning_rate", "learning_rate_d", "n_iter")

# Streams of the step seed (gan_infer.util.seeds) that are not training
# iterations: the final samples and the noise of the training figures.
SAMPLES_STREAM, FIGURES_STREAM = 2**31 - 1, 2**31 - 2

IMAGE_EXTENSIONS = (".png", ".pdf", ".svg", ".jpg", ".jpeg")
DEBUG_ENV_VAR = "GAN_INFER_DEBUG"


class UsageError(ValueError):
    """A bad option value or a conflict with what is on disk: exit code 2.

    The message reads on its own (`n_iter must be an integer >= 1, got 0`);
    `option` names the keyword at fault, so that the command line can name
    its flag instead: `argument --n-iter: must be an integer >= 1, got 0`.
    """

    def __init__(self, message, option=None):
        super().__init__(message)
        self.option = option

    def for_command_line(self):
        """The message with the flag at fault named argparse's way."""
        if self.option is None:
            return str(self)
        return f"argument {_flag(self.option)}: {str(self).removeprefix(self.option + ' ')}"


class Interrupted(Exception):
    """Ctrl-C, with what was kept and how to go on: exit code 130."""


# ------------------------------------------------------------------ options

def _flag(option):
    return {"model": "MODEL", "evaluate": "--no-evaluate", "samples": "SAMPLES", "config": "CONFIG",
            "output": "-o", "n": "-n"}.get(option, "--" + option.replace("_", "-"))


def check_int(option, value, minimum):
    """`value`, if it is an int >= `minimum`; else UsageError naming `option`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise UsageError(f"{option} must be an integer >= {minimum}, got {value!r}", option)
    return value


def _positive_number(option, value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < float("inf"):
        raise UsageError(f"{option} must be a positive number, got {value!r}", option)
    return float(value)


def resolve_config(model, *, loss="non_saturating", n_iter=None, n_print=None, seed=0,
                   batch_size=None, learning_rate=None, learning_rate_d=None, data_dir=None,
                   checkpoint_every=None, keep_checkpoints=3, evaluate=True, threads=None):
    """Check `train()`'s options and fill in the model's defaults.

    None means the model's value (`gan_infer.zoo`): its example's batch size,
    learning rate and number of iterations; `learning_rate_d` defaults to
    `learning_rate`; `n_print` to the model's, or n_iter // 10 when that is
    smaller; `checkpoint_every` to `n_print`.

    Returns:
      dict: the resolved options, as written to OUT/config.json.

    Raises:
      UsageError: naming the option and the constraint.

    #### Examples

    ```python
    config = resolve_config("ring", n_iter=30)
    assert config["batch_size"] == 512 and config["n_print"] == 3
    ```
    """
    if model not in zoo.MODELS:
        raise UsageError(f"model must be one of {', '.join(zoo.MODELS)}, got {model!r}", "model")
    spec = zoo.get(model)
    if loss not in LOSSES:
        raise UsageError(f"loss must be one of {', '.join(LOSSES)}, got {loss!r}", "loss")
    n_iter = check_int("n_iter", spec.n_iter if n_iter is None else n_iter, 1)
    n_print = check_int("n_print", zoo.default_n_print(spec, n_iter) if n_print is None else n_print, 1)
    learning_rate = _positive_number(
        "learning_rate", spec.learning_rate if learning_rate is None else learning_rate)
    config = {
        "model": spec.name,
        "loss": loss,
        "n_iter": n_iter,
        "seed": check_int("seed", seed, 0),
        "batch_size": check_int("batch_size", spec.batch_size if batch_size is None else batch_size, 1),
        "learning_rate": learning_rate,
        "learning_rate_d": _positive_number(
            "learning_rate_d", learning_rate if learning_rate_d is None else learning_rate_d),
        "n_print": n_print,
        "data_dir": None if data_dir is None else os.fspath(data_dir),
        "checkpoint_every": check_int("checkpoint_every",
                                   n_print if checkpoint_every is None else checkpoint_every, 1),
        "keep_checkpoints": check_int("keep_checkpoints", keep_checkpoints, 1),
        "evaluate": bool(evaluate),
        "threads": None if threads is None else check_int("threads", threads, 1),
    }
    if config["seed"] >= 2**31:
        raise UsageError(f"seed must be below 2**31, got {seed}", "seed")
    if config["batch_size"] % spec.pack:
        raise UsageError(
            f"batch_size must be a multiple of {spec.pack} for {spec.name} (its discriminator "
            f"judges packs of {spec.pack} examples), got {config['batch_size']}", "batch_size")
    return config


def command_line(config, out_dir):
    """The `gan-infer train` command that trains `config` into `out_dir`."""
    words = ["gan-infer", "train", config["model"], "--out", os.fspath(out_dir)]
    for option in RUN_OPTIONS[1:]:
        words += [_flag(option), str(config[option])]
    return " ".join(map(shlex.quote, words))


# ------------------------------------------------------------ run directory

def _path(out_dir, *names):
    return os.path.join(os.fspath(out_dir), *names)


def read_text(path):
    """The text of the file at `path`, or None when there is none."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def _read_json(path):
    text = read_text(path)
    return None if text is None else json.loads(text)


def _write_json(path, value):
    from gan_infer.util.files import atomic_write

    with atomic_write(path, "w") as handle:
        json.dump(value, handle, indent=2, default=_jsonable)
        handle.write("\n")


def _jsonable(value):
    """numpy numbers and arrays as plain JSON values."""
    return value.tolist() if hasattr(value, "tolist") else str(value)


def differences(out_dir, config):
    """(option, recorded value, value of `config`) for each option that the
    run in `out_dir` was trained with otherwise (see RUN_OPTIONS), and that
    run's recorded options (None when `out_dir` holds no run)."""
    recorded = _read_json(_path(out_dir, "config.json"))
    if recorded is None:
        return [], None
    differing = [option for option in RUN_OPTIONS
                 if recorded.get(option) != config[option]
                 and not (option == "n_iter" and config[option] > recorded[option])]
    return [(option, recorded.get(option), config[option]) for option in differing], recorded


def describe_differences(differing, name):
    """`differences()` as text, each option named by `name(option)`."""
    return "; ".join(f"{name(option)} {old!r} there, {new!r} here" for option, old, new in differing)


def check_same_run(out_dir, config):
    """Raise UsageError if `out_dir` holds a run of other options (see RUN_OPTIONS)."""
    differing, recorded = differences(out_dir, config)
    if differing:
        raise UsageError(
            f"{out_dir} holds a run trained with other options "
            f"({describe_differences(differing, _flag)}). To resume it, run "
            f"`{command_line(recorded, out_dir)}`; to train these options, pass another --out "
            "(or delete the directory to start over).", "out")


def finished_metrics(out_dir, config):
    """The metrics of the finished run of `config` in `out_dir`, or None.

    A run is finished when its metrics.json is there, for `config`'s n_iter,
    and evaluated if `config` asks for an evaluation.
    """
    metrics = _read_json(_path(out_dir, "metrics.json"))
    recorded = _read_json(_path(out_dir, "config.json"))
    if metrics is None or recorded is None or not os.path.exists(_path(out_dir, "samples.npy")):
        return None
    same_run = all(recorded.get(option) == config[option] for option in RUN_OPTIONS)
    evaluated_enough = metrics.get("evaluated") or not config["evaluate"]
    if not (same_run and metrics.get("iterations") == config["n_iter"] and evaluated_enough):
        return None
    return metrics


def latest_checkpoint(out_dir):
    """The newest checkpoint of the run in `out_dir`, or None."""
    import tensorflow.compat.v1 as tf

    directory = _path(out_dir, "checkpoints")
    return tf.train.latest_checkpoint(directory) if os.path.isdir(directory) else None


# ----------------------------------------------------------------- training

@contextlib.contextmanager
def _graph_and_session(threads=None):
    """A fresh graph and its default session, using `threads` CPU threads
    (None: TensorFlow's choice, all cores). gan_infer's `get_session()`
    returns this session inside the block."""
    import tensorflow.compat.v1 as tf

    graph = tf.Graph()
    config = tf.ConfigProto(intra_op_parallelism_threads=threads or 0,
                            inter_op_parallelism_threads=threads or 0)
    with graph.as_default(), tf.Session(graph=graph, config=config) as session:
        yield session


def _draw(x, n, seed):
    """n rows of the generator's output `x`, as many batches as needed.

    Batch k draws its noise with the step seed of (seed, SAMPLES_STREAM, k),
    so the samples are a function of the generator's weights and `seed`
    only: `gan-infer sample` draws the samples.npy of training again.
    """
    import numpy as np
    from gan_infer.util.seeds import step_seed, step_seed_value
    from gan_infer.util.session import get_session

    batch = x.shape.as_list()[0]
    feeds = ({step_seed(): step_seed_value(seed, SAMPLES_STREAM, k)} for k in range(-(-n // batch)))
    return np.concatenate([get_session().run(x, feed) for feed in feeds])[:n]


class _Figures:
    """A monitor for `run()`: the model's figure of one batch of samples
    every `n_print` iterations, always from the same noise, into
    grids/NNN.png: NNN.png shows the generator after NNN * n_print
    iterations (000.png: untrained)."""

    def __init__(self, spec, samples, critic, directory, n_print, seed):
        from gan_infer.util.files import ensure_directory
        from gan_infer.util.seeds import step_seed, step_seed_value

        self.spec, self.n_print = spec, n_print
        self.directory = ensure_directory(directory)
        self.fetches = {"samples": samples}
        if critic is not None:
            self.fetches["critic"] = critic
        self.feed = {step_seed(): step_seed_value(seed, FIGURES_STREAM, 0)}

    def __call__(self, info_dict):
        if info_dict["t"] % self.n_print == 0:
            self.write(info_dict["t"])

    def write(self, t):
        from gan_infer.criticism import save_figure
        from gan_infer.util.session import get_session

        values = get_session().run(self.fetches, self.feed)
        figure = self.spec.figure(values["samples"], title=f"{self.spec.name}, iteration {t}",
                                  critic=values.get("critic"))
        save_figure(figure, os.path.join(self.directory, f"{t // self.n_print:03d}.png"))


def train(model, out_dir, **options):
    """Train the zoo's `model` into `out_dir`, resuming what is there.

    In a graph and session of its own: builds the model (`gan_infer.zoo`),
    binds its data as in-graph `Minibatches`, and runs `GANInference.run()`
    with checkpoints in OUT/checkpoints (every `checkpoint_every`
    iterations, at the end, and on Ctrl-C), TensorBoard logs in OUT/logs and
    a figure every `n_print` iterations in OUT/grids. At the end it draws
    the model's `n_samples` samples (OUT/samples.npy; MNIST: 10,000 x 784
    float32), a figure of them (OUT/final.png), evaluates them unless
    `evaluate=False`, and writes OUT/metrics.json:

        iterations, generator_loss, discriminator_loss (the last iteration's),
        seconds (training time of this invocation), evaluated, and the model's
        metrics (MNIST: `evaluate_mnist` without Parzen; ring/grid: modes
        captured and high-quality fraction; mixture: mode shares, fitted
        mean/std and the KS distance to the true CDF).

    A model that keeps a moving average of its generator's weights
    (`zoo.Model.ema_decay`: ring, grid) draws samples.npy and final.png with the
    average, and metrics.json's "last_iterate" holds the metrics of the
    last weights on the same noise; the figures during training show the
    last weights.

    Resume semantics: OUT/config.json records the options. A run directory
    with the same options (`RUN_OPTIONS`; n_iter may grow) is resumed from
    its latest checkpoint, with the losses of an uninterrupted run; a
    finished one is left as it is and its metrics returned; one of other
    options is refused (UsageError naming them).

    Args:
      model: str, a name of `gan_infer.zoo.MODELS` ('mnist', 'mixture',
        'ring', 'grid').
      out_dir: str or path, the run directory.
      **options: loss, n_iter, n_print, seed, batch_size, learning_rate,
        learning_rate_d, data_dir, checkpoint_every, keep_checkpoints,
        evaluate, threads: see `resolve_config`.

    Returns:
      dict: the contents of OUT/metrics.json.

    Raises:
      UsageError: a bad option, or `out_dir` holds a run of other options.
      KeyboardInterrupt: Ctrl-C, after saving a checkpoint.
      FloatingPointError: a loss became NaN or Inf (the last checkpoint is kept).

    #### Examples

    ```python
    metrics = train("ring", "runs/ring-minimax", loss="minimax", n_iter=2000)
    print(f"{metrics['modes_captured']}/8 modes")
    ```
    """
    config = resolve_config(model, **options)
    check_same_run(out_dir, config)
    metrics = finished_metrics(out_dir, config)
    if metrics is not None:
        print(f"{out_dir} holds the finished run ({config['n_iter']} iterations): nothing to do.",
              flush=True)
        return metrics

    import gan_infer as ed
    import tensorflow.compat.v1 as tf
    from gan_infer.criticism import save_figure
    from gan_infer.util.files import ensure_directory, save_npy

    spec = zoo.get(config["model"])
    ensure_directory(out_dir)
    _write_json(_path(out_dir, "config.json"), config)
    print(f"Training {spec.name} ({spec.description}), {config['loss']} loss, "
          f"{config['n_iter']} iterations, into {out_dir}", flush=True)
    with _graph_and_session(config["threads"]):
        ed.set_seed(config["seed"])
        parts = spec.build(config["batch_size"], config["data_dir"], config["seed"])
        inference = ed.GANInference(data={parts.samples: parts.data},
                                    discriminator=parts.discriminator)
        inference.initialize(
            optimizer=spec.optimizer(config["learning_rate"]),
            optimizer_d=spec.optimizer(config["learning_rate_d"]), loss=config["loss"],
            gradient_penalty=spec.gradient_penalty, ema_decay=spec.ema_decay,
            n_iter=config["n_iter"], n_print=config["n_print"], logdir=_path(out_dir, "logs"),
            log_timestamp=False, checkpoint_dir=_path(out_dir, "checkpoints"),
            checkpoint_every=config["checkpoint_every"],
            keep_checkpoints=config["keep_checkpoints"])
        figures = _Figures(spec, parts.samples, spec.critic_probe(parts.discriminator),
                           _path(out_dir, "grids"), config["n_print"], config["seed"])
        last = {}
        # Variables are initialized here rather than by run(), so that the
        # untrained generator can be drawn first; run() then restores the
        # latest checkpoint over them, if there is one.
        tf.global_variables_initializer().run()
        if inference.latest_checkpoint() is None:
            figures.write(0)
        start = time.perf_counter()
        inference.run(variables=[], use_coordinator=False, monitors=[figures, last.update])
        seconds = time.perf_counter() - start
        samples = last_iterate = _draw(parts.samples, spec.n_samples, config["seed"])
        if spec.ema_decay is not None:
            with inference.averaged_generator():  # same noise, averaged weights
                samples = _draw(parts.samples, spec.n_samples, config["seed"])

    save_npy(_path(out_dir, "samples.npy"), samples)
    save_figure(spec.figure(samples, title=f"{spec.name}, {config['loss']} loss, iteration "
                                           f"{config['n_iter']}", final=True),
                _path(out_dir, "final.png"))
    metrics = {"model": spec.name, "iterations": config["n_iter"],
               **{name: None if last.get(key) is None else float(last[key])
                  for name, key in (("generator_loss", "loss"), ("discriminator_loss", "loss_d"))},
               "seconds": round(seconds, 3), "evaluated": config["evaluate"]}
    if config["evaluate"]:
        metrics.update(spec.evaluate(samples, data_dir=config["data_dir"]))
        if spec.ema_decay is not None:
            metrics["last_iterate"] = spec.evaluate(last_iterate, data_dir=config["data_dir"])
    _write_json(_path(out_dir, "metrics.json"), metrics)
    headline = spec.headline(metrics) if config["evaluate"] else "not evaluated (--no-evaluate)"
    print(f"{spec.name}: {config['n_iter']} iterations, {seconds:.1f} s this run; {headline}. "
          f"Wrote samples.npy, final.png and metrics.json to {out_dir}", flush=True)
    return metrics


# ------------------------------------------------------- sample and evaluate

def _check_output(output, allowed):
    extension = os.path.splitext(os.fspath(output))[1].lower()
    if extension not in allowed:
        raise UsageError(f"output must end in {', '.join(allowed)}, got {os.fspath(output)!r}",
                         "output")
    return extension


def sample(run_dir, n=None, output=None, seed=None):
    """Samples of a trained generator, restored from its run directory.

    Rebuilds the generator of OUT/config.json and restores only its
    variables (those under `zoo.GEN_SCOPE`) from the latest checkpoint in
    OUT/checkpoints, with a `tf.train.Saver` over them; the discriminator
    and the optimizers' state are not read (for a model with a moving
    average of its weights, ring and grid, the average is restored in their place).
    With the run's seed (the default) and the model's `n_samples`, the
    samples are those of the run's samples.npy.

    Args:
      run_dir: the `--out` directory of `gan-infer train` (or `train()`).
      n: int, how many samples (default: the model's `n_samples`).
      output: optional path; `.npy` saves the array, `.png`/`.pdf`/`.svg`/
        `.jpg` the model's figure of the samples.
      seed: int, the noise's seed (default: the run's).

    Returns:
      numpy array of n samples.

    #### Examples

    ```python
    digits = sample("runs/mnist", n=64, output="digits.png")   # (64, 784) float32
    ```
    """
    config = _read_json(_path(run_dir, "config.json"))
    if config is None:
        raise UsageError(f"{run_dir} has no config.json: give the --out directory of a "
                         "`gan-infer train` run", "checkpoint")
    spec = zoo.get(config["model"])
    n = check_int("n", spec.n_samples if n is None else n, 1)
    seed = check_int("seed", config["seed"] if seed is None else seed, 0)
    if output is not None:
        _check_output(output, (".npy",) + IMAGE_EXTENSIONS)
    checkpoint = latest_checkpoint(run_dir)
    if checkpoint is None:
        raise UsageError(f"{run_dir} holds no checkpoint yet: train it first with "
                         f"`{command_line(config, run_dir)}`", "checkpoint")

    import tensorflow.compat.v1 as tf

    with _graph_and_session() as session:
        x = spec.generator(config["batch_size"])
        variables = {v.op.name: v for v in tf.global_variables(scope=zoo.GEN_SCOPE + "/")}
        if spec.ema_decay is not None:
            # The run's samples come from the moving average of the weights,
            # kept in the checkpoint beside them: restore that instead.
            average = tf.train.ExponentialMovingAverage(spec.ema_decay)
            for variable in tf.trainable_variables(scope=zoo.GEN_SCOPE + "/"):
                variables[average.average_name(variable)] = variables.pop(variable.op.name)
        saver = tf.train.Saver(variables)
        try:
            saver.restore(session, checkpoint)
        except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError) as error:
            raise ValueError(
                f"The checkpoint {checkpoint} does not hold the {spec.name} generator of "
                f"{run_dir}/config.json ({error.message.splitlines()[0]}); was the directory "
                "written by another program?") from None
        samples = _draw(x, n, seed)
    if output is not None:
        _write_samples(spec, samples, output)
    return samples


def _write_samples(spec, samples, output):
    from gan_infer.criticism import save_figure
    from gan_infer.util.files import save_npy

    if os.fspath(output).lower().endswith(".npy"):
        save_npy(output, samples)
    else:
        save_figure(spec.figure(samples, title=f"{spec.name}: {len(samples)} samples", final=True),
                    output)


def _load_array(path, option):
    import numpy as np

    if not os.path.isfile(path):
        raise UsageError(f"{option} {os.fspath(path)!r} is not a file", option)
    return np.load(path, allow_pickle=False)


def evaluate(samples, data_dir=None, labels=None, parzen=False, toy=None, output=None):
    """Metrics of a samples .npy file (what `gan-infer evaluate` prints).

    Without `toy`: MNIST samples, (N, 784) in [0, 1], judged by
    `gan_infer.criticism.evaluate.evaluate_mnist` (the package's MNIST
    classifier is trained on first use and cached in $GAN_INFER_CACHE_DIR).
    With `toy` ('ring', 'grid', 'mixture'): that zoo model's metrics.

    Args:
      samples: path of a .npy file.
      data_dir: MNIST folder.
      labels: path of a .npy file of requested digits (a conditional GAN).
      parzen: bool, add the Parzen-window log-likelihood (MNIST).
      toy: None or a toy model's name.
      output: optional .json path for the metrics.

    Returns:
      dict of metrics.

    #### Examples

    ```python
    metrics = evaluate("runs/ring/samples.npy", toy="ring")
    ```
    """
    if toy is not None and toy not in zoo.TOYS:
        raise UsageError(f"toy must be one of {', '.join(zoo.TOYS)}, got {toy!r}", "toy")
    if toy is not None and (labels is not None or parzen):
        raise UsageError("--labels and --parzen are MNIST metrics: leave them out with --toy")
    if output is not None:
        _check_output(output, (".json",))
    array = _load_array(samples, "samples")
    if toy is not None:
        metrics = zoo.get(toy).evaluate(array)
    else:
        from gan_infer.criticism.evaluate import evaluate_mnist

        metrics = evaluate_mnist(array, data_dir=data_dir, parzen=parzen,
                                 labels=None if labels is None else _load_array(labels, "labels"))
    if output is not None:
        _write_json(output, metrics)
    return metrics


# ------------------------------------------------------------ command line

EXIT_CODES = """\
exit codes:
  0    success
  1    runtime failure (e.g. a loss became NaN: the message names the last good checkpoint)
  2    usage error (a bad flag or value: the message names the flag and the fix)
  130  interrupted by Ctrl-C after saving a checkpoint (run the same command again to resume)

Errors print one line; --debug (or GAN_INFER_DEBUG=1) prints the traceback too.
See docs/cli.md."""


def _subcommand(subparsers, name, help_text, examples, common):
    return subparsers.add_parser(
        name, help=help_text, description=help_text, parents=[common],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=f"examples:\n{examples}\n\n{EXIT_CODES}")


def build_parser():
    """The argparse parser of `gan-infer` and its subcommands."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true",
                        help="print the traceback of an error (also GAN_INFER_DEBUG=1)")
    parser = argparse.ArgumentParser(
        prog="gan-infer", parents=[common], formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Train, sample, evaluate and sweep the GANs of gan_infer's examples.",
        epilog="examples:\n"
               "  gan-infer train ring --out runs/ring\n"
               "  gan-infer sample --checkpoint runs/ring -o ring.png\n"
               "  gan-infer evaluate runs/ring/samples.npy --toy ring\n"
               "  gan-infer sweep examples/sweep_ring.toml --num-cpus 4\n\n"
               "'gan-infer COMMAND --help' describes each command.\n\n" + EXIT_CODES)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    models = "\n".join(f"  {name:8} {spec.description}" for name, spec in zoo.MODELS.items())

    train_parser = _subcommand(
        subparsers, "train", "Train a GAN of the examples, with checkpoints; resume it.",
        "  gan-infer train ring --out runs/ring\n"
        "  gan-infer train ring --out runs/ring     # again: resumes, or does nothing if finished\n"
        "  gan-infer train mnist --out runs/mnist --data-dir ../shared/datasets/mnist\n"
        "  gan-infer train mixture --out runs/mix --loss least_squares --n-iter 3000 --seed 2\n\n"
        f"models:\n{models}\n\n"
        "writes OUT/config.json, OUT/checkpoints/, OUT/logs/ (TensorBoard), OUT/grids/NNN.png\n"
        "(every n_print iterations), and at the end OUT/samples.npy, OUT/final.png and\n"
        "OUT/metrics.json. The same command resumes an interrupted run; a run directory\n"
        "trained with other options is refused.", common)
    train_parser.add_argument("model", choices=list(zoo.MODELS), help="which GAN (see below)")
    train_parser.add_argument("--out", required=True, metavar="DIR", help="the run directory")
    train_parser.add_argument("--loss", default="non_saturating", choices=LOSSES,
                              help="the pair of GAN losses (default non_saturating)")
    train_parser.add_argument("--n-iter", type=int, metavar="N",
                              help="training iterations (default: the example's)")
    train_parser.add_argument("--n-print", type=int, metavar="P",
                              help="progress, figure and checkpoint every P iterations (default: "
                                   "the example's, at most n_iter/10)")
    train_parser.add_argument("--seed", type=int, default=0, metavar="S", help="default 0")
    train_parser.add_argument("--batch-size", type=int, metavar="M",
                              help="default: the example's")
    train_parser.add_argument("--learning-rate", type=float, metavar="LR",
                              help="Adam's learning rate (default: the example's)")
    train_parser.add_argument("--learning-rate-d", type=float, metavar="LR",
                              help="the discriminator's (default: --learning-rate)")
    train_parser.add_argument("--data-dir", metavar="D",
                              help="MNIST folder (default: $GAN_INFER_DATA_DIR or a per-user "
                                   "cache, downloaded when missing)")
    train_parser.add_argument("--checkpoint-every", type=int, metavar="K",
                              help="save every K iterations (default: --n-print)")
    train_parser.add_argument("--keep-checkpoints", type=int, default=3, metavar="N",
                              help="how many recent checkpoints to keep (default 3)")
    train_parser.add_argument("--no-evaluate", dest="evaluate", action="store_false",
                              help="skip the metrics at the end (MNIST's need its classifier, "
                                   "trained on first use)")
    train_parser.add_argument("--threads", type=int, metavar="T",
                              help="TensorFlow CPU threads (default: all cores)")
    train_parser.set_defaults(run=_run_train)

    sample_parser = _subcommand(
        subparsers, "sample", "Draw samples from a trained generator.",
        "  gan-infer sample --checkpoint runs/mnist -n 10000 -o samples.npy\n"
        "  gan-infer sample --checkpoint runs/mnist -n 64 -o grid.png\n\n"
        "Restores only the generator's variables from the latest checkpoint of the run.\n"
        "With the run's seed and the model's sample count it draws the run's samples.npy again.",
        common)
    sample_parser.add_argument("--checkpoint", required=True, metavar="DIR",
                               help="the --out directory of `gan-infer train`")
    sample_parser.add_argument("-n", type=int, metavar="N",
                               help="how many samples (default: the model's, e.g. 10000 for mnist)")
    sample_parser.add_argument("-o", "--output", required=True, metavar="FILE",
                               help=".npy for the array, .png/.pdf/.svg/.jpg for a figure")
    sample_parser.add_argument("--seed", type=int, metavar="S", help="default: the run's seed")
    sample_parser.set_defaults(run=_run_sample)

    evaluate_parser = _subcommand(
        subparsers, "evaluate", "Print the metrics of a samples .npy file as JSON.",
        "  gan-infer evaluate runs/mnist/samples.npy --data-dir ../shared/datasets/mnist\n"
        "  gan-infer evaluate runs/ring/samples.npy --toy ring -o metrics.json\n\n"
        "MNIST metrics use the package's classifier, trained on first use (a few CPU minutes)\n"
        "and cached in $GAN_INFER_CACHE_DIR (default ~/.cache/gan_infer).", common)
    evaluate_parser.add_argument("samples", metavar="SAMPLES", help="a .npy file of samples")
    evaluate_parser.add_argument("--data-dir", metavar="D", help="MNIST folder")
    evaluate_parser.add_argument("--labels", metavar="FILE",
                                 help=".npy of the digit each sample was asked to be (cGAN)")
    evaluate_parser.add_argument("--parzen", action="store_true",
                                 help="add the Parzen-window log-likelihood (10-20 s)")
    evaluate_parser.add_argument("--toy", choices=zoo.TOYS,
                                 help="score samples of a toy model instead of MNIST")
    evaluate_parser.add_argument("-o", "--output", metavar="FILE", help="also write the JSON here")
    evaluate_parser.set_defaults(run=_run_evaluate)

    sweep_parser = _subcommand(
        subparsers, "sweep", "Run a grid or random search of trainings on Ray.",
        "  gan-infer sweep examples/sweep_ring.toml\n"
        "  gan-infer sweep examples/sweep_ring.toml --num-cpus 8 --out runs/sweep\n"
        "  gan-infer sweep sweep.json --address auto       # an existing Ray cluster\n\n"
        "Each trial is one `gan-infer train` in OUT/trials/NAME; running the sweep again\n"
        "skips finished trials and resumes the others. Writes OUT/results.csv (a row per\n"
        "trial) and OUT/summary.md (mean, std, min, max over seeds per configuration).\n"
        "Needs Ray: pip install 'gan-infer[sweep]'. The config format is in docs/cli.md.",
        common)
    sweep_parser.add_argument("config", metavar="CONFIG", help="a .toml or .json sweep file")
    sweep_parser.add_argument("--address", metavar="ADDR",
                              help="an existing Ray cluster (e.g. auto, or HOST:6379); default: "
                                   "start a local one")
    sweep_parser.add_argument("--num-cpus", type=int, metavar="N",
                              help="CPUs of the local Ray (default: all cores)")
    sweep_parser.add_argument("--out", metavar="DIR",
                              help="the sweep directory (default: out/<config file name>)")
    sweep_parser.set_defaults(run=_run_sweep)
    return parser


def _run_train(args):
    options = {option: getattr(args, option) for option in (
        "loss", "n_iter", "n_print", "seed", "batch_size", "learning_rate", "learning_rate_d",
        "data_dir", "checkpoint_every", "keep_checkpoints", "evaluate", "threads")}
    try:
        train(args.model, args.out, **options)
    except FloatingPointError as error:
        # The learning rate is part of a run's options (see RUN_OPTIONS).
        raise FloatingPointError(
            f"{error} From the command line: train with a lower --learning-rate into another "
            "--out.") from None
    except KeyboardInterrupt:
        kept = latest_checkpoint(args.out)
        raise Interrupted(
            f"interrupted; the latest checkpoint is {kept}. Run the same command again to "
            "resume from it." if kept else
            "interrupted before the first checkpoint. Run the same command again to start "
            "over.") from None
    return EXIT_OK


def _run_sample(args):
    samples = sample(args.checkpoint, n=args.n, output=args.output, seed=args.seed)
    print(f"Wrote {len(samples)} samples to {args.output}")
    return EXIT_OK


def _run_evaluate(args):
    metrics = evaluate(args.samples, data_dir=args.data_dir, labels=args.labels,
                       parzen=args.parzen, toy=args.toy, output=args.output)
    print(json.dumps(metrics, indent=2, default=_jsonable))
    return EXIT_OK


def _run_sweep(args):
    from gan_infer import sweep

    return sweep.run_sweep(args.config, out_dir=args.out, address=args.address,
                           num_cpus=args.num_cpus)


def main(argv=None):
    """Run `gan-infer` with `argv` (default: sys.argv[1:]); returns the exit code.

    #### Examples

    ```python
    assert main(["evaluate", "runs/ring/samples.npy", "--toy", "ring"]) == 0
    ```
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # before TensorFlow is imported
    # TensorFlow's deprecation notices about tf.compat.v1 are for the package's
    # authors, not for the command's users.
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help (0) or a usage error (2), already printed
        return exit_.code
    debug = args.debug or os.environ.get(DEBUG_ENV_VAR, "") not in ("", "0")
    command = f"gan-infer {args.command}"
    try:
        return args.run(args)
    except UsageError as error:
        return _fail(EXIT_USAGE, f"{command}: error: {error.for_command_line()}", debug)
    except (Interrupted, KeyboardInterrupt) as error:
        return _fail(EXIT_INTERRUPTED, f"{command}: {error or 'interrupted.'}", debug)
    except Exception as error:  # pylint: disable=broad-except
        # One line for anything else: the package's messages say what went wrong and what to do.
        return _fail(EXIT_FAILURE, f"{command}: error: {type(error).__name__}: {error}", debug)


def _fail(code, message, debug):
    if debug:
        traceback.print_exc()
    print(" ".join(message.split()), file=sys.stderr, flush=True)  # one line, whatever it says
    return code


if __name__ == "__main__":
    # `python -m gan_infer.cli`: run the module's importable twin, so that its
    # exception classes are the ones the rest of the package raises.
    from gan_infer.cli import main as package_main

    sys.exit(package_main())
