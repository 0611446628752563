"""Activation functions (Keras's ``keras.ops`` names and defaults): NumPy references and VJPs.

Formulas follow Keras 3 (``keras/src/ops/nn.py``); the stable forms avoid
overflow (sigmoid through exp(-|x|), softmax shifted by the row max).
"""
from __future__ import annotations

import math

import numpy as np

from .tape import defop

SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


@defop("relu", lambda g, y, x: (g * (np.asarray(x) > 0),))
def relu(x):
    """max(x, 0); the gradient at 0 is 0 (as TF)."""
    return np.maximum(x, 0)


@defop("relu6", lambda g, y, x: (g * ((np.asarray(x) > 0) & (np.asarray(x) < 6)),))
def relu6(x):
    """min(max(x, 0), 6)."""
    return np.clip(x, 0, 6)


@defop("sigmoid", lambda g, y, x: (g * y * (1 - y),))
def sigmoid(x):
    """1 / (1 + e^-x), computed from e^-|x| so that no exp overflows."""
    x = np.asarray(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


@defop("tanh", lambda g, y, x: (g * (1 - y * y),))
def tanh(x):
    """Hyperbolic tangent."""
    return np.tanh(x)


def _vjp_softmax(g, y, x, axis=-1):
    return (y * (g - np.sum(g * y, axis=axis, keepdims=True)),)


@defop("softmax", _vjp_softmax)
def softmax(x, axis=-1):
    """e^x / Σ e^x along ``axis``, shifted by the max."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _vjp_log_softmax(g, y, x, axis=-1):
    return (g - np.exp(y) * np.sum(g, axis=axis, keepdims=True),)


@defop("log_softmax", _vjp_log_softmax)
def log_softmax(x, axis=-1):
    """x - log Σ e^x along ``axis``."""
    z = x - np.max(x, axis=axis, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=axis, keepdims=True))


@defop("softplus", lambda g, y, x: (g * sigmoid.reference(x),))
def softplus(x):
    """log(1 + e^x) = max(x, 0) + log1p(e^-|x|)."""
    return np.maximum(x, 0) + np.log1p(np.exp(-np.abs(x)))


@defop("softsign", lambda g, y, x: (g / np.square(1 + np.abs(x)),))
def softsign(x):
    """x / (1 + |x|)."""
    return x / (1 + np.abs(x))


@defop("silu", lambda g, y, x: (g * (lambda s: s * (1 + x * (1 - s)))(sigmoid.reference(x)),))
def silu(x):
    """x·sigmoid(x) (swish)."""
    return x * sigmoid.reference(x)


@defop("elu", lambda g, y, x, alpha=1.0: (g * np.where(np.asarray(x) > 0, 1, y + alpha),))
def elu(x, alpha=1.0):
    """x for x > 0, alpha·(e^x - 1) otherwise."""
    x = np.asarray(x)
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0)))


@defop("selu", lambda g, y, x: (g * np.where(np.asarray(x) > 0, SELU_SCALE, y + SELU_SCALE * SELU_ALPHA),))
def selu(x):
    """scale·elu(x, alpha) with Klambauer et al.'s constants."""
    x = np.asarray(x)
    return SELU_SCALE * np.where(x > 0, x, SELU_ALPHA * np.expm1(np.minimum(x, 0)))


@defop("leaky_relu", lambda g, y, x, negative_slope=0.2:
       (g * np.where(np.asarray(x) > 0, 1, negative_slope),))
def leaky_relu(x, negative_slope=0.2):
    """x for x > 0, negative_slope·x otherwise (Keras's default slope 0.2)."""
    return np.where(np.asarray(x) > 0, x, np.multiply(negative_slope, x))


_SQRT_2_PI = math.sqrt(2 / math.pi)
_erf = np.frompyfunc(math.erf, 1, 1)


def _gelu_grad(x, approximate):
    if approximate:
        inner = _SQRT_2_PI * (x + 0.044715 * x ** 3)
        t = np.tanh(inner)
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * _SQRT_2_PI * (1 + 3 * 0.044715 * x * x)
    cdf = 0.5 * (1 + _erf(x / math.sqrt(2)).astype(np.result_type(x)))
    return cdf + x * np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)


@defop("gelu", lambda g, y, x, approximate=True: (g * _gelu_grad(np.asarray(x), approximate),))
def gelu(x, approximate=True):
    """Gaussian error linear unit; ``approximate`` uses the tanh form (Keras's default)."""
    x = np.asarray(x)
    if approximate:
        return 0.5 * x * (1 + np.tanh(_SQRT_2_PI * (x + 0.044715 * x ** 3)))
    return 0.5 * x * (1 + _erf(x / math.sqrt(2)).astype(x.dtype))


@defop("hard_sigmoid", lambda g, y, x: (g * ((np.asarray(x) > -3) & (np.asarray(x) < 3)) / 6,))
def hard_sigmoid(x):
    """relu6(x + 3) / 6 (Keras 3's definition)."""
    return np.clip(np.asarray(x) + 3, 0, 6) / 6


@defop("linear", lambda g, y, x: (g,))
def linear(x):
    """x unchanged."""
    return x


#: the activations :func:`minidl.ops.nn.bias_activation` knows by name
ACTIVATIONS = {"linear": linear, "relu": relu, "relu6": relu6, "sigmoid": sigmoid, "tanh": tanh,
               "softmax": softmax, "log_softmax": log_softmax, "softplus": softplus,
               "softsign": softsign, "silu": silu, "swish": silu, "elu": elu, "selu": selu,
               "leaky_relu": leaky_relu, "gelu": gelu, "hard_sigmoid": hard_sigmoid}
