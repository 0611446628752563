"""The one Numba decorator every kernel uses."""
from __future__ import annotations

import hashlib
import os
import warnings
from pathlib import Path

import numba


def kernel(inline: str = "never", parallel: bool = False):
    """``njit`` with the project's settings: cached, IEEE math, no GIL (the kernel
    pool in ``minidl.ops.numba.threads`` runs several at once), NumPy's error model
    (1/0 gives inf rather than raising). A corrupt cache entry is rebuilt with a warning.
    ``inline="always"``: a helper that Numba pastes into each njit caller's IR, so the
    caller compiles to what it would be with the helper written out in its loop.
    ``parallel``: ``prange`` loops run on Numba's threading layer (``gemm_blocks`` only)."""
    jit = numba.njit(cache=True, fastmath=False, nogil=True, error_model="numpy", inline=inline,
                     parallel=parallel)
    return lambda fn: tolerate_corrupt_cache(drop_stale_cache(jit(fn)))


#: one fingerprint of every kernel module's source
SOURCES_DIGEST = hashlib.sha256(b"".join(
    path.name.encode() + path.read_bytes() for path in sorted(Path(__file__).parent.glob("*.py")))).hexdigest()
STAMP = "minidl-kernels.sha256"
_checked: set[str] = set()


def drop_stale_cache(dispatcher):
    """Empty the kernels' cache folder once per process when any kernel source changed.

    Numba keys a cache entry on its own file's timestamp only, while a kernel's
    machine code includes the kernels it calls from other files (``conv_chunk``
    compiles ``conv.im2col_t`` into itself): after an edit or an upgrade of one
    callee, its callers' entries would still load, with the old code in them. The
    folder carries the digest of all kernel sources (``STAMP``); when it differs,
    every entry in it goes and Numba compiles afresh.
    """
    folder = getattr(getattr(dispatcher, "_cache", None), "cache_path", None)
    if folder is None or folder in _checked:
        return dispatcher
    _checked.add(folder)
    stamp = os.path.join(folder, STAMP)
    try:
        with open(stamp) as f:
            if f.read() == SOURCES_DIGEST:
                return dispatcher
    except OSError:
        pass
    try:
        for entry in os.listdir(folder):
            if entry.endswith((".nbi", ".nbc")):
                os.remove(os.path.join(folder, entry))
        tmp = f"{stamp}.{os.getpid()}.tmp"
        with open(tmp, "w") as f:
            f.write(SOURCES_DIGEST)
        os.replace(tmp, stamp)
    except OSError:  # a read-only or vanished folder: Numba then caches nothing there either
        pass
    return dispatcher


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
