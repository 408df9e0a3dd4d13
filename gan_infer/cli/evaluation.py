"""`gan-infer evaluate`: the metrics of a samples .npy file.

#### Examples

```python
from gan_infer.cli.evaluation import evaluate

metrics = evaluate("runs/ring/samples.npy", toy="ring")
print(metrics["modes_captured"])
```
"""

import os

from gan_infer.cli import named_gans
from gan_infer.cli.options import UsageError, check_output
from gan_infer.cli.run_folder import write_json

__all__ = ["evaluate", "load_array"]


def load_array(path, option):
    """The array in the .npy file at `path`; UsageError naming `option` if there is
    no file, DataError naming the file if it holds no numeric array (text, empty, objects)."""
    from gan_infer.datasets import read_array

    if not os.path.isfile(path):
        raise UsageError(f"{option} {os.fspath(path)!r} is not a file", option)
    return read_array(path)


def evaluate(samples, data_dir=None, labels=None, parzen=False, toy=None, output=None, data=None):
    """Metrics of a samples .npy file (what `gan-infer evaluate` prints).

    Without `toy` or `data`: MNIST samples, (N, 784) or (N, 28, 28) in
    [0, 1] (other shapes are refused, pointing at `data`), judged by
    `gan_infer.criticism.evaluate.evaluate_mnist` (the package's MNIST
    classifier is trained on first use and cached in $GAN_INFER_CACHE_DIR).
    With `toy` ('ring', 'grid', 'mixture'): that model's metrics. With
    `data`: images [N, H, W, C] (or square grey rows) judged without labels
    against the images of `data`, resized to the samples' side
    (`gan_infer.criticism.image_metrics.evaluate_images`).

    Args:
      samples: path of a .npy file.
      data_dir: MNIST folder.
      labels: path of a .npy file of requested digits (a conditional GAN).
      parzen: bool, add the Parzen-window log-likelihood (MNIST).
      toy: None or a toy model's name.
      output: optional .json path for the metrics.
      data: the training images: a folder of PNG/JPEG files, a .npy or .npz.

    Returns:
      dict of metrics.

    #### Examples

    ```python
    metrics = evaluate("runs/ring/samples.npy", toy="ring")
    metrics = evaluate("runs/faces/samples.npy", data="~/pictures/faces")
    ```
    """
    if toy is not None and toy not in named_gans.TOYS:
        raise UsageError(f"toy must be one of {', '.join(named_gans.TOYS)}, got {toy!r}", "toy")
    if toy is not None and data is not None:
        raise UsageError("--toy and --data judge different samples: give one of them")
    if (toy is not None or data is not None) and (labels is not None or parzen):
        without = "--toy" if toy is not None else "--data"
        raise UsageError(f"--labels and --parzen are MNIST metrics: leave them out with {without}")
    if output is not None:
        check_output(output, (".json",))
    array = load_array(samples, "samples")
    if data is not None:
        metrics = _evaluate_images(array, samples, data)
    elif toy is not None:
        metrics = named_gans.get(toy).evaluate(array)
    else:
        from gan_infer.criticism.evaluate import evaluate_mnist

        _check_mnist_shape(array, samples)
        metrics = evaluate_mnist(
            array,
            data_dir=data_dir,
            parzen=parzen,
            labels=None if labels is None else load_array(labels, "labels"),
        )
    if output is not None:
        write_json(output, metrics)
    return metrics


def _check_mnist_shape(array, samples):
    """UsageError, before the MNIST files are read, for samples that are not
    MNIST digits: those of your own images are judged with --data."""
    if array.ndim == 2 and array.shape[1] == 784 or array.shape[1:] == (28, 28):
        return
    raise UsageError(
        f"{os.fspath(samples)} holds an array of shape {array.shape}: without --data or --toy, "
        "evaluate judges MNIST digits, (N, 784) or (N, 28, 28). For samples of your own images, "
        "pass --data with the images the model trained on (gan-infer evaluate SAMPLES --data "
        "PATH); for MNIST digits of another shape, save x.reshape(len(x), 784).",
        "samples",
    )


def _evaluate_images(array, samples, data):
    """`evaluate_images` of the samples in `array` against the images of `data`."""
    from gan_infer.criticism.image_metrics import evaluate_images
    from gan_infer.datasets import images
    from gan_infer.datasets.array_files import as_unit_images

    array = as_unit_images(array, samples)
    height, width, channels = array.shape[1:]
    training = images(data, size=height if height == width else None, channels=channels)
    return evaluate_images(array, training)
