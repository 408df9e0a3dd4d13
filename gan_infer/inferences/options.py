"""The options of two-player training, checked in one place before anything is built.

`TwoPlayerOptions` are what every adversarial inference takes (the schedule,
the constraint on the second player, the weight average);
`GANOptions` are the GAN family's own (which loss, and the loss terms that
regularise it). An inference keeps them as `self.training` and
`self.options`: each value lives there once, never copied into attributes.

#### Examples

```python
training = TwoPlayerOptions(disc_steps=5, pretrain_steps=100)
options = GANOptions(loss="hinge", gradient_penalty=10.0)
assert training.schedule == (5, 100) and options.feature_matching is None
```
"""

import dataclasses
from typing import Optional

from gan_infer.inferences import losses
from gan_infer.util.checks import check_int, check_number

__all__ = ["TwoPlayerOptions", "GANOptions"]


@dataclasses.dataclass(frozen=True)
class TwoPlayerOptions:
    """How the two players take turns, and what constrains or averages them.

    Schedule:
      disc_steps: int, optional. None (default) makes each iteration one
        simultaneous update of both players; k >= 1 makes it Algorithm 1 of
        Goodfellow et al. (2014): k discriminator steps, each on a fresh
        batch, then one generator step.
      pretrain_steps: int. Discriminator steps before the first iteration
        ("pre-train the decision surface").

    Constraint:
      weight_clip: float, optional. Clip the discriminator's weights to
        [-c, c] after each of its updates: the original WGAN's Lipschitz
        constraint (`WGANInference(...).initialize(clip=c)`).

    Averaging:
      ema_decay: float in (0, 1), optional. Keep an exponential moving
        average of the generator's weights (the first player's: q's for
        `ImplicitKLqp`), updated after every generator step
        (`gan_infer.inferences.weight_average`), for sampling inside
        `averaged_generator()`. The average of weights far apart can be
        worse than each of them (a generator that keeps moving a lot, e.g.
        under a strong gradient penalty), so compare it with the last
        weights before relying on it.
    """

    disc_steps: Optional[int] = None
    pretrain_steps: int = 0
    weight_clip: Optional[float] = None
    ema_decay: Optional[float] = None

    def __post_init__(self):
        check_int(self.disc_steps, "disc_steps", allow_none=True)
        check_int(self.pretrain_steps, "pretrain_steps", minimum=0)
        check_number(
            self.weight_clip,
            "clip",
            low=0.0,
            inclusive=False,
            allow_none=True,
            what="a positive number or None",
        )
        check_number(
            self.ema_decay,
            "ema_decay",
            low=0.0,
            high=1.0,
            inclusive=False,
            allow_none=True,
            what="None or a float in (0, 1), e.g. 0.999",
        )

    @property
    def schedule(self):
        """(disc_steps, pretrain_steps)."""
        return self.disc_steps, self.pretrain_steps


@dataclasses.dataclass(frozen=True)
class GANOptions:
    """Which GAN loss, and the terms added to it.

    Loss:
      loss: str. The pair of losses, from `losses.GAN_LOSSES`:
        'non_saturating' (default: L_D = -E log D(x) - E log(1 - D(G(z))),
        L_G = -E log D(G(z))), 'minimax' (the paper's saturating
        log(1 - D(G(z))) generator loss), 'least_squares', 'hinge';
        'wasserstein' is `WGANInference`'s (it sets it), and an algorithm
        accepts only the losses its class offers (`losses_offered`).

    Regularisers:
      gradient_penalty: float, optional. Weight gamma of a zero-centred
        gradient penalty on the discriminator (Thanh-Tung et al., 2019),

            gamma * E ||grad_x D(x_hat)||^2,  x_hat = u x + (1 - u) G(z),  u ~ U(0, 1):

        it keeps D smooth between data and samples, so its gradient still
        leads the generator towards data it has not covered (missing modes)
        instead of only sharpening the modes it has. (`WGANInference`'s
        one-centred penalty is its own `penalty=`.)
      feature_matching: float, optional. Weight lambda of feature matching
        (Salimans et al., 2016) in the generator's loss,

            lambda * || E f(x) - E f(G(z)) ||^2   (`losses.feature_matching_loss`),

        with f(.) the features the discriminator returns beside its logits
        (write it to return `(logits, features)`). The per-example losses
        judge each sample alone; this term compares whole batches (on MNIST
        it did not restore the digits' proportions either: docs/results.md).
    """

    loss: str = "non_saturating"
    gradient_penalty: Optional[float] = None
    feature_matching: Optional[float] = None

    def __post_init__(self):
        if self.loss not in losses.GAN_LOSSES and self.loss != "wasserstein":
            raise ValueError(
                f"Unknown loss {self.loss!r}; choose one of {', '.join(sorted(losses.GAN_LOSSES))}."
            )
        for name in ("gradient_penalty", "feature_matching"):
            check_number(getattr(self, name), name, low=0.0, allow_none=True)
