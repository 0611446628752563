"""Conv1DTranspose and Conv2DTranspose: Keras's arguments, weight layout and output shapes."""
from __future__ import annotations

from typing import Any

from .. import ops
from ..ops.conv_transpose import transpose_output_length
from ..ops.padding import output_length
from .base import Shape, check_positive_int, format_shape
from .conv_args import ConvBase, check_data_format, check_dilation, check_no_constraints, check_output_padding


class _ConvTranspose(ConvBase):
    """Shared by Conv1DTranspose and Conv2DTranspose; ``rank`` is the number of spatial axes.

    Shapes: x (batch, *spatial, cin), kernel (*kernel_size, filters, cin) (Keras's
    order: the transposed kernel is that of the conv mapping the output back to
    the input), bias (filters,), y (batch, *out_spatial, filters), each output
    length ``(n - 1)·s + max(k, s)`` ('valid') or ``n·s`` ('same') when
    ``output_padding`` is None, ``(n - 1)·s + k + p`` / ``(n - 1)·s + k % 2 + p``
    with ``output_padding`` p.
    """

    def __init__(self, filters: int, kernel_size: int | tuple[int, ...], strides: int | tuple[int, ...] = 1,
                 padding: str = "valid", output_padding: int | tuple[int, ...] | None = None,
                 data_format: str | None = None, dilation_rate: int | tuple[int, ...] = 1,
                 activation: Any = None, use_bias: bool = True, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None, bias_regularizer: Any = None,
                 kernel_constraint: Any = None, bias_constraint: Any = None, **kwargs):
        kind = type(self).__name__
        # every check before any attribute is set: a refused call changes nothing
        filters = check_positive_int(kind, "filters", filters)
        kernel_size, strides, padding = self._window_args(kernel_size, strides, padding)
        output_padding = check_output_padding(kind, output_padding, strides)
        data_format = check_data_format(kind, data_format)
        dilation_rate = check_dilation(kind, dilation_rate, self.rank)
        check_no_constraints(kind, kernel_constraint=kernel_constraint, bias_constraint=bias_constraint)
        super().__init__(activation=activation, **kwargs)
        self.filters, self.kernel_size, self.strides, self.padding = filters, kernel_size, strides, padding
        self.output_padding, self.data_format, self.dilation_rate = output_padding, data_format, dilation_rate
        self._set_weight_args(use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                              kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer)

    def build(self, input_shape: Shape) -> None:
        self._check_known_channels(input_shape)
        self.compute_output_shape(input_shape)
        self._kernel_and_bias((*self.kernel_size, self.filters, input_shape[-1]))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        kind = type(self).__name__
        self._check_rank(input_shape)
        self._check_built_channels(input_shape, self.params["kernel"].shape[-1] if self.built else None)
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
        self._check_array(x)
        z = ops.conv_transpose(x, self.params["kernel"], self.strides, self.padding, self.output_padding)
        return z, self.params.get("bias"), x

    def backward_linear(self, x, dz, need_dx=True):
        dx, dkernel = ops.conv_transpose_backward(x, self.params["kernel"], dz, self.strides, self.padding,
                                                  need_dx)
        return dx, self._bias_grads({"kernel": dkernel}, dz)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "output_padding": self.output_padding,
                "data_format": self.data_format, "dilation_rate": self.dilation_rate, "use_bias": self.use_bias,
                **self._weight_config("kernel_initializer", "bias_initializer", "kernel_regularizer",
                                      "bias_regularizer"),
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
