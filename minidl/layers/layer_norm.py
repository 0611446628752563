"""LayerNormalization with Keras's arguments and weights (gamma, then beta)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers, regularizers
from .base import Layer, Shape, format_shape
from .serialize import serialize_initializer, serialize_regularizer


class LayerNormalization(Layer):
    """Normalises each sample over ``axis`` (an int or a list of ints):
    ``y = gamma·(x − mean)/sqrt(var + epsilon) + beta``, with the biased variance.

    Shapes: x (batch, ...); gamma and beta have the sizes of x on ``axis``
    (``(c,)`` for the default last axis); y has x's shape.
    """

    def __init__(self, axis: int | list[int] = -1, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, rms_scaling: bool = False, beta_initializer: Any = "zeros",
                 gamma_initializer: Any = "ones", beta_regularizer: Any = None, gamma_regularizer: Any = None,
                 beta_constraint: Any = None, gamma_constraint: Any = None, **kwargs):
        super().__init__(**kwargs)
        if rms_scaling:
            raise NotImplementedError("LayerNormalization: rms_scaling=True is not implemented")
        if beta_constraint is not None or gamma_constraint is not None:
            raise NotImplementedError("LayerNormalization: weight constraints are not supported")
        axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
        if not axes or any(isinstance(a, bool) or not isinstance(a, (int, np.integer)) for a in axes):
            raise TypeError(f"LayerNormalization: axis must be an int or a list of ints, got {axis!r}")
        if not epsilon > 0:
            raise ValueError(f"LayerNormalization: epsilon must be positive, got {epsilon!r}")
        self.axis = axis if isinstance(axis, int) else [int(a) for a in axes]
        self.epsilon = float(epsilon)
        self.center, self.scale, self.rms_scaling = bool(center), bool(scale), False
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)

    def _axes(self, input_shape: Shape) -> tuple[int, ...]:
        rank = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        bad = [a for a in axes if not -rank <= a < rank or a % rank == 0]
        if bad:
            raise ValueError(f"Layer {self.name!r} (LayerNormalization) with axis={self.axis} needs axes "
                             f"inside the input and not the batch axis, got input shape {format_shape(input_shape)}")
        return tuple(sorted(a % rank for a in axes))

    def build(self, input_shape: Shape) -> None:
        axes = self._axes(input_shape)
        shape = tuple(input_shape[a] for a in axes)
        if None in shape:
            raise ValueError(f"Layer {self.name!r} (LayerNormalization) needs known sizes on axis {self.axis}, "
                             f"got input shape {format_shape(input_shape)}")
        if self.scale:
            self.gamma = self.add_weight(shape, self.gamma_initializer, "gamma", regularizer=self.gamma_regularizer)
        if self.center:
            self.beta = self.add_weight(shape, self.beta_initializer, "beta", regularizer=self.beta_regularizer)
        self._built_shape = {a: input_shape[a] for a in axes}

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        axes = self._axes(input_shape)
        if self.built and {a: input_shape[a] for a in axes} != self._built_shape:
            raise ValueError(f"Layer {self.name!r} (LayerNormalization) was built for sizes {self._built_shape} "
                             f"on axis {self.axis}, got input shape {format_shape(input_shape)}")
        return tuple(input_shape)

    def _broadcast(self, w: np.ndarray, ndim: int, axes: tuple[int, ...]) -> np.ndarray:
        shape = [1] * ndim
        for a, n in zip(axes, w.shape):
            shape[a] = n
        return w.reshape(shape)

    def forward(self, x, training=False):
        self.compute_output_shape((None, *x.shape[1:]))
        axes = self._axes(x.shape)
        mean = x.mean(axis=axes, keepdims=True)
        centered = x - mean
        inv_std = 1.0 / np.sqrt((centered * centered).mean(axis=axes, keepdims=True) + self.epsilon)
        x_hat = centered * inv_std
        y = x_hat
        if self.scale:
            y = y * self._broadcast(self.params["gamma"], x.ndim, axes)
        if self.center:
            y = y + self._broadcast(self.params["beta"], x.ndim, axes)
        return y.astype(x.dtype, copy=False), (x_hat, inv_std, axes)

    def backward(self, cache, dy, need_dx=True):
        x_hat, inv_std, axes = cache
        others = tuple(i for i in range(dy.ndim) if i not in axes)
        grads = {}
        if self.scale:
            grads["gamma"] = (dy * x_hat).sum(axis=others)
        if self.center:
            grads["beta"] = dy.sum(axis=others)
        if not need_dx:
            return None, grads
        g = dy * self._broadcast(self.params["gamma"], dy.ndim, axes) if self.scale else dy
        dx = inv_std * (g - g.mean(axis=axes, keepdims=True)
                        - x_hat * (g * x_hat).mean(axis=axes, keepdims=True))
        return dx, grads

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon, "center": self.center,
                "scale": self.scale, "rms_scaling": self.rms_scaling,
                "beta_initializer": serialize_initializer(self.beta_initializer),
                "gamma_initializer": serialize_initializer(self.gamma_initializer),
                "beta_regularizer": serialize_regularizer(self.beta_regularizer),
                "gamma_regularizer": serialize_regularizer(self.gamma_regularizer),
                "beta_constraint": None, "gamma_constraint": None}
