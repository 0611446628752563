"""Fused bias + activation (forward) and activation derivative (backward) over rows.

Arrays are 2-D (m, c), C-contiguous, one float dtype; ``one`` is 1 in that
dtype so the arithmetic stays in it (a Python ``1.0`` would promote float32
to float64). The formulas are the reference's (``minidl.activations``),
term for term, so float32 results agree to rounding.
"""
from __future__ import annotations

import numpy as np
from ._jit import kernel

LINEAR, SIGMOID, TANH, RELU, SOFTMAX = 0, 1, 2, 3, 4
CODES = {"linear": LINEAR, "sigmoid": SIGMOID, "tanh": TANH, "relu": RELU, "softmax": SOFTMAX}


@kernel()
def bias_act_rows(z, bias, has_bias, code, y, one, r0, r1):
    """Rows r0:r1: z += bias (in place), y = act(z). z, y (m, c); bias (c,). Linear, relu and
    softmax: sigmoid and tanh take NumPy's SIMD math instead (``activation.bias_smooth_rows``)."""
    c = z.shape[1]
    zero = one - one
    for r in range(r0, r1):
        if has_bias:
            for j in range(c):
                z[r, j] += bias[j]
        if code == RELU:
            for j in range(c):
                v = z[r, j]
                # np.maximum(v, 0): NaN propagates
                y[r, j] = v if (v >= zero or v != v) else zero
        elif code == SOFTMAX:
            m = z[r, 0]
            for j in range(1, c):
                if z[r, j] > m:
                    m = z[r, j]
            s = zero
            for j in range(c):
                e = np.exp(z[r, j] - m)
                y[r, j] = e
                s += e
            for j in range(c):
                y[r, j] = y[r, j] / s
        else:
            for j in range(c):
                y[r, j] = z[r, j]



@kernel()
def act_grad_rows(code, z, y, dy, dz, one, r0, r1):
    """Rows r0:r1 of dz = dL/dz given dy = dL/dy, z the input and y the output."""
    c = z.shape[1]
    zero = one - one
    for r in range(r0, r1):
        if code == SIGMOID:
            for j in range(c):
                dz[r, j] = dy[r, j] * y[r, j] * (one - y[r, j])
        elif code == TANH:
            for j in range(c):
                dz[r, j] = dy[r, j] * (one - y[r, j] * y[r, j])
        elif code == RELU:
            for j in range(c):
                # dy * (z > 0): a multiply, not a select, so inf·0 gives NaN as in the reference
                dz[r, j] = dy[r, j] * (one if z[r, j] > zero else zero)
        elif code == SOFTMAX:
            s = zero
            for j in range(c):
                s += dy[r, j] * y[r, j]
            for j in range(c):
                dz[r, j] = y[r, j] * (dy[r, j] - s)
        else:
            for j in range(c):
                dz[r, j] = dy[r, j]



@kernel()
def sigmoid_from_exp(z, e, y, one):
    """y = 1 / (1 + e) where z >= 0, else e / (1 + e), with e = exp(-|z|) computed by NumPy
    (its SIMD exp: the reference's values); z, e, y flat, one length; e may be y."""
    for t in range(z.size):
        s = one + e[t]
        y[t] = one / s if z[t] >= one - one else e[t] / s


@kernel()
def colsum_rows(a, out, r0, r1):
    """out[:] = sum of rows r0:r1 of a (m, c), added in row order."""
    c = a.shape[1]
    for j in range(c):
        out[j] = 0
    for r in range(r0, r1):
        for j in range(c):
            out[j] += a[r, j]
