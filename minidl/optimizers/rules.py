"""The update rules of Keras 3's optimizers, computed in each weight's dtype.

Each ``update(key, param, grad, lr)`` is a transcription of the matching
Keras ``update_step`` (keras/src/optimizers/<name>.py), same order of
operations. ``iterations`` is the number of updates already applied, so the
step being taken is ``iterations + 1``.
"""
from __future__ import annotations

import numpy as np

from .. import ops
from ..ops.update import all_finite
from .base import Optimizer, check_range


class SGD(Optimizer):
    """Without momentum: w -= lr·g. With momentum (Keras's form):
    m = momentum·m − lr·g; w += m, or w += momentum·m − lr·g with Nesterov."""

    def __init__(self, learning_rate=0.01, momentum: float = 0.0, nesterov: bool = False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        check_range("SGD", "momentum", momentum, 0, 1)
        if not isinstance(nesterov, (bool, np.bool_)):
            raise TypeError(f"SGD: nesterov must be True or False, got {nesterov!r}")
        self.momentum, self.nesterov = float(momentum), bool(nesterov)

    _update_folds_l2 = True

    def update(self, key, param, grad, lr, l2: float = 0.0, guard: bool = False):
        # the rule itself is ops.sgd_update's (one pass per weight on the Numba backend); with
        # ``guard`` it also saves what it overwrites and says whether the new weight is finite
        m = self.slot(key, "momentum", param) if self.momentum else None
        backup = None if not guard else self.backup(key, param, m) if m is not None else self.backup(key, param)
        # only param and grad positional: the registry scans positional arguments for their size
        # and dtype (~40 ns each, 4 weights a step on XOR); m and backup share param's shape and dtype
        return ops.sgd_update(param, grad, lr=lr, l2=l2, momentum_slot=m, momentum=self.momentum,
                              nesterov=self.nesterov, backup=backup)

    update.saves_backup = True  # see Optimizer._saves_backups

    def get_config(self):
        return {**super().get_config(), "momentum": self.momentum, "nesterov": self.nesterov}


def _check_betas(owner: str, beta_1, beta_2, epsilon=None) -> None:
    check_range(owner, "beta_1", beta_1, 0, 1, high_open=True)
    check_range(owner, "beta_2", beta_2, 0, 1, high_open=True)
    if epsilon is not None:
        check_range(owner, "epsilon", epsilon, 0, low_open=True)


class Adam(Optimizer):
    """Keras's Adam: bias correction folded into the step size, ε outside the sqrt:
    α = lr·√(1−β₂ᵗ)/(1−β₁ᵗ); m += (g−m)(1−β₁); v += (g²−v)(1−β₂); w −= α·m/(√v + ε).
    With ``amsgrad`` the running maximum of v replaces v."""

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-7, amsgrad: bool = False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        _check_betas(type(self).__name__, beta_1, beta_2, epsilon)
        self.beta_1, self.beta_2, self.epsilon, self.amsgrad = beta_1, beta_2, epsilon, bool(amsgrad)

    @property
    def _update_folds_l2(self) -> bool:
        return not self.amsgrad

    def update(self, key, param, grad, lr, l2: float = 0.0, guard: bool = False):
        m = self.slot(key, "m", param)
        v = self.slot(key, "v", param)
        if not self.amsgrad:  # the rule is ops.adam_update's (one pass per weight on the Numba backend)
            backup = self.backup(key, param, m, v) if guard else None
            return ops.adam_update(param, grad, m, v, lr, self.iterations, l2, self.beta_1, self.beta_2,
                                   self.epsilon, backup)
        v_hat = self.slot(key, "v_hat", param)
        if guard:  # no kernel for amsgrad: copy first, check after
            for a, b in zip((param, m, v, v_hat), self.backup(key, param, m, v, v_hat)):
                np.copyto(b, a)
        self._amsgrad_update(param, grad, lr, m, v, v_hat)
        return all_finite(param) if guard else None

    update.saves_backup = True  # see Optimizer._saves_backups

    def _amsgrad_update(self, param, grad, lr, m, v, v_hat) -> None:
        f = param.dtype.type
        step = f(self.iterations + 1)
        alpha = f(lr) * np.sqrt(1 - f(self.beta_2) ** step) / (1 - f(self.beta_1) ** step)
        m += (grad - m) * f(1 - self.beta_1)
        v += (np.square(grad) - v) * f(1 - self.beta_2)
        np.maximum(v_hat, v, out=v_hat)
        param -= (m * alpha) / (np.sqrt(v_hat) + f(self.epsilon))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2,
                "epsilon": self.epsilon, "amsgrad": self.amsgrad}


class AdamW(Adam):
    """Adam with decoupled weight decay (``weight_decay`` defaults to 0.004, as Keras)."""

    def __init__(self, learning_rate=0.001, weight_decay: float = 0.004, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-7, amsgrad: bool = False, **kwargs):
        if weight_decay is None:
            raise ValueError("AdamW: weight_decay must be a number in [0, inf), got None")
        super().__init__(learning_rate, beta_1, beta_2, epsilon, amsgrad, weight_decay=weight_decay, **kwargs)


class RMSprop(Optimizer):
    """Keras's RMSprop: v = ρv + (1−ρ)g²; w −= lr·g/√(v + ε); ``centered`` subtracts
    the squared running mean of g; ``momentum`` accumulates the increments."""

    def __init__(self, learning_rate=0.001, rho: float = 0.9, momentum: float = 0.0,
                 epsilon: float = 1e-7, centered: bool = False, **kwargs):
        super().__init__(learning_rate, **kwargs)
        check_range("RMSprop", "rho", rho, 0, 1, high_open=True)
        check_range("RMSprop", "momentum", momentum, 0, 1)
        check_range("RMSprop", "epsilon", epsilon, 0, low_open=True)
        self.rho, self.momentum, self.epsilon, self.centered = rho, momentum, epsilon, bool(centered)

    def update(self, key, param, grad, lr):
        f = param.dtype.type
        v = self.slot(key, "velocity", param)
        v[...] = f(self.rho) * v + f(1 - self.rho) * np.square(grad)
        if self.centered:
            avg = self.slot(key, "average_gradient", param)
            avg[...] = f(self.rho) * avg + f(1 - self.rho) * grad
            denominator = v - np.square(avg) + f(self.epsilon)
        else:
            denominator = v + f(self.epsilon)
        increment = f(lr) * grad / np.sqrt(denominator)
        if self.momentum > 0:
            m = self.slot(key, "momentum", param)
            m[...] = f(self.momentum) * m + increment
            param -= m
        else:
            param -= increment

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "momentum": self.momentum,
                "epsilon": self.epsilon, "centered": self.centered}


class Adagrad(Optimizer):
    """a += g²; w −= lr·g/√(a + ε), the accumulator starting at ``initial_accumulator_value``."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value: float = 0.1, epsilon: float = 1e-7,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        check_range("Adagrad", "initial_accumulator_value", initial_accumulator_value, 0)
        check_range("Adagrad", "epsilon", epsilon, 0, low_open=True)
        self.initial_accumulator_value, self.epsilon = initial_accumulator_value, epsilon

    def update(self, key, param, grad, lr):
        f = param.dtype.type
        acc = self.slot(key, "accumulator", param, self.initial_accumulator_value)
        acc += np.square(grad)
        param -= f(lr) * grad / np.sqrt(acc + f(self.epsilon))

    def get_config(self):
        return {**super().get_config(), "initial_accumulator_value": self.initial_accumulator_value,
                "epsilon": self.epsilon}


class Adadelta(Optimizer):
    """E[g²] = ρE[g²] + (1−ρ)g²; Δ = −√(E[Δ²]+ε)·g/√(E[g²]+ε);
    E[Δ²] = ρE[Δ²] + (1−ρ)Δ²; w += lr·Δ."""

    def __init__(self, learning_rate=0.001, rho: float = 0.95, epsilon: float = 1e-7, **kwargs):
        super().__init__(learning_rate, **kwargs)
        check_range("Adadelta", "rho", rho, 0, 1, high_open=True)
        check_range("Adadelta", "epsilon", epsilon, 0, low_open=True)
        self.rho, self.epsilon = rho, epsilon

    def update(self, key, param, grad, lr):
        f = param.dtype.type
        rho, eps = f(self.rho), f(self.epsilon)
        acc_grad = self.slot(key, "accumulated_grad", param)
        acc_delta = self.slot(key, "accumulated_delta_var", param)
        acc_grad[...] = rho * acc_grad + f(1 - self.rho) * np.square(grad)
        delta = -(np.sqrt(acc_delta + eps) * grad) / np.sqrt(acc_grad + eps)
        acc_delta[...] = rho * acc_delta + f(1 - self.rho) * np.square(delta)
        param += f(lr) * delta

    def get_config(self):
        return {**super().get_config(), "rho": self.rho, "epsilon": self.epsilon}


class Adamax(Optimizer):
    """m += (g−m)(1−β₁); u = max(β₂u, |g|); w −= lr·m / ((1−β₁ᵗ)(u + ε))."""

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        _check_betas("Adamax", beta_1, beta_2, epsilon)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon

    def update(self, key, param, grad, lr):
        f = param.dtype.type
        beta_1_power = f(self.beta_1) ** f(self.iterations + 1)
        m = self.slot(key, "momentum", param)
        u = self.slot(key, "norm", param)
        m += (grad - m) * f(1 - self.beta_1)
        u[...] = np.maximum(f(self.beta_2) * u, np.abs(grad))
        param -= (f(lr) * m) / ((1 - beta_1_power) * (u + f(self.epsilon)))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}
