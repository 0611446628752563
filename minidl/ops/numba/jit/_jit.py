"""The one Numba decorator every kernel uses."""
from __future__ import annotations

import warnings

import numba


def kernel(inline: str = "never"):
    """``njit`` with the project's settings: cached, IEEE math, no GIL (the kernel
    pool in ``minidl.ops.numba.threads`` runs several at once), NumPy's error model
    (1/0 gives inf rather than raising). A corrupt cache entry is rebuilt with a warning.
    ``inline="always"``: a helper that Numba pastes into each njit caller's IR, so the
    caller compiles to what it would be with the helper written out in its loop."""
    jit = numba.njit(cache=True, fastmath=False, nogil=True, error_model="numpy", inline=inline)
    return lambda fn: tolerate_corrupt_cache(jit(fn))


def tolerate_corrupt_cache(dispatcher):
    """Make ``dispatcher`` recompile, with a warning, when its cache files cannot be read.

    Numba reads ``__pycache__/<module>.<fn>-<line>.pyXY.nbi`` (the index) and
    ``….N.nbc`` (machine code) with ``pickle``; a truncated or overwritten file
    raises there (EOFError, UnpicklingError, ValueError...) on the first call of
    every later process, and Numba only tolerates a missing file. We catch the
    failing load, empty the index (``cache.flush()``, which later saves
    overwrite) and return None, so Numba compiles and saves a fresh entry.
    """
    cache = getattr(dispatcher, "_cache", None)  # numba's FunctionCache; NullCache when caching is off
    load = getattr(cache, "load_overload", None)
    if load is None or not hasattr(cache, "flush"):
        return dispatcher

    def load_overload(sig, target_context):
        try:
            return load(sig, target_context)
        except Exception as exc:  # noqa: BLE001 - any unreadable entry: rebuild it
            where = getattr(cache, "cache_path", "__pycache__")
            warnings.warn(f"minidl: the Numba cache of kernel {dispatcher.py_func.__qualname__!r} in {where} "
                          f"cannot be read ({type(exc).__name__}: {exc}); recompiling it", RuntimeWarning,
                          stacklevel=2)
            try:
                cache.flush()  # an empty index: the corrupt entry is never read again
            except OSError:
                pass  # a read-only cache folder: Numba's save fails quietly too
            return None

    cache.load_overload = load_overload
    return dispatcher


# The first kernel module imported is the first Numba kernel about to run: the one
# moment the opt-in allocator tuning may be applied (never at ``import minidl``).
from ..memory import keep_freed_memory  # noqa: E402

keep_freed_memory()
