"""Numba implementations of the kernels; the dispatch modules one level up pick them.

Every function is compiled with ``cache=True`` (machine code is kept in
``__pycache__`` and loaded in milliseconds next time) and ``fastmath=False``
(IEEE semantics, so results stay comparable with the NumPy reference).

Parallel kernels split their outer loop into blocks whose boundaries do not
depend on the thread count, and every output element (or every partial sum of
a reduction) is owned by one block and summed in a fixed order, so results are
the same bits run to run. Small inputs run the serial version: on this
machine a ``prange`` launch costs tens of microseconds, more than the work.
"""
