"""A dependency-free progress display for training loops."""

import sys
import time

from gan_infer.util.checks import check_int

__all__ = ["Progbar", "format_seconds"]


def format_seconds(seconds):
    """A duration for humans: "59s", "1m00s", "1h01m" (rounded to the second)."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


class Progbar:
    """Shows iteration, percentage, iterations per second, ETA and named values.

    On a terminal it redraws one line with a bar; elsewhere (logs, notebooks
    capturing output, CI) it prints one plain line per call, so that output
    piped to a file stays readable.

    Speed is measured from the first call, not from construction, so graph
    building and the first session call (which compiles kernels) do not make
    the estimate pessimistic.

    #### Examples

    ```python
    progbar = Progbar(target=1000)
    for t in range(1, 1001):
        if t == 1 or t % 100 == 0:
            progbar.update(t, {"Gen Loss": 0.7, "Disc Loss": 1.3})
    ```
    """

    def __init__(self, target, width=30, stream=None, interactive=None):
        self.target = check_int(target, "Progbar target", minimum=0)
        self.width = width
        self._stream = stream
        self._interactive = interactive
        self._first_t = None
        self._first_time = None

    @property
    def stream(self):
        # Looked up per call so that redirected/captured stdout is honoured.
        return self._stream if self._stream is not None else sys.stdout

    def _is_interactive(self):
        if self._interactive is not None:
            return self._interactive
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty and isatty())

    def rate(self, current, now=None):
        """Iterations per second since the first update, or None before two updates."""
        now = time.perf_counter() if now is None else now
        if self._first_time is None or current <= self._first_t or now <= self._first_time:
            return None
        return (current - self._first_t) / (now - self._first_time)

    def update(self, current, values=None):
        """Show progress at iteration `current` with a dict of named numbers."""
        now = time.perf_counter()
        if self._first_time is None:
            self._first_t, self._first_time = current, now
        rate = self.rate(current, now)
        digits = len(str(self.target))
        fraction = min(current / self.target, 1.0) if self.target else 1.0
        parts = [f"{current:>{digits}d}/{self.target} [{100 * fraction:3.0f}%]"]
        interactive = self._is_interactive()
        if interactive:
            filled = int(round(self.width * fraction))
            parts.append("\u2588" * filled + "." * (self.width - filled))
        if rate is None:
            parts.append("   - it/s")
        else:
            parts.append(f"{rate:6.1f} it/s")
            if current < self.target:
                parts.append(f"ETA {format_seconds((self.target - current) / rate)}")
            else:
                parts.append(f"in {format_seconds(now - self._first_time)}")
        for name, value in (values or {}).items():
            parts.append(f"{name}: {float(value):.3f}")
        head = parts[0] + (" " + parts[1] if interactive else "")
        line = " | ".join([head] + parts[1 + interactive :])
        if interactive:
            end = "\n" if current >= self.target else ""
            self.stream.write("\r" + line + "\x1b[K" + end)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
