"""Nearest-neighbour 2-D upsampling (NHWC) and its gradient, over rows of the input.

Rows r = image·h + p of x (n, h, w, c); each row of x makes sh rows of the output.
Rows are flat runs (w·c values) copied or added in runs of c, so the copies
vectorize. The gradient adds a cell's sh·sw copies in NumPy's order for
``reshape(...).sum(axis=(2, 4))`` (from +0, row of the block outer, column inner:
a block of -0 sums to +0), so it has the reference's bits.
"""
from __future__ import annotations

from ._jit import kernel


@kernel()
def upsample_rows(x, sh, sw, y, r0, r1):
    """Rows r0:r1 of x (n, h, w, c) into y (n, h·sh, w·sw, c); all C-contiguous."""
    n, h, w, c = x.shape
    xf = x.reshape(n, h, w * c)
    yf = y.reshape(n, h * sh, w * sw * c)
    for r in range(r0, r1):
        b = r // h
        p = r - b * h
        src = xf[b, p]
        first = yf[b, p * sh]
        for q in range(w):
            s = src[q * c:(q + 1) * c]
            for j in range(sw):
                d = first[(q * sw + j) * c:(q * sw + j + 1) * c]
                for ci in range(c):
                    d[ci] = s[ci]
        for i in range(1, sh):
            row = yf[b, p * sh + i]
            for t in range(row.size):
                row[t] = first[t]


@kernel()
def upsample_grad_rows(dy, sh, sw, dx, r0, r1):
    """Rows r0:r1 of dx (n, h, w, c) = the sums of their sh×sw copies in dy; all C-contiguous."""
    n, h, w, c = dx.shape
    dyf = dy.reshape(n, h * sh, w * sw * c)
    dxf = dx.reshape(n, h, w * c)
    for r in range(r0, r1):
        b = r // h
        p = r - b * h
        out = dxf[b, p]
        for t in range(out.size):
            out[t] = 0
        for i in range(sh):
            row = dyf[b, p * sh + i]
            for j in range(sw):
                for q in range(w):
                    src = row[(q * sw + j) * c:(q * sw + j + 1) * c]
                    dst = out[q * c:(q + 1) * c]
                    for ci in range(c):
                        dst[ci] += src[ci]
