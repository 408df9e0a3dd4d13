"""A simulator as part of a model: every call counted, a budget, batches run in parallel.

A simulator is a numpy function `simulate(theta, rng) -> x` of parameters
theta [n, d] and a `numpy.random.Generator`, returning simulations x [n, k]
(float32). `Simulator` wraps it so that

  - every simulation is counted (`calls`), and a call that would pass the
    budget raises `SimulationBudgetExceeded` before any simulation runs;
  - each output is checked: shape [n, k], a floating dtype, no NaN/Inf rows
    (unless `allow_nan=True`: a simulator that fails on some parameters
    returns NaN rows, which the caller then drops);
  - theta is cut into batches of `batch_size` rows; batch j of call c draws
    from `numpy.random.default_rng(SeedSequence(seed, spawn_key=(c, j)))`,
    so the draws depend on the seed alone, never on how many workers run the
    batches: `workers=1` runs them in this process, `workers=4` on four
    local processes, `engine="ray"` as Ray tasks (a local Ray, or the
    cluster `ray.init(address=...)` joined beforehand).

For the processes and Ray, `simulate` must be picklable: a function defined
at the top level of an importable module.
"""

import concurrent.futures

import numpy as np

from gan_infer.util.checks import check_int

__all__ = ["Simulator", "SimulationBudgetExceeded", "ENGINES"]

#: Where batches run when `workers > 1`.
ENGINES = ("processes", "ray")


class SimulationBudgetExceeded(RuntimeError):
    """A call asked for more simulations than the budget has left."""


class Simulator:
    """A counted, budgeted, batched simulator `theta [n, d] -> x [n, k]`.

    #### Examples

    ```python
    from gan_infer.models.simulator import Simulator

    def noisy_copy(theta, rng):
        return (theta + 0.1 * rng.standard_normal(theta.shape)).astype(np.float32)

    simulator = Simulator(noisy_copy, budget=1000, batch_size=100, seed=0)
    x = simulator(np.zeros((300, 2), np.float32))
    assert x.shape == (300, 2) and simulator.calls == 300 and simulator.remaining == 700
    ```
    """

    def __init__(
        self,
        simulate,
        budget=None,
        batch_size=1000,
        workers=1,
        engine="processes",
        seed=0,
        allow_nan=False,
        name=None,
    ):
        """Wrap a numpy simulator.

        Args:
          simulate: callable `(theta, rng) -> x`, theta float32 [n, d], rng a
            `numpy.random.Generator`, x [n, k] floating.
          budget: int, optional. Simulations allowed in all (default: none).
          batch_size: int. Rows per batch (default 1000): the unit of work
            of a worker, and of the random streams.
          workers: int. Batches run at once (default 1: in this process).
          engine: 'processes' (default: local processes) or 'ray'.
          seed: int. The seed of every batch's random stream.
          allow_nan: bool. Return NaN/Inf rows instead of refusing them.
          name: str, optional. How errors name the simulator (default: the
            function's module and name).
        """
        if not callable(simulate):
            raise TypeError(
                f"Simulator needs simulate, a callable (theta, rng) -> x; got "
                f"{type(simulate).__name__}."
            )
        self.simulate = simulate
        self.name = name or f"{getattr(simulate, '__module__', '?')}." + getattr(
            simulate, "__qualname__", type(simulate).__name__
        )
        self.batch_size = check_int(batch_size, "batch_size")
        self.budget = check_int(budget, "budget", allow_none=True)
        if self.budget is not None and self.budget < self.batch_size:
            raise ValueError(
                f"budget={self.budget} is smaller than one batch (batch_size="
                f"{self.batch_size}); raise the budget or lower batch_size to at most "
                f"{self.budget}."
            )
        self.workers = check_int(workers, "workers")
        if engine not in ENGINES:
            raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}.")
        self.engine = engine
        self.seed = check_int(seed, "seed", minimum=0)
        self.allow_nan = bool(allow_nan)
        self.calls = 0
        self._call_index = 0
        self._pool = None

    @property
    def remaining(self):
        """Simulations left in the budget (None without a budget)."""
        return None if self.budget is None else self.budget - self.calls

    def __call__(self, theta):
        """Simulate x [n, k] float32 for theta [n, d]; counts n simulations."""
        theta = np.asarray(theta, dtype=np.float32)
        if theta.ndim != 2 or len(theta) == 0:
            raise ValueError(
                f"{self.name}: theta must be a non-empty 2-D array [n, d], got shape "
                f"{theta.shape}; simulate one parameter vector as theta[None]."
            )
        n = len(theta)
        if self.budget is not None and self.calls + n > self.budget:
            raise SimulationBudgetExceeded(
                f"{self.name}: {n} more simulations would pass the budget of {self.budget} "
                f"({self.calls} used); ask for at most {self.budget - self.calls}."
            )
        starts = range(0, n, self.batch_size)
        jobs = [(theta[s : s + self.batch_size], self._batch_seed(j)) for j, s in enumerate(starts)]
        self._call_index += 1
        outputs = self._run(jobs)
        for (batch, _), x in zip(jobs, outputs):
            self._check(batch, x)
        self.calls += n
        return np.concatenate(outputs).astype(np.float32, copy=False)

    def close(self):
        """Shut the worker processes down (a later call starts new ones)."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def _batch_seed(self, j):
        return np.random.SeedSequence(self.seed, spawn_key=(self._call_index, j))

    def _run(self, jobs):
        if self.workers == 1 or len(jobs) == 1:
            return [run_batch(self.simulate, batch, seed) for batch, seed in jobs]
        if self.engine == "ray":
            return _run_on_ray(self.simulate, jobs)
        if self._pool is None:
            self._pool = concurrent.futures.ProcessPoolExecutor(self.workers)
        futures = [self._pool.submit(run_batch, self.simulate, b, s) for b, s in jobs]
        return [f.result() for f in futures]

    def _check(self, theta, x):
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[0] != theta.shape[0]:
            raise ValueError(
                f"{self.name} returned shape {x.shape} for theta of shape {theta.shape}; a "
                "simulator must return one row per parameter vector, x [n, k] (reshape each "
                "simulation to a vector)."
            )
        if not np.issubdtype(x.dtype, np.floating):
            raise TypeError(
                f"{self.name} returned dtype {x.dtype}; a simulator must return floats "
                "(cast with x.astype(np.float32))."
            )
        bad = ~np.all(np.isfinite(x), axis=1)
        if bad.any() and not self.allow_nan:
            raise ValueError(
                f"{self.name} returned {int(bad.sum())} rows with NaN or Inf (first at theta "
                f"{theta[np.argmax(bad)].tolist()}); fix the simulator, or pass "
                "allow_nan=True to keep them and drop them downstream."
            )


def run_batch(simulate, theta, seed_sequence):
    """One batch: `simulate(theta, default_rng(seed_sequence))` (what a worker runs)."""
    return np.asarray(simulate(theta, np.random.default_rng(seed_sequence)))


def _run_on_ray(simulate, jobs):
    try:
        import ray
    except ImportError:
        raise ImportError(
            "engine='ray' needs Ray: pip install 'gan-infer[sweep]' (or pip install ray)."
        ) from None
    if not ray.is_initialized():
        ray.init(include_dashboard=False, log_to_driver=False)
    remote = ray.remote(run_batch)
    return ray.get([remote.remote(simulate, batch, seed) for batch, seed in jobs])
