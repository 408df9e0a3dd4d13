"""The whole programs shown in docs/*.md run as written, at a small size."""

import os
import re

import numpy as np
import tensorflow.compat.v1 as tf

DOCS = os.path.join(os.path.dirname(__file__), "..", "docs")


def python_block_under(heading, path):
    """The first ```python block after `heading` in the markdown file `path`."""
    with open(path, encoding="utf-8") as file:
        text = file.read()
    assert heading in text, f"{path} has no heading {heading!r}"
    match = re.search(r"```python\n(.*?)```", text[text.index(heading) :], re.S)
    assert match, f"no python block under {heading!r} in {path}"
    return match.group(1)


def shrunk(code, replacements):
    """`code` with each (old, new) replaced; every old must occur exactly once."""
    for old, new in replacements:
        assert code.count(old) == 1, f"{old!r} occurs {code.count(old)} times in the block"
        code = code.replace(old, new)
    return code


def test_infer_your_own_simulators_parameters_runs(capsys):
    code = python_block_under(
        "## Infer your own simulator's parameters", os.path.join(DOCS, "implicit_models.md")
    )
    code = shrunk(
        code,
        [
            ("budget=10_000", "budget=400, batch_size=100"),
            ("simulator, 5_000, seed=1)", "simulator, 200, seed=1)"),
            ("round_size=1250", "round_size=50"),
            ("steps_per_round=3200", "steps_per_round=3"),
            ("batch_size=512", "batch_size=32"),
            ("n_iter=16_000", "n_iter=15"),
            ("posterior_samples(10_000", "posterior_samples(100"),
        ],
    )
    namespace = {"__name__": "docs_example"}
    with tf.Graph().as_default():
        exec(compile(code, "implicit_models.md", "exec"), namespace)
    samples, simulator = namespace["samples"], namespace["simulator"]
    assert samples.shape == (100, 2) and np.all(np.isfinite(samples))
    assert np.all((samples >= [-5.0, -2.0]) & (samples <= [5.0, 1.0]))
    # Half the budget on prior draws, four rounds of q: all 400 simulations spent.
    assert simulator.calls == 400
    assert capsys.readouterr().out.strip().endswith("400")
