"""TRANSITIONAL shim for benchmarks/epochs.py: moved to minidl.ops.numba.threads."""
from ..ops.numba.threads import run, single_threaded_blas, split  # noqa: F401
