"""Activation functions, each a forward/backward pair.

``backward(x, y, dy)`` gets the activation's input ``x``, its output ``y``
(so sigmoid, tanh and softmax reuse what forward computed) and the upstream
gradient ``dy``; it returns ``dL/dx``. All arrays share one shape ``(..., n)``;
softmax works over the last axis.
"""
from __future__ import annotations

import numpy as np


class Activation:
    """An elementwise (or last-axis) function with its derivative."""

    name = "activation"

    def __call__(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<activation {self.name}>"


class Linear(Activation):
    name = "linear"

    def __call__(self, x):
        return x

    def backward(self, x, y, dy):
        return dy


class Sigmoid(Activation):
    name = "sigmoid"

    def __call__(self, x):
        # exp(-|x|) never overflows; both branches give 1 / (1 + e^-x).
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(x.dtype, copy=False)

    def backward(self, x, y, dy):
        return dy * y * (1.0 - y)


class Tanh(Activation):
    name = "tanh"

    def __call__(self, x):
        return np.tanh(x)

    def backward(self, x, y, dy):
        return dy * (1.0 - y * y)


class ReLU(Activation):
    name = "relu"

    def __call__(self, x):
        return np.maximum(x, 0).astype(x.dtype, copy=False)

    def backward(self, x, y, dy):
        # Keras/TF take the derivative at 0 as 0.
        return dy * (x > 0)


class Softmax(Activation):
    name = "softmax"

    def __call__(self, x):
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    def backward(self, x, y, dy):
        # Jacobian-vector product: J = diag(y) - y y^T.
        return y * (dy - (dy * y).sum(axis=-1, keepdims=True))


linear = Linear()
sigmoid = Sigmoid()
tanh = Tanh()
relu = ReLU()
softmax = Softmax()

ALL: dict[str, Activation] = {a.name: a for a in (linear, sigmoid, tanh, relu, softmax)}


def get(identifier: str | Activation | None) -> Activation:
    """Resolve ``None``, a name (``"relu"``) or an :class:`Activation` instance."""
    if identifier is None:
        return linear
    if isinstance(identifier, Activation):
        return identifier
    if isinstance(identifier, str):
        if identifier not in ALL:
            raise ValueError(f"Unknown activation {identifier!r}; valid names: {sorted(ALL)}")
        return ALL[identifier]
    if callable(identifier):
        raise TypeError(
            f"activation {identifier!r} is a plain callable without a derivative; "
            "subclass minidl.activations.Activation and define __call__ and backward")
    raise TypeError(f"activation must be a name or an Activation, got {type(identifier).__name__}")


def serialize(activation: Activation) -> str:
    return activation.name

