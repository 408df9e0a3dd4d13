"""The base class of every inference: data binding, the iteration counter,
progress, TensorBoard logging and the run/update/finalize loop."""
import abc
import contextlib
import datetime
import numbers
import os
import re
import signal
import threading

import numpy as np
import tensorflow as tf2
import tensorflow.compat.v1 as tf

from gan_infer.inferences.minibatches import Minibatches, MinibatchStream
from gan_infer.models.random_variable import RandomVariable
from gan_infer.util.files import ensure_directory
from gan_infer.util.progbar import Progbar
from gan_infer.util.seeds import step_seed, step_seed_value
from gan_infer.util.session import get_session, require_graph_mode

__all__ = ["Inference"]


class Inference(abc.ABC):
    """Abstract base class for inference algorithms (Edward 1.3.5's contract).

    A subclass builds its training ops in `initialize` and performs one step
    in `update`; the base class owns everything around them:

    - `data`: a dict binding model tensors (or random variables) to observed
      values: a `tf.Tensor` (typically a placeholder fed at each update) or a
      numpy array / Python number, which is stored in the graph once, in a
      non-trainable variable, as Edward did.
    - `initialize(n_iter, n_print, logdir, ...)`: the iteration counter
      `t`, the progress bar and the TensorBoard writer.
    - `run()`: initialize, initialize variables, `n_iter` updates with
      progress, finalize.
    """

    def __init__(self, latent_vars=None, data=None):
        """Create an inference algorithm.

        Args:
          latent_vars: dict, optional. Binds latent random variables to
            their posterior approximations (not used by GAN-style inference).
          data: dict. Binds observed model tensors or random variables to
            their realisations: `tf.Tensor`s or numpy arrays.
        """
        require_graph_mode(f"gan_infer.{type(self).__name__}")
        get_session()  # makes it the default session, so `op.run()` works as in Edward
        if latent_vars is None:
            latent_vars = {}
        elif not isinstance(latent_vars, dict):
            raise TypeError(
                f"latent_vars must be a dict, got {type(latent_vars).__name__}.")
        self.latent_vars = latent_vars
        self.data = self._check_and_adapt_data(data)
        self._initialized = False

    # ------------------------------------------------------------------ data
    def _check_and_adapt_data(self, data):
        self._minibatch_stream = None
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise TypeError(
                f"data must be a dict that binds the model's output to observations, e.g. "
                f"data={{x: x_ph}}; got {type(data).__name__}.")
        adapted, minibatched = {}, {}
        for key, value in data.items():
            model_tensor = self._model_tensor(key)
            entry = self._as_minibatches(model_tensor, value)
            if entry is not None:
                minibatched[key] = (model_tensor, entry)
            else:
                adapted[key] = self._observed_tensor(model_tensor, value)
        if minibatched:
            batch_of = self._bind_minibatches(list(minibatched.values()))
            adapted.update({key: batch_of[id(entry)] for key, (_, entry) in minibatched.items()})
        return {key: adapted[key] for key in data}  # the user's order: D's argument order

    @staticmethod
    def _as_minibatches(model_tensor, value):
        """A `Minibatches` for `value`, or None when it is bound as it is.

        A numpy array with as many rows as the model's batch is the batch
        itself (Edward's semantics); one with another number of rows, and
        the same shape otherwise, is served in mini-batches.
        """
        if isinstance(value, Minibatches):
            return value
        if not isinstance(value, np.ndarray) or value.ndim < 1 or model_tensor.shape.rank is None:
            return None
        model_shape = model_tensor.shape.as_list()
        if (len(model_shape) == value.ndim and model_shape[0] not in (None, value.shape[0])
                and tf.TensorShape(model_shape[1:]).is_compatible_with(value.shape[1:])):
            return Minibatches(value, binarize=False, shuffle=True)
        return None

    def _bind_minibatches(self, entries):
        """Batch tensors (by id of the entry) sharing one order of the rows."""
        n_rows = {entry.array.shape[0] for _, entry in entries}
        batch_sizes = {model_tensor.shape.as_list()[0] if model_tensor.shape.rank else None
                       for model_tensor, _ in entries}
        if len(n_rows) > 1:
            raise ValueError(
                f"The mini-batched data entries have different numbers of rows {sorted(n_rows)}; "
                "entries served together (e.g. images and their labels) must pair row by row.")
        if None in batch_sizes or len(batch_sizes) > 1:
            raise ValueError(
                "Mini-batched data need model tensors with one static batch size (the leading "
                "dimension) to know how many rows to serve; give the model's samples a fixed "
                f"batch dimension, e.g. tf.zeros([M, d]) (got {sorted(map(str, batch_sizes))}).")
        shuffle = {entry.shuffle for _, entry in entries}
        if len(shuffle) > 1:
            raise ValueError("Mini-batched data entries share one order of the rows: give them "
                             "all the same shuffle= setting.")
        self._minibatch_stream = MinibatchStream(n_rows.pop(), batch_sizes.pop(), shuffle.pop())
        batches = {}
        for model_tensor, entry in entries:
            # Checked like a bound array, against the shape of one batch.
            self._check_shapes(model_tensor, tf.TensorShape([model_tensor.shape[0]]).concatenate(
                entry.array.shape[1:]), f"rows of the array of shape {entry.array.shape}")
            batch = self._minibatch_stream.batch(
                self._store_in_graph(entry.stored_dtype(model_tensor.dtype), entry.array),
                entry, model_tensor.dtype)
            batch.set_shape(model_tensor.shape)
            batches[id(entry)] = batch
        return batches

    def _consumes_batch(self, train_op):
        """`train_op` followed by moving the in-graph data to the next batch
        (itself when no data are mini-batched in the graph)."""
        if self._minibatch_stream is None:
            return train_op
        return tf.group(train_op, self._minibatch_stream.advance)

    @staticmethod
    def _model_tensor(key):
        if isinstance(key, RandomVariable):
            return key.value
        if isinstance(key, tf.Tensor):
            return key
        raise TypeError(
            "data keys must be model outputs (tf.Tensor or gan_infer.models.RandomVariable), "
            f"got {type(key).__name__}; the model's output is the key: data={{x: x_ph}}.")

    def _observed_tensor(self, model_tensor, value):
        graph = tf.get_default_graph()
        if model_tensor.graph is not graph:
            raise ValueError(
                f"The model tensor {model_tensor.name} belongs to another graph than the "
                "default graph; build the model and the inference in the same graph.")
        if isinstance(value, RandomVariable):
            value = value.value
        if isinstance(value, tf2.Variable):
            value = value.value()
        if isinstance(value, tf.Tensor):
            if value.graph is not graph:
                raise ValueError(
                    f"The data tensor {value.name} belongs to another graph than the model "
                    f"tensor {model_tensor.name}; create both in the same graph.")
            if value.dtype.base_dtype != model_tensor.dtype.base_dtype:
                raise TypeError(
                    f"data binds model tensor {model_tensor.name} of dtype "
                    f"{model_tensor.dtype.name} to {value.name} of dtype {value.dtype.name}; "
                    f"give them the same dtype (e.g. tf.placeholder({model_tensor.dtype.name}, ...)).")
            self._check_shapes(model_tensor, value.shape, value.name)
            return value
        if isinstance(value, (np.ndarray, numbers.Number, list, tuple)):
            array = np.asarray(value)
            if array.dtype.kind not in "biuf":
                raise TypeError(
                    f"data for {model_tensor.name} must be numeric, got a numpy array of "
                    f"dtype {array.dtype}.")
            self._check_shapes(model_tensor, tf.TensorShape(array.shape), "the numpy array")
            return self._store_in_graph(model_tensor.dtype.base_dtype, array).value()
        raise TypeError(
            f"data values must be tf.Tensor (e.g. a placeholder) or numpy arrays, got "
            f"{type(value).__name__} for {model_tensor.name}.")

    @staticmethod
    def _check_shapes(model_tensor, data_shape, data_name):
        if not model_tensor.shape.is_compatible_with(data_shape):
            raise ValueError(
                f"data binds model tensor {model_tensor.name} of shape {model_tensor.shape} "
                f"to {data_name} of shape {data_shape}; the shapes must match (a batch of "
                "observations as large as the model's batch of samples).")

    @staticmethod
    def _store_in_graph(dtype, array):
        """A variable holding `array` (read it whole with `.value()`; gather
        rows from the variable itself, which copies only those rows)."""
        # A variable fed once through a placeholder, rather than a constant:
        # large arrays would otherwise be copied into the GraphDef (2 GB cap).
        # collections=[] keeps it out of global_variables_initializer(), so a
        # user's own initializer call cannot wipe the data.
        placeholder = tf.placeholder(dtype, array.shape)
        variable = tf.Variable(placeholder, trainable=False, collections=[], name="data")
        get_session().run(variable.initializer, {placeholder: array})
        return variable

    # -------------------------------------------------------- initialization
    def initialize(self, n_iter=1000, n_print=None, logdir=None, log_timestamp=True,
                   log_vars=None, debug=False, checkpoint_dir=None, checkpoint_every=None,
                   keep_checkpoints=3, jit=False):
        """Initialize the algorithm's hyper-parameters and bookkeeping ops.

        Args:
          n_iter: int. Number of iterations for `run()` and the progress bar.
          n_print: int, optional. Print progress (and write summaries) at
            the first update and every `n_print` updates; default
            `n_iter // 100`; 0 disables printing.
          logdir: str, optional. Directory for TensorBoard event files.
          log_timestamp: bool. Write into a `YYYYmmdd_HHMMSS` sub-directory
            of `logdir`, so that runs do not mix.
          log_vars: list of tf.Variable, optional. Variables to add as
            histograms to TensorBoard (default: the trainable ones).
          debug: bool. Check every loss and gradient for NaN/Inf at each
            update and stop with an error naming the first bad tensor.
          checkpoint_dir: str, optional. Where `run()` keeps checkpoints
            (`tf.train.Saver`: every variable, so parameters, optimizer
            slots, the iteration counter and in-graph data position) and
            from where it resumes: a run started again with the same
            `checkpoint_dir` continues from the latest checkpoint and
            produces exactly the losses of an uninterrupted run.
          checkpoint_every: int, optional. Save every this many iterations
            (default `n_print`, or 1000 when that is 0); `run()` also saves
            at the end and when interrupted (Ctrl-C).
          keep_checkpoints: int. How many recent checkpoints to keep.
          jit: bool. Compile the losses, gradients and updates with XLA
            (`tf.xla.experimental.jit_scope`). Measured on a 2-core CPU with
            the tutorial's model it is slower (benchmarks/), so it is off by
            default; try it on a GPU or with large convolutional models.
        """
        require_graph_mode(f"{type(self).__name__}.initialize()")
        get_session()
        if isinstance(n_iter, bool) or not isinstance(n_iter, numbers.Integral) or n_iter < 1:
            raise ValueError(f"n_iter must be a positive int, got {n_iter!r}.")
        if n_print is None:
            n_print = int(n_iter) // 100
        elif isinstance(n_print, bool) or not isinstance(n_print, numbers.Integral) or n_print < 0:
            raise ValueError(f"n_print must be a non-negative int (0 disables printing), got {n_print!r}.")
        self._refuse_reinitialize()
        self.n_iter = int(n_iter)
        self.n_print = int(n_print)
        self.debug = bool(debug)
        self.jit = bool(jit)
        self.progbar = Progbar(self.n_iter)
        self.t = tf.Variable(0, trainable=False, name="iteration")
        self.increment_t = self.t.assign_add(1)
        self._last_t = None  # host copy of t, to know when to fetch summaries
        # The noise of step t is a function of (seed, t, sub-step) only (see
        # gan_infer.util.seeds); the seed is a variable so checkpoints keep it.
        graph_seed, op_seed = tf.get_seed(None)
        seed = (np.random.SeedSequence().entropy % 2**62 if graph_seed is None
                else graph_seed * 2**31 + op_seed)
        self.seed = tf.Variable(seed, trainable=False, dtype=tf.int64, name="seed")
        # Made now: run() finalizes the graph before the first step feeds it.
        self._step_seed = step_seed()
        self._host_seed = None
        self._substep = 0  # session steps since the last counted update
        self._set_checkpointing(checkpoint_dir, checkpoint_every, keep_checkpoints)

        self.logging = logdir is not None
        self.summarize = None
        self.train_writer = None
        self._summary_key = f"gan_infer_summaries_{id(self)}"
        if self.logging:
            logdir = os.path.expanduser(os.fspath(logdir))
            if log_timestamp:
                stamp = datetime.datetime.now().strftime("%Y%m%d_%H%M%S")
                logdir = os.path.join(logdir, stamp)
            try:
                os.makedirs(logdir, exist_ok=True)
            except OSError as error:
                raise OSError(
                    f"Cannot create the TensorBoard log directory {logdir!r} ({error.strerror}); "
                    "pass a writable logdir.") from error
            self.logdir = logdir
            self.train_writer = tf.summary.FileWriter(logdir, tf.get_default_graph())
            if log_vars is None:
                log_vars = tf.trainable_variables()
            for variable in log_vars:
                self._histogram(f"parameter/{variable.op.name}", variable)

    def _histogram(self, name, values):
        """A TensorBoard histogram of the finite values only: TensorFlow's
        histogram op fails the whole session call on a NaN, which would hide
        the NaN loss that `run()` reports with the iteration."""
        values = tf.reshape(tf.convert_to_tensor(values), [-1])
        if values.dtype.is_floating:
            values = tf.boolean_mask(values, tf.math.is_finite(values))
        tf.summary.histogram(name, values, collections=[self._summary_key])

    def _compiled(self):
        """A scope whose ops XLA compiles when `initialize(jit=True)`."""
        if self.jit:
            return tf.xla.experimental.jit_scope()
        return contextlib.nullcontext()

    def _refuse_reinitialize(self):
        if self._initialized:
            raise RuntimeError(
                f"{type(self).__name__}.initialize() was already called: its training ops "
                "exist. Create a new inference object (in a new graph) to start afresh.")

    def _finish_initialize(self):
        """Merge the summaries the subclass added and make the checkpoint
        saver, now that every variable exists; call at the end of initialize.

        Only then is the algorithm initialized: an initialize() refused
        half-way (a bad optimizer name, say) can be called again, fixed.
        """
        self._initialized = True
        if self.logging:
            self.summarize = tf.summary.merge_all(key=self._summary_key)
        if self.checkpoint_dir is not None:
            # Every global variable (parameters, optimizer slots, t, the seed
            # and the in-graph data position); not the observed data, which
            # are bound again when the program runs.
            self._saver = tf.train.Saver(max_to_keep=self._keep_checkpoints,
                                         save_relative_paths=True)
            # A new Saver knows no earlier checkpoints: without this, those
            # of a previous process would never be deleted.
            state = tf.train.get_checkpoint_state(self.checkpoint_dir)
            if state is not None:
                self._saver.recover_last_checkpoints(list(state.all_model_checkpoint_paths))

    def _check_numerics(self, tensor, description):
        """`tensor`, checked for NaN/Inf at run time when `debug=True`."""
        if not self.debug or tensor is None:
            return tensor
        return tf.debugging.check_numerics(tensor, f"NaN or Inf in {description}")

    # ------------------------------------------------------------- training
    def _counted(self, train_op):
        """An op that runs `train_op`, then adds one to `t` and returns it.

        The counter moves only when the update went through, so after an
        error (NaN in debug mode, a bad feed) `t` still counts completed
        updates.
        """
        with tf.control_dependencies([train_op]):
            return self.t.assign_add(1)

    def _session_run(self, train_op, fetches, feed_dict, counted=True):
        """Run one update with `fetches` (and the summaries when due) in one
        session call.

        Args:
          train_op: for a counted update, an op from `_counted` (it returns
            the new `t`); otherwise any training op.
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
            feed_dict[self._step_seed] = step_seed_value(self._host_seed, self._last_t,
                                                         self._substep)
        if not counted:
            fetches = dict(fetches, train=train_op)
            values = self._run_checked(sess, fetches, feed_dict)
            values.pop("train")
            self._substep += 1
            return values, self._last_t
        fetch_summary = self.summarize is not None and self.n_print > 0 and \
            self._last_t is not None and self._is_print_step(self._last_t + 1)
        fetches = dict(fetches, t=train_op)
        if fetch_summary:
            fetches["summary"] = self.summarize
        values = self._run_checked(sess, fetches, feed_dict)
        t = int(values.pop("t"))
        self._last_t = t
        self._substep = 0
        if self.summarize is not None and self.n_print > 0 and self._is_print_step(t):
            summary = values.pop("summary", None)
            # Not fetched with the update: the first update (t unknown before
            # it) or a counter reset behind our back (variables re-initialized).
            if summary is None:
                summary = sess.run(self.summarize, feed_dict)
            self.train_writer.add_summary(summary, t)
        return values, t

    def _run_checked(self, sess, fetches, feed_dict):
        """`sess.run`, turning debug-mode numerics failures into a clear error."""
        try:
            return sess.run(fetches, feed_dict)
        except tf.errors.InvalidArgumentError as error:
            found = re.search(r"(NaN or Inf in [^\n]*?) : Tensor had (\w+) values", error.message)
            if self.debug and found:
                raise FloatingPointError(
                    f"{found.group(1)} at iteration {sess.run(self.t) + 1} ({found.group(2)} "
                    "values). Training stopped before applying this update; lower the learning "
                    "rate or check the model and the data.") from error
            raise

    def _is_print_step(self, t):
        return t == 1 or t % self.n_print == 0

    @abc.abstractmethod
    def update(self, feed_dict=None):
        """Run one iteration of the algorithm; returns a dict with at least 't'."""

    def iterate(self, feed_fn=None):
        """One iteration of `run()`'s loop (here: one `update`).

        Args:
          feed_fn: callable returning a feed_dict, called once per session
            step (schedules with several steps per iteration want a fresh
            batch for each), e.g. `lambda: {x_ph: next(batches)}`.

        Returns:
          The info dict of the iteration, as `update` returns.
        """
        return self.update(feed_fn() if feed_fn is not None else None)

    def print_progress(self, info_dict):
        """Print progress at the first update and every `n_print` updates."""
        if self.n_print != 0:
            t = info_dict["t"]
            if self._is_print_step(t):
                self.progbar.update(t, self._progress_values(info_dict))

    def _progress_values(self, info_dict):
        return {key: value for key, value in info_dict.items() if key != "t"}

    def _check_runnable(self):
        """Raise if `run()` could not feed the data (overridden per algorithm)."""

    def run(self, variables=None, use_coordinator=True, *args, monitors=(), **kwargs):
        """Run inference: initialize, initialize variables, `n_iter` updates
        with progress, finalize.

        The graph is finalized during the loop, so nothing can add ops to it
        per step (which would slow every step down and grow memory); it is
        unlocked again afterwards for the user's criticism code.

        With a `checkpoint_dir` (see `initialize`), `run()` first restores
        the latest checkpoint there and continues from its iteration, saves
        every `checkpoint_every` iterations and at the end, and on Ctrl-C
        finishes the current iteration, saves, and raises KeyboardInterrupt.
        A loss that becomes NaN or Inf stops the run with FloatingPointError
        (nothing is saved after it, so the last checkpoint stays good).

        Args:
          variables: list of tf.Variable, optional. Variables to initialize
            (default: all global variables).
          use_coordinator: bool. Start TensorFlow queue runners (Edward's
            input pipelines) and stop them at the end.
          monitors: callables `monitor(info_dict)` called after each update,
            e.g. `gan_infer.criticism.Monitor`s.
          *args, **kwargs: passed to `initialize` (which `run` calls unless
            the algorithm is already initialized, e.g. to build monitors on
            its tensors first).
        """
        # Checked first, so a refused run() leaves the algorithm uninitialized.
        self._check_runnable()
        if not self._initialized:
            self.initialize(*args, **kwargs)
        elif args or kwargs:
            raise RuntimeError(
                f"{type(self).__name__} is already initialized: call run() without "
                "initialize() arguments, or give them to run() instead of calling initialize().")
        session = get_session()
        init = (tf.global_variables_initializer() if variables is None
                else tf.variables_initializer(variables))
        init.run(session=session)
        self._reset_host_state()
        if self.train_writer is not None:
            self.train_writer.reopen()  # closed by a previous run()'s finalize()
        if self.latest_checkpoint() is not None:
            t = self.restore()
            print(f"Resuming from {self.latest_checkpoint()} at iteration {t}.", flush=True)
        if use_coordinator:
            coordinator = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=session, coord=coordinator)
        graph = tf.get_default_graph()
        was_finalized = graph.finalized
        graph.finalize()
        try:
            with _DeferredInterrupt() as interrupt:
                t = int(session.run(self.t))
                while t < self.n_iter:
                    info_dict = self.iterate()
                    t = info_dict["t"]
                    self._check_finite(info_dict)
                    self.print_progress(info_dict)
                    for monitor in monitors:
                        monitor(info_dict)
                    if interrupt.requested:
                        self._save_on_interrupt()
                    if self._saver is not None and t % self.checkpoint_every == 0:
                        self.save_checkpoint()
            if self._saver is not None and self._saved_t != t:
                self.save_checkpoint()
        finally:
            if not was_finalized:
                graph._unsafe_unfinalize()  # pylint: disable=protected-access
            self.finalize()
            if use_coordinator:
                coordinator.request_stop()
                coordinator.join(threads)

    def _check_finite(self, info_dict):
        for name, value in info_dict.items():
            if name != "t" and isinstance(value, (float, np.floating)) and not np.isfinite(value):
                kept = self.latest_checkpoint()
                where = (f" The last good checkpoint, {kept}, is intact: resume from it with a "
                         "lower learning rate." if kept else "")
                raise FloatingPointError(
                    f"{name} became {value} at iteration {info_dict['t']}: training stopped."
                    f"{where} To find the first tensor that goes bad, initialize(debug=True).")

    def _save_on_interrupt(self):
        if self._saver is not None:
            path = self.save_checkpoint()
            print(f"\nInterrupted: saved {path}; run again with the same checkpoint_dir to "
                  "resume.", flush=True)
        raise KeyboardInterrupt

    # ---------------------------------------------------------- checkpoints
    def _set_checkpointing(self, checkpoint_dir, checkpoint_every, keep_checkpoints):
        for name, value in (("checkpoint_every", checkpoint_every),
                            ("keep_checkpoints", keep_checkpoints)):
            if value is not None and (isinstance(value, bool) or
                                      not isinstance(value, numbers.Integral) or value < 1):
                raise ValueError(f"{name} must be a positive int, got {value!r}.")
        self._saver, self._saved_t, self.checkpoint_dir = None, None, None
        if checkpoint_dir is None:
            if checkpoint_every is not None:
                raise ValueError("checkpoint_every needs a checkpoint_dir to write to.")
            return
        self.checkpoint_dir = ensure_directory(os.path.expanduser(os.fspath(checkpoint_dir)))
        self.checkpoint_every = int(checkpoint_every or self.n_print or 1000)
        self._keep_checkpoints = int(keep_checkpoints)

    def latest_checkpoint(self):
        """Path prefix of the newest checkpoint in `checkpoint_dir`, or None."""
        if getattr(self, "checkpoint_dir", None) is None:
            return None
        return tf.train.latest_checkpoint(self.checkpoint_dir)

    def save_checkpoint(self):
        """Save every variable to `checkpoint_dir/ckpt-<t>`; returns the path.

        TensorFlow writes the files under a temporary name and records the
        new checkpoint in the directory's index only once they are complete,
        so a crash while saving leaves the previous checkpoint the latest.
        """
        if self._saver is None:
            raise RuntimeError("save_checkpoint() needs initialize(checkpoint_dir=...).")
        sess = get_session()
        t = int(sess.run(self.t))
        path = self._saver.save(sess, os.path.join(self.checkpoint_dir, "ckpt"), global_step=t,
                                write_meta_graph=False)
        self._saved_t = t
        return path

    def restore(self, path=None):
        """Restore a checkpoint (default: the latest in `checkpoint_dir`);
        returns its iteration. Variables must exist (initialize() called)."""
        if self._saver is None:
            raise RuntimeError("restore() needs initialize(checkpoint_dir=...).")
        path = path or self.latest_checkpoint()
        if path is None:
            raise FileNotFoundError(f"No checkpoint in {self.checkpoint_dir}.")
        try:
            self._saver.restore(get_session(), path)
        except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError) as error:
            raise ValueError(
                f"The checkpoint {path} does not match this model ({error.message.splitlines()[0]}"
                "). Resume with the program that wrote it, or use a new checkpoint_dir.") from None
        self._reset_host_state()
        t = int(get_session().run(self.t))
        self._saved_t = t
        self._resumed_at(t)
        return t

    def _reset_host_state(self):
        """Forget the host copies of graph state (t, the seed), after the
        variables were initialized or restored behind them."""
        self._last_t = self._host_seed = None
        self._substep = 0

    def _resumed_at(self, t):
        """Hook: bring host-side state in line with a restored iteration."""

    def finalize(self):
        """Function to call after convergence: flushes and closes writers."""
        if self.train_writer is not None:
            self.train_writer.close()


class _DeferredInterrupt:
    """Turns the first Ctrl-C into a flag, so the loop can finish the current
    iteration (all its session steps) and save a consistent checkpoint; a
    second Ctrl-C interrupts at once. Off the main thread, does nothing."""

    def __init__(self):
        self.requested = False
        self._installed = False
        self._previous = None

    def _handle(self, signum, frame):
        del frame
        if self.requested:
            signal.default_int_handler(signum, None)
        self.requested = True

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
            self._installed = True
        return self

    def __exit__(self, *exc_info):
        if self._installed:
            # None: the previous handler was not installed from Python.
            signal.signal(signal.SIGINT, self._previous if self._previous is not None
                          else signal.default_int_handler)
        return False
