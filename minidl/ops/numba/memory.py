"""Opt-in allocator tuning: keep freed memory in the process so per-step arrays do not page-fault.

A training step allocates and frees the same large arrays every time (a
conv layer's output, its gradient, pooling indices: several MB each). glibc
returns such blocks to the OS when they are freed (mmap'd blocks, and a heap
top above 2× the dynamic mmap threshold), so the next step touches fresh
pages. Raising the mmap and trim thresholds keeps those pages for reuse;
arrays above 32 MB (a whole data set) are still mmap'd and returned.

This changes the whole process's allocator, so it is never done by
``import minidl``: only with ``MINIDL_MALLOC_TUNING=1`` in the environment,
and then once, when the Numba backend is first loaded (the first Numba
kernel call). glibc only.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20   # glibc's ceiling for this option on 64-bit
TRIM_THRESHOLD = 256 << 20  # free memory kept at the heap top before giving it back

_applied: bool | None = None


def keep_freed_memory(force: bool = False) -> bool:
    """Raise glibc's mmap/trim thresholds once, if ``MINIDL_MALLOC_TUNING=1`` (or
    ``force``); True when applied."""
    global _applied
    if _applied is not None:
        return _applied
    if not force and os.environ.get("MINIDL_MALLOC_TUNING", "0") != "1":
        return False
    _applied = False
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    _applied = bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    return _applied
