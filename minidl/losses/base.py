"""The Loss base class, label alignment and Keras's reductions.

Each loss maps ``(y_true, y_pred)`` to per-sample values (``y_pred``'s shape
without the reduced axis, usually the last), weighted by ``sample_weight``
and reduced to a scalar: Keras's "sum_over_batch_size" (the mean over every
per-sample value; "mean" is the same) or "sum".

Shapes: ``y_pred`` (batch, ..., n). ``y_true`` has the same shape; as in
Keras, a rank difference of one is resolved by squeezing or expanding a
trailing axis of size 1 (``(batch,)`` against ``(batch, 1)``). Sparse losses
take integer labels (batch, ...) or (batch, ..., 1). Anything else is an
error: nothing broadcasts silently.
"""
from __future__ import annotations

import re

import numpy as np

_REDUCTIONS = ("sum_over_batch_size", "mean", "sum")


def _align(name: str, y_true, y_pred: np.ndarray) -> np.ndarray:
    y_true = np.asarray(y_true)
    if y_true.ndim == y_pred.ndim - 1 and y_pred.shape[-1] == 1:
        y_true = y_true[..., None]
    elif y_true.ndim == y_pred.ndim + 1 and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{name}: y_true shape {y_true.shape} does not match y_pred shape {y_pred.shape}")
    return y_true.astype(y_pred.dtype, copy=False)


def _sparse_labels(name: str, y_true, y_pred: np.ndarray) -> np.ndarray:
    y_true = np.asarray(y_true)
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true[..., 0]
    if y_true.shape != y_pred.shape[:-1]:
        raise ValueError(f"{name}: integer labels of shape {y_true.shape} do not match predictions "
                         f"of shape {y_pred.shape} (expected labels of shape {y_pred.shape[:-1]})")
    labels = y_true.astype(np.int64)
    if not np.array_equal(labels, y_true):
        raise ValueError(f"{name}: labels must be integers, got non-integral values")
    n_classes = y_pred.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"{name}: labels must lie in [0, {n_classes}), got range "
                         f"[{labels.min()}, {labels.max()}]")
    return labels


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _check_reduction(loss_name: str, reduction) -> str:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{loss_name}: reduction must be one of {list(_REDUCTIONS)} (minidl's trainer needs a "
                         f"scalar; 'none' and 'mean_with_sample_weight' are not supported), got {reduction!r}")
    return reduction


class Loss:
    """Base class, Keras's ``keras.losses.Loss``.

    Built-in losses define ``per_sample`` and ``per_sample_gradient`` (by hand).
    A user's loss defines only ``call(self, y_true, y_pred)`` with ``minidl.ops``,
    returning per-sample values; its gradient comes from the ops it ran (autodiff).

    ``value_and_grad(y_true, y_pred, sample_weight)`` is what the trainer
    calls: the scalar loss and its gradient with respect to ``y_pred``, in
    one call, so a loss can compute both in one pass (the softmax
    cross-entropy from logits does).

    Args:
        name: defaults to the class name in snake case.
        reduction: "sum_over_batch_size" (default; "mean" is the same) or "sum".
        dtype: accepted for Keras's signature; the computation follows ``y_pred``'s dtype.
    """

    name = "loss"
    reduction = "sum_over_batch_size"
    #: the output activation whose logits Keras uses instead of its output (see Model.compile)
    logits_activation: str | None = None
    #: the axis the per-sample values reduce (sample weights broadcast along it)
    _axis = -1

    def __init__(self, name: str | None = None, reduction: str = "sum_over_batch_size", dtype=None):
        self.reduction = _check_reduction(name or type(self).__name__, reduction)
        self.name = name or _snake_case(type(self).__name__)
        self.dtype = dtype

    # ---- Keras's face ----------------------------------------------------------------
    def __call__(self, y_true, y_pred, sample_weight=None) -> float:
        y_pred = np.asarray(y_pred)
        values = self.per_sample(y_true, y_pred)
        return self._reduce(values, _weights(self.name, sample_weight, values))

    def call(self, y_true, y_pred):
        """Per-sample losses written with ``minidl.ops`` (a user's subclass defines this)."""
        raise NotImplementedError(f"{type(self).__name__}: a Loss subclass must define call(y_true, y_pred)")

    # ---- what the trainer calls ----------------------------------------------------------
    def value_and_grad(self, y_true, y_pred, sample_weight=None) -> tuple[float, np.ndarray]:
        """(reduced loss, d reduced loss / d y_pred), each per-sample value times its
        ``sample_weight`` when given."""
        y_pred = np.asarray(y_pred)
        values, grad = self.values_and_mean_gradient(y_true, y_pred)
        weights = _weights(self.name, sample_weight, values)
        if weights is not None:
            grad = grad * np.expand_dims(weights, self._axis).astype(grad.dtype)
        if self.reduction == "sum":
            grad = grad * np.asarray(max(values.size, 1), dtype=grad.dtype)
        return self._reduce(values, weights), grad

    def values_and_mean_gradient(self, y_true, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-sample values and the gradient of their (unweighted) mean."""
        if self._uses_call():
            return self._call_values_and_mean_gradient(y_true, y_pred)
        values = self.per_sample(y_true, y_pred)
        n = max(values.size, 1)
        return values, self.per_sample_gradient(y_true, y_pred) / np.asarray(n, dtype=y_pred.dtype)

    def gradient(self, y_true, y_pred) -> np.ndarray:
        """d(reduced loss)/d(y_pred), shape ``y_pred.shape``."""
        return self.value_and_grad(y_true, np.asarray(y_pred))[1]

    def per_sample(self, y_true, y_pred: np.ndarray) -> np.ndarray:
        """Loss per sample, shape ``y_pred.shape`` without the reduced axis."""
        if self._uses_call():
            return np.asarray(self.call(self._y_true(y_true, y_pred), y_pred))
        raise NotImplementedError(f"{type(self).__name__}: define per_sample or call")

    def per_sample_gradient(self, y_true, y_pred: np.ndarray) -> np.ndarray:
        """d(sum of per-sample losses)/d(y_pred)."""
        raise NotImplementedError(f"{type(self).__name__}: define per_sample_gradient or call")

    def as_logits(self) -> "Loss":
        """The same loss taking logits: used when the output layer's activation
        is ``logits_activation``, as Keras does through ``_keras_logits``."""
        raise NotImplementedError(f"{type(self).__name__} has no logits form")

    def get_config(self) -> dict:
        return {"name": self.name, "reduction": self.reduction}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.get_config()})"

    # ---- helpers ---------------------------------------------------------------------------
    def _uses_call(self) -> bool:
        return type(self).call is not Loss.call

    def _y_true(self, y_true, y_pred: np.ndarray) -> np.ndarray:
        return np.asarray(y_true).astype(y_pred.dtype, copy=False)  # Keras casts y_true to the loss dtype

    def _call_values_and_mean_gradient(self, y_true, y_pred):
        from ..ops import autodiff
        t = self._y_true(y_true, y_pred)
        values, tape = autodiff.record(lambda p: self.call(t, p), y_pred, {})
        values = np.asarray(values)
        cotangent = np.full(values.shape, 1.0 / max(values.size, 1), dtype=y_pred.dtype)
        grad, _ = autodiff.backprop(tape, cotangent)
        return values, grad

    def _reduce(self, values: np.ndarray, weights: np.ndarray | None) -> float:
        if not values.size:
            return 0.0
        # np.add.reduce is what ndarray.sum calls, without its Python wrapper (the same bits)
        total = float(np.add.reduce(values if weights is None else values * weights, axis=None))
        return total if self.reduction == "sum" else total / values.size


def _weights(name: str, sample_weight, values: np.ndarray) -> np.ndarray | None:
    """Sample weights broadcast to the per-sample values' shape, or None."""
    if sample_weight is None:
        return None
    w = np.asarray(sample_weight, dtype=np.float64)
    while w.ndim > values.ndim and w.shape[-1] == 1:
        w = w[..., 0]
    try:
        return np.broadcast_to(w.reshape(w.shape + (1,) * (values.ndim - w.ndim)), values.shape)
    except ValueError:
        raise ValueError(f"{name}: sample_weight of shape {w.shape} does not fit per-sample losses "
                         f"of shape {values.shape}") from None


def _reduce(values: np.ndarray, weights: np.ndarray | None) -> float:
    """The "sum_over_batch_size" reduction (kept for callers of the old module)."""
    if not values.size:
        return 0.0
    return float(values.mean()) if weights is None else float((values * weights).sum() / values.size)


class LossFunctionWrapper(Loss):
    """A plain function ``fn(y_true, y_pred) -> per-sample losses`` written with
    ``minidl.ops``, as a Loss: the gradient comes from the ops it ran (autodiff)."""

    def __init__(self, fn, name: str | None = None, reduction: str = "sum_over_batch_size", dtype=None):
        super().__init__(name=name or getattr(fn, "__name__", "loss"), reduction=reduction, dtype=dtype)
        self.fn = fn

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred)

    def get_config(self):
        return {**super().get_config(), "fn": getattr(self.fn, "__name__", repr(self.fn))}
