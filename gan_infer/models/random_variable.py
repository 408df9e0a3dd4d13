"""RandomVariable: a TFP distribution together with a sample tensor in the graph."""

import tensorflow.compat.v1 as tf
import tensorflow_probability as tfp

from gan_infer.util.seeds import fresh_seed
from gan_infer.util.session import get_session, require_graph_mode

__all__ = ["RandomVariable", "random_variables"]

tfd = tfp.distributions

# Every random variable is recorded on its graph (as util.seeds records the
# step seed) so that `copy` can tell which tensors of a graph are draws of a
# random variable, and re-create that random variable rather than its ops.
# An attribute of the graph lives exactly as long as the graph; a graph
# collection would be written (with a warning) into every exported MetaGraph.
_REGISTRY = "_gan_infer_random_variables"

# Python comparison operators stay identity-based: a random variable is a
# dictionary key in `data={x: x_ph}`, which needs __eq__/__hash__ by identity.
_OPERATORS = sorted(op for op in tf.Tensor.OVERLOADABLE_OPERATORS if op not in ("__eq__", "__ne__"))


class RandomVariable:
    """A random variable: a distribution and the tensor it was drawn to.

    A random variable *is* a tensor of the graph: it converts to its sample
    tensor wherever TensorFlow expects one (`tf.matmul(z, w)`,
    `layers.dense(z, 128)`), supports Python's arithmetic operators and
    indexing, and can be fetched or fed by `sess.run`. Methods of the
    distribution (`log_prob`, `mean`, `stddev`, `sample`, ...) are reachable
    on the random variable itself.

    For a distribution with batch shape B and event shape E, the random
    variable's tensor has shape `sample_shape + B + E`.

    #### Examples

    ```python
    import tensorflow.compat.v1 as tf
    import tensorflow_probability as tfp
    from gan_infer.models import Normal, RandomVariable

    tf.disable_eager_execution()
    z = Normal(loc=tf.zeros(10), scale=1.0)           # shape [10]
    x = Normal(z, 0.1, sample_shape=[5])               # shape [5, 10]
    y = RandomVariable(tfp.distributions.Laplace(0.0, 1.0), sample_shape=[3])
    x.log_prob(0.0), x.mean(), (2.0 * x + 1.0)
    ```
    """

    # Let numpy defer to our reflected operators (np_array + rv -> rv.__radd__).
    __array_priority__ = 100

    def __init__(self, distribution, sample_shape=(), value=None):
        """Create a random variable.

        Args:
          distribution: tfp.distributions.Distribution.
          sample_shape: int or list of int. Shape of the draw, prepended to
            the distribution's batch and event shape.
          value: tensor-like, optional. A fixed value for the random variable
            instead of a fresh sample (Edward's `value=` argument); it must
            have shape `sample_shape + batch_shape + event_shape`.
        """
        require_graph_mode(f"gan_infer.models.{type(self).__name__}")
        if not isinstance(distribution, tfd.Distribution):
            raise TypeError(
                "RandomVariable needs a tfp.distributions.Distribution, got "
                f"{type(distribution).__name__}. Wrap the distribution, e.g. "
                "RandomVariable(tfp.distributions.Laplace(0.0, 1.0))."
            )
        self._distribution = distribution
        self._sample_shape = _as_sample_shape(sample_shape)
        if value is None:
            # A stateless draw from the step seed (gan_infer.util.seeds): an
            # inference makes the noise of step t a function of (seed, t), so
            # a resumed run draws what an uninterrupted one would.
            self._value = distribution.sample(self._sample_shape.as_list(), seed=fresh_seed())
        else:
            value = tf.convert_to_tensor(value, dtype=distribution.dtype)
            expected = self._sample_shape.concatenate(distribution.batch_shape).concatenate(
                distribution.event_shape
            )
            if not value.shape.is_compatible_with(expected):
                raise ValueError(
                    f"value has shape {value.shape}, but this random variable has "
                    f"shape {expected} (sample_shape + batch_shape + event_shape)."
                )
            self._value = value
        self._has_fixed_value = value is not None
        _register(self)

    @property
    def distribution(self):
        """The tfp.distributions.Distribution this random variable follows."""
        return self._distribution

    @property
    def sample_shape(self):
        """The sample shape used to draw `value`, as a tf.TensorShape."""
        return self._sample_shape

    @property
    def value(self):
        """The tensor this random variable stands for in the graph."""
        return self._value

    @property
    def has_fixed_value(self):
        """Whether `value` was given at construction rather than drawn."""
        return self._has_fixed_value

    @property
    def shape(self):
        return self._value.shape

    @property
    def dtype(self):
        return self._value.dtype

    def _as_graph_element(self):
        # TensorFlow's protocol for objects that stand for a tensor: it makes
        # `sess.run(rv)` fetch the sample and `feed_dict={rv: value}` feed it.
        return self.value

    @property
    def graph(self):
        return self._value.graph

    @property
    def name(self):
        return self._value.name

    def get_shape(self):
        return self._value.get_shape()

    def eval(self, session=None, feed_dict=None):
        """Evaluate the sample tensor (in `get_session()` unless one is given)."""
        session = session if session is not None else get_session()
        return session.run(self._value, feed_dict=feed_dict)

    def sample(self, sample_shape=(), seed=None):
        """A fresh draw from the distribution (a new op; does not change `value`)."""
        return self._distribution.sample(sample_shape, seed=seed)

    def __getattr__(self, name):
        # Called only for names not found normally: delegate to the
        # distribution (log_prob, mean, stddev, entropy, batch_shape, ...).
        if name.startswith("__") or name == "_distribution":
            raise AttributeError(name)
        try:
            return getattr(self._distribution, name)
        except AttributeError:
            raise AttributeError(
                f"'{type(self).__name__}' random variable has no attribute {name!r} "
                f"(neither has its {type(self._distribution).__name__} distribution)"
            ) from None

    def __repr__(self):
        return (
            f"<gan_infer.models.{type(self).__name__} {self._value.name!r} "
            f"shape={self._value.shape} dtype={self._value.dtype.name}>"
        )

    def __str__(self):
        return self.__repr__()

    __hash__ = object.__hash__

    def __bool__(self):
        raise TypeError(
            "A random variable is a symbolic tensor and has no truth value in "
            "graph mode. Evaluate it first (sess.run(rv)) or use tf.cond/tf.where."
        )

    def __iter__(self):
        raise TypeError(
            "A random variable is a symbolic tensor and cannot be iterated. "
            "Index it (rv[i]) or use tf.unstack(rv)."
        )


def random_variables(graph=None):
    """The random variables built in `graph` (default: the default graph), oldest first.

    #### Examples

    ```python
    z = ed.models.Normal(0.0, 1.0)
    x = ed.models.Normal(z, 0.1, sample_shape=[5])
    assert ed.models.random_variables()[-2:] == [z, x]
    ```
    """
    graph = graph if graph is not None else tf.get_default_graph()
    return list(getattr(graph, _REGISTRY, ()))


def _register(rv):
    graph = rv.value.graph
    registry = getattr(graph, _REGISTRY, None)
    if registry is None:
        registry = []
        setattr(graph, _REGISTRY, registry)
    registry.append(rv)


def _as_sample_shape(sample_shape):
    if isinstance(sample_shape, int):
        sample_shape = [sample_shape]
    try:
        shape = tf.TensorShape(sample_shape)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"sample_shape must be an int or a list of ints, got {sample_shape!r}."
        ) from error
    if not shape.is_fully_defined():
        raise ValueError(f"sample_shape must be fully defined, got {sample_shape!r}.")
    return shape


def _make_operator(operator):
    tensor_method = getattr(tf.Tensor, operator)

    def method(self, *args):
        return tensor_method(self._value, *args)

    method.__name__ = operator
    # A pointer rather than tf.Tensor's own docstring: those carry examples
    # written for eager tensors, which do not run on a graph's random variable.
    method.__doc__ = f"`tf.Tensor.{operator}` applied to the random variable's value."
    return method


for _operator in _OPERATORS:
    setattr(RandomVariable, _operator, _make_operator(_operator))


def _to_tensor(rv, dtype=None, name=None, as_ref=False):
    del name, as_ref  # a random variable's value is never a reference
    if dtype is not None and not tf.as_dtype(dtype).is_compatible_with(rv.dtype):
        raise ValueError(
            f"Cannot use random variable {rv.name} of dtype {rv.dtype.name} where "
            f"dtype {tf.as_dtype(dtype).name} is requested; cast it with tf.cast."
        )
    return rv.value


tf.register_tensor_conversion_function(RandomVariable, _to_tensor)
