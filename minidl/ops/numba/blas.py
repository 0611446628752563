"""The OpenBLAS that NumPy loaded, reached through ctypes: its thread-count setters
(for ``threads``) and its CBLAS GEMM, which Numba kernels call directly (``jit.blas``).

Why call BLAS from Numba: a convolution chunk is im2col → GEMM → epilogue. With
the GEMM a NumPy call between two Numba calls, each chunk crosses the GIL four or
five times, and on a small VM every hand-over between the two kernel threads
costs a futex wake-up (~45 µs): MNIST conv1's forward ran 1.45× faster on two
threads than on one. As one nogil Numba call per chunk it runs 1.96× faster.

The GEMM is the very function ``np.matmul`` calls for 2-D float arrays, so a
product gives NumPy's bits. Where NumPy uses another BLAS (MKL, Accelerate) none
is found; the kernels that need it then defer to the NumPy reference.
"""
from __future__ import annotations

import ctypes
import functools
from pathlib import Path
from typing import Callable

import numpy as np

#: CBLAS enums
ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112

#: (single, double) GEMM symbol names and their integer type: NumPy ≥ 2 wheels ship
#: scipy-openblas (64-bit ints, suffix 64_; the 32-bit build without it), NumPy 1.26 openblas64_
_GEMM_NAMES = [("scipy_cblas_sgemm64_", "scipy_cblas_dgemm64_", ctypes.c_int64),
               ("cblas_sgemm64_", "cblas_dgemm64_", ctypes.c_int64),
               ("scipy_cblas_sgemm", "scipy_cblas_dgemm", ctypes.c_int),
               ("cblas_sgemm", "cblas_dgemm", ctypes.c_int)]
_THREAD_NAMES = [("scipy_openblas_get_num_threads64_", "scipy_openblas_set_num_threads64_"),
                 ("openblas_get_num_threads64_", "openblas_set_num_threads64_"),
                 ("openblas_get_num_threads", "openblas_set_num_threads")]


def openblas_paths() -> list[str]:
    """Files of the OpenBLAS NumPy uses: those this process has mapped (Linux), else the
    ones NumPy's wheels ship beside it (numpy.libs, numpy/.dylibs)."""
    try:
        with open("/proc/self/maps") as maps:
            mapped = {line.split()[-1] for line in maps if "openblas" in line.lower() and ".so" in line}
    except OSError:
        mapped = set()
    if mapped:
        return sorted(mapped)
    here = Path(np.__file__).parent
    shipped = [*here.parent.glob("numpy.libs/*openblas*"), *here.glob(".dylibs/*openblas*"),
               *here.glob(".libs/*openblas*")]
    return sorted(str(p) for p in shipped)


@functools.cache
def openblas_libraries() -> tuple[ctypes.CDLL, ...]:
    """The OpenBLAS shared libraries NumPy uses, opened with ctypes (the same loaded images);
    looked up once, for the thread setters and the GEMMs alike."""
    libraries = []
    for path in openblas_paths():
        try:
            libraries.append(ctypes.CDLL(path))
        except OSError:
            continue
    return tuple(libraries)


def thread_setters() -> tuple[Callable[[], int], Callable[[int], None]] | None:
    """(get, set) for the thread count of the OpenBLAS NumPy loaded, or None."""
    for lib in openblas_libraries():
        for get_name, set_name in _THREAD_NAMES:
            get, set_ = getattr(lib, get_name, None), getattr(lib, set_name, None)
            if get is not None and set_ is not None:
                get.restype, set_.argtypes = ctypes.c_int, [ctypes.c_int]
                return get, set_
    return None


def _declare(fn, real, integer):
    fn.argtypes = [ctypes.c_int] * 3 + [integer] * 3 + [real, ctypes.c_void_p, integer, ctypes.c_void_p,
                                                         integer, real, ctypes.c_void_p, integer]
    fn.restype = None
    return fn


def _agrees_with_numpy(fn, dtype: np.dtype) -> bool:
    """A small product through ``fn`` gives np.matmul's bits (so the ints are the right width)."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((5, 3)).astype(dtype), rng.standard_normal((3, 4)).astype(dtype)
    c = np.empty((5, 4), dtype)
    fn(ROW_MAJOR, NO_TRANS, NO_TRANS, 5, 4, 3, 1.0, a.ctypes.data, 3, b.ctypes.data, 4, 0.0, c.ctypes.data, 4)
    return bool(np.array_equal(c, np.matmul(a, b)))


def _find_gemms() -> dict[np.dtype, object]:
    for lib in openblas_libraries():
        for single, double, integer in _GEMM_NAMES:
            sgemm, dgemm = getattr(lib, single, None), getattr(lib, double, None)
            if sgemm is None or dgemm is None:
                continue
            found = {np.dtype(np.float32): _declare(sgemm, ctypes.c_float, integer),
                     np.dtype(np.float64): _declare(dgemm, ctypes.c_double, integer)}
            if all(_agrees_with_numpy(fn, dtype) for dtype, fn in found.items()):
                return found
    return {}


_GEMMS = _find_gemms()


def gemm_function(dtype: np.dtype):
    """NumPy's CBLAS ``?gemm`` for float32 or float64 as a ctypes function (an argument
    Numba kernels can call), or None without a usable OpenBLAS."""
    return _GEMMS.get(np.dtype(dtype))
