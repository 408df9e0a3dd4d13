"""A training run's directory: its files, and whether it holds the run asked for.

`gan-infer train --out DIR` keeps everything of a run in DIR:

    config.json     the model and every option, resolved (`options.resolve_config`)
    checkpoints/    resume points
    logs/           TensorBoard
    grids/NNN.png   a figure every n_print iterations
    samples.npy, final.png, metrics.json    at the end (metrics.json last)

Every file is written atomically. A directory is the same run as a config
when the options of `options.RUN_OPTIONS` agree (n_iter may grow); the
others only say how the run is watched and kept.

#### Examples

```python
from gan_infer.cli.options import resolve_config
from gan_infer.cli.run_folder import check_same_run, finished_metrics

config = resolve_config("ring", n_iter=2000)
check_same_run("runs/ring", config)            # UsageError if it holds another run
metrics = finished_metrics("runs/ring", config)  # None unless that run is finished
```
"""

import json
import os

from gan_infer.cli.options import RUN_OPTIONS, UsageError, command_line, flag, with_omitted_options

__all__ = [
    "check_same_run",
    "describe_differences",
    "differences",
    "finished_metrics",
    "jsonable",
    "latest_checkpoint",
    "read_json",
    "read_text",
    "run_file",
    "write_json",
]


def run_file(out_dir, *names):
    """The path of `names` inside the run directory `out_dir`."""
    return os.path.join(os.fspath(out_dir), *names)


def read_text(path):
    """The text of the file at `path`, or None when there is none."""
    try:
        with open(path, encoding="utf-8") as handle:
            return handle.read()
    except FileNotFoundError:
        return None


def read_json(path):
    """The JSON value in the file at `path`, or None when there is none.

    Raises:
      UsageError: the file is not JSON (truncated, edited): it is named,
        with what to do.
    """
    text = read_text(path)
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"{path} is not valid JSON ({error.msg} at line {error.lineno}, column "
            f"{error.colno}): the file is damaged. Restore it, or delete it and run the command "
            "that made it again (a training run then resumes from its checkpoints)."
        ) from None


def jsonable(value):
    """numpy numbers and arrays as plain JSON values (json.dump's `default`)."""
    return value.tolist() if hasattr(value, "tolist") else str(value)


def write_json(path, value):
    """`value` as indented JSON at `path`, atomically."""
    from gan_infer.util.files import atomic_write

    with atomic_write(path, "w") as handle:
        json.dump(value, handle, indent=2, default=jsonable)
        handle.write("\n")


def differences(out_dir, config):
    """(option, recorded value, value of `config`) for each option that the
    run in `out_dir` was trained with otherwise (see RUN_OPTIONS), and that
    run's recorded options (None when `out_dir` holds no run)."""
    recorded = with_omitted_options(read_json(run_file(out_dir, "config.json")))
    if recorded is None:
        return [], None
    differing = [
        option
        for option in RUN_OPTIONS
        if recorded.get(option) != config[option]
        and not (option == "n_iter" and config[option] > recorded[option])
    ]
    return [(option, recorded.get(option), config[option]) for option in differing], recorded


def describe_differences(differing, name):
    """`differences()` as text, each option named by `name(option)`."""
    return "; ".join(
        f"{name(option)} {old!r} there, {new!r} here" for option, old, new in differing
    )


def check_same_run(out_dir, config):
    """Raise UsageError if `out_dir` is a file, or holds a run of other
    options (see RUN_OPTIONS)."""
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise UsageError(
            f"{out_dir} is a file, not a directory: --out names the directory of a run (a new "
            "one, or one to resume). Pass another path.",
            "out",
        )
    differing, recorded = differences(out_dir, config)
    if differing:
        raise UsageError(
            f"{out_dir} holds a run trained with other options "
            f"({describe_differences(differing, flag)}). To resume it, run "
            f"`{command_line(recorded, out_dir)}`; to train these options, pass another --out "
            "(or delete the directory to start over).",
            "out",
        )


def finished_metrics(out_dir, config):
    """The metrics of the finished run of `config` in `out_dir`, or None.

    A run is finished when its metrics.json is there, for `config`'s n_iter,
    and evaluated if `config` asks for an evaluation.
    """
    metrics = read_json(run_file(out_dir, "metrics.json"))
    recorded = with_omitted_options(read_json(run_file(out_dir, "config.json")))
    if metrics is None or recorded is None or not os.path.exists(run_file(out_dir, "samples.npy")):
        return None
    same_run = all(recorded.get(option) == config[option] for option in RUN_OPTIONS)
    evaluated_enough = metrics.get("evaluated") or not config["evaluate"]
    if not (same_run and metrics.get("iterations") == config["n_iter"] and evaluated_enough):
        return None
    return metrics


def latest_checkpoint(out_dir):
    """The newest intact checkpoint of the run in `out_dir` (found from the
    files, so a deleted index loses nothing), or None."""
    from gan_infer.inferences.checkpoints import newest_intact_checkpoint

    return newest_intact_checkpoint(run_file(out_dir, "checkpoints"))
