"""Confusion-matrix metrics: TP/TN/FP/FN counts, Precision, Recall, AUC (Keras 3).

A prediction is positive at threshold t when ``y_pred > t``; a label is
positive when non-zero. Every element counts (arrays are flattened), with its
sample weight broadcast to ``y_pred``'s shape. Counts accumulate in float64.
"""
from __future__ import annotations

import numpy as np

from .. import config
from .base import Metric, _match_rank


def _thresholds(owner: str, thresholds, default: float) -> list[float]:
    values = [default] if thresholds is None else list(np.atleast_1d(thresholds).astype(float))
    for t in values if thresholds is not None else []:
        if not 0 <= t <= 1:
            raise ValueError(f"{owner}: thresholds must be in [0, 1], got {thresholds!r}")
    return values


def _filter_top_k(y_pred: np.ndarray, k: int) -> np.ndarray:
    """Keep the k largest values of the last axis, the others set to -inf."""
    keep = np.zeros(y_pred.shape, dtype=bool)
    idx = np.argsort(-y_pred, axis=-1, kind="stable")[..., :k]
    np.put_along_axis(keep, idx, True, axis=-1)
    return np.where(keep, y_pred, -np.inf)


def confusion_counts(y_true, y_pred, thresholds, sample_weight=None, top_k=None, class_id=None) -> dict:
    """``{"tp", "fp", "tn", "fn"}``: arrays of shape (len(thresholds),)."""
    y_pred = np.asarray(y_pred, np.float64)
    y_true = np.asarray(y_true, np.float64)
    y_pred, y_true = _match_rank(y_pred, y_true)
    if sample_weight is not None:
        w = np.asarray(sample_weight, np.float64)[..., None]
        _, w = _match_rank(y_true, w, expand_rank_1=False)
    if top_k is not None:
        y_pred = _filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(f"class_id needs y_pred of shape (samples, classes), got {y_pred.shape}")
        y_true, y_pred = y_true[..., class_id, None], y_pred[..., class_id, None]
    weights = np.ones(y_pred.shape) if sample_weight is None else np.broadcast_to(w, y_pred.shape)
    pred, pos, weights = y_pred.ravel(), np.broadcast_to(y_true, y_pred.shape).ravel() != 0, weights.ravel()
    thresholds = np.asarray(thresholds, np.float64)
    order = np.argsort(thresholds, kind="stable")
    # bucket b = number of thresholds strictly below the prediction; the prediction
    # is positive at sorted threshold i exactly when b > i
    buckets = np.searchsorted(thresholds[order], pred, side="left")
    n = len(thresholds)
    pos_hist = np.bincount(buckets[pos], weights[pos], minlength=n + 1)
    neg_hist = np.bincount(buckets[~pos], weights[~pos], minlength=n + 1)
    above_pos = np.cumsum(pos_hist[::-1])[::-1][1:]  # sum over buckets > i
    above_neg = np.cumsum(neg_hist[::-1])[::-1][1:]
    counts = {"tp": above_pos, "fp": above_neg, "fn": pos_hist.sum() - above_pos, "tn": neg_hist.sum() - above_neg}
    unsort = np.empty(n, dtype=int)
    unsort[order] = np.arange(n)
    return {k: v[unsort] for k, v in counts.items()}


class _Confusion(Metric):
    """Accumulates the counts named in ``_KEEP`` at ``self.thresholds``."""

    _KEEP: tuple[str, ...] = ()

    def __init__(self, thresholds=None, name=None, dtype=None, top_k=None, class_id=None):
        super().__init__(name, dtype)
        self.init_thresholds, self.top_k, self.class_id = thresholds, top_k, class_id
        default = 0.5 if top_k is None else -np.inf
        self.thresholds = _thresholds(type(self).__name__, thresholds, default)
        self.reset_state()

    def reset_state(self) -> None:
        for key in self._KEEP:
            setattr(self, key, np.zeros(len(self.thresholds)))

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        counts = confusion_counts(y_true, y_pred, self.thresholds, sample_weight, self.top_k, self.class_id)
        for key in self._KEEP:
            setattr(self, key, getattr(self, key) + counts[key])

    def _one(self, values: np.ndarray):
        return float(values[0]) if len(self.thresholds) == 1 else values

    def get_config(self) -> dict:
        return {**super().get_config(), "thresholds": self.init_thresholds}


def _count_metric(key: str, cls_name: str) -> type:
    def result(self):
        return self._one(getattr(self, key).copy())

    def __init__(self, thresholds=None, name=None, dtype=None):
        _Confusion.__init__(self, thresholds, name, dtype)
    doc = f"The (weighted) number of {cls_name[:-1].lower()}s at each threshold (0.5 by default)."
    return type(cls_name, (_Confusion,), {"_KEEP": (key,), "result": result, "__init__": __init__,
                                          "__doc__": doc})


TruePositives = _count_metric("tp", "TruePositives")
TrueNegatives = _count_metric("tn", "TrueNegatives")
FalsePositives = _count_metric("fp", "FalsePositives")
FalseNegatives = _count_metric("fn", "FalseNegatives")


def _div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a / b with 0 where b == 0 (Keras's divide_no_nan)."""
    return np.divide(a, b, out=np.zeros_like(a, dtype=np.float64), where=b != 0)


class Precision(_Confusion):
    """TP / (TP + FP); ``top_k`` counts only the k highest predictions per sample,
    ``class_id`` only that column."""

    _KEEP = ("tp", "fp")

    def __init__(self, thresholds=None, top_k=None, class_id=None, name=None, dtype=None):
        super().__init__(thresholds, name, dtype, top_k, class_id)

    def result(self):
        return self._one(_div(self.tp, self.tp + self.fp))

    def get_config(self):
        return {**super().get_config(), "top_k": self.top_k, "class_id": self.class_id}


class Recall(Precision):
    """TP / (TP + FN), options as :class:`Precision`."""

    _KEEP = ("tp", "fn")

    def result(self):
        return self._one(_div(self.tp, self.tp + self.fn))


class AUC(_Confusion):
    """Area under the ROC or PR curve from counts at ``num_thresholds`` thresholds
    evenly spaced on [0, 1] (the ends pushed out by ε), Keras's Riemann sums
    (``interpolation``: trapezoids for ROC, Davis & Goadrich interpolation for PR;
    ``minoring`` / ``majoring``). Single-label only."""

    _KEEP = ("tp", "fp", "tn", "fn")

    def __init__(self, num_thresholds: int = 200, curve: str = "ROC", summation_method: str = "interpolation",
                 name=None, dtype=None, thresholds=None, from_logits: bool = False, multi_label: bool = False):
        if multi_label:
            raise NotImplementedError("AUC: multi_label=True is not implemented in minidl")
        curve, summation_method = str(curve).upper(), str(summation_method).lower()
        if curve not in ("ROC", "PR"):
            raise ValueError(f"AUC: curve must be 'ROC' or 'PR', got {curve!r}")
        if summation_method not in ("interpolation", "minoring", "majoring"):
            raise ValueError(f"AUC: summation_method must be 'interpolation', 'minoring' or 'majoring', "
                             f"got {summation_method!r}")
        if thresholds is not None:
            inner = sorted(float(t) for t in thresholds)
        else:
            if num_thresholds <= 1:
                raise ValueError(f"AUC: num_thresholds must be an integer > 1, got {num_thresholds!r}")
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
        self.num_thresholds = len(inner) + 2
        self.curve, self.summation_method, self._from_logits = curve, summation_method, from_logits
        self._init_from_thresholds = thresholds is not None
        super().__init__(None, name, dtype)
        self.init_thresholds = thresholds
        self.thresholds = [0.0 - config.epsilon()] + inner + [1.0 + config.epsilon()]
        self.reset_state()

    def update_state(self, y_true, y_pred, sample_weight=None) -> None:
        if self._from_logits:
            y_pred = 1.0 / (1.0 + np.exp(-np.asarray(y_pred, np.float64)))
        super().update_state(y_true, y_pred, sample_weight)

    def _interpolate_pr(self) -> float:
        tp, fp, fn = self.tp, self.fp, self.fn
        dtp = tp[:-1] - tp[1:]
        p = tp + fp
        dp = p[:-1] - p[1:]
        slope = _div(dtp, np.maximum(dp, 0))
        intercept = tp[1:] - slope * p[1:]
        both = (p[:-1] > 0) & (p[1:] > 0)
        ratio = np.where(both, _div(p[:-1], np.maximum(p[1:], 0)), 1.0)
        return float(np.sum(_div(slope * (dtp + intercept * np.log(ratio)), np.maximum(tp[1:] + fn[1:], 0))))

    def result(self) -> float:
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self._interpolate_pr()
        recall = _div(self.tp, self.tp + self.fn)
        if self.curve == "ROC":
            x, y = _div(self.fp, self.fp + self.tn), recall
        else:
            x, y = recall, _div(self.tp, self.tp + self.fp)
        if self.summation_method == "interpolation":
            heights = (y[:-1] + y[1:]) / 2
        elif self.summation_method == "minoring":
            heights = np.minimum(y[:-1], y[1:])
        else:
            heights = np.maximum(y[:-1], y[1:])
        return float(np.sum((x[:-1] - x[1:]) * heights))

    def get_config(self):
        out = {"name": self.name, "dtype": self.dtype, "num_thresholds": self.num_thresholds, "curve": self.curve,
               "summation_method": self.summation_method, "multi_label": False, "from_logits": self._from_logits}
        if self._init_from_thresholds:
            out["thresholds"] = list(self.thresholds[1:-1])
        return out
