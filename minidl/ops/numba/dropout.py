"""Numba-backend ``dropout_apply``: one pass over x, the same bits as the reference (which
builds a bool mask, then a float mask, then multiplies: four passes and three temporaries).

On one thread: the pass runs at memory speed (1 M float32 units in 0.13 ms, two threads
0.12 ms), so a second thread gains less than the kernel pool's hand-off costs (40-240 µs,
more the longer the helper slept)."""
from __future__ import annotations

import numpy as np

from .. import dropout, registry
from . import memory
from .jit import dropout as jk


@registry.register("dropout_apply", "numba")
def dropout_apply(x, words, bits, threshold, scale):
    """See :func:`minidl.ops.dropout.dropout_apply`."""
    if (x.dtype not in registry.NUMBA_DTYPES or words.dtype != np.uint64 or words.ndim != 1
            or bits not in (1, 8, 16, 32) or words.size * (64 // bits) < x.size):
        return dropout.dropout_apply.reference(x, words, bits, threshold, scale)
    flat = np.ascontiguousarray(x).reshape(-1)
    y = memory.empty(x.shape, x.dtype)
    # threshold 2**b (nothing kept) needs no case of its own: no b-bit word reaches it, so x · 0
    args = (flat, words, int(bits), np.uint64(threshold), x.dtype.type(scale), x.dtype.type(0), y.reshape(-1))
    jk.apply_words(*args, 0, -(-flat.size // (64 // bits)))
    return y
