"""Max pooling over NHWC windows with the index of the winner.

Cells outside the input ('same' padding) count as -inf and take part in the
comparison exactly as the reference's -inf padding does; ties and NaN follow
``np.argmax``: the first maximum wins, and the first NaN wins outright.
"""
from __future__ import annotations

from ._jit import kernel


@kernel(inline="always")
def scan_max(y, argmax, b, p, q, ci, v, k):
    """Step k of the scan of window (b, p, q), channel ci, over value v: np.argmax's rule
    (the first maximum wins; a NaN, once it holds the place, stays)."""
    if k == 0:
        y[b, p, q, ci] = v
        argmax[b, p, q, ci] = 0
    else:
        best = y[b, p, q, ci]
        if best == best and (v > best or v != v):
            y[b, p, q, ci] = v
            argmax[b, p, q, ci] = k


@kernel()
def maxpool_rows(x, ph, pw, sh, sw, top, left, oh, ow, ninf, y, argmax, r0, r1):
    """Output rows r0:r1 (r = image·oh + p) of y and argmax (n, oh, ow, c)."""
    h, w, c = x.shape[1], x.shape[2], x.shape[3]
    for r in range(r0, r1):
        b = r // oh
        p = r - b * oh
        for q in range(ow):
            for i in range(ph):
                yy = p * sh + i - top
                for j in range(pw):
                    xx = q * sw + j - left
                    k = i * pw + j
                    inside = 0 <= yy < h and 0 <= xx < w
                    for ci in range(c):
                        scan_max(y, argmax, b, p, q, ci, x[b, yy, xx, ci] if inside else ninf, k)



@kernel()
def maxpool_grad_images(dy, argmax, pw, sh, sw, top, left, dx, b0, b1):
    """Images b0:b1 of dx (n, h, w, c): each dy cell added to its window's winner.

    Visits dy in C order, as ``np.add.at`` does, so overlapping windows sum
    in the reference's order; a winner in the padding is dropped.
    """
    h, w, c = dx.shape[1], dx.shape[2], dx.shape[3]
    oh, ow = dy.shape[1], dy.shape[2]
    for b in range(b0, b1):
        for yy in range(h):
            for xx in range(w):
                for ci in range(c):
                    dx[b, yy, xx, ci] = 0
        for p in range(oh):
            for q in range(ow):
                for ci in range(c):
                    k = argmax[b, p, q, ci]
                    yy = p * sh + k // pw - top
                    xx = q * sw + k % pw - left
                    if 0 <= yy < h and 0 <= xx < w:
                        dx[b, yy, xx, ci] += dy[b, p, q, ci]


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
