"""docs/errors.md and the cases of tests/errors/ match one to one."""

from tests.errors import (  # noqa: F401  (importing them registers their cases)
    test_cli,
    test_criticism,
    test_data,
    test_files,
    test_inference,
    test_models,
)
from tests.errors.registry import CASES, SECTIONS, TABLE, table_rows


def test_table_matches_cases():
    rows = table_rows()
    documented = [(exception, message) for _, exception, message in rows]
    registered = [(case.exception.__name__, case.message) for case in CASES.values()]
    assert len(set(documented)) == len(documented), "two rows with the same exception and message"
    assert not set(documented) - set(registered), (
        f"rows without a case in tests/errors/: {sorted(set(documented) - set(registered))}"
    )
    assert not set(registered) - set(documented), (
        f"cases without a row in {TABLE}: {sorted(set(registered) - set(documented))}"
    )
    by_message = {(case.exception.__name__, case.message): case for case in CASES.values()}
    for section, exception, message in rows:
        assert section in SECTIONS, f"unknown section {section!r}"
        case = by_message[exception, message]
        assert case.id.startswith(SECTIONS[section]), (
            f"{case.id} is documented under {section!r}, its id says otherwise"
        )
