"""Adversarial losses as small pure functions of discriminator outputs.

Each function takes the discriminator's (or critic's) outputs on real data
and/or on model samples and returns a scalar to *minimise*. Inference classes
pick a pair (discriminator loss, generator loss) and wire the optimizers; the
functions know nothing of scopes, variables or sessions, so they are tested
directly against numpy and reused by every inference.

Notation: `d_real = D(x)` and `d_fake = D(G(z))` are logits for the
cross-entropy losses and unbounded critic values for the Wasserstein ones;
`sigma` is the logistic sigmoid and `E` the batch mean.
"""

import tensorflow.compat.v1 as tf

__all__ = [
    "GAN_LOSSES",
    "discriminator_loss",
    "non_saturating_generator_loss",
    "minimax_generator_loss",
    "wasserstein_critic_loss",
    "wasserstein_generator_loss",
    "gradient_penalty",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "feature_matching_loss",
    "mutual_information_loss",
]


def _mean_sigmoid_cross_entropy(logits, label):
    return tf.reduce_mean(
        tf.nn.sigmoid_cross_entropy_with_logits(
            labels=tf.fill(tf.shape(logits), tf.cast(label, logits.dtype)), logits=logits
        )
    )


def discriminator_loss(d_real, d_fake):
    """Cross-entropy of classifying data as real (1) and samples as fake (0):

        L_D = -E log sigma(d_real) - E log(1 - sigma(d_fake)).

    This is minus the value function V(D, G) of Goodfellow et al. (2014), so
    at the optimum p_g = p_data, D = 1/2, it equals 2 log 2 (V = -log 4).
    """
    with tf.name_scope("discriminator_loss"):
        return _mean_sigmoid_cross_entropy(d_real, 1.0) + _mean_sigmoid_cross_entropy(d_fake, 0.0)


def non_saturating_generator_loss(d_fake):
    """The generator heuristic of Goodfellow et al. (2014):

        L_G = -E log sigma(d_fake).

    Same fixed point as the minimax loss, but strong gradients early in
    training when the discriminator rejects samples confidently.
    """
    with tf.name_scope("non_saturating_generator_loss"):
        return _mean_sigmoid_cross_entropy(d_fake, 1.0)


def minimax_generator_loss(d_fake):
    """The generator's side of the minimax game (saturates when D wins):

    L_G = E log(1 - sigma(d_fake)).
    """
    with tf.name_scope("minimax_generator_loss"):
        return -_mean_sigmoid_cross_entropy(d_fake, 0.0)


def wasserstein_critic_loss(d_real, d_fake):
    """Critic loss of WGAN (Arjovsky et al., 2017): L_D = E d_fake - E d_real.

    Its negative estimates the Wasserstein-1 distance when the critic is
    1-Lipschitz (enforced by weight clipping or `gradient_penalty`).
    """
    with tf.name_scope("wasserstein_critic_loss"):
        return tf.reduce_mean(d_fake) - tf.reduce_mean(d_real)


def wasserstein_generator_loss(d_fake):
    """Generator loss of WGAN: L_G = -E d_fake."""
    with tf.name_scope("wasserstein_generator_loss"):
        return -tf.reduce_mean(d_fake)


def gradient_penalty(gradients, target=1.0):
    """A gradient penalty from discriminator gradients:

        P = E[(||grad_x D(x_hat)||_2 - target)^2],

    where `gradients` holds grad_x D at the points x_hat, one example per
    row (any trailing shape); the norm is over all but the first axis.
    `target=1` is WGAN-GP's penalty (Gulrajani et al., 2017), which keeps a
    critic near 1-Lipschitz; `target=0` is the zero-centred penalty
    E ||grad_x D(x_hat)||^2 (Thanh-Tung et al., 2019; Mescheder et al.,
    2018), which keeps a discriminator smooth, so that its gradients keep
    pointing the generator at data it has not reached.
    A list of tensors (a critic of several inputs, e.g. image and label)
    counts as one vector per example: the norm runs over all of them.
    A 1e-12 under the square root keeps the penalty's own gradient finite
    where a critic's gradient is exactly zero (dead ReLUs), which would
    otherwise turn the whole update into NaN.
    """
    with tf.name_scope("gradient_penalty"):
        parts = gradients if isinstance(gradients, (list, tuple)) else [gradients]
        squared_norms = tf.add_n(
            [
                tf.reduce_sum(tf.square(part), axis=tf.range(1, tf.rank(part)))
                for part in map(tf.convert_to_tensor, parts)
            ]
        )
        if target == 0:
            return tf.reduce_mean(squared_norms)  # no square root, no need for the 1e-12
        slopes = tf.sqrt(squared_norms + 1e-12)
        return tf.reduce_mean(tf.square(slopes - target))


def least_squares_discriminator_loss(d_real, d_fake):
    """Least-squares GAN (Mao et al., 2017) with targets 1 (real) and 0 (fake):

        L_D = E (d_real - 1)^2 / 2 + E d_fake^2 / 2.

    The outputs are used as they are (no sigmoid). Minimising this and
    `least_squares_generator_loss` minimises a Pearson chi^2 divergence.
    """
    with tf.name_scope("least_squares_discriminator_loss"):
        return 0.5 * tf.reduce_mean(tf.square(d_real - 1.0)) + 0.5 * tf.reduce_mean(
            tf.square(d_fake)
        )


def least_squares_generator_loss(d_fake):
    """Least-squares GAN generator loss: L_G = E (d_fake - 1)^2 / 2."""
    with tf.name_scope("least_squares_generator_loss"):
        return 0.5 * tf.reduce_mean(tf.square(d_fake - 1.0))


def hinge_discriminator_loss(d_real, d_fake):
    """Hinge loss (Lim & Ye, 2017; Miyato et al., 2018):

    L_D = E max(0, 1 - d_real) + E max(0, 1 + d_fake).
    """
    with tf.name_scope("hinge_discriminator_loss"):
        return tf.reduce_mean(tf.nn.relu(1.0 - d_real)) + tf.reduce_mean(tf.nn.relu(1.0 + d_fake))


def hinge_generator_loss(d_fake):
    """Hinge-GAN generator loss: L_G = -E d_fake."""
    with tf.name_scope("hinge_generator_loss"):
        return -tf.reduce_mean(d_fake)


def feature_matching_loss(features_real, features_fake):
    """Feature matching (Salimans et al., 2016): the squared distance between
    the batch means of the discriminator's features on data and on samples,

        L_FM = || E f(x) - E f(G(z)) ||_2^2,

    with f an intermediate layer of D, flattened to one vector per example.
    Added to the generator's loss, it asks the samples to match the data on
    statistics of the whole batch, e.g. how often each kind of shape the
    discriminator has learned to tell apart occurs, which the per-example
    losses above never see. The sum over features grows with the layer's
    width, and so does the weight this term needs beside another loss.
    """
    with tf.name_scope("feature_matching_loss"):

        def batch_mean(features):
            features = tf.convert_to_tensor(features)
            return tf.reduce_mean(tf.reshape(features, [tf.shape(features)[0], -1]), axis=0)

        return tf.reduce_sum(tf.square(batch_mean(features_real) - batch_mean(features_fake)))


def mutual_information_loss(code, code_logits):
    """InfoGAN's (Chen et al., 2016) term for a categorical latent code c:

        L_I = -E_{c ~ p(c), x = G(z, c)} log Q(c | x),

    the cross-entropy of the code that made each sample under Q(c | x) =
    softmax(code_logits), a network that reads the sample. H(c) - L_I is a
    lower bound on the mutual information I(c; G(z, c)); minimising L_I over
    both G and Q makes the samples of each code value recognisable as such.
    `code` holds integer categories, one per example; `code_logits` one
    row of logits per example.
    """
    with tf.name_scope("mutual_information_loss"):
        return tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=code, logits=code_logits)
        )


#: name -> (discriminator loss, generator loss), for `GANInference.initialize(loss=...)`.
GAN_LOSSES = {
    "non_saturating": (discriminator_loss, non_saturating_generator_loss),
    "minimax": (discriminator_loss, minimax_generator_loss),
    "least_squares": (least_squares_discriminator_loss, least_squares_generator_loss),
    "hinge": (hinge_discriminator_loss, hinge_generator_loss),
}
