"""GEMM inside Numba kernels: ``gemm(fn, ...)`` calls the CBLAS function ``fn`` that
``minidl.ops.numba.blas.gemm_function`` found (NumPy's own, passed in as an argument so
that the compiled kernels stay cacheable: the function's address differs per process)."""
from __future__ import annotations

from ._jit import kernel

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112


@kernel(inline="always")
def gemm(fn, one, a, trans_a, b, trans_b, beta, c):
    """c (m, n) = op(a) @ op(b) + beta·c, op(v) = vᵀ when trans_v. a, b, c are row-major
    with contiguous rows of shape[1] values (whole arrays or row ranges of them)."""
    m, n = c.shape
    k = a.shape[0] if trans_a else a.shape[1]
    fn(ROW_MAJOR, TRANS if trans_a else NO_TRANS, TRANS if trans_b else NO_TRANS, m, n, k, one,
       a.ctypes.data, a.shape[1], b.ctypes.data, b.shape[1], beta, c.ctypes.data, c.shape[1])
