"""Shared pieces of the benchmark scripts: the tutorial model's sizes, thread
settings, statistics, MNIST bytes without TensorFlow, tables, machine facts.

Nothing here imports TensorFlow, JAX or PyTorch at module level: the
orchestrating processes stay light and each worker process imports only the
library it measures.
"""

import datetime
import gzip
import importlib.metadata
import json
import os
import platform
import statistics
import sys

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_MNIST = os.path.normpath(os.path.join(REPO_ROOT, "..", "shared", "datasets", "mnist"))

# The tutorial model (examples/gan_mnist.py).
M = 128  # batch size
D_LATENT = 100
HIDDEN = 128
X_DIM = 784
# Adam defaults of tf.compat.v1.train.AdamOptimizer, torch.optim.Adam and optax.adam.
LR, BETA1, BETA2, EPS = 1e-3, 0.9, 0.999, 1e-8

# (name, shape) of every parameter, in one canonical layout: kernels are
# [in, out] as in TensorFlow; PyTorch's nn.Linear weights are the transpose.
PARAM_SHAPES = [
    ("g_w1", (D_LATENT, HIDDEN)),
    ("g_b1", (HIDDEN,)),
    ("g_w2", (HIDDEN, X_DIM)),
    ("g_b2", (X_DIM,)),
    ("d_w1", (X_DIM, HIDDEN)),
    ("d_b1", (HIDDEN,)),
    ("d_w2", (HIDDEN, 1)),
    ("d_b2", (1,)),
]
GEN_PARAMS = [name for name, _ in PARAM_SHAPES if name.startswith("g_")]
DISC_PARAMS = [name for name, _ in PARAM_SHAPES if name.startswith("d_")]


def default_threads():
    """Cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def limit_threads(threads):
    """Tell every threading runtime (OpenMP, MKL, OpenBLAS, TensorFlow's
    pools) to use `threads` threads.

    Must run before the numerical libraries are imported. Libraries with an
    API for it (TensorFlow, PyTorch) are also set explicitly by the workers;
    JAX, which has none, is limited with `pin_cores`.
    """
    for var in (
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "OPENBLAS_NUM_THREADS",
        "TF_NUM_INTRAOP_THREADS",
        "TF_NUM_INTEROP_THREADS",
    ):
        os.environ[var] = str(threads)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def pin_cores(threads):
    """Restrict this process to its first `threads` usable cores (when fewer
    than all); returns the number of cores it may use. XLA's CPU runtime sizes
    its thread pool from the cores it may run on."""
    try:
        cores = sorted(os.sched_getaffinity(0))
        if threads < len(cores):
            os.sched_setaffinity(0, cores[:threads])
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def summarize(values):
    """Median, quartiles, min and max of a list of numbers."""
    values = sorted(values)
    if len(values) >= 2:
        q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    else:
        q1 = q3 = values[0]
    return {
        "median": statistics.median(values),
        "q1": q1,
        "q3": q3,
        "min": values[0],
        "max": values[-1],
        "n": len(values),
    }


def read_mnist_images(path, count=None):
    """The first `count` training images as uint8 (N, 784), read with gzip and
    numpy only (the step-time batch; the e2e rows use gan_infer's loader)."""
    import numpy as np

    with gzip.open(os.path.join(path, "train-images-idx3-ubyte.gz"), "rb") as f:
        header = f.read(16)
        n = int.from_bytes(header[4:8], "big")
        n = n if count is None else min(n, count)
        data = f.read(n * X_DIM)
    return np.frombuffer(data, np.uint8).reshape(n, X_DIM)


def fixed_batch(mnist_dir, seed=0):
    """The pre-made batch of the step-time rows: 128 dynamically binarized
    MNIST digits (random pixels with MNIST's density if the files are absent)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    try:
        pixels = read_mnist_images(mnist_dir, M).astype(np.float32) / 255.0
        source = "MNIST"
    except OSError:
        pixels = np.full((M, X_DIM), 0.13, np.float32)
        source = "random (MNIST not found)"
    return (rng.random(pixels.shape, dtype=np.float32) < pixels).astype(np.float32), source


def init_params(seed=0):
    """Glorot-uniform kernels and zero biases (gan_infer.layers.dense's
    defaults), as float32 numpy arrays, shared by every implementation."""
    import numpy as np

    rng = np.random.default_rng(seed)
    params = {}
    for name, shape in PARAM_SHAPES:
        if len(shape) == 2:
            limit = (6.0 / (shape[0] + shape[1])) ** 0.5
            params[name] = rng.uniform(-limit, limit, shape).astype(np.float32)
        else:
            params[name] = np.zeros(shape, np.float32)
    return params


def version_of(distribution):
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def machine_description():
    """Facts about this machine and software, for the results file."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = None
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    versions = {"python": platform.python_version()}
    for name, dist in [
        ("gan_infer", "gan-infer"),
        ("tensorflow", "tensorflow"),
        ("tensorflow-probability", "tensorflow-probability"),
        ("numpy", "numpy"),
        ("jax", "jax"),
        ("jaxlib", "jaxlib"),
        ("optax", "optax"),
        ("torch", "torch"),
    ]:
        versions[name] = version_of(dist)
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu,
        "logical_cpus": os.cpu_count(),
        "usable_cpus": default_threads(),
        "memory_bytes": memory,
        "os": f"{platform.system()} {platform.release()}",
        "loadavg": load,
        "python_executable": sys.executable,
        "versions": versions,
    }


def markdown_table(header, rows):
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]

    def line(cells):
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"

    return "\n".join(
        [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
        + [line(row) for row in rows]
    )


def fmt(value, digits=2):
    return "—" if value is None else f"{value:.{digits}f}"


def write_json(path, payload):
    if path:
        with open(path, "w") as f:
            json.dump(payload, f, indent=1, default=str)
