"""The modelling language: random variables over TFP distributions.

`from gan_infer.models import Uniform, Normal, Bernoulli, Categorical, Beta,
Gamma, Exponential, MultivariateNormalDiag, Mixture, ...`: one class per
distribution in `tfp.distributions`, plus `RandomVariable` (wrap any
distribution instance) and `wrap` (make a class for any distribution class).
"""
from gan_infer.models.distributions import *  # noqa: F401,F403
from gan_infer.models.distributions import __all__ as _distribution_names
from gan_infer.models.random_variable import RandomVariable

__all__ = ["RandomVariable"] + list(_distribution_names)
