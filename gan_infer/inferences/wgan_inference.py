"""Wasserstein GAN inference (Arjovsky et al., 2017; Gulrajani et al., 2017)."""

from gan_infer.inferences import losses
from gan_infer.inferences.gan_inference import GANInference
from gan_infer.util.checks import check_number

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
    def critic(x):
        h = layers.dense(x, 128, activation=layers.leaky_relu)
        return layers.dense(h, 1)  # unbounded: no sigmoid

    inference = ed.WGANInference(data={x: x_ph}, discriminator=critic)
    inference.initialize(penalty=10.0, disc_steps=5,
                         optimizer=tf.train.AdamOptimizer(1e-4, 0.5, 0.9),
                         optimizer_d=tf.train.AdamOptimizer(1e-4, 0.5, 0.9))
    # The original WGAN clips the critic's weights instead of the penalty:
    #     inference.initialize(penalty=None, clip=0.01, optimizer="rmsprop",
    #                          optimizer_d="rmsprop", disc_steps=5)
    ```
    """

    #: Its one loss: `initialize(loss=...)` is for `GANInference`.
    losses_offered = ("wasserstein",)

    def initialize(self, *args, penalty=10.0, clip=None, **kwargs):
        """Build the losses and training ops.

        Args:
          penalty: float, optional, keyword-only. Weight of the gradient
            penalty; None or 0 for none (kept as `self.penalty`).
          clip: float, optional, keyword-only. Clip the critic's weights to
            [-clip, clip] after each critic update; default no clipping
            (kept as `self.training.weight_clip`).
          *args, **kwargs: passed to `GANInference.initialize` (optimizers
            first, as on every inference of the family; then `disc_steps`,
            `n_iter`, ... by keyword).
        """
        check_number(penalty, "penalty", low=0.0, allow_none=True)
        check_number(
            clip,
            "clip",
            low=0.0,
            inclusive=False,
            allow_none=True,
            what="a positive number or None",
        )
        if kwargs.get("gradient_penalty") is not None:
            raise ValueError(
                "WGANInference's gradient penalty is penalty= (one-centred, "
                "WGAN-GP); gradient_penalty= is GANInference's zero-centred one."
            )
        if kwargs.pop("loss", "wasserstein") != "wasserstein":
            raise ValueError(
                "WGANInference always uses the Wasserstein loss; for the others "
                "use GANInference(...).initialize(loss=...)."
            )
        if clip is not None and kwargs.get("weight_clip") is not None:
            raise ValueError(
                "clip= and weight_clip= name the same constraint on the critic; give one."
            )
        self.refuse_reinitialize()  # before the penalty of the first call is replaced
        self.penalty = float(penalty) if penalty else 0.0
        kwargs.setdefault("weight_clip", clip)
        super().initialize(*args, loss="wasserstein", **kwargs)

    def build_loss_and_gradients(self, var_list):
        """L_D = E f(G(z)) - E f(x) + penalty * E[(||grad f(x_hat)|| - 1)^2],
        L_G = -E f(G(z)); see `GANInference.build_loss_and_gradients`."""
        d_true, d_fake = self.discriminate()
        loss_d = losses.wasserstein_critic_loss(d_true, d_fake)
        if self.penalty > 0:
            loss_d += self.penalty * losses.gradient_penalty(self.gradients_at_interpolates())
        loss = losses.wasserstein_generator_loss(d_fake)
        return self.regularized_gradients(loss, loss_d, var_list)
