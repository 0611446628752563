"""Weight penalties, added once per step to the loss (not divided by the batch).

``reg(w)`` is the penalty (a float), ``reg.gradient(w)`` its derivative,
with ``w``'s shape. Keras's definitions: L1 = l1·Σ|w|, L2 = l2·Σw².
"""
from __future__ import annotations

import numpy as np


class Regularizer:
    def __call__(self, w: np.ndarray) -> float:
        raise NotImplementedError

    def gradient(self, w: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def add_gradient(self, w: np.ndarray, out: np.ndarray) -> None:
        """``out += gradient(w)``, in place (the training step's form)."""
        out += self.gradient(w)

    def get_config(self) -> dict:
        return dict(vars(self))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.get_config()})"


def _check_factor(name: str, value: float) -> float:
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value}")
    return value


class L1L2(Regularizer):
    """l1·Σ|w| + l2·Σw²; the derivative of |w| at 0 is taken as 0 (sign)."""

    def __init__(self, l1: float = 0.0, l2: float = 0.0):
        self.l1 = _check_factor("l1", l1)
        self.l2 = _check_factor("l2", l2)

    def __call__(self, w):
        penalty = 0.0
        if self.l1:
            penalty += self.l1 * float(np.abs(w).sum())
        if self.l2:
            flat = w.reshape(-1)
            penalty += self.l2 * float(np.dot(flat, flat))  # Σw² without a temporary array
        return penalty

    def gradient(self, w):
        g = np.zeros_like(w)
        if self.l1:
            g += self.l1 * np.sign(w)
        if self.l2:
            g += (2 * self.l2) * w
        return g

    def add_gradient(self, w, out):
        if self.l1:
            out += self.l1 * np.sign(w)
        if self.l2:
            out += (2 * self.l2) * w


def l2_factor(regularizer: Regularizer) -> float | None:
    """``l2`` when ``regularizer`` is exactly an L2 penalty ``l2·Σw²`` with our gradient
    (an L1L2 with l1 = 0 whose ``add_gradient`` is not overridden), which an optimizer
    may fold into its update; None otherwise."""
    if isinstance(regularizer, L1L2) and not regularizer.l1 and regularizer.l2 \
            and type(regularizer).add_gradient is L1L2.add_gradient:
        return regularizer.l2
    return None


class L1(L1L2):
    def __init__(self, l1: float = 0.01):
        super().__init__(l1=l1)

    def get_config(self):
        return {"l1": self.l1}


class L2(L1L2):
    def __init__(self, l2: float = 0.01):
        super().__init__(l2=l2)

    def get_config(self):
        return {"l2": self.l2}


l1, l2, l1_l2 = L1, L2, L1L2
_BY_NAME = {"l1": L1, "l2": L2, "l1_l2": L1L2, "l1l2": L1L2}


def get(identifier: str | dict | Regularizer | None) -> Regularizer | None:
    """Resolve ``None``, a Keras name (``"l2"``, default factor 0.01), Keras's serialized
    form (``{"class_name": "L2", "config": {"l2": 0.01}}``) or a Regularizer."""
    if identifier is None or isinstance(identifier, Regularizer):
        return identifier
    if isinstance(identifier, dict) and "class_name" in identifier:
        key = str(identifier["class_name"]).lower()
        if key not in _BY_NAME:
            raise ValueError(f"Unknown regularizer class {identifier['class_name']!r}; valid: L1, L2, L1L2")
        return _BY_NAME[key](**identifier.get("config", {}))
    if isinstance(identifier, str):
        key = identifier.lower()
        if key not in _BY_NAME:
            raise ValueError(f"Unknown regularizer {identifier!r}; valid names: {sorted(_BY_NAME)}")
        return _BY_NAME[key]()
    raise TypeError(f"regularizer must be a name or a Regularizer, got {identifier!r}")
