"""Loading a task module and checking that it follows the protocol.

A task is a module with NAME, PARAMETER_NAMES, prior(), simulate(theta,
rng), observation(i), reference_posterior(i) and true_parameters(i)
(benchmarks/sbi/tasks/__init__.py). `load_task` takes a name from
benchmarks/sbi/tasks/ or the path of a .py file, and refuses a module that
misses any of them, naming the module and what to add.
"""

import importlib.util
import os

__all__ = ["load_task", "FUNCTIONS"]

TASKS_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tasks")
FUNCTIONS = ("prior", "simulate", "observation", "reference_posterior", "true_parameters")


def load_task(name_or_path):
    """The task module `name_or_path` (a name in tasks/ or a PATH.py), checked."""
    path = name_or_path
    if not path.endswith(".py"):
        path = os.path.join(TASKS_DIR, name_or_path + ".py")
        if not os.path.exists(path):
            known = sorted(f[:-3] for f in os.listdir(TASKS_DIR) if not f.startswith("_"))
            raise ValueError(
                f"--task {name_or_path!r} is neither a task of benchmarks/sbi/tasks/ "
                f"({', '.join(known)}) nor a PATH.py."
            )
    elif not os.path.exists(path):
        raise FileNotFoundError(f"--task {path}: no such file.")
    module_name = "sbi_task_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(module_name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    missing = [f for f in FUNCTIONS if not callable(getattr(module, f, None))]
    missing += [a for a in ("NAME", "PARAMETER_NAMES") if not hasattr(module, a)]
    if missing:
        raise ValueError(
            f"task module {path} lacks {', '.join(missing)}; a task defines NAME, "
            f"PARAMETER_NAMES and the functions {', '.join(FUNCTIONS)} "
            "(see benchmarks/sbi/tasks/__init__.py)."
        )
    return module
