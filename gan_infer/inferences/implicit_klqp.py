"""Likelihood-free variational inference (Tran, Ranganath and Blei, 2017)."""

import inspect

import numpy as np
import tensorflow.compat.v1 as tf

from gan_infer.inferences import losses
from gan_infer.inferences.blur import blurred, checked_blur
from gan_infer.inferences.data import check_binding
from gan_infer.inferences.discriminator_calls import call_discriminator, checked_logits
from gan_infer.inferences.two_player import TwoPlayerInference
from gan_infer.models import copy
from gan_infer.models.random_variable import RandomVariable
from gan_infer.util.checks import check_number

__all__ = ["ImplicitKLqp", "RATIO_LOSSES"]

#: Losses of the ratio estimator r, by name: each takes r on samples of the
#: model (label 1) and on the data with the posterior's draws (label 0).
RATIO_LOSSES = {"log": losses.discriminator_loss, "hinge": losses.hinge_discriminator_loss}


class ImplicitKLqp(TwoPlayerInference):
    """Variational inference with implicit likelihoods and posteriors
    (hierarchical implicit models; Tran, Ranganath and Blei, 2017).

    The model is a program with global variables beta, local variables z_n
    and observations x_n, whose likelihood p(x_n, z_n | beta) can be
    sampled but not evaluated (a simulator, or noise pushed through a
    network). The variational family is q(beta) q(z_n | x_n, beta): q(beta)
    has a density (it is a random variable of `gan_infer.models`), q(z_n |
    ...) need only be sampled. The KL objective

        ELBO = E_q[log p(beta) - log q(beta)
                   + sum_n log p(x_n, z_n | beta) - log q(x_n, z_n | beta)] + const

    (q(x_n) the empirical distribution of the data) needs the log ratio
    r(x_n, z_n, beta) = log p(x_n, z_n | beta) / q(x_n, z_n | beta), which
    no density gives. A ratio estimator (the `discriminator`) learns it: it
    tells samples of the model, (x, z) ~ p(x, z | beta'), from the data
    with the posterior's draws, (x_n, z ~ q(z | x_n, beta')), beta' ~
    q(beta) for both; at the optimum of the log loss its logit is r. Then

        loss_d = ratio_loss(r(model samples), r(data, posterior draws))
        loss   = -(log p(beta') - log q(beta') + sum_x scale[x] * sum_n r(x_n, z_n, beta'))

    are minimised alternately, the first over the estimator's variables
    (under "Disc"), the second over every other trainable variable (q's),
    by reparameterised gradients through beta' and z.

    The model's samples are drawn jointly: z' ~ p(z | beta'), then x ~
    p(x | z', beta'). Edward 1.3.5 simulated x from the posterior's z
    instead, paired with the prior's z': such a pair is not a draw of
    p(x, z | beta), so its estimator's logit was not the log ratio the
    objective needs (in a model where x copies z, Edward's pairs have x
    unrelated to z, which the estimator tells from the data without
    learning the likelihood).

    It stands on the two-player core (`TwoPlayerInference`), as the GAN
    family does, so every option of training applies: optimizers,
    `n_iter`, `n_print`, `disc_steps` (k estimator steps per posterior
    step), `pretrain_steps`, `weight_clip` (of the estimator's weights),
    `ema_decay` (q read at the moving average of its weights, inside
    `averaged_generator()`), `logdir`, `checkpoint_dir`, `debug`, `jit`.

    Blur (`initialize(blur=h)`): the estimator sees every observation with
    Gaussian noise of width h added, on both sides, x + h e and x_n + h e,
    e ~ N(0, I). Its optimal logit is then the log ratio of the blurred
    model, p_h(x | beta) = integral p(x' | beta) N(x; x', h^2 I) dx', and q
    targets (averaged over the data's noise; exactly, in its dependence on
    beta, when the model's noise is Gaussian) the posterior of the model
    whose noise is widened by h: for a simulator with one observation, ABC
    with a Gaussian kernel of width h. It helps where the data are much narrower than the model's
    noise, or a single point: the boundary between the two sides is then
    sharp and the estimator draws it only roughly, while q's gradient reads
    its slope (docs/implicit_models.md, items 8 and 9; the regression
    example, h = 0.3: means within 2 exact std instead of 1-7 std off).

    #### Examples

    Edward's unit test: a ratio estimator that knows log p(z) up to a
    learnt constant brings q's mean to the prior's.

    ```python
    from gan_infer.models import Normal

    z = Normal(loc=5.0, scale=1.0)
    qz = Normal(loc=tf.Variable(0.0), scale=tf.nn.softplus(tf.Variable(0.5)))

    def ratio_estimator(data, local_vars, global_vars):
        w = tf.get_variable("w", [])
        return z.log_prob(local_vars[z]) + w

    inference = ed.ImplicitKLqp({z: qz}, discriminator=ratio_estimator)
    inference.run(n_iter=200, n_print=0)
    ```
    """

    def __init__(self, latent_vars, data=None, discriminator=None, global_vars=None):
        """Create an inference algorithm.

        Args:
          latent_vars: dict. Binds each latent random variable of the model
            (global and local) to its variational approximation, a random
            variable (or, for a local variable, a tensor) of the same shape:
            `{z: qz, beta: qbeta}`.
          data: dict, optional. Binds the model's observed random variables
            (or tensors) to observations: placeholders or numpy arrays of the
            same shape, as `GANInference` accepts.
          discriminator: callable `(data, local_vars, global_vars) -> r`, the
            ratio estimator, called with three dicts keyed by the model's
            random variables (observations, local draws, global draws), first
            on the model's samples under `variable_scope("Disc")`, then on
            the data with `reuse=True`. It returns logits, one per data
            point, or a dict of them keyed by observed variable when `scale`
            differs between several of them.
          global_vars: dict or list, optional. The global subset of
            `latent_vars` (`{beta: qbeta}`, or the keys); they need
            densities (log p(beta) - log q(beta) enters the objective).
            Default none: every latent variable is local.
        """
        if not callable(discriminator):
            raise TypeError(
                "ImplicitKLqp needs discriminator=ratio_estimator, a callable (data, "
                "local_vars, global_vars) -> logits; got "
                f"{type(discriminator).__name__}."
            )
        _check_ratio_estimator_arity(discriminator)
        if not isinstance(latent_vars, dict) or not latent_vars:
            raise TypeError(
                "ImplicitKLqp needs latent_vars as a non-empty dict binding the model's latent "
                "random variables to their approximations, e.g. {z: qz}; got "
                f"{latent_vars!r}."
            )
        global_vars = _global_subset(latent_vars, global_vars)
        for z, qz in latent_vars.items():
            _check_latent_pair(z, qz, z in global_vars)
        if data is not None and not isinstance(data, dict):
            raise TypeError(
                "ImplicitKLqp needs data as a dict binding the model's observed variables to "
                f"observations, e.g. data={{x: x_ph}}; got {type(data).__name__}."
            )
        for z in latent_vars:
            if data is not None and z in data:
                raise ValueError(
                    f"{z.name} is bound both in data (observed) and in latent_vars (inferred): "
                    "a variable is one or the other. Keep it in data to condition on its "
                    "values, or in latent_vars to infer it."
                )
        super().__init__(latent_vars, data, discriminator)
        self.global_vars = global_vars
        _check_local_vars(latent_vars, global_vars, self.data)

    def initialize(self, *args, ratio_loss="log", scale=None, blur=None, **kwargs):
        """Build the objective and the training ops.

        Args:
          ratio_loss: keyword-only. 'log' (default: the logistic loss, whose
            optimal logit is the log density ratio), 'hinge', or a callable
            `(r_p, r_q) -> loss` of the estimator's logits on the model's
            samples and on the data.
          scale: dict, optional, keyword-only. Weight of each observed
            variable's ratio in the objective, `{x: N / M}` when the data
            are a mini-batch of M of N data points. Default 1.
          blur: optional, keyword-only. Width h of the Gaussian noise added
            to the observations on both sides before the estimator sees
            them (class docstring): one width for every observed variable,
            an array of one width per summary (the last axis), or `{x: h}`.
            Default none.
          *args, **kwargs: passed to `TwoPlayerInference.initialize`
            (optimizers first, as on every adversarial inference; then
            `n_iter`, `n_print`, `disc_steps`, `ema_decay`, `logdir`,
            `checkpoint_dir`, `debug`, ... by keyword).
        """
        gan_only = [n for n in ("loss", "gradient_penalty", "feature_matching") if n in kwargs]
        if gan_only:
            raise ValueError(
                f"ImplicitKLqp.initialize() does not take {gan_only[0]}=: its objective is the "
                "variational bound, and the ratio estimator's loss is ratio_loss= "
                f"({', '.join(RATIO_LOSSES)} or a callable)."
            )
        if not callable(ratio_loss) and ratio_loss not in RATIO_LOSSES:
            raise ValueError(
                f"ratio_loss must be one of {', '.join(map(repr, RATIO_LOSSES))} or a callable "
                f"(r_p, r_q) -> loss, got {ratio_loss!r}."
            )
        self.refuse_reinitialize()  # before the options of the first call are replaced
        self.ratio_loss = RATIO_LOSSES.get(ratio_loss, ratio_loss)
        self.scale = _checked_scale(scale, self.data)
        self.blur = checked_blur(blur, self.data)
        super().initialize(*args, **kwargs)

    def build_loss_and_gradients(self, var_list):
        """The variational objective and the ratio estimator's loss (see the
        class docstring); returns `(loss, grads_and_vars, loss_d,
        grads_and_vars_d)` as every GAN-family algorithm does."""
        scope = tf.get_default_graph().unique_name("inference")
        qbeta_sample, log_p_beta, log_q_beta = {}, 0.0, 0.0
        for beta, qbeta in self.global_vars.items():
            qbeta_sample[beta] = _value(qbeta)
            log_p_beta += tf.reduce_sum(beta.log_prob(qbeta_sample[beta]))
            log_q_beta += tf.reduce_sum(qbeta.log_prob(qbeta_sample[beta]))

        # The model's side: z' ~ p(z | beta'), then x ~ p(x | z', beta'); the
        # data's side: z ~ q(z | x_n, beta').
        pz_sample, qz_sample = {}, {}
        for z, qz in self.latent_vars.items():
            if z not in self.global_vars:
                pz_sample[z] = _value(copy(z, dict_swap=qbeta_sample, scope=scope))
                qz_sample[z] = _value(qz)
        # Copies into one scope share their nodes, so x's copy reads the z'
        # copied above: (x, z') is one joint draw.
        x_psample = {x: _value(copy(x, dict_swap=qbeta_sample, scope=scope)) for x in self.data}
        x_psample = blurred(x_psample, self.blur)
        x_qsample = blurred(self.data, self.blur)

        r_psample = self._checked_ratio(
            call_discriminator(
                self.discriminator, [x_psample, pz_sample, qbeta_sample], reuse=False
            )
        )
        r_qsample = self._checked_ratio(
            call_discriminator(self.discriminator, [x_qsample, qz_sample, qbeta_sample], True)
        )
        # Kept for monitors and tests: the estimator's logits on both sides.
        self.r_psample, self.r_qsample = r_psample, r_qsample
        self.x_psample, self.x_qsample = x_psample, x_qsample
        self.pz_sample, self.qz_sample = pz_sample, qz_sample

        loss_d, scaled_ratio = self._ratio_terms(r_psample, r_qsample)
        loss = -(log_p_beta - log_q_beta + scaled_ratio)
        if self.logging:
            self.summaries.scalar("ratio/model_samples", tf.reduce_mean(_flat(r_psample)))
            self.summaries.scalar("ratio/data", tf.reduce_mean(_flat(r_qsample)))
        return self.regularized_gradients(loss, loss_d, var_list)

    def _checked_ratio(self, output):
        """The estimator's logits: one per data point of each observed
        variable (a scalar when there are no data), never probabilities."""
        if isinstance(output, (tuple, list)):
            raise ValueError(
                f"The ratio estimator returned a {type(output).__name__} of {len(output)} items; "
                "ImplicitKLqp reads one output: the logits, one per data point (or a dict of "
                "them keyed by observed variable). Return only the logits."
            )
        if isinstance(output, dict):
            return {x: _checked_ratio_logits(r, [self.data[x]]) for x, r in output.items()}
        return _checked_ratio_logits(output, list(self.data.values()))

    def _ratio_loss(self, r_psample, r_qsample):
        # A callable may return one loss per data point: its mean is the loss.
        return tf.reduce_mean(self.ratio_loss(r_psample, r_qsample))

    def _ratio_terms(self, r_psample, r_qsample):
        """(the estimator's loss, sum_x scale[x] * sum_n r_q(x_n))."""
        if isinstance(r_psample, dict) != isinstance(r_qsample, dict):
            raise ValueError(
                "The ratio estimator must return the same kind of value (a tensor, "
                "or a dict by observed variable) on both calls."
            )
        if not isinstance(r_psample, dict):
            if len(set(self.scale.values())) > 1:
                raise ValueError(
                    "scale gives the observed variables different weights, so the ratio "
                    "estimator must return a dict of logits keyed by observed variable."
                )
            scale = next(iter(self.scale.values()), 1.0)
            r_psample, r_qsample = tf.convert_to_tensor(r_psample), tf.convert_to_tensor(r_qsample)
            return (self._ratio_loss(r_psample, r_qsample), tf.reduce_sum(scale * r_qsample))
        if set(r_psample) != set(self.data) or set(r_qsample) != set(self.data):
            raise ValueError(
                "A ratio estimator returning a dict needs one entry per observed variable of data."
            )
        loss_d = tf.add_n([self._ratio_loss(r_psample[x], r_qsample[x]) for x in self.data])
        scaled = tf.add_n([self.scale.get(x, 1.0) * tf.reduce_sum(r_qsample[x]) for x in self.data])
        return loss_d, scaled


def _value(variable):
    return variable.value if isinstance(variable, RandomVariable) else variable


def _flat(logits):
    if isinstance(logits, dict):
        return tf.concat([tf.reshape(v, [-1]) for v in logits.values()], axis=0)
    return tf.reshape(logits, [-1])


def _check_ratio_estimator_arity(discriminator):
    try:
        signature = inspect.signature(discriminator)
    except (TypeError, ValueError):  # builtins: nothing to check
        return
    try:
        signature.bind(None, None, None)
    except TypeError:
        raise ValueError(
            "ImplicitKLqp calls the ratio estimator with three dicts, (data, local_vars, "
            f"global_vars); its signature is {signature}."
        ) from None


def _global_subset(latent_vars, global_vars):
    if global_vars is None:
        return {}
    if not isinstance(global_vars, dict):
        try:
            global_vars = {key: latent_vars[key] for key in global_vars}
        except (KeyError, TypeError):
            raise ValueError(
                "global_vars must be the global subset of latent_vars: a dict "
                "{beta: qbeta} or a list of latent_vars' keys."
            ) from None
    for beta, qbeta in global_vars.items():
        if beta not in latent_vars or latent_vars[beta] is not qbeta:
            raise ValueError(
                f"global_vars must be a subset of latent_vars; {getattr(beta, 'name', beta)} is "
                "not bound to the same approximation in latent_vars."
            )
        if not isinstance(beta, RandomVariable) or not isinstance(qbeta, RandomVariable):
            raise TypeError(
                "A global variable and its approximation must be random variables (their "
                "densities enter the objective: log p(beta) - log q(beta))."
            )
    return dict(global_vars)


def _check_latent_pair(z, qz, is_global):
    if not isinstance(z, RandomVariable):
        raise TypeError(
            f"latent_vars keys must be the model's random variables, got {type(z).__name__}."
        )
    if not isinstance(qz, (RandomVariable, tf.Tensor)):
        raise TypeError(
            f"latent_vars binds {z.name} to a {type(qz).__name__}; bind it to a "
            "random variable (or, for a local variable, a tensor)."
        )
    q_value = _value(qz)
    check_binding(
        "latent_vars",
        z.name,
        z.value,
        "an approximation",
        q_value,
        "q must have its prior's shape.",
    )


def _checked_ratio_logits(logits, observations):
    """One logit per data point: [N] or [N, 1], N the observations' batch size
    (a scalar when no data are bound)."""
    logits = tf.convert_to_tensor(logits)
    if not observations:
        if logits.shape.rank not in (None, 0) and logits.shape.num_elements() != 1:
            raise ValueError(
                f"The ratio estimator returned logits of shape {logits.shape}, but no data are "
                "bound: it must return one logit, a scalar."
            )
        checked_logits(tf.reshape(logits, [1]), who="The ratio estimator")  # not a sigmoid
        return logits
    logits = checked_logits(logits, who="The ratio estimator")
    batch = (
        tf.compat.dimension_value(observations[0].shape[0]) if observations[0].shape.rank else None
    )
    rows = tf.compat.dimension_value(logits.shape[0])
    if batch is not None and rows is not None and rows != batch:
        raise ValueError(
            f"The ratio estimator returned {rows} logits, but the data hold {batch} data "
            "points: return one logit per data point, of shape [N] or [N, 1]."
        )
    return logits


def _check_local_vars(latent_vars, global_vars, data):
    """A latent variable ImplicitKLqp treats as local needs one value per data point."""
    batches = {tf.compat.dimension_value(x.shape[0]) for x in data.values() if x.shape.rank} - {
        None
    }
    if not batches:
        return  # no data (or of unknown batch size): nothing to compare with
    for z in latent_vars:
        if z in global_vars:
            continue
        shape = z.value.shape
        first = tf.compat.dimension_value(shape[0]) if shape.rank else None
        if shape.rank == 0 or (first is not None and first not in batches):
            raise ValueError(
                f"latent_vars binds {z.name} of shape {shape}, which global_vars leaves out, so "
                "ImplicitKLqp treats it as local, one value per data point (a leading dimension "
                f"of {min(batches)}); a variable shared by all data points is global: name it "
                "in global_vars, e.g. ImplicitKLqp({mu: qmu}, data=..., discriminator=..., "
                "global_vars=[mu])."
            )


def _checked_scale(scale, data):
    if scale is None:
        return {}
    if not isinstance(scale, dict):
        raise TypeError(
            f"scale must be a dict {{x: N / M}} keyed by observed variables, got "
            f"{type(scale).__name__}."
        )
    for key, weight in scale.items():
        if key not in data:
            raise ValueError(
                f"scale has the key {getattr(key, 'name', key)!r}, which is not in data; its "
                "keys are the observed variables that data binds."
            )
        name = getattr(key, "name", key)
        if isinstance(weight, tf.Tensor):
            static = tf.get_static_value(weight)
            if static is not None and not np.all(np.asarray(static) > 0):
                raise ValueError(
                    f"scale[{name}] is a tensor holding {static}; a scale is a positive weight "
                    "(N / M)."
                )
            # A fed or computed scale is checked when it is read, at every step.
            positive = tf.debugging.assert_positive(
                weight, message=f"scale[{name}] must be a positive weight (N / M)"
            )
            with tf.control_dependencies([positive]):
                scale = {**scale, key: tf.identity(weight)}
        else:
            check_number(
                weight,
                f"scale[{getattr(key, 'name', key)}]",
                low=0.0,
                inclusive=False,
                what="a positive number (N / M) or a tensor",
            )
    return dict(scale)
