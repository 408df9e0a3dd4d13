"""A quiet console: `make demo`, the examples and `gan-infer` print ours, not TensorFlow's logs.

Real runs in fresh processes (the only place TensorFlow's import-time lines
appear), with the environment of a user who set nothing: no
TF_CPP_MIN_LOG_LEVEL (this test session's conftest sets one). The filter
itself is checked on a stand-in `tensorflow` package that writes such lines
to file descriptor 2 at import, so that its test depends on no TensorFlow
build's particular messages.
"""

import os
import re
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tests.cli.helpers import COMMAND
from tests.conftest import REPO_ROOT

# What TensorFlow's C++ side writes: absl's notice, or "I0000 00:00:17.5  123 file.cc:12] ...".
TF_LINE = re.compile(r"(^|\n)([IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\]|WARNING: All log)")


def user_env(**extra):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("TF_CPP_MIN_LOG_LEVEL", "GAN_INFER_VERBOSE")
    }
    return dict(env, MPLBACKEND="Agg", PYTHONUNBUFFERED="1", **extra)


def run(args, cwd, **extra_env):
    return subprocess.run(
        args, cwd=cwd, env=user_env(**extra_env), capture_output=True, text=True, timeout=600
    )


def test_the_demo_script_prints_progress_and_no_tensorflow_lines(tmp_path, mnist_dir):
    # `make demo` is examples/gan_mnist.py; a session is created, so cuInit is called.
    result = run(
        [sys.executable, REPO_ROOT / "examples" / "gan_mnist.py", "--n-iter", "2", "--n-print",
         "1", "--data-dir", mnist_dir, "--out-dir", tmp_path / "out"],
        tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Gen Loss" in result.stdout and "Wrote" in result.stdout
    assert result.stderr == "", result.stderr


def test_gan_infer_prints_its_results_and_no_tensorflow_lines(tmp_path):
    # Imports TensorFlow (the criticism package does) without training: the
    # session's lines are the demo's test above.
    np.save(tmp_path / "ring.npy", np.zeros((50, 2), np.float32))
    result = run([*COMMAND, "evaluate", tmp_path / "ring.npy", "--toy", "ring"], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert '"modes_captured": 0' in result.stdout
    assert not TF_LINE.search(result.stderr), result.stderr


FAKE_TENSORFLOW = """
import os, warnings
os.write(2, (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\\n"
    "I0000 00:00:1796238397.517302    4018 port.cc:153] oneDNN custom operations are on.\\n"
    "W0000 00:00:1796238397.518257    4018 cudart_stub.cc:31] a warning\\n"
    "E0000 00:00:1796238397.518257    4018 cuda_platform.cc:52] failed call to cuInit\\n"
    "something else on stderr\\n"
).encode())
warnings.warn("a warning that matters")
"""


LINES = ("WARNING: All", "I0000", "W0000", "E0000", "something else")


@pytest.mark.parametrize(
    "env, kept",
    [
        ({}, ["something else"]),  # gan_infer's default: TF_CPP_MIN_LOG_LEVEL=3
        ({"TF_CPP_MIN_LOG_LEVEL": "2"}, ["E0000", "something else"]),  # the user's own level
        ({"TF_CPP_MIN_LOG_LEVEL": "0"}, list(LINES)),
        ({"GAN_INFER_VERBOSE": "1"}, list(LINES)),
    ],
)
def test_the_start_up_lines_below_the_level_are_dropped_and_the_rest_kept(tmp_path, env, kept):
    (tmp_path / "tensorflow").mkdir()
    (tmp_path / "tensorflow" / "__init__.py").write_text(FAKE_TENSORFLOW)
    code = "import gan_infer, os; import tensorflow; print(os.environ.get('TF_CPP_MIN_LOG_LEVEL'))"
    path = f"{tmp_path}{os.pathsep}{REPO_ROOT}"
    result = run([sys.executable, "-c", code], tmp_path, PYTHONPATH=path, **env)
    assert result.returncode == 0, result.stderr
    shown = [
        line for line in LINES if any(row.startswith(line) for row in result.stderr.splitlines())
    ]
    assert shown == kept, result.stderr
    assert "UserWarning: a warning that matters" in result.stderr  # Python warnings always show
    expected_level = env.get("TF_CPP_MIN_LOG_LEVEL", "None" if env else "3")
    assert result.stdout.strip() == expected_level


def test_verbose_flag_brings_the_logs_back_before_tensorflow_is_imported(tmp_path):
    code = textwrap.dedent(
        """
        import os, sys
        from gan_infer.cli import main
        main(["--verbose", "evaluate", "missing.npy", "--toy", "ring"])  # refused before TF
        print(os.environ.get("TF_CPP_MIN_LOG_LEVEL"), os.environ.get("GAN_INFER_VERBOSE"),
              "tensorflow" in sys.modules)
        """
    )
    result = run([sys.executable, "-c", code], tmp_path)
    assert result.stdout.split() == ["None", "1", "False"], result.stderr
