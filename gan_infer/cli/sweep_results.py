"""A sweep's results: OUT/results.csv, a row per trial, and OUT/summary.md,
one row per configuration with its key metrics over seeds (mean ± std
[min, max]), written atomically after every finished trial.

#### Examples

```python
assert summary_cell([1.0, 2.0, 3.0]) == "2 ± 1 [1, 3]"
```
"""

import csv
import json
import os

import numpy as np

from gan_infer.cli import named_gans
from gan_infer.cli.options import RUN_OPTIONS

__all__ = ["summary_cell", "summary_markdown", "write_results"]


def _format(value):
    """A value for summary.md: numbers to four significant digits."""
    if isinstance(value, (float, np.floating)):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def _csv_value(value):
    """A value for results.csv: full precision, lists as JSON, None empty."""
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (list, tuple)):
        return json.dumps(value)
    return "" if value is None else str(value)


def summary_cell(values):
    """`mean ± std [min, max]` over seeds (std with n - 1)."""
    values = np.asarray(values, dtype=np.float64)
    if len(values) == 0:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.4g} (one seed)"
    return (
        f"{values.mean():.4g} ± {values.std(ddof=1):.2g} [{values.min():.4g}, {values.max():.4g}]"
    )


def _metric_columns(model, results):
    """The summary's metrics: the model's key metrics when evaluated, the
    final losses, and the training time; those that some trial has."""
    candidates = named_gans.get(model).key_metrics + (
        "generator_loss",
        "discriminator_loss",
        "seconds",
    )
    return [
        key
        for key in candidates
        if any(isinstance(r.get("metrics", {}).get(key), (int, float)) for r in results)
    ]


def summary_markdown(trials, outcomes, title):
    """OUT/summary.md: one row per configuration, key metrics over seeds."""
    model = trials[0].config["model"]
    results = [outcomes.get(trial.name, {}) for trial in trials]
    columns = _metric_columns(model, results)
    configurations = list(dict.fromkeys(trial.configuration for trial in trials))
    seeds = sorted({trial.seed for trial in trials})
    counts = {
        status: sum(r.get("status") == status for r in results) for status in ("finished", "failed")
    }
    varying = {key for trial in trials for key in trial.varying}
    fixed = ", ".join(
        f"{key}={_format(value)}"
        for key, value in trials[0].config.items()
        if key not in varying and key not in ("seed", "threads", "data_dir") and value is not None
    )
    lines = [
        f"# {title}",
        "",
        f"{len(configurations)} configuration{'s' * (len(configurations) != 1)} × {len(seeds)} "
        f"seed{'s' * (len(seeds) != 1)} ({', '.join(map(str, seeds))}) = {len(trials)} trials: "
        f"{counts['finished']} finished, {counts['failed']} failed, "
        f"{len(trials) - sum(counts.values())} unfinished.",
        "",
        f"Shared options: {fixed}.",
        "",
        "Each cell is the mean ± standard deviation over the finished seeds, then [min, max]: "
        "as Lucic et al. (2018), *Are GANs Created Equal?*, show, the spread of one GAN over "
        "random seeds is often as large as the differences between GANs, so compare these "
        "distributions, never best runs. Every trial is a row of results.csv.",
        "",
        "| configuration | seeds | " + " | ".join(columns) + " |",
        "|---" * (len(columns) + 2) + "|",
    ]
    for configuration in configurations:
        rows = [r for trial, r in zip(trials, results) if trial.configuration == configuration]
        done = [r["metrics"] for r in rows if r.get("status") == "finished"]
        cells = [
            summary_cell([m[key] for m in done if isinstance(m.get(key), (int, float))])
            for key in columns
        ]
        lines.append(
            f"| {configuration or '(all)'} | {len(done)}/{len(rows)} | " + " | ".join(cells) + " |"
        )
    failures = [(trial, r) for trial, r in zip(trials, results) if r.get("status") == "failed"]
    if failures:
        lines += ["", "Failed trials:", ""]
        lines += [f"- `{trial.name}`: {r['error']}" for trial, r in failures]
    return "\n".join(lines) + "\n"


def write_results(out_dir, trials, outcomes, title):
    """OUT/results.csv (a row per trial) and OUT/summary.md, atomically."""
    from gan_infer.util.files import atomic_write, ensure_directory

    ensure_directory(out_dir)
    option_columns = list(
        dict.fromkeys(key for trial in trials for key in list(trial.varying) + list(RUN_OPTIONS))
    )
    metric_columns = list(
        dict.fromkeys(
            key
            for trial in trials
            for key in outcomes.get(trial.name, {}).get("metrics", {})
            if key not in option_columns
        )
    )
    with atomic_write(os.path.join(out_dir, "results.csv"), "w") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["trial", "status"] + option_columns + metric_columns + ["error"])
        for trial in trials:
            outcome = outcomes.get(trial.name, {})
            values = {**trial.config, **trial.varying, **outcome.get("metrics", {})}
            writer.writerow(
                [trial.name, outcome.get("status", "unfinished")]
                + [_csv_value(values.get(key)) for key in option_columns + metric_columns]
                + [outcome.get("error", "")]
            )
    with atomic_write(os.path.join(out_dir, "summary.md"), "w") as handle:
        handle.write(summary_markdown(trials, outcomes, title))
