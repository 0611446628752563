"""Max pooling over NHWC windows with the index of the winner.

Cells outside the input ('same' padding) count as -inf and take part in the
comparison exactly as the reference's -inf padding does; ties and NaN follow
``np.argmax``: the first maximum wins, and the first NaN wins outright.
"""
from __future__ import annotations

import numpy as np

from ._jit import kernel


@kernel(inline="always")
def pool_row(xf, b, p, ph, pw, sh, sw, top, left, bias, has_bias, ninf, yr, ar):
    """Pooled row p of image b: yr, ar (ow·c,) = the max of each window of xf (n, h, w·c)
    (plus ``bias`` (c,) when ``has_bias``) and the winner's index i·pw + j in its window.

    Each window starts at (-inf, index 0) and the cells in the padding are skipped: the
    padded comparison's result, since a -inf never wins. np.argmax's rule, as a select: the
    first maximum wins, and a NaN, once it holds the place, stays. Rows are walked as flat
    runs with the bounds tests outside the channel loop, so that loop vectorizes (a
    compare-and-store per cell with 4-D indexing: 34 ms against about 1 ms for MNIST
    conv1's 100×24×24×30 on one thread)."""
    c = bias.shape[0]
    h, w, ow = xf.shape[1], xf.shape[2] // c, yr.shape[0] // c
    for t in range(ow * c):
        yr[t] = ninf
        ar[t] = 0
    for i in range(ph):
        yy = p * sh + i - top
        if yy < 0 or yy >= h:
            continue
        xr = xf[b, yy]
        for j in range(pw):
            k = i * pw + j
            for q in range(ow):
                xx = q * sw + j - left
                if xx < 0 or xx >= w:
                    continue
                src = xx * c
                dst = q * c
                for ci in range(c):
                    v = xr[src + ci] + bias[ci] if has_bias else xr[src + ci]
                    best = yr[dst + ci]
                    win = (best == best) & ((v > best) | (v != v))
                    yr[dst + ci] = v if win else best
                    ar[dst + ci] = k if win else ar[dst + ci]


@kernel()
def maxpool_rows(x, ph, pw, sh, sw, top, left, oh, ow, ninf, y, argmax, r0, r1):
    """Output rows r0:r1 (r = image·oh + p) of y and argmax (n, oh, ow, c) (``pool_row``);
    x, y and argmax C-contiguous."""
    n, h, w, c = x.shape
    xf = x.reshape(n, h, w * c)
    yf = y.reshape(n, oh, ow * c)
    af = argmax.reshape(n, oh, ow * c)
    no_bias = np.empty(c, x.dtype)
    for r in range(r0, r1):
        b = r // oh
        p = r - b * oh
        pool_row(xf, b, p, ph, pw, sh, sw, top, left, no_bias, False, ninf, yf[b, p], af[b, p])


@kernel()
def maxpool_grad_images(dy, argmax, ph, pw, sh, sw, top, left, dx, b0, b1):
    """Images b0:b1 of dx (n, h, w, c): each dy cell added to its window's winner.

    Visits dy in C order, as ``np.add.at`` does, so overlapping windows sum
    in the reference's order; a winner in the padding is dropped. The winner's
    row and column offsets come from a table of the ph·pw indices (a division
    per cell cost more than the rest: 3×3 windows, 100×32×32×64, 7.1 → 4.3 ms).
    """
    n, h, w, c = dx.shape
    oh, ow = dy.shape[1], dy.shape[2]
    di = np.empty(ph * pw, np.int64)
    dj = np.empty(ph * pw, np.int64)
    for k in range(ph * pw):
        di[k] = k // pw - top
        dj[k] = k % pw - left
    dxf = dx.reshape(n, h, w * c)
    dyf = dy.reshape(dy.shape[0], oh, ow * c)
    af = argmax.reshape(dy.shape[0], oh, ow * c)
    for b in range(b0, b1):
        flat = dx[b].reshape(h * w * c)
        for t in range(flat.size):
            flat[t] = 0
        for p in range(oh):
            dr = dyf[b, p]
            ar = af[b, p]
            for q in range(ow):
                for ci in range(c):
                    k = ar[q * c + ci]
                    yy = p * sh + di[k]
                    xx = q * sw + dj[k]
                    if 0 <= yy < h and 0 <= xx < w:
                        dxf[b, yy, xx * c + ci] += dr[q * c + ci]


@kernel()
def maxpool_tiles_grad_images(dy, argmax, ph, pw, dx, b0, b1):
    """maxpool_grad_images for tiling windows: each input cell lies in at most one window,
    so every cell is written once (the gradient or 0), with no separate zero fill."""
    h, w, c = dx.shape[1], dx.shape[2], dx.shape[3]
    oh, ow = dy.shape[1], dy.shape[2]
    for b in range(b0, b1):
        for p in range(oh):
            for i in range(ph):
                for q in range(ow):
                    for j in range(pw):
                        k = i * pw + j
                        for ci in range(c):
                            dx[b, p * ph + i, q * pw + j, ci] = dy[b, p, q, ci] if argmax[b, p, q, ci] == k else 0
                # cells right of the last window ('valid' drops them)
                for xx in range(ow * pw, w):
                    for ci in range(c):
                        dx[b, p * ph + i, xx, ci] = 0
        for yy in range(oh * ph, h):  # rows below the last window
            for xx in range(w):
                for ci in range(c):
                    dx[b, yy, xx, ci] = 0
