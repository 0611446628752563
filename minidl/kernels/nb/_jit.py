"""The one Numba decorator every kernel uses."""
from __future__ import annotations

import numba


def kernel():
    """``njit`` with the project's settings: cached, IEEE math, no GIL (the kernel
    pool in ``kernels._threads`` runs several at once), NumPy's error model
    (1/0 gives inf rather than raising)."""
    return numba.njit(cache=True, fastmath=False, nogil=True, error_model="numpy")
