"""Numba implementations of the kernels; the drivers one level up call them.

Every function is compiled with ``cache=True`` (machine code is kept in
``__pycache__`` and loaded in milliseconds next time) and ``fastmath=False``
(IEEE semantics, so results stay comparable with the NumPy reference).

Each kernel works on a range of its outer loop (rows, images or vocabulary
entries) given as two arguments (the last two, or ``b0, b1`` in ``conv_chunk``),
and owns every output element of that range: the drivers run ranges in parallel on the kernel pool
(``minidl.ops.numba.threads``), which is why these are serial ``nogil`` functions and
not ``prange`` loops (see that module for the measurements); ``gemm_blocks``, the
large dense products (unless ``config.openmp_gemm()`` is off), is the one ``prange`` loop. The conv chunks call BLAS from
inside (``blas.gemm``), so a chunk never returns to Python mid-way.
"""
