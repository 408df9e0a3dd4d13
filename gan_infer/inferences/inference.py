"""The base class of every inference: data binding, the iteration counter,
progress, TensorBoard logging and the run/update/finalize loop."""
import abc
import datetime
import numbers
import os
import re

import numpy as np
import tensorflow as tf2
import tensorflow.compat.v1 as tf

from gan_infer.models.random_variable import RandomVariable
from gan_infer.util.progbar import Progbar
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
        if data is None:
            return {}
        if not isinstance(data, dict):
            raise TypeError(
                f"data must be a dict that binds the model's output to observations, e.g. "
                f"data={{x: x_ph}}; got {type(data).__name__}.")
        adapted = {}
        for key, value in data.items():
            model_tensor = self._model_tensor(key)
            adapted[key] = self._observed_tensor(model_tensor, value)
        return adapted

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
            return self._store_in_graph(model_tensor, array)
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
    def _store_in_graph(model_tensor, array):
        # A variable fed once through a placeholder, rather than a constant:
        # large arrays would otherwise be copied into the GraphDef (2 GB cap).
        # collections=[] keeps it out of global_variables_initializer(), so a
        # user's own initializer call cannot wipe the data.
        placeholder = tf.placeholder(model_tensor.dtype.base_dtype, array.shape)
        variable = tf.Variable(placeholder, trainable=False, collections=[], name="data")
        get_session().run(variable.initializer, {placeholder: array})
        return variable.value()

    # -------------------------------------------------------- initialization
    def initialize(self, n_iter=1000, n_print=None, logdir=None, log_timestamp=True,
                   log_vars=None, debug=False):
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
        self._initialized = True
        self.n_iter = int(n_iter)
        self.n_print = int(n_print)
        self.debug = bool(debug)
        self.progbar = Progbar(self.n_iter)
        self.t = tf.Variable(0, trainable=False, name="iteration")
        self.increment_t = self.t.assign_add(1)
        self._last_t = None  # host copy of t, to know when to fetch summaries

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
                tf.summary.histogram(f"parameter/{variable.op.name}", variable,
                                     collections=[self._summary_key])

    def _refuse_reinitialize(self):
        if self._initialized:
            raise RuntimeError(
                f"{type(self).__name__}.initialize() was already called: its training ops "
                "exist. Create a new inference object (in a new graph) to start afresh.")

    def _finish_summaries(self):
        """Merge the summaries the subclass added; call at the end of initialize."""
        if self.logging:
            self.summarize = tf.summary.merge_all(key=self._summary_key)

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
        if not counted:
            fetches = dict(fetches, train=train_op)
            values = self._run_checked(sess, fetches, feed_dict)
            values.pop("train")
            return values, self._last_t
        fetch_summary = self.summarize is not None and self.n_print > 0 and \
            self._last_t is not None and self._is_print_step(self._last_t + 1)
        fetches = dict(fetches, t=train_op)
        if fetch_summary:
            fetches["summary"] = self.summarize
        values = self._run_checked(sess, fetches, feed_dict)
        t = int(values.pop("t"))
        self._last_t = t
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
        if use_coordinator:
            coordinator = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=session, coord=coordinator)
        graph = tf.get_default_graph()
        was_finalized = graph.finalized
        graph.finalize()
        try:
            for _ in range(self.n_iter):
                info_dict = self.iterate()
                self.print_progress(info_dict)
                for monitor in monitors:
                    monitor(info_dict)
        finally:
            if not was_finalized:
                graph._unsafe_unfinalize()  # pylint: disable=protected-access
            self.finalize()
            if use_coordinator:
                coordinator.request_stop()
                coordinator.join(threads)

    def finalize(self):
        """Function to call after convergence: flushes and closes writers."""
        if self.train_writer is not None:
            self.train_writer.close()
