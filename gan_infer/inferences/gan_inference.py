"""GAN-style inference for implicit models (Goodfellow et al., 2014).

`GANInference` wires an adversarial algorithm together: the discriminator's
scope, the two players' optimizers and train ops, the schedule of an
iteration, and the weight average. What an algorithm of the family
optimises is `build_loss_and_gradients(var_list)`, the one method a subclass
(`WGANInference`, `BiGANInference`, `InfoGANInference`, ...) writes, from
the building blocks `discriminate()`, `gan_losses()`,
`gradients_at_interpolates()` and `regularized_gradients()`.
"""

import inspect

import tensorflow.compat.v1 as tf

from gan_infer.inferences import losses
from gan_infer.inferences.data import model_tensor
from gan_infer.inferences.discriminator_calls import DISC_SCOPE, call_discriminator, checked_logits
from gan_infer.inferences.gan_options import GANOptions
from gan_infer.inferences.inference import Inference
from gan_infer.inferences.optimizers import build_optimizer
from gan_infer.inferences.weight_average import WeightAverage
from gan_infer.util.seeds import fresh_seed
from gan_infer.util.session import get_session

__all__ = ["GANInference", "DISC_SCOPE"]


def _check_arity(discriminator, count):
    """The discriminator must take one tensor per data entry."""
    try:
        signature = inspect.signature(discriminator)
    except (TypeError, ValueError):  # builtins and C functions: nothing to check
        return
    try:
        signature.bind(*range(count))
    except TypeError:
        raise ValueError(
            f"data has {count} entr{'y' if count == 1 else 'ies'}, so the discriminator is called "
            f"with {count} tensor{'' if count == 1 else 's'} (one per entry, in order), but its "
            f"signature is {signature}."
        ) from None


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


def _check_players(grads_and_vars, grads_and_vars_d):
    if not grads_and_vars_d:
        raise ValueError(
            'The discriminator has no trainable variables under variable scope "Disc": '
            "create its weights inside the discriminator function (e.g. with "
            "gan_infer.layers.dense) so that they are made under that scope."
        )
    if not any(grad is not None for grad, _ in grads_and_vars):
        raise ValueError(
            "The generator loss does not depend on any trainable variable outside the "
            '"Disc" scope: the model has no parameters to fit, or var_list misses them.'
        )


def _clip_weights(train_d, clip):
    """`train_d`, then the discriminator's weights clipped to [-clip, clip]."""
    if clip is None:
        return train_d
    variables = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=DISC_SCOPE + "/")
    with tf.control_dependencies([train_d]):
        return tf.group(
            *[v.assign(tf.clip_by_value(v, -clip, clip)) for v in variables],
            name="clip_critic_weights",
        )


class GANInference(Inference):
    """Parameter estimation with GAN-style training (Goodfellow et al., 2014).

    Works for implicit (and differentiable) models: programs that generate
    samples but have no tractable density. A discriminator D (a function that
    returns logits) is trained to tell data from model samples while the
    model's parameters are trained to fool it:

        min_G max_D  E_data[log D(x)] + E_z[log(1 - D(G(z)))].

    The discriminator minimises the cross-entropy `L_D = -E log D(x) -
    E log(1 - D(G(z)))` (`losses.discriminator_loss`); the generator
    minimises the non-saturating heuristic `L_G = -E log D(G(z))`
    (`losses.non_saturating_generator_loss`).

    The discriminator is called under `variable_scope("Disc")` on the data,
    then with `reuse=True` on the model's samples: its trainable variables are
    those under "Disc"; every other trainable variable belongs to the
    generator (unless `var_list` says otherwise). Regularization losses
    created under "Disc" are added to `L_D`, all others to `L_G`.

    An update of both sides is simultaneous: both gradients are computed at
    the current parameters, from the same batch and the same noise draw, and
    only then applied.

    `GANInference` does no latent variable inference; several observed
    variables (a conditional GAN) are described in `__init__`.

    #### Examples

    ```python
    import tensorflow.compat.v1 as tf
    import gan_infer as ed
    from gan_infer import layers
    from gan_infer.models import Uniform

    tf.disable_eager_execution()
    M, d = 128, 100
    x_ph = tf.placeholder(tf.float32, [M, 784])
    with tf.variable_scope("Gen"):
        eps = Uniform(tf.zeros([M, d]) - 1.0, tf.ones([M, d]))
        h = layers.dense(eps, 128, activation=tf.nn.relu)
        x = layers.dense(h, 784, activation=tf.sigmoid)

    def discriminative_network(x):
        h = layers.dense(x, 128, activation=tf.nn.relu)
        return layers.dense(h, 1, activation=None)

    batches = ed.datasets.batches(x_train, M, binarize=True)
    inference = ed.GANInference(data={x: x_ph}, discriminator=discriminative_network)
    inference.initialize(optimizer=tf.train.AdamOptimizer(), n_iter=15000, n_print=1000)
    tf.global_variables_initializer().run()
    for _ in range(inference.n_iter):
        info_dict = inference.update(feed_dict={x_ph: next(batches)})
        inference.print_progress(info_dict)
    ```
    """

    def __init__(self, data, discriminator):
        """Create an inference algorithm.

        Args:
          data: dict. Binds the model's output (tf.Tensor or RandomVariable)
            to observations: a tf.Tensor (usually a placeholder fed at each
            update) or a numpy array of the same shape. For a conditional
            GAN, bind every variable the discriminator should see, in the
            order it takes them: `data={x: x_ph, y: y_ph}` (see below).
          discriminator: callable. Maps a batch (data or samples) to logits
            (real-valued, not probabilities), one per example; with several
            data entries it takes one tensor per entry, in order.

        #### Conditional GANs

        A conditional GAN (Mirza & Osindero, 2014) is a GAN on the joint
        distribution of images and labels. Write the model as a program for
        both, `y ~ Categorical(...)` then `x = G(z, y)`, bind both, and let
        the discriminator take both:

        ```python
        def generative_network(eps, y_one_hot):
            h = layers.dense(tf.concat([eps, y_one_hot], 1), 128, activation=tf.nn.relu)
            return layers.dense(h, 784, activation=tf.sigmoid)

        def critic(x, y_one_hot):
            h = layers.dense(tf.concat([x, y_one_hot], 1), 128, activation=layers.leaky_relu)
            return layers.dense(h, 1)

        with tf.variable_scope("Gen"):
            y = Categorical(logits=tf.zeros([M, 10]))            # p(y)
            eps = Uniform(-tf.ones([M, d]), tf.ones([M, d]))
            x = generative_network(eps, tf.one_hot(y, 10))      # p(x | y)
        y_ph = tf.placeholder(tf.int32, [M])
        inference = ed.GANInference(data={x: x_ph, y: y_ph},
                                    discriminator=lambda x, y: critic(x, tf.one_hot(y, 10)))
        ...  # train
        sess.run(tf.global_variables_initializer())
        sess.run(x, {y: np.full(M, 7)})                          # ask for sevens
        ```
        The discriminator sees (data, label) pairs and (sample, requested
        label) pairs, so the generator must produce the digit it is asked for.
        """
        if not callable(discriminator):
            raise TypeError(
                f"discriminator must be a callable (a function from a batch to logits), "
                f"got {type(discriminator).__name__}."
            )
        if not isinstance(data, dict) or not data:
            count = "an empty dict" if isinstance(data, dict) else type(data).__name__
            raise ValueError(
                f"{type(self).__name__} needs data as a dict that binds the model's output to "
                f"the observations, e.g. data={{x: x_ph}}; got {count}."
            )
        _check_arity(discriminator, len(data))
        self.discriminator = discriminator
        super().__init__(None, data)
        self.fakes = [model_tensor(key) for key in self.data]
        self.reals = list(self.data.values())
        for fake, real in zip(self.fakes, self.reals):
            if fake.op.type == "Placeholder" and real.op.type != "Placeholder":
                raise ValueError(
                    f"data binds the placeholder {fake.name} to {real.name}: key and value look "
                    "swapped. The model's output is the key and the observations the value: "
                    "data={x: x_ph}."
                )
        # Edward's names for the (first) observed variable and its model.
        self.x_fake, self.x_true = self.fakes[0], self.reals[0]

    progress_labels = {"loss": "Gen Loss", "loss_d": "Disc Loss"}

    def initialize(
        self,
        optimizer=None,
        optimizer_d=None,
        global_step=None,
        global_step_d=None,
        var_list=None,
        *args,
        loss="non_saturating",
        disc_steps=None,
        pretrain_steps=0,
        gradient_penalty=None,
        ema_decay=None,
        feature_matching=None,
        weight_clip=None,
        **kwargs,
    ):
        """Build the losses and the training ops.

        Args:
          optimizer: str or tf.compat.v1.train.Optimizer, optional. For the
            generator. A name takes Edward's defaults: 'adam', 'rmsprop',
            'gradientdescent', 'momentum', 'adagrad', 'adadelta', 'ftrl'.
          optimizer_d: str or tf.compat.v1.train.Optimizer, optional. For
            the discriminator.
          global_step, global_step_d: tf.Variable, optional. Incremented by
            each generator / discriminator update.
          var_list: list of tf.Variable, optional. The generator's variables
            (default: every trainable variable not under "Disc").
          loss, disc_steps, pretrain_steps, gradient_penalty,
          feature_matching, weight_clip, ema_decay: the loss, the schedule,
            the regularisers and the weight average; each is documented in
            `gan_infer.inferences.gan_options.GANOptions` (kept as
            `self.options`).
          *args, **kwargs: passed to `Inference.initialize` (n_iter,
            n_print, logdir, log_timestamp, log_vars, debug, checkpoints,
            jit).
        """
        self.refuse_reinitialize()  # before the options of the first call are replaced
        self.options = GANOptions(
            loss=loss,
            disc_steps=disc_steps,
            pretrain_steps=pretrain_steps,
            gradient_penalty=gradient_penalty,
            feature_matching=feature_matching,
            weight_clip=weight_clip,
            ema_decay=ema_decay,
        )
        self.loss_name = loss
        self.disc_steps, self.pretrain_steps = self.options.schedule
        self.gradient_penalty = float(gradient_penalty or 0.0)
        self.feature_matching = float(feature_matching or 0.0)
        super().initialize(*args, **kwargs)
        # Optimizers first: a bad name is refused before the discriminator's
        # variables exist, so initialize() can be called again, fixed.
        optimizers = (
            build_optimizer(optimizer, global_step, "generator"),
            build_optimizer(optimizer_d, global_step_d, "discriminator"),
        )
        with self.compiled():
            self.loss, grads_and_vars, self.loss_d, grads_and_vars_d = (
                self.build_loss_and_gradients(var_list)
            )
        _check_players(grads_and_vars, grads_and_vars_d)
        self._build_train_ops(optimizers, grads_and_vars, grads_and_vars_d)
        if self.logging:
            self.summaries.scalar("loss", self.loss)
            self.summaries.scalar("loss/discriminative", self.loss_d)
            if self.x_fake is not None:
                self.summaries.images("samples", self.x_fake)
        self.finish_initialize()

    def _build_train_ops(self, optimizers, grads_and_vars, grads_and_vars_d):
        """`self.train` (generator), `self.train_d`, `self.train_both`."""
        (optimizer, global_step), (optimizer_d, global_step_d) = optimizers
        # Batch-norm moving averages, run with the train step of the side
        # that owns them. Reusing "Disc" opens name scopes "Disc_1", "Disc_2".
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        update_ops_d = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope=DISC_SCOPE + r"(_\d+)?/")
        update_ops_g = [op for op in update_ops if op not in update_ops_d]
        # Its shadow variables (".../ExponentialMovingAverage") appear with the
        # first generator step below; they are global variables, so
        # checkpoints keep the average with the weights.
        self.weight_average = (
            None
            if self.options.ema_decay is None
            else WeightAverage(self.options.ema_decay, [v for _, v in grads_and_vars], self.t)
        )

        def apply(opt, pairs, step, after, side_updates, generator=False):
            with tf.control_dependencies(after), self.compiled():
                train = opt.apply_gradients(
                    [(g, v) for g, v in pairs if g is not None], global_step=step
                )
            if generator and self.weight_average is not None:
                train = self.weight_average.after(train)
            elif not generator:
                train = _clip_weights(train, self.options.weight_clip)
            return tf.group(train, *side_updates) if side_updates else train

        # Each op waits for every value it reads before writing, so no update
        # can see the other side's parameters half-updated.
        grads = [g for g, _ in grads_and_vars if g is not None]
        grads_d = [g for g, _ in grads_and_vars_d if g is not None]
        self.train = apply(
            optimizer,
            grads_and_vars,
            global_step,
            grads + [self.loss],
            update_ops_g,
            generator=True,
        )
        self.train_d = apply(
            optimizer_d, grads_and_vars_d, global_step_d, grads_d + [self.loss_d], update_ops_d
        )
        both = grads + grads_d + [self.loss, self.loss_d]
        self.train_both = tf.group(
            apply(optimizer, grads_and_vars, global_step, both, update_ops_g, generator=True),
            apply(optimizer_d, grads_and_vars_d, global_step_d, both, update_ops_d),
        )
        if self.weight_average is not None:
            self.weight_average.build_swap()

        # Each session step reads one batch of in-graph data, then moves on.
        self.train, self.train_d, self.train_both = (
            self.consumes_batch(op) for op in (self.train, self.train_d, self.train_both)
        )
        self._train_ops = {None: self.train_both, "Gen": self.train, "Disc": self.train_d}
        self._counted_train = {key: self.counted(op) for key, op in self._train_ops.items()}

    # ------------------------------------------------ the losses: one method
    def build_loss_and_gradients(self, var_list):
        """Build the generator's and the discriminator's losses and gradients.

        This is the method a GAN-family algorithm writes; `initialize` calls
        it once, inside the XLA scope when `jit=True`, and builds the train
        ops from what it returns. Here:

            L_D = the discriminator loss of `loss` (+ gradient penalty),
            L_G = the generator loss of `loss` (+ feature matching),

        plus the regularization losses of each side's variable scope.

        Args:
          var_list: list of tf.Variable, or None. The generator's variables
            (default: every trainable variable not under "Disc").

        Returns:
          (loss, grads_and_vars, loss_d, grads_and_vars_d): the generator's
          loss with its (gradient, variable) pairs, then the discriminator's.

        #### Examples

        A new loss is one method (the least-squares GAN of Mao et al.):

        ```python
        class LSGANInference(ed.GANInference):
            def build_loss_and_gradients(self, var_list):
                d_true, d_fake = self.discriminate()
                loss = 0.5 * tf.reduce_mean(tf.square(d_fake - 1.0))
                loss_d = 0.5 * tf.reduce_mean(tf.square(d_true - 1.0) + tf.square(d_fake))
                return self.regularized_gradients(loss, loss_d, var_list)
        ```
        """
        d_true, d_fake = self.discriminate()
        loss, loss_d = self.gan_losses(d_true, d_fake)
        return self.regularized_gradients(loss, loss_d, var_list)

    # --------------------------------------------- building blocks of losses
    def discriminate(self):
        """D's outputs (logits) on the data and on the samples, `(d_true,
        d_fake)`, building D's variables once: the first call under
        `variable_scope("Disc")`, the second with `reuse=True`. Also kept as
        `self.d_true`, `self.d_fake` (and the discriminator's features, when
        it returns `(logits, features)`, as `features_true`, `features_fake`).
        """
        d_true, self.features_true = self._logits_and_features(
            call_discriminator(self.discriminator, self.reals, reuse=False)
        )
        d_fake, self.features_fake = self._logits_and_features(
            call_discriminator(self.discriminator, self.fakes, reuse=True)
        )
        # Kept for monitors and criticism: D's outputs (logits) on data and samples.
        self.d_true, self.d_fake = d_true, d_fake
        if self.logging:
            self.summaries.histogram(
                "discriminator_outputs",
                tf.concat([tf.reshape(d_true, [-1]), tf.reshape(d_fake, [-1])], axis=0),
            )
            self.summaries.scalar("discriminator/real", tf.reduce_mean(d_true))
            self.summaries.scalar("discriminator/fake", tf.reduce_mean(d_fake))
        return d_true, d_fake

    def _logits_and_features(self, output):
        """The discriminator returns logits, or (logits, features)."""
        if isinstance(output, (tuple, list)):
            if len(output) != 2:
                raise ValueError(
                    f"The discriminator returned a {type(output).__name__} of {len(output)} "
                    "items; return the logits, or the pair (logits, features)."
                )
            logits, features = checked_logits(output[0]), tf.convert_to_tensor(output[1])
            if features.shape.rank is not None and features.shape.rank < 2:
                raise ValueError(
                    f"The discriminator's features have shape {features.shape}; they need one "
                    "row per example, [batch, ...], e.g. the flattened last hidden layer."
                )
            return logits, features
        if self.feature_matching:
            raise ValueError(
                "initialize(feature_matching=...) needs features of the discriminator to "
                "match: make it return (logits, features), e.g. 'return layers.dense(h, 1), h' "
                "with h its last hidden layer."
            )
        return checked_logits(output), None

    def gan_losses(self, d_true, d_fake):
        """(L_G, L_D) of the loss chosen in `initialize`, with the
        zero-centred gradient penalty in L_D when one was asked for."""
        loss_d, loss = losses.GAN_LOSSES[self.loss_name]
        loss_d = loss_d(d_true, d_fake)
        if self.gradient_penalty:
            loss_d += self.gradient_penalty * losses.gradient_penalty(
                self.gradients_at_interpolates(), target=0.0
            )
        return loss(d_fake), loss_d

    def gradients_at_interpolates(self):
        """grad D at x_hat = u x + (1 - u) G(z), u ~ Uniform(0, 1) per example
        (a list: one gradient per floating-point input of D)."""
        reals = [tf.convert_to_tensor(real) for real in self.reals]
        fakes = [tf.convert_to_tensor(fake) for fake in self.fakes]
        # One mixing weight per example, shared by all of the critic's
        # inputs and broadcast over their other axes. Integer inputs (class
        # labels) cannot be mixed: the real ones are used.
        u = tf.random.stateless_uniform(
            tf.shape(reals[0])[:1], seed=fresh_seed(), name="interpolation_weight"
        )
        mixed = []
        for real, fake in zip(reals, fakes):
            if not real.dtype.is_floating:
                mixed.append(real)
                continue
            if real.shape.rank is None:
                raise ValueError("The gradient penalty needs data of known rank.")
            weight = tf.reshape(tf.cast(u, real.dtype), [-1] + [1] * (real.shape.rank - 1))
            mixed.append(weight * real + (1.0 - weight) * fake)
        d_hat, _ = self._logits_and_features(call_discriminator(self.discriminator, mixed, True))
        inputs = [m for m in mixed if m.dtype.is_floating]
        return tf.gradients(d_hat, inputs)

    def regularized_gradients(self, loss, loss_d, var_list):
        """Add the regularisers to both losses and differentiate them: the
        last step of every `build_loss_and_gradients`.

        Feature matching (when asked for) joins L_G; the regularization
        losses created under "Disc" join L_D, all others L_G. L_D is
        differentiated for the trainable variables under "Disc", L_G for
        `var_list` (default: every other trainable variable).

        Returns:
          (loss, grads_and_vars, loss_d, grads_and_vars_d).
        """
        if self.feature_matching:
            matching = losses.feature_matching_loss(self.features_true, self.features_fake)
            loss += self.feature_matching * matching
            if self.logging:
                self.summaries.scalar("loss/feature_matching", matching)
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
        if self.pretrain_steps and self.current_iteration() == 0:
            for _ in range(self.pretrain_steps):
                self._step("Disc", next_feed(), counted=False)
        if self.disc_steps is None:
            return self._step(None, next_feed(), counted=True)
        for _ in range(self.disc_steps):
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
