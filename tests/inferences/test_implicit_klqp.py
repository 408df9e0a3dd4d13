"""ImplicitKLqp (likelihood-free variational inference): Edward's unit test,
one update re-derived with numpy, the model's side drawn jointly, and every
bad input named."""

import numpy as np
import pytest
import tensorflow.compat.v1 as tf
from scipy import stats

import gan_infer as ed
from gan_infer.models import Normal
from gan_infer.util.seeds import step_seed

M = 4
SCALE = 2.5


def softplus(v):
    return np.logaddexp(0.0, v)


def sigmoid(v):
    return 1.0 / (1.0 + np.exp(-v))


def test_edwards_unit_test_brings_q_to_the_prior_mean():
    ed.set_seed(1)
    z = Normal(loc=5.0, scale=1.0)
    qz = Normal(loc=tf.Variable(0.0), scale=tf.nn.softplus(tf.Variable(0.5)))

    def ratio_estimator(data, local_vars, global_vars):
        """The optimal estimator, log p(z), plus a parameter to train."""
        w = tf.get_variable("w", [])
        return z.log_prob(local_vars[z]) + w

    inference = ed.ImplicitKLqp({z: qz}, discriminator=ratio_estimator)
    inference.run(n_iter=200, n_print=0)
    assert abs(ed.get_session().run(qz.mean()) - 5.0) < 1.0


def linear_model():
    """beta ~ N(0, 1); x_n ~ N(beta, 1), n = 1..M; q(beta) = N(m, softplus(s));
    r(x_n, beta) = a x_n + c beta."""
    beta = Normal(loc=0.0, scale=1.0)
    x = Normal(loc=beta * tf.ones([M]), scale=1.0)
    m, s = tf.Variable(0.3, name="m"), tf.Variable(-0.2, name="s")
    qbeta = Normal(loc=m, scale=tf.nn.softplus(s))

    def ratio_estimator(data, local_vars, global_vars):
        a = tf.get_variable("a", [], initializer=tf.constant_initializer(0.7))
        c = tf.get_variable("c", [], initializer=tf.constant_initializer(-0.4))
        return a * data[x] + c * global_vars[beta]

    return beta, x, qbeta, (m, s), ratio_estimator


def test_one_update_matches_the_objective_and_its_gradients_derived_by_hand():
    beta, x, qbeta, (m, s), ratio_estimator = linear_model()
    x_data = np.array([1.0, -0.5, 2.0, 0.25], np.float32)
    inference = ed.ImplicitKLqp(
        {beta: qbeta}, data={x: x_data}, discriminator=ratio_estimator, global_vars={beta: qbeta}
    )
    lr, lr_d = 0.1, 0.05
    inference.initialize(
        optimizer=tf.train.GradientDescentOptimizer(lr),
        optimizer_d=tf.train.GradientDescentOptimizer(lr_d),
        scale={x: SCALE},
        n_print=0,
    )
    sess = ed.get_session()
    sess.run(tf.global_variables_initializer())
    with tf.variable_scope("Disc", reuse=True):
        a_var, c_var = tf.get_variable("a"), tf.get_variable("c")
    # Feeding the step seed fixes every draw, so the update sees these ones.
    feed = {step_seed(): np.array([11, 29], np.int32)}
    beta_q, x_p, loss, loss_d, m0, s0, a, c = sess.run(
        [
            inference.global_vars[beta].value,
            inference.x_psample[x],
            inference.loss,
            inference.loss_d,
            m,
            s,
            a_var,
            c_var,
        ],
        feed,
    )
    sigma = softplus(s0)
    r_p, r_q = a * x_p + c * beta_q, a * x_data + c * beta_q
    want_loss = -(
        stats.norm.logpdf(beta_q, 0, 1) - stats.norm.logpdf(beta_q, m0, sigma) + SCALE * r_q.sum()
    )
    want_loss_d = softplus(-r_p).mean() + softplus(r_q).mean()
    assert loss == pytest.approx(want_loss, rel=1e-5)
    assert loss_d == pytest.approx(want_loss_d, rel=1e-5)

    # Reparameterised gradients: beta' = m + softplus(s) eps.
    eps, dsigma = (beta_q - m0) / sigma, sigmoid(s0)
    grad_m = beta_q - SCALE * M * c
    grad_s = beta_q * eps * dsigma - dsigma / sigma - SCALE * M * c * eps * dsigma
    grad_a = np.mean(-sigmoid(-r_p) * x_p) + np.mean(sigmoid(r_q) * x_data)
    grad_c = np.mean(-sigmoid(-r_p) * beta_q) + np.mean(sigmoid(r_q) * beta_q)
    info = inference.update(feed_dict=feed)
    assert info["t"] == 1 and info["loss"] == pytest.approx(want_loss, rel=1e-5)
    got = sess.run([m, s, a_var, c_var])
    want = [m0 - lr * grad_m, s0 - lr * grad_s, a - lr_d * grad_a, c - lr_d * grad_c]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-6)


def test_the_models_side_is_one_joint_draw_of_z_and_x():
    """x copies z (noise 0.01): the pair the estimator sees for the model
    must be (x, z') with x ~ p(x | z'), not x from the posterior's z."""
    N = 64
    beta = Normal(loc=0.0, scale=1.0)
    z = Normal(loc=beta * tf.ones([N]), scale=1.0)
    x = Normal(loc=z, scale=0.01)
    qbeta = Normal(loc=tf.Variable(0.0), scale=tf.nn.softplus(tf.Variable(0.5)))
    # Far from anything the prior draws (beta ~ N(0, 1), z ~ N(beta, 1)), so
    # that no draw of beta brings the model's z near the posterior's.
    qz = Normal(loc=tf.Variable(tf.fill([N], 30.0)), scale=0.1)

    def ratio_estimator(data, local_vars, global_vars):
        features = tf.stack([data[x], local_vars[z], global_vars[beta] * tf.ones([N])], 1)
        return tf.squeeze(ed.layers.dense(features, 1), 1)

    inference = ed.ImplicitKLqp(
        {z: qz, beta: qbeta},
        data={x: np.zeros(N, np.float32)},
        discriminator=ratio_estimator,
        global_vars={beta: qbeta},
    )
    inference.initialize(n_print=0)
    sess = ed.get_session()
    sess.run(tf.global_variables_initializer())
    x_p, z_p, z_q = sess.run(
        [inference.x_psample[x], inference.pz_sample[z], inference.qz_sample[z]]
    )
    np.testing.assert_allclose(x_p, z_p, atol=0.05)
    assert np.abs(x_p - z_q).mean() > 10.0  # the posterior's draws sit near 30


def test_a_dict_of_ratios_weighs_each_observed_variable_by_its_scale():
    beta = Normal(loc=0.0, scale=1.0)
    x1 = Normal(loc=beta * tf.ones([M]), scale=1.0)
    x2 = Normal(loc=beta * tf.ones([M]), scale=2.0)
    qbeta = Normal(loc=tf.Variable(0.0), scale=1.0)

    def ratio_estimator(data, local_vars, global_vars):
        w = tf.get_variable("w", [], initializer=tf.ones_initializer())
        return {x1: w * data[x1], x2: w * data[x2]}

    data1, data2 = np.ones(M, np.float32), np.full(M, 2.0, np.float32)
    inference = ed.ImplicitKLqp(
        {beta: qbeta},
        data={x1: data1, x2: data2},
        discriminator=ratio_estimator,
        global_vars={beta: qbeta},
    )
    inference.initialize(scale={x1: 3.0, x2: 5.0}, n_print=0)
    sess = ed.get_session()
    sess.run(tf.global_variables_initializer())
    feed = {step_seed(): np.array([3, 4], np.int32)}
    beta_q, loss = sess.run([qbeta.value, inference.loss], feed)
    want = -(
        stats.norm.logpdf(beta_q, 0, 1)
        - stats.norm.logpdf(beta_q, 0, 1)
        + 3.0 * data1.sum()
        + 5.0 * data2.sum()
    )
    assert loss == pytest.approx(want, rel=1e-5)


# ---------------------------------------------------------------- bad input
def simple_parts():
    beta = Normal(loc=0.0, scale=1.0)
    x = Normal(loc=beta * tf.ones([M]), scale=1.0)
    qbeta = Normal(loc=tf.Variable(0.0), scale=1.0)
    return beta, x, qbeta


def estimator(data, local_vars, global_vars):
    return tf.get_variable("w", []) * tf.ones([M])


@pytest.mark.parametrize(
    "make, error, message",
    [
        (
            lambda b, x, q: ed.ImplicitKLqp(
                {b: q}, data={x: np.zeros(M, np.float32)}, discriminator="f"
            ),
            TypeError,
            "a callable",
        ),
        (
            lambda b, x, q: ed.ImplicitKLqp(
                {b: q}, data={x: np.zeros(M, np.float32)}, discriminator=lambda d: d
            ),
            ValueError,
            r"three dicts, \(data, local_vars, global_vars\)",
        ),
        (
            lambda b, x, q: ed.ImplicitKLqp(
                {b: q},
                data={x: np.zeros(M, np.float32)},
                discriminator=estimator,
                global_vars={x: q},
            ),
            ValueError,
            "subset of latent_vars",
        ),
        (
            lambda b, x, q: ed.ImplicitKLqp(
                {b: Normal(tf.zeros([2]), 1.0)},
                data={x: np.zeros(M, np.float32)},
                discriminator=estimator,
            ),
            ValueError,
            "q must have its prior's shape",
        ),
        (lambda b, x, q: ed.ImplicitKLqp({}, discriminator=estimator), TypeError, "non-empty dict"),
        (
            lambda b, x, q: ed.ImplicitKLqp({b: q}, data=[1], discriminator=estimator),
            TypeError,
            "data as a dict",
        ),
    ],
)
def test_bad_constructor_arguments_are_named(make, error, message):
    with pytest.raises(error, match=message):
        make(*simple_parts())


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"scale": {"y": 2.0}}, ValueError, "not in data"),
        ({"scale": [2.0]}, TypeError, "scale must be a dict"),
        ({"ratio_loss": "squared"}, ValueError, "ratio_loss must be one of 'log', 'hinge'"),
        ({"loss": "hinge"}, ValueError, "does not take loss="),
        ({"gradient_penalty": 1.0}, ValueError, "does not take gradient_penalty="),
    ],
)
def test_bad_initialize_arguments_are_named(kwargs, error, message):
    beta, x, qbeta = simple_parts()
    inference = ed.ImplicitKLqp(
        {beta: qbeta},
        data={x: np.zeros(M, np.float32)},
        discriminator=estimator,
        global_vars={beta: qbeta},
    )
    with pytest.raises(error, match=message):
        inference.initialize(**kwargs)


def test_a_scale_must_be_a_positive_number_or_a_tensor():
    beta, x, qbeta = simple_parts()
    inference = ed.ImplicitKLqp(
        {beta: qbeta},
        data={x: np.zeros(M, np.float32)},
        discriminator=estimator,
        global_vars={beta: qbeta},
    )
    with pytest.raises(ValueError, match=r"scale\[.*\] must be a positive number \(N / M\)"):
        inference.initialize(scale={x: -1.0})


def test_a_callable_ratio_loss_per_data_point_is_averaged():
    beta, x, qbeta, _, ratio_estimator = linear_model()
    x_data = np.array([1.0, -0.5, 2.0, 0.25], np.float32)
    inference = ed.ImplicitKLqp(
        {beta: qbeta}, data={x: x_data}, discriminator=ratio_estimator, global_vars={beta: qbeta}
    )
    inference.initialize(ratio_loss=lambda r_p, r_q: tf.square(r_p - r_q), n_print=0)
    sess = ed.get_session()
    sess.run(tf.global_variables_initializer())
    feed = {step_seed(): np.array([5, 6], np.int32)}
    loss_d, r_p, r_q = sess.run([inference.loss_d, inference.r_psample, inference.r_qsample], feed)
    assert np.shape(loss_d) == () and loss_d == pytest.approx(np.mean((r_p - r_q) ** 2), rel=1e-5)


def test_different_scales_need_a_ratio_per_observed_variable():
    beta, x, qbeta = simple_parts()
    x2 = Normal(loc=beta * tf.ones([M]), scale=1.0)
    inference = ed.ImplicitKLqp(
        {beta: qbeta},
        data={x: np.zeros(M, np.float32), x2: np.zeros(M, np.float32)},
        discriminator=estimator,
        global_vars={beta: qbeta},
    )
    with pytest.raises(ValueError, match="must return a dict of logits"):
        inference.initialize(scale={x: 1.0, x2: 2.0})


def test_conjugate_regression_reaches_the_exact_posterior_at_small_size():
    """Bayesian linear regression (N = 100, D = 2) with the exact log ratio as
    the estimator (plus a learnt constant): what remains is the optimiser's
    error, and q must match the conjugate posterior."""
    ed.set_seed(0)
    N, D = 100, 2
    rng = np.random.default_rng(0)
    X_data = rng.normal(size=(N, D)).astype(np.float32)
    y_data = (X_data @ np.array([1.0, -2.0]) + rng.normal(0, 1.0, N)).astype(np.float32)
    X = tf.constant(X_data)
    w = Normal(loc=tf.zeros(D), scale=tf.ones(D))
    y = Normal(loc=ed.dot(X, w), scale=tf.ones(N))
    qw = Normal(loc=tf.Variable(tf.zeros(D)), scale=tf.nn.softplus(tf.Variable(tf.fill([D], -2.0))))

    def ratio_estimator(data, local_vars, global_vars):
        residual = data[y] - ed.dot(X, global_vars[w])
        return -0.5 * tf.square(residual) + tf.get_variable("constant", [])

    inference = ed.ImplicitKLqp(
        {w: qw}, data={y: y_data}, discriminator=ratio_estimator, global_vars={w: qw}
    )
    inference.run(
        n_iter=1500,
        n_print=0,
        optimizer=tf.train.AdamOptimizer(0.02),
        optimizer_d=tf.train.AdamOptimizer(0.01),
    )
    covariance = np.linalg.inv(np.eye(D) + X_data.T.astype(np.float64) @ X_data)
    exact_mean = covariance @ X_data.T.astype(np.float64) @ y_data
    exact_std = np.sqrt(np.diag(covariance))
    q_mean, q_std = ed.get_session().run([qw.mean(), qw.stddev()])
    assert np.all(np.abs(q_mean - exact_mean) < 2.0 * exact_std)
    assert np.all((q_std > 0.5 * exact_std) & (q_std < 2.0 * exact_std))


def test_a_fed_scale_is_checked_when_it_is_read():
    with tf.Graph().as_default():
        beta = Normal(loc=0.0, scale=1.0)
        x = Normal(loc=beta * tf.ones([4]), scale=1.0)
        qbeta = Normal(loc=tf.Variable(0.0), scale=1.0)
        scale = tf.placeholder(tf.float32, [])
        inference = ed.ImplicitKLqp(
            {beta: qbeta},
            data={x: np.zeros(4, np.float32)},
            discriminator=lambda data, local, glob: tf.get_variable("w", []) * tf.ones([4]),
            global_vars=[beta],
        )
        inference.initialize(scale={x: scale}, n_print=0)
        ed.get_session().run(tf.global_variables_initializer())
        inference.update({scale: 25.0})
        with pytest.raises(tf.errors.InvalidArgumentError, match=r"must be a positive weight"):
            inference.update({scale: -25.0})


@pytest.mark.parametrize("blur", [0.5, "per_variable", "per_summary"])
def test_blur_adds_noise_of_its_width_to_both_sides(blur):
    """The estimator sees x + h e on the model's side and x_n + h e on the data's."""
    N = 2000
    beta = Normal(loc=0.0, scale=1.0)
    x = Normal(loc=beta * tf.ones([N, 2]), scale=0.01)
    qbeta = Normal(loc=tf.Variable(0.0), scale=0.001)
    seen = []

    def ratio_estimator(data, local_vars, global_vars):
        seen.append(data[x])
        return ed.layers.dense(data[x], 1)[:, 0]

    inference = ed.ImplicitKLqp(
        {beta: qbeta},
        data={x: np.full([N, 2], 3.0, np.float32)},
        discriminator=ratio_estimator,
        global_vars={beta: qbeta},
    )
    widths = {"per_variable": {x: 0.5}, "per_summary": np.array([0.5, 0.5])}.get(blur, blur)
    inference.initialize(n_print=0, blur=widths)
    sess = ed.get_session()
    sess.run(tf.global_variables_initializer())
    assert seen == [inference.x_psample[x], inference.x_qsample[x]]  # what the estimator sees
    model_side, data_side = sess.run([inference.x_psample[x], inference.x_qsample[x]])
    assert abs(model_side.std() - np.sqrt(0.5**2 + 0.01**2)) < 0.03
    assert abs(model_side.mean()) < 0.05  # beta' ~ q, near 0
    assert abs(data_side.std() - 0.5) < 0.03 and abs(data_side.mean() - 3.0) < 0.05


def test_no_blur_leaves_the_observations_as_they_are():
    beta = Normal(loc=0.0, scale=1.0)
    x = Normal(loc=beta * tf.ones([8]), scale=1.0)
    qbeta = Normal(loc=tf.Variable(0.0), scale=1.0)
    observed = np.arange(8, dtype=np.float32)
    inference = ed.ImplicitKLqp(
        {beta: qbeta},
        data={x: observed},
        discriminator=lambda data, local_vars, global_vars: ed.layers.dense(data[x][:, None], 1),
        global_vars={beta: qbeta},
    )
    inference.initialize(n_print=0, blur=0.0)
    assert inference.blur == {}
    assert inference.x_qsample[x] is inference.data[x]
