"""Stateful metrics, Keras 3 style: ``update_state`` per batch, ``result`` at any time,
``reset_state`` between epochs. Accumulated in float64."""
from __future__ import annotations

from typing import Callable

import numpy as np

from . import functions as F


def _match_rank(a: np.ndarray, b: np.ndarray, expand_rank_1: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Keras's ``squeeze_or_expand_to_same_rank``: fix a rank difference of one
    when the higher-rank array ends in a unit axis."""
    if a.ndim == b.ndim + 1 and a.shape[-1] == 1:
        if b.ndim == 1 and expand_rank_1:
            b = b[..., None]
        else:
            a = a[..., 0]
    elif b.ndim == a.ndim + 1 and b.shape[-1] == 1:
        if a.ndim == 1 and expand_rank_1:
            a = a[..., None]
        else:
            b = b[..., 0]
    return a, b


def samplewise(values, sample_weight=None) -> tuple[np.ndarray, np.ndarray | None]:
    """Keras's ``reduce_to_samplewise_values`` with ``mean``: per-sample weighted
    values (shape (batch,)) and the per-sample weights (or None)."""
    values = np.asarray(values, dtype=np.float64)
    if sample_weight is not None:
        sample_weight = np.asarray(sample_weight, dtype=np.float64)
        values, sample_weight = _match_rank(values, sample_weight)
        if values.ndim > sample_weight.ndim:
            values = values.mean(axis=tuple(range(sample_weight.ndim, values.ndim)))
        sample_weight = np.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if sample_weight.ndim > 1:
            sample_weight = sample_weight.mean(axis=tuple(range(1, sample_weight.ndim)))
    if values.ndim > 1:
        values = values.mean(axis=tuple(range(1, values.ndim)))
    return values, sample_weight


class Metric:
    """Base class. Subclasses define ``update_state``, ``result``, ``reset_state``."""

    def __init__(self, name: str | None = None, dtype=None):
        self.name = name or _snake(type(self).__name__)
        self.dtype = dtype

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        raise NotImplementedError

    def result(self) -> float:
        raise NotImplementedError

    def reset_state(self) -> None:
        raise NotImplementedError

    def __call__(self, *args, **kwargs) -> float:
        """Keras's ``metric(y_true, y_pred)``: update the state, return the result."""
        self.update_state(*args, **kwargs)
        return self.result()

    def get_config(self) -> dict:
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict) -> "Metric":
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def _snake(name: str) -> str:
    import re
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Mean(Metric):
    """The weighted mean of the values given: ``total / count`` (0 when empty).

    ``update_state(values, sample_weight=None)``: values are reduced to one per
    sample (mean over the other axes); ``count`` grows by the sample weights'
    sum, or by the batch size without weights. The trainer's loss tracker."""

    def __init__(self, name: str = "mean", dtype=None):
        super().__init__(name, dtype)
        self.total = 0.0
        self.count = 0.0

    def update_state(self, values, sample_weight=None) -> None:  # type: ignore[override]
        if isinstance(values, float) and isinstance(sample_weight, (int, float)):
            # a scalar with a scalar weight (the trainer's loss per batch): no arrays needed
            self.total += values * sample_weight
            self.count += sample_weight
            return
        if sample_weight is None and type(values) is np.ndarray and values.ndim == 1:
            # per-sample values without weights (a metric function's result): samplewise's
            # checks would change nothing; the same sum in float64
            if values.shape[0] == 1 and values.dtype.kind == "f":  # batch size 1: the sum is 0.0 + v
                self.total += 0.0 + float(values[0])  # (0.0 + keeps the sum's -0.0 -> 0.0)
            else:
                self.total += float(values.astype(np.float64, copy=False).sum())
            self.count += values.shape[0]
            return
        values, sample_weight = samplewise(values, sample_weight)
        self.total += float(values.sum())
        if sample_weight is not None:
            self.count += float(sample_weight.sum())
        else:
            self.count += values.shape[0] if values.ndim >= 1 else 1

    def result(self) -> float:
        return self.total / self.count if self.count else 0.0

    def reset_state(self) -> None:
        self.total = 0.0
        self.count = 0.0


class MeanMetricWrapper(Mean):
    """The running mean of ``fn(y_true, y_pred, **kwargs)``: Keras's wrapper for
    plain metric functions."""

    def __init__(self, fn: Callable, name: str | None = None, dtype=None, **kwargs):
        super().__init__(name or getattr(fn, "__name__", "metric"), dtype)
        self.fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:  # type: ignore[override]
        super().update_state(self.fn(y_true, y_pred, **self._fn_kwargs), sample_weight)

    def get_config(self) -> dict:
        return {**super().get_config(), **self._fn_kwargs}


class Accuracy(MeanMetricWrapper):
    """How often ``y_pred`` equals ``y_true`` exactly."""

    def __init__(self, name: str = "accuracy", dtype=None):
        super().__init__(F.accuracy, name, dtype)


class BinaryAccuracy(MeanMetricWrapper):
    """How often ``(y_pred > threshold)`` equals the 0/1 label."""

    def __init__(self, name: str = "binary_accuracy", dtype=None, threshold: float = 0.5):
        super().__init__(F.binary_accuracy, name, dtype, threshold=threshold)
        self.threshold = threshold


class CategoricalAccuracy(MeanMetricWrapper):
    """How often argmax(y_pred) equals argmax of the one-hot label."""

    def __init__(self, name: str = "categorical_accuracy", dtype=None):
        super().__init__(F.categorical_accuracy, name, dtype)


class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often argmax(y_pred) equals the integer label."""

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype=None):
        super().__init__(F.sparse_categorical_accuracy, name, dtype)


class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot label's class is among the ``k`` highest predictions."""

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype=None):
        super().__init__(F.top_k_categorical_accuracy, name, dtype, k=k)
        self.k = k


class MeanSquaredError(MeanMetricWrapper):
    def __init__(self, name: str = "mean_squared_error", dtype=None):
        super().__init__(F.mean_squared_error, name, dtype)


class MeanAbsoluteError(MeanMetricWrapper):
    def __init__(self, name: str = "mean_absolute_error", dtype=None):
        super().__init__(F.mean_absolute_error, name, dtype)


class MeanAbsolutePercentageError(MeanMetricWrapper):
    def __init__(self, name: str = "mean_absolute_percentage_error", dtype=None):
        super().__init__(F.mean_absolute_percentage_error, name, dtype)


class RootMeanSquaredError(Mean):
    """sqrt of the (weighted) mean of the squared errors: elementwise squares,
    reduced per sample like :class:`Mean`, the root taken in ``result``."""

    def __init__(self, name: str = "root_mean_squared_error", dtype=None):
        super().__init__(name, dtype)

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:  # type: ignore[override]
        y_true, y_pred = _match_rank(np.asarray(y_true, np.float64), np.asarray(y_pred, np.float64))
        super().update_state(np.square(y_pred - y_true), sample_weight)

    def result(self) -> float:
        return float(np.sqrt(super().result()))
