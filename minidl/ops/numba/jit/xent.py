"""Softmax cross-entropy from logits: per-sample loss and gradient in one pass.

Same formulas as ``minidl.losses`` with ``from_logits=True``:
loss_i = -Σ_j t_ij·(z_ij - max_i - log Σ_k e^(z_ik - max_i)),
grad_ij = (softmax(z)_ij·Σ_k t_ik - t_ij) / n (n = number of rows).
"""
from __future__ import annotations

import numpy as np

from ._jit import kernel


@kernel(inline="always")
def row_max(z, r):
    """max_j z[r, j] (the shift that keeps exp from overflowing)."""
    mx = z[r, 0]
    for j in range(1, z.shape[1]):
        if z[r, j] > mx:
            mx = z[r, j]
    return mx


@kernel(inline="always")
def row_exp_sum(z, r, mx, zero):
    """Σ_j e^(z[r, j] - mx), summed from ``zero`` (z's dtype) in column order."""
    s = zero
    for j in range(z.shape[1]):
        s += np.exp(z[r, j] - mx)
    return s


@kernel()
def softmax_xent(t, z, n, loss, grad):
    """t, z, grad (m, c); loss (m,); n the gradient's divisor in z's dtype."""
    m, c = z.shape
    zero = n - n
    for r in range(m):
        mx = row_max(z, r)
        s = row_exp_sum(z, r, mx, zero)
        log_s = np.log(s)
        acc = zero
        tsum = zero
        for j in range(c):
            acc += t[r, j] * (z[r, j] - mx - log_s)
            tsum += t[r, j]
        loss[r] = -acc
        for j in range(c):
            grad[r, j] = (np.exp(z[r, j] - mx) / s * tsum - t[r, j]) / n


@kernel()
def sparse_softmax_xent(labels, z, n, loss, grad):
    """labels (m,) int64 in [0, c); z, grad (m, c); loss (m,)."""
    m, c = z.shape
    zero = n - n
    one = zero + 1
    for r in range(m):
        mx = row_max(z, r)
        s = row_exp_sum(z, r, mx, zero)
        k = labels[r]
        loss[r] = -(z[r, k] - mx - np.log(s))
        for j in range(c):
            g = np.exp(z[r, j] - mx) / s
            if j == k:
                g -= one
            grad[r, j] = g / n
