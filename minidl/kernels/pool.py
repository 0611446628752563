"""Max-pooling kernels (channels last); backend switch point.

Forward returns the output and ``argmax``, the winning cell's flat index
inside its window, which is all backward needs. The Numba path computes both
in one pass (padding by bounds checks, no padded copy) and routes the
gradient back image by image, in ``np.add.at``'s order.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from . import reference
from ._dispatch import nb, use_numba
from ._threads import GRAIN, run, split
from .padding import pad_amounts


def _tiles(pool_size: tuple[int, int], strides: tuple[int, int], top: int, left: int,
           out_hw: tuple[int, int], in_hw: tuple[int, int]) -> bool:
    """Windows side by side from the corner, all inside the input (stride = pool
    size, no padding): each input cell is in at most one window."""
    return (tuple(strides) == tuple(pool_size) and top == 0 and left == 0
            and out_hw[0] * pool_size[0] <= in_hw[0] and out_hw[1] * pool_size[1] <= in_hw[1])


def maxpool2d_forward(x: np.ndarray, pool_size: tuple[int, int], strides: tuple[int, int],
                      padding: str) -> tuple[np.ndarray, np.ndarray]:
    """x (n, h, w, c) -> y (n, oh, ow, c), argmax (n, oh, ow, c) in [0, ph·pw)
    (uint8 when ph·pw <= 256, else intp)."""
    if not use_numba(x) or x.ndim != 4:
        return reference.maxpool2d_forward(x, pool_size, strides, padding)
    x = np.ascontiguousarray(x)
    (ph, pw), (sh, sw) = pool_size, strides
    oh, ow = reference._conv_out_hw(x.shape, pool_size, strides, padding)
    top = pad_amounts(x.shape[1], ph, sh, padding)[0]
    left = pad_amounts(x.shape[2], pw, sw, padding)[0]
    n, c = x.shape[0], x.shape[3]
    y = np.empty((n, oh, ow, c), dtype=x.dtype)
    # one byte per index where the window allows it: an eighth of the memory traffic
    argmax = np.empty((n, oh, ow, c), dtype=np.uint8 if ph * pw <= 256 else np.intp)
    ninf = x.dtype.type(-np.inf)
    k = nb("pool")
    # blocks of output rows (image·oh + p), each reading about GRAIN input cells
    blocks = split(n * oh, GRAIN // max(x.shape[2] * c * ph, 1))
    run([partial(k.maxpool_rows, x, ph, pw, sh, sw, top, left, oh, ow, ninf, y, argmax, lo, hi)
         for lo, hi in blocks])
    return y, argmax


def maxpool2d_backward(dy: np.ndarray, argmax: np.ndarray, x_shape: tuple[int, ...],
                       pool_size: tuple[int, int], strides: tuple[int, int], padding: str) -> np.ndarray:
    """dy (n, oh, ow, c) -> dx of shape x_shape (n, h, w, c)."""
    if not use_numba(dy) or dy.ndim != 4 or argmax.shape != dy.shape or argmax.dtype.kind not in "iu":
        return reference.maxpool2d_backward(dy, argmax, x_shape, pool_size, strides, padding)
    dy = np.ascontiguousarray(dy)
    argmax = np.ascontiguousarray(argmax)
    if argmax.dtype not in (np.uint8, np.intp):
        argmax = argmax.astype(np.intp)
    (ph, pw), (sh, sw) = pool_size, strides
    top = pad_amounts(x_shape[1], ph, sh, padding)[0]
    left = pad_amounts(x_shape[2], pw, sw, padding)[0]
    dx = np.empty(tuple(x_shape), dtype=dy.dtype)
    k = nb("pool")
    # blocks of whole images: overlapping windows never cross an image
    blocks = split(x_shape[0], GRAIN // max(dx[0].size, 1))
    if _tiles(pool_size, strides, top, left, dy.shape[1:3], tuple(x_shape[1:3])):
        run([partial(k.maxpool_tiles_grad_images, dy, argmax, ph, pw, dx, lo, hi) for lo, hi in blocks])
    else:
        run([partial(k.maxpool_grad_images, dy, argmax, pw, sh, sw, top, left, dx, lo, hi) for lo, hi in blocks])
    return dx


def maxpool1d_forward(x: np.ndarray, pool_size: int, stride: int,
                      padding: str) -> tuple[np.ndarray, np.ndarray]:
    """x (n, length, c) -> y (n, out_len, c), argmax (n, out_len, c) in [0, pool_size)."""
    if not use_numba(x) or x.ndim != 3:
        return reference.maxpool1d_forward(x, pool_size, stride, padding)
    y, argmax = maxpool2d_forward(x[:, None], (1, pool_size), (1, stride), padding)
    return y[:, 0], argmax[:, 0]


def maxpool1d_backward(dy: np.ndarray, argmax: np.ndarray, x_shape: tuple[int, ...],
                       pool_size: int, stride: int, padding: str) -> np.ndarray:
    """dy (n, out_len, c) -> dx of shape x_shape (n, length, c)."""
    if not use_numba(dy) or dy.ndim != 3:
        return reference.maxpool1d_backward(dy, argmax, x_shape, pool_size, stride, padding)
    n, length, c = x_shape
    dx = maxpool2d_backward(dy[:, None], argmax[:, None], (n, 1, length, c), (1, pool_size),
                            (1, stride), padding)
    return dx[:, 0]
