"""GAN-style inference for implicit models (Goodfellow et al., 2014).

`GANInference` is the GAN family on the two-player core
(`gan_infer.inferences.two_player`): what it adds is what a GAN optimises,
`build_loss_and_gradients(var_list)`, the one method a subclass
(`WGANInference`, `BiGANInference`, `InfoGANInference`, ...) writes, from
the building blocks `discriminate()`, `gan_losses()`,
`gradients_at_interpolates()` and `regularized_gradients()`.
"""

import inspect

import tensorflow.compat.v1 as tf

from gan_infer.inferences import losses
from gan_infer.inferences.discriminator_calls import DISC_SCOPE, call_discriminator, checked_logits
from gan_infer.inferences.health import WON_ITERATIONS, WON_LOSS, DiscriminatorStreak, warn_once
from gan_infer.inferences.options import GANOptions
from gan_infer.inferences.two_player import TwoPlayerInference, check_discriminator
from gan_infer.util.seeds import fresh_seed

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


class GANInference(TwoPlayerInference):
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
        check_discriminator(discriminator)  # before the data: the first thing a user passes wrong
        if not isinstance(data, dict) or not data:
            count = "an empty dict" if isinstance(data, dict) else type(data).__name__
            raise ValueError(
                f"{type(self).__name__} needs data as a dict that binds the model's output to "
                f"the observations, e.g. data={{x: x_ph}}; got {count}."
            )
        _check_arity(discriminator, len(data))
        super().__init__(None, data, discriminator)
        for fake, real in zip(self.fakes, self.reals):
            if fake.op.type == "Placeholder" and real.op.type != "Placeholder":
                raise ValueError(
                    f"data binds the placeholder {fake.name} to {real.name}: key and value look "
                    "swapped. The model's output is the key and the observations the value: "
                    "data={x: x_ph}."
                )

    #: The losses `initialize(loss=...)` accepts here (`losses.GAN_LOSSES`).
    losses_offered = ("non_saturating", "minimax", "least_squares", "hinge")

    def initialize(
        self,
        optimizer=None,
        optimizer_d=None,
        global_step=None,
        global_step_d=None,
        var_list=None,
        *args,
        loss="non_saturating",
        gradient_penalty=None,
        feature_matching=None,
        **kwargs,
    ):
        """Build the losses and the training ops.

        Args:
          optimizer, optimizer_d, global_step, global_step_d, var_list: the
            players' optimizers and the generator's variables, as
            `TwoPlayerInference.initialize` takes them.
          loss, gradient_penalty, feature_matching: keyword-only; the GAN
            loss and its terms, documented in
            `gan_infer.inferences.options.GANOptions` (kept as
            `self.options`).
          *args, **kwargs: passed to `TwoPlayerInference.initialize`: the
            schedule (`disc_steps`, `pretrain_steps`), `weight_clip`,
            `ema_decay` (kept as `self.training`), and Edward's `n_iter`,
            `n_print`, `logdir`, ..., `checkpoint_dir`, `jit`.
        """
        self.refuse_reinitialize()  # before the options of the first call are replaced
        options = GANOptions(
            loss=loss, gradient_penalty=gradient_penalty, feature_matching=feature_matching
        )
        if options.loss not in self.losses_offered:
            hint = " Use WGANInference for it." if options.loss == "wasserstein" else ""
            raise ValueError(
                f"Unknown loss {options.loss!r}; choose one of "
                f"{', '.join(sorted(self.losses_offered))}.{hint}"
            )
        self.options = options
        self.discriminator_streak = DiscriminatorStreak()
        super().initialize(
            optimizer, optimizer_d, global_step, global_step_d, var_list, *args, **kwargs
        )

    def check_health(self, values, t):
        """Every inference's checks of an update (NaN, Inf, exploding values),
        and, for the cross-entropy losses ('non_saturating', 'minimax'), a
        discriminator that has won: its loss below 0.001 for 2,000 iterations
        in a row means sigmoid(D) is saturated on every sample, so the
        generator's gradient carries nothing and the run has collapsed. That
        is warned once (RuntimeWarning); training goes on."""
        loss_d = values.get("loss_d")
        super().check_health(values, t)
        if self.options.loss not in ("non_saturating", "minimax"):
            return
        if self.discriminator_streak.update(loss_d, t):
            warn_once(
                self,
                "_discriminator_won_warned",
                f"The discriminator's loss has stayed below {WON_LOSS:g} since iteration "
                f"{self.discriminator_streak.since} (now {t}, {WON_ITERATIONS:,} iterations or "
                "more): it tells every generated sample from the data, so the generator learns "
                "nothing more: the GAN has collapsed. Start again with another seed, a lower "
                "discriminator learning rate or fewer disc_steps (on an AMD EPYC, TensorFlow's "
                "Eigen kernels, TF_ENABLE_ONEDNN_OPTS=0, trained seeds that collapsed with "
                "oneDNN's: docs/results.md).",
            )

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
        if self.options.feature_matching:
            raise ValueError(
                "initialize(feature_matching=...) needs features of the discriminator to "
                "match: make it return (logits, features), e.g. 'return layers.dense(h, 1), h' "
                "with h its last hidden layer."
            )
        return checked_logits(output), None

    def gan_losses(self, d_true, d_fake):
        """(L_G, L_D) of the loss chosen in `initialize`, with the
        zero-centred gradient penalty in L_D when one was asked for."""
        loss_d, loss = losses.GAN_LOSSES[self.options.loss]
        loss_d = loss_d(d_true, d_fake)
        if self.options.gradient_penalty:
            loss_d += self.options.gradient_penalty * losses.gradient_penalty(
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
        """Feature matching (when asked for) joins L_G, then the core's
        `TwoPlayerInference.regularized_gradients`: the regularization
        losses of each side, and both gradients.

        Returns:
          (loss, grads_and_vars, loss_d, grads_and_vars_d).
        """
        if self.options.feature_matching:
            matching = losses.feature_matching_loss(self.features_true, self.features_fake)
            loss += self.options.feature_matching * matching
            if self.logging:
                self.summaries.scalar("loss/feature_matching", matching)
        return super().regularized_gradients(loss, loss_d, var_list)
