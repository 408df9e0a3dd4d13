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
5x5 convolutions (64, 128, then 256 filters) and leaky ReLUs. Adam, beta1
0.5, batch 64, weights N(0, 0.02) (Radford et al., 2016).

On your images the defaults are the recipe measured best on MNIST
(docs/results.md, "DCGAN on MNIST"; docs/cli.md gives what each bought):

- self-conditioning (`self_condition`, K): the training images are grouped
  into K clusters by k-means on their pixels (no labels), and the model
  becomes the conditional program c ~ Categorical(the clusters'
  frequencies), x = G(noise, one-hot c), bound to (image, cluster) pairs;
  D adds the projection <embedding(c), h(x)> (Miyato and Koyama, 2018) to
  its logit, h its last hidden layer. Sampling draws c with the data's
  frequencies, so every group of similar images keeps its share. By
  default K = N // 500 (about 500 images a cluster), at most 100, none
  under 5,000 images (`default_clusters`);
- the minibatch standard deviation (`minibatch_stddev`, G): D's last
  convolution gains a channel, the spread of its features over groups of G
  images (`layers.minibatch_stddev`, Karras et al., 2018), default 4;
- Adam 4e-4 for both players instead of 2e-4, except under 5,000 images
  (`default_learning_rate`: on a small set the full recipe lost its rarest
  class, docs/cli.md);
- samples from a moving average of the generator's weights (`ema_decay`,
  0.999; `GANInference.initialize(ema_decay=...)`).

Each is 0 (off) when not wanted; without `--data` all are off and the
learning rate is the example's 2e-4.
Samples of your images are judged against them without labels
(`gan_infer.criticism.image_metrics.evaluate_images`); MNIST's by the
package's digit classifier, as for `train mnist`.

Importing this module imports neither numpy's data nor TensorFlow.
"""

import math

from gan_infer.cli.named_gan_base import GEN_SCOPE, Model

__all__ = [
    "DCGAN",
    "MNIST_TRAINING_IMAGES",
    "SIDES",
    "SMALL_SET_IMAGES",
    "default_clusters",
    "default_learning_rate",
    "kmeans_clusters",
]

#: The image sides the DCGAN is built for.
SIDES = (28, 32, 64)
#: Images of MNIST's training split (the last 5,000 are held out for validation).
MNIST_TRAINING_IMAGES = 55_000
# The default K: about this many images a cluster, at most MAX_CLUSTERS (the
# measured best on MNIST's 55,000 digits was 100).
IMAGES_PER_CLUSTER, MAX_CLUSTERS = 500, 100
# A set smaller than this trains by default without self-conditioning and at
# the example's Adam 2e-4 (the minibatch spread and the weight average stay).
# Measured (docs/cli.md): on 1,797 images that recipe kept every digit's share
# where the full one lost the rarest (zeros at 0.9-6.6 %); on 17,970 and 55,000
# the full recipe won. 5,000 lies between, untested: about the geometric mean.
SMALL_SET_IMAGES = 5_000
SMALL_SET_LEARNING_RATE, LEARNING_RATE = 2e-4, 4e-4
# k-means reads images larger than this side averaged down to it: the
# clusters group shapes and colours, which survive the averaging, and 64 px
# colour pixels would cost four times the memory and time.
CLUSTER_SIDE = 32


def default_clusters(n_images):
    """K of `self_condition="auto"`: n_images // 500, at most 100; 0 (no
    conditioning) under 5,000 images (`SMALL_SET_IMAGES`).

    #### Examples

    ```python
    from gan_infer.cli.dcgan import default_clusters

    assert default_clusters(55_000) == 100 and default_clusters(17_970) == 35
    assert default_clusters(5_000) == 10 and default_clusters(1_797) == 0
    ```
    """
    if n_images < SMALL_SET_IMAGES:
        return 0
    return min(MAX_CLUSTERS, int(n_images) // IMAGES_PER_CLUSTER)


def default_learning_rate(n_images):
    """Adam's learning rate on `n_images` of your images when none is given:
    4e-4, or the example's 2e-4 under 5,000 images (`SMALL_SET_IMAGES`).

    #### Examples

    ```python
    from gan_infer.cli.dcgan import default_learning_rate

    assert default_learning_rate(55_000) == 4e-4 and default_learning_rate(1_797) == 2e-4
    ```
    """
    return SMALL_SET_LEARNING_RATE if n_images < SMALL_SET_IMAGES else LEARNING_RATE


def kmeans_clusters(pixels, k, seed):
    """k-means groups of images, no labels: (cluster of each image, frequencies).

    scikit-learn's `KMeans` from one k-means++ start seeded by `seed`, ten
    of Lloyd's iterations (as scipy's `kmeans2` in the measured runs of
    docs/results.md), on the pixels in [0, 1] (images larger than 32 px
    first averaged down to 32). The same images, k and seed give the same
    clusters, so a resumed run trains on the clusters it started with.

    Args:
      pixels: uint8 array [N, ...] (images or flat rows), N >= k.
      k: int >= 2.
      seed: int.

    Returns:
      (int32 array [N], float64 array [k] summing to 1; a cluster k-means
      left empty has frequency 0 and is never drawn).

    #### Examples

    ```python
    import numpy as np
    from gan_infer.cli.dcgan import kmeans_clusters

    pixels = np.concatenate([np.zeros((30, 8, 8), np.uint8), np.full((10, 8, 8), 255, np.uint8)])
    of_image, frequencies = kmeans_clusters(pixels, 2, seed=0)
    assert sorted(frequencies) == [0.25, 0.75] and len(set(of_image[:30])) == 1
    ```
    """
    import numpy as np
    from sklearn.cluster import KMeans

    x = np.asarray(pixels, np.float32) / 255.0
    if x.ndim == 4 and x.shape[1] > CLUSTER_SIDE:
        factor = x.shape[1] // CLUSTER_SIDE
        side = x.shape[1] // factor
        x = x.reshape(len(x), side, factor, side, factor, -1).mean(axis=(2, 4))
    kmeans = KMeans(k, init="k-means++", n_init=1, max_iter=10, random_state=seed)
    of_image = kmeans.fit_predict(x.reshape(len(x), -1))
    frequencies = np.bincount(of_image, minlength=k) / len(of_image)
    return of_image.astype(np.int32), frequencies


class DCGAN(Model):
    """The DCGAN of examples/dcgan_mnist.py, sized from its training images.

    Args:
      image_shape: (side, side, channels) of the images.
      data: None (MNIST, the example's data) or the path of `--data`.
      image_size: None or the side the images of `data` are resized to.
      self_condition: 0 (off), K >= 2 clusters, or "auto" (`default_clusters`).
      minibatch_stddev: 0 (off) or the group size G of D's batch-spread channel.
      ema_decay: 0 (off) or the decay of the generator's weight average.
      n_clusters: K once resolved (config.json's record), or None.
    """

    name = "dcgan"
    example = "examples/dcgan_mnist.py"
    description = "DCGAN (Radford et al.): MNIST, or your images with --data (28, 32, 64 px)"
    batch_size = 64  # the paper's
    n_iter = 5000
    n_print = 500
    learning_rate = 2e-4  # the example's, on MNIST
    beta1 = 0.5
    n_samples = 10000
    key_metrics = ("frechet_distance", "kernel_distance", "precision", "recall")
    takes_data = True
    noise_dim = 100
    #: The defaults on your images (`--data`): the best recipe measured on MNIST,
    #: with Adam's rate from `default_learning_rate` (`data_learning_rate`).
    data_defaults = {
        "self_condition": "auto",
        "minibatch_stddev": 4,
        # Measured on MNIST, seeds 1-3: the average's classifier Fréchet distance
        # 2.24 +- 0.08 against the last weights' 4.03 +- 1.59 (docs/cli.md).
        "ema_decay": 0.999,
    }
    #: Without --data: examples/dcgan_mnist.py, and what an older config.json
    #: (written before these options existed) means by leaving them out.
    plain = {"self_condition": 0, "minibatch_stddev": 0, "ema_decay": 0.0}

    def __init__(
        self,
        image_shape=(28, 28, 1),
        data=None,
        image_size=None,
        self_condition=0,
        minibatch_stddev=0,
        ema_decay=0.0,
        n_clusters=None,
    ):
        self.image_shape = tuple(int(n) for n in image_shape)
        self.data, self.image_size = data, image_size
        self.self_condition, self.n_clusters = self_condition, n_clusters
        if n_clusters is None and self_condition != "auto":
            self.n_clusters = int(self_condition)
        self.minibatch_stddev = int(minibatch_stddev)
        self.ema_decay = float(ema_decay) or None
        self.pixels = None  # the training images of `data` as uint8, once loaded
        self.of_image = self.frequencies = None  # the k-means clusters, once fitted
        self.cluster = None  # the generator's cluster c ~ Categorical, once built

    @staticmethod
    def data_learning_rate(data):
        """Adam's default rate on the images of `data`: `default_learning_rate`
        of their number (`gan_infer.datasets.count_images`; DataError if none)."""
        from gan_infer.datasets import count_images

        return default_learning_rate(count_images(data))

    def configure(self, config):
        """This model for `config`: MNIST's without `data`; else sized from the
        recorded image shape, or from the images (then loaded and kept). An
        option config.json lacks (written before it existed) is off."""
        switches = {key: config.get(key, value) for key, value in self.plain.items()}
        if config.get("data") is None:
            model = DCGAN(**switches, n_clusters=config.get("n_clusters"))
            if model.n_clusters is None:  # "auto" on MNIST
                model.n_clusters = default_clusters(MNIST_TRAINING_IMAGES)
            return model
        shape = config.get("image_shape")
        model = DCGAN(
            shape or (0, 0, 0),
            config["data"],
            config.get("image_size"),
            **switches,
            n_clusters=config.get("n_clusters"),
        )
        if shape is None or model.n_clusters is None:
            model.load()
        return model

    def recorded_options(self):
        recorded = {"n_clusters": self.n_clusters}
        if self.data is not None:
            recorded["image_shape"] = list(self.image_shape)
        if self.data is not None and self.pixels is not None:
            # A resume compares it: images added to the folder would change the run.
            recorded["n_images"] = len(self.pixels)
        return recorded

    def load(self):
        """Read the images of `data` (kept as uint8 pixels, a quarter of float32's
        memory), take their shape and resolve K; DataError for a size the DCGAN lacks."""
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
        if self.n_clusters is None:
            self.n_clusters = default_clusters(len(x))
        if self.n_clusters > len(x):
            raise DataError(
                f"--self-condition {self.n_clusters} asks for more clusters than the "
                f"{len(x)} images of {self.data}: give at most {len(x) // 2} (about 500 images a "
                "cluster works; 0 turns the clusters off)."
            )

    def build(self, batch_size, data_dir, seed):
        """As `Model.build`; with K clusters, also the cluster of each
        training image, bound to the generator's cluster c (`Parts.conditions`)."""
        from gan_infer.inferences import Minibatches

        if self.n_clusters:
            # Fitted before the generator is built: its prior holds the frequencies.
            self.of_image, self.frequencies = kmeans_clusters(
                self.training_data(data_dir, seed), self.n_clusters, seed
            )
            print(
                f"k-means: {self.n_clusters} clusters of the training images, "
                f"{self.frequencies.min():.2%} to {self.frequencies.max():.2%} of them each",
                flush=True,
            )
        parts = super().build(batch_size, data_dir, seed)
        if not self.n_clusters:
            return parts
        return parts._replace(conditions={self.cluster: Minibatches(self.of_image)})

    def generator(self, batch_size):
        import numpy as np
        import tensorflow.compat.v1 as tf

        from gan_infer.models import Categorical

        if not self.n_clusters:
            return super().generator(batch_size)
        with tf.variable_scope(GEN_SCOPE):
            eps = self.noise(batch_size)
            # A variable, not a constant: `gan-infer sample` restores the
            # frequencies from the checkpoint without reading the images.
            frequencies = self.frequencies
            if frequencies is None:
                frequencies = np.full(self.n_clusters, 1.0 / self.n_clusters)
            with np.errstate(divide="ignore"):  # an empty cluster: log 0, never drawn
                log_frequencies = np.log(frequencies).astype(np.float32)
            logits = tf.get_variable(
                "cluster_log_frequencies", initializer=log_frequencies, trainable=False
            )
            self.cluster = Categorical(logits=tf.tile(logits[None], [batch_size, 1]))
            one_hot = tf.one_hot(self.cluster, self.n_clusters)
            return self.generative_network(tf.concat([eps, one_hot], axis=1))

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

    def discriminative_network(self, x, cluster=None):
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
        if self.minibatch_stddev:
            net = layers.minibatch_stddev(net, group_size=self.minibatch_stddev)
        net = layers.flatten(net)
        logits = layers.dense(net, 1, activation=None, kernel_initializer=init)
        if cluster is None:
            return logits
        embedding = layers.dense(
            tf.one_hot(cluster, self.n_clusters),
            int(net.shape[1]),
            use_bias=False,
            kernel_initializer=init,
        )
        return logits + tf.reduce_sum(net * embedding, axis=1, keepdims=True)

    def training_data(self, data_dir, seed):
        del seed
        if self.data is None:
            from gan_infer.datasets import mnist_splits

            if self.pixels is None:
                (self.pixels, _), _, _ = mnist_splits(data_dir, validation_size=5000)
            return self.pixels  # uint8 grey levels, not binarized (see the example)
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
