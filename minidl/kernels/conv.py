"""Convolution kernels (NHWC, channels last); backend switch point.

Numba path: im2col (a parallel gather into a (n·oh·ow, kh·kw·cin) matrix,
padding by bounds checks) and one BLAS GEMM per product:
forward ``cols @ W``, weight gradient ``colsᵀ @ dz``, data gradient
``col2im(dz @ Wᵀ)`` (a scatter-add owned image by image, so deterministic).
Conv1D is the same code on a height-1 image.
"""
from __future__ import annotations

import numpy as np

from . import activation, reference
from ._dispatch import blocks, nb, parallel, use_numba
from .padding import pad_amounts


def _geometry(x_shape, kshape, strides, padding):
    """(oh, ow, top, left) of a convolution; raises when the window does not fit."""
    oh, ow = reference._conv_out_hw(x_shape, kshape, strides, padding)
    top = pad_amounts(x_shape[1], kshape[0], strides[0], padding)[0]
    left = pad_amounts(x_shape[2], kshape[1], strides[1], padding)[0]
    return oh, ow, top, left


def im2col(x: np.ndarray, kshape: tuple[int, int], strides: tuple[int, int],
           padding: str) -> np.ndarray:
    """x (n, h, w, cin) -> cols (n·oh·ow, kh·kw·cin), columns in (i, j, ci) order."""
    x = np.ascontiguousarray(x)
    (kh, kw), (sh, sw) = kshape, strides
    oh, ow, top, left = _geometry(x.shape, kshape, strides, padding)
    cols = np.empty((x.shape[0] * oh * ow, kh * kw * x.shape[3]), dtype=x.dtype)
    k = nb("conv")
    if parallel(cols.size):
        k.im2col_par(x, kh, kw, sh, sw, top, left, oh, ow, cols, blocks(x.shape[0] * oh))
    else:
        k.im2col_rows(x, kh, kw, sh, sw, top, left, oh, ow, cols, 0, x.shape[0] * oh)
    return cols


def col2im(dcols: np.ndarray, x_shape: tuple[int, ...], kshape: tuple[int, int],
           strides: tuple[int, int], padding: str) -> np.ndarray:
    """dcols (n·oh·ow, kh·kw·cin) -> dx (n, h, w, cin), each cell summing its taps."""
    (kh, kw), (sh, sw) = kshape, strides
    oh, ow, top, left = _geometry(x_shape, kshape, strides, padding)
    dx = np.empty(x_shape, dtype=dcols.dtype)
    k = nb("conv")
    if parallel(dcols.size) and x_shape[0] > 1:
        k.col2im_par(dcols, kh, kw, sh, sw, top, left, oh, ow, dx, blocks(x_shape[0]))
    else:
        k.col2im_images(dcols, kh, kw, sh, sw, top, left, oh, ow, dx, 0, x_shape[0])
    return dx


def conv2d_forward(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None,
                   strides: tuple[int, int], padding: str) -> np.ndarray:
    """x (n, h, w, cin), kernel (kh, kw, cin, cout), bias (cout,) or None -> (n, oh, ow, cout)."""
    if not use_numba(x, kernel, bias):
        return reference.conv2d_forward(x, kernel, bias, strides, padding)
    kh, kw, cin, cout = kernel.shape
    if x.ndim != 4 or x.shape[3] != cin:
        raise ValueError(f"conv2d: input {x.shape} does not match kernel {kernel.shape} "
                         "(expected (n, h, w, cin))")
    oh, ow, _, _ = _geometry(x.shape, (kh, kw), strides, padding)
    cols = im2col(x, (kh, kw), strides, padding)
    z = (cols @ kernel.reshape(kh * kw * cin, cout)).reshape(x.shape[0], oh, ow, cout)
    if bias is not None:
        z += bias
    return z


def conv2d_backward(x: np.ndarray, kernel: np.ndarray, dz: np.ndarray,
                    strides: tuple[int, int], padding: str, use_bias: bool, need_dx: bool = True):
    """dz (n, oh, ow, cout) -> dx (n, h, w, cin) (None when not ``need_dx``),
    dkernel (kh, kw, cin, cout), dbias (cout,) or None."""
    if not use_numba(x, kernel, dz):
        dx, dkernel, dbias = reference.conv2d_backward(x, kernel, dz, strides, padding, use_bias)
        return (dx if need_dx else None), dkernel, dbias
    kh, kw, cin, cout = kernel.shape
    dz2 = np.ascontiguousarray(dz).reshape(-1, cout)
    cols = im2col(x, (kh, kw), strides, padding)
    dkernel = (cols.T @ dz2).reshape(kernel.shape)
    del cols
    dbias = activation.bias_grad(dz2) if use_bias else None
    dx = None
    if need_dx:
        dx = col2im(dz2 @ kernel.reshape(kh * kw * cin, cout).T, x.shape, (kh, kw), strides, padding)
    return dx, dkernel, dbias


def conv1d_forward(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray | None,
                   stride: int, padding: str) -> np.ndarray:
    """x (n, length, cin), kernel (k, cin, cout), bias (cout,) or None -> (n, out_len, cout)."""
    if not use_numba(x, kernel, bias):
        return reference.conv1d_forward(x, kernel, bias, stride, padding)
    return conv2d_forward(x[:, None], kernel[None], bias, (1, stride), padding)[:, 0]


def conv1d_backward(x: np.ndarray, kernel: np.ndarray, dz: np.ndarray,
                    stride: int, padding: str, use_bias: bool, need_dx: bool = True):
    """dz (n, out_len, cout) -> dx (n, length, cin) (None when not ``need_dx``),
    dkernel (k, cin, cout), dbias (cout,) or None."""
    if not use_numba(x, kernel, dz):
        dx, dkernel, dbias = reference.conv1d_backward(x, kernel, dz, stride, padding, use_bias)
        return (dx if need_dx else None), dkernel, dbias
    dx, dkernel, dbias = conv2d_backward(x[:, None], kernel[None], dz[:, None], (1, stride),
                                         padding, use_bias, need_dx)
    return (None if dx is None else dx[:, 0]), dkernel[0], dbias
