"""The base class of every inference: Edward 1.3.5's contract.

`initialize` / `update` / `print_progress` / `run` / `finalize`, the
iteration counter `t` and the replayable step seed. The work around them
lives in small modules of its own:

- `gan_infer.inferences.data`: binding `data={x: x_ph}` to graph tensors;
- `gan_infer.inferences.session_steps`: one update in one session call
  (`session_run`, `counted`), with the step seed and the checks of
  `gan_infer.inferences.health`;
- `gan_infer.inferences.checkpoints`: save, restore, resume, Ctrl-C;
- `gan_infer.inferences.summaries`: TensorBoard.

A new algorithm subclasses `Inference` (or `TwoPlayerInference`, for an
adversarial one: `gan_infer.inferences.two_player`) and writes
`build_loss_and_gradients(var_list)`; the methods in the "services" section
below and those of `SessionSteps` are what its `initialize` and `update`
are built from.
"""

import abc

import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer.inferences.checkpoints import Checkpoints, DeferredInterrupt
from gan_infer.inferences.data import bind_data
from gan_infer.inferences.health import largest_parameter
from gan_infer.inferences.session_steps import SessionSteps
from gan_infer.inferences.summaries import Summaries
from gan_infer.util.checks import check_int
from gan_infer.util.progbar import Progbar
from gan_infer.util.seeds import step_seed
from gan_infer.util.session import get_session, require_graph_mode

__all__ = ["Inference"]


class Inference(SessionSteps, abc.ABC):
    """Abstract base class for inference algorithms (Edward 1.3.5's contract).

    A subclass builds its losses in `build_loss_and_gradients`, its training
    ops in `initialize`, and performs one step in `update`; the base class
    owns everything around them:

    - `data`: a dict binding model tensors (or random variables) to observed
      values: a `tf.Tensor` (typically a placeholder fed at each update) or a
      numpy array / Python number, which is stored in the graph once, in a
      non-trainable variable, as Edward did (`gan_infer.inferences.data`).
    - `initialize(n_iter, n_print, logdir, ...)`: the iteration counter
      `t`, the progress bar, the TensorBoard writer and the checkpoints.
    - `run()`: initialize, initialize variables, `n_iter` updates with
      progress, finalize.
    """

    #: Labels of `update`'s info-dict entries in the progress bar.
    progress_labels = {}

    def __init__(self, latent_vars=None, data=None):
        """Create an inference algorithm.

        Args:
          latent_vars: dict, optional. Binds latent random variables to
            their posterior approximations.
          data: dict. Binds observed model tensors or random variables to
            their realisations: `tf.Tensor`s or numpy arrays.
        """
        require_graph_mode(f"gan_infer.{type(self).__name__}")
        get_session()  # makes it the default session, so `op.run()` works as in Edward
        self.graph = tf.get_default_graph()
        if latent_vars is None:
            latent_vars = {}
        elif not isinstance(latent_vars, dict):
            raise TypeError(f"latent_vars must be a dict, got {type(latent_vars).__name__}.")
        self.latent_vars = latent_vars
        bound = bind_data(data)
        self.data = bound.tensors
        # The in-graph mini-batch order and position (None: nothing is
        # mini-batched in the graph); every training step must advance it.
        self.data_stream = bound.stream
        self.consumes_batch = bound.consumes_batch
        self.initialized = False
        self.summaries = self.checkpoints = None
        self._fed_data_checked = self._ran = False
        # run() stops at a diverged update; a hand-written update() loop is
        # warned once (see `diverged`).
        self.stop_on_divergence = False

    # -------------------------------------------------------- initialization
    def initialize(
        self,
        n_iter=1000,
        n_print=None,
        logdir=None,
        log_timestamp=True,
        log_vars=None,
        debug=False,
        checkpoint_dir=None,
        checkpoint_every=None,
        keep_checkpoints=3,
        jit=False,
    ):
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
        n_iter = check_int(n_iter, "n_iter")
        n_print = check_int(
            n_print,
            "n_print",
            minimum=0,
            allow_none=True,
            what="a non-negative int (0 disables printing)",
        )
        self.refuse_reinitialize()
        self.n_iter = n_iter
        self.n_print = n_iter // 100 if n_print is None else n_print
        self.debug = bool(debug)
        self.jit = bool(jit)
        self.progbar = Progbar(self.n_iter)
        # Where run()'s loop stops: n_iter, then n_iter more on each later run().
        self.target_iteration = self.n_iter
        self.t = tf.Variable(0, trainable=False, name="iteration")
        self.increment_t = self.t.assign_add(1)
        self._last_t = None  # host copy of t, to know when to fetch summaries
        # The noise of step t is a function of (seed, t, sub-step) only (see
        # gan_infer.util.seeds); the seed is a variable so checkpoints keep it.
        graph_seed, op_seed = tf.get_seed(None)
        seed = (
            np.random.SeedSequence().entropy % 2**62
            if graph_seed is None
            else graph_seed * 2**31 + op_seed
        )
        self.seed = tf.Variable(seed, trainable=False, dtype=tf.int64, name="seed")
        # Made now: run() guards the graph before the first step feeds it.
        self._step_seed = step_seed()
        self._host_seed = None
        self._substep = 0  # session steps since the last counted update
        self.checkpoints = self._make_checkpoints(
            checkpoint_dir, checkpoint_every, keep_checkpoints
        )
        self.checkpoint_dir = None if self.checkpoints is None else self.checkpoints.directory
        self.checkpoint_every = None if self.checkpoints is None else self.checkpoints.every

        self.logging = logdir is not None
        self.summarize = None
        self.summaries = None
        if self.logging:
            self.summaries = Summaries(logdir, timestamp=log_timestamp)
            self.logdir = self.summaries.logdir
            for variable in tf.trainable_variables() if log_vars is None else log_vars:
                self.summaries.histogram(f"parameter/{variable.op.name}", variable)

    def _make_checkpoints(self, checkpoint_dir, checkpoint_every, keep_checkpoints):
        check_int(checkpoint_every, "checkpoint_every", allow_none=True, what="a positive int")
        check_int(keep_checkpoints, "keep_checkpoints")
        if checkpoint_dir is None:
            if checkpoint_every is not None:
                raise ValueError("checkpoint_every needs a checkpoint_dir to write to.")
            return None
        return Checkpoints(
            checkpoint_dir, checkpoint_every or self.n_print or 1000, keep_checkpoints
        )

    @property
    def train_writer(self):
        """The TensorBoard `FileWriter` (None without a logdir)."""
        return None if self.summaries is None else self.summaries.writer

    def build_loss_and_gradients(self, var_list):
        """Build the algorithm's losses and their gradients: the method a new
        algorithm writes (Edward's extension point).

        Args:
          var_list: list of tf.Variable, or None for the algorithm's default.

        Returns:
          What the algorithm's `initialize` consumes; for the adversarial
          algorithms `(loss, grads_and_vars, loss_d, grads_and_vars_d)`.
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not build losses: write its "
            "build_loss_and_gradients(var_list)."
        )

    # ------------------------------------------------------------- services
    # The pieces a subclass's initialize() and update() are built from.
    def require_initialized(self, action):
        """Raise a clear error if `action` (e.g. "update()") comes before
        `initialize()`, or is called in another graph than the inference's."""
        if not self.initialized:
            raise RuntimeError(
                f"{type(self).__name__}.{action} needs the training ops: call "
                "inference.initialize(...) first (run() does it for you)."
            )
        if tf.get_default_graph() is not self.graph:
            raise RuntimeError(
                f"{type(self).__name__}.{action} was called under another default graph than "
                "the one the inference was built in: call it outside that `with "
                "graph.as_default():` block, or inside `with inference.graph.as_default():`. "
                "After tf.reset_default_graph() (a notebook's model cell run again), run the "
                "cells that build and initialize the inference again too."
            )

    def refuse_reinitialize(self):
        """Raise if `initialize()` already built the training ops."""
        if self.initialized:
            raise RuntimeError(
                f"{type(self).__name__}.initialize() was already called: its training ops "
                "exist. Create a new inference object (in a new graph) to start afresh."
            )

    def finish_initialize(self):
        """Merge the summaries the subclass added and make the checkpoint
        saver, now that every variable exists; call at the end of initialize.

        Only then is the algorithm initialized: an initialize() refused
        half-way (a bad optimizer name, say) can be called again, fixed.
        """
        self.initialized = True
        floats = [v for v in tf.trainable_variables() if v.dtype.base_dtype.is_floating]
        # Fetched on print steps with the update and before every save: a run
        # never continues, nor saves, with NaN weights (the losses can stay
        # finite for a while after the weights went bad).
        self.parameters_finite = tf.reduce_all(
            tf.stack([tf.reduce_all(tf.math.is_finite(v)) for v in floats] or [True]),
            name="parameters_finite",
        )
        self.largest_parameter = largest_parameter(floats)
        if self.logging:
            self.summarize = self.summaries.merge()
        if self.checkpoints is not None:
            # Every global variable (parameters, optimizer slots, t, the seed
            # and the in-graph data position); not the observed data, which
            # are bound again when the program runs.
            self.checkpoints.make_saver()

    # ------------------------------------------------------------- training
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
        self.require_initialized("print_progress()")
        t = info_dict["t"]
        if self.is_print_step(t):
            self.progbar.update(
                t,
                {
                    self.progress_labels.get(key, key): value
                    for key, value in info_dict.items()
                    if key != "t"
                },
            )

    def run(self, variables=None, use_coordinator=True, *args, monitors=(), **kwargs):
        """Run inference: initialize, initialize variables, `n_iter` updates
        with progress, finalize.

        Nothing may add ops to the graph during the loop (that would slow
        every step down and grow memory): a monitor that does stops the run
        with an error naming the op.

        A second `run()` on the same inference continues training: it keeps
        the trained weights (no variable is initialized again) and runs
        `n_iter` more iterations, so `t` goes on counting from where the
        first stopped.

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
        if not self.initialized:
            self.initialize(*args, **kwargs)
        elif args or kwargs:
            raise RuntimeError(
                f"{type(self).__name__} is already initialized: call run() without "
                "initialize() arguments, or give them to run() instead of calling initialize()."
            )
        session = get_session()
        if self.summaries is not None:
            self.summaries.reopen()  # closed by a previous run()'s finalize()
        if self._ran:
            self._continue_training()
        else:
            init = (
                tf.global_variables_initializer()
                if variables is None
                else tf.variables_initializer(variables)
            )
            init.run(session=session)
            self.forget_host_state()
            if self.latest_checkpoint() is not None:
                t = self.restore()
                print(f"Resuming from {self.latest_checkpoint()} at iteration {t}.", flush=True)
        self._ran = True
        if use_coordinator:
            coordinator = tf.train.Coordinator()
            threads = tf.train.start_queue_runners(sess=session, coord=coordinator)
        self.stop_on_divergence = True
        try:
            self._train_loop(session, monitors)
        finally:
            self.stop_on_divergence = False
            self.finalize()
            if use_coordinator:
                coordinator.request_stop()
                coordinator.join(threads)

    def _continue_training(self):
        """A later run(): n_iter more iterations from the trained weights."""
        self.forget_host_state()
        t = self.current_iteration()
        self.target_iteration = t + self.n_iter
        self.progbar = Progbar(self.target_iteration)
        print(
            f"Continuing from iteration {t} to {self.target_iteration} with the trained "
            "weights (a later run() trains n_iter more iterations).",
            flush=True,
        )

    def _train_loop(self, session, monitors):
        graph = tf.get_default_graph()
        size = graph.version
        with DeferredInterrupt() as interrupt:
            t = int(session.run(self.t))
            while t < self.target_iteration:
                info_dict = self.iterate()
                t = info_dict["t"]
                self.check_health(dict(info_dict), t)
                self.print_progress(info_dict)
                for monitor in monitors:
                    monitor(info_dict)
                if graph.version != size:
                    raise RuntimeError(
                        f"run() treats the graph as finalized, but iteration {t} added the op "
                        f"{graph.get_operations()[-1].name!r}: build the tensors a monitor "
                        "evaluates before run() (every op made per step slows every later step)."
                    )
                if interrupt.requested:
                    self._save_on_interrupt()
                if self.checkpoints is not None and t % self.checkpoints.every == 0:
                    self.save_checkpoint()
        if self.checkpoints is not None and self.checkpoints.saved_t != t:
            self.save_checkpoint()

    def _save_on_interrupt(self):
        if self.checkpoints is not None:
            path = self.save_checkpoint()
            print(
                f"\nInterrupted: saved {path}; run again with the same checkpoint_dir to resume.",
                flush=True,
            )
        raise KeyboardInterrupt

    # ---------------------------------------------------------- checkpoints
    def latest_checkpoint(self):
        """Path prefix of the newest checkpoint in `checkpoint_dir`, or None."""
        checkpoints = getattr(self, "checkpoints", None)
        return None if checkpoints is None else checkpoints.latest()

    def save_checkpoint(self):
        """Save every variable to `checkpoint_dir/ckpt-<t>`; returns the path.

        TensorFlow writes the files under a temporary name and records the
        new checkpoint in the directory's index only once they are complete,
        so a crash while saving leaves the previous checkpoint the latest.
        """
        if getattr(self, "checkpoints", None) is None:
            raise RuntimeError("save_checkpoint() needs initialize(checkpoint_dir=...).")
        sess = get_session()
        t, finite = sess.run([self.t, self.parameters_finite])
        if not finite:
            kept = self.latest_checkpoint()
            raise FloatingPointError(
                f"Not saving a checkpoint at iteration {t}: the parameters hold NaN or Inf. "
                + (f"The last good checkpoint, {kept}, is kept." if kept else "Nothing was saved.")
            )
        return self.checkpoints.save(sess, int(t))

    def restore(self, path=None):
        """Restore a checkpoint (default: the latest in `checkpoint_dir`);
        returns its iteration. Variables must exist (initialize() called)."""
        if getattr(self, "checkpoints", None) is None:
            raise RuntimeError("restore() needs initialize(checkpoint_dir=...).")
        self.checkpoints.restore(get_session(), path)
        self.forget_host_state()
        t = self.current_iteration()
        self.checkpoints.saved_t = t
        return t

    def finalize(self):
        """Function to call after convergence: flushes and closes writers
        and gives up the checkpoint directory's lock."""
        if self.summaries is not None:
            self.summaries.close()
        if self.checkpoints is not None:
            self.checkpoints.release()
