"""Merge layers: Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum (Dot is
in dot.py), and Keras's functional forms ``add``, ``concatenate``, ``dot``, ...."""
from __future__ import annotations

import numpy as np

from .base import Layer, Shape, format_shape
from .dot import Dot


class Concatenate(Layer):
    """Concatenates a list of inputs along ``axis`` (the last by default).

    Shapes: inputs (batch, ..., n_i) -> output (batch, ..., Σ n_i); all other
    axes must agree.
    """

    def __init__(self, axis: int = -1, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"Concatenate: axis must be an integer, got {axis!r}")
        self.axis = int(axis)

    def compute_output_shape(self, input_shape: list[Shape]) -> Shape:
        if not isinstance(input_shape, list) or len(input_shape) < 2:
            raise ValueError(f"Layer {self.name!r} (Concatenate) needs a list of at least 2 inputs, "
                             f"got {input_shape!r}")
        rank = len(input_shape[0])
        if not -rank <= self.axis < rank:
            raise ValueError(f"Layer {self.name!r} (Concatenate): axis={self.axis} is out of range for inputs "
                             f"of rank {rank} (shapes {', '.join(format_shape(t) for t in input_shape)}); "
                             f"use an axis in [{-rank}, {rank})")
        axis = self.axis % rank
        for s in input_shape:
            if len(s) != rank or any(a != b for i, (a, b) in enumerate(zip(s, input_shape[0]))
                                     if i != axis and a is not None and b is not None):
                raise ValueError(f"Layer {self.name!r} (Concatenate) on axis {self.axis} needs inputs that "
                                 f"agree on every other axis, got shapes "
                                 f"{', '.join(format_shape(t) for t in input_shape)}")
        sizes = [s[axis] for s in input_shape]
        out = list(input_shape[0])
        out[axis] = None if None in sizes else sum(sizes)
        return tuple(out)

    def forward(self, xs, training=False):
        self.compute_output_shape([(None, *x.shape[1:]) for x in xs])
        splits = np.cumsum([x.shape[self.axis] for x in xs])[:-1]
        return np.concatenate(xs, axis=self.axis), splits

    def backward(self, splits, dy, need_dx=True):
        return np.split(dy, splits, axis=self.axis), {}

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}


# ---- element-wise merges --------------------------------------------------------

def _broadcast_shape(layer: Layer, shapes: list[Shape]) -> Shape:
    """Keras's merge shape: equal ranks broadcast where a size is 1 (None stays unknown)."""
    out = list(shapes[0])
    for s in shapes[1:]:
        if len(s) != len(out):
            raise ValueError(f"Layer {layer.name!r} ({type(layer).__name__}) needs inputs of one rank, got shapes "
                             f"{', '.join(format_shape(t) for t in shapes)}")
        for i, (a, b) in enumerate(zip(out, s)):
            if a is None or b is None:
                out[i] = None
            elif a == 1 and i:
                out[i] = b
            elif a != b and (b != 1 or not i):
                raise ValueError(f"Layer {layer.name!r} ({type(layer).__name__}) needs inputs of broadcastable "
                                 f"shapes, got {', '.join(format_shape(t) for t in shapes)}")
    return tuple(out)


def _unbroadcast(g: np.ndarray, shape: tuple) -> np.ndarray:
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    return g.sum(axis=axes, keepdims=True) if axes else g


class _Merge(Layer):
    """A merge of a list of inputs of one shape (size-1 axes broadcast).

    Subclasses write ``_merge(xs) -> (y, cache)`` and ``_grads(cache, xs, dy) -> [dx_i]``
    with every dx_i of the output's shape (reduced to each input's shape here).
    """

    n_inputs: int | None = None  # exactly this many inputs, or at least 1 when None

    def compute_output_shape(self, input_shape: list[Shape]) -> Shape:
        kind = type(self).__name__
        if not isinstance(input_shape, list) or not input_shape or not isinstance(input_shape[0], (tuple, list)):
            raise ValueError(f"Layer {self.name!r} ({kind}) must be called on a list of inputs, "
                             f"got input shape {input_shape!r}")
        if self.n_inputs is not None and len(input_shape) != self.n_inputs:
            raise ValueError(f"Layer {self.name!r} ({kind}) needs exactly {self.n_inputs} inputs, "
                             f"got {len(input_shape)}")
        return _broadcast_shape(self, [tuple(s) for s in input_shape])

    def forward(self, xs, training=False):
        self.compute_output_shape([(None, *x.shape[1:]) for x in xs])
        y, cache = self._merge(xs)
        return y, (cache, xs)

    def backward(self, cache, dy, need_dx=True):
        cache, xs = cache
        if not need_dx:
            return None, {}
        return [_unbroadcast(g, x.shape) for g, x in zip(self._grads(cache, xs, dy), xs)], {}


class Add(_Merge):
    """Element-wise sum of the inputs. Shapes: each (batch, ...) -> (batch, ...)."""

    def _merge(self, xs):
        y = xs[0].copy() if len(xs) == 1 else xs[0] + xs[1]
        for x in xs[2:]:
            y += x
        return y, None

    def _grads(self, cache, xs, dy):
        return [dy] * len(xs)


class Subtract(_Merge):
    """``inputs[0] − inputs[1]`` (exactly two inputs)."""

    n_inputs = 2

    def _merge(self, xs):
        return xs[0] - xs[1], None

    def _grads(self, cache, xs, dy):
        return [dy, -dy]


class Multiply(_Merge):
    """Element-wise product of the inputs."""

    def _merge(self, xs):
        y = xs[0].copy()
        for x in xs[1:]:
            y = y * x
        return y, None

    def _grads(self, cache, xs, dy):
        grads = []
        for i in range(len(xs)):
            g = dy
            for j, x in enumerate(xs):  # the product of the others, no division (zeros are fine)
                if j != i:
                    g = g * x
            grads.append(g)
        return grads


class Average(_Merge):
    """Element-wise mean of the inputs."""

    def _merge(self, xs):
        y = xs[0].copy() if len(xs) == 1 else xs[0] + xs[1]
        for x in xs[2:]:
            y += x
        return y / len(xs), None

    def _grads(self, cache, xs, dy):
        return [dy / len(xs)] * len(xs)


class _Extremum(_Merge):
    """Maximum/Minimum: the gradient goes to the winning input, the first one on a tie
    (as Keras's pairwise fold with TF's maximum/minimum gradients)."""

    pick = staticmethod(np.argmax)

    def _merge(self, xs):
        stacked = np.stack(np.broadcast_arrays(*xs))
        winner = self.pick(stacked, axis=0)
        return np.take_along_axis(stacked, winner[None], axis=0)[0], winner

    def _grads(self, winner, xs, dy):
        return [np.where(winner == i, dy, 0).astype(dy.dtype, copy=False) for i in range(len(xs))]


class Maximum(_Extremum):
    """Element-wise maximum of the inputs."""

    pick = staticmethod(np.argmax)


class Minimum(_Extremum):
    """Element-wise minimum of the inputs."""

    pick = staticmethod(np.argmin)


# ---- Keras's functional forms ------------------------------------------------------

def add(inputs: list, **kwargs):
    """``Add(**kwargs)(inputs)``."""
    return Add(**kwargs)(inputs)


def subtract(inputs: list, **kwargs):
    """``Subtract(**kwargs)(inputs)``."""
    return Subtract(**kwargs)(inputs)


def multiply(inputs: list, **kwargs):
    """``Multiply(**kwargs)(inputs)``."""
    return Multiply(**kwargs)(inputs)


def average(inputs: list, **kwargs):
    """``Average(**kwargs)(inputs)``."""
    return Average(**kwargs)(inputs)


def maximum(inputs: list, **kwargs):
    """``Maximum(**kwargs)(inputs)``."""
    return Maximum(**kwargs)(inputs)


def minimum(inputs: list, **kwargs):
    """``Minimum(**kwargs)(inputs)``."""
    return Minimum(**kwargs)(inputs)


def concatenate(inputs: list, axis: int = -1, **kwargs):
    """``Concatenate(axis=axis, **kwargs)(inputs)``."""
    return Concatenate(axis=axis, **kwargs)(inputs)


def dot(inputs: list, axes: int | tuple[int, int] = -1, normalize: bool = False, **kwargs):
    """``Dot(axes=axes, normalize=normalize, **kwargs)(inputs)``."""
    return Dot(axes=axes, normalize=normalize, **kwargs)(inputs)
