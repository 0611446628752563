"""Activation layers with arguments: ReLU, LeakyReLU, Softmax, ELU and PReLU (Keras's)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers, regularizers
from .base import Layer, Shape, format_shape
from .serialize import serialize_initializer, serialize_regularizer


def _check_number(layer_type: str, arg: str, value: Any, allow_none: bool = False) -> float | None:
    if value is None and allow_none:
        return None
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float, np.number)) or value < 0:
        raise ValueError(f"{layer_type}: {arg} must be a number >= 0, got {value!r}")
    return float(value)


class _Elementwise(Layer):
    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)


class ReLU(_Elementwise):
    """Keras's ReLU: ``x`` above ``threshold`` (clipped to ``max_value``),
    ``negative_slope·(x − threshold)`` below it. Shapes: y has x's shape."""

    def __init__(self, max_value: float | None = None, negative_slope: float = 0.0,
                 threshold: float = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.max_value = _check_number("ReLU", "max_value", max_value, allow_none=True)
        self.negative_slope = _check_number("ReLU", "negative_slope", negative_slope)
        self.threshold = _check_number("ReLU", "threshold", threshold)

    def forward(self, x, training=False):
        above = x > self.threshold
        y = np.where(above, x, 0).astype(x.dtype, copy=False)
        pass_through = above
        if self.max_value is not None:
            pass_through = above & (x < self.max_value)
            np.minimum(y, self.max_value, out=y)
        below = x < self.threshold
        if self.negative_slope:
            y -= self.negative_slope * np.where(below, self.threshold - x, 0)
        return y, (pass_through, below)

    def backward(self, cache, dy, need_dx=True):
        pass_through, below = cache
        return dy * pass_through + (self.negative_slope * dy) * below, {}

    def get_config(self) -> dict:
        return {**super().get_config(), "max_value": self.max_value,
                "negative_slope": self.negative_slope, "threshold": self.threshold}


class LeakyReLU(_Elementwise):
    """``x`` for x >= 0, ``negative_slope·x`` below. Shapes: y has x's shape."""

    def __init__(self, negative_slope: float = 0.3, **kwargs):
        if "alpha" in kwargs:  # Keras 3 still accepts Keras 2's name
            negative_slope = kwargs.pop("alpha")
        super().__init__(**kwargs)
        self.negative_slope = _check_number("LeakyReLU", "negative_slope", negative_slope)

    def forward(self, x, training=False):
        negative = x < 0
        return np.where(negative, self.negative_slope * x, x), negative

    def backward(self, negative, dy, need_dx=True):
        return np.where(negative, self.negative_slope * dy, dy), {}

    def get_config(self) -> dict:
        return {**super().get_config(), "negative_slope": self.negative_slope}


class ELU(_Elementwise):
    """``x`` for x > 0, ``alpha·(exp(x) − 1)`` otherwise. Shapes: y has x's shape."""

    def __init__(self, alpha: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.number)):
            raise ValueError(f"ELU: alpha must be a number, got {alpha!r}")
        self.alpha = float(alpha)

    def forward(self, x, training=False):
        positive = x > 0
        y = np.where(positive, x, self.alpha * np.expm1(np.minimum(x, 0)))
        return y, (positive, y)

    def backward(self, cache, dy, need_dx=True):
        positive, y = cache
        return np.where(positive, dy, dy * (y + self.alpha)), {}

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha": self.alpha}


class Softmax(_Elementwise):
    """Softmax over ``axis`` (an int or a tuple of ints). Shapes: y has x's shape."""

    def __init__(self, axis: int | tuple[int, ...] = -1, **kwargs):
        super().__init__(**kwargs)
        self.axis = tuple(axis) if isinstance(axis, (list, tuple)) else axis

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        rank = len(input_shape)
        for a in (self.axis if isinstance(self.axis, tuple) else (self.axis,)):
            if not -rank <= a < rank:
                raise ValueError(f"Layer {self.name!r} (Softmax) with axis={self.axis} needs an input of "
                                 f"rank > {a if a >= 0 else -a - 1}, got input shape {format_shape(input_shape)}")
        return tuple(input_shape)

    def forward(self, x, training=False):
        self.compute_output_shape(x.shape)
        e = np.exp(x - x.max(axis=self.axis, keepdims=True))
        y = e / e.sum(axis=self.axis, keepdims=True)
        return y, y

    def backward(self, y, dy, need_dx=True):
        return y * (dy - (dy * y).sum(axis=self.axis, keepdims=True)), {}

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis}


class PReLU(_Elementwise):
    """``max(x, 0) − alpha·max(−x, 0)`` with a learned ``alpha`` per input cell.

    Shapes: alpha has the input shape without the batch axis, size 1 on
    ``shared_axes`` (1-based, as Keras); y has x's shape.
    """

    def __init__(self, alpha_initializer: Any = "Zeros", alpha_regularizer: Any = None,
                 alpha_constraint: Any = None, shared_axes: int | list[int] | None = None, **kwargs):
        super().__init__(**kwargs)
        if alpha_constraint is not None:
            raise NotImplementedError("PReLU: alpha_constraint is not supported")
        self.alpha_initializer = initializers.get(alpha_initializer)
        self.alpha_regularizer = regularizers.get(alpha_regularizer)
        self.alpha_constraint = None
        if shared_axes is None or isinstance(shared_axes, (list, tuple)):
            self.shared_axes = None if shared_axes is None else list(shared_axes)
        else:
            self.shared_axes = [shared_axes]

    def build(self, input_shape: Shape) -> None:
        shape = list(input_shape[1:])
        for a in self.shared_axes or []:
            if not 1 <= a < len(input_shape):
                raise ValueError(f"Layer {self.name!r} (PReLU): shared_axes must be in [1, {len(input_shape) - 1}], "
                                 f"got {self.shared_axes} for input shape {format_shape(input_shape)}")
            shape[a - 1] = 1
        if None in shape:
            raise ValueError(f"Layer {self.name!r} (PReLU) needs known sizes on the axes not shared, "
                             f"got input shape {format_shape(input_shape)}")
        self.alpha = self.add_weight(tuple(shape), self.alpha_initializer, "alpha",
                                     regularizer=self.alpha_regularizer)

    def forward(self, x, training=False):
        negative = x < 0
        alpha = self.params["alpha"]
        return np.where(negative, alpha * x, x), (x, negative)

    def backward(self, cache, dy, need_dx=True):
        x, negative = cache
        alpha = self.params["alpha"]
        dalpha = np.where(negative, dy * x, 0)
        sum_axes = tuple(i for i in range(x.ndim) if i == 0 or alpha.shape[i - 1] == 1 != x.shape[i])
        dalpha = dalpha.sum(axis=sum_axes, keepdims=True)[0]
        dx = np.where(negative, alpha * dy, dy) if need_dx else None
        return dx, {"alpha": dalpha.reshape(alpha.shape)}

    def get_config(self) -> dict:
        return {**super().get_config(), "alpha_initializer": serialize_initializer(self.alpha_initializer),
                "alpha_regularizer": serialize_regularizer(self.alpha_regularizer),
                "alpha_constraint": None, "shared_axes": self.shared_axes}
