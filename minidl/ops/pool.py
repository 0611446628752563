"""Max and average pooling (channels last, 1-D and 2-D): references, backward and VJPs.

Max pooling records, per output cell, which cell of its window won (flat index
i·pw + j, first maximum on ties); its backward routes the gradient there.
'same' pads with -inf for max pooling (a padded cell never wins, as in TF) and
averages over the cells inside the input for average pooling (as TF).
"""
from __future__ import annotations

import numpy as np

from .convolution import check_layout, out_hw, pad_spatial, spatial_args
from .padding import pad_amounts
from .tape import defop


def pool_args(ndim: int, pool_size, strides):
    """(rank, pool (ph, pw), strides (sh, sw)) with 1-D pools as height-1 2-D ones."""
    rank = ndim - 2
    if rank not in (1, 2):
        raise ValueError(f"pooling: inputs must be (n, w, c) or (n, h, w, c), got rank {ndim}")
    pool = spatial_args(pool_size, rank, "pool_size")
    strides = pool if strides is None else spatial_args(strides, rank, "pool strides")
    return rank, ((1,) + pool if rank == 1 else pool), ((1,) + strides if rank == 1 else strides)


def _windows(xp, pool, strides, oh, ow):
    """(n, oh, ow, c, ph·pw) strided view of every window."""
    w = np.lib.stride_tricks.sliding_window_view(xp, pool, axis=(1, 2))
    w = w[:, ::strides[0], ::strides[1]][:, :oh, :ow]
    return w.reshape(*w.shape[:4], pool[0] * pool[1])


@defop("max_pool_with_argmax")
def max_pool_with_argmax(inputs, pool_size, strides=None, padding="valid"):
    """inputs (n, [h,] w, c) -> y (n, [oh,] ow, c), argmax (same shape): the winner's flat
    index in its window (integers; uint8 on the Numba path when the window has <= 256 cells)."""
    x = np.asarray(inputs)
    rank, pool, st = pool_args(x.ndim, pool_size, strides)
    x4 = x[:, None] if rank == 1 else x
    oh, ow = out_hw(x4.shape, pool, st, padding)
    xp, _ = pad_spatial(x4, pool, st, padding, fill=-np.inf)
    flat = _windows(xp, pool, st, oh, ow)
    argmax = flat.argmax(axis=-1)
    y = np.take_along_axis(flat, argmax[..., None], axis=-1)[..., 0]
    return (y[:, 0], argmax[:, 0]) if rank == 1 else (y, argmax)


@defop("max_pool_backward")
def max_pool_backward(dy, argmax, input_shape, pool_size, strides=None, padding="valid"):
    """dy (n, [oh,] ow, c), argmax from ``max_pool_with_argmax`` -> dx of ``input_shape``.

    Overlapping windows (stride < pool) may route to the same cell: np.add.at sums them."""
    rank, pool, st = pool_args(len(input_shape), pool_size, strides)
    shape4 = (input_shape[0], 1, *input_shape[1:]) if rank == 1 else tuple(input_shape)
    dy4, am4 = (dy[:, None], argmax[:, None]) if rank == 1 else (dy, argmax)
    (top, bottom), (left, right) = (pad_amounts(shape4[1], pool[0], st[0], padding),
                                    pad_amounts(shape4[2], pool[1], st[1], padding))
    n, c = shape4[0], shape4[3]
    dxp = np.zeros((n, shape4[1] + top + bottom, shape4[2] + left + right, c), dtype=dy.dtype)
    bi, oi, oj, ci = np.indices(dy4.shape, sparse=True)
    np.add.at(dxp, (bi, oi * st[0] + am4 // pool[1], oj * st[1] + am4 % pool[1], ci), dy4)
    dx = dxp[:, top:top + shape4[1], left:left + shape4[2]]
    return dx[:, 0] if rank == 1 else dx


def _vjp_max_pool(g, y, inputs, pool_size, strides=None, padding="valid", data_format=None):
    _, argmax = max_pool_with_argmax(inputs, pool_size, strides, padding)
    return (max_pool_backward(g, argmax, np.shape(inputs), pool_size, strides, padding),)


@defop("max_pool", _vjp_max_pool)
def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Keras's ``ops.max_pool``: inputs (n, [h,] w, c) -> (n, [oh,] ow, c)."""
    check_layout(data_format, op="max_pool")
    return max_pool_with_argmax(inputs, pool_size, strides, padding)[0]


def _counts(shape4, pool, st, padding, oh, ow):
    """Cells of each window inside the input, (1, oh, ow, 1)."""
    ones = np.ones((1, shape4[1], shape4[2], 1))
    onesp, _ = pad_spatial(ones, pool, st, padding)
    return _windows(onesp, pool, st, oh, ow).sum(axis=-1)


def _vjp_average_pool(g, y, inputs, pool_size, strides=None, padding="valid", data_format=None):
    x = np.asarray(inputs)
    rank, pool, st = pool_args(x.ndim, pool_size, strides)
    x4, g4 = (x[:, None], g[:, None]) if rank == 1 else (x, g)
    oh, ow = g4.shape[1:3]
    share = g4 / _counts(x4.shape, pool, st, padding, oh, ow)
    xp, (top, left) = pad_spatial(x4, pool, st, padding)
    dxp = np.zeros(xp.shape, dtype=g.dtype)
    for i in range(pool[0]):
        for j in range(pool[1]):
            dxp[:, i:i + st[0] * (oh - 1) + 1:st[0], j:j + st[1] * (ow - 1) + 1:st[1]] += share
    dx = dxp[:, top:top + x4.shape[1], left:left + x4.shape[2]]
    return (dx[:, 0] if rank == 1 else dx),


@defop("average_pool", _vjp_average_pool)
def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    """Keras's ``ops.average_pool``: inputs (n, [h,] w, c) -> (n, [oh,] ow, c); 'same'
    windows average only the cells inside the input (TF's rule)."""
    check_layout(data_format, op="average_pool")
    x = np.asarray(inputs)
    rank, pool, st = pool_args(x.ndim, pool_size, strides)
    x4 = x[:, None] if rank == 1 else x
    oh, ow = out_hw(x4.shape, pool, st, padding)
    xp, _ = pad_spatial(x4, pool, st, padding)
    y = _windows(xp, pool, st, oh, ow).sum(axis=-1) / _counts(x4.shape, pool, st, padding, oh, ow)
    y = y.astype(x.dtype, copy=False)
    return y[:, 0] if rank == 1 else y
