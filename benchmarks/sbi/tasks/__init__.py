"""The SBI benchmark's tasks, one module each, with one protocol:

    NAME: str; PARAMETER_NAMES: list[str]
    prior()                   a TFP distribution over theta, event shape [d], float32
    simulate(theta, rng)      theta [n, d], a numpy Generator -> x [n, k] float32
    observation(i)            x_o [k] for i = 1..10
    reference_posterior(i)    [10000, d] samples of p(theta | x_o)
    true_parameters(i)        [d]

Simulators are numpy/scipy ports of sbibm's `sbibm/tasks/<task>/task.py`.
"""

NAMES = ["two_moons", "gaussian_linear", "gaussian_mixture", "slcp", "lotka_volterra"]
