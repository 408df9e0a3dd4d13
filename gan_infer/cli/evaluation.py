"""`gan-infer evaluate`: the metrics of a samples .npy file.

#### Examples

```python
from gan_infer.cli.evaluation import evaluate

metrics = evaluate("runs/ring/samples.npy", toy="ring")
print(metrics["modes_captured"])
```
"""

import os

from gan_infer.cli import models
from gan_infer.cli.options import UsageError, check_output
from gan_infer.cli.run_folder import write_json

__all__ = ["evaluate", "load_array"]


def load_array(path, option):
    """The array in the .npy file at `path`; UsageError naming `option` if there is no file."""
    import numpy as np

    if not os.path.isfile(path):
        raise UsageError(f"{option} {os.fspath(path)!r} is not a file", option)
    return np.load(path, allow_pickle=False)


def evaluate(samples, data_dir=None, labels=None, parzen=False, toy=None, output=None):
    """Metrics of a samples .npy file (what `gan-infer evaluate` prints).

    Without `toy`: MNIST samples, (N, 784) in [0, 1], judged by
    `gan_infer.criticism.evaluate.evaluate_mnist` (the package's MNIST
    classifier is trained on first use and cached in $GAN_INFER_CACHE_DIR).
    With `toy` ('ring', 'grid', 'mixture'): that model's metrics.

    Args:
      samples: path of a .npy file.
      data_dir: MNIST folder.
      labels: path of a .npy file of requested digits (a conditional GAN).
      parzen: bool, add the Parzen-window log-likelihood (MNIST).
      toy: None or a toy model's name.
      output: optional .json path for the metrics.

    Returns:
      dict of metrics.

    #### Examples

    ```python
    metrics = evaluate("runs/ring/samples.npy", toy="ring")
    ```
    """
    if toy is not None and toy not in models.TOYS:
        raise UsageError(f"toy must be one of {', '.join(models.TOYS)}, got {toy!r}", "toy")
    if toy is not None and (labels is not None or parzen):
        raise UsageError("--labels and --parzen are MNIST metrics: leave them out with --toy")
    if output is not None:
        check_output(output, (".json",))
    array = load_array(samples, "samples")
    if toy is not None:
        metrics = models.get(toy).evaluate(array)
    else:
        from gan_infer.criticism.evaluate import evaluate_mnist

        metrics = evaluate_mnist(
            array,
            data_dir=data_dir,
            parzen=parzen,
            labels=None if labels is None else load_array(labels, "labels"),
        )
    if output is not None:
        write_json(output, metrics)
    return metrics
