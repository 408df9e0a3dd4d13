"""One update() of GANInference and WGANInference against numpy.

The model is linear, x = a z + b, the discriminator linear, D(x) = w x + c, so
losses and gradients have closed forms. Each expected update is re-derived
here with numpy (losses, gradients, then the optimizer step), never with the
code under test.
"""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer.models import Normal

M = 8
INITIAL = {"a": 0.7, "b": -0.3, "w": 0.9, "c": 0.2}


def softplus(u):
    return np.logaddexp(0.0, u)


def sigmoid(u):
    return 1.0 / (1.0 + np.exp(-u))


def build(inference_class, optimizer, optimizer_d, **initialize_kwargs):
    """The linear model and critic; the noise z is a random variable we feed."""
    x_ph = tf.placeholder(tf.float32, [M, 1])
    with tf.variable_scope("Gen"):
        a = tf.get_variable("a", [], initializer=tf.constant_initializer(INITIAL["a"]))
        b = tf.get_variable("b", [], initializer=tf.constant_initializer(INITIAL["b"]))
        z = Normal(0.0, 1.0, sample_shape=[M, 1])
        x = a * z + b

    def discriminator(inputs):
        w = tf.get_variable("w", [], initializer=tf.constant_initializer(INITIAL["w"]))
        c = tf.get_variable("c", [], initializer=tf.constant_initializer(INITIAL["c"]))
        return w * inputs + c

    inference = inference_class(data={x: x_ph}, discriminator=discriminator)
    inference.initialize(
        optimizer=optimizer, optimizer_d=optimizer_d, n_print=0, **initialize_kwargs
    )
    with tf.variable_scope("Disc", reuse=True):
        w, c = tf.get_variable("w", []), tf.get_variable("c", [])
    ed.get_session().run(tf.global_variables_initializer())
    return inference, x_ph, z, {"a": a, "b": b, "w": w, "c": c}


def gan_gradients(p, x_real, z):
    """Closed-form gradients of the non-saturating GAN losses."""
    x_fake = p["a"] * z + p["b"]
    d_real = p["w"] * x_real + p["c"]
    d_fake = p["w"] * x_fake + p["c"]
    loss_d = np.mean(softplus(-d_real)) + np.mean(softplus(d_fake))
    loss = np.mean(softplus(-d_fake))
    dd_real = -sigmoid(-d_real) / M  # dL_D / d d_real
    dd_fake = sigmoid(d_fake) / M  # dL_D / d d_fake
    dg_fake = -sigmoid(-d_fake) / M  # dL_G / d d_fake
    grads_d = {
        "w": np.sum(dd_real * x_real) + np.sum(dd_fake * x_fake),
        "c": np.sum(dd_real) + np.sum(dd_fake),
    }
    grads = {"a": np.sum(dg_fake * p["w"] * z), "b": np.sum(dg_fake * p["w"])}
    return loss, grads, loss_d, grads_d


def zero_centred_penalty_gradients(p, x_real, z, gamma):
    """The non-saturating losses plus gamma * E ||grad_x D(x_hat)||^2: for a
    linear D the input gradient is w everywhere, so the penalty is gamma w^2
    wherever the interpolates x_hat fall."""
    loss, grads, loss_d, grads_d = gan_gradients(p, x_real, z)
    grads_d["w"] += 2.0 * gamma * p["w"]
    return loss, grads, loss_d + gamma * p["w"] ** 2, grads_d


def wgan_gradients(p, x_real, z, penalty):
    """Closed-form gradients of the WGAN-GP losses for a linear critic: its
    gradient w.r.t. any input is w, so the penalty is (sqrt(w^2) - 1)^2."""
    x_fake = p["a"] * z + p["b"]
    slope = np.sqrt(p["w"] ** 2 + 1e-12)
    loss_d = (
        np.mean(p["w"] * x_fake + p["c"])
        - np.mean(p["w"] * x_real + p["c"])
        + penalty * (slope - 1.0) ** 2
    )
    loss = -np.mean(p["w"] * x_fake + p["c"])
    grads_d = {
        "w": np.mean(x_fake) - np.mean(x_real) + penalty * 2.0 * (slope - 1.0) * p["w"] / slope,
        "c": 0.0,
    }
    grads = {"a": -p["w"] * np.mean(z), "b": -p["w"]}
    return loss, grads, loss_d, grads_d


class GradientDescent:
    def __init__(self, learning_rate):
        self.learning_rate = learning_rate

    def tf(self):
        return tf.train.GradientDescentOptimizer(self.learning_rate)

    def step(self, params, grads):
        for name, grad in grads.items():
            params[name] = params[name] - self.learning_rate * grad


class Adam:
    """TF1's Adam: bias correction folded into the learning rate."""

    def __init__(self, learning_rate, beta1=0.9, beta2=0.999, epsilon=1e-8):
        self.lr, self.beta1, self.beta2, self.epsilon = learning_rate, beta1, beta2, epsilon
        self.m, self.v, self.t = {}, {}, 0

    def tf(self):
        return tf.train.AdamOptimizer(self.lr, self.beta1, self.beta2, self.epsilon)

    def step(self, params, grads):
        self.t += 1
        lr_t = self.lr * np.sqrt(1 - self.beta2**self.t) / (1 - self.beta1**self.t)
        for name, grad in grads.items():
            self.m[name] = self.beta1 * self.m.get(name, 0.0) + (1 - self.beta1) * grad
            self.v[name] = self.beta2 * self.v.get(name, 0.0) + (1 - self.beta2) * grad**2
            params[name] = params[name] - lr_t * self.m[name] / (
                np.sqrt(self.v[name]) + self.epsilon
            )


OPTIMIZERS = {
    "gd": lambda: (GradientDescent(0.1), GradientDescent(0.05)),
    "adam": lambda: (Adam(0.01), Adam(0.02, beta1=0.5)),
}


def run_and_compare(inference_class, opt_name, variables, gradients_fn, **kwargs):
    clip = kwargs.get("clip")
    opt_g, opt_d = OPTIMIZERS[opt_name]()
    inference, x_ph, z, tf_params = build(inference_class, opt_g.tf(), opt_d.tf(), **kwargs)
    rng = np.random.default_rng(0)
    expected = {name: np.float64(value) for name, value in INITIAL.items()}
    for step in range(1, 4):  # several steps, so optimizer state carries over
        x_real = rng.normal(2.0, 0.5, size=[M, 1]).astype(np.float32)
        z_value = rng.normal(size=[M, 1]).astype(np.float32)
        info = inference.update(feed_dict={x_ph: x_real, z: z_value}, variables=variables)

        loss, grads, loss_d, grads_d = gradients_fn(
            expected, x_real.astype(np.float64), z_value.astype(np.float64)
        )
        assert info["t"] == step
        if variables in (None, "Gen"):
            assert info["loss"] == pytest.approx(loss, rel=1e-5, abs=1e-6)
            opt_g.step(expected, grads)
        else:
            assert info["loss"] == 0.0
        if variables in (None, "Disc"):
            assert info["loss_d"] == pytest.approx(loss_d, rel=1e-5, abs=1e-6)
            opt_d.step(expected, grads_d)
            if clip is not None:
                for name in ("w", "c"):
                    expected[name] = np.clip(expected[name], -clip, clip)
        else:
            assert info["loss_d"] == 0.0
        actual = ed.get_session().run(tf_params)
        for name in INITIAL:
            assert actual[name] == pytest.approx(expected[name], rel=1e-4, abs=1e-6), (
                f"{name} after update {step} ({variables or 'both'}, {opt_name})"
            )
    return expected


@pytest.mark.parametrize("opt_name", ["gd", "adam"])
@pytest.mark.parametrize("variables", [None, "Gen", "Disc"])
def test_gan_update_matches_numpy(opt_name, variables):
    final = run_and_compare(ed.GANInference, opt_name, variables, gan_gradients)
    moved = {name for name in INITIAL if final[name] != INITIAL[name]}
    expected_moved = {None: {"a", "b", "w", "c"}, "Gen": {"a", "b"}, "Disc": {"w", "c"}}[variables]
    assert moved == expected_moved


@pytest.mark.parametrize("opt_name", ["gd", "adam"])
@pytest.mark.parametrize("variables", [None, "Gen", "Disc"])
def test_gan_zero_centred_gradient_penalty_update_matches_numpy(opt_name, variables):
    gamma = 3.0
    run_and_compare(
        ed.GANInference,
        opt_name,
        variables,
        lambda p, x, z: zero_centred_penalty_gradients(p, x, z, gamma),
        gradient_penalty=gamma,
    )


@pytest.mark.parametrize("opt_name", ["gd", "adam"])
@pytest.mark.parametrize("variables", [None, "Gen", "Disc"])
def test_wgan_gradient_penalty_update_matches_numpy(opt_name, variables):
    penalty = 10.0
    run_and_compare(
        ed.WGANInference,
        opt_name,
        variables,
        lambda p, x, z: wgan_gradients(p, x, z, penalty),
        penalty=penalty,
    )


@pytest.mark.parametrize("variables", [None, "Gen", "Disc"])
def test_wgan_clipping_follows_each_critic_update(variables):
    clip = 0.5  # below the initial w = 0.9, so clipping bites at once
    final = run_and_compare(
        ed.WGANInference,
        "gd",
        variables,
        lambda p, x, z: wgan_gradients(p, x, z, 0.0),
        penalty=None,
        clip=clip,
    )
    if variables in (None, "Disc"):
        assert abs(final["w"]) <= clip
    else:
        assert final["w"] == INITIAL["w"]
