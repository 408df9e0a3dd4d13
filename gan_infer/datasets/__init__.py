"""Data sets and mini-batching, with numpy and the standard library only.

Nothing here imports TensorFlow, so loading data stays fast::

    from gan_infer.datasets import batches, mnist_splits

    (x_train, _), _, _ = mnist_splits(validation_size=5000)   # 55,000 training images
    x_train_generator = batches(x_train, 128, binarize=True)
    x_batch = next(x_train_generator)               # float32, shape (128, 784)

Note that the names ``mnist`` and ``batches`` are the functions; the modules
that define them are ``sys.modules["gan_infer.datasets.mnist"]`` and
``sys.modules["gan_infer.datasets.batches"]``.
"""

from .batches import batches
from .mnist import DataError, mnist, mnist_splits, read_idx

__all__ = ["DataError", "batches", "mnist", "mnist_splits", "read_idx"]
