"""BatchNormalization with Keras's arguments, weights and moving-statistics update."""
from __future__ import annotations

from typing import Any

import numpy as np

from .. import initializers, regularizers
from .. import ops
from .base import Layer, Shape, format_shape, serialize_initializer, serialize_regularizer


class BatchNormalization(Layer):
    """Normalises each feature along ``axis`` (the channels, last by default).

    Training (and ``trainable``): batch mean and biased variance over every
    other axis, then ``y = gamma·(x − mean)/sqrt(var + epsilon) + beta``,
    and the moving statistics move as Keras moves them:
    ``moving = moving·momentum + batch·(1 − momentum)``.
    Inference, or a frozen layer: the moving statistics instead, as Keras.

    Shapes: x (batch, ..., c, ...) with c on ``axis``; gamma, beta,
    moving_mean, moving_variance (c,); y has x's shape. gamma and beta are
    trainable (``params``), the moving statistics are not (``state``);
    ``get_weights`` gives gamma, beta, moving_mean, moving_variance.
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3,
                 center: bool = True, scale: bool = True,
                 beta_initializer: Any = "zeros", gamma_initializer: Any = "ones",
                 moving_mean_initializer: Any = "zeros", moving_variance_initializer: Any = "ones",
                 beta_regularizer: Any = None, gamma_regularizer: Any = None, **kwargs):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"BatchNormalization: axis must be an int, got {axis!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(f"BatchNormalization: momentum must be in [0, 1], got {momentum!r}")
        if not epsilon > 0:
            raise ValueError(f"BatchNormalization: epsilon must be positive, got {epsilon!r}")
        self.axis = int(axis)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center, self.scale = bool(center), bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)

    def _channels(self, input_shape: Shape) -> int:
        rank = len(input_shape)
        if rank < 2 or not -rank <= self.axis < rank or self.axis % rank == 0:
            raise ValueError(f"Layer {self.name!r} (BatchNormalization) with axis={self.axis} needs an "
                             f"input of rank >= 2 whose axis {self.axis} is not the batch axis, "
                             f"got input shape {format_shape(input_shape)}")
        c = input_shape[self.axis]
        if c is None:
            raise ValueError(f"Layer {self.name!r} (BatchNormalization) needs a known size on axis "
                             f"{self.axis}, got input shape {format_shape(input_shape)}")
        return c

    def build(self, input_shape: Shape) -> None:
        c = self._channels(input_shape)
        # Keras's creation order, which is also its get_weights order
        if self.scale:
            self.gamma = self.add_weight((c,), self.gamma_initializer, "gamma", regularizer=self.gamma_regularizer)
        if self.center:
            self.beta = self.add_weight((c,), self.beta_initializer, "beta", regularizer=self.beta_regularizer)
        self.moving_mean = self.add_weight((c,), self.moving_mean_initializer, "moving_mean", trainable=False)
        self.moving_variance = self.add_weight((c,), self.moving_variance_initializer, "moving_variance",
                                               trainable=False)

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        c = self._channels(input_shape)
        if self.built and c != self.state["moving_mean"].shape[0]:
            raise ValueError(f"Layer {self.name!r} (BatchNormalization) was built for "
                             f"{self.state['moving_mean'].shape[0]} features on axis {self.axis}, "
                             f"got input shape {format_shape(input_shape)}")
        return tuple(input_shape)

    def forward(self, x, training=False):
        self.compute_output_shape((None, *x.shape[1:]))
        # Features last, everything else as rows: the kernels work on (m, c).
        xt = np.moveaxis(x, self.axis, -1)
        x2 = xt.reshape(-1, xt.shape[-1])
        batch_statistics = bool(training and self.trainable)
        if batch_statistics:
            mean, variance = ops.batch_norm_moments(x2)
            m = self.momentum
            self.state["moving_mean"][...] = self.state["moving_mean"] * m + mean * (1.0 - m)
            self.state["moving_variance"][...] = self.state["moving_variance"] * m + variance * (1.0 - m)
        else:
            mean, variance = self.state["moving_mean"], self.state["moving_variance"]
        y2, x_hat, inv_std = ops.batch_norm_forward(
            x2, self.params.get("gamma"), self.params.get("beta"), mean, variance, self.epsilon)
        y = np.moveaxis(y2.reshape(xt.shape), -1, self.axis)
        return y, (x_hat, inv_std, xt.shape, batch_statistics)

    def backward(self, cache, dy, need_dx=True):
        x_hat, inv_std, xt_shape, batch_statistics = cache
        dy2 = np.moveaxis(dy, self.axis, -1).reshape(-1, xt_shape[-1])
        dx2, dgamma, dbeta = ops.batch_norm_backward(dy2, x_hat, self.params.get("gamma"), inv_std, batch_statistics)
        grads = {}
        if self.scale:
            grads["gamma"] = dgamma
        if self.center:
            grads["beta"] = dbeta
        return np.moveaxis(dx2.reshape(xt_shape), -1, self.axis), grads

    def get_config(self) -> dict:
        return {**super().get_config(), "axis": self.axis, "momentum": self.momentum,
                "epsilon": self.epsilon, "center": self.center, "scale": self.scale,
                **{f"{w}_initializer": serialize_initializer(getattr(self, f"{w}_initializer"))
                   for w in ("beta", "gamma", "moving_mean", "moving_variance")},
                "beta_regularizer": serialize_regularizer(self.beta_regularizer),
                "gamma_regularizer": serialize_regularizer(self.gamma_regularizer)}
