"""Reductions: NumPy references and their VJPs (Keras's argument names: axis, keepdims)."""
from __future__ import annotations

import numpy as np

from .tape import defop


def _axes(axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    axis = (axis,) if np.isscalar(axis) else tuple(axis)
    return tuple(a % ndim for a in axis)


def _expand(g, x, axis, keepdims):
    """The cotangent of a reduction, reshaped so that it broadcasts against x."""
    if keepdims or np.ndim(x) == 0:
        return g
    return np.expand_dims(g, _axes(axis, np.ndim(x)))


def _count(x, axis) -> int:
    return int(np.prod([np.shape(x)[a] for a in _axes(axis, np.ndim(x))]))


@defop("sum", lambda g, y, x, axis=None, keepdims=False:
       (np.broadcast_to(_expand(g, x, axis, keepdims), np.shape(x)),))
def sum(x, axis=None, keepdims=False):  # noqa: A001
    """Σ over ``axis`` (None: all axes)."""
    return np.sum(x, axis=axis, keepdims=keepdims)


@defop("mean", lambda g, y, x, axis=None, keepdims=False:
       (np.broadcast_to(_expand(g, x, axis, keepdims) / _count(x, axis), np.shape(x)),))
def mean(x, axis=None, keepdims=False):
    """Mean over ``axis`` (None: all axes)."""
    return np.mean(x, axis=axis, keepdims=keepdims)


def _vjp_extreme(g, y, x, axis=None, keepdims=False, initial=None):
    """The gradient is shared equally between tied extremes (as TF's reduce_max)."""
    hit = np.equal(x, _expand(y, x, axis, keepdims))
    share = hit / np.sum(hit, axis=axis, keepdims=True)
    return (_expand(g, x, axis, keepdims) * share,)


@defop("max", _vjp_extreme)
def max(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    """Largest value over ``axis``."""
    return np.max(x, axis=axis, keepdims=keepdims, initial=initial)


@defop("min", _vjp_extreme)
def min(x, axis=None, keepdims=False, initial=None):  # noqa: A001
    """Smallest value over ``axis``."""
    return np.min(x, axis=axis, keepdims=keepdims, initial=initial)


def _vjp_var(g, y, x, axis=None, keepdims=False):
    centred = x - np.mean(x, axis=axis, keepdims=True)
    return (_expand(g, x, axis, keepdims) * 2 * centred / _count(x, axis),)


@defop("var", _vjp_var)
def var(x, axis=None, keepdims=False):
    """Biased variance (divided by the count) over ``axis``."""
    return np.var(x, axis=axis, keepdims=keepdims)


@defop("logsumexp", lambda g, y, x, axis=None, keepdims=False:
       (_expand(g, x, axis, keepdims) * np.exp(x - _expand(y, x, axis, keepdims)),))
def logsumexp(x, axis=None, keepdims=False):
    """log Σ exp(x) over ``axis``, shifted by the max for stability."""
    m = np.max(x, axis=axis, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True)) + m
    return out if keepdims else np.squeeze(out, axis=_axes(axis, np.ndim(x)))


@defop("argmax")
def argmax(x, axis=None, keepdims=False):
    """Index of the largest value (integer; not differentiable)."""
    return np.argmax(x, axis=axis, keepdims=keepdims)


@defop("argmin")
def argmin(x, axis=None, keepdims=False):
    """Index of the smallest value (integer; not differentiable)."""
    return np.argmin(x, axis=axis, keepdims=keepdims)


def moments(x, axes, keepdims=False):
    """(mean, biased variance) over ``axes`` (Keras's ``ops.moments``); differentiable."""
    return mean(x, axis=axes, keepdims=keepdims), var(x, axis=axes, keepdims=keepdims)
