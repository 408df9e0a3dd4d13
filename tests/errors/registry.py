"""The registry behind the error-table tests: every row of docs/errors.md, triggered.

docs/errors.md lists each user error gan_infer detects: what the user did,
the exception type, the message and the fix the message names. The message
cell holds the literal text of the message, with "…" standing for each
variable part (a name, a shape, a path).

Each row has one case in the test module of its section (test_models.py,
test_inference.py, test_data.py, test_criticism.py, test_files.py,
test_cli.py), registered with `@row(test id, exception, message)` on a
function that makes the mistake; `@also(test id)` adds another way to make
the same mistake to that row. Each of those modules ends with
`test_row = row_test(__name__)`: `test_row[<id>]` checks that every trigger
raises the documented exception with a message that contains the documented
fragments in order. test_table.py checks that the table's (exception,
message) pairs are exactly the cases' and that each row sits in the section
its test id names, so the table and the package cannot drift apart.

To add a row: add it to the table, then a `@row` case in the section's module
whose id starts with the section's slug (models-, inference-, data-,
criticism-, files-, cli-).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import tensorflow.compat.v1 as tf

TABLE = Path(__file__).resolve().parents[2] / "docs" / "errors.md"
SECTIONS = {
    "Models": "models-",
    "Inference": "inference-",
    "Data": "data-",
    "Criticism": "criticism-",
    "Files/IO": "files-",
    "Command line and checkpoints": "cli-",
}


@dataclass
class Case:
    id: str
    exception: type
    message: str
    triggers: list[Callable] = field(default_factory=list)
    module: str = ""


CASES = {}


def row(case_id, exception, message, trigger=None):
    """Register `trigger(env)` as the case of the table row `case_id` (or decorate it)."""
    assert case_id not in CASES, case_id

    def register(trigger):
        CASES[case_id] = Case(case_id, exception, message, [trigger], trigger.__module__)
        return trigger

    return register if trigger is None else register(trigger)


def also(case_id, trigger=None):
    """Another trigger of an already registered row (or decorate it)."""

    def register(trigger):
        CASES[case_id].triggers.append(trigger)
        return trigger

    return register if trigger is None else register(trigger)


@dataclass
class Env:
    tmp_path: Path
    monkeypatch: pytest.MonkeyPatch


def fragments_in_order(message, text):
    """Whether `text`'s literal parts ("…" separates them) occur in `message` in order."""
    position = 0
    for fragment in text.split("…"):
        if not fragment:
            continue
        found = message.find(fragment, position)
        if found < 0:
            return False
        position = found + len(fragment)
    return True


def message_of(error):
    # KeyError's str() is the repr of its argument; the message is the argument.
    return str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)


def row_test(module):
    """The test of every case registered by `module`: its triggers raise as documented."""
    cases = [case for case in CASES.values() if case.module == module]

    @pytest.mark.parametrize("case", cases, ids=[case.id for case in cases])
    def test_row(case, tmp_path, monkeypatch):
        for index, trigger in enumerate(case.triggers):
            env = Env(tmp_path / f"trigger{index}", monkeypatch)
            with tf.Graph().as_default(), pytest.raises(case.exception) as info:
                trigger(env)
            message = message_of(info.value)
            assert fragments_in_order(message, case.message), (
                f"trigger {index} of {case.id}: the message\n  {message}\ndoes not match the "
                f"table's\n  {case.message}"
            )

    return test_row


def code_span(cell):
    match = re.fullmatch(r"(`+) ?(.*?) ?\1", cell.strip())
    assert match, f"not a code span: {cell!r}"
    return match.group(2)


def table_rows():
    """(section, exception name, message) of every row of docs/errors.md's tables."""
    rows, section = [], None
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif (
            line.startswith("|")
            and not re.match(r"\|\s*-", line)
            and not line.startswith("| What the user did")
        ):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            assert len(cells) == 4, f"a row needs 4 cells, got {len(cells)}: {line}"
            rows.append((section, code_span(cells[1]), code_span(cells[2])))
    return rows
