"""Dropout's mask, drawn as raw random words and applied in one op.

A unit's keep decision is one b-bit word of a generator's raw 64-bit stream (low
bits first, little-endian on any machine): kept when the word is at least
``threshold``. The layer (``minidl.layers.Dropout``) draws the words and picks b and
the threshold; ``dropout_apply`` multiplies by the scaled mask. Forward and
backward are the same op (dy takes the mask x took), so what forward keeps for
backward is the words: 1 to 32 bits a unit instead of a float mask.
"""
from __future__ import annotations

import numpy as np

from .tape import defop

#: the words' little-endian dtype for each width above 1 bit
WORD_DTYPES = {8: "<u1", 16: "<u2", 32: "<u4"}


def keep_mask(words: np.ndarray, bits: int, threshold: int, size: int) -> np.ndarray:
    """words (ceil(size·bits/64),) uint64 -> keep (size,) bool: unit i's b-bit word >= threshold.

    Unit i's word is bits [b·i, b·(i+1)) of the stream, counted from the first word's lowest bit."""
    if threshold >= 1 << bits:
        return np.zeros(size, bool)
    data = words.astype("<u8", copy=False).view("<u1")  # the bytes, low byte first on any machine
    if bits == 1:  # threshold 1: kept when the bit is set
        return np.unpackbits(data, count=size, bitorder="little").view(bool)
    units = data.view(WORD_DTYPES[bits])[:size]
    return units >= units.dtype.type(threshold)


@defop("dropout_apply",
       lambda g, y, x, words, bits, threshold, scale: (dropout_apply(g, words, bits, threshold, scale),
                                                       None, None, None, None))
def dropout_apply(x, words, bits: int, threshold: int, scale: float):
    """x (any shape) -> x · mask, mask = ``scale`` where ``keep_mask`` keeps the unit, else 0
    (in x's dtype: a dropped inf or NaN gives NaN, a dropped negative -0, as x · 0).

    words: (ceil(x.size·bits/64),) uint64, the units in x's C order."""
    keep = keep_mask(words, bits, threshold, x.size).reshape(x.shape)
    return x * (keep.astype(x.dtype) * np.asarray(scale, dtype=x.dtype))
