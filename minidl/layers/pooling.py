"""Max and average pooling, 1-D and 2-D, channels last, with Keras's arguments.

The window arguments, the output shape and the config are shared
(``_Pooling``); each kind writes its forward/backward pair.
"""
from __future__ import annotations

from .. import ops
from .base import Layer, Shape, check_rank
from .window_args import check_channels_last, normalize_padding, normalize_tuple, spatial_output_lengths


class _Pooling(Layer):
    """``rank`` spatial axes; ``strides=None`` means ``strides = pool_size``
    (non-overlapping windows); only ``data_format='channels_last'``."""

    rank = 0
    _layout = ""

    def __init__(self, pool_size: int | tuple[int, ...], strides: int | tuple[int, ...] | None = None,
                 padding: str = "valid", data_format: str | None = None, **kwargs):
        super().__init__(**kwargs)
        kind = type(self).__name__
        self.data_format = check_channels_last(kind, data_format)
        self.pool_size = normalize_tuple(kind, "pool_size", pool_size, self.rank)
        self.strides = self.pool_size if strides is None else normalize_tuple(kind, "strides", strides, self.rank)
        self.padding = normalize_padding(kind, padding)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        check_rank(self, input_shape, self.rank + 2, f"inputs {self._layout}")
        out = spatial_output_lengths(self, input_shape, self.pool_size, self.strides, self.padding,
                                     "pool_size", "the pool size")
        return (input_shape[0], *out, input_shape[-1])

    def get_config(self) -> dict:
        return {**super().get_config(), "pool_size": self.pool_size, "strides": self.strides,
                "padding": self.padding, "data_format": self.data_format}


class _MaxPooling(_Pooling):
    """'same' padding pads with -inf, split as TF splits it. Backward routes each
    output gradient to the cell that won its window (the first one on a tie)."""

    def __init__(self, pool_size: int | tuple[int, ...] = 2, strides=None, padding: str = "valid",
                 data_format: str | None = None, **kwargs):
        super().__init__(pool_size, strides, padding, data_format, **kwargs)

    def forward(self, x, training=False):
        self.compute_output_shape((None, *x.shape[1:]))
        y, argmax = ops.max_pool_with_argmax(x, self.pool_size, self.strides, self.padding)
        return y, (argmax, x.shape)

    def backward(self, cache, dy, need_dx=True):
        argmax, x_shape = cache
        return ops.max_pool_backward(dy, argmax, x_shape, self.pool_size, self.strides, self.padding), {}


class _AveragePooling(_Pooling):
    """``pool_size`` is required (Keras 3 has no default). A 'same' window at the
    border averages only the cells inside the input (TF's rule, which Keras follows)."""

    def forward(self, x, training=False):
        self.compute_output_shape((None, *x.shape[1:]))
        return ops.average_pool(x, self.pool_size, self.strides, self.padding), x

    def backward(self, x, dy, need_dx=True):
        (dx,) = ops.average_pool.vjp(dy, None, x, self.pool_size, self.strides, self.padding)
        return dx, {}


class MaxPooling2D(_MaxPooling):
    """Shapes: x (batch, h, w, c) -> y (batch, oh, ow, c)."""

    rank = 2
    _layout = "(batch, height, width, channels)"


class MaxPooling1D(_MaxPooling):
    """Shapes: x (batch, steps, c) -> y (batch, out_steps, c)."""

    rank = 1
    _layout = "(batch, steps, channels)"


class AveragePooling2D(_AveragePooling):
    """Shapes: x (batch, h, w, c) -> y (batch, oh, ow, c)."""

    rank = 2
    _layout = "(batch, height, width, channels)"


class AveragePooling1D(_AveragePooling):
    """Shapes: x (batch, steps, c) -> y (batch, out_steps, c)."""

    rank = 1
    _layout = "(batch, steps, channels)"
