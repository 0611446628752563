"""Numba-backend nearest-neighbour 2-D upsampling and its gradient, in row blocks.

The reference's ``repeat`` twice and ``reshape(...).sum(axis=(2, 4))`` make two
passes and a temporary each; these are one pass over rows, on the kernel pool,
with the same bits (the gradient adds each cell's copies in NumPy's order; NumPy
may sum 8 or more values pairwise, and with one channel it takes another order, so
blocks of 8 copies or more and one-channel gradients stay with the reference). The
outputs come from ``memory.empty``: a fresh 12.8 MB array each step (ej07's second
upsampling) cost ~3 ms in page faults.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from .. import nn, registry
from . import memory, tuning
from .jit import upsampling as jk
from .threads import run, split


def _usable(a: np.ndarray, size) -> bool:
    return (a.ndim == 4 and a.dtype in registry.NUMBA_DTYPES and a.size >= tuning.SMALL
            and len(size) == 2 and all(isinstance(s, (int, np.integer)) and s >= 1 for s in size))


def _blocks(rows: int, values_per_row: int) -> list[tuple[int, int]]:
    return split(rows, tuning.GRAIN // max(values_per_row, 1))


@registry.register("upsampling2d", "numba")
def upsampling2d(x, size):
    """See :func:`minidl.ops.nn.upsampling2d`."""
    if not _usable(x, size):
        return nn.upsampling2d.reference(x, size)
    sh, sw = int(size[0]), int(size[1])
    x = np.ascontiguousarray(x)
    n, h, w, c = x.shape
    y = memory.empty((n, h * sh, w * sw, c), x.dtype)
    run([partial(jk.upsample_rows, x, sh, sw, y, lo, hi) for lo, hi in _blocks(n * h, w * c * sh * sw)])
    return y


@registry.register("upsampling2d_backward", "numba")
def upsampling2d_backward(dy, size):
    """See :func:`minidl.ops.nn.upsampling2d_backward`."""
    if not _usable(dy, size) or dy.shape[1] % size[0] or dy.shape[2] % size[1] \
            or size[0] * size[1] >= 8 or dy.shape[3] == 1:
        return nn.upsampling2d_backward.reference(dy, size)
    sh, sw = int(size[0]), int(size[1])
    dy = np.ascontiguousarray(dy)
    n, hh, ww, c = dy.shape
    dx = memory.empty((n, hh // sh, ww // sw, c), dy.dtype)
    run([partial(jk.upsample_grad_rows, dy, sh, sw, dx, lo, hi) for lo, hi in _blocks(n * (hh // sh), ww * c)])
    return dx
