"""A quiet console: TensorFlow's start-up logs kept off it unless asked for.

TensorFlow's C++ side writes its own lines to stderr: at import (oneDNN, "Could
not find cuda drivers", absl's "All log messages before absl::InitializeLog()
is called are written to STDERR") and when the first session starts
(``E0000 ... failed call to cuInit: ... UNKNOWN ERROR (303)`` on a machine
without a GPU, which reads like a failure and is none). ``import gan_infer``
calls ``quiet_tensorflow()``, which, unless ``GAN_INFER_VERBOSE=1`` is set:

- sets ``TF_CPP_MIN_LOG_LEVEL=3`` (C++ errors included: the ones gan_infer's
  users meet are harmless — cuInit without a GPU, a grappler "remapper
  failed" — and real failures reach Python as exceptions), unless the user
  has set it;
- makes TensorFlow honour that level for the lines it writes at import,
  before it has read it: while ``tensorflow`` is imported (if gan_infer was
  imported first), stderr is captured at the file-descriptor level and the
  start-up lines below the level are dropped; everything else (Python
  warnings, other output) is written back;
- sets the ``tensorflow`` Python logger to ERROR (its deprecation notices on
  tf.compat.v1 are for the package's authors).

Hiding the GPU (``CUDA_VISIBLE_DEVICES``) is not done: it would not remove
the cuInit line anyway (TensorFlow still calls cuInit, which then fails with
"no CUDA-capable device"), and it would disable a GPU that exists.
``GAN_INFER_VERBOSE=1``, ``gan-infer --verbose`` or a ``TF_CPP_MIN_LOG_LEVEL``
of the user's own bring the lines back.

#### Examples

```python
from gan_infer import console

console.tensorflow_log_level()  # 3 after `import gan_infer`, unless set otherwise
```
"""

import contextlib
import importlib.abc
import importlib.util
import logging
import os
import re
import sys
import tempfile

__all__ = [
    "LOG_LEVEL_ENV_VAR",
    "VERBOSE_ENV_VAR",
    "quiet_tensorflow",
    "show_tensorflow_logs",
    "tensorflow_log_level",
    "verbose",
]

#: Set to 1 to keep TensorFlow's start-up logs.
VERBOSE_ENV_VAR = "GAN_INFER_VERBOSE"
#: TensorFlow's own switch: 0 all, 1 no INFO, 2 no WARNING, 3 no ERROR lines.
LOG_LEVEL_ENV_VAR = "TF_CPP_MIN_LOG_LEVEL"

# An absl/TensorFlow C++ log line: severity, MMDD, time (before absl::InitializeLog()
# "00:00:<epoch seconds>"), thread, file:line].
_LOG_LINE = re.compile(r"([IWE])\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [^ \]]+:\d+\] ")
_ABSL_NOTICE = "WARNING: All log messages before absl::InitializeLog() is called"
# The second line of cpu_feature_guard's INFO message.
_CPU_FEATURES = "To enable the following instructions:"
_SEVERITY = {"I": 1, "W": 2, "E": 3}

# Whether quiet_tensorflow() set TF_CPP_MIN_LOG_LEVEL (then --verbose may unset it).
_state = {"set_level": False}


def verbose():
    """Whether ``GAN_INFER_VERBOSE`` asks for TensorFlow's logs (set, and not 0)."""
    return os.environ.get(VERBOSE_ENV_VAR, "") not in ("", "0")


def tensorflow_log_level():
    """``TF_CPP_MIN_LOG_LEVEL`` as an int (0 when unset or not a number)."""
    try:
        return int(os.environ.get(LOG_LEVEL_ENV_VAR, "0"))
    except ValueError:
        return 0


def quiet_tensorflow():
    """Keep TensorFlow's start-up logs off the console (see the module's docstring).

    Does nothing with ``GAN_INFER_VERBOSE=1``. Must run before TensorFlow is
    imported to take full effect: ``import gan_infer`` first.
    """
    if verbose():
        return
    if LOG_LEVEL_ENV_VAR not in os.environ:
        os.environ[LOG_LEVEL_ENV_VAR] = "3"
        _state["set_level"] = True
    logger = logging.getLogger("tensorflow")
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.ERROR)
    if "tensorflow" not in sys.modules and not any(
        isinstance(finder, _QuietImport) for finder in sys.meta_path
    ):
        sys.meta_path.insert(0, _QuietImport())


def show_tensorflow_logs():
    """Undo ``quiet_tensorflow()`` (`gan-infer --verbose`), before TensorFlow is imported."""
    os.environ[VERBOSE_ENV_VAR] = "1"
    if _state["set_level"]:
        os.environ.pop(LOG_LEVEL_ENV_VAR, None)
        _state["set_level"] = False
    logging.getLogger("tensorflow").setLevel(logging.NOTSET)
    sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _QuietImport)]


def _is_start_up_line(line, level):
    """Whether `line` is a log line TensorFlow should not have written at `level`."""
    match = _LOG_LINE.match(line)
    if match:
        return _SEVERITY[match.group(1)] <= level
    return level >= 1 and line.startswith((_ABSL_NOTICE, _CPU_FEATURES))


@contextlib.contextmanager
def _start_up_lines_dropped():
    """Capture file descriptor 2 (C++ writes there, not to sys.stderr) in the
    block, then write back every line but the start-up lines below the level."""
    level = tensorflow_log_level()
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (AttributeError, OSError, ValueError):  # no stderr at all: nothing to filter
        yield
        return
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            yield
        finally:
            with contextlib.suppress(AttributeError, OSError, ValueError):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            lines = capture.read().decode(errors="replace").splitlines(keepends=True)
            kept = "".join(line for line in lines if not _is_start_up_line(line, level))
            if kept:
                sys.stderr.write(kept)
                sys.stderr.flush()


class _QuietImport(importlib.abc.MetaPathFinder):
    """Finds ``tensorflow`` (once) and has it imported with `_start_up_lines_dropped`."""

    def find_spec(self, fullname, path, target=None):
        if fullname != "tensorflow":
            return None
        sys.meta_path[:] = [f for f in sys.meta_path if f is not self]
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _QuietLoader(spec.loader)
        return spec


class _QuietLoader(importlib.abc.Loader):
    """Delegates to TensorFlow's own loader, its module's code run in the capture."""

    def __init__(self, loader):
        self.loader = loader

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        # The module keeps its real loader (importlib.resources and friends read it).
        module.__loader__ = module.__spec__.loader = self.loader
        with _start_up_lines_dropped():
            self.loader.exec_module(module)
