"""Regression losses, Keras 3's formulas, gradients by hand.

Each reduces the last axis (CosineSimilarity: ``axis``); see base.py for shapes."""
from __future__ import annotations

import numpy as np

from .. import config
from .base import Loss, _align


_INTP = np.intp


def _mean_last(a: np.ndarray) -> np.ndarray:
    """``a.mean(axis=-1)`` with NumPy's own steps (a sum, then a division by the count as
    ``np.intp`` into the sum's buffer) without its Python wrapper (~2 µs on XOR's step):
    the same bits. Float16 (summed in float32), 1-D and empty rows take ``mean`` itself."""
    if a.ndim < 2 or not a.shape[-1] or a.dtype.char not in "fd":
        return a.mean(axis=-1)
    total = np.add.reduce(a, axis=-1)
    return np.true_divide(total, _INTP(a.shape[-1]), out=total, casting="unsafe")


_MSE_FACTORS: dict = {}


def _mse_factors(dtype: np.dtype, units: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """``2·_inv_n(y_pred)`` and ``np.asarray(n, dtype)``, the 0-d arrays MeanSquaredError's
    gradient multiplies and divides by, made once per (dtype, units, n): the same values
    (the same bits), without three array creations a step (~1 µs of XOR's)."""
    key = (dtype, units, n)
    found = _MSE_FACTORS.get(key)
    if found is None:
        two_inv_n = 2 * np.asarray(1.0 / units, dtype=dtype)  # a NumPy scalar: immutable
        count = np.asarray(n, dtype=dtype)
        count.flags.writeable = False
        if len(_MSE_FACTORS) > 64:  # many batch sizes (a last short batch each): keep it small
            _MSE_FACTORS.clear()
        found = _MSE_FACTORS[key] = (two_inv_n, count)
    return found


class _Regression(Loss):
    """A loss with Keras's ``(reduction, name, dtype)`` signature."""

    def __init__(self, reduction: str = "sum_over_batch_size", name: str | None = None, dtype=None):
        super().__init__(name=name or type(self).name, reduction=reduction, dtype=dtype)

    def _inv_n(self, y_pred: np.ndarray) -> np.ndarray:
        return np.asarray(1.0 / y_pred.shape[-1], dtype=y_pred.dtype)


class MeanSquaredError(_Regression):
    """mean((y_pred - y_true)², axis=-1)."""

    name = "mean_squared_error"

    def per_sample(self, y_true, y_pred):
        return np.square(y_pred - _align(self.name, y_true, y_pred)).mean(axis=-1)

    def per_sample_gradient(self, y_true, y_pred):
        return (y_pred - _align(self.name, y_true, y_pred)) * (2 * self._inv_n(y_pred))

    def values_and_mean_gradient(self, y_true, y_pred):
        # one alignment and one difference for both (the trainer's call: ~3 µs of XOR's step);
        # the same expressions as per_sample and per_sample_gradient, so the same bits
        if self._uses_call() or type(self).per_sample is not MeanSquaredError.per_sample or \
                type(self).per_sample_gradient is not MeanSquaredError.per_sample_gradient:
            return super().values_and_mean_gradient(y_true, y_pred)  # a subclass changed the math
        d = y_pred - _align(self.name, y_true, y_pred)
        values = _mean_last(np.square(d))
        two_inv_n, n = _mse_factors(y_pred.dtype, y_pred.shape[-1], max(values.size, 1))
        return values, d * two_inv_n / n


class MeanAbsoluteError(_Regression):
    """mean(|y_pred - y_true|, axis=-1)."""

    name = "mean_absolute_error"

    def per_sample(self, y_true, y_pred):
        return np.abs(y_pred - _align(self.name, y_true, y_pred)).mean(axis=-1)

    def per_sample_gradient(self, y_true, y_pred):
        return np.sign(y_pred - _align(self.name, y_true, y_pred)) * self._inv_n(y_pred)


class MeanAbsolutePercentageError(_Regression):
    """100·mean(|(t − p) / max(|t|, ε)|, axis=-1)."""

    name = "mean_absolute_percentage_error"

    def _scale(self, t):
        return np.maximum(np.abs(t), np.asarray(config.epsilon(), dtype=t.dtype))

    def per_sample(self, y_true, y_pred):
        t = _align(self.name, y_true, y_pred)
        return 100.0 * np.abs((t - y_pred) / self._scale(t)).mean(axis=-1)

    def per_sample_gradient(self, y_true, y_pred):
        t = _align(self.name, y_true, y_pred)
        return np.sign(y_pred - t) / self._scale(t) * (100.0 * self._inv_n(y_pred))


class MeanSquaredLogarithmicError(_Regression):
    """mean((log(max(p, ε) + 1) − log(max(t, ε) + 1))², axis=-1)."""

    name = "mean_squared_logarithmic_error"

    def _diff(self, y_true, y_pred):
        eps = np.asarray(config.epsilon(), dtype=y_pred.dtype)
        t = _align(self.name, y_true, y_pred)
        return np.log(np.maximum(y_pred, eps) + 1.0) - np.log(np.maximum(t, eps) + 1.0), eps

    def per_sample(self, y_true, y_pred):
        return np.square(self._diff(y_true, y_pred)[0]).mean(axis=-1)

    def per_sample_gradient(self, y_true, y_pred):
        d, eps = self._diff(y_true, y_pred)
        # TF's maximum passes the gradient to p where p >= ε
        return np.where(y_pred >= eps, 2 * d / (np.maximum(y_pred, eps) + 1.0), 0) * self._inv_n(y_pred)


class Huber(_Regression):
    """mean(½e² where |e| ≤ δ, else δ|e| − ½δ²), e = p − t, over the last axis."""

    name = "huber_loss"

    def __init__(self, delta: float = 1.0, reduction: str = "sum_over_batch_size", name: str = "huber_loss",
                 dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)
        if isinstance(delta, bool) or not np.isfinite(float(delta)) or float(delta) < 0:
            raise ValueError(f"Huber: delta must be a finite number >= 0, got {delta!r}")
        self.delta = float(delta)

    def per_sample(self, y_true, y_pred):
        e = y_pred - _align(self.name, y_true, y_pred)
        d = np.asarray(self.delta, dtype=y_pred.dtype)
        a = np.abs(e)
        return np.where(a <= d, 0.5 * np.square(e), d * a - 0.5 * np.square(d)).mean(axis=-1)

    def per_sample_gradient(self, y_true, y_pred):
        e = y_pred - _align(self.name, y_true, y_pred)
        d = np.asarray(self.delta, dtype=y_pred.dtype)
        return np.where(np.abs(e) <= d, e, d * np.sign(e)) * self._inv_n(y_pred)

    def get_config(self):
        return {**super().get_config(), "delta": self.delta}


class LogCosh(_Regression):
    """mean(log cosh(p − t)) over the last axis, as x + softplus(−2x) − log 2.

    log 2 is rounded to float32 as in Keras (``ops.log(2.0)`` is a float32 op), so
    float64 values agree with Keras's to the last bits (they differ from the exact
    log cosh by 1.9e-9)."""

    name = "log_cosh"

    def per_sample(self, y_true, y_pred):
        x = y_pred - _align(self.name, y_true, y_pred)
        z = -2.0 * x
        softplus = np.maximum(z, 0) + np.log1p(np.exp(-np.abs(z)))
        return (x + softplus - np.asarray(np.log(np.float32(2.0)), dtype=y_pred.dtype)).mean(axis=-1)

    def per_sample_gradient(self, y_true, y_pred):
        return np.tanh(y_pred - _align(self.name, y_true, y_pred)) * self._inv_n(y_pred)


class CosineSimilarity(_Regression):
    """−Σ normalize(t)·normalize(p) along ``axis``, normalize(x) = x·min(‖x‖⁻¹, 1/ε).

    Per-sample values have ``y_pred``'s shape without ``axis``."""

    name = "cosine_similarity"

    def __init__(self, axis: int = -1, reduction: str = "sum_over_batch_size", name: str = "cosine_similarity",
                 dtype=None):
        super().__init__(reduction=reduction, name=name, dtype=dtype)
        if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)):
            raise TypeError(f"CosineSimilarity: axis must be an int, got {axis!r}")
        self.axis = self._axis = int(axis)

    def _inv_norm(self, x):
        """(min(‖x‖⁻¹, 1/ε), whether the norm was not clipped), keepdims along axis."""
        with np.errstate(divide="ignore"):
            inv = 1.0 / np.sqrt(np.square(x).sum(axis=self.axis, keepdims=True))
        cap = np.asarray(1.0 / config.epsilon(), dtype=x.dtype)
        return np.minimum(inv, cap), inv < cap

    def per_sample(self, y_true, y_pred):
        t = _align(self.name, y_true, y_pred)
        return -((t * self._inv_norm(t)[0]) * (y_pred * self._inv_norm(y_pred)[0])).sum(axis=self.axis)

    def per_sample_gradient(self, y_true, y_pred):
        t = _align(self.name, y_true, y_pred)
        tn = t * self._inv_norm(t)[0]
        r, free = self._inv_norm(y_pred)
        pn = y_pred * r
        # d(p·r)/dp with r = ‖p‖⁻¹: r(I − pn pnᵀ); with r clipped at 1/ε it is a constant
        full = -r * (tn - pn * (tn * pn).sum(axis=self.axis, keepdims=True))
        return np.where(free, full, -tn * r)

    def get_config(self):
        return {**super().get_config(), "axis": self.axis}
