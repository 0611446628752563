"""Elementwise arithmetic, comparisons and the matrix products: NumPy references and their VJPs.

Shapes: binary ops broadcast as NumPy does; the tape sums each cotangent back
to its argument's shape, so the VJPs below return full-shape cotangents.
"""
from __future__ import annotations

import numpy as np

from .tape import defop


def _vjp_add(g, y, a, b):
    return g, g


def _vjp_subtract(g, y, a, b):
    return g, -g


def _vjp_multiply(g, y, a, b):
    return g * b, g * a


def _vjp_divide(g, y, a, b):
    return g / b, -g * y / b


@defop("add", _vjp_add)
def add(x1, x2):
    """x1 + x2 (broadcast)."""
    return np.add(x1, x2)


@defop("subtract", _vjp_subtract)
def subtract(x1, x2):
    """x1 - x2 (broadcast)."""
    return np.subtract(x1, x2)


@defop("multiply", _vjp_multiply)
def multiply(x1, x2):
    """x1 * x2 (broadcast)."""
    return np.multiply(x1, x2)


@defop("divide", _vjp_divide)
def divide(x1, x2):
    """x1 / x2 (broadcast)."""
    return np.true_divide(x1, x2)


def _vjp_power(g, y, a, b):
    da = g * b * np.power(a, np.subtract(b, 1))
    # d/db a**b = a**b·log a, defined where a > 0 (0 elsewhere, as TF's pow gradient)
    db = g * y * np.log(np.where(np.greater(a, 0), a, 1))
    return da, db


@defop("power", _vjp_power)
def power(x1, x2):
    """x1 ** x2 (broadcast)."""
    return np.power(x1, x2)


def _vjp_maximum(g, y, a, b):
    pick_a = np.greater_equal(a, b)  # ties go to the first argument
    return g * pick_a, g * ~pick_a


def _vjp_minimum(g, y, a, b):
    pick_a = np.less_equal(a, b)
    return g * pick_a, g * ~pick_a


@defop("maximum", _vjp_maximum)
def maximum(x1, x2):
    """Elementwise max (broadcast); the gradient goes to x1 on ties."""
    return np.maximum(x1, x2)


@defop("minimum", _vjp_minimum)
def minimum(x1, x2):
    """Elementwise min (broadcast); the gradient goes to x1 on ties."""
    return np.minimum(x1, x2)


def _unary(name: str, fn, vjp, doc: str):
    def ref(x):
        return fn(x)
    ref.__name__ = ref.__qualname__ = name
    ref.__doc__ = doc
    return defop(name, vjp)(ref)


negative = _unary("negative", np.negative, lambda g, y, x: (-g,), "-x.")
exp = _unary("exp", np.exp, lambda g, y, x: (g * y,), "e**x.")
expm1 = _unary("expm1", np.expm1, lambda g, y, x: (g * (y + 1),), "e**x - 1, accurate near 0.")
log = _unary("log", np.log, lambda g, y, x: (g / x,), "Natural logarithm.")
log1p = _unary("log1p", np.log1p, lambda g, y, x: (g / (1 + x),), "log(1 + x), accurate near 0.")
sqrt = _unary("sqrt", np.sqrt, lambda g, y, x: (g / (2 * y),), "Square root.")
square = _unary("square", np.square, lambda g, y, x: (2 * g * x,), "x**2.")
abs = _unary("abs", np.abs, lambda g, y, x: (g * np.sign(x),), "|x| (gradient sign(x), 0 at 0).")  # noqa: A001
sin = _unary("sin", np.sin, lambda g, y, x: (g * np.cos(x),), "Sine.")
cos = _unary("cos", np.cos, lambda g, y, x: (-g * np.sin(x),), "Cosine.")
reciprocal = _unary("reciprocal", np.reciprocal, lambda g, y, x: (-g * y * y,), "1 / x.")
absolute = abs
sign = _unary("sign", np.sign, None, "Sign of x (not differentiable).")
floor = _unary("floor", np.floor, None, "Floor (not differentiable).")
round = _unary("round", np.round, None, "Round half to even (not differentiable).")  # noqa: A001


def _compare(name: str, fn):
    def ref(x1, x2):
        return fn(x1, x2)
    ref.__name__ = ref.__qualname__ = name
    ref.__doc__ = f"np.{fn.__name__}(x1, x2): a boolean array (no gradient flows)."
    return defop(name)(ref)


equal = _compare("equal", np.equal)
not_equal = _compare("not_equal", np.not_equal)
less = _compare("less", np.less)
less_equal = _compare("less_equal", np.less_equal)
greater = _compare("greater", np.greater)
greater_equal = _compare("greater_equal", np.greater_equal)
logical_and = _compare("logical_and", np.logical_and)
logical_or = _compare("logical_or", np.logical_or)


@defop("logical_not")
def logical_not(x):
    """not x, elementwise (boolean)."""
    return np.logical_not(x)


def _vjp_matmul(g, y, a, b):
    """1-D operands are promoted as NumPy does (a -> (1, k), b -> (k, 1)); the tape sums
    broadcast batch axes back to each operand's shape."""
    if a.ndim == 1 and b.ndim == 1:
        return g * b, g * a
    a2 = a[None] if a.ndim == 1 else a
    b2 = b[:, None] if b.ndim == 1 else b
    g2 = np.expand_dims(g, -2) if a.ndim == 1 else g
    g2 = np.expand_dims(g2, -1) if b.ndim == 1 else g2
    da = matmul(g2, np.swapaxes(b2, -1, -2))
    db = matmul(np.swapaxes(a2, -1, -2), g2)
    return (da[..., 0, :] if a.ndim == 1 else da), (db[..., 0] if b.ndim == 1 else db)


@defop("matmul", _vjp_matmul)
def matmul(x1, x2):
    """x1 (..., m, k) @ x2 (..., k, n) -> (..., m, n), NumPy's rules for 1-D operands.

    The Numba backend runs 2-D float products as blocks of single-threaded BLAS
    (deterministic for any thread count)."""
    return np.matmul(x1, x2)


@defop("dot", lambda g, y, a, b: _vjp_matmul(g, y, a, b) if np.ndim(a) and np.ndim(b) else (g * b, g * a))
def dot(x1, x2):
    """np.dot for 0-, 1- and 2-D operands (matmul there; Keras's ``ops.dot``)."""
    if np.ndim(x1) > 2 or np.ndim(x2) > 2:
        raise ValueError("minidl.ops.dot: operands of rank > 2 are not supported; use matmul or einsum")
    return np.dot(x1, x2)
