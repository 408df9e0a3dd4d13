"""Random-variable classes for TensorFlow Probability's distributions.

Every concrete distribution in `tfp.distributions` gets a class of the same
name here whose constructor takes TFP's own positional and keyword arguments
plus `sample_shape` and `value`: `Uniform(low, high)`, `Normal(loc, scale,
sample_shape=[M, 1])`, `Mixture(cat, components)`. The classes are generated
rather than written out so that they track TFP exactly; `wrap` builds one for
any other distribution class (a user's own, or one TFP adds later).
"""

import inspect

import tensorflow_probability as tfp

from gan_infer.models.random_variable import RandomVariable

tfd = tfp.distributions

# Constructor arguments that take distributions rather than tensors. A random
# variable passed there stands for its distribution; anywhere else it stands
# for its sample tensor.
_DISTRIBUTION_ARGUMENTS = frozenset(
    {
        "distribution",
        "distributions",
        "cat",
        "components",
        "mixture_distribution",
        "components_distribution",
    }
)


def _as_distribution(value):
    if isinstance(value, RandomVariable):
        return value.distribution
    if isinstance(value, (list, tuple)):
        return type(value)(_as_distribution(item) for item in value)
    return value


def wrap(distribution_class, name=None):
    """Make a RandomVariable class for a TFP-style distribution class.

    Args:
      distribution_class: a subclass of tfp.distributions.Distribution.
      name: str, optional. The class name (default: the distribution's).

    Returns:
      A RandomVariable subclass whose constructor is
      `(*args, sample_shape=(), value=None, **kwargs)`, where args and kwargs
      go to `distribution_class`.

    #### Examples

    ```python
    Laplace = gan_infer.models.wrap(tfp.distributions.Laplace)
    noise = Laplace(loc=0.0, scale=1.0, sample_shape=[128, 100])
    ```
    """
    if not (
        inspect.isclass(distribution_class) and issubclass(distribution_class, tfd.Distribution)
    ):
        raise TypeError(
            f"wrap() needs a tfp.distributions.Distribution subclass, got {distribution_class!r}."
        )
    signature = inspect.signature(distribution_class.__init__)

    def __init__(self, *args, sample_shape=(), value=None, **kwargs):
        try:
            bound = signature.bind_partial(None, *args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{type(self).__name__}{signature}: {error}") from None
        arguments = {
            key: (_as_distribution(val) if key in _DISTRIBUTION_ARGUMENTS else val)
            for key, val in bound.arguments.items()
        }
        arguments.pop(next(iter(signature.parameters)))  # `self`
        distribution = distribution_class(**arguments)
        RandomVariable.__init__(self, distribution, sample_shape=sample_shape, value=value)

    name = name or distribution_class.__name__
    __init__.__doc__ = (
        f"Random variable following tfp.distributions.{distribution_class.__name__}.\n\n"
        f"Arguments as tfp.distributions.{distribution_class.__name__}{signature}, plus\n"
        "`sample_shape` (shape of the draw) and `value` (a fixed value instead of a draw)."
    )
    return type(
        name,
        (RandomVariable,),
        {
            "__init__": __init__,
            "__doc__": (distribution_class.__doc__ or "").split("\n\n")[0]
            + "\n\n"
            + __init__.__doc__,
            "__module__": "gan_infer.models",
        },
    )


def _concrete_distribution_classes():
    for name, member in vars(tfd).items():
        if (
            inspect.isclass(member)
            and issubclass(member, tfd.Distribution)
            and not inspect.isabstract(member)
            and not name.startswith("_")
            and member is not tfd.Distribution
            and "AutoComposite" not in name
        ):
            yield name, member


_GENERATED = {name: wrap(member, name) for name, member in _concrete_distribution_classes()}
globals().update(_GENERATED)
__all__ = sorted(_GENERATED) + ["wrap"]
