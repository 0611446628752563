"""One matrix product as fixed blocks of single-threaded BLAS calls.

``c = op(a) @ op(b)``, cut along the rows of ``c`` (``split_rows``) or its columns at
``bounds``; every block is one CBLAS ``?gemm`` call (``fn``, from
``minidl.ops.numba.blas.gemm_function``) writing its own part of ``c`` with the full
inner products, so the result depends on the blocks, never on the threads that run them.
Operands are described BLAS's way: a row-major buffer, its leading dimension (elements
between rows) and whether it is transposed; the blocks are pointer offsets into them.

Two drivers run the same ``_block`` calls: ``gemm_blocks``, a ``prange`` loop on Numba's
threading layer, and ``gemm_block_range``, blocks i0:i1 on the calling thread (the kernel
pool's tasks, and processes that may not start OpenMP threads), so both give the same bits.
"""
from __future__ import annotations

import numpy as np
from numba import prange

from ._jit import kernel
from .blas import NO_TRANS, ROW_MAJOR, TRANS


@kernel(inline="always")
def _block(fn, one, zero, a, lda, trans_a, b, ldb, trans_b, c, ldc, k, lo, hi, split_rows):
    """Rows (or columns) lo:hi of c."""
    m, n = c.shape
    size = c.itemsize
    ta = TRANS if trans_a else NO_TRANS
    tb = TRANS if trans_b else NO_TRANS
    if split_rows:  # rows lo:hi of op(a): rows of a, or columns of aᵀ's buffer
        a_at = lo if trans_a else lo * lda
        fn(ROW_MAJOR, ta, tb, hi - lo, n, k, one, a.ctypes.data + np.uintp(a_at * size), lda,
           b.ctypes.data, ldb, zero, c.ctypes.data + np.uintp(lo * ldc * size), ldc)
    else:  # columns lo:hi of op(b)
        b_at = lo * ldb if trans_b else lo
        fn(ROW_MAJOR, ta, tb, m, hi - lo, k, one, a.ctypes.data, lda,
           b.ctypes.data + np.uintp(b_at * size), ldb, zero, c.ctypes.data + np.uintp(lo * size), ldc)


@kernel(parallel=True)
def gemm_blocks(fn, one, zero, a, lda, trans_a, b, ldb, trans_b, c, ldc, k, bounds, split_rows):
    """c (m, n) = op(a) (m, k) @ op(b) (k, n), block i covering rows (or columns)
    bounds[i]:bounds[i + 1] of c, the blocks on Numba's threads."""
    for i in prange(len(bounds) - 1):
        _block(fn, one, zero, a, lda, trans_a, b, ldb, trans_b, c, ldc, k, bounds[i], bounds[i + 1], split_rows)


@kernel()
def gemm_block_range(fn, one, zero, a, lda, trans_a, b, ldb, trans_b, c, ldc, k, bounds, split_rows, i0, i1):
    """Blocks i0:i1 of ``gemm_blocks``'s product, one after the other on this thread."""
    for i in range(i0, i1):
        _block(fn, one, zero, a, lda, trans_a, b, ldb, trans_b, c, ldc, k, bounds[i], bounds[i + 1], split_rows)
