"""Input, Dense, Activation and Flatten."""
from __future__ import annotations

import math
from typing import Any, Sequence

import numpy as np

from .. import initializers, regularizers
from .. import ops
from .base import (ActivatedLayer, Layer, Shape, SymbolicTensor, check_positive_int, format_shape,
                   serialize_initializer, serialize_regularizer)
from .node import Node


class InputLayer(Layer):
    """The entry of a graph: holds the expected shape and dtype, computes nothing."""

    def __init__(self, shape: Sequence[int] | None = None, batch_size: int | None = None,
                 dtype: str | None = None, batch_shape: Sequence[int] | None = None,
                 name: str | None = None, **kwargs):
        super().__init__(name=name, **kwargs)
        if batch_shape is None:
            if shape is None:
                raise ValueError("Input needs a shape (without the batch axis) or a batch_shape")
            shape = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
            batch_shape = (batch_size, *shape)
        batch_shape = tuple(batch_shape)
        for d in batch_shape:
            if d is not None:
                check_positive_int("Input", "shape", d)
        self.batch_shape = batch_shape
        try:  # minidl's inputs are numbers: refuse 'string' (a Keras/TF dtype) and object here, by name
            self._dtype = None if dtype is None else np.dtype(dtype).name if np.dtype(dtype).kind in "biuf" else "?"
        except TypeError:
            self._dtype = "?"
        if self._dtype == "?":
            raise TypeError(f"Input: dtype must be a numeric type such as 'float32' or 'int64', got {dtype!r}")
        self.input_shape = (None, *batch_shape[1:])
        self.built = True
        node = Node(self, [], "single", [self.input_shape], [self.dtype], {})
        self._inbound_nodes.append(node)
        self.tensor = node.outputs[0]

    def call(self, inputs, training=False):
        return inputs

    def get_config(self):
        return {"name": self.name, "batch_shape": list(self.batch_shape), "dtype": self.dtype}


def Input(shape: Sequence[int] | None = None, batch_size: int | None = None, dtype: str | None = None,
          batch_shape: Sequence[int] | None = None, name: str | None = None) -> SymbolicTensor:
    """A symbolic input, as ``keras.Input``: ``shape`` without the batch axis, or
    ``batch_shape`` with it. An integer ``dtype`` keeps ids integer through the graph."""
    return InputLayer(shape, batch_size=batch_size, dtype=dtype, batch_shape=batch_shape, name=name).tensor


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
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)

    def build(self, input_shape: Shape) -> None:
        if len(input_shape) < 2 or input_shape[-1] is None:
            raise ValueError(f"Layer {self.name!r} (Dense) needs a known last axis, "
                             f"got input shape {format_shape(input_shape)}")
        self.kernel = self.add_weight((input_shape[-1], self.units), self.kernel_initializer,
                                      "kernel", regularizer=self.kernel_regularizer)
        if self.use_bias:
            self.bias = self.add_weight((self.units,), self.bias_initializer, "bias",
                                        regularizer=self.bias_regularizer)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        if input_shape[-1] != self.params["kernel"].shape[0]:
            raise ValueError(f"Layer {self.name!r} (Dense) was built for inputs with last axis "
                             f"{self.params['kernel'].shape[0]}, got {format_shape(input_shape)}")
        return (*input_shape[:-1], self.units)

    def forward_linear(self, x, training=False):
        fan_in = self.params["kernel"].shape[0]
        if x.ndim < 2 or x.shape[-1] != fan_in:
            raise ValueError(f"Layer {self.name!r} (Dense) expects inputs of shape (batch, ..., {fan_in}), "
                             f"got {x.shape}")
        if x.ndim == 2:  # (batch, in): the reshapes would be no-ops, each ~0.3 µs on XOR's steps
            return ops.matmul(x, self.params["kernel"]), self.params.get("bias"), x
        z = ops.matmul(x.reshape(-1, fan_in), self.params["kernel"])
        return z.reshape(*x.shape[:-1], self.units), self.params.get("bias"), x

    def backward_linear(self, x, dz, need_dx=True):
        flat = x.ndim == 2 and dz.ndim == 2  # no reshapes needed (as in forward_linear)
        x2, dz2 = (x, dz) if flat else (x.reshape(-1, x.shape[-1]), dz.reshape(-1, self.units))
        grads = {"kernel": ops.matmul(x2.T, dz2)}
        if self.use_bias:
            grads["bias"] = ops.bias_grad(dz2)
        if not need_dx:
            return None, grads
        dx = ops.matmul(dz2, self.params["kernel"].T)
        return (dx if flat else dx.reshape(x.shape)), grads

    def get_config(self):
        return {**super().get_config(), "units": self.units, "use_bias": self.use_bias,
                "kernel_initializer": serialize_initializer(self.kernel_initializer),
                "bias_initializer": serialize_initializer(self.bias_initializer),
                "kernel_regularizer": serialize_regularizer(self.kernel_regularizer),
                "bias_regularizer": serialize_regularizer(self.bias_regularizer)}


class Activation(ActivatedLayer):
    """Applies an activation on its own: ``y = activation(x)``, any shape."""

    def __init__(self, activation: Any, **kwargs):
        super().__init__(activation=activation, **kwargs)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        return tuple(input_shape)

    def forward_linear(self, x, training=False):
        return x, None, None  # without a bias the activation kernels leave z as it is

    def backward_linear(self, cache, dz, need_dx=True):
        return dz, {}


class Flatten(Layer):
    """(batch, d1, ..., dk) -> (batch, d1·...·dk), row-major as Keras."""

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        rest = input_shape[1:]
        return (input_shape[0], None if None in rest else math.prod(rest))

    def forward(self, x, training=False):
        return x.reshape(x.shape[0], -1), x.shape

    def backward(self, shape, dy, need_dx=True):
        return dy.reshape(shape), {}
