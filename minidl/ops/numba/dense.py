"""Numba-backend ``matmul``: 2-D float products as blocks of single-threaded BLAS (``gemm``)."""
from __future__ import annotations

import numpy as np

from .. import registry
from .gemm import matmul as _blocked


@registry.register("matmul", "numba")
def matmul(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    """x1 (m, k) @ x2 (k, n) -> a fresh (m, n) array; other ranks are NumPy's matmul."""
    if not (isinstance(x1, np.ndarray) and isinstance(x2, np.ndarray)):
        return np.matmul(x1, x2)
    return _blocked(x1, x2)
