"""Inference: fitting implicit models by adversarial training."""

from gan_infer.inferences import losses
from gan_infer.inferences.bigan_inference import BiGANInference
from gan_infer.inferences.gan_inference import GANInference
from gan_infer.inferences.implicit_klqp import ImplicitKLqp
from gan_infer.inferences.inference import Inference
from gan_infer.inferences.infogan_inference import InfoGANInference
from gan_infer.inferences.minibatches import Minibatches
from gan_infer.inferences.pooled_implicit_klqp import PooledImplicitKLqp
from gan_infer.inferences.rejection_sampling import acceptance_probability, rejection_sample
from gan_infer.inferences.wgan_inference import WGANInference

__all__ = [
    "Inference",
    "GANInference",
    "WGANInference",
    "BiGANInference",
    "InfoGANInference",
    "ImplicitKLqp",
    "PooledImplicitKLqp",
    "Minibatches",
    "rejection_sample",
    "acceptance_probability",
    "losses",
]
