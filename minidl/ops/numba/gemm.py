"""Matrix products for the Numba backend: single-threaded BLAS on blocks run by the kernel pool.

The larger of the two output dimensions is cut into blocks (of at least
``tuning.MIN_SIDE`` rows or columns, about ``tuning.GRAIN_MACS`` multiply-adds
each); each block is one BLAS call writing its own slice of the output, every
element with the full inner product, so the result does not depend on the
thread count. Tiny products (XOR's 1×2 layers) go straight to NumPy; so do
operands that are not 2-D (batched matmul stays NumPy's).
"""
from __future__ import annotations

from functools import partial

import numpy as np

from . import tuning
from .threads import run, split


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """a (m, k) @ b (k, n) -> out (m, n); a and b may be transposed views."""
    if a.ndim != 2 or b.ndim != 2:
        return np.matmul(a, b)
    m, k = a.shape
    n = b.shape[1]
    if k != b.shape[0]:
        return np.matmul(a, b)  # NumPy's own shape error
    if out is None:
        out = np.empty((m, n), dtype=np.result_type(a, b))
    if m * k * n < tuning.TINY_MACS:
        return np.matmul(a, b, out=out)
    if m >= n:
        blocks = split(m, max(tuning.MIN_SIDE, tuning.GRAIN_MACS // max(k * n, 1)), most=16)
        tasks = [partial(np.matmul, a[lo:hi], b, out=out[lo:hi]) for lo, hi in blocks]
    else:
        blocks = split(n, max(tuning.MIN_SIDE, tuning.GRAIN_MACS // max(m * k, 1)), most=16)
        tasks = [partial(np.matmul, a, b[:, lo:hi], out=out[:, lo:hi]) for lo, hi in blocks]
    run(tasks)
    return out
