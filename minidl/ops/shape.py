"""Shape, indexing and selection ops: NumPy references and their VJPs (Keras's argument orders)."""
from __future__ import annotations

import numpy as np

from .tape import defop


@defop("reshape", lambda g, y, x, newshape: (g.reshape(np.shape(x)), None))
def reshape(x, newshape):
    """x with shape ``newshape`` (one -1 allowed)."""
    return np.reshape(x, newshape)


@defop("transpose", lambda g, y, x, axes=None:
       (np.transpose(g, None if axes is None else np.argsort(axes)),))
def transpose(x, axes=None):
    """Axes permuted (default: reversed)."""
    return np.transpose(x, axes)


@defop("expand_dims", lambda g, y, x, axis: (g.reshape(np.shape(x)), None))
def expand_dims(x, axis):
    """x with a length-1 axis inserted at ``axis``."""
    return np.expand_dims(x, axis)


@defop("squeeze", lambda g, y, x, axis=None: (g.reshape(np.shape(x)),))
def squeeze(x, axis=None):
    """x without its length-1 axes (or only ``axis``)."""
    return np.squeeze(x, axis=axis)


@defop("broadcast_to", lambda g, y, x, shape: (g, None))
def broadcast_to(x, shape):
    """x broadcast to ``shape`` (the tape sums the cotangent back)."""
    return np.broadcast_to(x, shape)


def _vjp_concatenate(g, y, xs, axis=0):
    bounds = np.cumsum([np.shape(x)[axis] for x in xs])[:-1]
    return (np.split(g, bounds, axis=axis),)


@defop("concatenate", _vjp_concatenate)
def concatenate(xs, axis=0):
    """The arrays of ``xs`` joined along ``axis``."""
    return np.concatenate(xs, axis=axis)


@defop("stack", lambda g, y, xs, axis=0: ([np.take(g, i, axis=axis) for i in range(len(xs))],))
def stack(x, axis=0):
    """The arrays of the list ``x`` stacked along a new ``axis``."""
    return np.stack(x, axis=axis)


def _vjp_get_item(g, y, x, key):
    dx = np.zeros(np.shape(x), dtype=g.dtype)
    np.add.at(dx, key, g)  # repeated indices accumulate
    return dx, None


@defop("get_item", _vjp_get_item)
def get_item(x, key):
    """x[key] (NumPy basic or advanced indexing): what ``tensor[key]`` records."""
    return x[key]


def _vjp_take(g, y, x, indices, axis=None):
    if axis is None:
        dx = np.zeros(np.size(x), dtype=g.dtype)
        np.add.at(dx, np.reshape(indices, -1), np.reshape(g, -1))
        return dx.reshape(np.shape(x)), None
    axis = axis % np.ndim(x)
    moved = np.zeros(np.moveaxis(np.zeros(np.shape(x), bool), axis, 0).shape, dtype=g.dtype)
    gm = np.moveaxis(g, tuple(range(axis, axis + np.ndim(indices))), tuple(range(np.ndim(indices))))
    np.add.at(moved, np.asarray(indices), gm)
    return np.moveaxis(moved, 0, axis), None


@defop("take", _vjp_take)
def take(x, indices, axis=None):
    """x's entries at integer ``indices`` along ``axis`` (None: of the flattened x)."""
    return np.take(x, indices, axis=axis)


def _vjp_take_along_axis(g, y, x, indices, axis=None):
    dx = np.zeros(np.shape(x), dtype=g.dtype)
    idx = list(np.indices(np.shape(indices), sparse=True))
    idx[axis] = indices
    np.add.at(dx, tuple(idx), g)
    return dx, None


@defop("take_along_axis", _vjp_take_along_axis)
def take_along_axis(x, indices, axis=None):
    """np.take_along_axis (``axis`` required here)."""
    return np.take_along_axis(x, indices, axis=axis)


@defop("where", lambda g, y, c, a, b: (None, np.where(c, g, 0), np.where(c, 0, g)))
def where(condition, x1, x2):
    """x1 where ``condition`` else x2 (broadcast)."""
    return np.where(condition, x1, x2)


@defop("clip", lambda g, y, x, x_min, x_max:
       (g * ((np.asarray(x) >= x_min) & (np.asarray(x) <= x_max)), None, None))
def clip(x, x_min, x_max):
    """x limited to [x_min, x_max]; no gradient where it was clipped."""
    return np.clip(x, x_min, x_max)


@defop("cast", lambda g, y, x, dtype: (g.astype(np.result_type(x)), None))
def cast(x, dtype):
    """x converted to ``dtype`` (a gradient flows between float dtypes only)."""
    return np.asarray(x).astype(dtype)


@defop("one_hot")
def one_hot(x, num_classes, axis=-1, dtype=None):
    """Integer labels x (...) -> (..., num_classes) one-hot floats (``axis`` places the classes)."""
    x = np.asarray(x)
    out = (x[..., None] == np.arange(num_classes)).astype(dtype or "float32")
    return np.moveaxis(out, -1, axis) if axis != -1 else out


@defop("zeros_like")
def zeros_like(x, dtype=None):
    """Zeros of x's shape (constant)."""
    return np.zeros_like(x, dtype=dtype)


@defop("ones_like")
def ones_like(x, dtype=None):
    """Ones of x's shape (constant)."""
    return np.ones_like(x, dtype=dtype)


def _vjp_pad(g, y, x, pad_width, mode="constant", constant_values=0):
    pw = np.broadcast_to(np.asarray(pad_width), (np.ndim(x), 2))
    return g[tuple(slice(lo, g.shape[i] - hi) for i, (lo, hi) in enumerate(pw))], None


@defop("pad", _vjp_pad)
def pad(x, pad_width, mode="constant", constant_values=0):
    """x padded with ``constant_values`` (only mode 'constant' is differentiable)."""
    if mode != "constant":
        raise ValueError(f"minidl.ops.pad: mode {mode!r} is not supported; use 'constant'")
    return np.pad(x, pad_width, mode=mode, constant_values=constant_values)


def flatten(x):
    """x (n, ...) -> (n, prod(...)) (recorded as a reshape)."""
    return reshape(x, (np.shape(x)[0], -1))


def _creation_dtype(dtype):
    from .. import config
    return np.dtype(config.floatx() if dtype is None else dtype)


def zeros(shape, dtype=None) -> np.ndarray:
    """Zeros of ``shape``, dtype floatx unless given (Keras's ``ops.zeros``; a constant)."""
    return np.zeros(shape, dtype=_creation_dtype(dtype))


def ones(shape, dtype=None) -> np.ndarray:
    """Ones of ``shape``, dtype floatx unless given (Keras's ``ops.ones``; a constant)."""
    return np.ones(shape, dtype=_creation_dtype(dtype))


def full(shape, fill_value, dtype=None) -> np.ndarray:
    """``fill_value`` everywhere in ``shape``, dtype floatx unless given (Keras's ``ops.full``)."""
    return np.full(shape, fill_value, dtype=_creation_dtype(dtype))
