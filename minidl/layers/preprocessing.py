"""Preprocessing layers that compute: Rescaling and Normalization (Keras's)."""
from __future__ import annotations

import math
from typing import Any, Iterable

import numpy as np

from .base import Layer, Shape, format_shape

_EPSILON = 1e-7  # Keras's backend.epsilon(): the floor of the standard deviation


class Rescaling(Layer):
    """``y = x·scale + offset`` (scale and offset numbers or arrays broadcasting against x)."""

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs):
        super().__init__(**kwargs)
        self.scale, self.offset = scale, offset

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def forward(self, x, training=False):
        scale = np.asarray(self.scale, dtype=x.dtype)
        return (x * scale + np.asarray(self.offset, dtype=x.dtype)).astype(x.dtype, copy=False), x.shape

    def backward(self, shape, dy, need_dx=True):
        return np.broadcast_to(dy * np.asarray(self.scale, dtype=dy.dtype), shape).copy(), {}

    def get_config(self) -> dict:
        return {**super().get_config(), "scale": self.scale, "offset": self.offset}


class Normalization(Layer):
    """``y = (x − mean) / max(sqrt(variance), 1e-7)`` per position of ``axis``
    (``invert=True``: the inverse, ``mean + x·max(sqrt(variance), 1e-7)``).

    ``mean``/``variance`` given: constants, no weights (as Keras). Otherwise the layer
    has the non-trainable weights ``mean``, ``variance`` (shape: the input's sizes on
    ``axis``) and ``count`` (an int scalar), set by :meth:`adapt`. ``axis=None``: one
    mean and variance for everything.
    """

    def __init__(self, axis: int | tuple[int, ...] | None = -1, mean: Any = None, variance: Any = None,
                 invert: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.axis = () if axis is None else ((axis,) if isinstance(axis, int) else tuple(axis))
        if (mean is None) != (variance is None):
            raise ValueError(f"Normalization: give both mean and variance or neither, got mean={mean!r}, "
                             f"variance={variance!r}")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError(f"Normalization: mean and variance need one shape, got {np.shape(mean)} "
                                 f"and {np.shape(variance)}")
            if np.ndim(mean) > len(self.axis):
                raise ValueError(f"Normalization: mean has rank {np.ndim(mean)}, more than the "
                                 f"{len(self.axis)} axes of axis={axis!r}")
        self.input_mean, self.input_variance = mean, variance
        self.invert = bool(invert)

    def _keep(self, input_shape: Shape) -> tuple[int, ...]:
        rank = len(input_shape)
        if any(not -rank <= a < rank for a in self.axis):
            raise ValueError(f"Layer {self.name!r} (Normalization) with axis={self.axis} needs axes inside the "
                             f"input, got input shape {format_shape(input_shape)}")
        keep = tuple(sorted(a % rank for a in self.axis))
        if any(input_shape[a] is None for a in keep):
            raise ValueError(f"Layer {self.name!r} (Normalization) needs known sizes on axis {self.axis}, "
                             f"got input shape {format_shape(input_shape)}")
        return keep

    def build(self, input_shape: Shape) -> None:
        keep = self._keep(input_shape)
        self._broadcast_shape = tuple(input_shape[d] if d in keep else 1 for d in range(len(input_shape)))
        self._reduce_axes = tuple(d for d in range(len(input_shape)) if d not in keep)
        shape = tuple(input_shape[d] for d in keep)
        if self.input_mean is None:
            self.add_weight(shape, "zeros", "mean", trainable=False)
            self.add_weight(shape, "ones", "variance", trainable=False)
            self.add_weight((), "zeros", "count", trainable=False, dtype="int64")
            return
        mean, variance = (np.asarray(v, dtype=self.dtype) for v in (self.input_mean, self.input_variance))
        if mean.ndim:  # Keras aligns the given statistics with the last kept axes
            expanded = [1] * len(input_shape)
            for i in range(1, mean.ndim + 1):
                expanded[keep[-i]] = mean.shape[-i]
            mean, variance = mean.reshape(expanded), variance.reshape(expanded)
        self._constants = (np.broadcast_to(mean, self._broadcast_shape).copy(),
                           np.broadcast_to(variance, self._broadcast_shape).copy())

    def _statistics(self):
        if self.input_mean is not None:
            return self._constants
        return (self.state["mean"].reshape(self._broadcast_shape),
                self.state["variance"].reshape(self._broadcast_shape))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        keep = self._keep(input_shape)
        if self.built and any(input_shape[d] != self._broadcast_shape[d] for d in keep):
            raise ValueError(f"Layer {self.name!r} (Normalization) was built for sizes "
                             f"{tuple(self._broadcast_shape[d] for d in keep)} on axis {self.axis}, "
                             f"got input shape {format_shape(input_shape)}")
        return tuple(input_shape)

    def forward(self, x, training=False):
        self.compute_output_shape((None, *x.shape[1:]))
        mean, variance = self._statistics()
        std = np.maximum(np.sqrt(variance), _EPSILON).astype(x.dtype, copy=False)
        y = mean + x * std if self.invert else (x - mean) / std
        return y.astype(x.dtype, copy=False), std

    def backward(self, std, dy, need_dx=True):
        return (dy * std if self.invert else dy / std), {}

    def adapt(self, data: np.ndarray | Iterable[np.ndarray]) -> None:
        """Set ``mean`` and ``variance`` from data: one array, or an iterable of batches
        (combined as Keras combines them)."""
        batches = [np.asarray(data)] if isinstance(data, np.ndarray) else [np.asarray(b) for b in data]
        if not batches:
            raise ValueError(f"Layer {self.name!r} (Normalization).adapt got no data")
        if self.input_mean is not None:
            raise ValueError(f"Layer {self.name!r} (Normalization) was given mean and variance; it cannot adapt")
        shape = (None, *batches[0].shape[1:])
        if not self.built:
            self._maybe_build(shape)
        for b in batches:
            self.compute_output_shape((None, *b.shape[1:]))
        if len(batches) == 1:
            mean = batches[0].mean(axis=self._reduce_axes)
            var = batches[0].var(axis=self._reduce_axes)
        else:
            mean, var, count = 0.0, 0.0, 0
            for b in batches:
                b_mean, b_var = b.mean(axis=self._reduce_axes), b.var(axis=self._reduce_axes)
                b_count = math.prod(b.shape[d] for d in self._reduce_axes)
                count += b_count
                w = b_count / count
                new_mean = mean * (1 - w) + b_mean * w
                var = (var + (mean - new_mean) ** 2) * (1 - w) + (b_var + (b_mean - new_mean) ** 2) * w
                mean = new_mean
        self.state["mean"][...] = mean
        self.state["variance"][...] = var

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "invert": self.invert,
                "mean": np.array(self.input_mean).tolist(), "variance": np.array(self.input_variance).tolist()}
