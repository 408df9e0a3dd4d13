"""InfoGAN: a GAN whose samples reveal a latent code (Chen et al., 2016)."""

import tensorflow.compat.v1 as tf

from gan_infer.inferences import losses
from gan_infer.inferences.gan_inference import GANInference
from gan_infer.models.random_variable import RandomVariable
from gan_infer.util.checks import check_number

__all__ = ["InfoGANInference"]


class InfoGANInference(GANInference):
    """A GAN that also maximises the mutual information between a categorical
    latent code c and the samples it makes (Chen et al., 2016).

    The model draws c ~ Categorical(K) beside its noise z and generates
    x = G(z, c). The discriminator returns, beside its logits, the logits of
    Q(c | x): a head on its own hidden layers that guesses which code made a
    sample. Both players minimise the term

        L_I = -E_{c, z} log Q(c | G(z, c))   (`losses.mutual_information_loss`)

    weighted by lambda: the generator (over G) on top of its GAN loss, the
    discriminator (over D and Q, whose variables are all under "Disc") on
    top of its own. H(c) - L_I is a lower bound on I(c; x), so the generator
    learns to make the K values of c draw K kinds of data that Q can tell
    apart. Nothing tells it what these kinds should be (the data are never
    labelled): on MNIST with K = 10 they come out as digits and as styles,
    e.g. two codes for upright and slanted ones, so a uniform code does not
    make the digits uniform (docs/results.md, DCGAN section).

    #### Examples

    ```python
    with tf.variable_scope("Gen"):
        c = Categorical(logits=tf.zeros([M, 10]))
        eps = Uniform(-tf.ones([M, d]), tf.ones([M, d]))
        x = generative_network(tf.concat([eps, tf.one_hot(c, 10)], axis=1))

    def discriminative_network(x):
        h = layers.dense(x, 128, activation=layers.leaky_relu)
        code_logits = layers.dense(layers.dense(h, 64, activation=layers.leaky_relu), 10)
        return layers.dense(h, 1), code_logits

    inference = ed.InfoGANInference(data={x: x_ph}, discriminator=discriminative_network,
                                    code=c)
    inference.initialize(optimizer=tf.train.AdamOptimizer(2e-4, 0.5),
                         optimizer_d=tf.train.AdamOptimizer(2e-4, 0.5), info_weight=1.0)
    sess.run(tf.global_variables_initializer())
    ...  # train
    sess.run(x, {c: np.full(M, 3)})   # samples of one code value
    ```
    """

    def __init__(self, data, discriminator, code):
        """Create an inference algorithm.

        Args:
          data: dict binding the model's output to the data, as for
            `GANInference`.
          discriminator: callable. Maps a batch to the pair `(logits,
            code_logits)`: one real-fake logit per example, and K logits of
            Q(c | x) per example.
          code: the model's categorical latent code: a RandomVariable or
            integer tensor of shape [batch], values in 0..K-1, that the
            generator reads.
        """
        code_tensor = code.value if isinstance(code, RandomVariable) else code
        if not isinstance(code_tensor, tf.Tensor) or not code_tensor.dtype.is_integer:
            what = (
                code_tensor.dtype.name
                if isinstance(code_tensor, tf.Tensor)
                else type(code).__name__
            )
            raise TypeError(
                f"InfoGANInference's code must be the model's categorical latent code, an "
                f"integer tensor or random variable such as Categorical(logits=tf.zeros([M, "
                f"10])), got {what}."
            )
        if code_tensor.shape.rank is not None and code_tensor.shape.rank != 1:
            raise ValueError(
                f"InfoGANInference's code needs one category per example, shape [batch]; "
                f"got shape {code_tensor.shape}."
            )
        super().__init__(data, discriminator)
        self.code = code_tensor

    def initialize(self, *args, info_weight=1.0, **kwargs):
        """Build the losses and the training ops.

        Args:
          info_weight: float > 0, keyword-only. The weight lambda of the mutual-information
            term in both players' losses (default 1, as Chen et al. use for
            categorical codes).
          *args, **kwargs: passed to `GANInference.initialize` (optimizers
            first, as on every inference of the family; then loss,
            disc_steps, ... by keyword). `feature_matching` is not available:
            the discriminator's second output is Q's logits, not features.
        """
        check_number(info_weight, "info_weight", low=0.0, inclusive=False)
        if kwargs.get("feature_matching"):
            raise ValueError(
                "InfoGANInference reads the discriminator's second output as Q(x), its guess "
                "of the code, so feature_matching= is not available with it."
            )
        self.refuse_reinitialize()  # before the weight of the first call is replaced
        self.info_weight = float(info_weight)
        super().initialize(*args, **kwargs)

    def build_loss_and_gradients(self, var_list):
        """The GAN losses plus `info_weight * L_I` in both; see
        `GANInference.build_loss_and_gradients`."""
        d_true, d_fake = self.discriminate()
        if self.features_fake is None:
            raise ValueError(
                "InfoGANInference needs the discriminator to return (logits, code_logits): "
                "its real-fake logits and the logits of Q(x), its guess of the code, e.g. "
                "'return layers.dense(h, 1), layers.dense(h, 10)'."
            )
        code_logits = self.features_fake
        if (
            code_logits.shape.rank is not None and code_logits.shape.rank != 2
        ) or not code_logits.shape[:1].is_compatible_with(self.code.shape):
            raise ValueError(
                f"The discriminator's code logits have shape {code_logits.shape}; for a code of "
                f"shape {self.code.shape} they need shape [batch, number of categories]."
            )
        loss, loss_d = self.gan_losses(d_true, d_fake)
        # Kept for monitors: Q's logits on samples and the term itself.
        self.code_logits = code_logits
        self.loss_info = losses.mutual_information_loss(self.code, code_logits)
        if self.logging:
            self.summaries.scalar("loss/mutual_information", self.loss_info)
        return self.regularized_gradients(
            loss + self.info_weight * self.loss_info,
            loss_d + self.info_weight * self.loss_info,
            var_list,
        )
