"""Optimizer updates with the L2 penalty's gradient folded in, one pass per weight.

Term for term the operations of ``minidl.ops.update``'s references (which are
``minidl.optimizers``'s SGD and Adam after ``grad += 2·l2·param``), element by
element, so the bits are the same; fastmath is off, so no multiply-add is fused.
Flat C-contiguous arrays; each call updates elements lo:hi (blocks own their elements).
Each kernel loops over slices with ``range(size)``, so the index is known to be
non-negative: with ``range(lo, hi)`` on the whole arrays Numba's negative-index
wraparound kept the loop scalar (140 µs per 3072×100 float32 SGD+L2 update,
slower than NumPy's separate passes at 92 µs; sliced: 50 µs).
"""
from __future__ import annotations

import numpy as np

from ._jit import kernel


@kernel()
def sgd_l2_rows(param, grad, two_l2, lr, lo, hi):
    """w -= (grad + two_l2·w)·lr."""
    p, g = param[lo:hi], grad[lo:hi]
    for e in range(p.size):
        p[e] -= (g[e] + two_l2 * p[e]) * lr


@kernel()
def sgd_rows(param, grad, lr, lo, hi):
    """w -= grad·lr."""
    p, g = param[lo:hi], grad[lo:hi]
    for e in range(p.size):
        p[e] -= g[e] * lr


@kernel()
def sgd_momentum_rows(param, grad, two_l2, lr, momentum, m, nesterov, lo, hi):
    """g = grad + two_l2·w; m = m·momentum − g·lr; w += m (Nesterov: w += m·momentum − g·lr).
    two_l2 = 0 means no penalty (the driver passes ``use_l2``-free kernels otherwise)."""
    p, gr, ms = param[lo:hi], grad[lo:hi], m[lo:hi]
    if two_l2 != 0:
        for e in range(p.size):
            g = gr[e] + two_l2 * p[e]
            v = ms[e] * momentum - g * lr
            ms[e] = v
            p[e] += (v * momentum - g * lr) if nesterov else v
    else:
        for e in range(p.size):
            g = gr[e]
            v = ms[e] * momentum - g * lr
            ms[e] = v
            p[e] += (v * momentum - g * lr) if nesterov else v


@kernel()
def adam_rows(param, grad, two_l2, alpha, one_m_b1, one_m_b2, eps, m, v, lo, hi):
    """g = grad + two_l2·w (two_l2 = 0: g = grad); m += (g − m)·(1−β₁); v += (g² − v)·(1−β₂);
    w −= (m·α) / (√v + ε)."""
    p, gr, ms, vs = param[lo:hi], grad[lo:hi], m[lo:hi], v[lo:hi]
    if two_l2 != 0:
        for e in range(p.size):
            g = gr[e] + two_l2 * p[e]
            mm = ms[e] + (g - ms[e]) * one_m_b1
            vv = vs[e] + (g * g - vs[e]) * one_m_b2
            ms[e] = mm
            vs[e] = vv
            p[e] -= (mm * alpha) / (np.sqrt(vv) + eps)
    else:
        for e in range(p.size):
            g = gr[e]
            mm = ms[e] + (g - ms[e]) * one_m_b1
            vv = vs[e] + (g * g - vs[e]) * one_m_b2
            ms[e] = mm
            vs[e] = vv
            p[e] -= (mm * alpha) / (np.sqrt(vv) + eps)


# ---- guarded: the trainer's backup written in the same pass, and a finiteness flag -----------
# Each kernel below copies the old values of param (and of the slots it changes) into the
# backup arrays as it reads them, does exactly the update of its unguarded twin, and returns
# whether every new param value is finite. ``v - v == 0`` is False exactly for NaN and ±inf;
# an and-reduction over booleans needs no ordered float sum, so the loop stays vectorised.

@kernel()
def sgd_guarded_rows(param, grad, two_l2, lr, backup, lo, hi):
    """backup = w; w -= (grad + two_l2·w)·lr (two_l2 = 0: w -= grad·lr); all new w finite?"""
    p, g, b = param[lo:hi], grad[lo:hi], backup[lo:hi]
    ok = True
    if two_l2 != 0:
        for e in range(p.size):
            w = p[e]
            b[e] = w
            w -= (g[e] + two_l2 * w) * lr
            p[e] = w
            ok &= w - w == 0
    else:
        for e in range(p.size):
            w = p[e]
            b[e] = w
            w -= g[e] * lr
            p[e] = w
            ok &= w - w == 0
    return ok


@kernel()
def sgd_momentum_guarded_rows(param, grad, two_l2, lr, momentum, m, nesterov, backup, m_backup, lo, hi):
    """``sgd_momentum_rows`` with backup = w, m_backup = m first; all new w finite?"""
    p, gr, ms, b, bm = param[lo:hi], grad[lo:hi], m[lo:hi], backup[lo:hi], m_backup[lo:hi]
    ok = True
    for e in range(p.size):
        w, mo = p[e], ms[e]
        b[e] = w
        bm[e] = mo
        g = gr[e] + two_l2 * w if two_l2 != 0 else gr[e]
        v = mo * momentum - g * lr
        ms[e] = v
        w += (v * momentum - g * lr) if nesterov else v
        p[e] = w
        ok &= w - w == 0
    return ok


@kernel()
def adam_guarded_rows(param, grad, two_l2, alpha, one_m_b1, one_m_b2, eps, m, v, backup, m_backup, v_backup,
                      lo, hi):
    """``adam_rows`` with backup = w, m_backup = m, v_backup = v first; all new w finite?"""
    p, gr, ms, vs = param[lo:hi], grad[lo:hi], m[lo:hi], v[lo:hi]
    b, bm, bv = backup[lo:hi], m_backup[lo:hi], v_backup[lo:hi]
    ok = True
    for e in range(p.size):
        w, m0, v0 = p[e], ms[e], vs[e]
        b[e] = w
        bm[e] = m0
        bv[e] = v0
        g = gr[e] + two_l2 * w if two_l2 != 0 else gr[e]
        mm = m0 + (g - m0) * one_m_b1
        vv = v0 + (g * g - v0) * one_m_b2
        ms[e] = mm
        vs[e] = vv
        w -= (mm * alpha) / (np.sqrt(vv) + eps)
        p[e] = w
        ok &= w - w == 0
    return ok
