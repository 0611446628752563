"""Conv1DTranspose and Conv2DTranspose: Keras's arguments, weight layout and output shapes."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers, regularizers
from .. import ops
from ..ops.conv_transpose import transpose_output_length
from ..ops.padding import output_length
from .base import (ActivatedLayer, Shape, check_positive_int, check_rank, format_shape, serialize_initializer,
                   serialize_regularizer)
from .conv_args import check_data_format, check_dilation, check_no_constraints, check_output_padding
from .window_args import normalize_padding, normalize_tuple


class _ConvTranspose(ActivatedLayer):
    """Shared by Conv1DTranspose and Conv2DTranspose; ``rank`` is the number of spatial axes.

    Shapes: x (batch, *spatial, cin), kernel (*kernel_size, filters, cin) (Keras's
    order: the transposed kernel is that of the conv mapping the output back to
    the input), bias (filters,), y (batch, *out_spatial, filters), each output
    length ``(n - 1)·s + max(k, s)`` ('valid') or ``n·s`` ('same') when
    ``output_padding`` is None, ``(n - 1)·s + k + p`` / ``(n - 1)·s + k % 2 + p``
    with ``output_padding`` p.
    """

    rank = 0
    _layout = ""

    def __init__(self, filters: int, kernel_size: int | tuple[int, ...], strides: int | tuple[int, ...] = 1,
                 padding: str = "valid", output_padding: int | tuple[int, ...] | None = None,
                 data_format: str | None = None, dilation_rate: int | tuple[int, ...] = 1,
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, **kwargs):
        kind = type(self).__name__
        # every check before any attribute is set: a refused call changes nothing
        filters = check_positive_int(kind, "filters", filters)
        kernel_size = normalize_tuple(kind, "kernel_size", kernel_size, self.rank)
        strides = normalize_tuple(kind, "strides", strides, self.rank)
        padding = normalize_padding(kind, padding)
        output_padding = check_output_padding(kind, output_padding, strides)
        data_format = check_data_format(kind, data_format)
        dilation_rate = check_dilation(kind, dilation_rate, self.rank)
        check_no_constraints(kind, kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        super().__init__(activation=activation, **kwargs)
        self.filters, self.kernel_size, self.strides, self.padding = filters, kernel_size, strides, padding
        self.output_padding, self.data_format, self.dilation_rate = output_padding, data_format, dilation_rate
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
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight((*self.kernel_size, self.filters, input_shape[-1]),
                                      self.kernel_initializer, "kernel", regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.bias = self.add_weight((self.filters,), self.bias_initializer, "bias",
                                        regularizer=self.bias_regularizer)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        kind = type(self).__name__
        check_rank(self, input_shape, self.rank + 2, f"inputs {self._layout}")
        if self.built and input_shape[-1] != self.params["kernel"].shape[-1]:
            raise ValueError(f"Layer {self.name!r} ({kind}) was built for {self.params['kernel'].shape[-1]} "
                             f"input channels, got input shape {format_shape(input_shape)}")
        pads = self.output_padding or (None,) * self.rank
        out = []
        for n, k, s, p in zip(input_shape[1:-1], self.kernel_size, self.strides, pads):
            length = None if n is None else transpose_output_length(n, k, s, self.padding, p)
            # with 'same', an even kernel and output_padding 0 the output is one stride short:
            # the conv it transposes would not give back the input (TF refuses it too)
            if length is not None and (length <= 0 or output_length(length, k, s, self.padding) != n):
                raise ValueError(f"Layer {self.name!r} ({kind}) with kernel_size {self.kernel_size}, strides "
                                 f"{self.strides}, padding {self.padding!r} and output_padding "
                                 f"{self.output_padding} cannot take input shape {format_shape(input_shape)} "
                                 "(an even kernel with 'same' padding needs output_padding >= 1)")
            out.append(length)
        return (input_shape[0], *out, self.filters)

    def forward_linear(self, x, training=False):
        if not isinstance(x, np.ndarray):
            raise TypeError(f"Layer {self.name!r} ({type(self).__name__}) expects a NumPy array, "
                            f"got {type(x).__name__}")
        self.compute_output_shape((None, *x.shape[1:]))
        z = ops.conv_transpose(x, self.params["kernel"], self.strides, self.padding, self.output_padding)
        return z, self.params.get("bias"), x

    def backward_linear(self, x, dz, need_dx=True):
        dx, dkernel = ops.conv_transpose_backward(x, self.params["kernel"], dz, self.strides, self.padding,
                                                  need_dx)
        if not self.use_bias:
            return dx, {"kernel": dkernel}
        return dx, {"kernel": dkernel, "bias": ops.bias_grad(dz.reshape(-1, self.filters))}

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "output_padding": self.output_padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate, "use_bias": self.use_bias,
                "kernel_initializer": serialize_initializer(self.kernel_initializer),
                "bias_initializer": serialize_initializer(self.bias_initializer),
                "kernel_regularizer": serialize_regularizer(self.kernel_regularizer),
                "bias_regularizer": serialize_regularizer(self.bias_regularizer),
                "kernel_constraint": None, "bias_constraint": None}


class Conv2DTranspose(_ConvTranspose):
    """2-D transposed convolution ("deconvolution"), channels last.

    Shapes: x (batch, h, w, cin), kernel (kh, kw, filters, cin), bias (filters,),
    y (batch, oh, ow, filters); 'same' with output_padding None gives (h·sh, w·sw).
    """

    rank = 2
    _layout = "(batch, height, width, channels)"


class Conv1DTranspose(_ConvTranspose):
    """1-D transposed convolution over the steps axis, channels last.

    Shapes: x (batch, steps, cin), kernel (k, filters, cin), bias (filters,),
    y (batch, out_steps, filters).
    """

    rank = 1
    _layout = "(batch, steps, channels)"
