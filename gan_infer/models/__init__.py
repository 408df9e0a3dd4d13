"""The modelling language: random variables over TFP distributions.

`from gan_infer.models import Uniform, Normal, Bernoulli, Categorical, Beta,
Gamma, Exponential, MultivariateNormalDiag, Mixture, ...`: one class per
distribution in `tfp.distributions`, plus `RandomVariable` (wrap any
distribution instance) and `wrap` (make a class for any distribution class);
`copy` re-creates part of a model with some nodes swapped, `dot` multiplies
a matrix and a vector, `random_variables` lists a graph's random variables.
"""

from gan_infer.models.distributions import *  # noqa: F401,F403
from gan_infer.models.distributions import __all__ as _distribution_names
from gan_infer.models.graph_copy import copy
from gan_infer.models.random_variable import RandomVariable, random_variables
from gan_infer.models.tensor_ops import dot

__all__ = ["RandomVariable", "copy", "dot", "random_variables"] + list(_distribution_names)
