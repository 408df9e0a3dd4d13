"""Bidirectional GANs / adversarially learned inference (Donahue et al., 2017;
Dumoulin et al., 2017)."""

import tensorflow.compat.v1 as tf

from gan_infer.inferences import losses
from gan_infer.inferences.data import check_binding, model_tensor
from gan_infer.inferences.gan_inference import GANInference
from gan_infer.models.random_variable import RandomVariable

__all__ = ["BiGANInference"]


class BiGANInference(GANInference):
    """Adversarial training of a generator *and* an encoder (inference network).

    The model draws `z ~ p(z)` and generates `x = G(z)`; the encoder maps
    data to latents, `qz = E(x_data)`. A joint discriminator D(x, z) tells
    the pairs (x_data, E(x_data)) from (G(z), z):

        L_D = -E log sigma(D(x_data, qz)) - E log(1 - sigma(D(G(z), z))),
        L_GE = -E log sigma(D(G(z), z)) - E log(1 - sigma(D(x_data, qz))),

    the second trained over the generator's and the encoder's variables (all
    trainable variables outside "Disc") with flipped labels on both terms.
    At the optimum E inverts G, so the encoder gives latent codes for data
    (reconstructions x ≈ G(E(x))).

    #### Examples

    ```python
    def encoder_network(x):
        h = layers.dense(x, 128, activation=tf.nn.relu)
        return layers.dense(h, d, activation=tf.tanh)

    def joint_network(x, z):
        h = layers.dense(tf.concat([x, z], axis=1), 128, activation=layers.leaky_relu)
        return layers.dense(h, 1)

    with tf.variable_scope("Gen"):
        z = Uniform(-tf.ones([M, d]), tf.ones([M, d]))
        x = generative_network(z)
    with tf.variable_scope("Enc"):
        qz = encoder_network(x_ph)

    inference = ed.BiGANInference(latent_vars={z: qz}, data={x: x_ph},
                                  discriminator=joint_network)
    inference.initialize(optimizer=tf.train.AdamOptimizer(2e-4, 0.5),
                         optimizer_d=tf.train.AdamOptimizer(2e-4, 0.5))
    ```
    """

    def __init__(self, latent_vars, data, discriminator):
        """Create an inference algorithm.

        Args:
          latent_vars: dict with one entry binding the model's latent
            variable z (RandomVariable or tensor) to the encoder's output for
            the data (tensor or RandomVariable), of the same shape.
          data: dict with one entry binding the model's output to the data.
          discriminator: callable (x, z) -> logits, one per example.
        """
        if not isinstance(latent_vars, dict) or len(latent_vars) != 1:
            raise ValueError(
                "BiGANInference needs latent_vars as a dict with one entry binding the model's "
                "latent variable to the encoder's output, e.g. latent_vars={z: qz}."
            )
        if not isinstance(data, dict) or len(data) != 1:
            raise ValueError(
                "BiGANInference needs data as a dict with one entry, e.g. data={x: x_ph}."
            )
        ((z, qz),) = latent_vars.items()
        z_tensor = model_tensor(z)
        qz_tensor = qz.value if isinstance(qz, RandomVariable) else qz
        if not isinstance(qz_tensor, tf.Tensor):
            raise TypeError(
                f"The encoder's output must be a tensor or random variable, got "
                f"{type(qz).__name__}."
            )
        check_binding(
            "latent_vars", "z", z_tensor, "an encoder output", qz_tensor, "they must match."
        )
        # The joint discriminator sees (x, z): data paired with its code,
        # samples paired with the noise that made them.
        super().__init__({**data, z: qz_tensor}, discriminator)
        self.latent_vars = dict(latent_vars)
        self.z, self.qz = z_tensor, qz_tensor

    def build_loss_and_gradients(self, var_list):
        """The two cross-entropies above; see
        `GANInference.build_loss_and_gradients`."""
        if self.options.loss != "non_saturating":
            raise ValueError(
                "BiGANInference uses its own cross-entropy losses; leave `loss` unset."
            )
        d_true, d_fake = self.discriminate()
        loss_d = losses.discriminator_loss(d_true, d_fake)
        # Flipped labels on both terms: the encoder's variables only reach
        # the loss through D(x_data, qz).
        loss = losses.non_saturating_generator_loss(d_fake) + losses.non_saturating_generator_loss(
            -d_true
        )
        return self.regularized_gradients(loss, loss_d, var_list)
