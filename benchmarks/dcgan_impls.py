"""The DCGAN of examples/dcgan_mnist.py: its training step written once per
library, for benchmarks/dcgan.py (the MLP tutorial's is in impls.py, whose
classes these extend).

Every implementation does the same math per step, for a batch of B images:

  z ~ Uniform(-1, 1)^(B x 100), drawn by the library's own generator;
  G(z): dense 100 -> 7*7*128, batch norm, relu, reshape to 7x7x128;
        transposed conv 5x5 stride 2 'same' to 14x14x64, batch norm, relu;
        transposed conv 5x5 stride 2 'same' to 28x28x1, sigmoid;
  D(x): conv 5x5 stride 2 'same' to 14x14x64, leaky relu 0.2;
        conv 5x5 stride 2 'same' to 7x7x128, leaky relu 0.2; dense 6272 -> 1;
  batch norm in training mode: batch statistics, epsilon 1e-3, and the moving
  averages (momentum 0.99) updated as gan_infer.layers.batch_norm does;
  non-saturating losses; both gradients at the current parameters from the
  same batch and noise; one Adam step per player (lr 2e-4, beta1 0.5, beta2
  0.999, eps 1e-8); both losses back to Python as floats.

'same' is TensorFlow's: a 5x5 stride-2 window over an even size pads 1 row
before and 2 after, and a transposed convolution is the adjoint (gradient)
of that convolution. PyTorch's symmetric `padding` cannot say this: its rows
pad explicitly (ZeroPad2d) before each Conv2d, and crop the last row and
column after each ConvTranspose2d(padding=1).

Parameters travel in TensorFlow's layout (PARAM_SHAPES): dense kernels
[in, out], conv kernels [h, w, in, out], transposed-conv kernels
[h, w, out, in], feature maps NHWC and flattened in (h, w, c) order. JAX
uses the same layout; the PyTorch rows convert to and from NCHW.

Nothing here imports TensorFlow, JAX or PyTorch at module level.
"""

import impls
import numpy as np
from common import D_LATENT, X_DIM, read_mnist_images
from impls import require, sigmoid, softplus
from numpy.lib.stride_tricks import sliding_window_view

LR, BETA1 = 2e-4, 0.5  # both players' AdamOptimizer(2e-4, beta1=0.5)
BN_EPS, BN_MOMENTUM = 1e-3, 0.99  # gan_infer.layers.batch_norm's defaults
INIT_STDDEV = 0.02  # the example's N(0, 0.02) kernels
E2E_BATCH = 64  # the example's batch size
K = 5  # every kernel is 5x5 with stride 2
PAD = (1, 2)  # TensorFlow's 'same' padding for it (even sizes)
FLAT = 7 * 7 * 128

PARAM_SHAPES = [
    ("g_dense_w", (D_LATENT, FLAT)),
    ("g_dense_b", (FLAT,)),
    ("g_bn1_gamma", (FLAT,)),
    ("g_bn1_beta", (FLAT,)),
    ("g_deconv1_w", (K, K, 64, 128)),
    ("g_deconv1_b", (64,)),
    ("g_bn2_gamma", (64,)),
    ("g_bn2_beta", (64,)),
    ("g_deconv2_w", (K, K, 1, 64)),
    ("g_deconv2_b", (1,)),
    ("d_conv1_w", (K, K, 1, 64)),
    ("d_conv1_b", (64,)),
    ("d_conv2_w", (K, K, 64, 128)),
    ("d_conv2_b", (128,)),
    ("d_dense_w", (FLAT, 1)),
    ("d_dense_b", (1,)),
]
# Canonical name -> TF1 variable name (gan_infer.layers' default scopes).
_TF1_LAYERS = {
    "g_dense": "Gen/dense",
    "g_bn1": "Gen/batch_norm",
    "g_deconv1": "Gen/conv2d_transpose",
    "g_bn2": "Gen/batch_norm_1",
    "g_deconv2": "Gen/conv2d_transpose_1",
    "d_conv1": "Disc/conv2d",
    "d_conv2": "Disc/conv2d_1",
    "d_dense": "Disc/dense",
}
_TF1_SUFFIX = {"w": "kernel", "b": "bias", "gamma": "gamma", "beta": "beta"}
TF1_NAMES = {
    name: f"{_TF1_LAYERS[name.rsplit('_', 1)[0]]}/{_TF1_SUFFIX[name.rsplit('_', 1)[1]]}"
    for name, _ in PARAM_SHAPES
}

# key -> (label, library needed, builder name); the order of the tables.
STEP_IMPLS = {
    "gan_infer": ("gan_infer GANInference.update", "tensorflow", "build_gan_infer"),
    "tf1": ("tf.compat.v1 Session (raw graph)", "tensorflow", "build_tf1"),
    "tf_function": ("TF2 tf.function", "tensorflow", "build_tf_function"),
    "tf_xla": ("TF2 tf.function(jit_compile=True)", "tensorflow", "build_tf_xla"),
    "jax": ("JAX jit + optax (lax convolutions)", "jax", "build_jax"),
    "torch": ("PyTorch eager", "torch", "build_torch"),
    "torch_compile": ("torch.compile", "torch", "build_torch_compile"),
}
# Rows run only when asked for by name (dcgan.py --only): see dcgan.py.
OPTIONAL = ("tf_xla", "torch_compile")
E2E_IMPLS = {
    "e2e_gan_infer": (
        "gan_infer: batches(x_train, 64) + update + print_progress",
        "tensorflow",
        "build_e2e_gan_infer",
    ),
    "e2e_plain": (
        "plain feed loop: own wrap-around generator + update + print_progress",
        "tensorflow",
        "build_e2e_plain",
    ),
    "data_gan_infer": (
        "  batching only: gan_infer.datasets.batches",
        "numpy",
        "build_data_gan_infer",
    ),
    "data_plain": ("  batching only: own generator", "numpy", "build_data_plain"),
}


def build(key, cfg):
    """Build implementation `key` with cfg = {batch, params, threads, seed, ...}."""
    _, library, builder = {**STEP_IMPLS, **E2E_IMPLS}[key]
    require(library)
    return globals()[builder](cfg)


def init_params(seed=0, perturbed=False):
    """The example's initial values as float32 numpy arrays: N(0, 0.02)
    kernels, zero biases and betas, unit gammas. `perturbed` draws the
    biases, betas and gammas at random too (the math check's start, where a
    misplaced bias or scale changes the first losses)."""
    rng = np.random.default_rng(seed)
    params = {}
    for name, shape in PARAM_SHAPES:
        if name.endswith("_w"):
            value = rng.normal(0.0, INIT_STDDEV, shape)
        else:
            value = np.full(shape, 1.0 if name.endswith("_gamma") else 0.0)
            if perturbed:
                value = value + rng.normal(0.0, 0.1, shape)
        params[name] = value.astype(np.float32)
    return params


def grey_batch(mnist_dir, size):
    """The first `size` MNIST training images, grey levels in [0, 1] as the
    example feeds them (uniform random pixels if the files are absent)."""
    try:
        return read_mnist_images(mnist_dir, size).astype(np.float32) / 255.0, "MNIST"
    except OSError:
        rng = np.random.default_rng(0)
        return rng.random((size, X_DIM), dtype=np.float32), "random (MNIST not found)"


# ----------------------------------------------------------------- TensorFlow
def _example_model(batch_size):
    """examples/dcgan_mnist.py's model (its defaults: uniform noise, no batch
    norm in D) for `impls.gan_infer_graph`."""

    def model(tf, layers, Uniform):
        tf1 = tf.compat.v1
        init = tf1.random_normal_initializer(stddev=INIT_STDDEV)

        def generative_network(eps):
            net = layers.dense(eps, 7 * 7 * 128, kernel_initializer=init)
            net = tf.nn.relu(layers.batch_norm(net, training=True))
            net = tf.reshape(net, [batch_size, 7, 7, 128])
            net = layers.conv2d_transpose(net, 64, 5, strides=2, kernel_initializer=init)  # 14x14
            net = tf.nn.relu(layers.batch_norm(net, training=True))
            net = layers.conv2d_transpose(
                net, 1, 5, strides=2, activation=tf.sigmoid, kernel_initializer=init
            )  # 28x28
            return layers.flatten(net)

        def discriminative_network(x):
            net = tf.reshape(x, [-1, 28, 28, 1])
            net = layers.conv2d(
                net, 64, 5, strides=2, activation=layers.leaky_relu, kernel_initializer=init
            )  # 14x14
            net = layers.conv2d(net, 128, 5, strides=2, kernel_initializer=init)  # 7x7
            net = layers.leaky_relu(net)
            net = layers.flatten(net)
            return layers.dense(net, 1, activation=None, kernel_initializer=init)

        with tf1.variable_scope("Gen"):
            eps = Uniform(tf.zeros([batch_size, D_LATENT]) - 1.0, tf.ones([batch_size, D_LATENT]))
            x = generative_network(eps)
        return eps, x, discriminative_network

    return model


def _gan_infer_graph(cfg, batch_size, n_iter):
    return impls.gan_infer_graph(
        cfg, _example_model(batch_size), batch_size, n_iter=n_iter, n_print=500, lr=LR, beta1=BETA1
    )


def build_gan_infer(cfg):
    graph = _gan_infer_graph(cfg, len(cfg["batch"]), n_iter=10**9)
    return impls.gan_infer_step(cfg, graph, TF1_NAMES)


def build_tf1(cfg):
    tf = impls.import_tensorflow(cfg["threads"], graph_mode=True)
    tf1 = tf.compat.v1
    init = tf1.random_normal_initializer(stddev=INIT_STDDEV)
    batch_size = len(cfg["batch"])

    def weights(name, kernel_shape, units):
        with tf1.variable_scope(name):
            return (
                tf1.get_variable("kernel", kernel_shape, initializer=init),
                tf1.get_variable("bias", [units], initializer=tf1.zeros_initializer()),
            )

    def dense(x, units, name):
        kernel, bias = weights(name, [x.shape[-1], units], units)
        return tf.nn.bias_add(tf.matmul(x, kernel), bias)

    def conv(x, filters, name):
        kernel, bias = weights(name, [K, K, x.shape[-1], filters], filters)
        return tf.nn.bias_add(tf.nn.conv2d(x, kernel, strides=2, padding="SAME"), bias)

    def deconv(x, filters, name):
        kernel, bias = weights(name, [K, K, filters, x.shape[-1]], filters)
        n, height, width, _ = x.shape
        out = tf.nn.conv2d_transpose(
            x, kernel, [n, 2 * height, 2 * width, filters], strides=2, padding="SAME"
        )
        return tf.nn.bias_add(out, bias)

    def batch_norm(x, name):
        units = x.shape[-1]
        zeros, ones = tf1.zeros_initializer(), tf1.ones_initializer()
        with tf1.variable_scope(name):
            beta = tf1.get_variable("beta", [units], initializer=zeros)
            gamma = tf1.get_variable("gamma", [units], initializer=ones)
            moving_mean = tf1.get_variable(
                "moving_mean", [units], initializer=zeros, trainable=False
            )
            moving_variance = tf1.get_variable(
                "moving_variance", [units], initializer=ones, trainable=False
            )
        mean, variance = tf.nn.moments(x, list(range(x.shape.rank - 1)))
        for moving, value in ((moving_mean, mean), (moving_variance, variance)):
            tf1.add_to_collection(
                tf1.GraphKeys.UPDATE_OPS, moving.assign_sub((1.0 - BN_MOMENTUM) * (moving - value))
            )
        return tf.nn.batch_normalization(x, mean, variance, beta, gamma, BN_EPS)

    def generator(eps):
        net = tf.nn.relu(batch_norm(dense(eps, FLAT, "dense"), "batch_norm"))
        net = tf.reshape(net, [batch_size, 7, 7, 128])
        net = tf.nn.relu(batch_norm(deconv(net, 64, "conv2d_transpose"), "batch_norm_1"))
        return tf.reshape(tf.sigmoid(deconv(net, 1, "conv2d_transpose_1")), [batch_size, X_DIM])

    def discriminator(x):
        net = tf.reshape(x, [-1, 28, 28, 1])
        net = tf.nn.leaky_relu(conv(net, 64, "conv2d"), 0.2)
        net = tf.nn.leaky_relu(conv(net, 128, "conv2d_1"), 0.2)
        return dense(tf.reshape(net, [-1, FLAT]), 1, "dense")

    return impls.raw_tf1_step(
        cfg,
        tf,
        generator,
        discriminator,
        TF1_NAMES,
        lr=LR,
        beta1=BETA1,
        note="one sess.run per step, numpy batch fed",
    )


class _TF2(impls.TF2Step):
    """tf.nn convolutions and batch norm on tf.Variables, in a tf.function."""

    lr, beta1 = LR, BETA1

    def __init__(self, cfg, jit_compile):
        super().__init__(cfg, jit_compile)
        tf = self.tf
        self.moving = {
            name: (tf.Variable(tf.zeros([units])), tf.Variable(tf.ones([units])))
            for name, units in (("g_bn1", FLAT), ("g_bn2", 64))
        }
        self.info["note"] = "tf.nn ops; Adam in tf ops (TF1 rule); tf.random.Generator noise"

    def _batch_norm(self, x, name):
        tf = self.tf
        mean, variance = tf.nn.moments(x, list(range(len(x.shape) - 1)))
        for moving, value in zip(self.moving[name], (mean, variance)):
            moving.assign_sub((1.0 - BN_MOMENTUM) * (moving - value))
        return tf.nn.batch_normalization(
            x, mean, variance, self.vars[name + "_beta"], self.vars[name + "_gamma"], BN_EPS
        )

    def _losses(self, x, z):
        tf, p = self.tf, self.vars

        def conv(h, name):
            return tf.nn.conv2d(h, p[name + "_w"], strides=2, padding="SAME") + p[name + "_b"]

        def deconv(h, name):
            n, height, width, _ = h.shape
            shape = [n, 2 * height, 2 * width, p[name + "_w"].shape[2]]
            out = tf.nn.conv2d_transpose(h, p[name + "_w"], shape, strides=2, padding="SAME")
            return out + p[name + "_b"]

        n = z.shape[0]
        net = tf.nn.relu(self._batch_norm(tf.matmul(z, p["g_dense_w"]) + p["g_dense_b"], "g_bn1"))
        net = tf.reshape(net, [n, 7, 7, 128])
        net = tf.nn.relu(self._batch_norm(deconv(net, "g_deconv1"), "g_bn2"))
        x_fake = tf.reshape(tf.sigmoid(deconv(net, "g_deconv2")), [n, X_DIM])

        def disc(h):
            h = tf.reshape(h, [-1, 28, 28, 1])
            h = tf.nn.leaky_relu(conv(h, "d_conv1"), 0.2)
            h = tf.nn.leaky_relu(conv(h, "d_conv2"), 0.2)
            return tf.matmul(tf.reshape(h, [-1, FLAT]), p["d_dense_w"]) + p["d_dense_b"]

        return self._cross_entropies(disc(x), disc(x_fake))


def build_tf_function(cfg):
    return _TF2(cfg, jit_compile=False)


def build_tf_xla(cfg):
    return _TF2(cfg, jit_compile=True)


# ------------------------------------------------------------------------ JAX
class _JAX(impls.JAXStep):
    """lax.conv_general_dilated for both kinds of convolution; batch norm by
    hand, its moving averages carried in the jitted state."""

    lr, beta1 = LR, BETA1

    def __init__(self, cfg):
        super().__init__(cfg)
        self.info["note"] = (
            "lax.conv_general_dilated (transposed: lhs_dilation); jit with "
            "donated state; jax.random noise inside jit"
        )

    def _model(self, jax, jnp):
        lax = jax.lax
        dims = ("NHWC", "HWIO", "NHWC")

        def conv(h, w, b):
            return lax.conv_general_dilated(h, w, (2, 2), (PAD, PAD), dimension_numbers=dims) + b

        def deconv(h, w, b):
            # The adjoint of `conv` for kernel w [h, w, out, in]: a stride-1
            # convolution over the input dilated by 2, with w flipped in space
            # and its channel axes swapped, padded K - 1 - PAD.
            w = jnp.transpose(w[::-1, ::-1], (0, 1, 3, 2))
            pad = (K - 1 - PAD[0], K - 1 - PAD[1])
            return (
                lax.conv_general_dilated(
                    h, w, (1, 1), (pad, pad), lhs_dilation=(2, 2), dimension_numbers=dims
                )
                + b
            )

        def batch_norm(h, pg, stats, name):
            axes = tuple(range(h.ndim - 1))
            mean, variance = jnp.mean(h, axes), jnp.var(h, axes)
            moving = tuple(
                m - (1.0 - BN_MOMENTUM) * (m - s) for m, s in zip(stats[name], (mean, variance))
            )
            scale = lax.rsqrt(variance + BN_EPS) * pg[name + "_gamma"]
            return (h - mean) * scale + pg[name + "_beta"], moving

        def generator(pg, stats, z):
            n = z.shape[0]
            h, bn1 = batch_norm(z @ pg["g_dense_w"] + pg["g_dense_b"], pg, stats, "g_bn1")
            h = jax.nn.relu(h).reshape(n, 7, 7, 128)
            h, bn2 = batch_norm(deconv(h, pg["g_deconv1_w"], pg["g_deconv1_b"]), pg, stats, "g_bn2")
            x = jax.nn.sigmoid(deconv(jax.nn.relu(h), pg["g_deconv2_w"], pg["g_deconv2_b"]))
            return x.reshape(n, X_DIM), {"g_bn1": bn1, "g_bn2": bn2}

        def discriminator(pd, x):
            h = x.reshape(-1, 28, 28, 1)
            h = jax.nn.leaky_relu(conv(h, pd["d_conv1_w"], pd["d_conv1_b"]), 0.2)
            h = jax.nn.leaky_relu(conv(h, pd["d_conv2_w"], pd["d_conv2_b"]), 0.2)
            return h.reshape(-1, FLAT) @ pd["d_dense_w"] + pd["d_dense_b"]

        def losses(pg, pd, stats, x, z):
            x_fake, stats = generator(pg, stats, z)
            d_real, d_fake = discriminator(pd, x), discriminator(pd, x_fake)
            loss_g = jnp.mean(jax.nn.softplus(-d_fake))
            loss_d = jnp.mean(jax.nn.softplus(-d_real)) + jnp.mean(jax.nn.softplus(d_fake))
            return loss_g, loss_d, stats

        stats = {
            name: (jnp.zeros(units), jnp.ones(units))
            for name, units in (("g_bn1", FLAT), ("g_bn2", 64))
        }
        return losses, stats


def build_jax(cfg):
    return _JAX(cfg)


# -------------------------------------------------------------------- PyTorch
# TF flattens a 7x7x128 map in (h, w, c) order, torch a 128x7x7 one in
# (c, h, w): torch's feature k is TF's feature _CHW[k], and TF's j torch's _HWC[j].
_CHW = np.arange(FLAT).reshape(7, 7, 128).transpose(2, 0, 1).reshape(-1)
_HWC = np.argsort(_CHW)


def _to_torch(name, value):
    """A parameter from TF's layout to its torch module's."""
    if value.ndim == 4:
        # conv [h, w, in, out] -> [out, in, h, w]; transposed [h, w, out, in] -> [in, out, h, w]
        return value.transpose(3, 2, 0, 1)
    if name == "g_dense_w":
        return value[:, _CHW].T
    if name == "d_dense_w":
        return value[_CHW].T
    if name.startswith(("g_dense", "g_bn1")):
        return value[_CHW]
    return value


def _from_torch(name, value):
    """The inverse of `_to_torch`."""
    if value.ndim == 4:
        return value.transpose(2, 3, 1, 0)
    if name == "g_dense_w":
        return value.T[:, _HWC]
    if name == "d_dense_w":
        return value.T[_HWC]
    if name.startswith(("g_dense", "g_bn1")):
        return value[_HWC]
    return value


class _Torch(impls.TorchStep):
    """torch.nn modules in NCHW, with TF's 'same' alignment made explicit."""

    lr, beta1 = LR, BETA1
    note = (
        "nn.Sequential (NCHW; ZeroPad2d for TF's 'same') + autograd.grad + "
        "torch.optim.Adam(2e-4, betas=(0.5, 0.999))"
    )

    def _networks(self, nn):
        same = (PAD[0], PAD[1], PAD[0], PAD[1])  # left, right, top, bottom
        # ConvTranspose2d(padding=1) keeps 2n + 1 rows of the full 2n + 3;
        # TF's 'same' keeps the first 2n of those: crop the last row and column.
        crop = (0, -1, 0, -1)
        momentum = 1.0 - BN_MOMENTUM  # torch's momentum weighs the new value
        G = nn.Sequential(
            nn.Linear(D_LATENT, FLAT),
            nn.BatchNorm1d(FLAT, eps=BN_EPS, momentum=momentum),
            nn.ReLU(),
            nn.Unflatten(1, (128, 7, 7)),
            nn.ConvTranspose2d(128, 64, K, stride=2, padding=PAD[0]),
            nn.ZeroPad2d(crop),
            nn.BatchNorm2d(64, eps=BN_EPS, momentum=momentum),
            nn.ReLU(),
            nn.ConvTranspose2d(64, 1, K, stride=2, padding=PAD[0]),
            nn.ZeroPad2d(crop),
            nn.Sigmoid(),
            nn.Flatten(),
        )
        D = nn.Sequential(
            nn.Unflatten(1, (1, 28, 28)),
            nn.ZeroPad2d(same),
            nn.Conv2d(1, 64, K, stride=2),
            nn.LeakyReLU(0.2),
            nn.ZeroPad2d(same),
            nn.Conv2d(64, 128, K, stride=2),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
            nn.Linear(FLAT, 1),
        )
        self._parts = {
            "g_dense": G[0],
            "g_bn1": G[1],
            "g_deconv1": G[4],
            "g_bn2": G[6],
            "g_deconv2": G[8],
            "d_conv1": D[2],
            "d_conv2": D[5],
            "d_dense": D[8],
        }
        return G, D

    def _parameter(self, name):
        part, kind = name.rsplit("_", 1)
        return getattr(self._parts[part], "weight" if kind in ("w", "gamma") else "bias")

    def _load(self, params):
        for name, value in params.items():
            value = np.ascontiguousarray(_to_torch(name, value))
            self._parameter(name).copy_(self.torch.from_numpy(value))

    def params(self):
        out = {}
        for name, _ in PARAM_SHAPES:
            value = self._parameter(name).detach().numpy()
            out[name] = np.ascontiguousarray(_from_torch(name, value))
        return out


def build_torch(cfg):
    return _Torch(cfg, compile=False)


def build_torch_compile(cfg):
    return _Torch(cfg, compile=True)


# ----------------------------------------------------------------- end to end
def _build_e2e(cfg, tutorial):
    x_train = impls.mnist_train(cfg)
    graph = _gan_infer_graph(cfg, E2E_BATCH, n_iter=5000)
    generator = impls.batch_generator(cfg, x_train, tutorial, E2E_BATCH, binarize=False)
    return impls.e2e_loop(graph, generator, "n_print=500, progress to /dev/null, no figures")


def build_e2e_gan_infer(cfg):
    return _build_e2e(cfg, tutorial=False)


def build_e2e_plain(cfg):
    return _build_e2e(cfg, tutorial=True)


def build_data_gan_infer(cfg):
    return impls.build_data(cfg, False, E2E_BATCH, binarize=False)


def build_data_plain(cfg):
    return impls.build_data(cfg, True, E2E_BATCH, binarize=False)


# ------------------------------------------------------ reference (the check)
# The step in float64 numpy, backward pass by hand. A stride-2 'same'
# convolution is a contraction of the input's 5x5 windows (`_patches`) with
# the kernel; its adjoint `_unpatch` adds windows back into an image. The
# transposed convolution is that adjoint applied to the input times the kernel.
def _patches(x):
    """[N, H, W, C] -> [N, H/2, W/2, C, K, K]: the windows of a stride-2
    'same' convolution (a view)."""
    padded = np.pad(x, ((0, 0), PAD, PAD, (0, 0)))
    return sliding_window_view(padded, (K, K), axis=(1, 2))[:, ::2, ::2]


def _unpatch(windows, size):
    """The adjoint of `_patches` for [size, size] images."""
    n, rows, cols, channels = windows.shape[:4]
    padded = np.zeros((n, size + sum(PAD), size + sum(PAD), channels))
    for a in range(K):
        for b in range(K):
            padded[:, a : a + 2 * rows : 2, b : b + 2 * cols : 2] += windows[..., a, b]
    return padded[:, PAD[0] : PAD[0] + size, PAD[0] : PAD[0] + size]


def _conv(x, w, b):
    return np.einsum("nijcab,abco->nijo", _patches(x), w, optimize=True) + b


def _conv_grads(x, w, g):
    """(dL/dx, dL/dw, dL/db) of `_conv` given g = dL/d(output)."""
    dx = _unpatch(np.einsum("nijo,abco->nijcab", g, w, optimize=True), x.shape[1])
    return dx, np.einsum("nijcab,nijo->abco", _patches(x), g, optimize=True), g.sum((0, 1, 2))


def _deconv(x, w, b):
    """TF's conv2d_transpose, stride 2 'same', kernel [K, K, out, in]."""
    return _unpatch(np.einsum("nijc,abfc->nijfab", x, w, optimize=True), 2 * x.shape[1]) + b


def _deconv_grads(x, w, g):
    windows = _patches(g)
    return (
        np.einsum("nijfab,abfc->nijc", windows, w, optimize=True),
        np.einsum("nijfab,nijc->abfc", windows, x, optimize=True),
        g.sum((0, 1, 2)),
    )


def _batch_norm(x, gamma, beta):
    axes = tuple(range(x.ndim - 1))
    inv = 1.0 / np.sqrt(x.var(axes) + BN_EPS)
    normalized = (x - x.mean(axes)) * inv
    return gamma * normalized + beta, (normalized, inv)


def _batch_norm_grads(g, gamma, cache):
    """(dL/dx, dL/dgamma, dL/dbeta) given g = dL/d(output)."""
    normalized, inv = cache
    axes = tuple(range(g.ndim - 1))
    dn = g * gamma
    dx = inv * (dn - dn.mean(axes) - normalized * (dn * normalized).mean(axes))
    return dx, (g * normalized).sum(axes), g.sum(axes)


def _generator(p, z):
    """G(z) [N, 784] and what its backward pass needs."""
    n = len(z)
    a1, bn1 = _batch_norm(z @ p["g_dense_w"] + p["g_dense_b"], p["g_bn1_gamma"], p["g_bn1_beta"])
    h1 = np.maximum(a1, 0).reshape(n, 7, 7, 128)
    a2, bn2 = _batch_norm(
        _deconv(h1, p["g_deconv1_w"], p["g_deconv1_b"]), p["g_bn2_gamma"], p["g_bn2_beta"]
    )
    h2 = np.maximum(a2, 0)
    x = sigmoid(_deconv(h2, p["g_deconv2_w"], p["g_deconv2_b"]))
    return x.reshape(n, X_DIM), (z, a1, bn1, h1, a2, bn2, h2, x)


def _generator_grads(p, cache, g):
    """G's parameter gradients given g = dL/dG(z)."""
    z, a1, bn1, h1, a2, bn2, h2, x = cache
    grads = {}
    g = g.reshape(x.shape) * x * (1.0 - x)
    g, grads["g_deconv2_w"], grads["g_deconv2_b"] = _deconv_grads(h2, p["g_deconv2_w"], g)
    g, grads["g_bn2_gamma"], grads["g_bn2_beta"] = _batch_norm_grads(
        g * (a2 > 0), p["g_bn2_gamma"], bn2
    )
    g, grads["g_deconv1_w"], grads["g_deconv1_b"] = _deconv_grads(h1, p["g_deconv1_w"], g)
    g, grads["g_bn1_gamma"], grads["g_bn1_beta"] = _batch_norm_grads(
        g.reshape(a1.shape) * (a1 > 0), p["g_bn1_gamma"], bn1
    )
    grads["g_dense_w"], grads["g_dense_b"] = z.T @ g, g.sum(0)
    return grads


def _leaky_slope(a):
    return np.where(a > 0, 1.0, 0.2)


def _discriminator(p, x):
    """D(x) (logits [N, 1]) and what its backward pass needs."""
    image = x.reshape(len(x), 28, 28, 1)
    a1 = _conv(image, p["d_conv1_w"], p["d_conv1_b"])
    h1 = a1 * _leaky_slope(a1)
    a2 = _conv(h1, p["d_conv2_w"], p["d_conv2_b"])
    h2 = (a2 * _leaky_slope(a2)).reshape(len(x), FLAT)
    return h2 @ p["d_dense_w"] + p["d_dense_b"], (image, a1, h1, a2, h2)


def _discriminator_grads(p, cache, g):
    """(dL/dx, D's parameter gradients) given g = dL/dD(x)."""
    image, a1, h1, a2, h2 = cache
    grads = {"d_dense_w": h2.T @ g, "d_dense_b": g.sum(0)}
    g = (g @ p["d_dense_w"].T).reshape(a2.shape) * _leaky_slope(a2)
    g, grads["d_conv2_w"], grads["d_conv2_b"] = _conv_grads(h1, p["d_conv2_w"], g)
    g, grads["d_conv1_w"], grads["d_conv1_b"] = _conv_grads(
        image, p["d_conv1_w"], g * _leaky_slope(a1)
    )
    return g.reshape(len(g), X_DIM), grads


# Biases followed by batch norm: no output depends on them, their gradient is
# zero in exact arithmetic, and in float32 Adam's normalisation turns the
# round-off of that zero into steps of up to ~lr. Not compared.
CANCELLED_BY_BATCH_NORM = ("g_dense_b", "g_deconv1_b")


def reference_steps(params, batch, noises, adam):
    """The DCGAN step in float64 numpy, for the math check: the (L_G, L_D)
    of each step and the parameters after the last one, as
    `impls.reference_steps`, less CANCELLED_BY_BATCH_NORM (the batch-norm
    moving averages are not compared either)."""
    p = {name: value.astype(np.float64) for name, value in params.items()}
    m = {name: np.zeros_like(value) for name, value in p.items()}
    v = {name: np.zeros_like(value) for name, value in p.items()}
    x = batch.astype(np.float64)
    n = len(x)
    losses = []
    for t, z in enumerate(noises, start=1):
        x_fake, g_cache = _generator(p, z.astype(np.float64))
        d_real, real_cache = _discriminator(p, x)
        d_fake, fake_cache = _discriminator(p, x_fake)
        loss_g = softplus(-d_fake).mean()
        losses.append((loss_g, softplus(-d_real).mean() + softplus(d_fake).mean()))
        # L_D through D on both batches; L_G through D (same parameters) into G.
        _, grads = _discriminator_grads(p, real_cache, (sigmoid(d_real) - 1.0) / n)
        _, grads_fake = _discriminator_grads(p, fake_cache, sigmoid(d_fake) / n)
        grads = {name: grads[name] + grads_fake[name] for name in grads}
        g_x, _ = _discriminator_grads(p, fake_cache, (sigmoid(d_fake) - 1.0) / n)
        grads.update(_generator_grads(p, g_cache, g_x))
        impls.adam_update(p, m, v, grads, t, adam, LR, BETA1)
    return losses, {name: value for name, value in p.items() if name not in CANCELLED_BY_BATCH_NORM}
