"""`gan-infer train dcgan`: the DCGAN of examples/dcgan_mnist.py, on MNIST or on your images.

Without `--data` it is the example's model, trained on MNIST's 55,000
training digits. With `--data PATH` (a folder of PNG/JPEG images, a .npy or
a .npz: `gan_infer.datasets.images`) the networks are sized from the
images: square sides of 28, 32 or 64 pixels (`--image-size` resizes others),
1 or 3 channels.

    side 28: noise -> 7x7x128 -> 14x14x64 -> 28x28xC     (the example's)
    side 32: noise -> 8x8x128 -> 16x16x64 -> 32x32xC
    side 64: noise -> 8x8x256 -> 16x16x128 -> 32x32x64 -> 64x64xC

each arrow a 5x5 transposed convolution of stride 2 after batch norm and a
ReLU, the last with a sigmoid; the discriminator mirrors it with strided
5x5 convolutions (64, 128, then 256 filters) and leaky ReLUs. Adam 2e-4,
beta1 0.5, batch 64, weights N(0, 0.02) (Radford et al., 2016). Samples of
your images are judged against them without labels
(`gan_infer.criticism.image_metrics.evaluate_images`); MNIST's by the
package's digit classifier, as for `train mnist`.

Importing this module imports neither numpy's data nor TensorFlow.
"""

import math

from gan_infer.cli.model_base import Model

__all__ = ["DCGAN", "SIDES"]

#: The image sides the DCGAN is built for.
SIDES = (28, 32, 64)


class DCGAN(Model):
    """The DCGAN of examples/dcgan_mnist.py, sized from its training images.

    Args:
      image_shape: (side, side, channels) of the images.
      data: None (MNIST, the example's data) or the path of `--data`.
      image_size: None or the side the images of `data` are resized to.
    """

    name = "dcgan"
    example = "examples/dcgan_mnist.py"
    description = "DCGAN (Radford et al.): MNIST, or your images with --data (28, 32, 64 px)"
    batch_size = 64  # the paper's
    n_iter = 5000
    n_print = 500
    learning_rate = 2e-4
    beta1 = 0.5
    n_samples = 10000
    key_metrics = ("frechet_distance", "kernel_distance", "precision", "recall")
    takes_data = True
    noise_dim = 100

    def __init__(self, image_shape=(28, 28, 1), data=None, image_size=None):
        self.image_shape = tuple(int(n) for n in image_shape)
        self.data, self.image_size = data, image_size
        self.pixels = None  # the training images of `data` as uint8, once loaded

    def configure(self, config):
        """This model for `config`: MNIST's without `data`; else sized from the
        recorded image shape, or from the images (then loaded and kept)."""
        if config.get("data") is None:
            return DCGAN()
        shape = config.get("image_shape")
        model = DCGAN(shape or (0, 0, 0), config["data"], config.get("image_size"))
        if shape is None:
            model.load()
        return model

    def recorded_options(self):
        if self.data is None:
            return {}
        recorded = {"image_shape": list(self.image_shape)}
        if self.pixels is not None:
            # A resume compares it: images added to the folder would change the run.
            recorded["n_images"] = len(self.pixels)
        return recorded

    def load(self):
        """Read the images of `data` (kept as uint8 pixels, a quarter of float32's
        memory) and take their shape; DataError for a size the DCGAN lacks."""
        import numpy as np

        from gan_infer.datasets import DataError, images

        x = images(self.data, size=self.image_size)
        height, width = x.shape[1:3]
        if height != width or height not in SIDES:
            raise DataError(
                f"The images of {self.data} are {width}x{height} pixels: the DCGAN trains on "
                f"square images of {', '.join(map(str, SIDES))} pixels. Resize them with "
                "--image-size (size= in Python) 28, 32 or 64: each image is centre-cropped to "
                "a square first."
            )
        self.image_shape = x.shape[1:]
        self.pixels = np.round(x * 255).astype(np.uint8)

    def noise(self, batch_size):
        import tensorflow.compat.v1 as tf

        from gan_infer.models import Uniform

        return Uniform(
            tf.zeros([batch_size, self.noise_dim]) - 1.0, tf.ones([batch_size, self.noise_dim])
        )

    @property
    def upsamplings(self):
        """Strided (transposed) convolutions: 2 up to 32 pixels, 3 for 64."""
        return 2 if self.image_shape[0] <= 32 else 3

    def generative_network(self, eps):
        import tensorflow.compat.v1 as tf

        from gan_infer import layers

        side, _, channels = self.image_shape
        start, width = side >> self.upsamplings, 64 << (self.upsamplings - 1)
        init = tf.random_normal_initializer(stddev=0.02)
        # Batch norm always uses the statistics of the batch being generated
        # (training=True), as in the example: samples are drawn in batches of
        # the training size, so they see the same kind of statistics.
        net = layers.dense(eps, start * start * width, kernel_initializer=init)
        net = tf.nn.relu(layers.batch_norm(net, training=True))
        net = tf.reshape(net, [-1, start, start, width])
        for _ in range(self.upsamplings - 1):
            width //= 2
            net = layers.conv2d_transpose(net, width, 5, strides=2, kernel_initializer=init)
            net = tf.nn.relu(layers.batch_norm(net, training=True))
        net = layers.conv2d_transpose(
            net, channels, 5, strides=2, activation=tf.sigmoid, kernel_initializer=init
        )
        # MNIST's rows are flat (784 values), as in the example.
        return layers.flatten(net) if self.data is None else net

    def discriminative_network(self, x):
        import tensorflow.compat.v1 as tf

        from gan_infer import layers

        side, _, channels = self.image_shape
        init = tf.random_normal_initializer(stddev=0.02)
        net = tf.reshape(x, [-1, side, side, channels])
        # No batch norm in D, as in the example (Radford et al. leave it out of
        # D's first layer, where it would normalise away the pixel statistics).
        for filters in (64, 128, 256)[: self.upsamplings]:
            net = layers.conv2d(
                net, filters, 5, strides=2, activation=layers.leaky_relu, kernel_initializer=init
            )
        return layers.dense(layers.flatten(net), 1, activation=None, kernel_initializer=init)

    def training_data(self, data_dir, seed):
        del seed
        if self.data is None:
            from gan_infer.datasets import mnist_splits

            (x_train, _), _, _ = mnist_splits(data_dir, validation_size=5000)
            return x_train  # uint8 grey levels, not binarized (see the example)
        if self.pixels is None:
            self.load()
        return self.pixels

    def evaluate(self, samples, data_dir=None):
        if self.data is None:
            from gan_infer.criticism.evaluate import evaluate_mnist

            return evaluate_mnist(samples, data_dir=data_dir, parzen=False)
        from gan_infer.criticism.image_metrics import evaluate_images

        return evaluate_images(samples, self.training_data(data_dir, 0))

    def figure(self, samples, title="", final=False, critic=None):
        from gan_infer.criticism import sample_grid

        side, _, channels = self.image_shape
        count = min(8 if final else 4, math.isqrt(len(samples)))
        shape = (side, side) if channels == 1 else (side, side, channels)
        figure = sample_grid(samples, count, count, image_shape=shape)
        if title:
            figure.suptitle(title, fontsize=8)
        return figure

    def headline(self, metrics):
        text = (
            f"Fréchet distance {metrics['frechet_distance']:.2f}, precision "
            f"{metrics['precision']:.2f}, recall {metrics['recall']:.2f}"
        )
        if "features" in metrics:  # judged without labels, on random features
            text += (
                f" ({metrics['features']} features); samples closer to a training image "
                f"than 99% of held-out ones: {metrics['memorisation_fraction']:.1%}"
            )
        return text
