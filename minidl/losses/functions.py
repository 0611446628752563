"""Keras's plain loss functions: ``fn(y_true, y_pred) -> per-sample losses`` (NumPy arrays).

``losses.get(fn)`` and ``compile(loss=fn)`` resolve each to its Loss class, so
the hand-written gradient is used (these are NumPy, not ``minidl.ops``)."""
from __future__ import annotations

import numpy as np

from . import hinge as _h
from . import probabilistic as _p
from . import regression as _r


def _values(loss, y_true, y_pred) -> np.ndarray:
    return loss.per_sample(y_true, np.asarray(y_pred))


def mean_squared_error(y_true, y_pred) -> np.ndarray:
    """mean((y_true − y_pred)², axis=-1): shape y_pred.shape[:-1]."""
    return _values(_r.MeanSquaredError(), y_true, y_pred)


def mean_absolute_error(y_true, y_pred) -> np.ndarray:
    """mean(|y_true − y_pred|, axis=-1)."""
    return _values(_r.MeanAbsoluteError(), y_true, y_pred)


def mean_absolute_percentage_error(y_true, y_pred) -> np.ndarray:
    """100·mean(|(t − p) / max(|t|, ε)|, axis=-1)."""
    return _values(_r.MeanAbsolutePercentageError(), y_true, y_pred)


def mean_squared_logarithmic_error(y_true, y_pred) -> np.ndarray:
    """mean((log(max(p, ε) + 1) − log(max(t, ε) + 1))², axis=-1)."""
    return _values(_r.MeanSquaredLogarithmicError(), y_true, y_pred)


def cosine_similarity(y_true, y_pred, axis: int = -1) -> np.ndarray:
    """−Σ normalize(t)·normalize(p) along ``axis``."""
    return _values(_r.CosineSimilarity(axis=axis), y_true, y_pred)


def huber(y_true, y_pred, delta: float = 1.0) -> np.ndarray:
    """Huber loss per sample (mean over the last axis)."""
    return _values(_r.Huber(delta=delta), y_true, y_pred)


def log_cosh(y_true, y_pred) -> np.ndarray:
    """mean(log cosh(p − t), axis=-1)."""
    return _values(_r.LogCosh(), y_true, y_pred)


def kl_divergence(y_true, y_pred) -> np.ndarray:
    """Σ t·log(t / p) over the last axis, both clipped to [ε, 1]."""
    return _values(_p.KLDivergence(), y_true, y_pred)


def poisson(y_true, y_pred) -> np.ndarray:
    """mean(p − t·log(p + ε), axis=-1)."""
    return _values(_p.Poisson(), y_true, y_pred)


def hinge(y_true, y_pred) -> np.ndarray:
    """mean(max(1 − t·p, 0), axis=-1), binary labels mapped to ±1."""
    return _values(_h.Hinge(), y_true, y_pred)


def squared_hinge(y_true, y_pred) -> np.ndarray:
    """mean(max(1 − t·p, 0)², axis=-1), binary labels mapped to ±1."""
    return _values(_h.SquaredHinge(), y_true, y_pred)


def categorical_hinge(y_true, y_pred) -> np.ndarray:
    """max(max((1 − t)·p) − Σ t·p + 1, 0) per sample."""
    return _values(_h.CategoricalHinge(), y_true, y_pred)


def categorical_crossentropy(y_true, y_pred, from_logits: bool = False) -> np.ndarray:
    """−Σ t·log p over the last axis."""
    return _values(_p.CategoricalCrossentropy(from_logits=from_logits), y_true, y_pred)


def sparse_categorical_crossentropy(y_true, y_pred, from_logits: bool = False) -> np.ndarray:
    """−log p[label] per sample, integer labels."""
    return _values(_p.SparseCategoricalCrossentropy(from_logits=from_logits), y_true, y_pred)


def binary_crossentropy(y_true, y_pred, from_logits: bool = False) -> np.ndarray:
    """mean(−(t·log p + (1 − t)·log(1 − p)), axis=-1)."""
    return _values(_p.BinaryCrossentropy(from_logits=from_logits), y_true, y_pred)


#: each plain function's Loss class, for losses.get
CLASS_OF = {
    mean_squared_error: _r.MeanSquaredError, mean_absolute_error: _r.MeanAbsoluteError,
    mean_absolute_percentage_error: _r.MeanAbsolutePercentageError,
    mean_squared_logarithmic_error: _r.MeanSquaredLogarithmicError,
    cosine_similarity: _r.CosineSimilarity, huber: _r.Huber, log_cosh: _r.LogCosh,
    kl_divergence: _p.KLDivergence, poisson: _p.Poisson, hinge: _h.Hinge, squared_hinge: _h.SquaredHinge,
    categorical_hinge: _h.CategoricalHinge, categorical_crossentropy: _p.CategoricalCrossentropy,
    sparse_categorical_crossentropy: _p.SparseCategoricalCrossentropy,
    binary_crossentropy: _p.BinaryCrossentropy,
}
