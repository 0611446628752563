"""Nadam, Lion and Ftrl: Keras 3's update rules (see rules.py for the conventions)."""
from __future__ import annotations

import numpy as np

from .base import Optimizer, check_range
from .rules import _check_betas

# Keras's update_step casts its momentum-schedule constant with
# ops.cast(0.96, dtype), which passes through float32 even for a float64 weight;
# its running product uses ops.power(0.96, t) with the exact double. Both kept.
_DECAY = float(np.float32(0.96))


class Nadam(Optimizer):
    """Adam with Nesterov momentum and Keras's momentum schedule
    μₜ = β₁(1 − ½·0.96ᵗ); the running product of the μ's is optimizer-wide state."""

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 **kwargs):
        super().__init__(learning_rate, **kwargs)
        _check_betas("Nadam", beta_1, beta_2, epsilon)
        self.beta_1, self.beta_2, self.epsilon = beta_1, beta_2, epsilon
        self._u_product = None  # created in the first weight's dtype, as Keras

    def _extra_state(self):
        return {"u_product": self._u_product}

    def _set_extra_state(self, extra):
        self._u_product = extra.get("u_product")

    def _before_updates(self, params):
        if self._u_product is None:
            self._u_product = (params[0].dtype if params else np.dtype(np.float32)).type(1.0)
        f = type(self._u_product)
        t = f(self.iterations + 1)
        self._u_product = self._u_product * f(self.beta_1) * (f(1.0) - f(0.5) * f(0.96) ** t)

    def update(self, key, param, grad, lr):
        f = param.dtype.type
        beta_1, beta_2, decay = f(self.beta_1), f(self.beta_2), f(_DECAY)
        local_step, next_step = f(self.iterations + 1), f(self.iterations + 2)
        u_t = beta_1 * (f(1.0) - f(0.5) * decay ** local_step)
        u_t_1 = beta_1 * (f(1.0) - f(0.5) * decay ** next_step)
        u_product_t = f(self._u_product)
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = beta_2 ** local_step
        m = self.slot(key, "momentum", param)
        v = self.slot(key, "velocity", param)
        m += (grad - m) * (1 - beta_1)
        v += (np.square(grad) - v) * (1 - beta_2)
        m_hat = (u_t_1 * m) / (1 - u_product_t_1) + ((1 - u_t) * grad) / (1 - u_product_t)
        v_hat = v / (1 - beta_2_power)
        param -= (m_hat * f(lr)) / (np.sqrt(v_hat) + f(self.epsilon))

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon}


class Lion(Optimizer):
    """w −= lr·sign(β₁m + (1−β₁)g); m = β₂m + (1−β₂)g."""

    def __init__(self, learning_rate=0.001, beta_1: float = 0.9, beta_2: float = 0.99, **kwargs):
        super().__init__(learning_rate, **kwargs)
        check_range("Lion", "beta_1", beta_1, 0, 1, low_open=True)
        check_range("Lion", "beta_2", beta_2, 0, 1)
        self.beta_1, self.beta_2 = beta_1, beta_2

    def update(self, key, param, grad, lr):
        f = param.dtype.type
        beta_1, beta_2 = f(self.beta_1), f(self.beta_2)
        m = self.slot(key, "momentum", param)
        param -= f(lr) * np.sign(m * beta_1 + grad * (f(1.0) - beta_1))
        m[...] = m * beta_2 + grad * (f(1.0) - beta_2)

    def get_config(self):
        return {**super().get_config(), "beta_1": self.beta_1, "beta_2": self.beta_2}


class Ftrl(Optimizer):
    """Follow-the-regularized-leader (McMahan et al.), Keras's formulation with
    L1, L2, L2-shrinkage and ``beta``."""

    def __init__(self, learning_rate=0.001, learning_rate_power: float = -0.5,
                 initial_accumulator_value: float = 0.1, l1_regularization_strength: float = 0.0,
                 l2_regularization_strength: float = 0.0, l2_shrinkage_regularization_strength: float = 0.0,
                 beta: float = 0.0, **kwargs):
        super().__init__(learning_rate, **kwargs)
        check_range("Ftrl", "learning_rate_power", learning_rate_power, high=0)
        check_range("Ftrl", "initial_accumulator_value", initial_accumulator_value, 0)
        check_range("Ftrl", "l1_regularization_strength", l1_regularization_strength, 0)
        check_range("Ftrl", "l2_regularization_strength", l2_regularization_strength, 0)
        check_range("Ftrl", "l2_shrinkage_regularization_strength", l2_shrinkage_regularization_strength, 0)
        check_range("Ftrl", "beta", beta, 0)
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def update(self, key, param, grad, lr):
        f = param.dtype.type
        lr = f(lr)
        accum = self.slot(key, "accumulator", param, self.initial_accumulator_value)
        linear = self.slot(key, "linear", param)
        power = f(-self.learning_rate_power)
        l2_reg = f(self.l2_regularization_strength) + f(self.beta) / (f(2.0) * lr)
        grad_to_use = grad + f(2 * self.l2_shrinkage_regularization_strength) * param
        new_accum = accum + np.square(grad)
        linear += grad_to_use - ((new_accum ** power - accum ** power) / lr) * param
        quadratic = new_accum ** power / lr + f(2) * l2_reg
        l1 = f(self.l1_regularization_strength)
        param[...] = (np.clip(linear, -l1, l1) - linear) / quadratic
        accum[...] = new_accum

    def get_config(self):
        return {**super().get_config(), "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta}
