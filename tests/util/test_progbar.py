"""Tests for gan_infer.util.progbar.Progbar."""

import io
import re
import types

import numpy as np
import pytest

from gan_infer.util import progbar as progbar_module
from gan_infer.util.progbar import Progbar


@pytest.fixture
def clock(monkeypatch):
    """A fake perf_counter for the progbar module: set `clock.now` before each update."""
    fake = types.SimpleNamespace(now=0.0)
    monkeypatch.setattr(
        progbar_module, "time", types.SimpleNamespace(perf_counter=lambda: fake.now)
    )
    return fake


def updates(bar, stream, steps, clock=None):
    """Run (t, seconds, values) updates; return what each one wrote."""
    written = []
    for t, seconds, values in steps:
        if clock is not None:
            clock.now = seconds
        before = len(stream.getvalue())
        bar.update(t, values)
        written.append(stream.getvalue()[before:])
    return written


# --- non-interactive ----------------------------------------------------------


def test_plain_lines(clock):
    stream = io.StringIO()
    bar = Progbar(100, stream=stream, interactive=False)
    out = updates(
        bar,
        stream,
        [
            (1, 10.0, {"Gen Loss": 0.123456, "Disc Loss": 1.3}),
            (9, 12.0, {"Gen Loss": np.float32(0.5), "Disc Loss": -2}),
            (100, 34.75, {"Gen Loss": 0.0004, "Disc Loss": 1e3}),
        ],
        clock,
    )
    assert all(chunk.endswith("\n") and chunk.count("\n") == 1 for chunk in out)
    assert not any("\r" in chunk or "\x1b" in chunk for chunk in out)
    first, second, last = (chunk.rstrip("\n") for chunk in out)

    assert "1/100" in first and "1%" in first and "it/s" in first
    assert "ETA" not in first
    assert "Gen Loss: 0.123" in first and "Disc Loss: 1.300" in first

    assert "9/100" in second and "9%" in second
    assert "4.0 it/s" in second  # (9 - 1) iterations in 2 seconds
    assert "ETA 23s" in second  # 91 iterations left at 4 it/s = 22.75 s
    assert "Gen Loss: 0.500" in second and "Disc Loss: -2.000" in second

    assert "100/100" in last and "100%" in last
    assert "4.0 it/s" in last  # 99 iterations in 24.75 s
    assert "ETA" not in last and "in 25s" in last
    assert "Gen Loss: 0.000" in last and "Disc Loss: 1000.000" in last


def test_plain_line_exact_format(clock):
    stream = io.StringIO()
    bar = Progbar(10, stream=stream, interactive=False)
    first, second = updates(bar, stream, [(1, 0.0, {"loss": 2.0}), (3, 1.0, {"loss": 0.25})], clock)
    assert first == " 1/10 [ 10%] |    - it/s | loss: 2.000\n"
    assert second == " 3/10 [ 30%] |    2.0 it/s | ETA 4s | loss: 0.250\n"


def test_eta_in_minutes_and_hours(clock):
    stream = io.StringIO()
    bar = Progbar(100000, stream=stream, interactive=False)
    out = updates(bar, stream, [(1, 0.0, None), (2, 1.0, None)], clock)
    assert "ETA 27h46m" in out[1]  # 99998 s = 27h46m38s
    bar = Progbar(1000, stream=stream, interactive=False)
    out = updates(bar, stream, [(1, 0.0, None), (2, 1.0, None)], clock)
    assert "ETA 16m38s" in out[1]  # 998 s


def test_percentage_and_counts_with_real_clock():
    stream = io.StringIO()
    bar = Progbar(4, stream=stream, interactive=False)
    for t in range(1, 5):
        bar.update(t, {"x": t / 3})
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4
    for t, line in enumerate(lines, start=1):
        assert f"{t}/4" in line
        assert f"{100 * t // 4}%" in line
        assert "it/s" in line
        assert f"x: {t / 3:.3f}" in line
    assert "ETA" in lines[1] and "ETA" in lines[2]
    assert "ETA" not in lines[0] and "ETA" not in lines[3]


def test_default_stream_is_stdout_and_not_a_tty_means_plain(capsys):
    bar = Progbar(2)
    bar.update(1, {"loss": 1.0})
    bar.update(2, {"loss": 0.5})
    out = capsys.readouterr().out
    assert "\r" not in out
    lines = out.splitlines()
    assert len(lines) == 2 and "1/2" in lines[0] and "2/2" in lines[1]
    assert "loss: 0.500" in lines[1]


def test_auto_detects_a_tty(clock):
    class TTY(io.StringIO):
        def isatty(self):
            return True

    stream = TTY()
    Progbar(10, stream=stream).update(1)
    assert stream.getvalue().startswith("\r")


def test_no_values(clock):
    stream = io.StringIO()
    Progbar(5, stream=stream, interactive=False).update(2)
    assert stream.getvalue() == "2/5 [ 40%] |    - it/s\n"


def test_target_zero(clock):
    stream = io.StringIO()
    Progbar(0, stream=stream, interactive=False).update(0)
    assert "0/0" in stream.getvalue() and "100%" in stream.getvalue()


def test_rate():
    bar = Progbar(10)
    assert bar.rate(5, now=1.0) is None
    bar._first_t, bar._first_time = 1, 10.0  # as if update(1) ran at time 10
    assert bar.rate(1, now=20.0) is None
    assert bar.rate(5, now=10.0) is None
    assert bar.rate(5, now=12.0) == 2.0


# --- interactive ---------------------------------------------------------------


def test_interactive_redraws_one_line(clock):
    stream = io.StringIO()
    bar = Progbar(4, width=8, stream=stream, interactive=True)
    out = updates(
        bar,
        stream,
        [
            (1, 0.0, {"loss": 1.0}),
            (2, 1.0, {"loss": 0.5}),
            (3, 2.0, None),
            (4, 3.0, {"loss": 0.125}),
        ],
        clock,
    )
    for chunk in out:
        assert chunk.startswith("\r")
    assert not any("\n" in chunk for chunk in out[:-1])
    assert out[-1].endswith("\n") and out[-1].count("\n") == 1
    assert "\u2588\u2588" + "." * 6 in out[0]  # 1/4 of 8 filled
    assert "\u2588" * 4 + "." * 4 in out[1]
    assert "] " + "\u2588" * 8 + " |" in out[3]
    assert "loss: 1.000" in out[0] and "loss: 0.125" in out[3]
    assert "1.0 it/s" in out[1] and "ETA 2s" in out[1]
    assert "in 3s" in out[3]
    assert stream.getvalue().count("\n") == 1


def test_interactive_exact_line(clock):
    stream = io.StringIO()
    bar = Progbar(2, width=4, stream=stream, interactive=True)
    out = updates(bar, stream, [(1, 0.0, {"g": 0.5}), (2, 0.5, {"g": 0.25})], clock)
    assert out[0] == "\r1/2 [ 50%] \u2588\u2588.. |    - it/s | g: 0.500\x1b[K"
    assert (
        out[1] == "\r2/2 [100%] \u2588\u2588\u2588\u2588 |    2.0 it/s | in 0s | g: 0.250\x1b[K\n"
    )


def test_interactive_past_target_ends_line(clock):
    stream = io.StringIO()
    bar = Progbar(3, width=6, stream=stream, interactive=True)
    updates(bar, stream, [(1, 0.0, None), (5, 1.0, None)], clock)
    assert stream.getvalue().endswith("\n")
    assert "\u2588" * 6 in stream.getvalue()  # fraction is capped at 1


# --- bad arguments ------------------------------------------------------------


@pytest.mark.parametrize("target", [-1, 1.5, "10", None, 10.0])
def test_bad_target_raises(target):
    with pytest.raises(ValueError, match="target"):
        Progbar(target)


def test_module_exports():
    assert progbar_module.__all__ == ["Progbar", "format_seconds"]
    assert re.fullmatch(r"\d+s", progbar_module.format_seconds(59.4))
    assert progbar_module.format_seconds(59.4) == "59s"
    assert progbar_module.format_seconds(60) == "1m00s"
    assert progbar_module.format_seconds(3661) == "1h01m"
