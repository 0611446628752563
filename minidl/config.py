"""Global settings: float precision, kernel backend, kernel threads and the seeded random source.

Mirrors ``keras.config``: ``set_floatx("float64")`` makes every layer built
afterwards keep float64 weights and every model cast its inputs to float64.
"""
from __future__ import annotations

import os

import numpy as np

_FLOATX = "float32"
_EPSILON = 1e-7
_BACKENDS = ("numba", "numpy")
_BACKEND = os.environ.get("MINIDL_BACKEND", "numba").strip().lower()
if _BACKEND not in _BACKENDS:
    raise ValueError(f"the environment variable MINIDL_BACKEND={os.environ['MINIDL_BACKEND']!r} names no "
                     f"minidl backend: use one of {', '.join(_BACKENDS)} (or unset it for numba)")
_RNG = np.random.default_rng()


def _default_threads() -> int:
    env = os.environ.get("MINIDL_NUM_THREADS")
    if env is not None:
        if not env.strip().isdigit() or int(env) < 1:
            raise ValueError(f"the environment variable MINIDL_NUM_THREADS={env!r} must be a positive "
                             "integer (the kernel threads), or unset for one per CPU")
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


_NUM_THREADS = _default_threads()
_FUSION = os.environ.get("MINIDL_FUSION", "1").strip() not in ("0", "false", "False", "no", "off")


def fusion() -> bool:
    """Do models built from now on fuse a Conv and the max pooling that alone reads it
    into one node (``minidl.models.fuse``)? On unless ``MINIDL_FUSION=0``."""
    return _FUSION


def set_fusion(value: bool) -> None:
    """Fuse (True) or keep every layer its own node (False: the unfused oracle) in
    models built from now on; a built model keeps its graph."""
    global _FUSION
    if not isinstance(value, bool):
        raise TypeError(f"set_fusion expects True or False, got {value!r}")
    _FUSION = value


_OPENMP_GEMM = os.environ.get("MINIDL_OPENMP_GEMM", "1").strip() not in ("0", "false", "False", "no", "off")


def openmp_gemm() -> bool:
    """May large dense products run as a Numba ``prange`` loop on OpenMP threads
    (``minidl.ops.numba.gemm``: ~20 % faster CIFAR-10 dense epochs on two cores)? On
    unless ``MINIDL_OPENMP_GEMM=0``. A process forked after Numba started its threads
    never uses them (GNU OpenMP is not fork-safe: Numba terminates such a child at
    its first ``prange``); it keeps to the kernel pool, with the same bits."""
    return _OPENMP_GEMM


def set_openmp_gemm(value: bool) -> None:
    """Allow (True) or forbid (False) the OpenMP GEMM; see :func:`openmp_gemm`."""
    global _OPENMP_GEMM
    if not isinstance(value, bool):
        raise TypeError(f"set_openmp_gemm expects True or False, got {value!r}")
    _OPENMP_GEMM = value


def floatx() -> str:
    """The default float dtype name: ``"float32"`` unless changed."""
    return _FLOATX


def set_floatx(value: str) -> None:
    """Set the default float dtype (``"float32"`` or ``"float64"``)."""
    global _FLOATX
    if value not in ("float32", "float64"):
        raise ValueError(f"set_floatx: unknown float type {value!r}; use 'float32' or 'float64'")
    _FLOATX = value


def epsilon() -> float:
    """The fuzz factor Keras uses to clip probabilities (1e-7)."""
    return _EPSILON


def set_epsilon(value: float) -> None:
    global _EPSILON
    _EPSILON = float(value)


def backend() -> str:
    """The kernel backend: ``"numba"`` (compiled kernels) or ``"numpy"`` (the reference)."""
    return _BACKEND


def set_backend(value: str) -> None:
    """Switch between the Numba kernels and the NumPy reference kernels."""
    global _BACKEND
    if value not in _BACKENDS:
        raise ValueError(f"set_backend: unknown backend {value!r}; choose from {_BACKENDS}")
    _BACKEND = value


def num_threads() -> int:
    """Threads the Numba-backend kernels split their work over (default: the CPUs
    this process may use, or ``MINIDL_NUM_THREADS``). Results do not depend on it."""
    return _NUM_THREADS


def set_num_threads(n: int) -> None:
    """Set the kernel thread count (1 runs every kernel in the calling thread)."""
    global _NUM_THREADS
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"set_num_threads: need a positive integer, got {n!r}")
    _NUM_THREADS = int(n)


def set_random_seed(seed: int) -> None:
    """Seed the global generator used by every unseeded initializer, shuffle and dropout.

    Like ``keras.utils.set_random_seed``: the same seed gives the same bits.
    """
    global _RNG
    _RNG = np.random.default_rng(check_seed("set_random_seed", "seed", seed, allow_none=False))


def rng() -> np.random.Generator:
    """The global random generator (see :func:`set_random_seed`)."""
    return _RNG


def make_rng(seed: int | None) -> np.random.Generator:
    """A generator of its own for ``seed``, or one drawn from the global generator."""
    if seed is None:
        return np.random.default_rng(_RNG.integers(2**63))
    return np.random.default_rng(check_seed("make_rng", "seed", seed))


def check_seed(owner: str, arg: str, seed, allow_none: bool = True) -> int | None:
    """``seed`` as an int, or a ValueError/TypeError naming ``owner`` and ``arg``:
    NumPy seeds must be non-negative integers (None draws one from the global generator)."""
    if seed is None and allow_none:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"{owner}: {arg} must be a non-negative integer{' or None' if allow_none else ''}, "
                        f"got {seed!r} ({type(seed).__name__})")
    if seed < 0:
        raise ValueError(f"{owner}: {arg} must be a non-negative integer, got {seed}")
    return int(seed)
