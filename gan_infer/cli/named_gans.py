"""The models `gan-infer train` trains: the GANs of the examples, by name.

Each entry builds, in the current TensorFlow graph, the generator, the
discriminator and the training data (as `ed.Minibatches`, so the loop needs
no feeding) with the hyper-parameters of its example script, so that
`gan-infer train ring` trains the model of `examples/gan_ring.py`. Each
model names the example command it reproduces (`Model.example`), and
tests/cli/test_named_gans.py runs that command up to `GANInference.initialize`
beside `gan-infer train`, comparing what both pass to the inference (batch
size, Adam's settings, loss, penalty, weight average, n_iter, n_print) and
the networks they build (every trainable variable's name and shape, the
operations of G and D): the examples stay the one readable source of each
recipe, and a change on one side only fails that test.

    mnist    examples/gan_mnist.py: batch 128, Uniform(-1, 1)^100 noise, G 128 relu -> 784
             sigmoid, D 128 relu -> 1, Adam(1e-3, beta1 0.9), 15000 iterations
    mixture  examples/gan_mixture.py: batch 256, Normal(0, 1) noise, G 32 tanh x2 -> 1,
             D 32 relu x2 -> 1, Adam(1e-3, beta1 0.5), 6000 iterations
    ring     examples/gan_ring.py --pack 2 --lr 3e-4 --ema-decay 0.999: batch 512,
             Normal(0, 1)^2 noise, G 128 relu x3 -> 2, D 128 relu x3 -> 1 on pairs,
             Adam(3e-4, beta1 0.5), 10000 iterations
    grid     examples/gan_ring.py --mixture grid --pack 2 --lr 1e-3 --n-iter 30000
             --gradient-penalty 0.01 --ema-decay 0.999: as ring, Adam(1e-3, beta1 0.5),
             30000 iterations
    dcgan    examples/dcgan_mnist.py: batch 64, Uniform(-1, 1)^100 noise, strided
             (transposed) convolutions with batch norm in G, Adam(2e-4, beta1 0.5), 5000
             iterations; with --data, your images instead of MNIST, the networks sized
             from them (gan_infer.cli.dcgan)

The toys use the recipes that meet the mode-coverage targets of
docs/results.md (all 8 and all 25 modes with >= 90 % high-quality samples;
through this command line in 3 of 3 seeds, docs/cli.md): PacGAN pairs (D
judges two points at once) and samples drawn from the moving average of
the generator's weights for both, and for the grid also a zero-centred
gradient penalty (`GANInference.initialize`'s `ema_decay` and
`gradient_penalty`; `Model.pack`, `ema_decay`, `gradient_penalty`).
`gan-infer sample` restores that average too.

The toy examples draw a fresh batch from the true distribution at every
step; here the toys train on a fixed sample of 100,000 points from it,
served in shuffled mini-batches, so the data's position is checkpointed
like everything else (an epoch is ~200 iterations: the difference is
immaterial at these sizes).

Each model also judges its own samples (`evaluate`) and draws them
(`figure`): an image grid for MNIST, a histogram against the true density
for the 1-D mixture, a scatter plot over the 3-sigma circles for the 2-D
mixtures.

Importing this module does not import TensorFlow (the command line stays
quick for `--help` and usage errors); the builders import it when called.

#### Examples

```python
import tensorflow.compat.v1 as tf
import gan_infer as ed
from gan_infer.cli import named_gans

tf.disable_eager_execution()
model = named_gans.get("ring")
parts = model.build(batch_size=model.batch_size, data_dir=None, seed=0)
inference = ed.GANInference(data={parts.samples: parts.data}, discriminator=parts.discriminator)
inference.run(n_iter=1000, optimizer=model.optimizer(model.learning_rate),
              optimizer_d=model.optimizer(model.learning_rate))
```
"""

import math

import numpy as np

from gan_infer.cli.dcgan import DCGAN
from gan_infer.cli.named_gan_base import GEN_SCOPE, Model, Parts

__all__ = ["GEN_SCOPE", "MODELS", "TOYS", "Model", "Parts", "default_n_print", "get"]

#: Points drawn once from a toy distribution to train on.
TOY_TRAINING_POINTS = 100_000


def _mlp(inputs, widths, activation, outputs, output_activation=None):
    """Dense layers of `widths` units with `activation`, then `outputs` units."""
    from gan_infer import layers

    net = inputs
    for width in widths:
        net = layers.dense(net, width, activation=activation)
    return layers.dense(net, outputs, activation=output_activation)


class MNIST(Model):
    """Edward's GAN tutorial (examples/gan_mnist.py)."""

    name = "mnist"
    example = "examples/gan_mnist.py"
    description = "Edward's MNIST GAN tutorial: 100-d uniform noise, one hidden layer of 128"
    batch_size = 128
    n_iter = 15000
    n_print = 1000
    learning_rate = 1e-3  # tf.train.AdamOptimizer()'s defaults
    beta1 = 0.9
    n_samples = 10000
    binarize = True
    shuffle = False  # the tutorial's batches: in order, wrapping around
    key_metrics = ("frechet_distance", "classifier_score", "kernel_distance", "precision", "recall")
    noise_dim = 100

    def noise(self, batch_size):
        import tensorflow.compat.v1 as tf

        from gan_infer.models import Uniform

        return Uniform(
            tf.zeros([batch_size, self.noise_dim]) - 1.0, tf.ones([batch_size, self.noise_dim])
        )

    def generative_network(self, eps):
        import tensorflow.compat.v1 as tf

        return _mlp(eps, [128], tf.nn.relu, 784, tf.sigmoid)

    def discriminative_network(self, x):
        import tensorflow.compat.v1 as tf

        return _mlp(x, [128], tf.nn.relu, 1)

    def training_data(self, data_dir, seed):
        from gan_infer.datasets import mnist_splits

        # The tutorial's 55,000 training images (the last 5,000 are validation),
        # as uint8 pixels: Minibatches keeps them so (a quarter of float32's
        # memory) and scales each batch to probabilities of a 1 for the draw.
        (x_train, _), _, _ = mnist_splits(data_dir, validation_size=5000)
        return x_train

    def evaluate(self, samples, data_dir=None):
        # Without the Parzen window: 10-20 s, and it says little (Theis et al., 2016).
        from gan_infer.criticism.evaluate import evaluate_mnist

        return evaluate_mnist(samples, data_dir=data_dir, parzen=False)

    def figure(self, samples, title="", final=False, critic=None):
        from gan_infer.criticism import sample_grid

        # The tutorial's grids: 4x4 while training, 8x8 at the end (fewer when
        # fewer samples are drawn).
        side = min(8 if final else 4, math.isqrt(len(samples)))
        figure = sample_grid(samples, side, side)
        if title:
            figure.suptitle(title, fontsize=8)
        return figure

    def headline(self, metrics):
        return (
            f"Fréchet distance {metrics['frechet_distance']:.2f}, classifier score "
            f"{metrics['classifier_score']:.2f}, precision {metrics['precision']:.2f}, "
            f"recall {metrics['recall']:.2f}"
        )


class Mixture1D(Model):
    """The blog's two-mode mixture 0.5 N(-3, 0.5) + 0.5 N(3, 0.5) and the MLP
    generator that covers both modes (examples/gan_mixture.py)."""

    name = "mixture"
    example = "examples/gan_mixture.py --generator mlp"
    description = "two-mode 1-D mixture 0.5 N(-3, 0.5) + 0.5 N(3, 0.5), MLP generator"
    batch_size = 256
    n_iter = 6000
    n_print = 200
    learning_rate = 1e-3
    beta1 = 0.5
    n_samples = 10000
    key_metrics = ("ks_distance", "share_elsewhere", "share_left", "share_right", "std")
    separation = 3.0
    std = 0.5

    @property
    def modes(self):
        return np.array([-self.separation, self.separation])

    def noise(self, batch_size):
        import tensorflow.compat.v1 as tf

        from gan_infer.models import Normal

        return Normal(tf.zeros([batch_size, 1]), 1.0)

    def generative_network(self, eps):
        import tensorflow.compat.v1 as tf

        return _mlp(eps, [32, 32], tf.nn.tanh, 1)

    def discriminative_network(self, x):
        import tensorflow.compat.v1 as tf

        return _mlp(x, [32, 32], tf.nn.relu, 1)

    def training_data(self, data_dir, seed):
        del data_dir
        rng = np.random.default_rng(seed)
        centres = rng.choice(self.modes, size=[TOY_TRAINING_POINTS, 1])
        return (centres + self.std * rng.standard_normal(centres.shape)).astype(np.float32)

    def cdf(self, x):
        """The mixture's CDF: mean over modes m of Phi((x - m) / std)."""
        from scipy import stats

        return np.mean([stats.norm(m, self.std).cdf(x) for m in self.modes], axis=0)

    def density(self, x):
        from scipy import stats

        return np.mean([stats.norm(m, self.std).pdf(x) for m in self.modes], axis=0)

    @property
    def grid(self):
        span = self.separation + 4 * self.std
        return np.linspace(-span, span, 256, dtype=np.float32)

    def critic_probe(self, discriminator):
        import tensorflow.compat.v1 as tf

        with tf.variable_scope("Disc", reuse=True):
            return tf.sigmoid(discriminator(tf.constant(self.grid[:, None])))

    def evaluate(self, samples, data_dir=None):
        """Mode shares (samples within 2 std of each mode), the normal fit
        (mean, std: the data's are 0 and sqrt(s^2 + std^2) = 3.04) and the
        Kolmogorov-Smirnov distance to the true CDF."""
        from gan_infer.criticism.toy import fit_normal_1d, ks_distance

        x = np.asarray(samples, np.float64).reshape(len(samples), -1)[:, 0]
        distance = np.abs(x[:, None] - self.modes[None, :])
        nearest, on_mode = np.argmin(distance, axis=1), distance.min(axis=1) < 2 * self.std
        left, right = (float(np.mean(on_mode & (nearest == k))) for k in range(2))
        fit = fit_normal_1d(x)
        return {
            "n_samples": int(len(x)),
            "share_left": left,
            "share_right": right,
            "share_elsewhere": 1.0 - left - right,
            "mean": fit.mean,
            "std": fit.std,
            "ks_distance": ks_distance(x, self.cdf),
        }

    def figure(self, samples, title="", final=False, critic=None):
        from matplotlib.figure import Figure

        grid = self.grid
        figure = Figure(figsize=(6, 3.5))
        ax = figure.add_subplot()
        ax.plot(grid, self.density(grid), color="C0", label="data density")
        ax.hist(
            np.ravel(samples),
            bins=60,
            range=(grid[0], grid[-1]),
            density=True,
            color="C1",
            alpha=0.6,
            label="model samples",
        )
        if critic is not None:
            ax.plot(grid, np.ravel(critic), color="C2", label="D(x)")
        ax.set_xlim(grid[0], grid[-1])
        ax.set_xlabel("x")
        ax.legend(loc="upper right", fontsize=8)
        ax.set_title(title, fontsize=9)
        return figure

    def headline(self, metrics):
        return (
            f"KS distance {metrics['ks_distance']:.3f}, samples near -3 / +3 / elsewhere: "
            f"{metrics['share_left']:.2f} / {metrics['share_right']:.2f} / "
            f"{metrics['share_elsewhere']:.2f}"
        )


class Mixture2DModel(Model):
    """A 2-D mixture of Gaussians and the MLPs of examples/gan_ring.py,
    judged by mode counting (VEEGAN's protocol, `criticism.toy.mode_coverage`)."""

    batch_size = 512
    n_print = 500
    beta1 = 0.5
    n_samples = 2500  # VEEGAN's
    key_metrics = ("modes_captured", "high_quality_fraction")
    noise_dim = 2

    def __init__(
        self,
        name,
        description,
        example,
        n_iter,
        mixture,
        learning_rate,
        pack=1,
        gradient_penalty=None,
        ema_decay=None,
    ):
        self.name, self.description, self.example = name, description, example
        self.n_iter = n_iter
        self._mixture = mixture
        self.learning_rate, self.pack = learning_rate, pack
        self.gradient_penalty, self.ema_decay = gradient_penalty, ema_decay

    @property
    def mixture(self):
        from gan_infer.criticism import toy

        return getattr(toy, self._mixture)()

    def noise(self, batch_size):
        import tensorflow.compat.v1 as tf

        from gan_infer.models import Normal

        return Normal(tf.zeros([batch_size, self.noise_dim]), 1.0)

    def generative_network(self, eps):
        import tensorflow.compat.v1 as tf

        return _mlp(eps, [128] * 3, tf.nn.relu, 2)

    def discriminative_network(self, x):
        import tensorflow.compat.v1 as tf

        # PacGAN: `pack` consecutive points become one input, so a generator
        # that keeps drawing the same few modes is easy to tell from data.
        return _mlp(tf.reshape(x, [-1, 2 * self.pack]), [128] * 3, tf.nn.relu, 1)

    def training_data(self, data_dir, seed):
        del data_dir
        return self.mixture.sample(TOY_TRAINING_POINTS, seed=seed).astype(np.float32)

    def evaluate(self, samples, data_dir=None):
        """Modes captured (>= 20 samples within 3 std of the centre) and the
        high-quality fraction (samples within 3 std of some centre)."""
        from gan_infer.criticism.toy import mode_coverage

        mixture = self.mixture
        coverage = mode_coverage(samples, mixture)
        return {
            "n_samples": int(len(samples)),
            "n_modes": mixture.n_modes,
            "modes_captured": coverage.modes_captured,
            "high_quality_fraction": coverage.high_quality_fraction,
            "counts": coverage.counts.tolist(),
        }

    def figure(self, samples, title="", final=False, critic=None):
        from matplotlib.figure import Figure
        from matplotlib.patches import Circle

        mixture = self.mixture
        samples = np.asarray(samples)
        figure = Figure(figsize=(4.5, 4.5))
        ax = figure.add_subplot()
        for centre in mixture.centers:  # what counts as a high-quality sample
            ax.add_patch(Circle(centre, 3 * mixture.std, fill=False, color="k", linewidth=0.6))
        ax.scatter(samples[:, 0], samples[:, 1], s=3, alpha=0.5, color="C1", label="model")
        extent = np.abs(mixture.centers).max() + 1.0
        ax.set(xlim=(-extent, extent), ylim=(-extent, extent), aspect="equal")
        ax.legend(loc="upper right", fontsize=8)
        ax.set_title(title, fontsize=9)
        return figure

    def headline(self, metrics):
        return (
            f"{metrics['modes_captured']}/{metrics['n_modes']} modes captured, "
            f"{metrics['high_quality_fraction']:.1%} of samples within 3 std of a mode"
        )


MODELS = {
    model.name: model
    for model in (
        MNIST(),
        Mixture1D(),
        Mixture2DModel(
            "ring",
            "8 Gaussians on a ring of radius 2, std 0.02 (VEEGAN)",
            "examples/gan_ring.py --pack 2 --lr 3e-4 --ema-decay 0.999",
            10000,
            "ring_of_gaussians",
            learning_rate=3e-4,
            pack=2,
            ema_decay=0.999,
        ),
        Mixture2DModel(
            "grid",
            "25 Gaussians on a 5x5 grid, spacing 2, std 0.05 (VEEGAN)",
            "examples/gan_ring.py --mixture grid --pack 2 --lr 1e-3 --n-iter 30000 "
            "--gradient-penalty 0.01 --ema-decay 0.999",
            30000,
            "grid_of_gaussians",
            learning_rate=1e-3,
            pack=2,
            gradient_penalty=0.01,
            ema_decay=0.999,
        ),
        DCGAN(),
    )
}

#: The models whose samples `gan-infer evaluate --toy` judges against their known density.
TOYS = tuple(name for name, model in MODELS.items() if not isinstance(model, (MNIST, DCGAN)))


def get(name):
    """The model called `name` (one of `MODELS`)."""
    try:
        return MODELS[name]
    except KeyError:
        raise ValueError(f"Unknown model {name!r}; choose one of {', '.join(MODELS)}.") from None


def default_n_print(model, n_iter):
    """The model's n_print, or n_iter // 10 for runs shorter than ten of them."""
    return max(1, min(model.n_print, n_iter // 10))
