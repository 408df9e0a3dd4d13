"""docs/errors.md, section "Inference": each row's mistake, made (see registry.py)."""

import numpy as np
import tensorflow.compat.v1 as tf

import gan_infer as ed
from gan_infer import layers
from gan_infer.inferences import optimizers
from gan_infer.inferences.pooled_implicit_klqp import SimulationPool, truncated_importance_weights
from gan_infer.inferences.ratio_estimators import mlp_ratio_estimator, standardization
from gan_infer.inferences.variational import flow_posterior
from gan_infer.models import Normal
from gan_infer.models.simulator import Simulator
from gan_infer.util import Progbar
from tests.errors.parts import (
    BareInference,
    M,
    bigan,
    bigan_parts,
    conditional_gan,
    discriminator,
    gan,
    gan_whose_discriminator_returns,
    infogan,
    infogan_discriminator,
    initialized,
    initialized_gan,
    inside_averaged_generator,
    joint_discriminator,
    klqp,
    klqp_parts,
    model_reading_a_placeholder,
    normal_model,
    ratio_estimator,
    sigmoid_gan,
)
from tests.errors.registry import also, row, row_test

row(
    "inference-latent-vars-not-dict",
    TypeError,
    "latent_vars must be a dict, got …",
    lambda env: BareInference(latent_vars=[1]),
)

row(
    "inference-data-not-dict",
    TypeError,
    "data must be a dict that binds the model's output to observations, e.g. data={x: x_ph}; got …",
    lambda env: BareInference(data=[1]),
)

row(
    "inference-gan-data-not-dict",
    ValueError,
    "… needs data as a dict that binds the model's output to the observations, e.g. "
    "data={x: x_ph}; got …",
    lambda env: ed.GANInference(data={}, discriminator=discriminator),
)


@also("inference-gan-data-not-dict")
def _(env):
    _, x = normal_model()
    ed.GANInference(data=[x], discriminator=discriminator)


@row(
    "inference-data-key",
    TypeError,
    "data keys must be model outputs (tf.Tensor or gan_infer.models.RandomVariable), got …; "
    "the model's output is the key: data={x: x_ph}.",
)
def _(env):
    ed.GANInference(data={"x": tf.placeholder(tf.float32, [M, 1])}, discriminator=discriminator)


@row(
    "inference-model-other-graph",
    ValueError,
    "The model tensor … belongs to another graph than the default graph; build the model and "
    "the inference in the same graph.",
)
def _(env):
    with tf.Graph().as_default():
        _, x = normal_model()
    ed.GANInference(data={x: tf.placeholder(tf.float32, [M, 1])}, discriminator=discriminator)


@row(
    "inference-data-other-graph",
    ValueError,
    "The data tensor … belongs to another graph than the model tensor …; create both in the "
    "same graph.",
)
def _(env):
    _, x = normal_model()
    with tf.Graph().as_default():
        x_ph = tf.placeholder(tf.float32, [M, 1])
    ed.GANInference(data={x: x_ph}, discriminator=discriminator)


@row(
    "inference-data-dtype",
    TypeError,
    "data binds model tensor … of dtype … to … of dtype …; give them the same dtype",
)
def _(env):
    _, x = normal_model()
    ed.GANInference(data={x: tf.placeholder(tf.float64, [M, 1])}, discriminator=discriminator)


@row(
    "inference-data-shape",
    ValueError,
    "data binds model tensor … of shape … to … of shape …; the shapes must match (a batch of "
    "observations as large as the model's batch of samples).",
)
def _(env):
    _, x = normal_model()
    ed.GANInference(data={x: tf.placeholder(tf.float32, [M + 1, 1])}, discriminator=discriminator)


@also("inference-data-shape")
def _(env):
    _, x = normal_model()
    ed.GANInference(data={x: np.zeros([M, 2], np.float32)}, discriminator=discriminator)


@row(
    "inference-data-not-numeric",
    TypeError,
    "data for … must be numeric, got a numpy array of dtype …",
)
def _(env):
    _, x = normal_model()
    ed.GANInference(data={x: np.full([M, 1], "a")}, discriminator=discriminator)


@row(
    "inference-data-value-type",
    TypeError,
    "data values must be tf.Tensor (e.g. a placeholder) or numpy arrays, got … for …",
)
def _(env):
    _, x = normal_model()
    ed.GANInference(data={x: "x_train.npy"}, discriminator=discriminator)


@row(
    "inference-swapped-data",
    ValueError,
    "data binds the placeholder … to …: key and value look swapped. The model's output is the "
    "key and the observations the value: data={x: x_ph}.",
)
def _(env):
    _, x = normal_model()
    ed.GANInference(data={tf.placeholder(tf.float32, [M, 1]): x}, discriminator=discriminator)


@row(
    "inference-discriminator-not-callable",
    TypeError,
    "discriminator must be a callable (a function from a batch to logits), got …",
)
def _(env):
    _, x = normal_model()
    ed.GANInference(data={x: tf.placeholder(tf.float32, [M, 1])}, discriminator="dense")


@row(
    "inference-discriminator-arity",
    ValueError,
    "data has …, so the discriminator is called with … (one per entry, in order), but its "
    "signature is …",
)
def _(env):
    _, x = normal_model()
    with tf.variable_scope("Gen"):
        y = tf.zeros([M], tf.int32)
    ed.GANInference(
        data={x: tf.placeholder(tf.float32, [M, 1]), y: tf.placeholder(tf.int32, [M])},
        discriminator=discriminator,
    )


row(
    "inference-n-iter",
    ValueError,
    "n_iter must be a positive int, got …",
    lambda env: gan()[0].initialize(n_iter=0),
)

row(
    "inference-n-print",
    ValueError,
    "n_print must be a non-negative int (0 disables printing), got …",
    lambda env: gan()[0].initialize(n_iter=10, n_print=-1),
)


@row(
    "inference-reinitialize",
    RuntimeError,
    "….initialize() was already called: its training ops exist. Create a new inference "
    "object (in a new graph) to start afresh.",
)
def _(env):
    inference, _ = gan()
    inference.initialize(n_print=0)
    inference.initialize(n_print=0)


@row(
    "inference-run-after-initialize",
    RuntimeError,
    "… is already initialized: call run() without initialize() arguments, or give them to "
    "run() instead of calling initialize().",
)
def _(env):
    inference, _ = gan(data=np.full([M, 1], 4.0, np.float32))
    inference.initialize(n_iter=1, n_print=0)
    inference.run(n_iter=5)


row(
    "inference-run-placeholder",
    ValueError,
    "run() cannot feed the placeholder … bound in data. Either bind the observations "
    "themselves (data={x: x_batch} with a numpy array), or write the loop: for _ in "
    "range(inference.n_iter): info = inference.update(feed_dict={x_ph: next(batches)}); "
    "inference.print_progress(info)",
    lambda env: gan()[0].run(n_iter=1, n_print=0),
)


row(
    "inference-run-placeholder-upstream",
    ValueError,
    "run() cannot feed the placeholder …, which the model reads. Build the model on the bound "
    "data instead (e.g. qz = encoder(inference.x_true) needs the batch tensor), or write the "
    "loop with update(feed_dict={...}).",
    lambda env: model_reading_a_placeholder(),
)


@row(
    "inference-update-without-feed",
    ValueError,
    "update() needs a batch for the placeholder … bound in data: call "
    "inference.update(feed_dict={x_ph: batch}).",
)
def _(env):
    inference, _ = gan()
    inference.initialize(n_print=0)
    inference.update()


@row(
    "inference-update-variables",
    NotImplementedError,
    "variables must be None (both), 'Gen' or 'Disc', got …",
)
def _(env):
    inference, x_ph = gan()
    inference.initialize(n_print=0)
    inference.update(feed_dict={x_ph: np.zeros([M, 1])}, variables="Generator")


row(
    "inference-unknown-loss",
    ValueError,
    "Unknown loss …; choose one of hinge, least_squares, minimax, non_saturating.",
    lambda env: gan()[0].initialize(loss="saturating"),
)

row(
    "inference-wasserstein-loss",
    ValueError,
    "Unknown loss 'wasserstein'; choose one of …. Use WGANInference for it.",
    lambda env: gan()[0].initialize(loss="wasserstein"),
)

row(
    "inference-disc-steps",
    ValueError,
    "disc_steps must be None or a positive int, got …",
    lambda env: gan()[0].initialize(disc_steps=0),
)

row(
    "inference-pretrain-steps",
    ValueError,
    "pretrain_steps must be a non-negative int, got …",
    lambda env: gan()[0].initialize(pretrain_steps=-1),
)

row(
    "inference-gradient-penalty",
    ValueError,
    "gradient_penalty must be None or a non-negative number, got …",
    lambda env: gan()[0].initialize(gradient_penalty=-1.0),
)

row(
    "inference-feature-matching-weight",
    ValueError,
    "feature_matching must be None or a non-negative number, got …",
    lambda env: gan()[0].initialize(feature_matching=-1.0),
)


row(
    "inference-feature-matching-without-features",
    ValueError,
    "initialize(feature_matching=...) needs features of the discriminator to match: make it "
    "return (logits, features), e.g. 'return layers.dense(h, 1), h' with h its last hidden "
    "layer.",
    lambda env: gan()[0].initialize(feature_matching=1.0),
)

row(
    "inference-discriminator-output-items",
    ValueError,
    "The discriminator returned a … of … items; return the logits, or the pair (logits, features).",
    lambda env: gan_whose_discriminator_returns(lambda logits, x: (logits, x, x)).initialize(
        n_print=0
    ),
)

row(
    "inference-discriminator-features-rank",
    ValueError,
    "The discriminator's features have shape …; they need one row per example, [batch, ...], "
    "e.g. the flattened last hidden layer.",
    lambda env: gan_whose_discriminator_returns(
        lambda logits, x: (logits, tf.reduce_mean(x, axis=1))
    ).initialize(n_print=0),
)

row(
    "inference-ema-decay",
    ValueError,
    "ema_decay must be None or a float in (0, 1), e.g. 0.999, got …",
    lambda env: gan()[0].initialize(ema_decay=1.0),
)


@row(
    "inference-averaged-generator-without-ema",
    RuntimeError,
    "averaged_generator() needs a moving average of the generator's weights: call "
    "initialize(..., ema_decay=0.999) before training.",
)
def _(env):
    inference, _ = gan()
    inference.initialize(n_print=0)
    with inference.averaged_generator():
        pass


@row(
    "inference-inside-averaged-generator",
    RuntimeError,
    "Cannot … inside averaged_generator(): the generator's variables hold the weight "
    "average, not the trained weights. Leave the block first.",
)
def _(env):
    inside_averaged_generator(
        env, lambda inference, x_ph: inference.update({x_ph: np.zeros([M, 1])})
    )


also(
    "inference-inside-averaged-generator",
    lambda env: inside_averaged_generator(env, lambda inference, _: inference.save_checkpoint()),
)
also(
    "inference-inside-averaged-generator",
    lambda env: inside_averaged_generator(env, lambda inference, _: inference.run()),
)


@row(
    "inference-averaged-generator-nested",
    RuntimeError,
    "averaged_generator() blocks cannot be nested.",
)
def _(env):
    inside_averaged_generator(env, lambda inference, _: inference.averaged_generator().__enter__())


row(
    "inference-unknown-optimizer",
    ValueError,
    "Unknown … optimizer …; use one of adam, rmsprop, gradientdescent, momentum, adagrad, "
    "adadelta, ftrl, or pass a tf.compat.v1.train.Optimizer.",
    lambda env: gan()[0].initialize(optimizer="adamw", n_print=0),
)

also("inference-unknown-optimizer", lambda env: gan()[0].initialize(optimizer_d="sgd", n_print=0))

row(
    "inference-optimizer-type",
    TypeError,
    "The … optimizer must be None, a name or a tf.compat.v1.train.Optimizer "
    "(e.g. tf.compat.v1.train.AdamOptimizer(2e-4)), got …. Keras optimizers "
    "(tf.keras.optimizers.*) do not work in graph mode sessions.",
    lambda env: gan()[0].initialize(optimizer=1e-3, n_print=0),
)

row(
    "inference-global-step-type",
    TypeError,
    "… global step must be a tf.Variable or None, got …",
    lambda env: gan()[0].initialize(global_step=0, n_print=0),
)

row(
    "inference-schedule-decay",
    ValueError,
    "exponential_decay: … must be …, got …",
    lambda env: optimizers.exponential_decay(0.1, 0, 0.5),
)

also("inference-schedule-decay", lambda env: optimizers.exponential_decay(0.0, 0, 1.000004))

row(
    "inference-schedule-ramp",
    ValueError,
    "linear_ramp: end must come after begin, got begin=…, end=….",
    lambda env: optimizers.linear_ramp(0, 0.5, 0.7, 249, 0),
)


@row(
    "inference-var-list-disc",
    ValueError,
    "var_list holds discriminator variables …; list only the generator's.",
)
def _(env):
    theta, x = normal_model()
    with tf.variable_scope("Disc"):
        scale = tf.get_variable("scale", [])
    inference = ed.GANInference(
        data={x: tf.placeholder(tf.float32, [M, 1])}, discriminator=discriminator
    )
    inference.initialize(var_list=[theta, scale], n_print=0)


@row(
    "inference-disc-without-variables",
    ValueError,
    'The discriminator has no trainable variables under variable scope "Disc": create its '
    "weights inside the discriminator function (e.g. with gan_infer.layers.dense) so that "
    "they are made under that scope.",
)
def _(env):
    _, x = normal_model()
    inference = ed.GANInference(
        data={x: tf.placeholder(tf.float32, [M, 1])},
        discriminator=lambda v: tf.reduce_sum(v, 1, keepdims=True),
    )
    inference.initialize(n_print=0)


@row(
    "inference-generator-without-parameters",
    ValueError,
    'The generator loss does not depend on any trainable variable outside the "Disc" scope: '
    "the model has no parameters to fit, or var_list misses them.",
)
def _(env):
    _, x = normal_model(trainable=False)
    inference = ed.GANInference(
        data={x: tf.placeholder(tf.float32, [M, 1])}, discriminator=discriminator
    )
    inference.initialize(n_print=0)


@row(
    "inference-debug-nan",
    FloatingPointError,
    "NaN or Inf in … at iteration … (… values). Training stopped before applying this update; "
    "lower the learning rate or check the model and the data.",
)
def _(env):
    # NaN data are refused where they are bound: an overflowing step makes them.
    inference, _ = gan(data=np.zeros([M, 1], np.float32))
    step = tf.train.GradientDescentOptimizer(1e38)
    inference.initialize(optimizer=step, optimizer_d=step, n_print=0, debug=True)
    ed.get_session().run(tf.global_variables_initializer())
    for _ in range(20):
        inference.update()


row(
    "inference-wgan-penalty",
    ValueError,
    "penalty must be None or a non-negative number, got …",
    lambda env: gan(ed.WGANInference)[0].initialize(penalty=-1.0),
)

row(
    "inference-wgan-gradient-penalty",
    ValueError,
    "WGANInference's gradient penalty is penalty= (one-centred, WGAN-GP); gradient_penalty= "
    "is GANInference's zero-centred one.",
    lambda env: gan(ed.WGANInference)[0].initialize(gradient_penalty=1.0),
)

row(
    "inference-wgan-clip",
    ValueError,
    "clip must be a positive number or None, got …",
    lambda env: gan(ed.WGANInference)[0].initialize(penalty=None, clip=0.0),
)

row(
    "inference-wgan-loss",
    ValueError,
    "WGANInference always uses the Wasserstein loss; for the others use "
    "GANInference(...).initialize(loss=...).",
    lambda env: gan(ed.WGANInference)[0].initialize(loss="hinge"),
)


@row("inference-wgan-penalty-rank", ValueError, "The gradient penalty needs data of known rank.")
def _(env):
    _, x = normal_model()
    inference = ed.WGANInference(
        data={x: tf.placeholder(tf.float32, None)},
        discriminator=lambda v: layers.dense(tf.reshape(v, [-1, 1]), 1),
    )
    inference.initialize(n_print=0)


@row(
    "inference-bigan-latent-vars",
    ValueError,
    "BiGANInference needs latent_vars as a dict with one entry binding the model's latent "
    "variable to the encoder's output, e.g. latent_vars={z: qz}.",
)
def _(env):
    _, x, x_ph, _ = bigan_parts()
    ed.BiGANInference(latent_vars={}, data={x: x_ph}, discriminator=joint_discriminator)


@row(
    "inference-bigan-data",
    ValueError,
    "BiGANInference needs data as a dict with one entry, e.g. data={x: x_ph}.",
)
def _(env):
    z, _, x_ph, qz = bigan_parts()
    ed.BiGANInference(latent_vars={z: qz}, data=x_ph, discriminator=joint_discriminator)


@row(
    "inference-bigan-encoder-type",
    TypeError,
    "The encoder's output must be a tensor or random variable, got …",
)
def _(env):
    z, x, x_ph, _ = bigan_parts()
    ed.BiGANInference(
        latent_vars={z: np.zeros([M, 2], np.float32)},
        data={x: x_ph},
        discriminator=joint_discriminator,
    )


@row(
    "inference-bigan-shape",
    ValueError,
    "latent_vars binds z of shape … to an encoder output of shape …; they must match.",
)
def _(env):
    z, x, x_ph, _ = bigan_parts()
    ed.BiGANInference(
        latent_vars={z: tf.zeros([M, 3])}, data={x: x_ph}, discriminator=joint_discriminator
    )


@row(
    "inference-bigan-dtype",
    TypeError,
    "latent_vars binds z of dtype … to an encoder output of dtype …",
)
def _(env):
    z, x, x_ph, _ = bigan_parts()
    ed.BiGANInference(
        latent_vars={z: tf.zeros([M, 2], tf.float64)},
        data={x: x_ph},
        discriminator=joint_discriminator,
    )


@row(
    "inference-bigan-loss",
    ValueError,
    "BiGANInference uses its own cross-entropy losses; leave `loss` unset.",
)
def _(env):
    z, x, x_ph, qz = bigan_parts()
    inference = ed.BiGANInference(
        latent_vars={z: qz}, data={x: x_ph}, discriminator=joint_discriminator
    )
    inference.initialize(loss="hinge", n_print=0)


row(
    "inference-infogan-code-type",
    TypeError,
    "InfoGANInference's code must be the model's categorical latent code, an integer tensor or "
    "random variable such as Categorical(logits=tf.zeros([M, 10])), got …",
    lambda env: ed.InfoGANInference(
        data={tf.zeros([M, 1]): tf.zeros([M, 1])},
        discriminator=infogan_discriminator,
        code=Normal(tf.zeros([M]), 1.0),
    ),
)

row(
    "inference-infogan-code-rank",
    ValueError,
    "InfoGANInference's code needs one category per example, shape [batch]; got shape …",
    lambda env: ed.InfoGANInference(
        data={tf.zeros([M, 1]): tf.zeros([M, 1])},
        discriminator=infogan_discriminator,
        code=tf.zeros([M, 1], tf.int32),
    ),
)


row(
    "inference-infogan-weight",
    ValueError,
    "info_weight must be a positive number, got …",
    lambda env: infogan().initialize(info_weight=0),
)

row(
    "inference-infogan-feature-matching",
    ValueError,
    "InfoGANInference reads the discriminator's second output as Q(x), its guess of the code, "
    "so feature_matching= is not available with it.",
    lambda env: infogan().initialize(feature_matching=1.0),
)

row(
    "inference-infogan-logits-only",
    ValueError,
    "InfoGANInference needs the discriminator to return (logits, code_logits): its real-fake "
    "logits and the logits of Q(x), its guess of the code, e.g. 'return layers.dense(h, 1), "
    "layers.dense(h, 10)'.",
    lambda env: infogan(discriminator).initialize(n_print=0),
)

row(
    "inference-infogan-code-logits-shape",
    ValueError,
    "The discriminator's code logits have shape …; for a code of shape … they need shape "
    "[batch, number of categories].",
    lambda env: infogan(lambda x: (layers.dense(x, 1), layers.dense(x, 3)[:, :, None])).initialize(
        n_print=0
    ),
)


row(
    "inference-rejection-uninitialized",
    ValueError,
    "rejection_sample needs a GANInference after initialize(...), whose discriminator has been "
    "built; call inference.initialize(...) and train first.",
    lambda env: ed.rejection_sample(gan()[0], 10),
)

row(
    "inference-rejection-loss",
    ValueError,
    "rejection_sample reads D's logit as the log density ratio log p_data/p_g, which holds for "
    "a discriminator trained with the cross-entropy loss; this inference uses loss=…. Train "
    "with loss='non_saturating' (or 'minimax'), or sample the model directly.",
    lambda env: ed.rejection_sample(initialized(gan()[0], loss="least_squares"), 10),
)
also(
    "inference-rejection-loss",
    lambda env: ed.rejection_sample(initialized(gan(ed.WGANInference)[0]), 10),
)

row(
    "inference-rejection-bigan",
    ValueError,
    "rejection_sample weighs samples of the model alone; a BiGAN's discriminator judges (x, z) "
    "pairs, so its logit is a ratio of joint densities. Sample the model directly.",
    lambda env: ed.rejection_sample(initialized(bigan()), 10),
)


row(
    "inference-rejection-several-outputs",
    ValueError,
    "rejection_sample weighs samples of one model output; this inference binds … in data "
    "(e.g. a conditional GAN's labels). Sample the model directly.",
    lambda env: ed.rejection_sample(initialized(conditional_gan()), 10),
)


row(
    "inference-klqp-estimator-not-callable",
    TypeError,
    "ImplicitKLqp needs discriminator=ratio_estimator, a callable (data, local_vars, "
    "global_vars) -> logits; got …",
    lambda env: ed.ImplicitKLqp({klqp_parts()[0]: klqp_parts()[2]}),
)

row(
    "inference-klqp-estimator-arity",
    ValueError,
    "ImplicitKLqp calls the ratio estimator with three dicts, (data, local_vars, global_vars); "
    "its signature is …",
    lambda env: ed.ImplicitKLqp({klqp_parts()[0]: klqp_parts()[2]}, discriminator=lambda d: d),
)

row(
    "inference-klqp-latent-vars",
    TypeError,
    "ImplicitKLqp needs latent_vars as a non-empty dict binding the model's latent random "
    "variables to their approximations, e.g. {z: qz}; got …",
    lambda env: ed.ImplicitKLqp({}, discriminator=ratio_estimator),
)

row(
    "inference-klqp-global-subset",
    ValueError,
    "global_vars must be a subset of latent_vars; … is not bound to the same approximation in "
    "latent_vars.",
    lambda env: ed.ImplicitKLqp(
        {klqp_parts()[0]: klqp_parts()[2]},
        discriminator=ratio_estimator,
        global_vars={Normal(0.0, 1.0): Normal(0.0, 1.0)},
    ),
)

row(
    "inference-klqp-q-shape",
    ValueError,
    "latent_vars binds … of shape … to an approximation of shape …; q must have its prior's shape.",
    lambda env: ed.ImplicitKLqp(
        {Normal(0.0, 1.0): Normal(tf.zeros([2]), 1.0)}, discriminator=ratio_estimator
    ),
)

row(
    "inference-klqp-scale-key",
    ValueError,
    "scale has the key …, which is not in data; its keys are the observed variables that data "
    "binds.",
    lambda env: klqp(scale={Normal(0.0, 1.0): 2.0}),
)


@row(
    "inference-klqp-scale-value",
    ValueError,
    "scale[…] must be a positive number (N / M) or a tensor, got …",
)
def _klqp_negative_scale(env):
    beta, x, qbeta, data = klqp_parts()
    inference = ed.ImplicitKLqp(
        {beta: qbeta}, data=data, discriminator=ratio_estimator, global_vars={beta: qbeta}
    )
    inference.initialize(scale={x: -1.0})


row(
    "inference-klqp-blur-key",
    ValueError,
    "blur has the key …, which is not in data; key it by the observed variables that data binds, "
    "or give one width for all: blur=0.3.",
    lambda env: klqp(blur={Normal(0.0, 1.0): 0.3}),
)

row(
    "inference-klqp-blur-width",
    ValueError,
    "blur for … must be a width >= 0 (a number, or an array of one width per summary), got …",
    lambda env: klqp(blur=-0.1),
)
also("inference-klqp-blur-width", lambda env: klqp(blur=float("nan")))
also("inference-klqp-blur-width", lambda env: klqp(blur="wide"))
also("inference-klqp-blur-width", lambda env: klqp(blur=[]))
also("inference-klqp-blur-width", lambda env: klqp(blur=True))


@row(
    "inference-klqp-blur-dtype",
    TypeError,
    "blur for …: its observations are …, and noise can only be added to floating-point values; "
    "bind them as float32",
)
def _klqp_blur_on_integers(env):
    beta = Normal(loc=0.0, scale=1.0)
    x = tf.cast(tf.round(Normal(loc=beta * tf.ones([4]), scale=1.0)), tf.int32)
    qbeta = Normal(loc=tf.Variable(0.0), scale=1.0)
    inference = ed.ImplicitKLqp(
        {beta: qbeta},
        data={x: np.zeros(4, np.int32)},
        discriminator=ratio_estimator,
        global_vars={beta: qbeta},
    )
    inference.initialize(blur=0.3)


row(
    "inference-klqp-blur-shape",
    ValueError,
    "blur for … has shape …, which does not broadcast to …'s shape …: give one width, or one "
    "per summary (the last axis).",
    lambda env: klqp(blur=[0.1, 0.2, 0.3]),
)

row(
    "inference-klqp-ratio-loss",
    ValueError,
    "ratio_loss must be one of 'log', 'hinge' or a callable (r_p, r_q) -> loss, got …",
    lambda env: klqp(ratio_loss="squared"),
)

row(
    "inference-klqp-gan-option",
    ValueError,
    "ImplicitKLqp.initialize() does not take …=: its objective is the variational bound, and "
    "the ratio estimator's loss is ratio_loss= (log, hinge or a callable).",
    lambda env: klqp(loss="hinge"),
)
also("inference-klqp-gan-option", lambda env: klqp(gradient_penalty=1.0))


@row(
    "inference-klqp-scales-need-a-dict",
    ValueError,
    "scale gives the observed variables different weights, so the ratio estimator must return "
    "a dict of logits keyed by observed variable.",
)
def _klqp_two_scales(env):
    beta, x, qbeta, data = klqp_parts()
    x2 = Normal(loc=beta * tf.ones([4]), scale=1.0)
    inference = ed.ImplicitKLqp(
        {beta: qbeta},
        data={**data, x2: np.zeros(4, np.float32)},
        discriminator=ratio_estimator,
        global_vars={beta: qbeta},
    )
    inference.initialize(scale={x: 1.0, x2: 2.0})


def klqp_returning(output_of):
    """An ImplicitKLqp on klqp_parts() whose estimator returns output_of(w)."""
    beta, x, qbeta, data = klqp_parts()

    def estimator(data, local_vars, global_vars):
        return output_of(tf.get_variable("w", []))

    ed.ImplicitKLqp(
        {beta: qbeta}, data=data, discriminator=estimator, global_vars={beta: qbeta}
    ).initialize()


@row(
    "inference-klqp-ratio-shape",
    ValueError,
    "The ratio estimator returned logits of shape …; it must return one logit per example, of "
    "shape [M] or [M, 1]: end it with a layer of one unit, e.g. layers.dense(h, 1).",
)
def _klqp_scalar_ratio(env):
    klqp_returning(lambda w: w)  # a scalar, with 4 data points


also("inference-klqp-ratio-shape", lambda env: klqp_returning(lambda w: w * tf.ones([4, 2])))
also("inference-klqp-ratio-shape", lambda env: klqp_returning(lambda w: w * tf.ones([4, 4])))


@row(
    "inference-klqp-ratio-probabilities",
    ValueError,
    "The ratio estimator ends in a sigmoid (…), so it returns probabilities, but the losses take "
    "logits and apply the sigmoid themselves: drop the final activation",
)
def _klqp_sigmoid_ratio(env):
    klqp_returning(lambda w: tf.sigmoid(w * tf.ones([4])))


@row(
    "inference-klqp-ratio-rows",
    ValueError,
    "The ratio estimator returned … logits, but the data hold … data points: return one logit "
    "per data point, of shape [N] or [N, 1].",
)
def _klqp_ratio_rows(env):
    klqp_returning(lambda w: w * tf.ones([3]))


@row(
    "inference-klqp-ratio-pair",
    ValueError,
    "The ratio estimator returned a tuple of … items; ImplicitKLqp reads one output: the logits, "
    "one per data point (or a dict of them keyed by observed variable). Return only the logits.",
)
def _klqp_ratio_pair(env):
    klqp_returning(lambda w: (w * tf.ones([4]), w * tf.ones([4, 3])))


@row(
    "inference-klqp-ratio-no-data",
    ValueError,
    "The ratio estimator returned logits of shape …, but no data are bound: it must return one "
    "logit, a scalar.",
)
def _klqp_ratio_without_data(env):
    z = Normal(loc=0.0, scale=1.0)
    qz = Normal(loc=tf.Variable(0.0), scale=1.0)
    ed.ImplicitKLqp(
        {z: qz}, discriminator=lambda data, local, glob: tf.get_variable("w", []) * tf.ones([3])
    ).initialize()


@row(
    "inference-klqp-global-left-out",
    ValueError,
    "latent_vars binds … of shape …, which global_vars leaves out, so ImplicitKLqp treats it as "
    "local, one value per data point (a leading dimension of …); a variable shared by all data "
    "points is global: name it in global_vars",
)
def _klqp_global_left_out(env):
    beta, x, qbeta, data = klqp_parts()
    ed.ImplicitKLqp({beta: qbeta}, data=data, discriminator=ratio_estimator)


@row(
    "inference-klqp-observed-and-latent",
    ValueError,
    "… is bound both in data (observed) and in latent_vars (inferred): a variable is one or the "
    "other.",
)
def _klqp_observed_and_latent(env):
    beta, x, qbeta, data = klqp_parts()
    qx = Normal(loc=tf.Variable(tf.zeros([4])), scale=1.0)
    ed.ImplicitKLqp(
        {beta: qbeta, x: qx}, data=data, discriminator=ratio_estimator, global_vars=[beta]
    )


@row(
    "inference-klqp-negative-tensor-scale",
    ValueError,
    "scale[…] is a tensor holding …; a scale is a positive weight (N / M).",
)
def _klqp_negative_tensor_scale(env):
    beta, x, qbeta, data = klqp_parts()
    inference = ed.ImplicitKLqp(
        {beta: qbeta}, data=data, discriminator=ratio_estimator, global_vars=[beta]
    )
    inference.initialize(scale={x: tf.constant(-25.0)})


row(
    "inference-rejection-n",
    ValueError,
    "rejection_sample's n must be a positive int, got …",
    lambda env: ed.rejection_sample(initialized(gan()[0]), 0),
)
also("inference-rejection-n", lambda env: ed.rejection_sample(initialized(gan()[0]), 2.5))

row(
    "inference-rejection-burn-in",
    ValueError,
    "burn_in must be a positive int (proposals to set the bound on D's logits), got …",
    lambda env: ed.rejection_sample(initialized(gan()[0]), 10, burn_in=0),
)

row(
    "inference-rejection-quantile",
    ValueError,
    "gamma_quantile must be a number strictly between 0 and 1, e.g. 0.8, or None for gamma = 0, "
    "got …",
    lambda env: ed.rejection_sample(initialized(gan()[0]), 10, gamma_quantile=1.0),
)
also(
    "inference-rejection-quantile",
    lambda env: ed.rejection_sample(initialized(gan()[0]), 10, gamma_quantile="0.8"),
)


row(
    "inference-rejection-max-proposals",
    ValueError,
    "max_proposals must be an int of at least burn_in (…), or None, got …",
    lambda env: ed.rejection_sample(initialized(gan()[0]), 10, burn_in=8, max_proposals=4),
)


@row(
    "inference-rejection-gives-up",
    RuntimeError,
    "rejection_sample kept … of … proposals, short of n = …: D rejects nearly everything. Pass "
    "gamma_quantile (e.g. 0.8) to keep more, or raise max_proposals.",
)
def _(env):
    inference = initialized(gan()[0])
    ed.get_session().run(tf.global_variables_initializer())
    ed.rejection_sample(inference, 100, burn_in=4, max_proposals=8)  # 8 cannot give 100


@row(
    "inference-rejection-packed",
    ValueError,
    "rejection_sample needs one logit per sample; the discriminator gave … for … samples (a "
    "packed discriminator judges several samples at once and cannot weigh them one by one).",
)
def _(env):
    _, x = normal_model()
    inference = ed.GANInference(
        data={x: tf.placeholder(tf.float32, [M, 1])},
        discriminator=lambda x: layers.dense(tf.reshape(x, [M // 2, 2]), 1),
    )
    initialized(inference)
    ed.get_session().run(tf.global_variables_initializer())
    ed.rejection_sample(inference, 10, burn_in=2)


row(
    "inference-rejection-max-logit",
    ValueError,
    "max_logit … is below the largest logit …; pass the maximum of the logits or more.",
    lambda env: ed.inferences.acceptance_probability(np.array([0.0, 1.0]), max_logit=0.5),
)


row(
    "inference-seed-type",
    TypeError,
    "seed must be an integer, got …",
    lambda env: ed.set_seed("42"),
)

row(
    "inference-seed-range",
    ValueError,
    "seed must be in [0, 2**31), got …",
    lambda env: ed.set_seed(-1),
)

row(
    "inference-progbar-target",
    ValueError,
    "Progbar target must be a non-negative int, got …",
    lambda env: Progbar(-1),
)


@row(
    "inference-discriminator-new-variables",
    ValueError,
    "The discriminator made new variables when called again (…): every call must share one set "
    "of weights. Keras layers built inside the function are new layers at each call: create "
    "them once, outside it, and call them inside",
)
def _(env):
    import tf_keras

    initialized_gan(lambda x: tf_keras.layers.Dense(1)(x))


@row(
    "inference-discriminator-variables-outside",
    ValueError,
    "The discriminator made the variables … outside its variable scope 'Disc', so the "
    "generator's optimizer would train them.",
)
def _(env):
    with tf.variable_scope("Elsewhere") as elsewhere:
        pass

    def discriminate(x):
        with tf.variable_scope(elsewhere):
            weight = tf.get_variable("w", [1, 1])
        return tf.matmul(x, weight)

    initialized_gan(discriminate)


row(
    "inference-discriminator-logits-shape",
    ValueError,
    "The discriminator returned logits of shape …; it must return one logit per example, of "
    "shape [M] or [M, 1]: end it with a layer of one unit, e.g. layers.dense(h, 1).",
    lambda env: initialized_gan(lambda x: layers.dense(x, 2)),
)
also("inference-discriminator-logits-shape", lambda env: initialized_gan(tf.reduce_sum))


row(
    "inference-discriminator-probabilities",
    ValueError,
    "The discriminator ends in … (…), so it returns probabilities, but the losses take logits "
    "and apply the sigmoid themselves: drop the final activation",
    lambda env: initialized_gan(lambda x: layers.dense(x, 1, activation=tf.sigmoid)),
)
also(
    "inference-discriminator-probabilities",
    lambda env: initialized_gan(lambda x: tf.nn.softmax(layers.dense(x, 1))),
)

row(
    "inference-tf-layers",
    AttributeError,
    "… tf.layers / tf.compat.v1.layers need Keras 2, which TensorFlow >= 2.16 no longer uses: "
    "build the network with gan_infer.layers",
    lambda env: initialized_gan(lambda x: tf.layers.dense(x, 1)),
)

row(
    "inference-before-initialize",
    RuntimeError,
    "…() needs the training ops: call inference.initialize(...) first (run() does it for you).",
    lambda env: gan()[0].update({}),
)
also("inference-before-initialize", lambda env: gan()[0].print_progress({"t": 1}))


@row(
    "inference-variables-not-a-string",
    TypeError,
    "variables must be None (both), 'Gen' or 'Disc', got …: name one side as a string",
)
def _(env):
    inference, x_ph = initialized_gan(discriminator)
    inference.update({x_ph: np.zeros([M, 1])}, variables=["Gen"])


@row(
    "inference-another-graph",
    RuntimeError,
    "….update() was called under another default graph than the one the inference was built "
    "in: call it outside that `with graph.as_default():` block",
)
def _(env):
    inference, x_ph = initialized_gan(discriminator)
    with tf.Graph().as_default():
        inference.update({x_ph: np.zeros([M, 1])})


row(
    "inference-data-not-finite",
    ValueError,
    "… holds … NaN or Inf value(s) (the first at index …): one bad value makes every weight NaN "
    "within a few updates. Remove or impute them, e.g. x[~np.isfinite(x)] = 0.",
    lambda env: sigmoid_gan(np.full([M, 3], np.nan, np.float32)),
)
also("inference-data-not-finite", lambda env: sigmoid_gan(np.full([40, 3], np.inf, np.float32)))


@also("inference-data-not-finite")
def _(env):
    inference, x_ph = initialized_gan(discriminator)
    inference.update({x_ph: np.full([M, 1], np.nan)})


row(
    "inference-data-out-of-range",
    ValueError,
    "… holds values in [0, 255], but the model's … ends in a sigmoid, whose values lie in "
    "[0, 1]: scale the data to that range (e.g. pixels / 255.0; uint8 pixels are scaled for "
    "you).",
    lambda env: sigmoid_gan(np.tile([[0.0, 255.0, 1.0]], [M, 1]).astype(np.float32)),
)


@also("inference-data-out-of-range")
def _(env):
    x_ph = tf.placeholder(tf.float32, [M, 3])
    inference, _ = sigmoid_gan(x_ph)
    inference.initialize(n_print=0)
    ed.get_session().run(tf.global_variables_initializer())
    inference.update({x_ph: np.tile([[0.0, 255.0, 1.0]], [M, 1])})


# PooledImplicitKLqp and flow_posterior


def _pooled(**kwargs):
    import tensorflow_probability as tfp

    from gan_infer.inferences import PooledImplicitKLqp
    from gan_infer.models import Normal, RandomVariable

    theta = RandomVariable(tfp.distributions.MultivariateNormalDiag(tf.zeros(1), tf.ones(1)))
    x = tf.identity(theta.value)
    qtheta = Normal(loc=tf.Variable([0.0]), scale=1.0)
    arguments = dict(global_vars={theta: qtheta}, simulator=Simulator(_pool_copy))
    arguments.update(kwargs)
    arguments.setdefault("discriminator", lambda data, local, glob: 0.0)
    return PooledImplicitKLqp({theta: qtheta}, data={x: np.zeros(1, np.float32)}, **arguments)


def _pool_copy(theta, rng):
    return theta.copy()


row(
    "inference-pooled-one-global",
    ValueError,
    "PooledImplicitKLqp infers one global variable theta (latent_vars={theta: qtheta}, "
    "global_vars={theta: qtheta}) from one observed tensor (data={x: x_o}).",
    lambda env: _pooled(global_vars=None),
)
row(
    "inference-pooled-simulator",
    TypeError,
    "PooledImplicitKLqp needs simulator=gan_infer.models.simulator.Simulator(simulate, "
    "budget=...), got …",
    lambda env: _pooled(simulator=_pool_copy),
)
row(
    "inference-pooled-schedule-budget",
    ValueError,
    "rounds=… of round_size=… need … simulations; the simulator has … left of its budget. "
    "Lower rounds or round_size.",
    lambda env: SimulationPool(Simulator(_pool_copy, budget=100, batch_size=10), 3, 50, 1),
)


@row(
    "inference-pooled-weights-not-finite",
    FloatingPointError,
    "posterior_samples(resample=True): none of the … importance weights is finite (the ratio "
    "estimator or q returned NaN or Inf); train longer with a lower learning rate, or take q's "
    "own draws with resample=False.",
)
def _pooled_nan_weights(env):
    def nan_estimator(data, local, glob):
        theta = next(iter(glob.values()))
        return tf.get_variable("w", []) + np.float32(np.nan) * tf.reduce_sum(theta, axis=-1)

    inference = _pooled(discriminator=nan_estimator, rounds=1, round_size=10, batch_size=4)
    inference.initialize(n_iter=1, n_print=0)
    ed.get_session().run(tf.global_variables_initializer())
    inference.posterior_samples(4, resample=True)


row(
    "inference-ratio-estimator-simulations-not-a-table",
    ValueError,
    "standardization needs simulations as a finite array [n, k] with n >= 1, got shape … with "
    "… NaN or Inf values; pass the (theta, x) that prior_simulations returns (it drops failed "
    "simulations).",
    lambda env: mlp_ratio_estimator(None, None, (np.zeros(3), np.zeros((3, 2)))),
)
also(
    "inference-ratio-estimator-simulations-not-a-table",
    lambda env: standardization(np.zeros((0, 4))),
)
also(
    "inference-ratio-estimator-simulations-not-a-table",
    lambda env: standardization(np.array([[1.0, np.nan], [2.0, 3.0]])),
)


@row(
    "inference-pooled-estimator-loss-simulations",
    ValueError,
    "estimator_loss needs finite simulations theta [n, …] and x [n, …] with n >= 2, got shapes "
    "… and … with … NaN or Inf values; pass rows simulated together, failed ones dropped, as "
    "prior_simulations returns them.",
)
def _estimator_loss_of_unpaired_simulations(env):
    _initialized_pool().estimator_loss(np.zeros((5, 1)), np.zeros((4, 1)))


@also("inference-pooled-estimator-loss-simulations")
def _estimator_loss_of_a_failed_simulation(env):
    _initialized_pool().estimator_loss(np.zeros((3, 1)), np.array([[0.0], [np.nan], [1.0]]))


@also("inference-pooled-estimator-loss-simulations")
def _estimator_loss_of_one_simulation(env):
    _initialized_pool().estimator_loss(np.zeros((1, 1)), np.zeros((1, 1)))


def _initialized_pool():
    def linear_estimator(data, local, glob):
        return tf.get_variable("w", []) * tf.reduce_sum(next(iter(glob.values())), axis=-1)

    inference = _pooled(discriminator=linear_estimator)
    inference.initialize(n_iter=1, n_print=0)
    return inference


row(
    "inference-ratio-estimator-weight-decay-negative",
    ValueError,
    "mlp_ratio_estimator: weight_decay must be a number >= 0 (0: no penalty; 1e-3 where the "
    "held-out loss rises), got ….",
    lambda env: mlp_ratio_estimator(
        None, None, (np.zeros((3, 1)), np.zeros((3, 2))), weight_decay=-1e-3
    ),
)
also(
    "inference-ratio-estimator-weight-decay-negative",
    lambda env: mlp_ratio_estimator(
        None, None, (np.zeros((3, 1)), np.zeros((3, 2))), weight_decay="1e-3"
    ),
)
row(
    "inference-importance-weights-not-finite",
    ValueError,
    "truncated_importance_weights needs log weights [m] with at least one finite value, got "
    "shape … with … finite; a ratio estimator or q that returns NaN has nothing to resample.",
    lambda env: truncated_importance_weights(np.full(5, np.nan)),
)
also(
    "inference-importance-weights-not-finite",
    lambda env: truncated_importance_weights(np.zeros((2, 3))),
)
row(
    "inference-pool-empty",
    RuntimeError,
    "The simulation pool is empty: simulate a round first.",
    lambda env: SimulationPool(Simulator(_pool_copy), 1, 10, 1).batch(4),
)
row(
    "inference-flow-not-distribution",
    TypeError,
    "flow_posterior needs the prior as a tfp.distributions.Distribution with event shape [d], "
    "got …; wrap independent coordinates with tfd.Independent(..., reinterpreted_batch_ndims=1).",
    lambda env: flow_posterior(np.zeros(2)),
)
row(
    "inference-flow-event-shape",
    ValueError,
    "flow_posterior needs a prior with event shape [d] and no batch shape; got event shape … "
    "and batch shape …. Wrap a batch of scalars as tfd.Independent(dist, "
    "reinterpreted_batch_ndims=1).",
    lambda env: flow_posterior(_tfd().Normal(tf.zeros(2), 1.0)),
)
row(
    "inference-flow-dtype",
    ValueError,
    "flow_posterior needs a float32 prior, got …",
    lambda env: flow_posterior(
        _tfd().MultivariateNormalDiag(tf.zeros(2, tf.float64), tf.ones(2, tf.float64))
    ),
)
row(
    "inference-flow-support",
    ValueError,
    "flow_posterior cannot map a flow onto the support of …: TFP gives it no bijector onto its "
    "support (a discrete prior?). Use a continuous prior, or build q yourself from a "
    "tfd.TransformedDistribution.",
    lambda env: flow_posterior(
        _tfd().Independent(_tfd().Bernoulli(probs=0.5 * tf.ones(2), dtype=tf.float32), 1)
    ),
)


def _tfd():
    import tensorflow_probability as tfp

    return tfp.distributions


test_row = row_test(__name__)
