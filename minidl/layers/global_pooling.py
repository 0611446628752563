"""GlobalAveragePooling1D/2D and GlobalMaxPooling1D/2D, channels last, Keras's ``keepdims``."""
from __future__ import annotations

import numpy as np

from .base import Layer, Shape, check_rank
from .window_args import check_channels_last


class _GlobalPooling(Layer):
    """Reduces the spatial axes (1 .. rank) of (batch, *spatial, channels).

    Shapes: (batch, *spatial, c) -> (batch, c), or (batch, 1, [1,] c) with keepdims.
    """

    rank = 0
    _layout = ""

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.data_format = check_channels_last(type(self).__name__, data_format)
        self.keepdims = bool(keepdims)

    @property
    def _axes(self) -> tuple[int, ...]:
        return tuple(range(1, self.rank + 1))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        check_rank(self, input_shape, self.rank + 2, f"inputs {self._layout}")
        if self.keepdims:
            return (input_shape[0], *([1] * self.rank), input_shape[-1])
        return (input_shape[0], input_shape[-1])

    def _expand(self, dy):
        """dy reshaped to broadcast against the input."""
        return dy if self.keepdims else dy.reshape(dy.shape[0], *([1] * self.rank), dy.shape[-1])

    def get_config(self) -> dict:
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


class _GlobalAverage(_GlobalPooling):
    def forward(self, x, training=False):
        self.compute_output_shape((None, *x.shape[1:]))
        return x.mean(axis=self._axes, keepdims=self.keepdims), x.shape

    def backward(self, shape, dy, need_dx=True):
        cells = int(np.prod(shape[1:-1]))
        return np.broadcast_to(self._expand(dy) / cells, shape).copy(), {}


class _GlobalMax(_GlobalPooling):
    """Backward splits the gradient evenly among the tied maxima of a channel
    (TF's reduce_max gradient does the same)."""

    def forward(self, x, training=False):
        self.compute_output_shape((None, *x.shape[1:]))
        y = x.max(axis=self._axes, keepdims=True)
        return (y if self.keepdims else y.reshape(x.shape[0], x.shape[-1])), (x, y)

    def backward(self, cache, dy, need_dx=True):
        x, y = cache
        winners = x == y
        share = self._expand(dy) / winners.sum(axis=self._axes, keepdims=True)
        return np.where(winners, share, 0).astype(dy.dtype, copy=False), {}


class GlobalAveragePooling1D(_GlobalAverage):
    """Mean over the steps: (batch, steps, c) -> (batch, c)."""

    rank = 1
    _layout = "(batch, steps, channels)"


class GlobalAveragePooling2D(_GlobalAverage):
    """Mean over height and width: (batch, h, w, c) -> (batch, c)."""

    rank = 2
    _layout = "(batch, height, width, channels)"


class GlobalMaxPooling1D(_GlobalMax):
    """Max over the steps: (batch, steps, c) -> (batch, c)."""

    rank = 1
    _layout = "(batch, steps, channels)"


class GlobalMaxPooling2D(_GlobalMax):
    """Max over height and width: (batch, h, w, c) -> (batch, c)."""

    rank = 2
    _layout = "(batch, height, width, channels)"
