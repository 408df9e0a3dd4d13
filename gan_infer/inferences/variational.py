"""Flexible variational families: normalizing flows mapped onto a prior's support.

A normal q cannot be right about a posterior with two modes, a crescent or
a bounded support. `flow_posterior(prior)` builds

    q(theta) = T_# N(u; m, diag(s^2)),    T = B_support o F_K o ... o F_1,

a diagonal normal pushed through K inverse autoregressive flows F_k (TFP's
`MaskedAutoregressiveFlow` inverted: one network pass to sample, and the
density of its own samples from the cache) and then through the bijector
B_support that TFP gives the prior for its support
(`experimental_default_event_space_bijector`: a scaled sigmoid onto a
bounded uniform's box, exp onto the positive half-line, the identity for an
unbounded prior; a sigmoid reads its input clipped at +-80, see
`GradientSafeSigmoid`). The density follows from the change of variables,

    log q(theta) = log N(u; m, s) - sum_k log |det dF_k / du_k| - log |det dB / dv|,

so q is a random variable with a density, usable as `qtheta` in
`ImplicitKLqp({theta: qtheta}, ..., global_vars={theta: qtheta})`. m and
s start at the moments of the prior's draws mapped back through
B_support^-1, so q starts near the prior.

References:
  Kingma et al. (2016), Improved Variational Inference with Inverse
    Autoregressive Flow.
  Papamakarios, Pavlakou and Murray (2017), Masked Autoregressive Flow for
    Density Estimation.
"""

import tensorflow.compat.v1 as tf
import tensorflow_probability as tfp

from gan_infer.models.random_variable import RandomVariable
from gan_infer.util.checks import check_int

__all__ = ["GradientSafeSigmoid", "flow_posterior", "support_bijector"]

tfb = tfp.bijectors
tfd = tfp.distributions

# Prior draws whose moments place q's base at the start.
_INIT_DRAWS = 4096


def support_bijector(prior):
    """The bijector from R^d onto the support of `prior` (event shape [d]).

    Raises:
      TypeError: `prior` is not a TFP distribution.
      ValueError: its event shape is not [d], its dtype not float32, or TFP
        has no bijector onto its support (a discrete prior).
    """
    if not isinstance(prior, tfd.Distribution):
        raise TypeError(
            "flow_posterior needs the prior as a tfp.distributions.Distribution with event "
            f"shape [d], got {type(prior).__name__}; wrap independent coordinates with "
            "tfd.Independent(..., reinterpreted_batch_ndims=1)."
        )
    event = prior.event_shape
    if event.rank != 1 or not event.is_fully_defined() or prior.batch_shape.rank != 0:
        raise ValueError(
            f"flow_posterior needs a prior with event shape [d] and no batch shape; got event "
            f"shape {event} and batch shape {prior.batch_shape}. Wrap a batch of scalars as "
            "tfd.Independent(dist, reinterpreted_batch_ndims=1)."
        )
    if prior.dtype != tf.float32:
        raise ValueError(f"flow_posterior needs a float32 prior, got {prior.dtype}.")
    try:
        bijector = prior.experimental_default_event_space_bijector()
    except NotImplementedError:
        bijector = None
    if bijector is None:
        raise ValueError(
            f"flow_posterior cannot map a flow onto the support of {type(prior).__name__}: "
            "TFP gives it no bijector onto its support (a discrete prior?). Use a continuous "
            "prior, or build q yourself from a tfd.TransformedDistribution."
        )
    return bijector


class GradientSafeSigmoid(tfb.Bijector):
    """A TFP sigmoid bijector whose forward gradient stays finite however far out x is.

    TFP's `Sigmoid` computes exp(|x|) on a branch that `tf.where` discards;
    past |x| = 88.7 it overflows float32 and the discarded branch's gradient,
    inf * 0, is NaN. A flow whose tail reaches that far (one draw in a
    million is enough) then turns every variable of q into NaN: slcp's
    observation 2 in the SBI benchmark did so at update 12,875. Here forward
    reads x clipped at +-`limit` (80): the float32 sigmoid is saturated there,
    so the value is the same, and the gradient past the clip is 0 where the
    exact one is below 1e-34. The log-Jacobian reads x itself (TFP computes
    it stably), so q's density of its own draws stays exact.
    """

    def __init__(self, sigmoid, limit=80.0):
        parameters = dict(locals())
        self.sigmoid = sigmoid
        self.limit = limit
        super().__init__(
            forward_min_event_ndims=0,
            validate_args=False,
            parameters=parameters,
            name=f"gradient_safe_{sigmoid.name}",
        )

    def _forward(self, x):
        return self.sigmoid.forward(tf.clip_by_value(x, -self.limit, self.limit))

    def _inverse(self, y):
        return self.sigmoid.inverse(y)

    def _forward_log_det_jacobian(self, x):
        return self.sigmoid.forward_log_det_jacobian(x, event_ndims=0)

    def _inverse_log_det_jacobian(self, y):
        return self.sigmoid.inverse_log_det_jacobian(y, event_ndims=0)


def flow_posterior(prior, layers=3, hidden_units=(64, 64), name="qtheta"):
    """A normalizing-flow random variable over the support of `prior`.

    Args:
      prior: tfp.distributions.Distribution, float32, event shape [d],
        continuous (uniform box, log-normal, normal, ...).
      layers: int. Inverse autoregressive flows stacked (default 3; 0 gives
        a diagonal normal mapped onto the support). Consecutive flows see
        the coordinates in reversed order.
      hidden_units: the hidden layers of each flow's autoregressive
        network (MADE; default two of 64 units).
      name: str. The variable scope of q's variables.

    Returns:
      RandomVariable of shape [d] whose distribution is the flow; its
      variables are trainable and created under `name`.

    #### Examples

    ```python
    from gan_infer.inferences.variational import flow_posterior

    prior = tfp.distributions.Independent(
        tfp.distributions.Uniform(-tf.ones(2), tf.ones(2)), reinterpreted_batch_ndims=1
    )
    qtheta = flow_posterior(prior, layers=2, hidden_units=(8,))
    draws = qtheta.sample(100)
    tf.global_variables_initializer().run()
    values, log_q = sess.run([draws, qtheta.log_prob(draws)])
    assert values.shape == (100, 2) and np.all(np.abs(values) < 1.0)
    ```
    """
    support = support_bijector(prior)
    layers = check_int(layers, "layers", minimum=0)
    dim = int(prior.event_shape[0])
    with tf.variable_scope(None, default_name=name):
        unconstrained = support.inverse(prior.sample(_INIT_DRAWS))
        mean, variance = tf.nn.moments(unconstrained, axes=[0])
        loc = tf.get_variable("loc", initializer=mean)
        # softplus^-1 of the prior's spread: q starts as wide as the prior.
        raw_scale = tf.get_variable(
            "raw_scale", initializer=tfp.math.softplus_inverse(tf.sqrt(variance) + 1e-3)
        )
        base = tfd.Independent(tfd.Normal(loc, tf.nn.softplus(raw_scale)), 1)
        flows = []
        for k in range(layers if dim > 1 else 0):
            made = tfb.AutoregressiveNetwork(
                params=2,
                hidden_units=list(hidden_units),
                activation="relu",
                # Small weights: each flow starts near the identity, so q starts
                # at the base, the prior's moments.
                kernel_initializer=tf.keras.initializers.VarianceScaling(0.01),
                name=f"made_{k}",
            )
            flows.append(tfb.Invert(tfb.MaskedAutoregressiveFlow(made)))
            flows.append(tfb.Permute(list(reversed(range(dim)))))
        if isinstance(support, tfb.Sigmoid):
            support = GradientSafeSigmoid(support)
        # Chain applies its list right to left: flows first, the support last.
        chain = tfb.Chain([support] + list(reversed(flows)))
        q = tfd.TransformedDistribution(base, chain)
        return RandomVariable(q)
