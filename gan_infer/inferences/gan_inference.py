"""GAN-style inference for implicit models (Goodfellow et al., 2014)."""
import contextlib
import inspect
import numbers

import tensorflow.compat.v1 as tf

from gan_infer.inferences import losses
from gan_infer.inferences.inference import Inference
from gan_infer.inferences.optimizers import build_optimizer
from gan_infer.util.seeds import fresh_seed
from gan_infer.util.session import get_session

__all__ = ["GANInference"]

# The discriminator's variables and regularization losses live under this
# variable scope; everything else trainable belongs to the generator.
DISC_SCOPE = "Disc"


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
            f"signature is {signature}.") from None


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_penalty_weight(name, value):
    """A penalty's weight: None (no penalty) or a number >= 0."""
    if value is not None and not (_is_number(value) and value >= 0):
        raise ValueError(f"{name} must be None or a non-negative number, got {value!r}.")


def _check_ema_decay(ema_decay):
    if ema_decay is not None and not (_is_number(ema_decay) and 0.0 < ema_decay < 1.0):
        raise ValueError(f"ema_decay must be None or a float in (0, 1), e.g. 0.999, "
                         f"got {ema_decay!r}.")


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


def _image_grid(samples, max_tiles=16):
    """The first samples of a batch tiled into one image for TensorBoard, or
    None when the samples do not look like images: [N, H, W, C] with C in
    (1, 3, 4), or [N, D] with D a square (flattened grey images, MNIST)."""
    shape = samples.shape
    if shape.rank == 2 and shape[1] is not None and shape[1] > 1:
        side = int(round(shape[1] ** 0.5))
        if side * side != shape[1]:
            return None
        samples = tf.reshape(samples, [-1, side, side, 1])
    elif not (shape.rank == 4 and shape[3] in (1, 3, 4) and shape[1:].is_fully_defined()):
        return None
    if shape[0] is None:
        return None
    rows = int(min(shape[0], max_tiles) ** 0.5)
    height, width, channels = samples.shape[1:].as_list()
    tiles = tf.reshape(samples[:rows * rows], [rows, rows, height, width, channels])
    grid = tf.reshape(tf.transpose(tiles, [0, 2, 1, 3, 4]),
                      [1, rows * height, rows * width, channels])
    grid = tf.cast(grid, tf.float32)
    # A tanh generator's images live in [-1, 1]: show them in [0, 1].
    grid = tf.where(tf.reduce_min(grid) < 0.0, (grid + 1.0) / 2.0, grid)
    return tf.clip_by_value(grid, 0.0, 1.0)


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
        with tf.variable_scope("Gen"):
            y = Categorical(logits=tf.zeros([M, 10]))            # p(y)
            eps = Uniform(-tf.ones([M, d]), tf.ones([M, d]))
            x = generative_network(eps, tf.one_hot(y, 10))      # p(x | y)
        inference = ed.GANInference(data={x: x_ph, y: y_ph},
                                    discriminator=lambda x, y: critic(x, tf.one_hot(y, 10)))
        ...
        sess.run(x, {y: np.full(M, 7)})                          # ask for sevens
        ```
        The discriminator sees (data, label) pairs and (sample, requested
        label) pairs, so the generator must produce the digit it is asked for.
        """
        if not callable(discriminator):
            raise TypeError(
                f"discriminator must be a callable (a function from a batch to logits), "
                f"got {type(discriminator).__name__}.")
        if not isinstance(data, dict) or not data:
            count = "an empty dict" if isinstance(data, dict) else type(data).__name__
            raise ValueError(
                f"{type(self).__name__} needs data as a dict that binds the model's output to "
                f"the observations, e.g. data={{x: x_ph}}; got {count}.")
        _check_arity(discriminator, len(data))
        self.discriminator = discriminator
        super().__init__(None, data)
        self.fakes = [self._model_tensor(key) for key in self.data]
        self.reals = list(self.data.values())
        for fake, real in zip(self.fakes, self.reals):
            if fake.op.type == "Placeholder" and real.op.type != "Placeholder":
                raise ValueError(
                    f"data binds the placeholder {fake.name} to {real.name}: key and value look "
                    "swapped. The model's output is the key and the observations the value: "
                    "data={x: x_ph}.")
        # Edward's names for the (first) observed variable and its model.
        self.x_fake, self.x_true = self.fakes[0], self.reals[0]

    def initialize(self, optimizer=None, optimizer_d=None, global_step=None,
                   global_step_d=None, var_list=None, *args, loss="non_saturating",
                   disc_steps=None, pretrain_steps=0, gradient_penalty=None, ema_decay=None,
                   feature_matching=None, **kwargs):
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
          loss: str. The pair of losses, from `losses.GAN_LOSSES`:
            'non_saturating' (default), 'minimax' (the paper's saturating
            log(1 - D(G(z))) generator loss), 'least_squares', 'hinge'. For
            the Wasserstein loss use `WGANInference`.
          disc_steps: int, optional. The schedule of `iterate()` and `run()`:
            None (default) makes each iteration one simultaneous update of
            both players; k >= 1 makes it Algorithm 1 of Goodfellow et al.
            (2014): k discriminator steps, each on a fresh batch, then one
            generator step.
          pretrain_steps: int. Discriminator steps before the first iteration
            ("pre-train the decision surface").
          gradient_penalty: float, optional. Weight gamma of a zero-centred
            gradient penalty added to the discriminator's loss,

                gamma * E ||grad_x D(x_hat)||^2,  x_hat = u x + (1 - u) G(z),  u ~ U(0, 1)

            (Thanh-Tung et al., 2019): it keeps D smooth between data and
            samples, so its gradient still leads the generator towards data
            it has not covered (missing modes) instead of only sharpening
            the modes it has. Default none.
          ema_decay: float in (0, 1), optional. Keep an exponential moving
            average of the generator's weights (Yazici et al., 2019),
            updated after every generator step:

                w_avg <- d_t w_avg + (1 - d_t) w,  d_t = min(ema_decay, (1 + t) / (10 + t)),

            (t the iteration; the second term lets the average forget the
            initial weights quickly). GAN training circles around its
            equilibrium instead of settling; the average sits nearer its
            centre, so samples drawn with it (`averaged_generator()`) are
            usually cleaner than the last iterate's. 0.999 averages over
            roughly the last 1,000 generator steps. The average of weights
            far apart can be worse than each of them (a generator that
            keeps moving a lot, e.g. under a strong gradient penalty), so
            compare it with the last weights before relying on it.
          feature_matching: float, optional. Weight lambda of feature
            matching (Salimans et al., 2016) added to the generator's loss,

                lambda * || E f(x) - E f(G(z)) ||^2   (`losses.feature_matching_loss`),

            with f(.) the features the discriminator returns beside its
            logits: write it to return `(logits, features)`, e.g. the
            flattened output of its last hidden layer. The per-example
            losses judge each sample alone; this term compares whole
            batches (on MNIST it did not restore the digits' proportions
            either: docs/results.md, DCGAN section). Default
            none (the discriminator may still return a pair; the features
            are then only kept as `features_true` / `features_fake`).
          *args, **kwargs: passed to `Inference.initialize` (n_iter,
            n_print, logdir, log_timestamp, log_vars, debug).
        """
        self._refuse_reinitialize()  # before the schedule of the first call is touched
        self._set_schedule(loss, disc_steps, pretrain_steps)
        _check_ema_decay(ema_decay)
        check_penalty_weight("gradient_penalty", gradient_penalty)
        self.gradient_penalty = float(gradient_penalty or 0.0)
        check_penalty_weight("feature_matching", feature_matching)
        self.feature_matching = float(feature_matching or 0.0)
        super().initialize(*args, **kwargs)
        # Optimizers first: a bad name is refused before the discriminator's
        # variables exist, so initialize() can be called again, fixed.
        optimizer, global_step = build_optimizer(optimizer, global_step, "generator")
        optimizer_d, global_step_d = build_optimizer(optimizer_d, global_step_d, "discriminator")
        with self._compiled():
            self.loss, grads_and_vars, self.loss_d, grads_and_vars_d = \
                self._build_loss_and_gradients(var_list)

        if not grads_and_vars_d:
            raise ValueError(
                'The discriminator has no trainable variables under variable scope "Disc": '
                "create its weights inside the discriminator function (e.g. with "
                "gan_infer.layers.dense) so that they are made under that scope.")
        if not any(grad is not None for grad, _ in grads_and_vars):
            raise ValueError(
                "The generator loss does not depend on any trainable variable outside the "
                '"Disc" scope: the model has no parameters to fit, or var_list misses them.')

        # Batch-norm moving averages, run with the train step of the side
        # that owns them. Reusing "Disc" opens name scopes "Disc_1", "Disc_2".
        update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        update_ops_d = tf.get_collection(tf.GraphKeys.UPDATE_OPS, scope=DISC_SCOPE + r"(_\d+)?/")
        update_ops_g = [op for op in update_ops if op not in update_ops_d]
        self._inside_average = False
        self._averaged_vars = [v for _, v in grads_and_vars]
        # Its shadow variables (".../ExponentialMovingAverage") appear with the
        # first generator step below; they are global variables, so
        # checkpoints keep the average with the weights.
        self._ema = (None if ema_decay is None else
                     tf.train.ExponentialMovingAverage(ema_decay, num_updates=self.t))

        def apply(opt, pairs, step, after, side_updates, generator=False):
            with tf.control_dependencies(after), self._compiled():
                train = opt.apply_gradients([(g, v) for g, v in pairs if g is not None],
                                            global_step=step)
            if generator and self._ema is not None:
                # The average moves only once the step's new weights exist.
                with tf.control_dependencies([train]):
                    train = self._ema.apply(self._averaged_vars)
            return tf.group(train, *side_updates) if side_updates else train

        # Each op waits for every value it reads before writing, so no update
        # can see the other side's parameters half-updated.
        grads = [g for g, _ in grads_and_vars if g is not None]
        grads_d = [g for g, _ in grads_and_vars_d if g is not None]
        self.train = apply(optimizer, grads_and_vars, global_step, grads + [self.loss],
                           update_ops_g, generator=True)
        self.train_d = self._after_critic_update(apply(
            optimizer_d, grads_and_vars_d, global_step_d, grads_d + [self.loss_d], update_ops_d))
        both = grads + grads_d + [self.loss, self.loss_d]
        self.train_both = tf.group(
            apply(optimizer, grads_and_vars, global_step, both, update_ops_g, generator=True),
            self._after_critic_update(
                apply(optimizer_d, grads_and_vars_d, global_step_d, both, update_ops_d)))
        self._swap_average = None if self._ema is None else self._build_average_swap()

        # Each session step reads one batch of in-graph data, then moves on.
        self.train, self.train_d, self.train_both = (
            self._consumes_batch(op) for op in (self.train, self.train_d, self.train_both))
        self._train_ops = {None: self.train_both, "Gen": self.train, "Disc": self.train_d}
        self._counted_train = {key: self._counted(op) for key, op in self._train_ops.items()}
        if self.logging:
            tf.summary.scalar("loss", self.loss, collections=[self._summary_key])
            tf.summary.scalar("loss/discriminative", self.loss_d, collections=[self._summary_key])
            grid = _image_grid(self.x_fake)
            if grid is not None:
                tf.summary.image("samples", grid, max_outputs=1, collections=[self._summary_key])
        self._finish_initialize()

    def _build_average_swap(self):
        """One op that swaps the generator's weights with their moving
        average; run twice, it restores them."""
        averages = [self._ema.average(v) for v in self._averaged_vars]
        # Both values are read before either variable is written.
        live = [v.read_value() for v in self._averaged_vars]
        averaged = [a.read_value() for a in averages]
        with tf.control_dependencies(live + averaged):
            return tf.group(
                *[v.assign(a) for v, a in zip(self._averaged_vars, averaged)],
                *[a.assign(v) for a, v in zip(averages, live)], name="swap_weight_average")

    @contextlib.contextmanager
    def averaged_generator(self):
        """Inside this block the generator runs with the moving average of
        its weights (`initialize(ema_decay=...)`); the live weights come
        back when the block ends, also on an exception.

        Sample, score or plot inside it. `update()`, `run()` and
        `save_checkpoint()` are refused there: the variables hold the
        average, and training or saving it would lose the trained weights.

        #### Examples

        ```python
        inference.initialize(optimizer=optimizer, optimizer_d=optimizer_d, ema_decay=0.999)
        ...  # train
        with inference.averaged_generator():
            samples = sess.run(x)
        ```
        """
        if getattr(self, "_swap_average", None) is None:
            raise RuntimeError(
                "averaged_generator() needs a moving average of the generator's weights: "
                "call initialize(..., ema_decay=0.999) before training.")
        if self._inside_average:
            raise RuntimeError("averaged_generator() blocks cannot be nested.")
        session = get_session()
        session.run(self._swap_average)
        self._inside_average = True
        try:
            yield
        finally:
            session.run(self._swap_average)
            self._inside_average = False

    def _refuse_inside_average(self, action):
        if getattr(self, "_inside_average", False):
            raise RuntimeError(
                f"Cannot {action} inside averaged_generator(): the generator's variables hold "
                "the weight average, not the trained weights. Leave the block first.")

    def save_checkpoint(self):
        self._refuse_inside_average("save a checkpoint")
        return super().save_checkpoint()

    save_checkpoint.__doc__ = Inference.save_checkpoint.__doc__

    def _discriminate(self):
        """D's outputs on data and on samples, building D's variables once."""
        with tf.variable_scope(DISC_SCOPE):
            d_true, self.features_true = self._logits_and_features(self.discriminator(*self.reals))
        with tf.variable_scope(DISC_SCOPE, reuse=True):
            d_fake, self.features_fake = self._logits_and_features(self.discriminator(*self.fakes))
        # Kept for monitors and criticism: D's outputs (logits) on data and samples.
        self.d_true, self.d_fake = d_true, d_fake
        if self.logging:
            self._histogram("discriminator_outputs", tf.concat(
                [tf.reshape(d_true, [-1]), tf.reshape(d_fake, [-1])], axis=0))
            tf.summary.scalar("discriminator/real", tf.reduce_mean(d_true),
                              collections=[self._summary_key])
            tf.summary.scalar("discriminator/fake", tf.reduce_mean(d_fake),
                              collections=[self._summary_key])
        return d_true, d_fake

    def _logits_and_features(self, output):
        """The discriminator returns logits, or (logits, features)."""
        if isinstance(output, (tuple, list)):
            if len(output) != 2:
                raise ValueError(
                    f"The discriminator returned a {type(output).__name__} of {len(output)} "
                    "items; return the logits, or the pair (logits, features).")
            logits, features = map(tf.convert_to_tensor, output)
            if features.shape.rank is not None and features.shape.rank < 2:
                raise ValueError(
                    f"The discriminator's features have shape {features.shape}; they need one "
                    "row per example, [batch, ...], e.g. the flattened last hidden layer.")
            return logits, features
        if self.feature_matching:
            raise ValueError(
                "initialize(feature_matching=...) needs features of the discriminator to "
                "match: make it return (logits, features), e.g. 'return layers.dense(h, 1), h' "
                "with h its last hidden layer.")
        return tf.convert_to_tensor(output), None

    def _set_schedule(self, loss, disc_steps, pretrain_steps):
        if loss not in losses.GAN_LOSSES:
            hint = " Use WGANInference for it." if loss == "wasserstein" else ""
            raise ValueError(f"Unknown loss {loss!r}; choose one of "
                             f"{', '.join(sorted(losses.GAN_LOSSES))}.{hint}")
        if disc_steps is not None and (isinstance(disc_steps, bool) or not isinstance(disc_steps, int)
                                       or disc_steps < 1):
            raise ValueError(f"disc_steps must be None or a positive int, got {disc_steps!r}.")
        if isinstance(pretrain_steps, bool) or not isinstance(pretrain_steps, int) or pretrain_steps < 0:
            raise ValueError(f"pretrain_steps must be a non-negative int, got {pretrain_steps!r}.")
        self.loss_name = loss
        self.disc_steps = disc_steps
        self.pretrain_steps = pretrain_steps
        self._pretrain_remaining = pretrain_steps

    def _losses(self, d_true, d_fake):
        """(generator loss, discriminator loss) before regularization."""
        loss_d, loss = losses.GAN_LOSSES[self.loss_name]
        loss_d = loss_d(d_true, d_fake)
        if self.gradient_penalty:
            loss_d += self.gradient_penalty * losses.gradient_penalty(
                self._gradients_at_interpolates(), target=0.0)
        return loss(d_fake), loss_d

    def _gradients_at_interpolates(self):
        """grad D at x_hat = u x + (1 - u) G(z), u ~ Uniform(0, 1) per example."""
        reals = [tf.convert_to_tensor(real) for real in self.reals]
        fakes = [tf.convert_to_tensor(fake) for fake in self.fakes]
        # One mixing weight per example, shared by all of the critic's
        # inputs and broadcast over their other axes. Integer inputs (class
        # labels) cannot be mixed: the real ones are used.
        u = tf.random.stateless_uniform(tf.shape(reals[0])[:1], seed=fresh_seed(),
                                        name="interpolation_weight")
        mixed = []
        for real, fake in zip(reals, fakes):
            if not real.dtype.is_floating:
                mixed.append(real)
                continue
            if real.shape.rank is None:
                raise ValueError("The gradient penalty needs data of known rank.")
            weight = tf.reshape(tf.cast(u, real.dtype), [-1] + [1] * (real.shape.rank - 1))
            mixed.append(weight * real + (1.0 - weight) * fake)
        with tf.variable_scope(DISC_SCOPE, reuse=True):
            d_hat, _ = self._logits_and_features(self.discriminator(*mixed))
        inputs = [m for m in mixed if m.dtype.is_floating]
        return tf.gradients(d_hat, inputs)

    def _build_loss_and_gradients(self, var_list):
        d_true, d_fake = self._discriminate()
        loss, loss_d = self._losses(d_true, d_fake)
        if self.feature_matching:
            matching = losses.feature_matching_loss(self.features_true, self.features_fake)
            loss += self.feature_matching * matching
            if self.logging:
                tf.summary.scalar("loss/feature_matching", matching, collections=[self._summary_key])

        scope = DISC_SCOPE + "/"
        reg_terms_d = tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES, scope=scope)
        reg_terms = [r for r in tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)
                     if r not in reg_terms_d]
        if reg_terms_d:
            loss_d = loss_d + tf.add_n(reg_terms_d)
        if reg_terms:
            loss = loss + tf.add_n(reg_terms)
        loss = self._check_numerics(loss, "the generator loss")
        loss_d = self._check_numerics(loss_d, "the discriminator loss")

        var_list_d = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=scope)
        if var_list is None:
            var_list = [v for v in tf.trainable_variables() if v not in var_list_d]
        else:
            var_list = list(var_list)
            in_disc = [v.op.name for v in var_list if v in var_list_d]
            if in_disc:
                raise ValueError(f"var_list holds discriminator variables {in_disc}; "
                                 "list only the generator's.")
        grads = tf.gradients(loss, var_list)
        grads_d = tf.gradients(loss_d, var_list_d)
        grads = [self._check_numerics(g, f"the gradient of the generator loss for {v.op.name}")
                 for g, v in zip(grads, var_list)]
        grads_d = [self._check_numerics(g, f"the gradient of the discriminator loss for {v.op.name}")
                   for g, v in zip(grads_d, var_list_d)]
        return loss, list(zip(grads, var_list)), loss_d, list(zip(grads_d, var_list_d))

    def _reset_host_state(self):
        super()._reset_host_state()
        # Variables initialized afresh: pre-training is due again.
        self._pretrain_remaining = getattr(self, "pretrain_steps", 0)

    def _resumed_at(self, t):
        if t > 0:  # pre-training happened before the first iteration
            self._pretrain_remaining = 0

    def _after_critic_update(self, train_d):
        """Hook for work that must follow each discriminator step (clipping)."""
        return train_d

    def _check_runnable(self):
        self._refuse_inside_average("run()")
        placeholders = [real.name for real in self.reals if real.op.type == "Placeholder"]
        if placeholders:
            raise ValueError(
                f"run() cannot feed the placeholder {placeholders[0]} bound in data. Either "
                "bind the observations themselves (data={x: x_batch} with a numpy array), or "
                "write the loop: for _ in range(inference.n_iter): info = "
                "inference.update(feed_dict={x_ph: next(batches)}); inference.print_progress(info)")
        # A placeholder deeper in the model (a BiGAN encoder reading x_ph while
        # the data are bound as an array) would fail inside TensorFlow.
        deeper = _placeholders_upstream(self.reals + self.fakes)
        if deeper:
            raise ValueError(
                f"run() cannot feed the placeholder {deeper[0]}, which the model reads. Build "
                "the model on the bound data instead (e.g. qz = encoder(inference.x_true) needs "
                "the batch tensor), or write the loop with update(feed_dict={...}).")

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
        The first call first runs the `pretrain_steps` discriminator steps.

        Args:
          feed_fn: callable returning a feed_dict (a fresh batch), called once
            per session step; None when the data need no feeding.

        Returns:
          dict: `t`, `loss` (generator loss of the generator step) and
          `loss_d` (discriminator loss of the last discriminator step).

        #### Examples

        ```python
        inference.initialize(disc_steps=5, pretrain_steps=100, n_iter=1000)
        tf.global_variables_initializer().run()
        for _ in range(inference.n_iter):
            info_dict = inference.iterate(lambda: {x_ph: next(batches)})
            inference.print_progress(info_dict)
        ```
        """
        next_feed = feed_fn if feed_fn is not None else (lambda: None)
        while self._pretrain_remaining > 0:
            self._step("Disc", next_feed(), counted=False)
            self._pretrain_remaining -= 1
        if self.disc_steps is None:
            return self._step(None, next_feed(), counted=True)
        for _ in range(self.disc_steps):
            loss_d = self._step("Disc", next_feed(), counted=False)["loss_d"]
        info_dict = self._step("Gen", next_feed(), counted=True)
        info_dict["loss_d"] = loss_d
        return info_dict

    def _step(self, variables, feed_dict, counted):
        self._refuse_inside_average("update()")
        if feed_dict is None:
            feed_dict = {}
        for real in self.reals:
            if real.op.type == "Placeholder" and real not in feed_dict:
                raise ValueError(
                    f"update() needs a batch for the placeholder {real.name} bound in data: "
                    "call inference.update(feed_dict={x_ph: batch}).")
        if variables not in self._counted_train:
            raise NotImplementedError(
                f"variables must be None (both), 'Gen' or 'Disc', got {variables!r}.")
        fetches = {"loss": self.loss, "loss_d": self.loss_d}
        if variables == "Gen":
            del fetches["loss_d"]
        elif variables == "Disc":
            del fetches["loss"]
        train_op = self._counted_train[variables] if counted else self._train_ops[variables]
        values, t = self._session_run(train_op, fetches, feed_dict, counted=counted)
        return {"t": t, "loss": values.get("loss", 0.0), "loss_d": values.get("loss_d", 0.0)}

    def _progress_values(self, info_dict):
        return {"Gen Loss": info_dict["loss"], "Disc Loss": info_dict["loss_d"]}
