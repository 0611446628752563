"""Input, Dense, Activation and Flatten."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .. import activations, initializers, regularizers
from ..kernels import dense as dense_kernels
from .base import ActivatedLayer, Layer, Shape, SymbolicTensor, check_positive_int, format_shape


class InputLayer(Layer):
    """The entry of a graph: holds the expected shape, computes nothing."""

    def __init__(self, shape: Sequence[int], name: str | None = None):
        super().__init__(name=name)
        shape = tuple(shape)
        for d in shape:
            if d is not None:
                check_positive_int("Input", "shape", d)
        self.input_shape = self.output_shape = (None, *shape)
        self.built = True

    def forward(self, x, training=False):
        return x

    def backward(self, dy):
        return dy

    def get_config(self):
        return {**super().get_config(), "shape": self.input_shape[1:]}


def Input(shape: Sequence[int], name: str | None = None) -> SymbolicTensor:
    """A symbolic input of ``shape`` (without the batch axis), as ``keras.Input``."""
    if isinstance(shape, int):
        shape = (shape,)
    layer = InputLayer(shape, name=name)
    return SymbolicTensor(layer.output_shape, layer, [])


class Dense(ActivatedLayer):
    """``y = activation(x @ kernel + bias)`` over the last axis.

    Shapes: x (batch, ..., in), kernel (in, units), bias (units,),
    y (batch, ..., units).
    """

    def __init__(self, units: int, activation: Any = None, use_bias: bool = True,
                 kernel_initializer: Any = "glorot_uniform", bias_initializer: Any = "zeros",
                 kernel_regularizer: Any = None, bias_regularizer: Any = None, **kwargs):
        super().__init__(activation=activation, **kwargs)
        self.units = check_positive_int("Dense", "units", units)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(f"Layer {self.name!r} (Dense) needs a known last axis, "
                             f"got input shape {format_shape(input_shape)}")
        self.add_weight("kernel", (input_shape[-1], self.units), self.kernel_initializer,
                        self.kernel_regularizer)
        if self.use_bias:
            self.add_weight("bias", (self.units,), self.bias_initializer, self.bias_regularizer)
        super().build(input_shape)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if input_shape[-1] != self.params["kernel"].shape[0]:
            raise ValueError(f"Layer {self.name!r} (Dense) was built for inputs with last axis "
                             f"{self.params['kernel'].shape[0]}, got {format_shape(input_shape)}")
        return (*input_shape[:-1], self.units)

    def forward_unbiased(self, x, training=False):
        self._check_input(x)
        self._x = x
        z = dense_kernels.matmul(x.reshape(-1, x.shape[-1]), self.params["kernel"])
        return z.reshape(*x.shape[:-1], self.units), self.params.get("bias")

    def backward_linear(self, dz):
        x2 = self._x.reshape(-1, self._x.shape[-1])
        dz2 = dz.reshape(-1, self.units)
        dx, dw, db = dense_kernels.backward(x2, self.params["kernel"], dz2, self.use_bias,
                                            need_dx=self.input_grad_needed)
        self.grads["kernel"] = dw
        if self.use_bias:
            self.grads["bias"] = db
        return None if dx is None else dx.reshape(self._x.shape)

    def _check_input(self, x: np.ndarray) -> None:
        fan_in = self.params["kernel"].shape[0]
        if x.ndim < 2 or x.shape[-1] != fan_in:
            raise ValueError(f"Layer {self.name!r} (Dense) expects inputs of shape (batch, ..., {fan_in}), "
                             f"got {x.shape}")

    def get_config(self):
        return {**super().get_config(), "units": self.units, "use_bias": self.use_bias}


class Activation(ActivatedLayer):
    """Applies an activation on its own: ``y = activation(x)``, any shape."""

    def __init__(self, activation: Any, **kwargs):
        super().__init__(activation=activation, **kwargs)

    def forward_linear(self, x, training=False):
        return x

    def backward_linear(self, dz):
        return dz


class Flatten(Layer):
    """(batch, d1, ..., dk) -> (batch, d1·...·dk), row-major as Keras."""

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))

    def forward(self, x, training=False):
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dy):
        return dy.reshape(self._shape)
