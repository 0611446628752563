"""Epilogues and prologues that fuse bias, activation and max pooling into a convolution.

The multiply-adds stay in BLAS (``minidl.ops.numba.fused_conv`` runs them chunk by
chunk, a few images at a time); these kernels do everything else while the
chunk's conv output ``z`` is still in cache:

* forward, linear or relu (tanh and sigmoid: activated in place, then ``pool.maxpool_rows``):
  ``y = pool(act(z + bias))`` with the winners' positions; ``z`` itself is never written out;
* backward: ``dz = (dy routed to the winners) · act'(y)`` and the bias-gradient
  partial, from the pooled output ``y`` alone: the winner's activation value
  *is* the pooled value, so neither ``z`` nor the unpooled activation is kept.

Activation codes are ``nb.activation``'s (0 linear, 1 sigmoid, 2 tanh, 3 relu);
the formulas and the pooling's tie and NaN rules (first maximum wins, a NaN
wins outright, padding counts as -inf) are the unfused kernels', term for term.
Arrays are chunk-local and C-contiguous; ``one`` is 1 in their dtype.
"""
from __future__ import annotations

import numpy as np

from ._jit import kernel
from .pool import pool_row

LINEAR, SIGMOID, TANH, RELU = 0, 1, 2, 3


@kernel()
def _act_grad(g, y, code, one):
    """dL/dz from g = dL/dy and the output y (``nb.activation.act_grad_rows``'s formulas;
    relu: y > 0 exactly when z > 0, NaN included)."""
    zero = one - one
    if code == RELU:
        return g * (one if y > zero else zero)
    if code == SIGMOID:
        return g * y * (one - y)
    if code == TANH:
        return g * (one - y * y)
    return g


@kernel()
def bias_pool_act_rows(z, bias, code, ph, pw, sh, sw, top, left, ninf, one, y, argmax, r0, r1):
    """y = maxpool(act(z + bias)) for a linear or relu activation, computed as act(maxpool(z + bias))
    (``pool.pool_row``), pooled rows r0:r1 (r = image·poh + pp).

    The same outputs: relu is the identity above 0, so both orders pick the same winner
    whenever the pooled value is positive (first maximum of equal values, NaN first), and
    otherwise y = 0 and every gradient through the window is 0 whichever cell is recorded.
    """
    n, oh, ow, c = z.shape
    poh, pow_ = y.shape[1], y.shape[2]
    zf = z.reshape(n, oh, ow * c)
    yf = y.reshape(y.shape[0], poh, pow_ * c)
    af = argmax.reshape(y.shape[0], poh, pow_ * c)
    zero = one - one
    for r in range(r0, r1):
        b = r // poh
        pp = r - b * poh
        yr = yf[b, pp]
        pool_row(zf, b, pp, ph, pw, sh, sw, top, left, bias, True, ninf, yr, af[b, pp])
        if code == RELU:
            for t in range(pow_ * c):
                v = yr[t]
                yr[t] = v if (v >= zero or v != v) else zero


@kernel()
def _row_grads(dy, y, code, one, b, pp, g, dbias):
    """g (pow, c) = dy · act'(y) along pooled row (b, pp); dbias += g's rows, in order."""
    pow_, c = g.shape
    zero = one - one
    for qq in range(pow_):
        if code == RELU:
            for ci in range(c):
                g[qq, ci] = dy[b, pp, qq, ci] * (one if y[b, pp, qq, ci] > zero else zero)
        elif code == LINEAR:
            for ci in range(c):
                g[qq, ci] = dy[b, pp, qq, ci]
        else:
            for ci in range(c):
                g[qq, ci] = _act_grad(dy[b, pp, qq, ci], y[b, pp, qq, ci], code, one)
        for ci in range(c):
            dbias[ci] += g[qq, ci]


@kernel()
def pool_act_grad(dy, argmax, y, code, ph, pw, sh, sw, top, left, one, g, dz, dbias):
    """dz (n, oh, ow, c) of a chunk: each pooled dy · act'(pooled y) added to its
    window's winner (dy visited in C order, as ``np.add.at``), zero elsewhere;
    dbias (c,) = the column sums of those terms. g is a (pow, c) scratch.

    Tiling windows (stride = pool size, no padding) write each cell once with a
    select (``_tiles_grad``); overlapping or padded ones zero dz first, then add."""
    n, oh, ow, c = dz.shape
    poh, pow_ = dy.shape[1], dy.shape[2]
    zero = one - one
    if sh == ph and sw == pw and top == 0 and left == 0:
        _tiles_grad(dy, argmax, y, code, ph, pw, one, g, dz, dbias)
        return
    for ci in range(c):
        dbias[ci] = zero
    zf = dz.reshape(n, oh, ow * c)
    af = argmax.reshape(n, poh, pow_ * c)
    gf = g.reshape(pow_ * c)
    zz = dz.reshape(-1)
    for t in range(zz.size):
        zz[t] = zero
    for b in range(n):
        for pp in range(poh):
            _row_grads(dy, y, code, one, b, pp, g, dbias)
            ar = af[b, pp]
            for qq in range(pow_):
                for ci in range(c):
                    k = ar[qq * c + ci]
                    yy = pp * sh + k // pw - top
                    xx = qq * sw + k % pw - left
                    if 0 <= yy < oh and 0 <= xx < ow:
                        zf[b, yy, xx * c + ci] += gf[qq * c + ci]


@kernel()
def _tiles_grad(dy, argmax, y, code, ph, pw, one, g, dz, dbias):
    """pool_act_grad for tiling windows: row by row of windows, their gradients g
    (``_row_grads``, which adds them to dbias), then for each cell (i, j) of the windows,
    a select of g or 0 on the winner's index along the whole row of windows (one
    contiguous loop, which vectorizes), copied to the cells in runs of c. Selecting in
    runs of c directly left most of each run to the scalar remainder loop (MNIST conv1,
    c = 30: 1.06 against 0.75 ms per 96 images)."""
    n, oh, ow, c = dz.shape
    poh, pow_ = dy.shape[1], dy.shape[2]
    zero = one - one
    for ci in range(c):
        dbias[ci] = zero
    zf = dz.reshape(n, oh, ow * c)
    af = argmax.reshape(n, poh, pow_ * c)
    gf = g.reshape(pow_ * c)
    m = pow_ * c
    picked = np.empty(m, dz.dtype)
    for b in range(n):
        for pp in range(poh):
            _row_grads(dy, y, code, one, b, pp, g, dbias)
            ar = af[b, pp]
            for i in range(ph):
                row = zf[b, pp * ph + i]
                for j in range(pw):
                    k = i * pw + j
                    for t in range(m):
                        picked[t] = gf[t] if ar[t] == k else zero
                    for qq in range(pow_):
                        out = row[(qq * pw + j) * c:(qq * pw + j + 1) * c]
                        src = picked[qq * c:(qq + 1) * c]
                        for ci in range(c):
                            out[ci] = src[ci]
                rest = row[pow_ * pw * c:]  # right of the last window
                for t in range(rest.size):
                    rest[t] = zero
        for yy in range(poh * ph, oh):  # below the last window
            row = zf[b, yy]
            for t in range(row.size):
                row[t] = zero


@kernel()
def act_grad_rows(dy, y, code, one, dz, dbias):
    """dz (m, c) = dy · act'(y) for a chunk's rows, and dbias (c,) their column sums."""
    m, c = dz.shape
    zero = one - one
    for ci in range(c):
        dbias[ci] = zero
    for r in range(m):
        if code == RELU:
            for ci in range(c):
                dz[r, ci] = dy[r, ci] * (one if y[r, ci] > zero else zero)
        else:
            for ci in range(c):
                dz[r, ci] = _act_grad(dy[r, ci], y[r, ci], code, one)
        for ci in range(c):
            dbias[ci] += dz[r, ci]
