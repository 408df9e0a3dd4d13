"""What the command line's tests share: `gan-infer` as a subprocess, and in-process."""

import os
import shutil
import subprocess
import sys

import tensorflow.compat.v1 as tf

from gan_infer import cli

SCRIPT = shutil.which("gan-infer", path=os.path.dirname(sys.executable))
COMMAND = [SCRIPT] if SCRIPT else [sys.executable, "-m", "gan_infer.cli"]


def gan_infer(*args, **popen):
    """`gan-infer ARGS` as a subprocess, with its output as text."""
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONUNBUFFERED="1")
    return subprocess.Popen(
        [*COMMAND, *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        **popen,
    )


def finish(process, timeout=120):
    """(exit code, stdout, stderr) of a `gan_infer()` process once it ends."""
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def checkpoint_iteration(run_dir):
    """The iteration of the newest checkpoint of the run in `run_dir`."""
    return int(tf.train.latest_checkpoint(str(run_dir / "checkpoints")).rsplit("-", 1)[1])


def run_main(capsys, *args):
    """`cli.main(ARGS)` in this process: (exit code, stdout, stderr)."""
    code = cli.main([str(arg) for arg in args])
    out, err = capsys.readouterr()
    return code, out, err
