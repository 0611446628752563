"""Metrics: per-sample values averaged over an epoch, as Keras's Mean metrics.

A metric maps ``(y_true, y_pred)`` to per-sample values (shape ``(batch,)``,
or elementwise for binary accuracy, as in Keras 3); the model keeps a running
sum and count over the epoch, so the epoch value is the sample-weighted mean
over its batches. A plain callable
``f(y_true, y_pred)`` works too: per-sample values are averaged the same way,
a scalar counts as one value per batch (Keras's ``MeanMetricWrapper``).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from .losses import _align, _sparse_labels


class Metric:
    def __init__(self, fn: Callable, name: str):
        self.fn = fn
        self.name = name

    def __call__(self, y_true, y_pred) -> np.ndarray:
        return np.asarray(self.fn(y_true, y_pred), dtype=np.float64)

    # TEMPORARY stateful protocol (the compat branch replaces this module)
    def update_state(self, y_true, y_pred, sample_weight=None):
        v = self(y_true, y_pred)
        self._total = getattr(self, "_total", 0.0) + v.sum()
        self._count = getattr(self, "_count", 0) + v.size

    def result(self):
        return self._total / self._count if getattr(self, "_count", 0) else 0.0

    def reset_state(self):
        self._total, self._count = 0.0, 0


class Mean:
    def __init__(self, name="mean"):
        self.name = name
        self.reset_state()

    def update_state(self, value, sample_weight=1):
        self._total += value * sample_weight
        self._count += sample_weight

    def result(self):
        return self._total / self._count if self._count else 0.0

    def reset_state(self):
        self._total, self._count = 0.0, 0

    def __repr__(self) -> str:
        return f"<metric {self.name}>"


def binary_accuracy(y_true, y_pred, threshold: float = 0.5) -> np.ndarray:
    """[(y_pred > threshold) == y_true] elementwise, y_pred's shape (as Keras 3:
    the epoch mean then runs over every element)."""
    y_pred = np.asarray(y_pred)
    t = _align("binary_accuracy", y_true, y_pred)
    return ((y_pred > threshold) == t).astype(np.float64)


def categorical_accuracy(y_true, y_pred) -> np.ndarray:
    """[argmax y_true == argmax y_pred], shape (batch, ...)."""
    y_pred = np.asarray(y_pred)
    t = _align("categorical_accuracy", y_true, y_pred)
    return (t.argmax(axis=-1) == y_pred.argmax(axis=-1)).astype(np.float64)


def sparse_categorical_accuracy(y_true, y_pred) -> np.ndarray:
    """[y_true == argmax y_pred] for integer labels, shape (batch, ...)."""
    y_pred = np.asarray(y_pred)
    labels = _sparse_labels("sparse_categorical_accuracy", y_true, y_pred)
    return (labels == y_pred.argmax(axis=-1)).astype(np.float64)


def mean_squared_error(y_true, y_pred) -> np.ndarray:
    y_pred = np.asarray(y_pred)
    return np.square(y_pred - _align("mean_squared_error", y_true, y_pred)).mean(axis=-1)


def mean_absolute_error(y_true, y_pred) -> np.ndarray:
    y_pred = np.asarray(y_pred)
    return np.abs(y_pred - _align("mean_absolute_error", y_true, y_pred)).mean(axis=-1)


class BinaryAccuracy(Metric):
    def __init__(self, name: str = "binary_accuracy", threshold: float = 0.5):
        super().__init__(lambda t, p: binary_accuracy(t, p, threshold), name)
        self.threshold = threshold


class CategoricalAccuracy(Metric):
    def __init__(self, name: str = "categorical_accuracy"):
        super().__init__(categorical_accuracy, name)


class SparseCategoricalAccuracy(Metric):
    def __init__(self, name: str = "sparse_categorical_accuracy"):
        super().__init__(sparse_categorical_accuracy, name)


_BY_NAME: dict[str, Callable] = {
    "binary_accuracy": binary_accuracy,
    "categorical_accuracy": categorical_accuracy,
    "sparse_categorical_accuracy": sparse_categorical_accuracy,
    "mse": mean_squared_error, "mean_squared_error": mean_squared_error,
    "mae": mean_absolute_error, "mean_absolute_error": mean_absolute_error,
}


def get(identifier, y_true_shape: tuple, y_pred_shape: tuple, loss=None) -> Metric:
    """Resolve a metric as Keras's ``compile`` does.

    ``"accuracy"``/``"acc"`` become binary accuracy when the output has one
    unit, sparse categorical when the labels have lower rank (or one column
    against several outputs), categorical otherwise; the history key is the
    string given. A callable keeps its ``__name__`` (or ``.name``).
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        key = identifier.lower()
        if key in ("accuracy", "acc"):
            if y_pred_shape[-1] == 1:
                fn = binary_accuracy
            elif len(y_true_shape) < len(y_pred_shape) or (y_true_shape[-1] == 1 and y_pred_shape[-1] > 1):
                fn = sparse_categorical_accuracy
            else:
                fn = categorical_accuracy
            return Metric(fn, identifier)
        if key not in _BY_NAME:
            raise ValueError(f"Unknown metric {identifier!r}; valid names: "
                             f"{sorted([*_BY_NAME, 'accuracy', 'acc'])} or a callable f(y_true, y_pred)")
        return Metric(_BY_NAME[key], identifier)
    if callable(identifier):
        return Metric(identifier, getattr(identifier, "name", None) or getattr(identifier, "__name__", "metric"))
    raise TypeError(f"metric must be a name or a callable f(y_true, y_pred), got {identifier!r}")
