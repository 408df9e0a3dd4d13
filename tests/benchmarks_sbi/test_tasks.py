"""The SBI tasks follow the protocol, and each observation is typical of its simulator."""

import pathlib
import sys

import numpy as np
import pytest

SBI = pathlib.Path(__file__).resolve().parents[2] / "benchmarks" / "sbi"
sys.path.insert(0, str(SBI))
from protocol import load_task  # noqa: E402
from task_files import data_root  # noqa: E402

NAMES = ["two_moons", "gaussian_linear", "gaussian_mixture", "slcp", "lotka_volterra"]
DIMS = {
    "two_moons": (2, 2),
    "gaussian_linear": (10, 10),
    "gaussian_mixture": (2, 2),
    "slcp": (5, 8),
    "lotka_volterra": (4, 20),
}

needs_files = pytest.mark.skipif(
    not pathlib.Path(data_root()).is_dir(), reason=f"sbibm's files are not at {data_root()}"
)


@needs_files
@pytest.mark.parametrize("name", NAMES)
def test_each_observation_is_typical_of_simulations_at_its_true_parameters(name):
    task = load_task(name)
    d, k = DIMS[name]
    rng = np.random.default_rng(0)
    n = 300 if name == "lotka_volterra" else 5000
    for i in (1, 5, 10):
        theta = task.true_parameters(i)
        assert theta.shape == (d,) and task.reference_posterior(i).shape == (10000, d)
        x = task.simulate(np.tile(theta, (n, 1)).astype(np.float32), rng)
        assert x.shape == (n, k) and x.dtype == np.float32
        observed = task.observation(i)
        assert observed.shape == (k,)
        # Each coordinate of x_o within the bulk of the simulations at theta_true
        # (LV's noise is log-normal: compare logs).
        if name == "lotka_volterra":
            x, observed = np.log(x), np.log(observed)
        z = np.abs(observed - x.mean(0)) / x.std(0)
        assert z.max() < 4.0, (i, z)


@pytest.mark.parametrize("name", NAMES)
def test_prior_draws_are_float32_with_the_event_shape(name):
    import tensorflow.compat.v1 as tf

    task = load_task(name)
    prior = task.prior()
    draws = tf.Session().run(prior.sample(7))
    assert draws.shape == (7, DIMS[name][0]) and draws.dtype == np.float32
    assert len(task.PARAMETER_NAMES) == DIMS[name][0]


def test_a_module_missing_a_function_is_refused_naming_it(tmp_path):
    path = tmp_path / "half_task.py"
    path.write_text("NAME = 'half'\nPARAMETER_NAMES = ['a']\ndef prior():\n    pass\n")
    with pytest.raises(ValueError, match=r"half_task.py lacks simulate, observation"):
        load_task(str(path))


def test_an_unknown_task_name_is_refused_listing_the_tasks():
    with pytest.raises(ValueError, match="two_moons"):
        load_task("three_moons")


@needs_files
def test_a_lotka_volterra_solve_that_explodes_is_a_nan_row_not_a_stall():
    """Far in q's tail (here alpha 1.47, gamma 32.8) LSODA ground for minutes on an
    overflowing solution; a solve whose populations pass 1e10 now stops there."""
    task = load_task("lotka_volterra")
    theta = np.array([[1.47281029, 3.02242993e-03, 32.7699511, 4.54474523e-04]], np.float32)
    typical = np.exp(np.array([[-0.125, -3.0, -0.125, -3.0]], np.float32))
    with np.errstate(over="ignore", invalid="ignore"):
        x = task.simulate(np.concatenate([theta, typical]), np.random.default_rng(0))
    assert np.all(np.isnan(x[0])) and np.all(np.isfinite(x[1]))
