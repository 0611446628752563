"""Dropout's mask applied in one pass: each unit's keep decision read straight from the
raw words (``minidl.ops.dropout``), no bool or float mask in between."""
from __future__ import annotations

import numpy as np

from ._jit import kernel


@kernel(inline="always")
def _apply(x, words, bits, threshold, scale, zero, y, w0, w1):
    per = 64 // bits
    ones = np.uint64((1 << bits) - 1)
    full = min(w1, x.size // per)
    for w in range(w0, full):
        word = words[w]
        xs = x[w * per:(w + 1) * per]
        ys = y[w * per:(w + 1) * per]
        for j in range(per):  # a constant count once bits is one (see apply_words)
            unit = (word >> np.uint64(j * bits)) & ones
            ys[j] = xs[j] * (scale if unit >= threshold else zero)
    for w in range(max(w0, full), w1):  # the last word, partly used
        word = words[w]
        for u in range(w * per, x.size):
            unit = (word >> np.uint64((u - w * per) * bits)) & ones
            y[u] = x[u] * (scale if unit >= threshold else zero)


@kernel()
def apply_words(x, words, bits, threshold, scale, zero, y, w0, w1):
    """Units of words w0:w1: y[u] = x[u] · (scale if unit u's word >= threshold else zero);
    x, y flat, scale and zero in their dtype, threshold uint64 (unsigned throughout: Numba
    makes a float of a signed and unsigned mix).

    Unit u's word: bits [b·u, b·(u+1)) of the stream, i.e. of words[u // (64 / b)]. One
    branch per width, each with the width a constant, so the loop over a word's units
    vectorizes (a variable shift count kept it scalar: 3× slower)."""
    if bits == 1:
        _apply(x, words, 1, threshold, scale, zero, y, w0, w1)
    elif bits == 8:
        _apply(x, words, 8, threshold, scale, zero, y, w0, w1)
    elif bits == 16:
        _apply(x, words, 16, threshold, scale, zero, y, w0, w1)
    else:
        _apply(x, words, 32, threshold, scale, zero, y, w0, w1)
