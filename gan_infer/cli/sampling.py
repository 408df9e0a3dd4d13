"""`gan-infer sample`: draw from a trained generator, restored from its run directory.

The noise of sample batch k is drawn with the step seed of (seed,
SAMPLES_STREAM, k), so samples are a function of the generator's weights
and the seed only: `train` writes samples.npy with `draw_seeded_samples`, and
`sample` with the run's seed draws that file again, bit for bit.

#### Examples

```python
from gan_infer.cli.sampling import sample

digits = sample("runs/mnist", n=64, output="digits.png")   # (64, 784) float32
```
"""

import contextlib
import os

from gan_infer.cli import named_gans
from gan_infer.cli.options import (
    IMAGE_EXTENSIONS,
    UsageError,
    check_output,
    command_line,
    int_option,
)
from gan_infer.cli.run_folder import latest_checkpoint, read_json, run_file

__all__ = ["SAMPLES_STREAM", "draw_seeded_samples", "graph_and_session", "sample", "write_samples"]

# The stream of the step seed (gan_infer.util.seeds) of the final samples:
# not a training iteration.
SAMPLES_STREAM = 2**31 - 1


@contextlib.contextmanager
def graph_and_session(threads=None):
    """A fresh graph and its default session, using `threads` CPU threads
    (None: TensorFlow's choice, all cores). gan_infer's `get_session()`
    returns this session inside the block."""
    import tensorflow.compat.v1 as tf

    graph = tf.Graph()
    config = tf.ConfigProto(
        intra_op_parallelism_threads=threads or 0, inter_op_parallelism_threads=threads or 0
    )
    with graph.as_default(), tf.Session(graph=graph, config=config) as session:
        yield session


def draw_seeded_samples(x, n, seed):
    """n rows of the generator's output `x`, as many batches as needed.

    Batch k draws its noise with the step seed of (seed, SAMPLES_STREAM, k),
    so the samples are a function of the generator's weights and `seed`
    only: `gan-infer sample` draws the samples.npy of training again.
    """
    import numpy as np

    from gan_infer.util.seeds import step_seed, step_seed_value
    from gan_infer.util.session import get_session

    batch = x.shape.as_list()[0]
    feeds = ({step_seed(): step_seed_value(seed, SAMPLES_STREAM, k)} for k in range(-(-n // batch)))
    return np.concatenate([get_session().run(x, feed) for feed in feeds])[:n]


def sample(run_dir, n=None, output=None, seed=None):
    """Samples of a trained generator, restored from its run directory.

    Rebuilds the generator of OUT/config.json and restores only its
    variables (those under `named_gans.GEN_SCOPE`) from the latest checkpoint in
    OUT/checkpoints, with a `tf.train.Saver` over them; the discriminator
    and the optimizers' state are not read (for a model with a moving
    average of its weights, ring and grid, the average is restored in their place).
    With the run's seed (the default) and the model's `n_samples`, the
    samples are those of the run's samples.npy.

    Args:
      run_dir: the `--out` directory of `gan-infer train` (or `train()`).
      n: int, how many samples (default: the model's `n_samples`).
      output: optional path; `.npy` saves the array, `.png`/`.pdf`/`.svg`/
        `.jpg` the model's figure of the samples.
      seed: int, the noise's seed (default: the run's).

    Returns:
      numpy array of n samples.

    #### Examples

    ```python
    digits = sample("runs/mnist", n=64, output="digits.png")   # (64, 784) float32
    ```
    """
    config = read_json(run_file(run_dir, "config.json"))
    if config is None:
        raise UsageError(
            f"{run_dir} has no config.json: give the --out directory of a `gan-infer train` run",
            "checkpoint",
        )
    # The DCGAN's shape comes from config.json's image_shape: no data is read.
    spec = named_gans.get(config["model"]).configure(config)
    n = int_option("n", spec.n_samples if n is None else n, 1)
    seed = int_option("seed", config["seed"] if seed is None else seed, 0)
    if output is not None:
        check_output(output, (".npy",) + IMAGE_EXTENSIONS)
    checkpoint = latest_checkpoint(run_dir)
    if checkpoint is None:
        raise UsageError(
            f"{run_dir} holds no checkpoint yet: train it first with "
            f"`{command_line(config, run_dir)}`",
            "checkpoint",
        )
    with graph_and_session() as session:
        x = spec.generator(config["batch_size"])
        _restore_generator(session, spec, checkpoint, run_dir)
        samples = draw_seeded_samples(x, n, seed)
    if output is not None:
        write_samples(spec, samples, output)
    return samples


def _restore_generator(session, spec, checkpoint, run_dir):
    """Restore the variables under GEN_SCOPE, or their moving average, from `checkpoint`."""
    import tensorflow.compat.v1 as tf

    from gan_infer.inferences.checkpoints import checkpoint_mismatch

    variables = {v.op.name: v for v in tf.global_variables(scope=named_gans.GEN_SCOPE + "/")}
    if spec.ema_decay is not None:
        # The run's samples come from the moving average of the weights,
        # kept in the checkpoint beside them: restore that instead.
        average = tf.train.ExponentialMovingAverage(spec.ema_decay)
        for variable in tf.trainable_variables(scope=named_gans.GEN_SCOPE + "/"):
            variables[average.average_name(variable)] = variables.pop(variable.op.name)
    # Compared first: TensorFlow would load weights of other shapes into the
    # variables and fail only when drawing, with a raw shape error.
    difference = checkpoint_mismatch(checkpoint, variables, exact=False)
    if difference is None:
        try:
            tf.train.Saver(variables).restore(session, checkpoint)
        except (tf.errors.NotFoundError, tf.errors.InvalidArgumentError) as error:
            difference = error.message.splitlines()[0]
    if difference is not None:
        raise ValueError(
            f"The checkpoint {checkpoint} does not hold the {spec.name} generator of "
            f"{run_dir}/config.json ({difference}); was the directory written by another "
            "program?"
        )


def write_samples(spec, samples, output):
    """`samples` at `output`: the array for a .npy path, else the model's figure of them."""
    from gan_infer.criticism import save_figure
    from gan_infer.util.files import save_npy

    if os.fspath(output).lower().endswith(".npy"):
        save_npy(output, samples)
    else:
        save_figure(
            spec.figure(samples, title=f"{spec.name}: {len(samples)} samples", final=True), output
        )
