"""Metrics, Keras 3 style: stateful objects with ``update_state(y_true, y_pred,
sample_weight=None)``, ``result()``, ``reset_state()`` and ``name``, plus the
plain functions ``f(y_true, y_pred) -> per-sample values``.

Protocol for the trainer: ``m = metrics.get(identifier, y_true_shape,
y_pred_shape)`` once per compiled metric (after the first batch's shapes are
known); per batch ``m.update_state(y, y_pred, sample_weight)``; ``m.result()``
for the logs; ``m.reset_state()`` at the start of each epoch / evaluate.
"""
from __future__ import annotations

from typing import Callable

from .base import (Accuracy, BinaryAccuracy, CategoricalAccuracy, Mean, MeanAbsoluteError,
                   MeanAbsolutePercentageError, MeanMetricWrapper, MeanSquaredError, Metric, RootMeanSquaredError,
                   SparseCategoricalAccuracy, TopKCategoricalAccuracy)
from .confusion import AUC, FalseNegatives, FalsePositives, Precision, Recall, TrueNegatives, TruePositives
from .functions import (accuracy, binary_accuracy, categorical_accuracy, mean_absolute_error,
                        mean_absolute_percentage_error, mean_squared_error, sparse_categorical_accuracy,
                        top_k_categorical_accuracy)

_CLASSES = (Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy, TopKCategoricalAccuracy,
            Precision, Recall, AUC, TruePositives, TrueNegatives, FalsePositives, FalseNegatives,
            MeanSquaredError, MeanAbsoluteError, MeanAbsolutePercentageError, RootMeanSquaredError, Mean)
_FUNCTIONS = (binary_accuracy, categorical_accuracy, sparse_categorical_accuracy, top_k_categorical_accuracy,
              mean_squared_error, mean_absolute_error, mean_absolute_percentage_error)

# Keras's lookup table: class names, their snake_case forms and the short aliases.
_BY_NAME: dict[str, type] = {}
for _cls in _CLASSES:
    _BY_NAME[_cls.__name__.lower()] = _cls
    _BY_NAME[_cls().name] = _cls
_BY_NAME.update({"mse": MeanSquaredError, "mae": MeanAbsoluteError, "mape": MeanAbsolutePercentageError,
                 "rmse": RootMeanSquaredError, "auc": AUC, "precision": Precision, "recall": Recall})

__all__ = ["Metric", "get", "serialize", "deserialize", *(c.__name__ for c in _CLASSES), "MeanMetricWrapper",
           *(f.__name__ for f in _FUNCTIONS), "accuracy"]


def _accuracy_for(y_true_shape: tuple, y_pred_shape: tuple, name: str) -> Metric:
    """Keras 3's compile: binary when the output has one unit, sparse categorical
    when the labels have lower rank (or one column against several outputs),
    categorical otherwise."""
    if y_pred_shape[-1] == 1:
        return BinaryAccuracy(name=name)
    if len(y_true_shape) < len(y_pred_shape) or (y_true_shape[-1] == 1 and y_pred_shape[-1] > 1):
        return SparseCategoricalAccuracy(name=name)
    return CategoricalAccuracy(name=name)


def get(identifier, y_true_shape: tuple = (None, 1), y_pred_shape: tuple = (None, 1), loss=None) -> Metric:
    """Resolve a metric as Keras 3's ``compile`` does (``compile_utils.get_metric``).

    ``"accuracy"``/``"acc"`` pick binary / sparse categorical / categorical
    accuracy from the shapes; other strings are Keras's names (``"mae"``,
    ``"mean_squared_error"``, ``"precision"``, ``"AUC"``, ...); a Metric passes
    through; a plain callable ``f(y_true, y_pred)`` is wrapped in
    :class:`MeanMetricWrapper`. A string's metric is named by the string given
    (the history key), a callable's by its ``name`` or ``__name__``. ``loss`` is
    accepted for Keras's signature and not needed (Keras ignores it too).
    """
    if isinstance(identifier, Metric):
        return identifier
    if isinstance(identifier, str):
        if identifier.lower() in ("accuracy", "acc"):
            return _accuracy_for(tuple(y_true_shape), tuple(y_pred_shape), identifier)
        cls = _BY_NAME.get(identifier) or _BY_NAME.get(identifier.lower())
        if cls is None:
            raise ValueError(f"Unknown metric {identifier!r}; valid names: "
                             f"{sorted({*_BY_NAME, 'accuracy', 'acc'})} or a callable f(y_true, y_pred)")
        metric = cls()
        metric.name = identifier
        return metric
    if isinstance(identifier, type) and issubclass(identifier, Metric):
        return identifier()
    if callable(identifier):
        return MeanMetricWrapper(identifier, getattr(identifier, "name", None)
                                 or getattr(identifier, "__name__", "metric"))
    raise TypeError(f"metric must be a name, a Metric or a callable f(y_true, y_pred), got {identifier!r}")


def serialize(metric: Metric) -> dict:
    """``{"class_name": ..., "config": ...}`` as Keras's ``metrics.serialize``."""
    return {"module": "keras.metrics", "class_name": type(metric).__name__, "config": metric.get_config(),
            "registered_name": None}


def deserialize(config: dict, custom_objects: dict | None = None) -> Metric:
    """Rebuild a metric from :func:`serialize`'s dict."""
    table: dict[str, Callable] = {c.__name__: c for c in _CLASSES}
    table.update(custom_objects or {})
    name = config.get("class_name")
    if name not in table:
        raise ValueError(f"Unknown metric class {name!r}; known: {sorted(table)}")
    return table[name].from_config(dict(config.get("config", {})))
