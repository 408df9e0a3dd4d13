"""Wasserstein GAN inference (Arjovsky et al., 2017; Gulrajani et al., 2017)."""
import numbers

import tensorflow.compat.v1 as tf

from gan_infer.inferences import losses
from gan_infer.inferences.gan_inference import DISC_SCOPE, GANInference, check_penalty_weight

__all__ = ["WGANInference"]


class WGANInference(GANInference):
    """GAN-style training with the Wasserstein-1 distance.

    The `discriminator` is a critic f returning unbounded real values. The
    critic minimises

        L_D = E f(G(z)) - E f(x) + penalty * E[(||grad f(x_hat)||_2 - 1)^2],

    with `x_hat = u x + (1 - u) G(z)`, `u ~ Uniform(0, 1)` per example (the
    gradient penalty of WGAN-GP); the generator minimises `L_G = -E f(G(z))`.
    With `clip`, the critic's weights are clipped to [-clip, clip] after each
    critic update (the original WGAN's Lipschitz constraint).

    #### Examples

    ```python
    inference = ed.WGANInference(data={x: x_ph}, discriminator=critic)
    inference.initialize(penalty=10.0, optimizer=tf.train.AdamOptimizer(1e-4, 0.5, 0.9))
    # or, as in the original WGAN:
    inference.initialize(penalty=None, clip=0.01, optimizer='rmsprop', optimizer_d='rmsprop')
    ```
    """

    def initialize(self, penalty=10.0, clip=None, *args, **kwargs):
        """Build the losses and training ops.

        Args:
          penalty: float, optional. Weight of the gradient penalty; None or
            0 for none.
          clip: float, optional. Clip the critic's weights to [-clip, clip]
            after each critic update; default no clipping.
          *args, **kwargs: passed to `GANInference.initialize`.
        """
        check_penalty_weight("penalty", penalty)
        if clip is not None and (isinstance(clip, bool) or not isinstance(clip, numbers.Real)
                                 or clip <= 0):
            raise ValueError(f"clip must be a positive number or None, got {clip!r}.")
        if kwargs.get("gradient_penalty") is not None:
            raise ValueError("WGANInference's gradient penalty is penalty= (one-centred, "
                             "WGAN-GP); gradient_penalty= is GANInference's zero-centred one.")
        if kwargs.pop("loss", "wasserstein") != "wasserstein":
            raise ValueError("WGANInference always uses the Wasserstein loss; for the others "
                             "use GANInference(...).initialize(loss=...).")
        self.penalty = float(penalty) if penalty else 0.0
        self.clip = None if clip is None else float(clip)
        super().initialize(*args, **kwargs)
        self.loss_name = "wasserstein"

    def _losses(self, d_true, d_fake):
        loss_d = losses.wasserstein_critic_loss(d_true, d_fake)
        if self.penalty > 0:
            loss_d += self.penalty * losses.gradient_penalty(self._gradients_at_interpolates())
        return losses.wasserstein_generator_loss(d_fake), loss_d

    def _after_critic_update(self, train_d):
        if self.clip is None:
            return train_d
        critic_variables = tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES, scope=DISC_SCOPE + "/")
        with tf.control_dependencies([train_d]):
            return tf.group(*[v.assign(tf.clip_by_value(v, -self.clip, self.clip))
                              for v in critic_variables], name="clip_critic_weights")
