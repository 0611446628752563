"""The fused operations the built-in layers call from their hand-written forward/backward:
bias + activation, the bias gradient, upsampling, batch normalization and the
embedding gather / scatter-add. NumPy references here; the registry substitutes
the Numba kernels where they exist. These return several arrays or take
gradients, so they are not recorded on a tape (a user's ``call`` uses the
differentiable ops they are made of).
"""
from __future__ import annotations

import numpy as np

from .activation import ACTIVATIONS
from .tape import defop


def _activation(name: str):
    fn = ACTIVATIONS.get(name)
    if fn is None:
        raise ValueError(f"bias_activation: unknown activation {name!r}; known: {sorted(ACTIVATIONS)}")
    return fn


@defop("bias_activation")
def bias_activation(z, bias, activation: str):
    """z (..., c) without bias, bias (c,) or None -> (z + bias, activation(z + bias)).

    ``z`` must be a fresh array the caller owns: the bias may be added in place.
    With "linear" the two results may be the same array."""
    fn = _activation(activation)
    if bias is not None:
        z += bias
    return z, fn.reference(z)


@defop("bias_activation_backward")
def bias_activation_backward(activation: str, z, y, dy):
    """dL/dz (z's shape) from dy = dL/dy; z and y are ``bias_activation``'s two results."""
    fn = _activation(activation)
    if activation == "linear":
        return dy
    return fn.vjp(dy, y, z)[0]


@defop("bias_grad")
def bias_grad(dz):
    """dz (..., c) -> (c,): the bias gradient (sum over every axis but the last);
    deterministic for any thread count on the Numba path."""
    return dz.reshape(-1, dz.shape[-1]).sum(axis=0)


@defop("upsampling2d", lambda g, y, x, size: (upsampling2d_backward(g, size), None))
def upsampling2d(x, size):
    """x (n, h, w, c) -> (n, h·sh, w·sw, c), each cell repeated sh×sw times (nearest)."""
    return x.repeat(size[0], axis=1).repeat(size[1], axis=2)


@defop("upsampling2d_backward")
def upsampling2d_backward(dy, size):
    """dy (n, h·sh, w·sw, c) -> dx (n, h, w, c): each cell collects its sh×sw copies."""
    n, hh, ww, c = dy.shape
    return dy.reshape(n, hh // size[0], size[0], ww // size[1], size[1], c).sum(axis=(2, 4))


# ---- batch normalization over rows of (m, c) --------------------------------------

@defop("batch_norm_moments")
def batch_norm_moments(x):
    """x (m, c) -> mean (c,), biased variance (c,) (divided by m, as Keras/TF)."""
    mean = x.mean(axis=0)
    return mean, ((x - mean) ** 2).mean(axis=0)


@defop("batch_norm_forward")
def batch_norm_forward(x, gamma, beta, mean, variance, epsilon: float):
    """x (m, c) normalised with the statistics (c,) -> y (m, c), x_hat (m, c), inv_std (c,).

    gamma / beta None mean scale 1 / offset 0; x_hat and inv_std are what backward needs."""
    inv_std = 1.0 / np.sqrt(variance + epsilon)
    x_hat = (x - mean) * inv_std
    y = x_hat * gamma if gamma is not None else x_hat.copy()
    if beta is not None:
        y += beta
    return y, x_hat, inv_std


@defop("batch_norm_backward")
def batch_norm_backward(dy, x_hat, gamma, inv_std, batch_statistics: bool):
    """dy (m, c) -> dx (m, c), dgamma (c,), dbeta (c,).

    With batch statistics the mean and variance depend on x, which adds the two
    centring terms; with moving statistics they are constants."""
    dgamma = (dy * x_hat).sum(axis=0)
    dbeta = dy.sum(axis=0)
    scale = inv_std if gamma is None else gamma * inv_std
    if not batch_statistics:
        return dy * scale, dgamma, dbeta
    m = dy.shape[0]
    return scale / m * (m * dy - dbeta - x_hat * dgamma), dgamma, dbeta


def batch_normalization(x, mean, variance, axis, offset=None, scale=None, epsilon=1e-3):
    """Keras's ``ops.batch_normalization`` (differentiable: made of recorded ops).
    mean / variance / offset / scale have the size of ``axis``."""
    from . import elementwise as e, shape as s  # noqa: PLC0415
    shape = [1] * len(np.shape(x))
    shape[axis] = np.shape(x)[axis]
    r = lambda v: s.reshape(v, shape)  # noqa: E731
    y = e.divide(e.subtract(x, r(mean)), e.sqrt(e.add(r(variance), epsilon)))
    if scale is not None:
        y = e.multiply(y, r(scale))
    return e.add(y, r(offset)) if offset is not None else y


# ---- embedding ----------------------------------------------------------------------

@defop("embedding_lookup")
def embedding_lookup(indices, embeddings):
    """indices (...) integers in [0, input_dim), embeddings (input_dim, d) -> (..., d).
    Out-of-range ids raise IndexError. (Differentiable form: ``take(embeddings, indices, 0)``.)"""
    return embeddings[indices]


@defop("embedding_scatter_add")
def embedding_scatter_add(indices, dy, input_dim: int):
    """dy (..., d) -> dembeddings (input_dim, d); a repeated index sums its rows in order."""
    d = dy.shape[-1]
    grad = np.zeros((input_dim, d), dtype=dy.dtype)
    np.add.at(grad, np.asarray(indices).reshape(-1), dy.reshape(-1, d))
    return grad
