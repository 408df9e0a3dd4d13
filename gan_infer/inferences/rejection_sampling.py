"""Discriminator rejection sampling (Azadi et al., 2019): the trained
discriminator corrects the generator's samples."""

import numpy as np

from gan_infer.util.checks import check_int, check_number
from gan_infer.util.session import get_session

__all__ = ["rejection_sample", "acceptance_probability"]

_EPSILON = 1e-6
# Losses whose optimal discriminator's logit is log p_data(x) / p_g(x).
_RATIO_LOSSES = ("non_saturating", "minimax")


def acceptance_probability(logits, max_logit, gamma=0.0, epsilon=_EPSILON):
    """The probability of keeping each sample, from the discriminator's logits.

    A discriminator trained with the cross-entropy loss to its optimum has
    D(x) = p_data / (p_data + p_g), so its logit is the log density ratio
    D~(x) = log p_data(x) / p_g(x). Rejection sampling with the generator as
    the proposal keeps x with probability p_data(x) / (M p_g(x)) =
    exp(D~(x) - D~_M), where D~_M bounds the logits; what it keeps are
    draws from p_data. Azadi et al. write this probability as sigma(F) with

        F(x) = D~(x) - D~_M - log(1 - exp(D~(x) - D~_M - epsilon)) - gamma,

    which for gamma = 0 is exp(D~(x) - D~_M) (up to epsilon, which keeps
    the log finite at the maximum). A gamma > 0 rejects more, a gamma < 0
    keeps more; either way the order of the samples is kept.

    Args:
      logits: array of D's logits on generated samples.
      max_logit: float. D~_M, at least as large as every logit.
      gamma: float. The shift of F.
      epsilon: float. Keeps the log finite at D~(x) = D~_M.

    Returns:
      np.ndarray of probabilities, the shape of `logits`.

    #### Examples

    ```python
    acceptance_probability(np.array([0.0, -np.log(2.0)]), max_logit=0.0)  # ~[1, 0.5]
    ```
    """
    return _sigmoid(_shifted_f(logits, max_logit, epsilon) - gamma)


def _shifted_f(logits, max_logit, epsilon=_EPSILON):
    """F(x) + gamma: log p - log(1 - p) for p = exp(D~(x) - D~_M - epsilon)."""
    log_p = np.asarray(logits, dtype=np.float64) - max_logit - epsilon
    if np.any(log_p > 0):
        raise ValueError(
            f"max_logit {max_logit} is below the largest logit "
            f"{np.max(logits)}; pass the maximum of the logits or more."
        )
    return log_p - np.log(-np.expm1(log_p))


def _sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))  # no overflow warning for large |z|


def rejection_sample(
    inference, n, gamma_quantile=None, burn_in=10000, feed_dict=None, seed=None, max_proposals=None
):
    """Draw `n` samples of the model, each kept with the probability the
    discriminator gives it (discriminator rejection sampling, DRS).

    The generator's distribution p_g is the proposal; D's logit estimates
    log p_data / p_g (see `acceptance_probability`), so the kept samples
    follow p_g reweighted by that ratio: what the generator draws too
    often is thinned, what it draws too rarely is kept. How close this gets
    to p_data depends on how close D is to the optimal discriminator for the
    final generator. D trained alongside G lags behind it; a few hundred to
    a few thousand discriminator-only steps with the generator fixed,
    `inference.update(feed_dict, variables="Disc")`, bring it closer
    (Azadi et al. calibrate D this way before sampling).

    First `burn_in` samples are drawn to estimate D~_M (their largest logit;
    later samples raise it if they exceed it) and, with `gamma_quantile`,
    gamma. They are kept or rejected like the rest. Samples are proposed in
    the model's own batches, so batch norm and batch-level discriminator
    features (`layers.minibatch_stddev`) see what they saw in training.

    Args:
      inference: a `GANInference` (or subclass) after `initialize`, trained
        with the "non_saturating" or "minimax" loss, whose discriminator
        logit estimates the log density ratio; one data entry.
      n: int. How many samples to return.
      gamma_quantile: float in (0, 1), optional. Sets gamma to this quantile
        of F over the burn-in, e.g. 0.8: samples above it are kept with
        probability over 1/2 (on the MNIST DCGAN, 0.8 keeps 12-38 % of
        the proposals). Default None: gamma = 0, exact rejection sampling
        for the optimal D, which keeps about E exp(D~ - D~_M) of the
        proposals: few when one logit stands far above the rest.
      burn_in: int. Proposals drawn first to set D~_M and gamma.
      feed_dict: dict, optional. Fed at every proposal, e.g. a label for a
        conditional model.
      seed: int, optional. Seeds the uniform draws that accept or reject.
      max_proposals: int, optional. Gives up (RuntimeError) after this many
        proposals; default `burn_in + 100 * n`.

    Returns:
      (samples, acceptance): an array of `n` samples, shaped like the
      model's output rows, and the fraction of proposals kept.

    #### Examples

    ```python
    inference = ed.GANInference(data={x: x_ph}, discriminator=discriminative_network)
    inference.initialize(n_print=0)
    sess.run(tf.global_variables_initializer())
    ...  # train
    for _ in range(100):   # calibrate D to the final generator
        inference.update(feed_dict={x_ph: next(x_train_generator)}, variables="Disc")
    samples, acceptance = ed.rejection_sample(inference, 100, gamma_quantile=0.8, burn_in=200)
    ```
    """
    _check_arguments(inference, n, gamma_quantile, burn_in, max_proposals)
    sess = get_session()
    rng = np.random.default_rng(seed)
    fetches = [inference.x_fake, inference.d_fake]

    def propose():
        samples, logits = sess.run(fetches, feed_dict)
        logits = np.reshape(logits, [-1])
        if len(logits) != len(samples):
            raise ValueError(
                f"rejection_sample needs one logit per sample; the discriminator gave "
                f"{len(logits)} for {len(samples)} samples (a packed discriminator judges "
                "several samples at once and cannot weigh them one by one)."
            )
        return samples, logits

    burn_in_batches, proposed = [], 0
    while proposed < burn_in:
        burn_in_batches.append(propose())
        proposed += len(burn_in_batches[-1][1])
    burn_in_logits = np.concatenate([logits for _, logits in burn_in_batches])
    max_logit = float(burn_in_logits.max())
    gamma = 0.0
    if gamma_quantile is not None:
        gamma = float(np.quantile(_shifted_f(burn_in_logits, max_logit), gamma_quantile))

    kept, n_kept = [], 0

    def judge(samples, logits):
        nonlocal max_logit, n_kept
        # A logit above the bound would get a probability over 1 (Azadi et
        # al. raise the bound as they go).
        max_logit = max(max_logit, float(logits.max()))
        keep = rng.uniform(size=len(logits)) < acceptance_probability(logits, max_logit, gamma)
        kept.append(samples[keep])
        n_kept += int(keep.sum())

    for batch in burn_in_batches:
        judge(*batch)
    if max_proposals is None:
        max_proposals = burn_in + 100 * n
    while n_kept < n:
        if proposed >= max_proposals:
            raise RuntimeError(
                f"rejection_sample kept {n_kept} of {proposed} proposals, short of n = {n}: "
                f"D rejects nearly everything. Pass gamma_quantile (e.g. 0.8) to keep more, or "
                f"raise max_proposals."
            )
        batch = propose()
        proposed += len(batch[1])
        judge(*batch)
    return np.concatenate(kept)[:n], n_kept / proposed


def _check_arguments(inference, n, gamma_quantile, burn_in, max_proposals):
    loss = getattr(getattr(inference, "options", None), "loss", None)
    if not hasattr(inference, "d_fake") or loss is None:
        raise ValueError(
            "rejection_sample needs a GANInference after initialize(...), whose "
            "discriminator has been built; call inference.initialize(...) and train first."
        )
    if loss not in _RATIO_LOSSES:
        raise ValueError(
            f"rejection_sample reads D's logit as the log density ratio log p_data/p_g, which "
            f"holds for a discriminator trained with the cross-entropy loss; this inference "
            f"uses loss={loss!r}. Train with loss='non_saturating' (or 'minimax'), or sample "
            "the model directly."
        )
    if inference.latent_vars:
        raise ValueError(
            "rejection_sample weighs samples of the model alone; a BiGAN's discriminator "
            "judges (x, z) pairs, so its logit is a ratio of joint densities. Sample the "
            "model directly."
        )
    if len(inference.fakes) != 1:
        raise ValueError(
            f"rejection_sample weighs samples of one model output; this inference binds "
            f"{len(inference.fakes)} in data (e.g. a conditional GAN's labels). Sample the model "
            "directly."
        )
    check_int(n, "rejection_sample's n")
    check_int(burn_in, "burn_in", what="a positive int (proposals to set the bound on D's logits)")
    check_int(
        max_proposals,
        "max_proposals",
        minimum=burn_in,
        allow_none=True,
        what=f"an int of at least burn_in ({burn_in}), or None",
    )
    check_number(
        gamma_quantile,
        "gamma_quantile",
        low=0.0,
        high=1.0,
        inclusive=False,
        allow_none=True,
        what="a number strictly between 0 and 1, e.g. 0.8, or None for gamma = 0",
    )
