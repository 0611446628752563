"""Cross-entropies, KL divergence and Poisson, Keras 3's formulas, gradients by hand."""
from __future__ import annotations

import numpy as np

from .. import config
from .. import ops
from .base import Loss, _align, _sparse_labels


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _clip_mask(p: np.ndarray, lo: float, hi: float) -> tuple[np.ndarray, np.ndarray]:
    """Clip to [lo, hi]; the mask is where the gradient passes (TF's clip_by_value)."""
    return np.clip(p, lo, hi), (p >= lo) & (p <= hi)


def _only_default(loss: str, **given) -> None:
    """Keras arguments minidl accepts (a .keras file's config names them) but only at their defaults."""
    defaults = {"label_smoothing": 0.0, "axis": -1, "ignore_class": None}
    for key, value in given.items():
        if key not in defaults:
            raise TypeError(f"{loss}: unexpected argument {key!r}")
        if value != defaults[key]:
            raise ValueError(f"{loss}: {key}={value!r} is not supported (only {defaults[key]!r})")


class _FromLogits(Loss):
    """A cross-entropy with ``from_logits`` (and Keras's other arguments at their defaults)."""

    def __init__(self, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1,
                 reduction: str = "sum_over_batch_size", name: str | None = None, dtype=None, **kwargs):
        super().__init__(name=name or type(self).name, reduction=reduction, dtype=dtype)
        _only_default(type(self).__name__, label_smoothing=label_smoothing, axis=axis, **kwargs)
        self.from_logits = bool(from_logits)

    def as_logits(self):
        return type(self)(from_logits=True, reduction=self.reduction, name=self.name)

    def get_config(self):
        return {**super().get_config(), "from_logits": self.from_logits}


class CategoricalCrossentropy(_FromLogits):
    """-Σ y_true·log(p) over the last axis.

    ``from_logits=False``: ``y_pred`` is rescaled to sum to 1 and clipped to
    [ε, 1−ε] (ε = 1e-7), as Keras does. ``from_logits=True``: log-softmax of
    the logits.
    """

    name = "categorical_crossentropy"
    logits_activation = "softmax"

    def per_sample(self, y_true, y_pred):
        t = _align(self.name, y_true, y_pred)
        if self.from_logits:
            return -(t * _log_softmax(y_pred)).sum(axis=-1)
        p = y_pred / y_pred.sum(axis=-1, keepdims=True)
        pc, _ = _clip_mask(p, config.epsilon(), 1 - config.epsilon())
        return -(t * np.log(pc)).sum(axis=-1)

    def per_sample_gradient(self, y_true, y_pred):
        t = _align(self.name, y_true, y_pred)
        if self.from_logits:
            return _softmax(y_pred) * t.sum(axis=-1, keepdims=True) - t
        s = y_pred.sum(axis=-1, keepdims=True)
        p = y_pred / s
        pc, mask = _clip_mask(p, config.epsilon(), 1 - config.epsilon())
        dp = np.where(mask, -t / pc, 0)
        # through the rescaling p = y / Σy: dp_j/dy_k = (δ_jk − p_j) / Σy
        return (dp - (dp * p).sum(axis=-1, keepdims=True)) / s

    def values_and_mean_gradient(self, y_true, y_pred):
        if self.from_logits:  # loss and gradient in one pass
            return ops.softmax_cross_entropy_with_logits(_align(self.name, y_true, y_pred), y_pred)
        return super().values_and_mean_gradient(y_true, y_pred)


class SparseCategoricalCrossentropy(_FromLogits):
    """Categorical cross-entropy with integer labels (batch,) or (batch, 1).

    Without logits Keras clips the probabilities and feeds their log to a
    softmax cross-entropy, which renormalizes them: -log(p_c / Σ p).
    """

    name = "sparse_categorical_crossentropy"
    logits_activation = "softmax"

    def _log_probs(self, y_pred):
        if self.from_logits:
            return _log_softmax(y_pred)
        pc, _ = _clip_mask(y_pred, config.epsilon(), 1 - config.epsilon())
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
        pc, mask = _clip_mask(y_pred, config.epsilon(), 1 - config.epsilon())
        # d/dlog(pc) of -log_softmax = softmax(log pc) - onehot, then dlog(pc)/dpc = 1/pc
        d_log = _softmax(np.log(pc)) - onehot
        return np.where(mask, d_log / pc, 0)

    def values_and_mean_gradient(self, y_true, y_pred):
        if self.from_logits:  # loss and gradient in one pass
            return ops.sparse_softmax_cross_entropy_with_logits(_sparse_labels(self.name, y_true, y_pred), y_pred)
        return super().values_and_mean_gradient(y_true, y_pred)


class BinaryCrossentropy(_FromLogits):
    """-(t·log p + (1−t)·log(1−p)), mean over the last axis.

    ``from_logits=False`` clips p to [ε, 1−ε]; ``from_logits=True`` uses TF's
    stable form max(z, 0) − z·t + log(1 + e^−|z|).
    """

    name = "binary_crossentropy"
    logits_activation = "sigmoid"

    def per_sample(self, y_true, y_pred):
        t = _align(self.name, y_true, y_pred)
        if self.from_logits:
            z = y_pred
            elems = np.maximum(z, 0) - z * t + np.log1p(np.exp(-np.abs(z)))
        else:
            pc, _ = _clip_mask(y_pred, config.epsilon(), 1 - config.epsilon())
            elems = -(t * np.log(pc) + (1 - t) * np.log(1 - pc))
        return elems.mean(axis=-1)

    def per_sample_gradient(self, y_true, y_pred):
        t = _align(self.name, y_true, y_pred)
        n = np.asarray(y_pred.shape[-1], dtype=y_pred.dtype)
        if self.from_logits:
            e = np.exp(-np.abs(y_pred))
            sig = np.where(y_pred >= 0, 1 / (1 + e), e / (1 + e))
            return (sig - t) / n
        pc, mask = _clip_mask(y_pred, config.epsilon(), 1 - config.epsilon())
        return np.where(mask, (-t / pc + (1 - t) / (1 - pc)), 0) / n


class KLDivergence(Loss):
    """Σ t·log(t / p) over the last axis, t and p clipped to [ε, 1] (Keras's ``kl_divergence``)."""

    name = "kl_divergence"

    def __init__(self, reduction: str = "sum_over_batch_size", name: str = "kl_divergence", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def per_sample(self, y_true, y_pred):
        t, _ = _clip_mask(_align(self.name, y_true, y_pred), config.epsilon(), 1)
        p, _ = _clip_mask(y_pred, config.epsilon(), 1)
        return (t * np.log(t / p)).sum(axis=-1)

    def per_sample_gradient(self, y_true, y_pred):
        t, _ = _clip_mask(_align(self.name, y_true, y_pred), config.epsilon(), 1)
        p, mask = _clip_mask(y_pred, config.epsilon(), 1)
        return np.where(mask, -t / p, 0)


class Poisson(Loss):
    """mean(p − t·log(p + ε)) over the last axis."""

    name = "poisson"

    def __init__(self, reduction: str = "sum_over_batch_size", name: str = "poisson", dtype=None):
        super().__init__(name=name, reduction=reduction, dtype=dtype)

    def per_sample(self, y_true, y_pred):
        t = _align(self.name, y_true, y_pred)
        eps = np.asarray(config.epsilon(), dtype=y_pred.dtype)
        return (y_pred - t * np.log(y_pred + eps)).mean(axis=-1)

    def per_sample_gradient(self, y_true, y_pred):
        t = _align(self.name, y_true, y_pred)
        eps = np.asarray(config.epsilon(), dtype=y_pred.dtype)
        return (1 - t / (y_pred + eps)) / np.asarray(y_pred.shape[-1], dtype=y_pred.dtype)
