"""Optimizer updates with the L2 penalty's gradient folded in, one pass per weight.

Term for term the operations of ``minidl.ops.update``'s references (which are
``minidl.optimizers``'s SGD and Adam after ``grad += 2·l2·param``), element by
element, so the bits are the same; fastmath is off, so no multiply-add is fused.
Flat C-contiguous arrays; each call updates elements lo:hi (blocks own their elements).
"""
from __future__ import annotations

import numpy as np

from ._jit import kernel


@kernel()
def sgd_rows(param, grad, two_l2, use_l2, lr, momentum, m, use_momentum, nesterov, lo, hi):
    """g = grad + two_l2·param (when use_l2), then w -= g·lr, or m = m·momentum − g·lr;
    w += m (Nesterov: w += m·momentum − g·lr). grad is not changed."""
    for e in range(lo, hi):
        g = grad[e] + two_l2 * param[e] if use_l2 else grad[e]
        if use_momentum:
            v = m[e] * momentum - g * lr
            m[e] = v
            param[e] += (v * momentum - g * lr) if nesterov else v
        else:
            param[e] -= g * lr


@kernel()
def adam_rows(param, grad, two_l2, use_l2, alpha, one_m_b1, one_m_b2, eps, m, v, lo, hi):
    """g = grad + two_l2·param (when use_l2); m += (g − m)·(1−β₁); v += (g² − v)·(1−β₂);
    w −= (m·α) / (√v + ε)."""
    for e in range(lo, hi):
        g = grad[e] + two_l2 * param[e] if use_l2 else grad[e]
        mm = m[e] + (g - m[e]) * one_m_b1
        vv = v[e] + (g * g - v[e]) * one_m_b2
        m[e] = mm
        v[e] = vv
        param[e] -= (mm * alpha) / (np.sqrt(vv) + eps)
