"""One training step in one session call: the services every inference's
`update` is built from.

`SessionSteps` is the half of `Inference` that talks to the session: it
runs a training op with the fetches of an update, feeds the step seed of
the iteration (so a resumed run draws the noise an uninterrupted run
would), checks fed batches, writes summaries on print steps, and reads the
update's values for signs of trouble (`gan_infer.inferences.health`). It
keeps a host copy of the iteration counter `t` so that most steps cost one
session call.

#### Examples

A subclass's `update` is one call (here the base class's own contract):

```python
import tensorflow.compat.v1 as tf
import gan_infer as ed

tf.disable_eager_execution()

class Counting(ed.Inference):
    def initialize(self, *args, **kwargs):
        super().initialize(*args, **kwargs)
        self.step = self.counted(tf.no_op())
        self.finish_initialize()

    def update(self, feed_dict=None):
        values, t = self.session_run(self.step, {}, feed_dict)
        return {"t": t}

inference = Counting()
inference.run(n_iter=3, n_print=0)
assert inference.current_iteration() == 3
```
"""

import contextlib

import tensorflow.compat.v1 as tf

from gan_infer.inferences.data import check_observations, model_tensor
from gan_infer.inferences.health import (
    exploding_problems,
    nonfinite_problems,
    numerics_error,
    warn_once,
)
from gan_infer.util.seeds import step_seed_value
from gan_infer.util.session import get_session

__all__ = ["SessionSteps"]


class SessionSteps:
    """Running updates in the session; mixed into `Inference`, whose
    `initialize` makes the counter `t`, the seed and the step-seed
    placeholder this reads."""

    def compiled(self):
        """A scope whose ops XLA compiles when `initialize(jit=True)`."""
        if self.jit:
            return tf.xla.experimental.jit_scope()
        return contextlib.nullcontext()

    def check_numerics(self, tensor, description):
        """`tensor`, checked for NaN/Inf at run time when `debug=True`."""
        if not self.debug or tensor is None:
            return tensor
        return tf.debugging.check_numerics(tensor, f"NaN or Inf in {description}")

    def counted(self, train_op):
        """An op that runs `train_op`, then adds one to `t` and returns it.

        The counter moves only when the update went through, so after an
        error (NaN in debug mode, a bad feed) `t` still counts completed
        updates.
        """
        with tf.control_dependencies([train_op]):
            return self.t.assign_add(1)

    def current_iteration(self):
        """The value of `t` (completed iterations), without a session call
        when it is already known."""
        if self._last_t is None:
            self._last_t = int(get_session().run(self.t))
        return self._last_t

    def session_run(self, train_op, fetches, feed_dict, counted=True):
        """Run one update with `fetches` (and the summaries when due) in one
        session call, feeding the step seed of this iteration.

        Args:
          train_op: for a counted update, an op from `counted` (it returns
            the new `t`); otherwise any training op.
          fetches: dict of tensors to fetch with the update.
          counted: whether this update moves the iteration counter (steps
            inside a schedule's iteration do not).

        Returns:
          (dict of fetched values, t after the update).
        """
        sess = get_session()
        if self._last_t is None or self._host_seed is None:
            self._last_t, self._host_seed = (int(v) for v in sess.run([self.t, self.seed]))
        if self._step_seed not in (feed_dict or {}):
            feed_dict = dict(feed_dict or {})
            feed_dict[self._step_seed] = step_seed_value(
                self._host_seed, self._last_t, self._substep
            )
        print_step = counted and self.is_print_step(self._last_t + 1)
        if print_step or not self._fed_data_checked:
            self.check_fed_data(feed_dict)
        if not counted:
            values = self._run_checked(sess, dict(fetches, train=train_op), feed_dict)
            values.pop("train")
            self._substep += 1
            return values, self._last_t
        fetches = dict(fetches, t=train_op)
        if print_step:
            fetches["parameters_finite"] = self.parameters_finite
            fetches["largest_parameter"] = self.largest_parameter
            if self.summarize is not None:
                fetches["summary"] = self.summarize
        values = self._run_checked(sess, fetches, feed_dict)
        t = int(values.pop("t"))
        self.check_health(values, t)
        if t > self.target_iteration:
            warn_once(
                self,
                "_past_target_warned",
                f"update() ran past the end of training: iteration {t} of n_iter = "
                f"{self.target_iteration}. The progress bar and run() count to n_iter: loop "
                "`for _ in range(inference.n_iter)`, or initialize(n_iter=...) with the number "
                "of updates you will run.",
                stacklevel=4,
            )
        self._last_t = t
        self._substep = 0
        if self.summarize is not None and self.is_print_step(t):
            summary = values.pop("summary", None)
            # Not fetched with the update: the first update (t unknown before
            # it) or a counter reset behind our back (variables re-initialized).
            if summary is None:
                summary = sess.run(self.summarize, feed_dict)
            self.summaries.write(summary, t)
        return values, t

    def check_fed_data(self, feed_dict):
        for key, tensor in self.data.items():
            if feed_dict and tensor in feed_dict:
                check_observations(
                    feed_dict[tensor], model_tensor(key), f"The batch fed for {tensor.name}"
                )
        self._fed_data_checked = True

    def check_health(self, values, t):
        largest = values.pop("largest_parameter", None)  # NaN with the parameters: said below
        problems = nonfinite_problems(values)
        if not bool(values.pop("parameters_finite", True)):
            problems.append("the parameters became NaN or Inf")
        if problems:
            self.diverged("; ".join(problems), t)
        exploding = exploding_problems(values, largest)
        if exploding:
            warn_once(
                self,
                "_exploding_warned",
                f"{'; '.join(exploding)} at iteration {t}: training is exploding (finite, but "
                "far beyond what a model of data in a sane range needs). Lower the learning "
                "rate, and check that the data are scaled (e.g. pixels in [0, 1]).",
            )

    def diverged(self, problem, t):
        """Called when an update's loss or the parameters became NaN or Inf.

        Under `run()` it raises FloatingPointError (nothing is saved after
        it, and the message names the last good checkpoint). In a
        hand-written `update()` loop it warns once (RuntimeWarning): the
        loop is the user's, and Edward's `update` returns the losses; every
        later update continues from the bad values, so stop the loop.
        """
        if self.stop_on_divergence:
            kept = self.latest_checkpoint()
            where = (
                f" The last good checkpoint, {kept}, is intact: resume from it with a "
                "lower learning rate."
                if kept
                else ""
            )
            raise FloatingPointError(
                f"{problem} at iteration {t}: training stopped.{where} To find the first "
                "tensor that goes bad, initialize(debug=True)."
            )
        warn_once(
            self,
            "_divergence_warned",
            f"{problem} at iteration {t}: training diverged, and every later update "
            "continues from the bad values (run() stops here). Stop the loop and lower the "
            "learning rate; initialize(debug=True) stops at the first tensor that goes bad.",
        )

    def _run_checked(self, sess, fetches, feed_dict):
        """`sess.run`, turning debug-mode numerics failures into a clear error."""
        try:
            return sess.run(fetches, feed_dict)
        except tf.errors.InvalidArgumentError as error:
            clear = numerics_error(error, self.debug, sess.run(self.t) + 1) if self.debug else None
            if clear is not None:
                raise clear from error
            raise

    def is_print_step(self, t):
        return self.n_print > 0 and (t == 1 or t % self.n_print == 0)

    def forget_host_state(self):
        """Forget the host copies of graph state (t, the seed), after the
        variables were initialized or restored behind them."""
        self._last_t = self._host_seed = None
        self._substep = 0
