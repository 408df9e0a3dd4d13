"""Tests for gan_infer.models.distributions: generated random-variable classes."""

import inspect

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
import tensorflow_probability as tfp
from scipy import special, stats

import gan_infer
import gan_infer.models as models
from gan_infer.models import (
    Bernoulli,
    Beta,
    Categorical,
    Exponential,
    Gamma,
    Mixture,
    MultivariateNormalDiag,
    Normal,
    RandomVariable,
    Uniform,
    wrap,
)

tfd = tfp.distributions

NAMED_IN_THE_ISSUE = [
    "Uniform",
    "Normal",
    "Bernoulli",
    "Categorical",
    "Beta",
    "Gamma",
    "Exponential",
    "MultivariateNormalDiag",
    "Mixture",
]


@pytest.fixture
def sess():
    return gan_infer.get_session()


@pytest.mark.parametrize(
    "name", NAMED_IN_THE_ISSUE + ["Laplace", "MixtureSameFamily", "Independent"]
)
def test_a_class_exists_for_each_named_distribution(name):
    cls = getattr(models, name)
    assert inspect.isclass(cls) and issubclass(cls, RandomVariable)
    assert cls.__name__ == name
    assert name in models.__all__


def test_every_concrete_tfp_distribution_has_a_class():
    missing = []
    for name, member in vars(tfd).items():
        if (
            inspect.isclass(member)
            and issubclass(member, tfd.Distribution)
            and not inspect.isabstract(member)
            and not name.startswith("_")
            and member is not tfd.Distribution
            and "AutoComposite" not in name
        ):
            cls = getattr(models, name, None)
            if not (inspect.isclass(cls) and issubclass(cls, RandomVariable)):
                missing.append(name)
    assert not missing
    assert "RandomVariable" in models.__all__ and "wrap" in models.__all__


# --- positional and keyword arguments as in TFP -----------------------------


def test_uniform_positional_and_keyword(sess):
    a = Uniform(2.0, 5.0, sample_shape=[1000])
    b = Uniform(low=2.0, high=5.0)
    assert isinstance(a.distribution, tfd.Uniform)
    draws, mean_a, std_a, mean_b, lp = sess.run(
        [a, a.mean(), a.stddev(), b.mean(), a.log_prob(3.0)]
    )
    assert draws.shape == (1000,) and draws.min() >= 2.0 and draws.max() < 5.0
    np.testing.assert_allclose([mean_a, mean_b], [3.5, 3.5], rtol=1e-6)
    np.testing.assert_allclose(std_a, 3.0 / np.sqrt(12.0), rtol=1e-6)
    np.testing.assert_allclose(lp, -np.log(3.0), rtol=1e-6)


def test_normal_positional_and_keyword(sess):
    a, b, c = Normal(1.0, 2.0), Normal(loc=1.0, scale=2.0), Normal(1.0, scale=2.0)
    for rv in (a, b, c):
        np.testing.assert_allclose(
            sess.run([rv.mean(), rv.stddev(), rv.log_prob(0.3)]),
            [1.0, 2.0, stats.norm.logpdf(0.3, 1.0, 2.0)],
            rtol=1e-6,
        )


def test_normal_with_sample_shape_m_by_1(sess):
    x = Normal(4.0, 0.1, sample_shape=[12, 1])
    assert x.shape.as_list() == [12, 1]
    assert abs(sess.run(x).mean() - 4.0) < 0.2


def test_bernoulli(sess):
    rv = Bernoulli(probs=0.3, sample_shape=[4000])
    assert rv.dtype == tf.int32
    draws, mean, lp1, lp0 = sess.run([rv, rv.mean(), rv.log_prob(1), rv.log_prob(0)])
    assert set(np.unique(draws)) <= {0, 1}
    np.testing.assert_allclose(mean, 0.3, rtol=1e-6)
    np.testing.assert_allclose([lp1, lp0], np.log([0.3, 0.7]), rtol=1e-5)
    assert abs(draws.mean() - 0.3) < 0.05
    logits = Bernoulli(logits=np.float32(0.4))
    np.testing.assert_allclose(sess.run(logits.mean()), special.expit(0.4), rtol=1e-6)


def test_categorical(sess):
    probs = np.array([0.2, 0.5, 0.3], np.float32)
    rv = Categorical(probs=probs, sample_shape=[5])
    assert rv.dtype == tf.int32 and rv.shape.as_list() == [5]
    draws, lp = sess.run([rv, rv.log_prob([0, 1, 2, 1, 0])])
    assert set(np.unique(draws)) <= {0, 1, 2}
    np.testing.assert_allclose(lp, np.log(probs[[0, 1, 2, 1, 0]]), rtol=1e-5)
    batched = Categorical(logits=tf.zeros([2, 4]))
    assert batched.shape.as_list() == [2]
    np.testing.assert_allclose(sess.run(batched.log_prob([3, 0])), np.log([0.25, 0.25]), rtol=1e-6)


def test_beta(sess):
    rv = Beta(2.0, 3.0)
    kw = Beta(concentration1=2.0, concentration0=3.0)
    mean, var, lp, kw_mean = sess.run([rv.mean(), rv.variance(), rv.log_prob(0.3), kw.mean()])
    np.testing.assert_allclose(mean, 0.4, rtol=1e-6)
    np.testing.assert_allclose(kw_mean, 0.4, rtol=1e-6)
    np.testing.assert_allclose(var, stats.beta.var(2.0, 3.0), rtol=1e-5)
    np.testing.assert_allclose(lp, stats.beta.logpdf(0.3, 2.0, 3.0), rtol=1e-5)


def test_gamma(sess):
    rv = Gamma(3.0, 2.0)  # concentration, rate
    mean, std, lp = sess.run([rv.mean(), rv.stddev(), rv.log_prob(1.2)])
    np.testing.assert_allclose(mean, 1.5, rtol=1e-6)
    np.testing.assert_allclose(std, np.sqrt(3.0) / 2.0, rtol=1e-6)
    np.testing.assert_allclose(lp, stats.gamma.logpdf(1.2, 3.0, scale=0.5), rtol=1e-5)


def test_exponential(sess):
    rv = Exponential(rate=4.0, sample_shape=[2, 3])
    draws, mean, lp = sess.run([rv, rv.mean(), rv.log_prob(0.5)])
    assert draws.shape == (2, 3) and (draws >= 0).all()
    np.testing.assert_allclose(mean, 0.25, rtol=1e-6)
    np.testing.assert_allclose(lp, stats.expon.logpdf(0.5, scale=0.25), rtol=1e-5)


def test_multivariate_normal_diag(sess):
    loc = np.array([1.0, -1.0, 0.5], np.float32)
    scale = np.array([0.5, 2.0, 1.0], np.float32)
    rv = MultivariateNormalDiag(loc, scale_diag=scale, sample_shape=[4])
    assert rv.shape.as_list() == [4, 3]
    assert rv.batch_shape.as_list() == [] and rv.event_shape.as_list() == [3]
    v = np.array([0.2, 0.1, -0.4], np.float32)
    lp, mean, std = sess.run([rv.log_prob(v), rv.mean(), rv.stddev()])
    expected = stats.multivariate_normal.logpdf(v, loc, np.diag(scale**2))
    np.testing.assert_allclose(lp, expected, rtol=1e-5)
    np.testing.assert_allclose(mean, loc, rtol=1e-6)
    np.testing.assert_allclose(std, scale, rtol=1e-6)


def test_mixture_unwraps_random_variables(sess):
    cat = Categorical(probs=[0.3, 0.7])
    components = [Normal(-2.0, 1.0), Normal(3.0, 1.0)]
    rv = Mixture(cat=cat, components=components, sample_shape=[20000])
    assert isinstance(rv.distribution, tfd.Mixture)
    assert rv.distribution.cat is cat.distribution
    assert [c for c in rv.distribution.components] == [c.distribution for c in components]
    draws, mean, lp = sess.run([rv, rv.mean(), rv.log_prob(0.5)])
    np.testing.assert_allclose(mean, 0.3 * -2.0 + 0.7 * 3.0, rtol=1e-6)
    expected_lp = np.log(0.3 * stats.norm.pdf(0.5, -2.0) + 0.7 * stats.norm.pdf(0.5, 3.0))
    np.testing.assert_allclose(lp, expected_lp, rtol=1e-5)
    # mixture sd is 2.5, so the standard error of the mean of 20000 draws is ~0.018
    assert draws.shape == (20000,)
    assert abs(draws.mean() - 1.5) < 0.1
    # bimodal: about 30% of the draws lie left of the midpoint 0.5
    assert abs((draws < 0.5).mean() - 0.3) < 0.03


def test_mixture_positional(sess):
    rv = Mixture(Categorical(probs=[0.5, 0.5]), [Normal(0.0, 1.0), Normal(4.0, 1.0)])
    assert isinstance(rv.distribution.cat, tfd.Categorical)
    np.testing.assert_allclose(sess.run(rv.mean()), 2.0, rtol=1e-6)


def test_tfp_instances_are_accepted_where_distributions_are_expected(sess):
    rv = Mixture(
        cat=tfd.Categorical(probs=[0.25, 0.75]), components=[tfd.Normal(0.0, 1.0), Normal(4.0, 1.0)]
    )
    np.testing.assert_allclose(sess.run(rv.mean()), 3.0, rtol=1e-6)


def test_random_variable_as_a_parameter_stands_for_its_sample(sess):
    z = Normal(loc=tf.constant([1.0, 5.0]), scale=1.0)
    x = Normal(z, 1e-3, sample_shape=[3])
    assert x.shape.as_list() == [3, 2]
    z_value, x_value = sess.run([z, x])
    np.testing.assert_allclose(x_value, np.broadcast_to(z_value, (3, 2)), atol=0.02)


def test_unknown_argument_raises_type_error():
    with pytest.raises(TypeError, match="no_such_argument"):
        Normal(0.0, 1.0, no_such_argument=3)
    with pytest.raises(TypeError):
        Normal(0.0, 1.0, 0.0, 1.0, 2.0, 3.0, 4.0)


def test_value_and_sample_shape_keywords(sess):
    rv = Gamma(concentration=2.0, rate=1.0, sample_shape=3, value=[1.0, 2.0, 3.0])
    np.testing.assert_array_equal(sess.run(rv), [1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        Gamma(2.0, 1.0, sample_shape=3, value=[1.0, 2.0])


# --- wrap --------------------------------------------------------------------


def test_wrap_laplace(sess):
    Laplace = wrap(tfd.Laplace)
    assert issubclass(Laplace, RandomVariable) and Laplace.__name__ == "Laplace"
    rv = Laplace(loc=1.0, scale=2.0, sample_shape=[128, 10])
    positional = Laplace(1.0, 2.0)
    assert isinstance(rv.distribution, tfd.Laplace)
    assert rv.shape.as_list() == [128, 10]
    lp, mean, std = sess.run([positional.log_prob(0.2), rv.mean(), rv.stddev()])
    np.testing.assert_allclose(lp, stats.laplace.logpdf(0.2, 1.0, 2.0), rtol=1e-5)
    np.testing.assert_allclose(mean, 1.0, rtol=1e-6)
    np.testing.assert_allclose(std, 2.0 * np.sqrt(2.0), rtol=1e-6)


def test_wrap_with_name():
    cls = wrap(tfd.Laplace, name="MyLaplace")
    assert cls.__name__ == "MyLaplace"
    assert "MyLaplace" in repr(cls(0.0, 1.0))


def test_wrap_a_user_distribution_subclass(sess):
    class Shifted(tfd.Normal):
        def __init__(self, shift, validate_args=False, allow_nan_stats=True, name="Shifted"):
            parameters = dict(locals())
            super().__init__(
                loc=shift,
                scale=1.0,
                validate_args=validate_args,
                allow_nan_stats=allow_nan_stats,
                name=name,
            )
            self._parameters = parameters

    rv = wrap(Shifted)(shift=3.0, sample_shape=[2])
    assert rv.shape.as_list() == [2]
    np.testing.assert_allclose(sess.run(rv.mean()), 3.0, rtol=1e-6)


@pytest.mark.parametrize("not_a_class", [int, "Normal", tfd.Normal(0.0, 1.0), None, RandomVariable])
def test_wrap_of_a_non_distribution_raises(not_a_class):
    with pytest.raises(TypeError, match="Distribution"):
        wrap(not_a_class)
