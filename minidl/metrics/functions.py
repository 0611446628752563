"""Metric functions ``f(y_true, y_pred) -> values``, Keras 3's formulas.

Accuracies return one value per element of ``y_pred`` without its class axis
(binary accuracy: per element of ``y_pred``, as Keras 3); regression metrics
return one value per sample (the mean over the last axis).
"""
from __future__ import annotations

import numpy as np

from .. import config
from ..losses import _align, _sparse_labels


def accuracy(y_true, y_pred) -> np.ndarray:
    """[y_true == y_pred] elementwise (``keras.metrics.Accuracy``)."""
    y_pred = np.asarray(y_pred)
    return (_align("accuracy", y_true, y_pred) == y_pred).astype(np.float64)


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


def top_k_categorical_accuracy(y_true, y_pred, k: int = 5) -> np.ndarray:
    """[the true class (argmax of one-hot y_true) scores among the k highest], shape (batch, ...)."""
    y_pred = np.asarray(y_pred)
    labels = _align("top_k_categorical_accuracy", y_true, y_pred).argmax(axis=-1)
    true_score = np.take_along_axis(y_pred, labels[..., None], axis=-1)
    # in_top_k: fewer than k classes score strictly higher than the true one
    return ((y_pred > true_score).sum(axis=-1) < k).astype(np.float64)


def mean_squared_error(y_true, y_pred) -> np.ndarray:
    y_pred = np.asarray(y_pred)
    return np.square(y_pred - _align("mean_squared_error", y_true, y_pred)).mean(axis=-1)


def mean_absolute_error(y_true, y_pred) -> np.ndarray:
    y_pred = np.asarray(y_pred)
    return np.abs(y_pred - _align("mean_absolute_error", y_true, y_pred)).mean(axis=-1)


def mean_absolute_percentage_error(y_true, y_pred) -> np.ndarray:
    """100·mean(|y_true − y_pred| / max(|y_true|, ε)) over the last axis."""
    y_pred = np.asarray(y_pred)
    t = _align("mean_absolute_percentage_error", y_true, y_pred)
    return 100.0 * (np.abs(t - y_pred) / np.maximum(np.abs(t), config.epsilon())).mean(axis=-1)
