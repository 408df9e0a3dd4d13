"""The options of `gan-infer train`: checked, with the model's defaults filled in.

Also the command line's errors and exit codes, which every other part of
`gan_infer.cli` raises or returns. Importing this module imports neither
TensorFlow nor argparse.

#### Examples

```python
from gan_infer.cli.options import UsageError, resolve_config

config = resolve_config("ring", n_iter=30)
assert config["batch_size"] == 512 and config["n_print"] == 3
try:
    resolve_config("ring", n_iter=0)
except UsageError as error:
    print(error.for_command_line())   # argument --n-iter: must be an integer >= 1, got 0.
```
"""

import functools
import os
import shlex

from gan_infer.cli import named_gans
from gan_infer.cli.dcgan import SIDES
from gan_infer.util.checks import check_int, check_interval, check_number, is_int

__all__ = [
    "EXIT_FAILURE",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_USAGE",
    "IMAGE_EXTENSIONS",
    "LOSSES",
    "DCGAN_SWITCHES",
    "RUN_OPTIONS",
    "TRAIN_OPTIONS",
    "Interrupted",
    "UsageError",
    "check_output",
    "command_line",
    "flag",
    "int_option",
    "positive_number_option",
    "resolve_config",
    "with_omitted_options",
]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130

# The names of gan_infer.inferences.losses.GAN_LOSSES, spelled out so that
# --help and usage errors need no TensorFlow import (tests/cli/test_options.py
# checks that the two agree).
LOSSES = ("non_saturating", "minimax", "least_squares", "hinge")

# Options that define what is trained: a run directory holding other values
# is refused (n_iter may grow: training goes on). The other options only say
# how the run is watched and kept, and may change from one invocation to the next.
RUN_OPTIONS = (
    "model",
    "loss",
    "seed",
    "batch_size",
    "learning_rate",
    "learning_rate_d",
    "n_iter",
    "data",
    "image_size",
    "self_condition",
    "minibatch_stddev",
    "ema_decay",
)
# The dcgan's switches (gan_infer.cli.dcgan): None for the other models.
DCGAN_SWITCHES = ("self_condition", "minibatch_stddev", "ema_decay")
# The keyword arguments of `train()` that `gan-infer train` passes on.
TRAIN_OPTIONS = (
    "loss",
    "n_iter",
    "n_print",
    "seed",
    "batch_size",
    "learning_rate",
    "learning_rate_d",
    "data_dir",
    "checkpoint_every",
    "keep_checkpoints",
    "evaluate",
    "threads",
    *DCGAN_SWITCHES,
)

IMAGE_EXTENSIONS = (".png", ".pdf", ".svg", ".jpg", ".jpeg")

# Options whose command-line spelling is not --the-option-with-dashes.
_FLAGS = {
    "model": "MODEL",
    "evaluate": "--no-evaluate",
    "samples": "SAMPLES",
    "config": "CONFIG",
    "output": "-o",
    "n": "-n",
}


class UsageError(ValueError):
    """A bad option value or a conflict with what is on disk: exit code 2.

    The message reads on its own (`n_iter must be an integer >= 1, got 0.`);
    `option` names the keyword at fault, so that the command line can name
    its flag instead: `argument --n-iter: must be an integer >= 1, got 0.`
    """

    def __init__(self, message, option=None):
        super().__init__(message)
        self.option = option

    def for_command_line(self):
        """The message with the flag at fault named argparse's way."""
        if self.option is None:
            return str(self)
        return f"argument {flag(self.option)}: {str(self).removeprefix(self.option + ' ')}"


class Interrupted(Exception):
    """Ctrl-C, with what was kept and how to go on: exit code 130."""


def flag(option):
    """How the command line spells the keyword `option`: `n_iter` -> `--n-iter`."""
    return _FLAGS.get(option, "--" + option.replace("_", "-"))


def int_option(option, value, minimum):
    """`value`, if it is an int >= `minimum`; else UsageError naming `option`."""
    return check_int(
        value,
        option,
        minimum,
        what=f"an integer >= {minimum}",
        error=functools.partial(UsageError, option=option),
    )


def positive_number_option(option, value):
    """`value` as a float, if it is a finite number > 0; else UsageError naming `option`."""
    return check_number(
        value,
        option,
        low=0.0,
        inclusive=False,
        what="a positive number",
        error=functools.partial(UsageError, option=option),
    )


def check_output(output, allowed):
    """The extension of the path `output`, if it is one of `allowed`; else UsageError."""
    extension = os.path.splitext(os.fspath(output))[1].lower()
    if extension not in allowed:
        raise UsageError(
            f"output must end in {', '.join(allowed)}, got {os.fspath(output)!r}", "output"
        )
    return extension


def _check_choices(model, loss):
    if model not in named_gans.MODELS:
        raise UsageError(
            f"model must be one of {', '.join(named_gans.MODELS)}, got {model!r}", "model"
        )
    if loss not in LOSSES:
        raise UsageError(f"loss must be one of {', '.join(LOSSES)}, got {loss!r}", "loss")
    return named_gans.get(model)


def resolve_config(
    model,
    *,
    loss="non_saturating",
    n_iter=None,
    n_print=None,
    seed=0,
    batch_size=None,
    learning_rate=None,
    learning_rate_d=None,
    data_dir=None,
    checkpoint_every=None,
    keep_checkpoints=3,
    evaluate=True,
    threads=None,
    data=None,
    image_size=None,
    self_condition=None,
    minibatch_stddev=None,
    ema_decay=None,
):
    """Check `train()`'s options and fill in the model's defaults.

    None means the model's value (`gan_infer.cli.named_gans`): its example's
    batch size, learning rate and number of iterations; `learning_rate_d`
    defaults to `learning_rate`; `n_print` to the model's, or n_iter // 10
    when that is smaller; `checkpoint_every` to `n_print`. `data` (your
    images, recorded as an absolute path) and `image_size` (28, 32 or 64)
    are the DCGAN's, and so are its switches (`gan_infer.cli.dcgan`):
    `self_condition` (0: off, K >= 2 k-means clusters, or "auto": K from the
    number of images), `minibatch_stddev` (0: off, or the group size G, which
    must divide the batch size) and `ema_decay` (0: off, or in (0, 1)). With
    `data` their defaults are `DCGAN.data_defaults` (the recipe measured
    best) and the learning rate `DCGAN.data_learning_rate` (4e-4; 2e-4 under
    5,000 images, which are counted here); without, the example's (all off,
    Adam 2e-4).

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
    spec = _check_choices(model, loss)
    switches = _switches(
        spec, data, self_condition=self_condition, minibatch_stddev=minibatch_stddev,
        ema_decay=ema_decay,
    )  # fmt: skip
    # On your images the default rate depends on their number: counted last,
    # once every option is known to be valid (a bad flag is a usage error first).
    count_later = learning_rate is None and data is not None and spec.takes_data
    d_follows = learning_rate_d is None
    n_iter = int_option("n_iter", spec.n_iter if n_iter is None else n_iter, 1)
    n_print = int_option(
        "n_print", named_gans.default_n_print(spec, n_iter) if n_print is None else n_print, 1
    )
    learning_rate = positive_number_option(
        "learning_rate", spec.learning_rate if learning_rate is None else learning_rate
    )
    learning_rate_d = positive_number_option(
        "learning_rate_d", learning_rate if learning_rate_d is None else learning_rate_d
    )
    config = {
        "model": spec.name,
        "loss": loss,
        "n_iter": n_iter,
        "seed": int_option("seed", seed, 0),
        "batch_size": int_option(
            "batch_size", spec.batch_size if batch_size is None else batch_size, 1
        ),
        "learning_rate": learning_rate,
        "learning_rate_d": learning_rate_d,
        "n_print": n_print,
        "data_dir": None if data_dir is None else os.fspath(data_dir),
        "checkpoint_every": int_option(
            "checkpoint_every", n_print if checkpoint_every is None else checkpoint_every, 1
        ),
        "keep_checkpoints": int_option("keep_checkpoints", keep_checkpoints, 1),
        "evaluate": bool(evaluate),
        "threads": None if threads is None else int_option("threads", threads, 1),
        **_data_options(spec, data, image_size, data_dir),
        **switches,
    }
    _check_together(spec, config)
    if count_later:
        config["learning_rate"] = spec.data_learning_rate(config["data"])
        if d_follows:
            config["learning_rate_d"] = config["learning_rate"]
    return config


def _check_together(spec, config):
    """UsageError for options each valid alone but not together (or too large)."""
    if config["seed"] >= 2**31:
        raise UsageError(f"seed must be below 2**31, got {config['seed']}", "seed")
    if config["batch_size"] % spec.pack:
        raise UsageError(
            f"batch_size must be a multiple of {spec.pack} for {spec.name} (its discriminator "
            f"judges packs of {spec.pack} examples), got {config['batch_size']}",
            "batch_size",
        )
    group = config["minibatch_stddev"]
    if group and config["batch_size"] % group:
        raise UsageError(
            f"minibatch_stddev must divide the batch size {config['batch_size']} (D takes the "
            f"spread over groups of that many images), got {group}: use --minibatch-stddev 4, "
            "or 0 to turn it off",
            "minibatch_stddev",
        )


def _switches(spec, data, **given):
    """The dcgan's switches, checked, with the defaults for `data` filled in."""
    if not hasattr(spec, "data_defaults"):
        for option, value in given.items():
            if value is not None:
                raise UsageError(
                    f"{option} is an option of the dcgan model; {spec.name} does not take it",
                    option,
                )
        return dict.fromkeys(given)
    defaults = spec.plain if data is None else spec.data_defaults
    values = {option: defaults[option] if v is None else v for option, v in given.items()}
    clusters = values["self_condition"]
    if clusters != "auto" and (not is_int(clusters) or clusters < 0 or clusters == 1):
        raise UsageError(
            f"self_condition must be 0 (off), a number of clusters >= 2, or 'auto', got "
            f"{clusters!r}",
            "self_condition",
        )
    if clusters != "auto":
        values["self_condition"] = int(clusters)
    values["minibatch_stddev"] = int_option("minibatch_stddev", values["minibatch_stddev"], 0)
    values["ema_decay"] = check_interval(
        values["ema_decay"],
        "ema_decay",
        "[0, 1)",
        what="a number in [0, 1): 0 turns the average off, e.g. 0.999",
        error=functools.partial(UsageError, option="ema_decay"),
    )
    return values


def with_omitted_options(recorded):
    """A config.json's options, with those it lacks (written before they
    existed) at the value the run was trained with: the dcgan's switches off,
    None for the other models. None stays None (no config.json)."""
    if recorded is None or recorded.get("model") is None:
        return recorded
    spec = named_gans.MODELS.get(recorded["model"])
    plain = getattr(spec, "plain", dict.fromkeys(DCGAN_SWITCHES))
    return {**plain, **recorded}


def _data_options(spec, data, image_size, data_dir):
    """{"data": absolute path or None, "image_size": None or 28, 32, 64}, checked."""
    if (data is not None or image_size is not None) and not spec.takes_data:
        option = "data" if data is not None else "image_size"
        raise UsageError(
            f"{option} is an option of the dcgan model (your images); {spec.name} trains on "
            "its own data",
            option,
        )
    if image_size is not None:
        if data is None:
            raise UsageError(
                "image_size resizes the images of --data: give --data too", "image_size"
            )
        image_size = int_option("image_size", image_size, 1)
        if image_size not in SIDES:
            sides = f"{', '.join(map(str, SIDES[:-1]))} or {SIDES[-1]}"
            raise UsageError(f"image_size must be {sides}, got {image_size}", "image_size")
    if data is not None and data_dir is not None:
        raise UsageError(
            "data_dir is the MNIST folder, which training on --data does not read: leave it out",
            "data_dir",
        )
    path = None if data is None else os.path.abspath(os.path.expanduser(os.fspath(data)))
    return {"data": path, "image_size": image_size}


def command_line(config, out_dir):
    """The `gan-infer train` command that trains `config` into `out_dir`."""
    words = ["gan-infer", "train", config["model"], "--out", os.fspath(out_dir)]
    for option in RUN_OPTIONS[1:]:
        if config.get(option) is not None:  # data and image_size are often None
            words += [flag(option), str(config[option])]
    return " ".join(map(shlex.quote, words))
