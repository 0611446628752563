"""DepthwiseConv1D/2D and SeparableConv1D/2D: Keras's arguments, weight names and layouts."""
from __future__ import annotations

from typing import Any

from .. import ops
from .base import Shape, check_positive_int
from .conv_args import ConvBase, check_data_format, check_dilation, check_no_constraints
from .window_args import spatial_output_lengths


class _WindowedConv(ConvBase):
    """What the depthwise and separable layers share: the window arguments, the input
    checks and the output shape (a 'valid' / 'same' conv over ``rank`` spatial axes)."""

    def __init__(self, kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate,
                 activation, use_bias, bias_initializer, bias_regularizer, constraints: dict, **kwargs):
        kind = type(self).__name__
        # every check before any attribute is set: a refused call changes nothing
        kernel_size, strides, padding = self._window_args(kernel_size, strides, padding)
        depth_multiplier = check_positive_int(kind, "depth_multiplier", depth_multiplier)
        data_format = check_data_format(kind, data_format)
        dilation_rate = check_dilation(kind, dilation_rate, self.rank)
        check_no_constraints(kind, **constraints)
        super().__init__(activation=activation, **kwargs)
        self.kernel_size, self.strides, self.padding = kernel_size, strides, padding
        self.depth_multiplier, self.data_format, self.dilation_rate = depth_multiplier, data_format, dilation_rate
        self._set_weight_args(use_bias, bias_initializer=bias_initializer, bias_regularizer=bias_regularizer)

    def _out_channels(self, cin: int) -> int:
        raise NotImplementedError

    def _check_input(self, input_shape: Shape) -> None:
        self._check_known_channels(input_shape)
        depthwise = self.params.get("kernel", self.params.get("depthwise_kernel"))
        self._check_built_channels(input_shape, None if depthwise is None else depthwise.shape[-2])

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        self._check_input(input_shape)
        out = spatial_output_lengths(self, input_shape, self.kernel_size, self.strides, self.padding,
                                     "kernel_size", "the kernel")
        return (input_shape[0], *out, self._out_channels(input_shape[-1]))

    def get_config(self) -> dict:
        return {**super().get_config(), "depth_multiplier": self.depth_multiplier, "kernel_size": self.kernel_size,
                "strides": self.strides, "padding": self.padding, "data_format": self.data_format,
                "dilation_rate": self.dilation_rate, "use_bias": self.use_bias,
                **self._weight_config("bias_initializer", "bias_regularizer"),
                "depthwise_constraint": None, "bias_constraint": None}


class _DepthwiseConv(_WindowedConv):
    """Shapes: x (batch, *spatial, cin), kernel (*kernel_size, cin, depth_multiplier),
    bias (cin·depth_multiplier,), y (batch, *out_spatial, cin·depth_multiplier),
    output channel ``c·depth_multiplier + m`` from kernel m of input channel c."""

    def __init__(self, kernel_size: int | tuple[int, ...], strides: int | tuple[int, ...] = 1,
                 padding: str = "valid", depth_multiplier: int = 1, data_format: str | None = None,
                 dilation_rate: int | tuple[int, ...] = 1, activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 depthwise_regularizer: Any = None, bias_regularizer: Any = None,
                 depthwise_constraint: Any = None, bias_constraint: Any = None, **kwargs):
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer,
                         dict(depthwise_constraint=depthwise_constraint, bias_constraint=bias_constraint), **kwargs)
        self._set_weight_args(use_bias, depthwise_initializer=depthwise_initializer,
                              depthwise_regularizer=depthwise_regularizer)

    def _out_channels(self, cin: int) -> int:
        return cin * self.depth_multiplier

    def build(self, input_shape: Shape) -> None:
        self.compute_output_shape(input_shape)
        self.kernel = self.add_weight((*self.kernel_size, input_shape[-1], self.depth_multiplier),
                                      self.depthwise_initializer, "kernel", regularizer=self.depthwise_regularizer)
        self._bias_weight(input_shape[-1] * self.depth_multiplier)

    def forward_linear(self, x, training=False):
        self._check_array(x)
        return ops.depthwise_conv(x, self.params["kernel"], self.strides, self.padding), self.params.get("bias"), x

    def backward_linear(self, x, dz, need_dx=True):
        dx, dkernel = ops.depthwise_conv_backward(x, self.params["kernel"], dz, self.strides, self.padding, need_dx)
        return dx, self._bias_grads({"kernel": dkernel}, dz)

    def get_config(self) -> dict:
        return {**super().get_config(), **self._weight_config("depthwise_initializer", "depthwise_regularizer")}


class _SeparableConv(_WindowedConv):
    """A depthwise conv then a 1×1 conv. Shapes: x (batch, *spatial, cin),
    depthwise_kernel (*kernel_size, cin, dm), pointwise_kernel (1, ..., cin·dm, filters),
    bias (filters,), y (batch, *out_spatial, filters)."""

    def __init__(self, filters: int, kernel_size: int | tuple[int, ...], strides: int | tuple[int, ...] = 1,
                 padding: str = "valid", data_format: str | None = None, dilation_rate: int | tuple[int, ...] = 1,
                 depth_multiplier: int = 1, activation: Any = None, use_bias: bool = True,
                 depthwise_initializer: Any = "glorot_uniform", pointwise_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", depthwise_regularizer: Any = None,
                 pointwise_regularizer: Any = None, bias_regularizer: Any = None, depthwise_constraint: Any = None,
                 pointwise_constraint: Any = None, bias_constraint: Any = None, **kwargs):
        filters = check_positive_int(type(self).__name__, "filters", filters)
        super().__init__(kernel_size, strides, padding, depth_multiplier, data_format, dilation_rate, activation,
                         use_bias, bias_initializer, bias_regularizer,
                         dict(depthwise_constraint=depthwise_constraint, pointwise_constraint=pointwise_constraint,
                              bias_constraint=bias_constraint), **kwargs)
        self.filters = filters
        self._set_weight_args(use_bias, depthwise_initializer=depthwise_initializer,
                              pointwise_initializer=pointwise_initializer,
                              depthwise_regularizer=depthwise_regularizer,
                              pointwise_regularizer=pointwise_regularizer)

    def _out_channels(self, cin: int) -> int:
        return self.filters

    def build(self, input_shape: Shape) -> None:
        self.compute_output_shape(input_shape)
        cin, dm = input_shape[-1], self.depth_multiplier
        self.depthwise_kernel = self.add_weight((*self.kernel_size, cin, dm), self.depthwise_initializer,
                                                "depthwise_kernel", regularizer=self.depthwise_regularizer)
        self.pointwise_kernel = self.add_weight(((1,) * self.rank + (cin * dm, self.filters)),
                                                self.pointwise_initializer, "pointwise_kernel",
                                                regularizer=self.pointwise_regularizer)
        self._bias_weight(self.filters)

    def forward_linear(self, x, training=False):
        self._check_array(x)
        mid = ops.depthwise_conv(x, self.params["depthwise_kernel"], self.strides, self.padding)
        return ops.conv(mid, self.params["pointwise_kernel"], 1, "valid"), self.params.get("bias"), (x, mid)

    def backward_linear(self, cache, dz, need_dx=True):
        x, mid = cache
        dmid, dpointwise = ops.conv_backward(mid, self.params["pointwise_kernel"], dz, 1, "valid")
        dx, ddepthwise = ops.depthwise_conv_backward(x, self.params["depthwise_kernel"], dmid, self.strides,
                                                     self.padding, need_dx)
        return dx, self._bias_grads({"depthwise_kernel": ddepthwise, "pointwise_kernel": dpointwise}, dz)

    def get_config(self) -> dict:
        return {**super().get_config(), "filters": self.filters,
                **self._weight_config("depthwise_initializer", "pointwise_initializer", "depthwise_regularizer",
                                      "pointwise_regularizer"),
                "pointwise_constraint": None}


class DepthwiseConv2D(_DepthwiseConv):
    """2-D depthwise convolution, channels last: x (batch, h, w, cin), kernel
    (kh, kw, cin, depth_multiplier) -> y (batch, oh, ow, cin·depth_multiplier)."""

    rank = 2
    _layout = "(batch, height, width, channels)"


class DepthwiseConv1D(_DepthwiseConv):
    """1-D depthwise convolution, channels last: x (batch, steps, cin), kernel
    (k, cin, depth_multiplier) -> y (batch, out_steps, cin·depth_multiplier)."""

    rank = 1
    _layout = "(batch, steps, channels)"


class SeparableConv2D(_SeparableConv):
    """2-D separable convolution: x (batch, h, w, cin), depthwise_kernel (kh, kw, cin, dm),
    pointwise_kernel (1, 1, cin·dm, filters), bias (filters,) -> y (batch, oh, ow, filters)."""

    rank = 2
    _layout = "(batch, height, width, channels)"


class SeparableConv1D(_SeparableConv):
    """1-D separable convolution: x (batch, steps, cin), depthwise_kernel (k, cin, dm),
    pointwise_kernel (1, cin·dm, filters), bias (filters,) -> y (batch, out_steps, filters)."""

    rank = 1
    _layout = "(batch, steps, channels)"
