"""The one Numba decorator every kernel uses, and the serial/parallel split."""
from __future__ import annotations

import os

# OpenMP worker threads spin after each parallel region by default; on a small
# machine they then starve OpenBLAS's threads, which run next (an MNIST-conv
# step went from ~1 ms to ~7 ms per elementwise kernel under load). Passive
# waiting costs a futex wake-up per launch instead. Must be set before
# libgomp loads (at the first parallel launch); a user's own setting wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numba  # noqa: E402  (after the environment above)

#: below this many output elements a kernel runs serially (a parallel launch
#: costs more than the work; measured in benchmarks/test_kernels.py)
PARALLEL_MIN = 1 << 15

#: blocks a parallel kernel splits its outer loop into; fixed so that the
#: partition (and any blocked reduction) never depends on the thread count
BLOCKS = 16


def kernel(parallel: bool = False):
    """``njit`` with the project's settings: cached, IEEE math, no GIL,
    NumPy's error model (1/0 gives inf rather than raising)."""
    return numba.njit(cache=True, fastmath=False, nogil=True, parallel=parallel,
                      error_model="numpy")


def blocks(total: int) -> int:
    """Number of blocks for a parallel loop over ``total`` items."""
    return max(1, min(BLOCKS, total))


def parallel_worth_it(work: int) -> bool:
    """Whether ``work`` output elements justify a parallel launch.

    Decided by size alone, never by the thread count, so that a blocked
    reduction gives the same bits with one thread as with many.
    """
    return work >= PARALLEL_MIN
