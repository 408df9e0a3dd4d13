"""What every adversarial inference shares: two players and their turns.

An adversarial algorithm trains two sets of variables against each other:
the first player (a generator, or a variational posterior q) holds every
trainable variable outside the "Disc" scope; the second (a discriminator,
critic or ratio estimator) holds those inside it. `TwoPlayerInference`
owns everything but what the players optimise: the two optimizers, the
three training ops (`gan_infer.inferences.train_ops`), stepping either
player or both, the k-steps schedule and pre-training, the weight average,
and the checks of what is fed. An algorithm is a subclass that writes one
public method, `build_loss_and_gradients(var_list)`, returning
`(loss, grads_and_vars, loss_d, grads_and_vars_d)`; `regularized_gradients`
is the usual last line of it.

The family on it: `GANInference` (and `WGANInference`, `BiGANInference`,
`InfoGANInference` on that), and `ImplicitKLqp`.
"""

import tensorflow.compat.v1 as tf

from gan_infer.inferences.data import model_tensor
from gan_infer.inferences.discriminator_calls import DISC_SCOPE
from gan_infer.inferences.inference import Inference
from gan_infer.inferences.optimizers import build_optimizer
from gan_infer.inferences.options import TwoPlayerOptions
from gan_infer.inferences.train_ops import build_train_ops, check_players
from gan_infer.util.session import get_session

__all__ = ["TwoPlayerInference", "DISC_SCOPE", "check_discriminator"]


def check_discriminator(discriminator):
    """The second player's network must be a function."""
    if not callable(discriminator):
        raise TypeError(
            f"discriminator must be a callable (a function from a batch to logits), "
            f"got {type(discriminator).__name__}."
        )


def _placeholders_upstream(tensors):
    """Names of the placeholders (without defaults) the tensors depend on."""
    seen, stack, found = set(), [t.op for t in tensors], []
    while stack:
        op = stack.pop()
        if op in seen:
            continue
        seen.add(op)
        if op.type == "Placeholder":
            found.append(op.outputs[0].name)
        stack.extend(tensor.op for tensor in op.inputs)
        stack.extend(op.control_inputs)
    return sorted(found)


class TwoPlayerInference(Inference):
    """The base of adversarial inference: two players, one loss each.

    `initialize` builds both players' losses with `build_loss_and_gradients`
    (the one method a subclass writes) and their training ops; `update`
    steps both players simultaneously (both gradients at the current
    parameters, from one batch and one noise draw), or one of them with
    `variables="Gen"` / `"Disc"`; `iterate` follows the schedule
    (`disc_steps`, `pretrain_steps`).

    #### Examples

    A new algorithm is one file and one method; here the least-squares GAN
    objective on a model of one parameter:

    ```python
    import numpy as np
    import tensorflow.compat.v1 as tf
    from gan_infer import layers
    from gan_infer.inferences.discriminator_calls import call_discriminator
    from gan_infer.inferences.two_player import TwoPlayerInference
    from gan_infer.models import Normal

    tf.disable_eager_execution()

    class LeastSquares(TwoPlayerInference):
        def build_loss_and_gradients(self, var_list):
            d_true = call_discriminator(self.discriminator, self.reals, reuse=False)
            d_fake = call_discriminator(self.discriminator, self.fakes, reuse=True)
            loss = 0.5 * tf.reduce_mean(tf.square(d_fake - 1.0))
            loss_d = 0.5 * tf.reduce_mean(tf.square(d_true - 1.0) + tf.square(d_fake))
            return self.regularized_gradients(loss, loss_d, var_list)

    with tf.variable_scope("Gen"):
        x = Normal(tf.get_variable("mu", []), 1.0, sample_shape=[64, 1])
    inference = LeastSquares(data={x: np.full((64, 1), 3.0, np.float32)},
                             discriminator=lambda x: layers.dense(x, 1))
    inference.run(optimizer="adam", optimizer_d="adam", n_iter=20, n_print=0)
    ```
    """

    progress_labels = {"loss": "Gen Loss", "loss_d": "Disc Loss"}

    def __init__(self, latent_vars=None, data=None, discriminator=None):
        """Create an inference algorithm.

        Args:
          latent_vars: dict, optional. Binds latent random variables to
            their approximations (for algorithms that infer them).
          data: dict, optional. Binds the model's observed tensors or random
            variables to observations (`gan_infer.inferences.data`).
          discriminator: callable. The second player's network, called
            under `variable_scope("Disc")`; what it takes and returns is the
            algorithm's (see its class).
        """
        check_discriminator(discriminator)
        self.discriminator = discriminator
        super().__init__(latent_vars, data)
        # The model's side and the data's side of each observed variable.
        self.fakes = [model_tensor(key) for key in self.data]
        self.reals = list(self.data.values())
        # Edward's names for the (first) observed variable and its model.
        self.x_fake = self.fakes[0] if self.fakes else None
        self.x_true = self.reals[0] if self.reals else None

    def initialize(
        self,
        optimizer=None,
        optimizer_d=None,
        global_step=None,
        global_step_d=None,
        var_list=None,
        *args,
        disc_steps=None,
        pretrain_steps=0,
        weight_clip=None,
        ema_decay=None,
        **kwargs,
    ):
        """Build both players' losses and training ops.

        Args:
          optimizer: str or tf.compat.v1.train.Optimizer, optional. For the
            first player (the generator). A name takes Edward's defaults:
            'adam', 'rmsprop', 'gradientdescent', 'momentum', 'adagrad',
            'adadelta', 'ftrl'.
          optimizer_d: str or tf.compat.v1.train.Optimizer, optional. For
            the discriminator.
          global_step, global_step_d: tf.Variable, optional. Incremented by
            each generator / discriminator update.
          var_list: list of tf.Variable, optional. The generator's variables
            (default: every trainable variable not under "Disc").
          disc_steps, pretrain_steps, weight_clip, ema_decay: keyword-only;
            the schedule, the discriminator's weight constraint and the
            weight average, documented in
            `gan_infer.inferences.options.TwoPlayerOptions` (kept as
            `self.training`).
          *args, **kwargs: passed to `Inference.initialize` (n_iter,
            n_print, logdir, log_timestamp, log_vars, debug, checkpoints,
            jit).
        """
        self.refuse_reinitialize()  # before the options of the first call are replaced
        self.training = TwoPlayerOptions(
            disc_steps=disc_steps,
            pretrain_steps=pretrain_steps,
            weight_clip=weight_clip,
            ema_decay=ema_decay,
        )
        super().initialize(*args, **kwargs)
        # Optimizers first: a bad name is refused before the discriminator's
        # variables exist, so initialize() can be called again, fixed.
        optimizer, global_step = build_optimizer(optimizer, global_step, "generator")
        optimizer_d, global_step_d = build_optimizer(optimizer_d, global_step_d, "discriminator")
        with self.compiled():
            built = self.build_loss_and_gradients(var_list)
        self.loss, grads_and_vars, self.loss_d, grads_and_vars_d = built
        check_players(grads_and_vars, grads_and_vars_d)
        ops = build_train_ops(
            optimizer,
            optimizer_d,
            built,
            global_step,
            global_step_d,
            weight_clip=self.training.weight_clip,
            ema_decay=self.training.ema_decay,
            num_updates=self.t,
            scope=self.compiled,
        )
        self.weight_average = ops.weight_average
        # Each session step reads one batch of in-graph data, then moves on.
        self.train, self.train_d, self.train_both = (
            self.consumes_batch(op) for op in (ops.generator, ops.discriminator, ops.both)
        )
        self._train_ops = {None: self.train_both, "Gen": self.train, "Disc": self.train_d}
        self._counted_train = {key: self.counted(op) for key, op in self._train_ops.items()}
        if self.logging:
            self.summaries.scalar("loss", self.loss)
            self.summaries.scalar("loss/discriminative", self.loss_d)
            if self.x_fake is not None:
                self.summaries.images("samples", self.x_fake)
        self.finish_initialize()

    def build_loss_and_gradients(self, var_list):
        """Build both players' losses and their gradients: the one method an
        adversarial algorithm writes.

        `initialize` calls it once, inside the XLA scope when `jit=True`,
        and builds the training ops from what it returns.

        Args:
          var_list: list of tf.Variable, or None. The first player's
            variables (default: every trainable variable not under "Disc").

        Returns:
          (loss, grads_and_vars, loss_d, grads_and_vars_d): the first
          player's loss with its (gradient, variable) pairs, then the
          discriminator's; `regularized_gradients(loss, loss_d, var_list)`
          makes them from the two losses.
        """
        return super().build_loss_and_gradients(var_list)

    def regularized_gradients(self, loss, loss_d, var_list):
        """Add the regularization losses to both losses and differentiate
        them: the last step of every `build_loss_and_gradients`.

        The regularization losses created under "Disc" join L_D, all others
        L_G. L_D is differentiated for the trainable variables under "Disc",
        L_G for `var_list` (default: every other trainable variable).

        Returns:
          (loss, grads_and_vars, loss_d, grads_and_vars_d).
        """
        scope = DISC_SCOPE + "/"
        reg_terms_d = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES, scope=scope)
        reg_terms = [
            r for r in tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES) if r not in reg_terms_d
        ]
        if reg_terms_d:
            loss_d = loss_d + tf.add_n(reg_terms_d)
        if reg_terms:
            loss = loss + tf.add_n(reg_terms)
        loss = self.check_numerics(loss, "the generator loss")
        loss_d = self.check_numerics(loss_d, "the discriminator loss")

        var_list_d = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=scope)
        if var_list is None:
            var_list = [v for v in tf.trainable_variables() if v not in var_list_d]
        else:
            var_list = list(var_list)
            in_disc = [v.op.name for v in var_list if v in var_list_d]
            if in_disc:
                raise ValueError(
                    f"var_list holds discriminator variables {in_disc}; list only the generator's."
                )
        grads = [
            self.check_numerics(g, f"the gradient of the generator loss for {v.op.name}")
            for g, v in zip(tf.gradients(loss, var_list), var_list)
        ]
        grads_d = [
            self.check_numerics(g, f"the gradient of the discriminator loss for {v.op.name}")
            for g, v in zip(tf.gradients(loss_d, var_list_d), var_list_d)
        ]
        return loss, list(zip(grads, var_list)), loss_d, list(zip(grads_d, var_list_d))

    # ------------------------------------------------------ the weight average
    def averaged_generator(self):
        """A context manager: inside it the generator runs with the moving
        average of its weights (`initialize(ema_decay=...)`); the live
        weights come back when the block ends, also on an exception.

        Sample, score or plot inside it. `update()`, `run()` and
        `save_checkpoint()` are refused there: the variables hold the
        average, and training or saving it would lose the trained weights.

        #### Examples

        ```python
        inference = ed.GANInference(data={x: x_ph}, discriminator=discriminative_network)
        inference.initialize(optimizer="adam", optimizer_d="adam", ema_decay=0.999)
        sess.run(tf.global_variables_initializer())
        ...  # train
        with inference.averaged_generator():
            samples = sess.run(x)
        ```
        """
        if getattr(self, "weight_average", None) is None:
            raise RuntimeError(
                "averaged_generator() needs a moving average of the generator's weights: "
                "call initialize(..., ema_decay=0.999) before training."
            )
        return self.weight_average.swapped(get_session())

    def _refuse_inside_average(self, action):
        average = getattr(self, "weight_average", None)
        if average is not None and average.inside:
            raise RuntimeError(
                f"Cannot {action} inside averaged_generator(): the generator's variables hold "
                "the weight average, not the trained weights. Leave the block first."
            )

    def save_checkpoint(self):
        self._refuse_inside_average("save a checkpoint")
        return super().save_checkpoint()

    save_checkpoint.__doc__ = Inference.save_checkpoint.__doc__

    # ---------------------------------------------------------------- training
    def run(self, *args, **kwargs):
        # Checked first, so a refused run() leaves the algorithm uninitialized.
        self._refuse_inside_average("run()")
        self._check_feedable()
        return super().run(*args, **kwargs)

    run.__doc__ = Inference.run.__doc__

    def _check_feedable(self):
        placeholders = [real.name for real in self.reals if real.op.type == "Placeholder"]
        if placeholders:
            raise ValueError(
                f"run() cannot feed the placeholder {placeholders[0]} bound in data. Either "
                "bind the observations themselves (data={x: x_batch} with a numpy array), or "
                "write the loop: for _ in range(inference.n_iter): info = "
                "inference.update(feed_dict={x_ph: next(batches)}); inference.print_progress(info)"
            )
        # A placeholder deeper in the model (a BiGAN encoder reading x_ph while
        # the data are bound as an array) would fail inside TensorFlow.
        deeper = _placeholders_upstream(self.reals + self.fakes)
        if deeper:
            raise ValueError(
                f"run() cannot feed the placeholder {deeper[0]}, which the model reads. Build "
                "the model on the bound data instead (e.g. qz = encoder(inference.x_true) needs "
                "the batch tensor), or write the loop with update(feed_dict={...})."
            )

    def update(self, feed_dict=None, variables=None):
        """Run one iteration of optimization.

        Args:
          feed_dict: dict, optional. Values for placeholders, typically the
            data batch `{x_ph: batch}`.
          variables: str, optional. "Gen" or "Disc" to update only that
            side; default both.

        Returns:
          dict: `t` (the number of `update` calls so far, whichever side they
          updated), `loss` and `loss_d` (the generator and discriminator
          losses before this update; 0.0 for a side not updated).
        """
        return self._step(variables, feed_dict, counted=True)

    def iterate(self, feed_fn=None):
        """One iteration of the schedule set by `initialize`.

        With `disc_steps=None`, one simultaneous `update()`. With
        `disc_steps=k`, Algorithm 1 of Goodfellow et al. (2014): k
        discriminator steps then one generator step, each with a fresh
        `feed_fn()`; the iteration counter `t` moves once per iteration.
        Before the first iteration (while `t` is 0) it first runs the
        `pretrain_steps` discriminator steps.

        Args:
          feed_fn: callable returning a feed_dict (a fresh batch), called once
            per session step; None when the data need no feeding.

        Returns:
          dict: `t`, `loss` (generator loss of the generator step) and
          `loss_d` (discriminator loss of the last discriminator step).

        #### Examples

        ```python
        batches = ed.datasets.batches(x_train, M)
        inference = ed.GANInference(data={x: x_ph}, discriminator=discriminative_network)
        inference.initialize(disc_steps=5, pretrain_steps=100, n_iter=1000)
        tf.global_variables_initializer().run()
        for _ in range(inference.n_iter):
            info_dict = inference.iterate(lambda: {x_ph: next(batches)})
            inference.print_progress(info_dict)
        ```
        """
        next_feed = feed_fn if feed_fn is not None else (lambda: None)
        disc_steps, pretrain_steps = self.training.schedule
        if pretrain_steps and self.current_iteration() == 0:
            for _ in range(pretrain_steps):
                self._step("Disc", next_feed(), counted=False)
        if disc_steps is None:
            return self._step(None, next_feed(), counted=True)
        for _ in range(disc_steps):
            loss_d = self._step("Disc", next_feed(), counted=False)["loss_d"]
        info_dict = self._step("Gen", next_feed(), counted=True)
        info_dict["loss_d"] = loss_d
        return info_dict

    def _step(self, variables, feed_dict, counted):
        self.require_initialized("update()")
        if not (variables is None or isinstance(variables, str)):
            raise TypeError(
                f"variables must be None (both), 'Gen' or 'Disc', got {variables!r}: name one "
                "side as a string, e.g. update(feed_dict, variables='Gen')."
            )
        self._refuse_inside_average("update()")
        if feed_dict is None:
            feed_dict = {}
        for real in self.reals:
            if real.op.type == "Placeholder" and real not in feed_dict:
                raise ValueError(
                    f"update() needs a batch for the placeholder {real.name} bound in data: "
                    "call inference.update(feed_dict={x_ph: batch})."
                )
        if variables not in self._counted_train:
            raise NotImplementedError(
                f"variables must be None (both), 'Gen' or 'Disc', got {variables!r}."
            )
        fetches = {"loss": self.loss, "loss_d": self.loss_d}
        if variables == "Gen":
            del fetches["loss_d"]
        elif variables == "Disc":
            del fetches["loss"]
        train_op = self._counted_train[variables] if counted else self._train_ops[variables]
        values, t = self.session_run(train_op, fetches, feed_dict, counted=counted)
        return {"t": t, "loss": values.get("loss", 0.0), "loss_d": values.get("loss_d", 0.0)}
