"""Reshape, Permute, RepeatVector, ZeroPadding1D/2D and Cropping1D/2D (channels last)."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .base import Layer, Shape, check_positive_int, check_rank, format_shape
from .window_args import check_channels_last


class Reshape(Layer):
    """(batch, *any) -> (batch, *target_shape); one entry of ``target_shape`` may be -1."""

    def __init__(self, target_shape: Sequence[int], **kwargs):
        super().__init__(**kwargs)
        target = tuple(target_shape)
        if sum(d == -1 for d in target) > 1 or any(
                isinstance(d, bool) or not isinstance(d, (int, np.integer)) or (d <= 0 and d != -1) for d in target):
            raise ValueError(f"Reshape: target_shape must hold positive ints and at most one -1, got {target_shape!r}")
        self.target_shape = tuple(int(d) for d in target)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        rest = input_shape[1:]
        if -1 not in self.target_shape:
            if None not in rest and math.prod(rest) != math.prod(self.target_shape):
                raise ValueError(f"Layer {self.name!r} (Reshape) cannot reshape input shape "
                                 f"{format_shape(input_shape)} to target_shape {self.target_shape}")
            return (input_shape[0], *self.target_shape)
        if None in rest:
            return (input_shape[0], *(None if d == -1 else d for d in self.target_shape))
        known = math.prod(d for d in self.target_shape if d != -1)
        total = math.prod(rest)
        if total % known:
            raise ValueError(f"Layer {self.name!r} (Reshape) cannot reshape input shape {format_shape(input_shape)} "
                             f"to target_shape {self.target_shape}: {total} is not a multiple of {known}")
        return (input_shape[0], *(total // known if d == -1 else d for d in self.target_shape))

    def forward(self, x, training=False):
        out = self.compute_output_shape((None, *x.shape[1:]))
        return x.reshape(x.shape[0], *out[1:]), x.shape

    def backward(self, shape, dy, need_dx=True):
        return dy.reshape(shape), {}

    def get_config(self) -> dict:
        return {**super().get_config(), "target_shape": self.target_shape}


class Permute(Layer):
    """Permutes the non-batch axes: ``dims`` is 1-based, as Keras
    (``Permute((2, 1))`` swaps the two axes after the batch axis)."""

    def __init__(self, dims: Sequence[int], **kwargs):
        super().__init__(**kwargs)
        self.dims = tuple(dims)
        if sorted(self.dims) != list(range(1, len(self.dims) + 1)):
            raise ValueError(f"Permute: dims must be a permutation of 1..{len(self.dims)}, got {dims!r}")

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        check_rank(self, input_shape, len(self.dims) + 1, f"inputs with {len(self.dims)} axes after the batch axis")
        return (input_shape[0], *(input_shape[d] for d in self.dims))

    def forward(self, x, training=False):
        self.compute_output_shape((None, *x.shape[1:]))
        return np.transpose(x, (0, *self.dims)), None

    def backward(self, cache, dy, need_dx=True):
        return np.transpose(dy, np.argsort((0, *self.dims))), {}

    def get_config(self) -> dict:
        return {**super().get_config(), "dims": self.dims}


class RepeatVector(Layer):
    """(batch, features) -> (batch, n, features)."""

    def __init__(self, n: int, **kwargs):
        super().__init__(**kwargs)
        self.n = check_positive_int("RepeatVector", "n", n)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        check_rank(self, input_shape, 2, "inputs (batch, features)")
        return (input_shape[0], self.n, input_shape[1])

    def forward(self, x, training=False):
        self.compute_output_shape((None, *x.shape[1:]))
        return np.repeat(x[:, None, :], self.n, axis=1), None

    def backward(self, cache, dy, need_dx=True):
        return dy.sum(axis=1), {}

    def get_config(self) -> dict:
        return {**super().get_config(), "n": self.n}


def _pair(layer_type: str, arg: str, value: Any) -> tuple[int, int]:
    """An int or 2 non-negative ints -> (before, after)."""
    pair = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    if len(pair) != 2 or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0 for v in pair):
        raise ValueError(f"{layer_type}: {arg} must be an int or a tuple of 2 non-negative ints, got {value!r}")
    return int(pair[0]), int(pair[1])


def _pairs2d(layer_type: str, arg: str, value: Any) -> tuple[tuple[int, int], tuple[int, int]]:
    """Keras's 2-D spec: an int, (symmetric_h, symmetric_w) or ((top, bottom), (left, right))."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{layer_type}: {arg} must have two entries (height, width), got {value!r}")
        return _pair(layer_type, f"1st entry of {arg}", value[0]), _pair(layer_type, f"2nd entry of {arg}", value[1])
    p = _pair(layer_type, arg, value)
    return p, p


class _Spatial(Layer):
    """Zero padding or cropping of the spatial axes of (batch, *spatial, channels)."""

    rank = 0
    arg = ""
    _layout = ""

    def __init__(self, amounts, data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        self.data_format = check_channels_last(kind, data_format)
        self._amounts = (_pair(kind, self.arg, amounts),) if self.rank == 1 else _pairs2d(kind, self.arg, amounts)
        setattr(self, self.arg, self._amounts[0] if self.rank == 1 else self._amounts)  # Keras's attribute

    sign = 1

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        check_rank(self, input_shape, self.rank + 2, f"inputs {self._layout}")
        out = list(input_shape)
        for i, (a, b) in enumerate(self._amounts, start=1):
            if out[i] is not None:
                out[i] += self.sign * (a + b)
                if out[i] <= 0:
                    raise ValueError(f"Layer {self.name!r} ({type(self).__name__}) with {self.arg} "
                                     f"{self._amounts} needs spatial axes longer than the cropping, "
                                     f"got input shape {format_shape(input_shape)}")
        return tuple(out)

    def _slices(self, shape) -> tuple:
        return (slice(None), *(slice(a, n - b) for (a, b), n in zip(self._amounts, shape[1:])), slice(None))


class _ZeroPadding(_Spatial):
    arg = "padding"

    def forward(self, x, training=False):
        self.compute_output_shape((None, *x.shape[1:]))
        return np.pad(x, ((0, 0), *self._amounts, (0, 0))), None

    def backward(self, cache, dy, need_dx=True):
        return dy[self._slices(dy.shape)], {}

    def get_config(self) -> dict:
        padding = self._amounts[0] if self.rank == 1 else self._amounts
        return {**super().get_config(), "padding": padding, "data_format": self.data_format}


class ZeroPadding1D(_ZeroPadding):
    """(batch, steps, c) -> (batch, steps + left + right, c); ``padding`` an int or (left, right)."""

    rank = 1
    _layout = "(batch, steps, channels)"

    def __init__(self, padding: int | tuple[int, int] = 1, data_format: str | None = None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class ZeroPadding2D(_ZeroPadding):
    """(batch, h, w, c) -> (batch, h + top + bottom, w + left + right, c)."""

    rank = 2
    _layout = "(batch, height, width, channels)"

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, **kwargs):
        super().__init__(padding, data_format, **kwargs)


class _Cropping(_Spatial):
    arg = "cropping"
    sign = -1

    def forward(self, x, training=False):
        self.compute_output_shape((None, *x.shape[1:]))
        return x[self._slices(x.shape)], x.shape

    def backward(self, shape, dy, need_dx=True):
        dx = np.zeros(shape, dtype=dy.dtype)
        dx[self._slices(shape)] = dy
        return dx, {}


class Cropping1D(_Cropping):
    """(batch, steps, c) -> (batch, steps − start − end, c); ``cropping`` an int or (start, end)."""

    rank = 1
    _layout = "(batch, steps, channels)"

    def __init__(self, cropping: int | tuple[int, int] = (1, 1), **kwargs):
        super().__init__(cropping, None, **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self._amounts[0]}


class Cropping2D(_Cropping):
    """(batch, h, w, c) -> (batch, h − top − bottom, w − left − right, c)."""

    rank = 2
    _layout = "(batch, height, width, channels)"

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None, **kwargs):
        super().__init__(cropping, data_format, **kwargs)

    def get_config(self) -> dict:
        return {**super().get_config(), "cropping": self._amounts, "data_format": self.data_format}
