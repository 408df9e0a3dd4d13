"""Mixed precision for the layers: float32 variables, bfloat16 products.

A network built under `precision("bfloat16")` (or wrapped by
`with_precision(network, "bfloat16")`) keeps every variable in float32 -- so
the optimizers' updates and slots, checkpoints, weight averages and
regularizers stay float32 -- and runs its matrix products and convolutions
(`dense`, `maxout`, `conv2d`, `conv2d_transpose`) in bfloat16:

- such a layer casts its input and its kernel to bfloat16 where it multiplies
  them, and casts the product back to float32 before adding the bias; its
  activation and everything between layers (`tf.nn.relu`, batch norm,
  dropout, maxout's max) stay float32, and so does every layer's output;
- the gradient of each cast brings the backward pass's bfloat16 products
  back to float32, so every variable's gradient is float32.

Only the products change dtype because only they gain: TensorFlow's
bfloat16 element-wise kernels on CPUs (sigmoid, reductions, bias gradients)
are slower than its float32 ones. Measured on an AMD EPYC with AVX-512 BF16
(one thread, CPU time per step, a shared machine), the paper's MNIST model
stepped 1.30x faster with float32 activations against 1.14x with bfloat16
activations kept from layer to layer, the DCGAN 1.36x against 1.39x: the
casts cost less than the slower element-wise work.

bfloat16 keeps float32's exponent range with 8 significant bits: the
input, the kernel and the product of a layer are each rounded to them (a
relative error of at most 2^-9 each), so no loss scaling is needed (unlike
float16). What that does to GAN training, and the speed-ups, are measured
in docs/benchmarks.md (benchmarks/bfloat16.py).

It pays only where the hardware multiplies bfloat16 natively: x86 CPUs with
AMX (`amx_bf16`) or AVX-512 BF16 (`avx512_bf16`), Arm CPUs with `bf16`,
GPUs of compute capability 8.0 or above. Elsewhere bfloat16 is emulated and
slower than float32: the first `precision("bfloat16")` of a process checks
(the CPU's flags, else a timed matrix product) and warns once,
`SlowBfloat16Warning`, when bfloat16 is not faster here.

#### Examples

```python
with tf.variable_scope("Gen"):
    eps = Uniform(tf.zeros([M, d]) - 1.0, tf.ones([M, d]))
    x = layers.with_precision(generative_network, "bfloat16")(eps)

inference = ed.GANInference(
    data={x: x_ph},
    discriminator=layers.with_precision(discriminative_network, "bfloat16"),
)
inference.initialize(n_iter=10)
tf.global_variables_initializer().run()
info_dict = inference.update(feed_dict={x_ph: next_batch()})
assert x.dtype == tf.float32
assert all(v.dtype.base_dtype == tf.float32 for v in tf.trainable_variables())
```
"""

import contextlib
import functools
import os
import threading
import time
import warnings
from typing import NamedTuple

import tensorflow.compat.v1 as tf

__all__ = [
    "BFLOAT16_CHECK",
    "PRECISIONS",
    "Bfloat16Check",
    "Bfloat16Support",
    "SlowBfloat16Warning",
    "bfloat16_support",
    "cpu_flags",
    "current_precision",
    "detect_bfloat16_support",
    "measure_bfloat16_speedup",
    "precision",
    "product_dtype",
    "to_compute_dtype",
    "variable_dtype",
    "with_precision",
]

PRECISIONS = ("float32", "bfloat16")

# CPU flags (/proc/cpuinfo) of native bfloat16 arithmetic: x86's AMX and
# AVX-512 BF16, Arm's BF16 extension.
FAST_BFLOAT16_FLAGS = ("amx_bf16", "avx512_bf16", "bf16")

# bfloat16 counts as fast when a matrix product runs at least this much
# faster than in float32 (where it is emulated it runs slower: below 1).
FAST_SPEEDUP = 1.2

_active = threading.local()


class SlowBfloat16Warning(RuntimeWarning):
    """bfloat16 was asked for on hardware that does not run it faster than float32."""


class Bfloat16Support(NamedTuple):
    """Whether this machine multiplies bfloat16 faster than float32, and how it was told.

    `fast`: bool. `how`: the evidence, in words (a CPU flag, a GPU's compute
    capability, or a measured speed-up). `speedup`: float32 time over
    bfloat16 time of a timed matrix product, or None when no measurement
    was needed.
    """

    fast: bool
    how: str
    speedup: float | None


def _check_precision(name, where):
    if name not in PRECISIONS:
        raise ValueError(
            f"{where}: precision must be 'float32' or 'bfloat16', got {name!r}; bfloat16 runs "
            "the layers' products in bfloat16 with float32 variables, float32 runs everything "
            "in float32."
        )
    return name


@contextlib.contextmanager
def precision(name):
    """Build the layers inside the block in precision `name`.

    Under 'bfloat16' the layers of `gan_infer.layers` create float32
    variables and run their matrix products and convolutions in bfloat16
    (input and kernel cast where they are multiplied, the product cast back
    to float32); their outputs are float32. Under 'float32' they compute in
    float32 whatever their inputs' dtype (so a block nested in a bfloat16
    one keeps some layers in float32). Outside any block a layer computes in
    its input's dtype, as before. Blocks nest; the innermost decides.

    Args:
      name: 'float32' or 'bfloat16'.

    #### Examples

    ```python
    with layers.precision("bfloat16"):
        h = layers.dense(x_ph, 32, activation=tf.nn.relu)  # product in bfloat16
        with layers.precision("float32"):
            logits = layers.dense(h, 1)  # a last layer wholly in float32
    assert h.dtype == tf.float32 and logits.dtype == tf.float32
    kernels = [v for v in tf.global_variables() if v.op.name.endswith("kernel")]
    assert all(v.dtype.base_dtype == tf.float32 for v in kernels)
    ```
    """
    _check_precision(name, "layers.precision")
    if name == "bfloat16":
        BFLOAT16_CHECK.warn_if_slow()
    stack = _stack()
    stack.append(name)
    try:
        yield name
    finally:
        stack.pop()


def with_precision(network, name):
    """`network` that builds its layers in precision `name` and returns float32.

    The returned function calls `network(*args, **kwargs)` inside
    `precision(name)` and casts every floating-point tensor of its result
    that is not float32 (a tensor, or a tuple, list or dict of them, such as
    a discriminator's `(logits, features)`; the layers' outputs are float32
    already, a bfloat16 operation of the network's own would not be) to
    float32. Wrap the generator's and the discriminator's network functions
    to train a GAN in mixed precision; with 'float32' the network computes
    as it did, so a script can take the precision as an option.

    Args:
      network: callable building layers of `gan_infer.layers`.
      name: 'float32' or 'bfloat16'.

    Returns:
      The wrapped callable (same name and docstring).

    #### Examples

    ```python
    discriminator = layers.with_precision(discriminative_network, "bfloat16")
    logits = discriminator(x_ph)
    assert logits.dtype == tf.float32
    ```
    """
    if not callable(network):
        raise TypeError(
            f"layers.with_precision wraps a network function, got {network!r}; pass the "
            "function itself, e.g. with_precision(generative_network, 'bfloat16')."
        )
    _check_precision(name, "layers.with_precision")

    @functools.wraps(network)
    def network_in_precision(*args, **kwargs):
        with precision(name):
            outputs = network(*args, **kwargs)
        return tf.nest.map_structure(_as_float32, outputs)

    return network_in_precision


def _as_float32(value):
    if isinstance(value, tf.Tensor) and value.dtype.is_floating and value.dtype != tf.float32:
        return tf.cast(value, tf.float32)
    return value


def _stack():
    if not hasattr(_active, "stack"):
        _active.stack = []
    return _active.stack


def current_precision():
    """The innermost active precision ('float32' or 'bfloat16'), or None outside any."""
    stack = _stack()
    return stack[-1] if stack else None


def product_dtype(inputs):
    """The dtype of a layer's matrix product: the active precision's, else `inputs`'."""
    name = current_precision()
    return inputs.dtype.base_dtype if name is None else tf.as_dtype(name)


def variable_dtype(inputs):
    """The dtype of a layer's variables: float32 under any precision, else `inputs`'."""
    return inputs.dtype.base_dtype if current_precision() is None else tf.float32


def to_compute_dtype(tensor, dtype):
    """`tensor` (an input, a variable, a product) in `dtype`, cast only when it differs."""
    return tensor if tensor.dtype.base_dtype == dtype else tf.cast(tensor, dtype)


def cpu_flags():
    """The CPU's feature flags (Linux /proc/cpuinfo), or an empty set elsewhere."""
    try:
        with open("/proc/cpuinfo") as f:
            lines = f.read().splitlines()
    except OSError:
        return set()
    flags = set()
    for line in lines:
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            flags.update(value.split())
    return flags


def measure_bfloat16_speedup(rows=256, size=512, products=4, repeats=5):
    """float32 time over bfloat16 time of `products` chained `[rows, size] @
    [size, size]` matrix products.

    Runs in a graph and session of its own, with this process's thread
    settings: `repeats` rounds alternating the two dtypes (so that other work
    on the machine slows both alike), each round one session call per dtype;
    the fastest round of each is compared. About 50 ms on one core.
    """
    seconds = {}
    with tf.Graph().as_default() as graph, tf.Session(graph=graph) as sess:
        fetches = {}
        for dtype in (tf.float32, tf.bfloat16):
            a = tf.Variable(tf.cast(tf.random.stateless_uniform([rows, size], [1, 2]), dtype))
            b = tf.Variable(tf.cast(tf.random.stateless_uniform([size, size], [3, 4]), dtype))
            out = a
            for _ in range(products):
                out = tf.matmul(out, b)
            fetches[dtype] = tf.reduce_sum(tf.cast(out[0, :1], tf.float32))
        sess.run(tf.global_variables_initializer())
        for dtype, fetch in fetches.items():
            sess.run(fetch)  # the first call selects kernels: not timed
            seconds[dtype] = []
        for _ in range(repeats):
            for dtype, fetch in fetches.items():
                start = time.perf_counter()
                sess.run(fetch)
                seconds[dtype].append(time.perf_counter() - start)
    return min(seconds[tf.float32]) / min(seconds[tf.bfloat16])


def detect_bfloat16_support():
    """Whether bfloat16 products are faster than float32 here (a `Bfloat16Support`).

    A visible GPU decides by its compute capability (8.0 or above: native
    bfloat16). On a CPU, a flag of native bfloat16 arithmetic (`amx_bf16`,
    `avx512_bf16`, Arm's `bf16`) decides yes; without one (or without
    /proc/cpuinfo) a product is timed (`measure_bfloat16_speedup`) and
    bfloat16 counts as fast when it runs at least 1.2x faster.
    """
    for gpu in tf.config.list_physical_devices("GPU"):
        capability = tf.config.experimental.get_device_details(gpu).get("compute_capability")
        if capability is not None:
            fast = tuple(capability) >= (8, 0)
            how = f"GPU {gpu.name} of compute capability {capability[0]}.{capability[1]}"
            return Bfloat16Support(fast, how, None)
    flags = sorted(cpu_flags().intersection(FAST_BFLOAT16_FLAGS))
    if flags:
        return Bfloat16Support(True, "CPU flag " + ", ".join(flags), None)
    speedup = measure_bfloat16_speedup()
    how = (
        "no CPU flag of native bfloat16 (amx_bf16, avx512_bf16, bf16); a 256x512 by "
        f"512x512 matrix product measured {speedup:.2f}x the float32 speed in bfloat16"
    )
    return Bfloat16Support(speedup >= FAST_SPEEDUP, how, speedup)


class Bfloat16Check:
    """The process's answer to "is bfloat16 fast here?", found once, warned once.

    `BFLOAT16_CHECK` is the one `precision("bfloat16")` asks.
    """

    def __init__(self, detect=detect_bfloat16_support):
        self.detect = detect
        self.result = None
        self.warned = False

    def support(self):
        """`detect()`'s answer, cached."""
        if self.result is None:
            self.result = self.detect()
        return self.result

    def warn_if_slow(self):
        """Warn once (`SlowBfloat16Warning`) when bfloat16 is not fast here.

        `GAN_INFER_BFLOAT16_CHECK=0` in the environment skips the check and
        its warning.
        """
        if self.warned or os.environ.get("GAN_INFER_BFLOAT16_CHECK") == "0":
            return
        self.warned = True
        support = self.support()
        if not support.fast:
            warnings.warn(
                f"bfloat16 is not faster than float32 on this machine ({support.how}): "
                "precision 'bfloat16' will train slower, not faster. Use 'float32' here, or a "
                "CPU with AMX or AVX-512 BF16 (or a GPU of compute capability >= 8.0).",
                SlowBfloat16Warning,
                stacklevel=5,
            )


BFLOAT16_CHECK = Bfloat16Check()


def bfloat16_support():
    """Whether bfloat16 is fast on this machine: `BFLOAT16_CHECK.support()`."""
    return BFLOAT16_CHECK.support()
