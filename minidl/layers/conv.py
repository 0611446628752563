"""Conv1D and Conv2D: channels-last convolutions with Keras's arguments and weight layout."""
from __future__ import annotations

from typing import Any

from .. import ops
from .base import Shape, check_positive_int
from .conv_args import ConvBase
from .window_args import spatial_output_lengths


class _Conv(ConvBase):
    """Shared by Conv1D and Conv2D; ``rank`` is the number of spatial axes.

    Shapes: x (batch, *spatial, cin), kernel (*kernel_size, cin, filters),
    bias (filters,), y (batch, *out_spatial, filters), where each output
    length is ``(n - k) // s + 1`` ('valid') or ``ceil(n / s)`` ('same').
    """

    def __init__(self, filters: int, kernel_size: int | tuple[int, ...], strides: int | tuple[int, ...] = 1,
                 padding: str = "valid", activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, **kwargs):
        super().__init__(activation=activation, **kwargs)
        self.filters = check_positive_int(type(self).__name__, "filters", filters)
        self.kernel_size, self.strides, self.padding = self._window_args(kernel_size, strides, padding)
        self._set_weight_args(use_bias, kernel_initializer=kernel_initializer, bias_initializer=bias_initializer,
                              kernel_regularizer=kernel_regularizer, bias_regularizer=bias_regularizer)

    def build(self, input_shape: Shape) -> None:
        self._check_known_channels(input_shape)
        self._kernel_and_bias((*self.kernel_size, input_shape[-1], self.filters))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self._check_rank(input_shape)
        self._check_built_channels(input_shape, self.params["kernel"].shape[-2] if self.built else None)
        out = spatial_output_lengths(self, input_shape, self.kernel_size, self.strides, self.padding,
                                     "kernel_size", "the kernel")
        return (input_shape[0], *out, self.filters)

    def forward_linear(self, x, training=False):
        self._check_array(x)
        return ops.conv(x, self.params["kernel"], self.strides, self.padding), self.params.get("bias"), x

    def backward_linear(self, x, dz, need_dx=True):
        dx, dkernel = ops.conv_backward(x, self.params["kernel"], dz, self.strides, self.padding, need_dx)
        return dx, self._bias_grads({"kernel": dkernel}, dz)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "use_bias": self.use_bias,
                **self._weight_config("kernel_initializer", "bias_initializer", "kernel_regularizer",
                                      "bias_regularizer")}


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

