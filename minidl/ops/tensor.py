"""The value a recorded function sees: an array whose Python operators go through ``minidl.ops``.

Only ``autodiff.record`` makes Tensors. ``__array_ufunc__ = None`` makes
``ndarray + Tensor`` defer to ``Tensor.__radd__`` (so the op is recorded), and
``np.asarray(tensor)`` raises instead of silently leaving the tape.
"""
from __future__ import annotations

import numpy as np


def _ops():
    from .. import ops  # noqa: PLC0415  (the package imports tape, which imports this module)
    return ops


class Tensor:
    """A recorded array: ``value`` (the ndarray), ``index`` on its ``tape``."""

    __slots__ = ("value", "index", "tape")
    __array_ufunc__ = None
    __hash__ = object.__hash__

    def __init__(self, value: np.ndarray, index: int, tape):
        self.value, self.index, self.tape = value, index, tape

    def __array__(self, dtype=None, copy=None):
        raise TypeError("a minidl Tensor cannot become a NumPy array inside a recorded call "
                        "(the gradient would be lost): use minidl.ops functions on it")

    def __repr__(self) -> str:
        return f"Tensor(shape={self.shape}, dtype={self.dtype})"

    shape = property(lambda self: self.value.shape)
    ndim = property(lambda self: self.value.ndim)
    dtype = property(lambda self: self.value.dtype)
    size = property(lambda self: self.value.size)
    T = property(lambda self: _ops().transpose(self))

    def __len__(self) -> int:
        return len(self.value)

    def reshape(self, *shape):
        return _ops().reshape(self, shape[0] if len(shape) == 1 else shape)

    def __getitem__(self, key):
        return _ops().get_item(self, key)

    def sum(self, axis=None, keepdims=False):
        return _ops().sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return _ops().mean(self, axis=axis, keepdims=keepdims)

    def astype(self, dtype):
        return _ops().cast(self, dtype)

    __add__ = lambda self, o: _ops().add(self, o)          # noqa: E731
    __radd__ = lambda self, o: _ops().add(o, self)         # noqa: E731
    __sub__ = lambda self, o: _ops().subtract(self, o)     # noqa: E731
    __rsub__ = lambda self, o: _ops().subtract(o, self)    # noqa: E731
    __mul__ = lambda self, o: _ops().multiply(self, o)     # noqa: E731
    __rmul__ = lambda self, o: _ops().multiply(o, self)    # noqa: E731
    __truediv__ = lambda self, o: _ops().divide(self, o)   # noqa: E731
    __rtruediv__ = lambda self, o: _ops().divide(o, self)  # noqa: E731
    __pow__ = lambda self, o: _ops().power(self, o)        # noqa: E731
    __rpow__ = lambda self, o: _ops().power(o, self)       # noqa: E731
    __matmul__ = lambda self, o: _ops().matmul(self, o)    # noqa: E731
    __rmatmul__ = lambda self, o: _ops().matmul(o, self)   # noqa: E731
    __neg__ = lambda self: _ops().negative(self)           # noqa: E731
    __pos__ = lambda self: self                            # noqa: E731
    __abs__ = lambda self: _ops().abs(self)                # noqa: E731
    __lt__ = lambda self, o: _ops().less(self, o)          # noqa: E731
    __le__ = lambda self, o: _ops().less_equal(self, o)    # noqa: E731
    __gt__ = lambda self, o: _ops().greater(self, o)       # noqa: E731
    __ge__ = lambda self, o: _ops().greater_equal(self, o)  # noqa: E731
    __eq__ = lambda self, o: _ops().equal(self, o)         # noqa: E731
    __ne__ = lambda self, o: _ops().not_equal(self, o)     # noqa: E731
