"""Keeping a training step's large arrays from page-faulting: a recycler for the kernels'
outputs (always on), and an opt-in allocator tuning for the whole process.

A training step allocates and frees the same large arrays every time. Above
glibc's mmap threshold each comes from a fresh mmap, whose pages fault on first
touch: MNIST conv's step (conv1's 1.7 MB output and conv2's 1.7 MB input
gradient) took 865 minor faults, about 1.4 ms of a 7 ms step on two threads.

``empty(shape, dtype)`` hands out such arrays from buffers that nothing refers to
any more (a view keeps its buffer's reference count up, so a buffer is free
exactly when only the recycler holds it); the faults go away without changing how
the rest of the process allocates. Bits do not change: ``empty`` is as uninitialized
as ``np.empty`` and the kernels write every value.

The opt-in tuning below changes glibc's thresholds instead, for everything:
raising the mmap and trim thresholds keeps freed pages for reuse; arrays above
32 MB (a whole data set) are still mmap'd and returned.

This changes the whole process's allocator, so it is never done by
``import minidl``: only with ``MINIDL_MALLOC_TUNING=1`` in the environment,
and then once, when the Numba backend is first loaded (the first Numba
kernel call). glibc only.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import math
import os
import sys
import threading

import numpy as np

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


# ---- the recycler ------------------------------------------------------------------------

#: smaller arrays come from malloc's heap anyway (below glibc's initial 128 KB threshold)
RECYCLE_MIN_BYTES = 128 << 10
#: buffers kept, free or in use; the oldest free one goes when a new one would exceed it
RECYCLE_MAX_BUFFERS = 32

_buffers: list[np.ndarray] = []
_lock = threading.Lock()


def empty(shape: tuple[int, ...], dtype) -> np.ndarray:
    """An uninitialized C-contiguous array, like ``np.empty``, from a recycled buffer of
    the same size when one is free (large arrays only)."""
    dtype = np.dtype(dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes < RECYCLE_MIN_BYTES:
        return np.empty(shape, dtype)
    with _lock:
        for i in range(len(_buffers)):
            buf = _buffers[i]
            # references: the list, ``buf`` and getrefcount's argument; any view adds one
            if buf.nbytes == nbytes and sys.getrefcount(buf) == 3:
                _buffers.append(_buffers.pop(i))  # most recently used last
                return buf.view(dtype).reshape(shape)
        buf = None  # the loop's last buffer must not look taken below (list + argument = free)
        if len(_buffers) >= RECYCLE_MAX_BUFFERS:
            free = [i for i in range(len(_buffers)) if sys.getrefcount(_buffers[i]) == 2]
            if free:
                del _buffers[free[0]]
        buf = np.empty(nbytes, np.uint8)
        if len(_buffers) < RECYCLE_MAX_BUFFERS:
            _buffers.append(buf)
        return buf.view(dtype).reshape(shape)
