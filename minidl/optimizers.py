"""Optimizers with Keras 3's update rules, computed in each weight's dtype.

``apply(slots)`` takes ``[(key, param, grad), ...]`` and updates every param
in place; per-weight state (momenta, second moments) lives under ``key``.
"""
from __future__ import annotations

from typing import Iterable

import numpy as np


class Optimizer:
    def __init__(self, learning_rate: float):
        learning_rate = float(learning_rate)
        if not np.isfinite(learning_rate) or learning_rate <= 0:
            raise ValueError(f"{type(self).__name__}: learning_rate must be a positive number, "
                             f"got {learning_rate}")
        self.learning_rate = learning_rate
        self.iterations = 0
        self._slots: dict[object, dict[str, np.ndarray]] = {}

    def slot(self, key, name: str, like: np.ndarray) -> np.ndarray:
        per_weight = self._slots.setdefault(key, {})
        if name not in per_weight:
            per_weight[name] = np.zeros_like(like)
        return per_weight[name]

    def apply(self, slots: Iterable[tuple[object, np.ndarray, np.ndarray]]) -> None:
        for key, param, grad in slots:
            self.update(key, param, grad.astype(param.dtype, copy=False))
        self.iterations += 1

    def update(self, key, param: np.ndarray, grad: np.ndarray) -> None:
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"learning_rate": self.learning_rate}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.get_config()})"


class SGD(Optimizer):
    """Without momentum: w -= lr·g. With momentum (Keras's form):
    m = momentum·m − lr·g; w += m, or w += momentum·m − lr·g with Nesterov."""

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False):
        super().__init__(learning_rate)
        if not 0 <= momentum <= 1:
            raise ValueError(f"SGD: momentum must be in [0, 1], got {momentum}")
        self.momentum, self.nesterov = float(momentum), nesterov

    def update(self, key, param, grad):
        lr = param.dtype.type(self.learning_rate)
        if self.momentum:
            mom = param.dtype.type(self.momentum)
            m = self.slot(key, "momentum", param)
            m[...] = m * mom - grad * lr
            param += (m * mom - grad * lr) if self.nesterov else m
        else:
            param -= grad * lr

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Keras's Adam: bias correction folded into the step size, ε outside the sqrt:
    α = lr·√(1−β₂ᵗ)/(1−β₁ᵗ); m += (g−m)(1−β₁); v += (g²−v)(1−β₂); w −= α·m/(√v + ε)."""

    def __init__(self, learning_rate: float = 0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7):
        super().__init__(learning_rate)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def update(self, key, param, grad):
        f = param.dtype.type
        step = f(self.iterations + 1)
        alpha = f(self.learning_rate) * np.sqrt(1 - f(self.beta_2) ** step) / (1 - f(self.beta_1) ** step)
        m = self.slot(key, "m", param)
        v = self.slot(key, "v", param)
        m += (grad - m) * f(1 - self.beta_1)
        v += (np.square(grad) - v) * f(1 - self.beta_2)
        param -= (m * alpha) / (np.sqrt(v) + f(self.epsilon))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon}


class RMSprop(Optimizer):
    """Keras's RMSprop: v = ρv + (1−ρ)g²; w −= lr·g/√(v + ε) (with optional momentum)."""

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7):
        super().__init__(learning_rate)
        self.rho, self.momentum, self.epsilon = rho, momentum, epsilon

    def update(self, key, param, grad):
        f = param.dtype.type
        v = self.slot(key, "velocity", param)
        v[...] = f(self.rho) * v + f(1 - self.rho) * np.square(grad)
        increment = f(self.learning_rate) * grad / np.sqrt(v + f(self.epsilon))
        if self.momentum > 0:
            m = self.slot(key, "momentum", param)
            m[...] = f(self.momentum) * m + increment
            param -= m
        else:
            param -= increment

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon}


_BY_NAME = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop}


def get(identifier: str | Optimizer) -> Optimizer:
    """Resolve ``"sgd"``, ``"adam"``, ``"rmsprop"`` (Keras defaults) or pass an Optimizer through."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower()
        if key not in _BY_NAME:
            raise ValueError(f"Unknown optimizer {identifier!r}; valid names: {sorted(_BY_NAME)}")
        return _BY_NAME[key]()
    raise TypeError(f"optimizer must be a name or a minidl.optimizers.Optimizer, got {identifier!r}")
