"""Compute kernels behind the layers.

``reference`` is the plain-NumPy oracle; the other modules expose the same
functions and pick the Numba version (in ``nb``, imported on first use) or
the reference according to ``minidl.config.backend()`` at call time.
"""
from ._memory import keep_freed_memory

keep_freed_memory()
