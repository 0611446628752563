"""im2col / col2im for NHWC convolutions.

The convolution itself is one BLAS GEMM on the column matrix (see
``minidl.ops.numba.conv``); these kernels only move data. Column order is
(i, j, ci), so ``kernel.reshape(kh·kw·cin, cout)`` multiplies it directly.
Padding is handled by bounds checks: no padded copy of the input is made.
"""
from __future__ import annotations

from ._jit import kernel


@kernel()
def im2col_rows(x, kh, kw, sh, sw, top, left, oh, ow, cols, r0, r1):
    """Output rows r0:r1 (r = image·oh + p) of cols (n·oh·ow, kh·kw·cin) from x (n, h, w, cin).

    A window row x[b, yy, xx:xx+kw, :] is kw·cin contiguous values, and so is
    its place in cols: where the window lies inside the input it is copied as
    one run (the common case), otherwise cell by cell with zeros outside.
    Runs are copied between 1-D views indexed from 0: with flat offsets into the
    rows the copy loop did not vectorize (IMDB's Conv1D: 0.48 -> 0.10 ms a batch).
    """
    h, w, c = x.shape[1], x.shape[2], x.shape[3]
    run = kw * c
    xr = x.reshape(x.shape[0], h, w * c)
    for r in range(r0, r1):
        b = r // oh
        p = r - b * oh
        for q in range(ow):
            row = r * ow + q
            x0 = q * sw - left
            for i in range(kh):
                yy = p * sh + i - top
                base = i * run
                dst = cols[row, base:base + run]  # 1-D views indexed from 0: the copies vectorize
                if yy < 0 or yy >= h:
                    for t in range(run):
                        dst[t] = 0
                elif x0 >= 0 and x0 + kw <= w:
                    src = xr[b, yy, x0 * c:x0 * c + run]
                    for t in range(run):
                        dst[t] = src[t]
                else:
                    for j in range(kw):
                        xx = x0 + j
                        if 0 <= xx < w:
                            for ci in range(c):
                                cols[row, base + j * c + ci] = x[b, yy, xx, ci]
                        else:
                            for ci in range(c):
                                cols[row, base + j * c + ci] = 0



@kernel()
def col2im_images(dcols, kh, kw, sh, sw, top, left, oh, ow, dx, b0, b1):
    """Images b0:b1 of dx (n, h, w, cin) = the sum of dcols (n·oh·ow, kh·kw·cin) over taps.

    Taps are the outer loop, so each input cell receives its terms in tap
    order, the order the reference adds them in. One image is one owner:
    no two blocks ever write the same cell.
    """
    h, w, c = dx.shape[1], dx.shape[2], dx.shape[3]
    for b in range(b0, b1):
        for yy in range(h):
            for xx in range(w):
                for ci in range(c):
                    dx[b, yy, xx, ci] = 0
        for i in range(kh):
            for j in range(kw):
                col = (i * kw + j) * c
                for p in range(oh):
                    yy = p * sh + i - top
                    if yy < 0 or yy >= h:
                        continue
                    for q in range(ow):
                        xx = q * sw + j - left
                        if xx < 0 or xx >= w:
                            continue
                        row = (b * oh + p) * ow + q
                        dst, src = dx[b, yy, xx], dcols[row, col:col + c]
                        for ci in range(c):
                            dst[ci] += src[ci]


@kernel()
def shift_add_rows(y, kh, kw, h, w, sh, sw, top, left, oh, ow, out, r0, r1):
    """Output rows r0:r1 (r = image·oh + p) of out (n·oh·ow, cout) from the per-tap
    products y (n·h·w, kh·kw·cout), y[input cell, tap] = x[cell] @ W[tap]:
    out[b, p, q] = Σ over taps (i, j) inside the input of y[b, p·sh+i-top, q·sw+j-left, (i, j)],
    added in tap order (the reference's order)."""
    c = out.shape[1]
    for r in range(r0, r1):
        b = r // oh
        p = r - b * oh
        for q in range(ow):
            row = r * ow + q
            dst = out[row]
            for co in range(c):
                dst[co] = 0
            for i in range(kh):
                yy = p * sh + i - top
                if yy < 0 or yy >= h:
                    continue
                for j in range(kw):
                    xx = q * sw + j - left
                    if xx < 0 or xx >= w:
                        continue
                    col = (i * kw + j) * c
                    src = y[(b * h + yy) * w + xx, col:col + c]
                    for co in range(c):
                        dst[co] += src[co]


@kernel()
def im2col_t(x, kh, kw, sh, sw, top, left, oh, ow, cols_t, b0, b1):
    """cols_t (kh·kw, (b1-b0)·oh·ow) = the transposed im2col of images b0:b1 of a
    one-channel x (n, h, w): cols_t[i·kw + j, (b·oh + p)·ow + q] = x[b0+b, p·sh+i-top, q·sw+j-left],
    zero outside.

    With one channel an im2col row is only kw values, too short to copy fast (MNIST
    conv1: 1.0 ms per 100 images); transposed, each (tap, output row) is a run of ow
    values (0.13 ms). ``cols_tᵀ @ W`` and ``cols_t @ dz`` are the same GEMMs as with the
    columns.
    """
    n, h, w = x.shape[0], x.shape[1], x.shape[2]
    flat = x.reshape(n * h * w)  # runs sliced from the flat array: 8x faster than from x[b, yy]
    for t in range(kh * kw):
        i = t // kw
        j = t - i * kw
        # the q whose tap column q·sw + j - left lies inside [0, w)
        q_lo = min(ow, max(0, (left - j + sw - 1) // sw))
        q_hi = max(q_lo, min(ow, (w - 1 - j + left) // sw + 1))
        out = cols_t[t]
        for b in range(b1 - b0):
            for p in range(oh):
                d = (b * oh + p) * ow
                yy = p * sh + i - top
                if yy < 0 or yy >= h:
                    for q in range(ow):
                        out[d + q] = 0
                    continue
                s = ((b0 + b) * h + yy) * w
                for q in range(q_lo):
                    out[d + q] = 0
                if sw == 1:  # 1-D views indexed from 0: the copy vectorizes
                    dst = out[d + q_lo:d + q_hi]
                    src = flat[s + q_lo + j - left:s + q_hi + j - left]
                    for u in range(q_hi - q_lo):
                        dst[u] = src[u]
                else:
                    for q in range(q_lo, q_hi):
                        out[d + q] = flat[s + q * sw + j - left]
                for q in range(q_hi, ow):
                    out[d + q] = 0
