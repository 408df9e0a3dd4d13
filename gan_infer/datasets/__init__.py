"""Data sets and mini-batching, with numpy, the standard library and (image files) Pillow.

Nothing here imports TensorFlow, so loading data stays fast::

    from gan_infer.datasets import batches, mnist_splits

    (x_train, _), _, _ = mnist_splits(validation_size=5000)   # 55,000 training images
    x_train_generator = batches(x_train, 128, binarize=True)
    x_batch = next(x_train_generator)               # float32, shape (128, 784)

Your own images (a folder of PNG/JPEG files, a .npy or a .npz file) as
float32 [N, H, W, C] in [0, 1]::

    from gan_infer.datasets import images

    x = images("~/data/faces", size=64)             # e.g. (N, 64, 64, 3)

Note that the names ``mnist``, ``batches`` and ``images`` are the functions; the
modules that define them are ``sys.modules["gan_infer.datasets.mnist"]`` and so on.
"""

from .array_files import read_array
from .batches import batches
from .images import count_images, images
from .mnist import DataError, mnist, mnist_splits, read_idx

__all__ = [
    "DataError",
    "batches",
    "count_images",
    "images",
    "mnist",
    "mnist_splits",
    "read_array",
    "read_idx",
]
