"""Sweeps of `gan-infer train` over hyper-parameters and seeds, on Ray.

A sweep file (TOML or JSON) names a model of `gan_infer.cli.named_gans`, the options
every trial shares, a grid and/or a random search over options, and the
seeds; each configuration is trained once per seed:

```toml
model = "ring"
seeds = 3                   # seeds 0, 1, 2 (or a list: [0, 7, 42])
cpus_per_trial = 1          # Ray CPUs of a trial = its TensorFlow threads

[options]                   # every trial: train()'s keyword arguments
n_iter = 5000
n_print = 500

[grid]                      # every combination of these values
loss = ["non_saturating", "minimax", "least_squares", "hinge"]

[random]                    # n draws, each of every option below; crossed with the grid
n = 4
seed = 0                    # the draws' own seed: the same file gives the same trials
learning_rate = {log_uniform = [1e-5, 1e-3]}
batch_size = {choice = [128, 256, 512]}
```

Trials: configurations = grid combinations x random draws (either may be
absent), trials = configurations x seeds, one `gan_infer.cli.train` each
in OUT/trials/NAME (e.g. `loss=minimax,seed=2`), run as Ray tasks of
`cpus_per_trial` CPUs. A trial is a run directory like any other, so a
sweep started again skips the finished trials and resumes the others from
their checkpoints.

Results: OUT/results.csv, one row per trial (status, options, seed,
metrics), and OUT/summary.md, one row per configuration with each key
metric's mean ± standard deviation and [min, max] over the seeds: the
protocol of Lucic et al. (2018), "Are GANs Created Equal?", which found
that differences between GANs are often smaller than the spread of one
GAN over random seeds, so a configuration must be judged by that spread,
never by its best run.

Ray is an optional dependency (`pip install 'gan-infer[sweep]'`); this
module imports it only when a sweep has trials to run.

#### Examples

```python
from gan_infer.cli.sweep import run_sweep
exit_code = run_sweep("examples/sweep_ring.toml", out_dir="out/sweep_ring", num_cpus=4)
```
"""

import contextlib
import io
import json
import math
import os
import time
import traceback
from typing import NamedTuple

import numpy as np

from gan_infer.cli import named_gans
from gan_infer.cli.options import (
    EXIT_FAILURE,
    EXIT_OK,
    TRAIN_OPTIONS,
    Interrupted,
    UsageError,
    int_option,
    resolve_config,
)
from gan_infer.cli.run_folder import describe_differences, differences, finished_metrics, read_text
from gan_infer.cli.sweep_results import summary_markdown, write_results
from gan_infer.cli.training import train
from gan_infer.datasets import DataError
from gan_infer.util.checks import is_int, is_number

__all__ = [
    "OPTIONS",
    "Trial",
    "import_ray",
    "load_config",
    "plan",
    "run_sweep",
    "run_trial",
    "summary_markdown",
    "write_results",
]

#: train() options a sweep may set (the seed comes from `seeds`, the
#: threads from `cpus_per_trial`).
# Every option of `gan-infer train` but the seed (a sweep's own axis) and
# the thread count (set per trial from cpus_per_trial).
# `data` and `image_size` (the dcgan's images) too, so the dcgan's switches can
# be compared on your own images.
OPTIONS = tuple(option for option in TRAIN_OPTIONS if option not in ("seed", "threads")) + (
    "data",
    "image_size",
)
TOP_LEVEL = ("model", "seeds", "cpus_per_trial", "options", "grid", "random")
DISTRIBUTIONS = ("choice", "uniform", "log_uniform")
PIP_HINT = "pip install 'gan-infer[sweep]'"


class Trial(NamedTuple):
    """One training of a sweep."""

    name: str  # OUT/trials/<name>
    configuration: str  # the varying options, e.g. "loss=minimax"; "" for a sweep of seeds only
    varying: dict  # option -> value that differs between configurations
    seed: int
    options: dict  # train()'s keyword arguments (seed and threads included)
    config: dict  # the resolved options (options.resolve_config), as in config.json
    out_dir: str


def load_config(path):
    """The sweep file at `path` as a dict (TOML by extension .toml, else JSON)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise UsageError(f"config {path!r} is not a file", "config")
    try:
        if path.endswith(".toml"):
            try:
                import tomllib
            except ImportError:  # Python 3.10
                raise UsageError(
                    "TOML sweep files need Python >= 3.11 (tomllib); write the "
                    "same keys in a .json file",
                    "config",
                ) from None
            with open(path, "rb") as handle:
                return tomllib.load(handle)
        with open(path, encoding="utf-8") as handle:
            return json.load(handle)
    # TOMLDecodeError and JSONDecodeError are ValueErrors.
    except (ValueError, UnicodeDecodeError) as error:
        raise UsageError(
            f"{path} is not valid {'TOML' if path.endswith('.toml') else 'JSON'}: {error}", "config"
        ) from None


def _config_error(path, message):
    # Messages from gan_infer.util.checks end in a full stop already.
    return UsageError(f"{path}: {message.removesuffix('.')}. See the sweep format in docs/cli.md.")


def _seeds(path, seeds):
    if is_int(seeds) and seeds >= 1:
        return list(range(seeds))
    if (
        isinstance(seeds, list)
        and seeds
        and len(set(seeds)) == len(seeds)
        and all(is_int(s) and s >= 0 for s in seeds)
    ):
        return seeds
    raise _config_error(
        path,
        f"seeds must be a count (seeds = 3: 0, 1, 2) or a list of distinct "
        f"non-negative integers, got {seeds!r}",
    )


def _draw(path, option, spec, rng):
    """One value of `option` from its distribution {kind: arguments}."""
    if not (isinstance(spec, dict) and len(spec) == 1 and next(iter(spec)) in DISTRIBUTIONS):
        raise _config_error(
            path,
            f"random.{option} must be one of {{choice = [...]}}, "
            f"{{uniform = [low, high]}}, {{log_uniform = [low, high]}}; "
            f"got {spec!r}",
        )
    ((kind, arguments),) = spec.items()
    if kind == "choice":
        if not isinstance(arguments, list) or not arguments:
            raise _config_error(path, f"random.{option}.choice must be a non-empty list")
        return arguments[int(rng.integers(len(arguments)))]
    numbers = (
        isinstance(arguments, list) and len(arguments) == 2 and all(is_number(a) for a in arguments)
    )
    if (
        not numbers
        or not arguments[0] < arguments[1]
        or (kind == "log_uniform" and arguments[0] <= 0)
    ):
        raise _config_error(
            path,
            f"random.{option}.{kind} must be [low, high] with low < high"
            f"{' and low > 0' if kind == 'log_uniform' else ''}, got "
            f"{arguments!r}",
        )
    low, high = (math.log(a) for a in arguments) if kind == "log_uniform" else arguments
    value = rng.uniform(low, high)
    # Four significant digits: readable trial names, and the same values on every machine.
    return float(f"{math.exp(value) if kind == 'log_uniform' else value:.4g}")


def _configurations(path, config):
    """The varying options of each configuration: grid x random draws."""
    grid, random = config.get("grid", {}), dict(config.get("random", {}))
    for option, values in grid.items():
        if not isinstance(values, list) or not values:
            raise _config_error(
                path, f"grid.{option} must be a non-empty list of values, got {values!r}"
            )
    combinations = [{}]
    for option, values in grid.items():
        combinations = [dict(c, **{option: v}) for c in combinations for v in values]
    if not random:
        return combinations
    n, draws_seed = random.pop("n", None), random.pop("seed", 0)
    if not is_int(n) or n < 1:
        raise _config_error(
            path, f"random.n (the number of draws) must be a positive integer, got {n!r}"
        )
    rng = np.random.default_rng(draws_seed)
    draws = [
        {"draw": k, **{option: _draw(path, option, spec, rng) for option, spec in random.items()}}
        for k in range(n)
    ]
    return [dict(c, **d) for c in combinations for d in draws]


def _name(varying):
    """`loss=minimax,learning_rate=0.0001`: a directory name (no separators)."""

    def text(value):
        return str(value).replace(os.sep, "_").replace(" ", "_")

    return ",".join(f"{option}={text(value)}" for option, value in varying.items())


def plan(config, out_dir, path="the sweep file"):
    """The trials of a sweep `config` (a dict, see the module doc), checked.

    Raises:
      UsageError: an unknown key, a bad value (each trial's options are
        checked by `options.resolve_config`), or a trial directory that holds a
        run of other options.
    """
    if not isinstance(config, dict):
        raise _config_error(path, "the file must hold a table (TOML) or an object (JSON)")
    unknown = sorted(set(config) - set(TOP_LEVEL))
    if unknown:
        raise _config_error(
            path, f"unknown key {unknown[0]!r}; the keys are {', '.join(TOP_LEVEL)}"
        )
    if config.get("model") not in named_gans.MODELS:
        raise _config_error(
            path,
            f"model must be one of {', '.join(named_gans.MODELS)}, got {config.get('model')!r}",
        )
    for section in ("options", "grid", "random"):
        if not isinstance(config.get(section, {}), dict):
            raise _config_error(path, f"[{section}] must be a table of options")
    fixed = config.get("options", {})
    sections = {
        "options": set(fixed),
        "grid": set(config.get("grid", {})),
        "random": set(config.get("random", {})) - {"n", "seed"},
    }
    for section, options in sections.items():
        for option in sorted(options - set(OPTIONS)):
            raise _config_error(
                path,
                f"{section}.{option} is not an option of a trial; the "
                f"options are {', '.join(OPTIONS)}",
            )
    shared = (
        (sections["options"] & sections["grid"])
        | (sections["options"] & sections["random"])
        | (sections["grid"] & sections["random"])
    )
    if shared:
        raise _config_error(
            path, f"{sorted(shared)[0]} is set in two of [options], [grid], [random]; set it in one"
        )
    seeds = _seeds(path, config.get("seeds", 1))
    cpus = config.get("cpus_per_trial", 1)
    if not is_int(cpus) or cpus < 1:
        raise _config_error(path, f"cpus_per_trial must be a positive integer, got {cpus!r}")
    if fixed.get("data_dir") is not None:  # Ray workers may start elsewhere
        fixed = dict(fixed, data_dir=os.path.abspath(fixed["data_dir"]))

    trials = []
    for varying in _configurations(path, config):
        options = {key: value for key, value in varying.items() if key != "draw"}
        for seed in seeds:
            name = _name(dict(varying, seed=seed))
            trial_options = dict(fixed, **options, seed=seed, threads=cpus)
            try:
                resolved = resolve_config(config["model"], **trial_options)
            except (UsageError, DataError) as error:  # DataError: the images of `data`
                raise _config_error(path, f"trial {name}: {error}") from None
            trial = Trial(
                name,
                _name(varying),
                varying,
                seed,
                trial_options,
                resolved,
                os.path.join(out_dir, "trials", name),
            )
            differing, _ = differences(trial.out_dir, resolved)
            if differing:
                raise _config_error(
                    path,
                    f"the trial {trial.out_dir} was trained with other options "
                    f"({describe_differences(differing, str)}). Trials are named by "
                    "the options that vary, so a sweep whose shared options changed "
                    "needs another --out",
                )
            trials.append(trial)
    return trials


def run_trial(model, out_dir, options):
    """A Ray task: `train` with its output kept in OUT/train.log.

    Returns {"status": "finished", "metrics": ...} or {"status": "failed",
    "error": ...}; a failure (a NaN loss) is the trial's result, not the
    sweep's end.
    """
    from gan_infer.util.files import atomic_write, ensure_directory

    log = io.StringIO()
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(log):
            outcome = {"status": "finished", "metrics": train(model, out_dir, **options)}
    except Exception as error:  # pylint: disable=broad-except
        log.write(traceback.format_exc())
        outcome = {"status": "failed", "error": f"{type(error).__name__}: {error}"}
    finally:
        # Also when the sweep is interrupted (KeyboardInterrupt): the log says where it stopped.
        path = os.path.join(ensure_directory(out_dir), "train.log")
        earlier = read_text(path) or ""
        with atomic_write(path, "w") as handle:  # earlier invocations' output first
            handle.write(earlier + log.getvalue())
    outcome["wall_seconds"] = time.perf_counter() - start
    return outcome


def import_ray():
    """The `ray` module; RuntimeError naming the optional extra when it is not installed."""
    try:
        import ray
    except ImportError:
        raise RuntimeError(
            f"gan-infer sweep needs Ray, an optional dependency: {PIP_HINT}"
        ) from None
    return ray


def _init_ray(ray, address, num_cpus):
    ray.init(
        address=address,
        num_cpus=num_cpus,
        include_dashboard=False,
        log_to_driver=False,
        logging_level="warning",
        runtime_env={"env_vars": {"TF_CPP_MIN_LOG_LEVEL": "2"}},
    )


def run_sweep(config_path, out_dir=None, address=None, num_cpus=None):
    """Run the sweep file `config_path`; returns the exit code (0: every
    trial finished, 1: some failed; results are written either way).

    Args:
      config_path: a .toml or .json sweep file (see the module doc).
      out_dir: the sweep directory (default out/<file name without extension>).
      address: an existing Ray cluster's address ('auto', 'HOST:6379'), or
        None to start a local Ray with `num_cpus` CPUs (default: all cores).

    Raises:
      UsageError: a bad sweep file or flag.
      Interrupted: Ctrl-C; unfinished trials were asked to save a checkpoint.
    """
    if address is not None and num_cpus is not None:
        raise UsageError(
            "num_cpus applies to a local Ray only; with an address the "
            "cluster's CPUs are used: leave one of them out",
            "num_cpus",
        )
    if num_cpus is not None:
        int_option("num_cpus", num_cpus, 1)
    config = load_config(config_path)
    stem = os.path.splitext(os.path.basename(os.fspath(config_path)))[0]
    out_dir = os.path.abspath(out_dir or os.path.join("out", stem))
    trials = plan(config, out_dir, os.fspath(config_path))
    title = f"Sweep of {config['model']}: {os.fspath(config_path)}"
    outcomes = {}
    for trial in trials:
        metrics = finished_metrics(trial.out_dir, trial.config)
        if metrics is not None:
            outcomes[trial.name] = {"status": "finished", "metrics": metrics}
    todo = [trial for trial in trials if trial.name not in outcomes]
    print(
        f"{len(trials)} trials in {out_dir}: {len(outcomes)} finished earlier, {len(todo)} to run.",
        flush=True,
    )
    write_results(out_dir, trials, outcomes, title)
    if todo:
        _run_on_ray(
            todo,
            config["model"],
            outcomes,
            address,
            num_cpus,
            lambda: write_results(out_dir, trials, outcomes, title),
        )
    failed = [name for name, outcome in outcomes.items() if outcome["status"] == "failed"]
    print(
        f"Wrote {os.path.join(out_dir, 'results.csv')} and "
        f"{os.path.join(out_dir, 'summary.md')}"
        + (
            f"; {len(failed)} trial(s) failed: {', '.join(failed)} (see their train.log)."
            if failed
            else "."
        ),
        flush=True,
    )
    return EXIT_FAILURE if failed else EXIT_OK


def _run_on_ray(todo, model, outcomes, address, num_cpus, on_result):
    """Run `todo` as Ray tasks, recording each outcome as it arrives."""
    ray = import_ray()
    _init_ray(ray, address, num_cpus)
    try:
        task = ray.remote(num_cpus=todo[0].options["threads"])(run_trial)
        pending = {task.remote(model, trial.out_dir, trial.options): trial for trial in todo}
        try:
            while pending:
                (ref,), _ = ray.wait(list(pending), num_returns=1)
                trial = pending.pop(ref)
                outcomes[trial.name] = outcome = ray.get(ref)
                spec = named_gans.get(model)
                detail = (
                    outcome["error"]
                    if outcome["status"] == "failed"
                    else spec.headline(outcome["metrics"])
                    if outcome["metrics"].get("evaluated")
                    else "not evaluated"
                )
                print(
                    f"[{len(todo) - len(pending)}/{len(todo)}] {trial.name}: {outcome['status']} "
                    f"in {outcome['wall_seconds']:.0f} s; {detail}",
                    flush=True,
                )
                on_result()
        except KeyboardInterrupt:
            # A polite cancel raises KeyboardInterrupt in each running trial,
            # which saves a checkpoint before it stops (GANInference.run()).
            for ref in pending:
                ray.cancel(ref)
            ray.wait(list(pending), num_returns=len(pending), timeout=60)
            on_result()
            raise Interrupted(
                f"interrupted with {len(pending)} trial(s) unfinished (their checkpoints are "
                "kept). Run the same command again to resume them."
            ) from None
    finally:
        ray.shutdown()
