"""Hinge losses, Keras 3's formulas, gradients by hand."""
from __future__ import annotations

import numpy as np

from .base import Loss, _align


def _hinge_labels(t: np.ndarray) -> np.ndarray:
    """Keras's ``convert_binary_labels_to_hinge``: {0, 1} labels become {−1, 1}; others stay."""
    return 2.0 * t - 1.0 if np.all((t == 0) | (t == 1)) else t


class _Hinge(Loss):
    def __init__(self, reduction: str = "sum_over_batch_size", name: str | None = None, dtype=None):
        super().__init__(name=name or type(self).name, reduction=reduction, dtype=dtype)

    def _margin(self, y_true, y_pred):
        t = _hinge_labels(_align(self.name, y_true, y_pred))
        return t, np.maximum(1.0 - t * y_pred, 0.0)


class Hinge(_Hinge):
    """mean(max(1 − t·p, 0)) over the last axis; binary labels {0, 1} become {−1, 1}."""

    name = "hinge"

    def per_sample(self, y_true, y_pred):
        return self._margin(y_true, y_pred)[1].mean(axis=-1)

    def per_sample_gradient(self, y_true, y_pred):
        t, m = self._margin(y_true, y_pred)
        return np.where(m > 0, -t, 0) / np.asarray(y_pred.shape[-1], dtype=y_pred.dtype)


class SquaredHinge(_Hinge):
    """mean(max(1 − t·p, 0)²) over the last axis; binary labels {0, 1} become {−1, 1}."""

    name = "squared_hinge"

    def per_sample(self, y_true, y_pred):
        return np.square(self._margin(y_true, y_pred)[1]).mean(axis=-1)

    def per_sample_gradient(self, y_true, y_pred):
        t, m = self._margin(y_true, y_pred)
        return -2.0 * m * t / np.asarray(y_pred.shape[-1], dtype=y_pred.dtype)


class CategoricalHinge(_Hinge):
    """max(neg − pos + 1, 0), pos = Σ t·p, neg = max((1 − t)·p) over the last axis."""

    name = "categorical_hinge"

    def _parts(self, y_true, y_pred):
        t = _align(self.name, y_true, y_pred)
        pos = (t * y_pred).sum(axis=-1)
        others = (1.0 - t) * y_pred
        neg = others.max(axis=-1)
        return t, others, neg, np.maximum(neg - pos + 1.0, 0.0)

    def per_sample(self, y_true, y_pred):
        return self._parts(y_true, y_pred)[3]

    def per_sample_gradient(self, y_true, y_pred):
        t, others, neg, loss = self._parts(y_true, y_pred)
        # TF's reduce_max shares the gradient equally among tied maxima
        at_max = (others == neg[..., None]).astype(y_pred.dtype)
        d_neg = at_max / at_max.sum(axis=-1, keepdims=True) * (1.0 - t)
        return np.where((loss > 0)[..., None], d_neg - t, 0)
