"""What the conv layers share: ``ConvBase`` (window arguments, weight arguments, input
checks, bias weight and gradient, config entries), and the arguments the transposed,
depthwise and separable conv layers share with Keras but support only in part:
``data_format`` (channels last only), ``dilation_rate`` (1 only) and the weight
constraints (None only). Each is refused at construction with a message naming the
layer type, the argument and the value received, so a Keras config that uses them
fails loudly instead of computing something else.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers, regularizers
from .. import ops
from .base import ActivatedLayer, Shape, check_rank, format_shape, serialize_initializer, serialize_regularizer
from .window_args import normalize_padding, normalize_tuple


class ConvBase(ActivatedLayer):
    """Base of the conv layers (plain, transposed, depthwise, separable); ``rank`` is
    the number of spatial axes, inputs are (batch, *spatial, channels)."""

    rank = 0
    _layout = ""

    def _window_args(self, kernel_size: Any, strides: Any, padding: Any) -> tuple:
        """kernel_size, strides as ``rank``-tuples and padding normalized, each checked."""
        kind = type(self).__name__
        return (normalize_tuple(kind, "kernel_size", kernel_size, self.rank),
                normalize_tuple(kind, "strides", strides, self.rank), normalize_padding(kind, padding))

    def _set_weight_args(self, use_bias: Any, **args: Any) -> None:
        """Sets ``use_bias`` and each ``*_initializer`` / ``*_regularizer`` resolved."""
        self.use_bias = bool(use_bias)
        for name, value in args.items():
            setattr(self, name, (initializers if name.endswith("_initializer") else regularizers).get(value))

    def _weight_config(self, *names: str) -> dict:
        """The named ``*_initializer`` / ``*_regularizer`` attributes serialized, in that order."""
        return {name: (serialize_initializer if name.endswith("_initializer") else serialize_regularizer)(
            getattr(self, name)) for name in names}

    def _check_rank(self, input_shape: Shape) -> None:
        check_rank(self, input_shape, self.rank + 2, f"inputs {self._layout}")

    def _check_known_channels(self, input_shape: Shape) -> None:
        self._check_rank(input_shape)
        if input_shape[-1] is None:
            raise ValueError(f"Layer {self.name!r} ({type(self).__name__}) needs a known channel axis, "
                             f"got input shape {format_shape(input_shape)}")

    def _check_built_channels(self, input_shape: Shape, built_channels: int | None) -> None:
        """``built_channels``: the input channels the kernel was built for, None if not built."""
        if built_channels is not None and input_shape[-1] != built_channels:
            raise ValueError(f"Layer {self.name!r} ({type(self).__name__}) was built for {built_channels} "
                             f"input channels, got input shape {format_shape(input_shape)}")

    def _check_array(self, x) -> None:
        if not isinstance(x, np.ndarray):
            raise TypeError(f"Layer {self.name!r} ({type(self).__name__}) expects a NumPy array, "
                            f"got {type(x).__name__}")
        self.compute_output_shape((None, *x.shape[1:]))

    def _kernel_and_bias(self, kernel_shape: tuple[int, ...]) -> None:
        """``kernel`` from ``kernel_initializer`` / ``kernel_regularizer``, then the bias (filters,)."""
        self.kernel = self.add_weight(kernel_shape, self.kernel_initializer, "kernel",
                                      regularizer=self.kernel_regularizer)
        self._bias_weight(self.filters)

    def _bias_weight(self, units: int) -> None:
        if self.use_bias:
            self.bias = self.add_weight((units,), self.bias_initializer, "bias", regularizer=self.bias_regularizer)

    def _bias_grads(self, grads: dict, dz) -> dict:
        if self.use_bias:
            grads["bias"] = ops.bias_grad(dz.reshape(-1, dz.shape[-1]))
        return grads


def check_data_format(layer_type: str, data_format: Any) -> str:
    """None or 'channels_last' -> 'channels_last' (what Keras's config then holds)."""
    if data_format not in (None, "channels_last"):
        raise ValueError(f"{layer_type}: only data_format='channels_last' is supported, got {data_format!r}")
    return "channels_last"


def check_dilation(layer_type: str, dilation_rate: Any, rank: int) -> tuple[int, ...]:
    """1 or a tuple of 1s -> (1,) * rank; other rates are not implemented."""
    rates = normalize_tuple(layer_type, "dilation_rate", dilation_rate, rank)
    if any(r != 1 for r in rates):
        raise ValueError(f"{layer_type}: dilation_rate other than 1 is not supported, got {dilation_rate!r}")
    return rates


def check_no_constraints(layer_type: str, **constraints: Any) -> None:
    """Weight constraints are not implemented: only None is accepted."""
    given = sorted(name for name, value in constraints.items() if value is not None)
    if given:
        raise NotImplementedError(f"{layer_type}: weight constraints are not supported, got {', '.join(given)}")


def check_output_padding(layer_type: str, output_padding: Any, strides: tuple[int, ...]) -> tuple[int, ...] | None:
    """None, or an int / ``len(strides)`` ints each in [0, stride) (Keras's rule)."""
    if output_padding is None:
        return None
    rank = len(strides)
    values = output_padding if isinstance(output_padding, (tuple, list)) else (output_padding,) * rank
    if len(values) != rank or any(isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 0 for v in values):
        raise ValueError(f"{layer_type}: output_padding must be None, a non-negative int or a tuple of "
                         f"{rank} of them, got {output_padding!r}")
    if any(v >= s for v, s in zip(values, strides)):
        raise ValueError(f"{layer_type}: output_padding must be strictly less than strides on every axis, "
                         f"got output_padding={output_padding!r} with strides={strides}")
    return tuple(int(v) for v in values)
