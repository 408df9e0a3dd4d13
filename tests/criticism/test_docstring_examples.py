"""The runnable examples in the numpy-only criticism modules' docstrings run,
and every name they export exists."""
import re
import textwrap

import numpy as np
import pytest

from gan_infer.criticism import metrics, toy

MODULES = (metrics, toy)


def docstring_examples():
    for module in MODULES:
        for name in module.__all__:
            doc = getattr(module, name).__doc__ or ""
            for block in re.findall(r"```python\n(.*?)```", doc, flags=re.S):
                yield module, name, textwrap.dedent(block)


@pytest.mark.parametrize("module, name, code", list(docstring_examples()))
def test_docstring_examples_run(module, name, code):
    namespace = {"np": np, **{n: getattr(module, n) for n in module.__all__}}
    exec(compile(code, f"<{module.__name__}.{name} example>", "exec"), namespace)


@pytest.mark.parametrize("module", MODULES)
def test_module_lists_public_api(module):
    assert module.__all__ and all(hasattr(module, name) for name in module.__all__)
