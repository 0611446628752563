"""Plain NumPy kernels: clear rather than fast, the oracle the Numba kernels are tested against."""
from __future__ import annotations

import numpy as np

from .padding import output_length, pad_amounts


def dense_forward(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """x (n, in) @ kernel (in, out) + bias (out,) -> (n, out)."""
    z = x @ kernel
    if bias is not None:
        z += bias
    return z


def dense_backward(x: np.ndarray, kernel: np.ndarray, dz: np.ndarray, use_bias: bool):
    """Given dz (n, out): dx (n, in), dkernel (in, out), dbias (out,) or None."""
    dx = dz @ kernel.T
    dkernel = x.T @ dz
    dbias = dz.sum(axis=0) if use_bias else None
    return dx, dkernel, dbias


# ---- convolution (NHWC, kernel (kh, kw, cin, cout)) -------------------------
# Written as a loop over the kh·kw kernel taps: each tap is one strided slice
# of the padded input times one (cin, cout) matrix. That is im2col without
# materialising the column matrix, and reads like the definition.

def _pad_spatial(x: np.ndarray, window: tuple[int, int], strides: tuple[int, int],
                 padding: str, fill: float = 0.0):
    """Pad axes 1 and 2 of x (n, h, w, c); returns (padded, (top, left))."""
    (top, bottom), (left, right) = (pad_amounts(x.shape[1], window[0], strides[0], padding),
                                    pad_amounts(x.shape[2], window[1], strides[1], padding))
    if top == bottom == left == right == 0:
        return x, (0, 0)
    xp = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    return xp, (top, left)


def _tap(i: int, j: int, out_hw: tuple[int, int], strides: tuple[int, int]):
    """Index of the input cells that kernel tap (i, j) meets, one per output cell."""
    (oh, ow), (sh, sw) = out_hw, strides
    return (slice(None), slice(i, i + sh * (oh - 1) + 1, sh), slice(j, j + sw * (ow - 1) + 1, sw))


def _conv_out_hw(x_shape, window, strides, padding) -> tuple[int, int]:
    oh = output_length(x_shape[1], window[0], strides[0], padding)
    ow = output_length(x_shape[2], window[1], strides[1], padding)
    if oh <= 0 or ow <= 0:
        raise ValueError(f"window {tuple(window)} does not fit input of spatial shape "
                         f"{tuple(x_shape[1:3])} with padding {padding!r}")
    return oh, ow


def conv2d_forward(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None,
                   strides: tuple[int, int], padding: str) -> np.ndarray:
    """x (n, h, w, cin), kernel (kh, kw, cin, cout), bias (cout,) or None
    -> y (n, oh, ow, cout); padding 'valid' or 'same' (TF's split)."""
    kh, kw, _, cout = kernel.shape
    oh, ow = _conv_out_hw(x.shape, (kh, kw), strides, padding)
    xp, _ = _pad_spatial(x, (kh, kw), strides, padding)
    y = np.zeros((x.shape[0], oh, ow, cout), dtype=np.result_type(x, kernel))
    for i in range(kh):
        for j in range(kw):
            y += xp[_tap(i, j, (oh, ow), strides)] @ kernel[i, j]
    if bias is not None:
        y += bias
    return y


def conv2d_backward(x: np.ndarray, kernel: np.ndarray, dz: np.ndarray,
                    strides: tuple[int, int], padding: str, use_bias: bool):
    """Given dz (n, oh, ow, cout): dx (n, h, w, cin), dkernel (kh, kw, cin, cout),
    dbias (cout,) or None."""
    kh, kw, cin, cout = kernel.shape
    oh, ow = dz.shape[1:3]
    xp, (top, left) = _pad_spatial(x, (kh, kw), strides, padding)
    dxp = np.zeros_like(xp, dtype=np.result_type(x, dz))
    dkernel = np.empty_like(kernel, dtype=np.result_type(kernel, dz))
    dz2 = dz.reshape(-1, cout)
    for i in range(kh):
        for j in range(kw):
            tap = _tap(i, j, (oh, ow), strides)
            dkernel[i, j] = xp[tap].reshape(-1, cin).T @ dz2
            dxp[tap] += dz @ kernel[i, j].T
    dx = dxp[:, top:top + x.shape[1], left:left + x.shape[2]]
    dbias = dz.sum(axis=(0, 1, 2)) if use_bias else None
    return dx, dkernel, dbias


def conv1d_forward(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None,
                   stride: int, padding: str) -> np.ndarray:
    """x (n, length, cin), kernel (k, cin, cout), bias (cout,) or None -> y (n, out_len, cout).

    A 2-D convolution over a height-1 image; the padding split is the same.
    """
    y = conv2d_forward(x[:, None], kernel[None], bias, (1, stride), padding)
    return y[:, 0]


def conv1d_backward(x: np.ndarray, kernel: np.ndarray, dz: np.ndarray,
                    stride: int, padding: str, use_bias: bool):
    """Given dz (n, out_len, cout): dx (n, length, cin), dkernel (k, cin, cout), dbias or None."""
    dx, dkernel, dbias = conv2d_backward(x[:, None], kernel[None], dz[:, None], (1, stride),
                                         padding, use_bias)
    return dx[:, 0], dkernel[0], dbias


# ---- max pooling ------------------------------------------------------------
# Forward records, per output cell, which cell of its window won (flat index
# i·pw + j); backward routes the gradient there. 'same' pads with -inf, so a
# padded cell never wins, as in TF.

def maxpool2d_forward(x: np.ndarray, pool_size: tuple[int, int], strides: tuple[int, int],
                      padding: str):
    """x (n, h, w, c) -> y (n, oh, ow, c) and argmax (n, oh, ow, c), the winning
    cell's flat index in its (ph, pw) window. On ties the first cell wins."""
    ph, pw = pool_size
    oh, ow = _conv_out_hw(x.shape, pool_size, strides, padding)
    xp, _ = _pad_spatial(x, pool_size, strides, padding, fill=-np.inf)
    # windows (n, oh, ow, c, ph, pw), a strided view with no copy
    windows = np.lib.stride_tricks.sliding_window_view(xp, (ph, pw), axis=(1, 2))
    windows = windows[:, ::strides[0], ::strides[1]][:, :oh, :ow]
    flat = windows.reshape(*windows.shape[:4], ph * pw)
    argmax = flat.argmax(axis=-1)
    y = np.take_along_axis(flat, argmax[..., None], axis=-1)[..., 0]
    return y, argmax


def maxpool2d_backward(dy: np.ndarray, argmax: np.ndarray, x_shape: tuple[int, ...],
                       pool_size: tuple[int, int], strides: tuple[int, int], padding: str) -> np.ndarray:
    """dy (n, oh, ow, c), argmax from forward -> dx (n, h, w, c).

    Overlapping windows (stride < pool) may route to the same cell, hence add.at.
    """
    n, oh, ow, c = dy.shape
    (top, bottom), (left, right) = (pad_amounts(x_shape[1], pool_size[0], strides[0], padding),
                                    pad_amounts(x_shape[2], pool_size[1], strides[1], padding))
    dxp = np.zeros((n, x_shape[1] + top + bottom, x_shape[2] + left + right, c), dtype=dy.dtype)
    bi, oi, oj, ci = np.indices(dy.shape, sparse=True)
    rows = oi * strides[0] + argmax // pool_size[1]
    cols = oj * strides[1] + argmax % pool_size[1]
    np.add.at(dxp, (bi, rows, cols, ci), dy)
    return dxp[:, top:top + x_shape[1], left:left + x_shape[2]]


def maxpool1d_forward(x: np.ndarray, pool_size: int, stride: int, padding: str):
    """x (n, length, c) -> y (n, out_len, c), argmax (n, out_len, c) (index in the window)."""
    y, argmax = maxpool2d_forward(x[:, None], (1, pool_size), (1, stride), padding)
    return y[:, 0], argmax[:, 0]


def maxpool1d_backward(dy: np.ndarray, argmax: np.ndarray, x_shape: tuple[int, ...],
                       pool_size: int, stride: int, padding: str) -> np.ndarray:
    """dy (n, out_len, c), argmax from forward -> dx (n, length, c)."""
    n, length, c = x_shape
    dx = maxpool2d_backward(dy[:, None], argmax[:, None], (n, 1, length, c), (1, pool_size),
                            (1, stride), padding)
    return dx[:, 0]


# ---- nearest-neighbour upsampling -------------------------------------------

def upsampling2d_forward(x: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """x (n, h, w, c) -> (n, h·sh, w·sw, c), each cell repeated sh×sw times."""
    return x.repeat(size[0], axis=1).repeat(size[1], axis=2)


def upsampling2d_backward(dy: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """dy (n, h·sh, w·sw, c) -> dx (n, h, w, c): each cell collects its sh×sw copies."""
    n, hh, ww, c = dy.shape
    return dy.reshape(n, hh // size[0], size[0], ww // size[1], size[1], c).sum(axis=(2, 4))


# ---- batch normalization over rows of (m, c) --------------------------------

def batchnorm_moments(x: np.ndarray):
    """x (m, c) -> mean (c,), biased variance (c,) (divided by m, as Keras/TF)."""
    mean = x.mean(axis=0)
    return mean, ((x - mean) ** 2).mean(axis=0)


def batchnorm_forward(x: np.ndarray, gamma: np.ndarray | None, beta: np.ndarray | None,
                      mean: np.ndarray, variance: np.ndarray, epsilon: float):
    """x (m, c) normalised with the given statistics (c,) -> y (m, c), x_hat (m, c), inv_std (c,).

    gamma / beta None mean scale 1 / offset 0 (scale=False / center=False).
    x_hat and inv_std are what backward needs.
    """
    inv_std = 1.0 / np.sqrt(variance + epsilon)
    x_hat = (x - mean) * inv_std
    y = x_hat * gamma if gamma is not None else x_hat.copy()
    if beta is not None:
        y += beta
    return y, x_hat, inv_std


def batchnorm_backward(dy: np.ndarray, x_hat: np.ndarray, gamma: np.ndarray | None,
                       inv_std: np.ndarray, batch_statistics: bool):
    """dy (m, c) -> dx (m, c), dgamma (c,), dbeta (c,).

    With batch statistics the mean and variance depend on x, which adds the
    two centring terms; with moving statistics they are constants.
    """
    dgamma = (dy * x_hat).sum(axis=0)
    dbeta = dy.sum(axis=0)
    scale = inv_std if gamma is None else gamma * inv_std
    if not batch_statistics:
        return dy * scale, dgamma, dbeta
    m = dy.shape[0]
    dx = scale / m * (m * dy - dbeta - x_hat * dgamma)
    return dx, dgamma, dbeta


# ---- embedding lookup -------------------------------------------------------

def embedding_forward(indices: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
    """indices (...) integer in [0, input_dim), embeddings (input_dim, d) -> (..., d)."""
    return embeddings[indices]


def embedding_backward(indices: np.ndarray, dy: np.ndarray, input_dim: int) -> np.ndarray:
    """dy (..., d) -> dembeddings (input_dim, d); a repeated index sums its rows."""
    d = dy.shape[-1]
    grad = np.zeros((input_dim, d), dtype=dy.dtype)
    np.add.at(grad, indices.reshape(-1), dy.reshape(-1, d))
    return grad
