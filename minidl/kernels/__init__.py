"""Compute kernels behind the layers.

``reference`` is the plain-NumPy oracle; the other modules expose the same
functions and pick the Numba version or the reference according to
``minidl.config.backend()`` at call time.
"""
