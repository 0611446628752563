"""The ±1 accuracy of the XOR exercise, written once for NumPy and for ``keras.ops``.

An output ``y`` for a target ``t ∈ {-1, +1}`` counts as right when it has the
target's sign and ``|y| > 0.7`` (the report's threshold). With ``|t| = 1`` that
is the single comparison ``y·t > 0.7``, so the same expression runs on NumPy
arrays (minidl) and on Keras tensors: only the array namespace changes.
"""
from __future__ import annotations

from typing import Any

import numpy as np

PM1_THRESHOLD = 0.7


def pm1_accuracy_with(xp: Any, y_true: Any, y_pred: Any, threshold: float = PM1_THRESHOLD) -> Any:
    """Fraction right per sample: mean over the last axis of ``[y_pred·y_true > threshold]``.

    ``xp`` is ``numpy`` or ``keras.ops``; y_true and y_pred have shape
    (batch, units); the result has shape (batch,).
    """
    right = xp.greater(xp.multiply(y_true, y_pred), threshold)
    return xp.mean(xp.where(right, 1.0, 0.0), axis=-1)


def pm1_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """NumPy version (minidl): shape (batch, units) -> (batch,)."""
    return pm1_accuracy_with(np, np.asarray(y_true), np.asarray(y_pred))


def keras_pm1_accuracy(y_true: Any, y_pred: Any) -> Any:
    """``keras.ops`` version (Keras tensors): shape (batch, units) -> (batch,)."""
    from keras import ops
    y_true = ops.cast(y_true, y_pred.dtype)
    return pm1_accuracy_with(ops, y_true, y_pred)
