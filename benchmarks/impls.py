"""The tutorial GAN's training step, written once per library.

Every implementation does the same math per step:

  z ~ Uniform(-1, 1)^(128 x 100), drawn by the library's own generator;
  x_fake = sigmoid(relu(z W1 + b1) W2 + b2)                      (generator)
  D(x)   = relu(x V1 + c1) V2 + c2                               (logits)
  L_D = mean CE(D(x_real), 1) + mean CE(D(x_fake), 0)            (sigmoid cross-entropy)
  L_G = mean CE(D(x_fake), 1)                                    (non-saturating)
  grad L_G w.r.t. the generator's parameters and grad L_D w.r.t. the
  discriminator's, both at the current parameters, from the same batch and the
  same z; then one Adam step for each player (lr 1e-3, betas 0.9/0.999,
  eps 1e-8), and the two losses come back to Python as floats (as
  GANInference.update returns them in its info dict).

A builder returns an object with
  step()         one timed iteration (noise drawn inside), returns (L_G, L_D);
  check_step(z)  one iteration with the given noise (the math check);
  params()       the parameters as numpy arrays in common.PARAM_SHAPES layout;
  info           dict: threads used, Adam variant, notes.

Adam's epsilon: TensorFlow 1's AdamOptimizer adds it to sqrt(v) before bias
correction ("epsilon hat", Kingma & Ba sec. 2); torch.optim.Adam and optax add
it after. Both cost the same; `info["adam"]` says which one the math check
compares with.

Builders import their library inside, after the worker has set its thread
counts; a missing library raises `Missing`.
"""

import importlib.util

import numpy as np
from common import BETA1, BETA2, D_LATENT, EPS, LR, X_DIM, M

# key -> (label, library needed, builder name); the order of the table.
STEP_IMPLS = {
    "gan_infer": ("gan_infer GANInference.update", "tensorflow", "build_gan_infer"),
    "gan_infer_jit": (
        "gan_infer GANInference.update, initialize(jit=True)",
        "tensorflow",
        "build_gan_infer_jit",
    ),
    "tf1": ("tf.compat.v1 Session (raw graph)", "tensorflow", "build_tf1"),
    "tf_function": ("TF2 tf.function", "tensorflow", "build_tf_function"),
    "tf_xla": ("TF2 tf.function(jit_compile=True)", "tensorflow", "build_tf_xla"),
    "jax": ("JAX jit + optax", "jax", "build_jax"),
    "torch": ("PyTorch eager", "torch", "build_torch"),
    "torch_compile": ("torch.compile", "torch", "build_torch_compile"),
}
E2E_IMPLS = {
    "e2e_gan_infer": (
        "gan_infer: batches(binarize=True) + update + print_progress",
        "tensorflow",
        "build_e2e_gan_infer",
    ),
    "e2e_gan_infer_graph": (
        "gan_infer: data in the graph (Minibatches, binarize) + update",
        "tensorflow",
        "build_e2e_gan_infer_graph",
    ),
    "e2e_tutorial": (
        "tutorial as written: own generator, np.random.binomial",
        "tensorflow",
        "build_e2e_tutorial",
    ),
    "data_gan_infer": (
        "  batching only: gan_infer.datasets.batches",
        "numpy",
        "build_data_gan_infer",
    ),
    "data_tutorial": ("  batching only: tutorial generator", "numpy", "build_data_tutorial"),
}
# Canonical parameter name -> TF1 variable name (gan_infer.layers.dense's scopes).
TF1_NAMES = {
    "g_w1": "Gen/dense/kernel",
    "g_b1": "Gen/dense/bias",
    "g_w2": "Gen/dense_1/kernel",
    "g_b2": "Gen/dense_1/bias",
    "d_w1": "Disc/dense/kernel",
    "d_b1": "Disc/dense/bias",
    "d_w2": "Disc/dense_1/kernel",
    "d_b2": "Disc/dense_1/bias",
}


class Missing(Exception):
    """The library an implementation needs is not installed."""


def require(module):
    if importlib.util.find_spec(module) is None:
        raise Missing(f"{module} not installed")


def build(key, cfg):
    """Build implementation `key` with cfg = {batch, params, threads, seed, ...}."""
    table = {**STEP_IMPLS, **E2E_IMPLS}
    _, library, builder = table[key]
    require(library)
    return globals()[builder](cfg)


# ----------------------------------------------------------------- TensorFlow
def import_tensorflow(threads, graph_mode):
    require("tensorflow")
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    if graph_mode:
        tf.compat.v1.disable_eager_execution()
    return tf


def _tf_info(tf, **extra):
    return {
        "threads": f"TF intra-op {tf.config.threading.get_intra_op_parallelism_threads()}, "
        f"inter-op {tf.config.threading.get_inter_op_parallelism_threads()}",
        "version": tf.__version__,
        **extra,
    }


class _Session:
    """A TF1 graph: `fetches` run with `feed`; noise fed through `eps` for checks."""

    def __init__(self, sess, run_step, feed, eps, variables):
        self._sess, self._run_step, self._feed = sess, run_step, feed
        self._eps, self._variables = eps, variables

    def step(self):
        return self._run_step(self._feed)

    def check_step(self, z):
        return self._run_step({**self._feed, self._eps: z})

    def params(self):
        values = self._sess.run(self._variables)
        return {name: np.asarray(value) for name, value in values.items()}


def _load_tf1(sess, params, names=TF1_NAMES):
    """Set the graph's variables named in `names` (canonical name -> TF1
    variable name) to `params`; return them."""
    import tensorflow.compat.v1 as tf1

    by_name = {v.op.name: v for v in tf1.global_variables()}
    variables = {}
    for name, tf_name in names.items():
        variable = by_name[tf_name]
        variable.load(params[name], sess)
        variables[name] = variable
    return variables


def tutorial_model(tf1, layers, Uniform):
    """examples/gan_mnist.py's model; returns (eps, x, discriminative_network)."""
    import tensorflow as tf

    def generative_network(eps):
        net = layers.dense(eps, 128, activation=tf.nn.relu)
        return layers.dense(net, 784, activation=tf.sigmoid)

    def discriminative_network(x):
        net = layers.dense(x, 128, activation=tf.nn.relu)
        return layers.dense(net, 1, activation=None)

    with tf1.variable_scope("Gen"):
        eps = Uniform(tf.zeros([M, D_LATENT]) - 1.0, tf.ones([M, D_LATENT]))
        x = generative_network(eps)
    return eps, x, discriminative_network


def gan_infer_graph(
    cfg, model, batch_size, n_iter, n_print, lr=LR, beta1=BETA1, data=None, jit=False
):
    """A GAN graph through gan_infer, as the examples build it:
    `model(tf, layers, Uniform)` builds the generator and returns (eps, x,
    discriminative_network); both players get AdamOptimizer(lr, beta1).
    `data(ed)`, when given, is bound instead of the placeholder (x_ph is
    then None). Returns (tf, ed, inference, x_ph, eps, sess)."""
    tf = import_tensorflow(cfg["threads"], graph_mode=True)
    tf1 = tf.compat.v1
    import gan_infer as ed
    from gan_infer import layers
    from gan_infer.models import Uniform

    ed.set_seed(cfg["seed"])
    x_ph = tf1.placeholder(tf.float32, [batch_size, X_DIM]) if data is None else None
    eps, x, discriminative_network = model(tf, layers, Uniform)
    inference = ed.GANInference(
        data={x: x_ph if data is None else data(ed)}, discriminator=discriminative_network
    )
    inference.initialize(
        optimizer=tf1.train.AdamOptimizer(lr, beta1=beta1),
        optimizer_d=tf1.train.AdamOptimizer(lr, beta1=beta1),
        n_iter=n_iter,
        n_print=n_print,
        jit=jit,
    )
    sess = ed.get_session()
    tf1.global_variables_initializer().run()
    return tf, ed, inference, x_ph, eps, sess


def _gan_infer_tutorial(cfg, n_iter, data=None, jit=False):
    """The tutorial's graph through gan_infer: (tf, ed, inference, x_ph, eps, sess)."""

    def model(tf, layers, Uniform):
        return tutorial_model(tf.compat.v1, layers, Uniform)

    return gan_infer_graph(cfg, model, M, n_iter=n_iter, n_print=1000, data=data, jit=jit)


def gan_infer_step(cfg, graph, names):
    """The step-time row of a gan_infer graph: `inference.update` with the
    fixed batch fed, from cfg["params"] (canonical name -> TF1 name in `names`)."""
    tf, _, inference, x_ph, eps, sess = graph
    variables = _load_tf1(sess, cfg["params"], names)

    def run_step(feed):
        info = inference.update(feed_dict=feed)
        return info["loss"], info["loss_d"]

    impl = _Session(sess, run_step, {x_ph: cfg["batch"]}, eps, variables)
    impl.info = _tf_info(tf, adam="tf1", note="numpy batch fed each step")
    return impl


def build_gan_infer(cfg):
    return gan_infer_step(cfg, _gan_infer_tutorial(cfg, n_iter=10**9), TF1_NAMES)


def build_gan_infer_jit(cfg):
    return gan_infer_step(cfg, _gan_infer_tutorial(cfg, n_iter=10**9, jit=True), TF1_NAMES)


def raw_tf1_step(cfg, tf, generator, discriminator, names, lr=LR, beta1=BETA1, note=""):
    """The step-time row of a GAN written directly in tf.compat.v1 ops:
    `generator(eps)` under "Gen", `discriminator(x)` under "Disc" on the batch
    and (reusing its variables) on the samples, sigmoid cross-entropy losses,
    `tf.gradients` for each player, two AdamOptimizer(lr, beta1) and any
    UPDATE_OPS (batch-norm statistics), all in one `sess.run` per step."""
    tf1 = tf.compat.v1
    tf1.set_random_seed(cfg["seed"])
    batch_size = len(cfg["batch"])
    x_ph = tf1.placeholder(tf.float32, [batch_size, X_DIM])
    with tf1.variable_scope("Gen"):
        eps = tf1.random_uniform([batch_size, D_LATENT], -1.0, 1.0)
        x_fake = generator(eps)
    with tf1.variable_scope("Disc"):
        d_real = discriminator(x_ph)
    with tf1.variable_scope("Disc", reuse=True):
        d_fake = discriminator(x_fake)

    def ce(logits, label):
        return tf.reduce_mean(
            tf.nn.sigmoid_cross_entropy_with_logits(
                labels=tf.fill(tf.shape(logits), label), logits=logits
            )
        )

    loss_d = ce(d_real, 1.0) + ce(d_fake, 0.0)
    loss_g = ce(d_fake, 1.0)
    vars_g = tf1.trainable_variables("Gen")
    vars_d = tf1.trainable_variables("Disc")
    grads_g = tf.gradients(loss_g, vars_g)
    grads_d = tf.gradients(loss_d, vars_d)
    # Simultaneous: both updates wait for both gradients and losses.
    with tf.control_dependencies(grads_g + grads_d + [loss_g, loss_d]):
        train = tf.group(
            tf1.train.AdamOptimizer(lr, beta1=beta1).apply_gradients(zip(grads_g, vars_g)),
            tf1.train.AdamOptimizer(lr, beta1=beta1).apply_gradients(zip(grads_d, vars_d)),
            *tf1.get_collection(tf1.GraphKeys.UPDATE_OPS),
        )
    sess = tf1.Session()
    sess.run(tf1.global_variables_initializer())
    variables = _load_tf1(sess, cfg["params"], names)
    fetches = [train, loss_g, loss_d]

    def run_step(feed):
        _, lg, ld = sess.run(fetches, feed)
        return float(lg), float(ld)

    impl = _Session(sess, run_step, {x_ph: cfg["batch"]}, eps, variables)
    impl.info = _tf_info(tf, adam="tf1", note=note)
    return impl


def build_tf1(cfg):
    tf = import_tensorflow(cfg["threads"], graph_mode=True)
    tf1 = tf.compat.v1

    def dense(x, units, activation, name):
        with tf1.variable_scope(name):
            kernel = tf1.get_variable(
                "kernel", [x.shape[-1], units], initializer=tf1.glorot_uniform_initializer()
            )
            bias = tf1.get_variable("bias", [units], initializer=tf1.zeros_initializer())
        out = tf.nn.bias_add(tf.matmul(x, kernel), bias)
        return activation(out) if activation is not None else out

    def generator(eps):
        return dense(dense(eps, 128, tf.nn.relu, "dense"), X_DIM, tf.sigmoid, "dense_1")

    def discriminator(x):
        return dense(dense(x, 128, tf.nn.relu, "dense"), 1, None, "dense_1")

    return raw_tf1_step(
        cfg, tf, generator, discriminator, TF1_NAMES, note="one sess.run per step, numpy batch fed"
    )


class TF2Step:
    """Eager TF2: tf.Variables, a GradientTape and Adam written with tf ops
    (TF1's update rule, the same as gan_infer's optimizers), in a tf.function.
    Subclasses change the model by overriding `_losses` (and lr / beta1);
    parameters named g_* belong to the generator, d_* to the discriminator."""

    lr, beta1 = LR, BETA1

    def __init__(self, cfg, jit_compile):
        tf = import_tensorflow(cfg["threads"], graph_mode=False)
        self.tf = tf
        gen = [name for name in cfg["params"] if name.startswith("g_")]
        disc = [name for name in cfg["params"] if name.startswith("d_")]
        noise_shape = [len(cfg["batch"]), D_LATENT]
        self.vars = {name: tf.Variable(value, name=name) for name, value in cfg["params"].items()}
        self.m = {name: tf.Variable(tf.zeros_like(value)) for name, value in cfg["params"].items()}
        self.v = {name: tf.Variable(tf.zeros_like(value)) for name, value in cfg["params"].items()}
        self.t = {side: tf.Variable(0.0) for side in ("g", "d")}
        self.rng = tf.random.Generator.from_seed(cfg["seed"])
        self.batch = tf.constant(cfg["batch"])

        def train(x, z):
            with tf.GradientTape(persistent=True) as tape:
                loss_g, loss_d = self._losses(x, z)
            grads_g = tape.gradient(loss_g, [self.vars[n] for n in gen])
            grads_d = tape.gradient(loss_d, [self.vars[n] for n in disc])
            # Program order (and tf.function's automatic control dependencies)
            # put both gradients before either update.
            self._adam("g", gen, grads_g)
            self._adam("d", disc, grads_d)
            return loss_g, loss_d

        def train_sampled(x):
            return train(x, self.rng.uniform(noise_shape, -1.0, 1.0))

        self._train = tf.function(train_sampled, jit_compile=jit_compile)
        self._train_z = tf.function(train, jit_compile=jit_compile)
        self.info = _tf_info(
            tf, adam="tf1", note="Adam in tf ops (TF1 rule); tf.random.Generator noise"
        )

    def _losses(self, x, z):
        tf, p = self.tf, self.vars

        def dense(h, w, b):
            return tf.matmul(h, p[w]) + p[b]

        x_fake = tf.sigmoid(dense(tf.nn.relu(dense(z, "g_w1", "g_b1")), "g_w2", "g_b2"))

        def disc(h):
            return dense(tf.nn.relu(dense(h, "d_w1", "d_b1")), "d_w2", "d_b2")

        return self._cross_entropies(disc(x), disc(x_fake))

    def _cross_entropies(self, d_real, d_fake):
        """(L_G, L_D): non-saturating sigmoid cross-entropies of the logits."""
        tf = self.tf

        def ce(logits, label):
            return tf.reduce_mean(
                tf.nn.sigmoid_cross_entropy_with_logits(
                    labels=tf.fill(tf.shape(logits), label), logits=logits
                )
            )

        return ce(d_fake, 1.0), ce(d_real, 1.0) + ce(d_fake, 0.0)

    def _adam(self, side, names, grads):
        tf = self.tf
        t = self.t[side].assign_add(1.0)
        beta1 = self.beta1
        lr_t = self.lr * tf.sqrt(1.0 - BETA2**t) / (1.0 - beta1**t)
        for name, g in zip(names, grads):
            m = self.m[name].assign(beta1 * self.m[name] + (1.0 - beta1) * g)
            v = self.v[name].assign(BETA2 * self.v[name] + (1.0 - BETA2) * tf.square(g))
            self.vars[name].assign_sub(lr_t * m / (tf.sqrt(v) + EPS))

    def step(self):
        loss_g, loss_d = self._train(self.batch)
        return float(loss_g), float(loss_d)

    def check_step(self, z):
        loss_g, loss_d = self._train_z(self.batch, self.tf.constant(z))
        return float(loss_g), float(loss_d)

    def params(self):
        return {name: v.numpy() for name, v in self.vars.items()}


def build_tf_function(cfg):
    return TF2Step(cfg, jit_compile=False)


def build_tf_xla(cfg):
    return TF2Step(cfg, jit_compile=True)


# ------------------------------------------------------------------------ JAX
class JAXStep:
    """The whole step in one jax.jit, optax.adam for each player. Subclasses
    change the model by overriding `_model` (and lr / beta1); parameters
    named g_* belong to the generator, d_* to the discriminator."""

    lr, beta1 = LR, BETA1

    def __init__(self, cfg):
        require("optax")
        from common import pin_cores

        cores = pin_cores(cfg["threads"])  # before XLA's CPU client makes its pool
        import jax
        import jax.numpy as jnp
        import optax

        self.jax = jax
        params = {name: jnp.asarray(value) for name, value in cfg["params"].items()}
        pg = {n: v for n, v in params.items() if n.startswith("g_")}
        pd = {n: v for n, v in params.items() if n.startswith("d_")}
        opt = optax.adam(self.lr, b1=self.beta1, b2=BETA2, eps=EPS)
        losses, stats = self._model(jax, jnp)
        self.state = (pg, pd, opt.init(pg), opt.init(pd), stats)
        self.key = jax.random.PRNGKey(cfg["seed"])
        self.batch = jnp.asarray(cfg["batch"])
        noise_shape = (len(cfg["batch"]), D_LATENT)

        def train(state, x, z):
            pg, pd, sg, sd, stats = state

            def loss_g_of(pg):
                loss_g, _, new_stats = losses(pg, pd, stats, x, z)
                return loss_g, new_stats

            (loss_g, new_stats), grads_g = jax.value_and_grad(loss_g_of, has_aux=True)(pg)
            loss_d, grads_d = jax.value_and_grad(lambda pd: losses(pg, pd, stats, x, z)[1])(pd)
            ug, sg = opt.update(grads_g, sg, pg)
            ud, sd = opt.update(grads_d, sd, pd)
            return (
                (optax.apply_updates(pg, ug), optax.apply_updates(pd, ud), sg, sd, new_stats),
                loss_g,
                loss_d,
            )

        def train_sampled(state, key, x):
            key, sub = jax.random.split(key)
            z = jax.random.uniform(sub, noise_shape, minval=-1.0, maxval=1.0)
            state, loss_g, loss_d = train(state, x, z)
            return state, key, loss_g, loss_d

        self._train = jax.jit(train_sampled, donate_argnums=(0,))
        self._train_z = jax.jit(train)
        self.info = {
            "threads": f"XLA CPU runtime ({len(jax.devices())} device), process "
            f"pinned to {cores} core(s)",
            "version": jax.__version__,
            "adam": "corrected",
            "note": "jit with donated state; noise from jax.random inside jit",
        }

    def _model(self, jax, jnp):
        """(losses, stats): losses(pg, pd, stats, x, z) returns (L_G, L_D, the
        new value of `stats`), the model's non-trainable state (none here)."""

        def dense(h, p, w, b):
            return h @ p[w] + p[b]

        def losses(pg, pd, stats, x, z):
            x_fake = jax.nn.sigmoid(
                dense(jax.nn.relu(dense(z, pg, "g_w1", "g_b1")), pg, "g_w2", "g_b2")
            )

            def disc(h):
                return dense(jax.nn.relu(dense(h, pd, "d_w1", "d_b1")), pd, "d_w2", "d_b2")

            d_real, d_fake = disc(x), disc(x_fake)
            # Sigmoid cross-entropy with label 1 is softplus(-l), with label 0 softplus(l).
            loss_g = jnp.mean(jax.nn.softplus(-d_fake))
            loss_d = jnp.mean(jax.nn.softplus(-d_real)) + jnp.mean(jax.nn.softplus(d_fake))
            return loss_g, loss_d, stats

        return losses, {}

    def step(self):
        self.state, self.key, loss_g, loss_d = self._train(self.state, self.key, self.batch)
        return float(loss_g), float(loss_d)

    def check_step(self, z):
        self.state, loss_g, loss_d = self._train_z(
            self.state, self.batch, self.jax.numpy.asarray(z)
        )
        return float(loss_g), float(loss_d)

    def params(self):
        pg, pd = self.state[:2]
        return {name: np.asarray(value) for name, value in {**pg, **pd}.items()}


def build_jax(cfg):
    return JAXStep(cfg)


# -------------------------------------------------------------------- PyTorch
class TorchStep:
    """nn.Sequential players, torch.autograd.grad for each player's gradient,
    torch.optim.Adam (defaults) for each. Subclasses change the model by
    overriding `_networks`, `_load` and `params` (and lr / beta1 / note)."""

    lr, beta1 = LR, BETA1
    note = "nn.Sequential + autograd.grad + torch.optim.Adam defaults"

    def __init__(self, cfg, compile):
        import torch
        import torch.nn as nn
        import torch.nn.functional as F

        self.torch = torch
        torch.set_num_threads(cfg["threads"])
        try:
            torch.set_num_interop_threads(cfg["threads"])
        except RuntimeError:  # only settable before the first parallel work
            pass
        torch.manual_seed(cfg["seed"])
        self.G, self.D = self._networks(nn)
        with torch.no_grad():
            self._load(cfg["params"])
        params_g, params_d = list(self.G.parameters()), list(self.D.parameters())
        opt_g = torch.optim.Adam(params_g, lr=self.lr, betas=(self.beta1, BETA2), eps=EPS)
        opt_d = torch.optim.Adam(params_d, lr=self.lr, betas=(self.beta1, BETA2), eps=EPS)
        self.noise_shape = (len(cfg["batch"]), D_LATENT)
        ones, zeros = torch.ones(len(cfg["batch"]), 1), torch.zeros(len(cfg["batch"]), 1)
        self.batch = torch.from_numpy(cfg["batch"])

        def train(x, z):
            d_fake = self.D(self.G(z))
            d_real = self.D(x)
            loss_d = F.binary_cross_entropy_with_logits(
                d_real, ones
            ) + F.binary_cross_entropy_with_logits(d_fake, zeros)
            loss_g = F.binary_cross_entropy_with_logits(d_fake, ones)
            losses = torch.stack([loss_g.detach(), loss_d.detach()])
            grads_g = torch.autograd.grad(loss_g, params_g, retain_graph=True)
            grads_d = torch.autograd.grad(loss_d, params_d)
            for p, g in zip(params_g, grads_g):
                p.grad = g
            for p, g in zip(params_d, grads_d):
                p.grad = g
            opt_g.step()
            opt_d.step()
            return losses

        note = self.note
        if compile:
            import torch._dynamo

            # Trace autograd.grad into the graph instead of breaking there; the
            # optimizer steps are separate graphs by design (torch.optim).
            torch._dynamo.config.trace_autograd_ops = True
            train = torch.compile(train)
            note = "torch.compile(train step) with dynamo trace_autograd_ops=True"
        self._train = train
        self.info = {
            "threads": f"torch intra-op {torch.get_num_threads()}, "
            f"inter-op {torch.get_num_interop_threads()}",
            "version": torch.__version__,
            "adam": "corrected",
            "note": note,
        }

    def _networks(self, nn):
        """(G, D) as torch modules."""
        G = nn.Sequential(nn.Linear(D_LATENT, 128), nn.ReLU(), nn.Linear(128, X_DIM), nn.Sigmoid())
        D = nn.Sequential(nn.Linear(X_DIM, 128), nn.ReLU(), nn.Linear(128, 1))
        self._layers = {"g_w1": G[0], "g_w2": G[2], "d_w1": D[0], "d_w2": D[2]}
        return G, D

    def _load(self, params):
        """Copy `params` (canonical layout) into the modules (under no_grad)."""
        for name, layer in self._layers.items():
            layer.weight.copy_(self.torch.from_numpy(params[name].T))
            layer.bias.copy_(self.torch.from_numpy(params[name.replace("w", "b")]))

    def step(self):
        z = self.torch.rand(*self.noise_shape) * 2.0 - 1.0
        loss_g, loss_d = self._train(self.batch, z).tolist()
        return loss_g, loss_d

    def check_step(self, z):
        loss_g, loss_d = self._train(self.batch, self.torch.from_numpy(z)).tolist()
        return loss_g, loss_d

    def params(self):
        """The parameters as numpy arrays in canonical layout."""
        out = {}
        for name, layer in self._layers.items():
            out[name] = layer.weight.detach().numpy().T.copy()
            out[name.replace("w", "b")] = layer.bias.detach().numpy().copy()
        return out


def build_torch(cfg):
    return TorchStep(cfg, compile=False)


def build_torch_compile(cfg):
    return TorchStep(cfg, compile=True)


# ----------------------------------------------------- end to end (item 2)
def tutorial_generator(array, batch_size, binarize=True):
    """Edward 1.3.5's tutorial generator, as written there (binarize=False:
    without its last line, for grey-level models such as the DCGAN)."""
    start = 0  # pointer to where we are in iteration
    while True:
        stop = start + batch_size
        diff = stop - array.shape[0]
        if diff <= 0:
            batch = array[start:stop]
            start += batch_size
        else:
            batch = np.concatenate((array[start:], array[:diff]))
            start = diff
        batch = batch.astype(np.float32) / 255.0  # normalize pixel intensities
        if binarize:
            batch = np.random.binomial(1, batch)  # binarize images
        yield batch


def mnist_train(cfg):
    from gan_infer.datasets import mnist_splits

    (x_train, _), _, _ = mnist_splits(cfg["mnist_dir"], validation_size=5000, download=False)
    return x_train


def batch_generator(cfg, x_train, tutorial, batch_size=M, binarize=True):
    if tutorial:
        np.random.seed(cfg["seed"])
        return tutorial_generator(x_train, batch_size, binarize=binarize)
    from gan_infer.datasets import batches

    return batches(x_train, batch_size, binarize=binarize, seed=cfg["seed"])


class _Loop:
    def __init__(self, step, info):
        self.step, self.info = step, info


def e2e_loop(graph, generator, note):
    """The examples' training loop without figures, over a gan_infer graph."""
    tf, _, inference, x_ph, _, _ = graph

    def step():
        info_dict = inference.update(
            feed_dict=None if generator is None else {x_ph: next(generator)}
        )
        inference.print_progress(info_dict)
        return info_dict["loss"], info_dict["loss_d"]

    return _Loop(step, _tf_info(tf, note=note))


def _build_e2e(cfg, tutorial):
    x_train = mnist_train(cfg)
    graph = _gan_infer_tutorial(cfg, n_iter=15000)
    return e2e_loop(
        graph,
        batch_generator(cfg, x_train, tutorial),
        "n_print=1000, progress to /dev/null, no figures",
    )


def build_e2e_gan_infer(cfg):
    return _build_e2e(cfg, tutorial=False)


def build_e2e_tutorial(cfg):
    return _build_e2e(cfg, tutorial=True)


def build_e2e_gan_infer_graph(cfg):
    """The same loop with the data bound in the graph: nothing fed."""
    x_train = mnist_train(cfg)
    graph = _gan_infer_tutorial(
        cfg, n_iter=15000, data=lambda ed: ed.Minibatches(x_train, binarize=True)
    )
    return e2e_loop(
        graph, None, "data={x: ed.Minibatches(x_train, binarize=True)}, update() with no feed"
    )


def build_data(cfg, tutorial, batch_size=M, binarize=True):
    generator = batch_generator(cfg, mnist_train(cfg), tutorial, batch_size, binarize)

    def step():
        next(generator)
        return None, None

    return _Loop(step, {"threads": "numpy (single-threaded)", "version": np.__version__})


def build_data_gan_infer(cfg):
    return build_data(cfg, tutorial=False)


def build_data_tutorial(cfg):
    return build_data(cfg, tutorial=True)


# ------------------------------------------------------ reference (the check)
def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def softplus(a):
    return np.maximum(a, 0) + np.log1p(np.exp(-np.abs(a)))


def adam_update(p, m, v, grads, t, adam, lr=LR, beta1=BETA1):
    """Step `t` (from 1) of Adam on the dicts p, m, v in place, in float64;
    `adam` is "tf1" (epsilon on sqrt(v)) or "corrected" (on sqrt(v_hat))."""
    for name, g in grads.items():
        m[name] = beta1 * m[name] + (1 - beta1) * g
        v[name] = BETA2 * v[name] + (1 - BETA2) * g * g
        if adam == "tf1":
            lr_t = lr * np.sqrt(1 - BETA2**t) / (1 - beta1**t)
            p[name] = p[name] - lr_t * m[name] / (np.sqrt(v[name]) + EPS)
        else:
            m_hat, v_hat = m[name] / (1 - beta1**t), v[name] / (1 - BETA2**t)
            p[name] = p[name] - lr * m_hat / (np.sqrt(v_hat) + EPS)


def reference_steps(params, batch, noises, adam):
    """The training step in float64 numpy, for the math check: returns the
    (L_G, L_D) of each step and the parameters after the last one.
    `adam` is "tf1" (epsilon on sqrt(v)) or "corrected" (on sqrt(v_hat))."""
    p = {name: value.astype(np.float64) for name, value in params.items()}
    m = {name: np.zeros_like(value) for name, value in p.items()}
    v = {name: np.zeros_like(value) for name, value in p.items()}
    x = batch.astype(np.float64)
    losses = []
    for t, z in enumerate(noises, start=1):
        z = z.astype(np.float64)
        a1 = z @ p["g_w1"] + p["g_b1"]
        h_g = np.maximum(a1, 0)
        x_fake = sigmoid(h_g @ p["g_w2"] + p["g_b2"])
        r1 = x @ p["d_w1"] + p["d_b1"]
        h_r = np.maximum(r1, 0)
        d_real = h_r @ p["d_w2"] + p["d_b2"]
        f1 = x_fake @ p["d_w1"] + p["d_b1"]
        h_f = np.maximum(f1, 0)
        d_fake = h_f @ p["d_w2"] + p["d_b2"]
        n = x.shape[0]
        loss_g = softplus(-d_fake).mean()
        loss_d = softplus(-d_real).mean() + softplus(d_fake).mean()
        losses.append((loss_g, loss_d))
        # Discriminator gradients of L_D.
        g_real = (sigmoid(d_real) - 1.0) / n
        g_fake = sigmoid(d_fake) / n
        g_hr = (g_real @ p["d_w2"].T) * (r1 > 0)
        g_hf = (g_fake @ p["d_w2"].T) * (f1 > 0)
        grads = {
            "d_w2": h_r.T @ g_real + h_f.T @ g_fake,
            "d_b2": (g_real.sum(0) + g_fake.sum(0)),
            "d_w1": x.T @ g_hr + x_fake.T @ g_hf,
            "d_b1": g_hr.sum(0) + g_hf.sum(0),
        }
        # Generator gradients of L_G, through D at the same parameters.
        g_fake_g = (sigmoid(d_fake) - 1.0) / n
        g_hf_g = (g_fake_g @ p["d_w2"].T) * (f1 > 0)
        g_a2 = (g_hf_g @ p["d_w1"].T) * x_fake * (1.0 - x_fake)
        g_a1 = (g_a2 @ p["g_w2"].T) * (a1 > 0)
        grads.update(
            {"g_w2": h_g.T @ g_a2, "g_b2": g_a2.sum(0), "g_w1": z.T @ g_a1, "g_b1": g_a1.sum(0)}
        )
        adam_update(p, m, v, grads, t, adam)
    return losses, p
