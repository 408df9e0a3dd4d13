"""The argparse parser: what it parses, and its documented example."""

import re
import textwrap

import pytest

from gan_infer.cli import named_gans, parser


def test_the_module_example_runs():
    (example,) = re.findall(r"```python\n(.*?)```", parser.__doc__, flags=re.S)
    exec(textwrap.dedent(example), {})


def test_every_model_is_a_choice_and_listed_in_the_help(capsys):
    with pytest.raises(SystemExit):
        parser.build_parser().parse_args(["train", "--help"])
    help_text = capsys.readouterr().out
    for name, spec in named_gans.MODELS.items():
        assert f"  {name:8} {spec.description}" in help_text
