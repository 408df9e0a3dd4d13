"""train()'s options: the losses the command line offers, and the documented example."""

import re
import textwrap

import pytest

from gan_infer import cli
from gan_infer.cli import options
from gan_infer.inferences.losses import GAN_LOSSES


def test_the_command_line_knows_every_loss():
    assert sorted(cli.LOSSES) == sorted(GAN_LOSSES)


def test_the_resolve_config_example_runs():
    (example,) = re.findall(r"```python\n(.*?)```", cli.resolve_config.__doc__, flags=re.S)
    exec(textwrap.dedent(example), {"resolve_config": cli.resolve_config})


def test_the_module_example_runs(capsys):
    (example,) = re.findall(r"```python\n(.*?)```", options.__doc__, flags=re.S)
    exec(textwrap.dedent(example), {})
    assert capsys.readouterr().out == "argument --n-iter: must be an integer >= 1, got 0.\n"


@pytest.mark.parametrize("value", [True, 2.0, "3", None])
def test_an_integer_option_refuses_what_is_not_an_int(value):
    with pytest.raises(cli.UsageError, match="seed must be an integer >= 0") as caught:
        cli.resolve_config("ring", seed=value)
    assert caught.value.option == "seed"
