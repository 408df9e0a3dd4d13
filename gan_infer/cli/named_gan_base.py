"""What a model of `gan-infer train` is: the interface every named GAN implements.

`gan_infer.cli.named_gans` lists the models; `gan_infer.cli.dcgan` is one of
them, in a module of its own. Importing this module imports neither numpy
nor TensorFlow.
"""

from typing import Any, Callable, NamedTuple

__all__ = ["GEN_SCOPE", "Model", "Parts"]

#: Variable scope of every generator: `gan-infer sample` restores the
#: variables under it, and only those, from a training checkpoint.
GEN_SCOPE = "Gen"


class Parts(NamedTuple):
    """What `Model.build` puts in the graph."""

    samples: Any  # tf.Tensor [batch_size, ...]: the generator's output x
    discriminator: Callable  # batch -> logits, builds its variables on first call
    data: Any  # ed.Minibatches of the training data
    # More of the model's variables bound to data, {tensor: ed.Minibatches}, or
    # None: the cluster of each image of the DCGAN's self-conditioning.
    conditions: Any = None

    def bindings(self):
        """The inference's `data`: {samples: data, **conditions}, in the
        order the discriminator takes them."""
        return {self.samples: self.data, **(self.conditions or {})}


class Model:
    """A named GAN: hyper-parameters, networks, data, criticism.

    Subclasses define `noise`, `generative_network`, `discriminative_network`,
    `training_data`, `evaluate`, `figure` and `headline`.
    """

    name = None
    description = None
    example = None  # the example command whose model and defaults these are
    batch_size = None  # M, the examples' batch size
    n_iter = None  # the examples' default number of iterations
    n_print = None  # progress, grids and checkpoints every this many iterations
    learning_rate = None  # Adam's, both players
    beta1 = 0.9  # Adam's first-moment decay
    n_samples = None  # samples drawn at the end for samples.npy and the metrics
    binarize = False  # Bernoulli draws of the data at each batch (MNIST)
    shuffle = True  # a new order of the data each epoch
    key_metrics = ()  # the metrics a sweep summary reports, most telling first
    pack = 1  # PacGAN: D judges this many examples at once
    gradient_penalty = None  # weight of GANInference's zero-centred gradient penalty
    ema_decay = None  # sample with this moving average of the generator's weights
    takes_data = False  # trains on the images of --data (and --image-size)

    def configure(self, config):
        """The model as `config` (OUT/config.json's options) shapes it: itself,
        unless its networks depend on the data (the DCGAN's image size)."""
        del config
        return self

    def recorded_options(self):
        """What `configure` learnt from the data, kept in OUT/config.json so that
        `gan-infer sample` rebuilds the generator without reading the data."""
        return {}

    def build(self, batch_size, data_dir, seed):
        """Generator, discriminator and training data in the current graph.

        The generator is built first, under `GEN_SCOPE`, so its noise takes
        the first stateless seed of the graph: the same generator built
        alone (`generator`) draws the same noise for the same step seed.
        """
        from gan_infer.inferences import Minibatches

        samples = self.generator(batch_size)
        data = Minibatches(
            self.training_data(data_dir, seed), binarize=self.binarize, shuffle=self.shuffle
        )
        return Parts(samples, self.discriminative_network, data)

    def generator(self, batch_size):
        """x = G(z): `batch_size` samples of the model, built under `GEN_SCOPE`."""
        import tensorflow.compat.v1 as tf

        with tf.variable_scope(GEN_SCOPE):
            return self.generative_network(self.noise(batch_size))

    def optimizer(self, learning_rate):
        """Adam with this model's beta1, as in its example."""
        import tensorflow.compat.v1 as tf

        return tf.train.AdamOptimizer(learning_rate, beta1=self.beta1)

    def critic_probe(self, discriminator):
        """A tensor of D's outputs the training figures show, or None.
        Built after the discriminator's variables exist."""
        del discriminator
        return None

    def noise(self, batch_size):
        raise NotImplementedError

    def generative_network(self, eps):
        raise NotImplementedError

    def discriminative_network(self, x):
        raise NotImplementedError

    def training_data(self, data_dir, seed):
        raise NotImplementedError

    def evaluate(self, samples, data_dir=None):
        """Metrics of `samples` (a dict of JSON-serialisable values)."""
        raise NotImplementedError

    def figure(self, samples, title="", final=False, critic=None):
        """A matplotlib Figure of `samples` (`critic`: `critic_probe`'s value)."""
        raise NotImplementedError

    def headline(self, metrics):
        """The metrics in a few words, for the summary line."""
        raise NotImplementedError
