"""Losses with Keras 3's formulas and its "sum over batch size" reduction.

Each loss maps ``(y_true, y_pred)`` to a scalar: the per-sample values
(reduced over the last axis) averaged over every remaining element.
``gradient(y_true, y_pred)`` is d(scalar)/d(y_pred), with ``y_pred``'s shape.

Shapes: ``y_pred`` (batch, ..., n). ``y_true`` has the same shape; as in
Keras, a rank difference of one is resolved by squeezing or expanding a
trailing axis of size 1 (``(batch,)`` against ``(batch, 1)``). Sparse losses
take integer labels (batch, ...) or (batch, ..., 1). Anything else is an
error: nothing broadcasts silently.
"""
from __future__ import annotations

import numpy as np

from . import config
from . import ops


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


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _clip_mask(p: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Clip to [eps, 1-eps]; the mask is where the gradient passes (TF's clip_by_value)."""
    return np.clip(p, eps, 1 - eps), (p >= eps) & (p <= 1 - eps)


class Loss:
    """Base: subclasses define ``per_sample`` and ``per_sample_gradient``.

    ``value_and_grad(y_true, y_pred, sample_weight)`` is what the trainer
    calls: the scalar loss and its gradient with respect to ``y_pred``, in
    one call, so a loss can compute both in one pass (the softmax
    cross-entropy from logits does).
    """

    name = "loss"
    #: the output activation whose logits Keras uses instead of its output (see Model.compile)
    logits_activation: str | None = None

    def __call__(self, y_true, y_pred, sample_weight=None) -> float:
        y_pred = np.asarray(y_pred)
        values = self.per_sample(y_true, y_pred)
        return _reduce(values, _weights(self.name, sample_weight, values))

    def value_and_grad(self, y_true, y_pred, sample_weight=None) -> tuple[float, np.ndarray]:
        """(mean loss, d mean loss / d y_pred): Keras's "sum over batch size"
        reduction, each per-sample value times its ``sample_weight`` when given."""
        y_pred = np.asarray(y_pred)
        values, grad = self.values_and_mean_gradient(y_true, y_pred)
        weights = _weights(self.name, sample_weight, values)
        if weights is not None:
            grad = grad * weights.reshape(*weights.shape, 1).astype(grad.dtype)
        return _reduce(values, weights), grad

    def values_and_mean_gradient(self, y_true, y_pred: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per-sample values (``y_pred.shape[:-1]``) and the gradient of their mean."""
        n = max(int(np.prod(y_pred.shape[:-1])), 1)
        values = self.per_sample(y_true, y_pred)
        return values, self.per_sample_gradient(y_true, y_pred) / np.asarray(n, dtype=y_pred.dtype)

    def gradient(self, y_true, y_pred) -> np.ndarray:
        """d(mean loss)/d(y_pred), shape ``y_pred.shape``."""
        return self.values_and_mean_gradient(y_true, np.asarray(y_pred))[1]

    def per_sample(self, y_true, y_pred: np.ndarray) -> np.ndarray:
        """Loss per sample, shape ``y_pred.shape[:-1]``."""
        raise NotImplementedError

    def per_sample_gradient(self, y_true, y_pred: np.ndarray) -> np.ndarray:
        """d(sum of per-sample losses)/d(y_pred)."""
        raise NotImplementedError

    def as_logits(self) -> "Loss":
        """The same loss taking logits: used when the output layer's activation
        is ``logits_activation``, as Keras does through ``_keras_logits``."""
        raise NotImplementedError

    def get_config(self) -> dict:
        return {"name": self.name}

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.get_config()})"


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
    if not values.size:
        return 0.0
    return float(values.mean()) if weights is None else float((values * weights).sum() / values.size)


class MeanSquaredError(Loss):
    """mean((y_pred - y_true)², axis=-1), then the mean over the batch."""

    name = "mean_squared_error"

    def per_sample(self, y_true, y_pred):
        return np.square(y_pred - _align(self.name, y_true, y_pred)).mean(axis=-1)

    def per_sample_gradient(self, y_true, y_pred):
        diff = y_pred - _align(self.name, y_true, y_pred)
        return diff * np.asarray(2.0 / y_pred.shape[-1], dtype=y_pred.dtype)


class MeanAbsoluteError(Loss):
    name = "mean_absolute_error"

    def per_sample(self, y_true, y_pred):
        return np.abs(y_pred - _align(self.name, y_true, y_pred)).mean(axis=-1)

    def per_sample_gradient(self, y_true, y_pred):
        return np.sign(y_pred - _align(self.name, y_true, y_pred)) / np.asarray(y_pred.shape[-1], y_pred.dtype)


class CategoricalCrossentropy(Loss):
    """-Σ y_true·log(p) over the last axis.

    ``from_logits=False``: ``y_pred`` is rescaled to sum to 1 and clipped to
    [ε, 1−ε] (ε = 1e-7), as Keras does. ``from_logits=True``: log-softmax of
    the logits.
    """

    name = "categorical_crossentropy"
    logits_activation = "softmax"

    def __init__(self, from_logits: bool = False):
        self.from_logits = from_logits

    def per_sample(self, y_true, y_pred):
        t = _align(self.name, y_true, y_pred)
        if self.from_logits:
            return -(t * _log_softmax(y_pred)).sum(axis=-1)
        p = y_pred / y_pred.sum(axis=-1, keepdims=True)
        pc, _ = _clip_mask(p, config.epsilon())
        return -(t * np.log(pc)).sum(axis=-1)

    def per_sample_gradient(self, y_true, y_pred):
        t = _align(self.name, y_true, y_pred)
        if self.from_logits:
            return _softmax(y_pred) * t.sum(axis=-1, keepdims=True) - t
        s = y_pred.sum(axis=-1, keepdims=True)
        p = y_pred / s
        pc, mask = _clip_mask(p, config.epsilon())
        dp = np.where(mask, -t / pc, 0)
        # through the rescaling p = y / Σy: dp_j/dy_k = (δ_jk − p_j) / Σy
        return (dp - (dp * p).sum(axis=-1, keepdims=True)) / s

    def values_and_mean_gradient(self, y_true, y_pred):
        if self.from_logits:  # loss and gradient in one pass
            return ops.softmax_cross_entropy_with_logits(_align(self.name, y_true, y_pred), y_pred)
        return super().values_and_mean_gradient(y_true, y_pred)

    def as_logits(self):
        return CategoricalCrossentropy(from_logits=True)

    def get_config(self):
        return {"from_logits": self.from_logits}


class SparseCategoricalCrossentropy(Loss):
    """Categorical cross-entropy with integer labels (batch,) or (batch, 1).

    Without logits Keras clips the probabilities and feeds their log to a
    softmax cross-entropy, which renormalizes them: -log(p_c / Σ p).
    """

    name = "sparse_categorical_crossentropy"
    logits_activation = "softmax"

    def __init__(self, from_logits: bool = False):
        self.from_logits = from_logits

    def _log_probs(self, y_pred):
        if self.from_logits:
            return _log_softmax(y_pred)
        pc, _ = _clip_mask(y_pred, config.epsilon())
        return _log_softmax(np.log(pc))

    def per_sample(self, y_true, y_pred):
        labels = _sparse_labels(self.name, y_true, y_pred)
        logp = self._log_probs(y_pred)
        return -np.take_along_axis(logp, labels[..., None], axis=-1)[..., 0]

    def per_sample_gradient(self, y_true, y_pred):
        labels = _sparse_labels(self.name, y_true, y_pred)
        onehot = np.zeros_like(y_pred)
        np.put_along_axis(onehot, labels[..., None], 1, axis=-1)
        if self.from_logits:
            return _softmax(y_pred) - onehot
        pc, mask = _clip_mask(y_pred, config.epsilon())
        # d/dlog(pc) of -log_softmax = softmax(log pc) - onehot, then dlog(pc)/dpc = 1/pc
        d_log = _softmax(np.log(pc)) - onehot
        return np.where(mask, d_log / pc, 0)

    def values_and_mean_gradient(self, y_true, y_pred):
        if self.from_logits:  # loss and gradient in one pass
            return ops.sparse_softmax_cross_entropy_with_logits(_sparse_labels(self.name, y_true, y_pred), y_pred)
        return super().values_and_mean_gradient(y_true, y_pred)

    def as_logits(self):
        return SparseCategoricalCrossentropy(from_logits=True)

    def get_config(self):
        return {"from_logits": self.from_logits}


class BinaryCrossentropy(Loss):
    """-(t·log p + (1−t)·log(1−p)), mean over the last axis.

    ``from_logits=False`` clips p to [ε, 1−ε]; ``from_logits=True`` uses TF's
    stable form max(z, 0) − z·t + log(1 + e^−|z|).
    """

    name = "binary_crossentropy"
    logits_activation = "sigmoid"

    def __init__(self, from_logits: bool = False):
        self.from_logits = from_logits

    def per_sample(self, y_true, y_pred):
        t = _align(self.name, y_true, y_pred)
        if self.from_logits:
            z = y_pred
            elems = np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))
        else:
            pc, _ = _clip_mask(y_pred, config.epsilon())
            elems = -(t * np.log(pc) + (1 - t) * np.log(1 - pc))
        return elems.mean(axis=-1)

    def per_sample_gradient(self, y_true, y_pred):
        t = _align(self.name, y_true, y_pred)
        n = np.asarray(y_pred.shape[-1], dtype=y_pred.dtype)
        if self.from_logits:
            e = np.exp(-np.abs(y_pred))
            sig = np.where(y_pred >= 0, 1 / (1 + e), e / (1 + e))
            return (sig - t) / n
        pc, mask = _clip_mask(y_pred, config.epsilon())
        return np.where(mask, (-t / pc + (1 - t) / (1 - pc)), 0) / n

    def as_logits(self):
        return BinaryCrossentropy(from_logits=True)

    def get_config(self):
        return {"from_logits": self.from_logits}


class LossFunctionWrapper(Loss):
    """A plain function ``fn(y_true, y_pred) -> per-sample losses`` written with
    ``minidl.ops``, as a Loss: the gradient comes from the ops it ran (autodiff)."""

    def __init__(self, fn, name: str | None = None):
        self.fn = fn
        self.name = name or getattr(fn, "__name__", "loss")

    def _y_true(self, y_true, y_pred: np.ndarray) -> np.ndarray:
        return np.asarray(y_true).astype(y_pred.dtype, copy=False)  # Keras casts y_true to y_pred's dtype

    def per_sample(self, y_true, y_pred):
        return np.asarray(self.fn(self._y_true(y_true, y_pred), y_pred))

    def values_and_mean_gradient(self, y_true, y_pred):
        from .ops import autodiff
        t = self._y_true(y_true, y_pred)
        values, tape = autodiff.record(lambda p: self.fn(t, p), y_pred, {})
        values = np.asarray(values)
        cotangent = np.full(values.shape, 1.0 / max(values.size, 1), dtype=y_pred.dtype)
        grad, _ = autodiff.backprop(tape, cotangent)
        return values, grad

    def get_config(self):
        return {"name": self.name, "fn": getattr(self.fn, "__name__", repr(self.fn))}


_BY_NAME = {
    "mse": MeanSquaredError, "mean_squared_error": MeanSquaredError,
    "mae": MeanAbsoluteError, "mean_absolute_error": MeanAbsoluteError,
    "categorical_crossentropy": CategoricalCrossentropy,
    "sparse_categorical_crossentropy": SparseCategoricalCrossentropy,
    "binary_crossentropy": BinaryCrossentropy,
}


def get(identifier) -> Loss:
    """Resolve a Keras loss name (``"mse"``, ``"categorical_crossentropy"``...), pass a Loss
    through, or wrap a plain function ``fn(y_true, y_pred)``."""
    if isinstance(identifier, Loss):
        return identifier
    if callable(identifier) and not isinstance(identifier, type):
        return LossFunctionWrapper(identifier)
    if isinstance(identifier, str):
        if identifier not in _BY_NAME:
            raise ValueError(f"Unknown loss {identifier!r}; valid names: {sorted(_BY_NAME)}")
        return _BY_NAME[identifier]()
    raise TypeError(f"loss must be a name, a minidl.losses.Loss or a function f(y_true, y_pred), "
                    f"got {identifier!r}")
