"""Conv1D and Conv2D: channels-last convolutions with Keras's arguments and weight layout."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers, regularizers
from .. import ops
from .base import (ActivatedLayer, Shape, check_positive_int, check_rank, format_shape, serialize_initializer,
                   serialize_regularizer)
from .window_args import normalize_padding, normalize_tuple, spatial_output_lengths


class _Conv(ActivatedLayer):
    """Shared by Conv1D and Conv2D; ``rank`` is the number of spatial axes.

    Shapes: x (batch, *spatial, cin), kernel (*kernel_size, cin, filters),
    bias (filters,), y (batch, *out_spatial, filters), where each output
    length is ``(n - k) // s + 1`` ('valid') or ``ceil(n / s)`` ('same').
    """

    rank = 0
    _layout = ""

    def __init__(self, filters: int, kernel_size: int | tuple[int, ...], strides: int | tuple[int, ...] = 1,
                 padding: str = "valid", activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, **kwargs):
        super().__init__(activation=activation, **kwargs)
        kind = type(self).__name__
        self.filters = check_positive_int(kind, "filters", filters)
        self.kernel_size = normalize_tuple(kind, "kernel_size", kernel_size, self.rank)
        self.strides = normalize_tuple(kind, "strides", strides, self.rank)
        self.padding = normalize_padding(kind, padding)
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def build(self, input_shape: Shape) -> None:
        check_rank(self, input_shape, self.rank + 2, f"inputs {self._layout}")
        if input_shape[-1] is None:
            raise ValueError(f"Layer {self.name!r} ({type(self).__name__}) needs a known channel axis, "
                             f"got input shape {format_shape(input_shape)}")
        self.kernel = self.add_weight((*self.kernel_size, input_shape[-1], self.filters),
                                      self.kernel_initializer, "kernel", regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.bias = self.add_weight((self.filters,), self.bias_initializer, "bias",
                                        regularizer=self.bias_regularizer)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        kind = type(self).__name__
        check_rank(self, input_shape, self.rank + 2, f"inputs {self._layout}")
        if self.built and input_shape[-1] != self.params["kernel"].shape[-2]:
            raise ValueError(f"Layer {self.name!r} ({kind}) was built for {self.params['kernel'].shape[-2]} "
                             f"input channels, got input shape {format_shape(input_shape)}")
        out = spatial_output_lengths(self, input_shape, self.kernel_size, self.strides, self.padding,
                                     "kernel_size", "the kernel")
        return (input_shape[0], *out, self.filters)

    def forward_linear(self, x, training=False):
        if not isinstance(x, np.ndarray):
            raise TypeError(f"Layer {self.name!r} ({type(self).__name__}) expects a NumPy array, "
                            f"got {type(x).__name__}")
        self.compute_output_shape((None, *x.shape[1:]))
        return ops.conv(x, self.params["kernel"], self.strides, self.padding), self.params.get("bias"), x

    def backward_linear(self, x, dz, need_dx=True):
        dx, dkernel = ops.conv_backward(x, self.params["kernel"], dz, self.strides, self.padding, need_dx)
        if not self.use_bias:
            return dx, {"kernel": dkernel}
        return dx, {"kernel": dkernel, "bias": ops.bias_grad(dz.reshape(-1, self.filters))}

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "use_bias": self.use_bias,
                "kernel_initializer": serialize_initializer(self.kernel_initializer),
                "bias_initializer": serialize_initializer(self.bias_initializer),
                "kernel_regularizer": serialize_regularizer(self.kernel_regularizer),
                "bias_regularizer": serialize_regularizer(self.bias_regularizer)}


class Conv2D(_Conv):
    """2-D convolution (cross-correlation, as Keras), channels last.

    Shapes: x (batch, h, w, cin), kernel (kh, kw, cin, filters), bias (filters,),
    y (batch, oh, ow, filters). 'same' padding is split as TF splits it, the
    odd cell at the bottom/right.
    """

    rank = 2
    _layout = "(batch, height, width, channels)"



class Conv1D(_Conv):
    """1-D convolution over the steps axis, channels last.

    Shapes: x (batch, steps, cin), kernel (k, cin, filters), bias (filters,),
    y (batch, out_steps, filters).
    """

    rank = 1
    _layout = "(batch, steps, channels)"

