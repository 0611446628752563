"""Numba-backend max pooling (channels last, 1-D as height-1 2-D) with the winner's index.

Forward computes the output and ``argmax`` in one pass (padding by bounds
checks, no padded copy); backward routes the gradient back image by image, in
``np.add.at``'s order, so results equal the reference's bits.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import pool as ref
from .. import registry
from ..convolution import out_hw
from ..padding import pad_amounts
from . import tuning
from .jit import pool as jk
from .threads import run, split


def _tiles(pool_size, strides, top: int, left: int, out_hw_: tuple[int, int], in_hw: tuple[int, int]) -> bool:
    """Windows side by side from the corner, all inside the input (stride = pool
    size, no padding): each input cell is in at most one window."""
    return (tuple(strides) == tuple(pool_size) and top == 0 and left == 0
            and out_hw_[0] * pool_size[0] <= in_hw[0] and out_hw_[1] * pool_size[1] <= in_hw[1])


def _forward2d(x: np.ndarray, pool, strides, padding: str):
    x = np.ascontiguousarray(x)
    (ph, pw), (sh, sw) = pool, strides
    oh, ow = out_hw(x.shape, pool, strides, padding)
    top = pad_amounts(x.shape[1], ph, sh, padding)[0]
    left = pad_amounts(x.shape[2], pw, sw, padding)[0]
    n, c = x.shape[0], x.shape[3]
    y = np.empty((n, oh, ow, c), dtype=x.dtype)
    # one byte per index where the window allows it: an eighth of the memory traffic
    argmax = np.empty((n, oh, ow, c), dtype=np.uint8 if ph * pw <= 256 else np.intp)
    ninf = x.dtype.type(-np.inf)
    # blocks of output rows (image·oh + p), each reading about GRAIN input cells
    blocks = split(n * oh, tuning.GRAIN // max(x.shape[2] * c * ph, 1))
    run([partial(jk.maxpool_rows, x, ph, pw, sh, sw, top, left, oh, ow, ninf, y, argmax, lo, hi)
         for lo, hi in blocks])
    return y, argmax


def _backward2d(dy, argmax, x_shape, pool, strides, padding: str):
    dy = np.ascontiguousarray(dy)
    argmax = np.ascontiguousarray(argmax)
    if argmax.dtype not in (np.uint8, np.intp):
        argmax = argmax.astype(np.intp)
    (ph, pw), (sh, sw) = pool, strides
    top = pad_amounts(x_shape[1], ph, sh, padding)[0]
    left = pad_amounts(x_shape[2], pw, sw, padding)[0]
    dx = np.empty(tuple(x_shape), dtype=dy.dtype)
    # blocks of whole images: overlapping windows never cross an image
    blocks = split(x_shape[0], tuning.GRAIN // max(dx[0].size, 1))
    if _tiles(pool, strides, top, left, dy.shape[1:3], tuple(x_shape[1:3])):
        run([partial(jk.maxpool_tiles_grad_images, dy, argmax, ph, pw, dx, lo, hi) for lo, hi in blocks])
    else:
        run([partial(jk.maxpool_grad_images, dy, argmax, ph, pw, sh, sw, top, left, dx, lo, hi)
             for lo, hi in blocks])
    return dx


@registry.register("max_pool_with_argmax", "numba")
def max_pool_with_argmax(inputs, pool_size, strides=None, padding="valid"):
    """See :func:`minidl.ops.pool.max_pool_with_argmax`."""
    rank, pool, st = ref.pool_args(inputs.ndim, pool_size, strides)
    if rank == 1:
        y, argmax = _forward2d(inputs[:, None], pool, st, padding)
        return y[:, 0], argmax[:, 0]
    return _forward2d(inputs, pool, st, padding)


@registry.register("max_pool_backward", "numba")
def max_pool_backward(dy, argmax, input_shape, pool_size, strides=None, padding="valid"):
    """See :func:`minidl.ops.pool.max_pool_backward`."""
    rank, pool, st = ref.pool_args(len(input_shape), pool_size, strides)
    if (dy.ndim != len(input_shape) or np.shape(argmax) != dy.shape
            or np.asarray(argmax).dtype.kind not in "iu"):
        return ref.max_pool_backward.reference(dy, argmax, input_shape, pool_size, strides, padding)
    if rank == 1:
        n, length, c = input_shape
        return _backward2d(dy[:, None], argmax[:, None], (n, 1, length, c), pool, st, padding)[:, 0]
    return _backward2d(dy, argmax, tuple(input_shape), pool, st, padding)
