"""The one Numba decorator every kernel uses."""
from __future__ import annotations

import numba


def kernel():
    """``njit`` with the project's settings: cached, IEEE math, no GIL (the kernel
    pool in ``minidl.ops.numba.threads`` runs several at once), NumPy's error model
    (1/0 gives inf rather than raising)."""
    return numba.njit(cache=True, fastmath=False, nogil=True, error_model="numpy")


# The first kernel module imported is the first Numba kernel about to run: the one
# moment the opt-in allocator tuning may be applied (never at ``import minidl``).
from ..memory import keep_freed_memory  # noqa: E402

keep_freed_memory()
