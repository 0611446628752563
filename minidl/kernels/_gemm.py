"""Matrix products for the Numba backend: single-threaded BLAS on blocks run by the kernel pool.

The larger of the two output dimensions is cut into blocks (of at least
``MIN_SIDE`` rows or columns, about ``GRAIN_MACS`` multiply-adds each); each
block is one BLAS call writing its own slice of the output, every element
with the full inner product, so the result does not depend on the thread
count. Tiny products (XOR's 1×2 layers) go straight to NumPy.
"""
from __future__ import annotations

from functools import partial

import numpy as np

from ._threads import run, split

#: multiply-adds per block: ~0.05 ms of single-threaded SGEMM
GRAIN_MACS = 1 << 22
#: narrower blocks lose too much BLAS efficiency: each block re-packs the other
#: operand (128×3072 @ 3072×100 in four 32-row blocks: +35 % CPU time; two: +10 %)
MIN_SIDE = 64
#: below this, a plain call (no blocks, no BLAS thread pinning)
TINY_MACS = 1 << 16


def matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """a (m, k) @ b (k, n) -> out (m, n); a and b may be transposed views."""
    m, k = a.shape
    n = b.shape[1]
    if out is None:
        out = np.empty((m, n), dtype=np.result_type(a, b))
    if m * k * n < TINY_MACS:
        return np.matmul(a, b, out=out)
    if m >= n:
        blocks = split(m, max(MIN_SIDE, GRAIN_MACS // max(k * n, 1)), most=16)
        tasks = [partial(np.matmul, a[lo:hi], b, out=out[lo:hi]) for lo, hi in blocks]
    else:
        blocks = split(n, max(MIN_SIDE, GRAIN_MACS // max(m * k, 1)), most=16)
        tasks = [partial(np.matmul, a, b[:, lo:hi], out=out[:, lo:hi]) for lo, hi in blocks]
    run(tasks)
    return out
