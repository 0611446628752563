"""What ``compile`` fixes: one loss per output with its weight, whether each
output's activation folds into its loss, and the metrics per output.

Folding: Keras computes a cross-entropy from the logits when the output
comes straight from the matching activation (softmax for the categorical
ones, sigmoid for binary), its ``_keras_logits`` path. minidl decides this
once, here: the graph then runs that output layer without its activation
and the loss takes the logits, so both libraries compute the same numbers
(and neither clips probabilities at 1e-7).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from .. import losses as losses_module
from .. import metrics as metrics_module
from .graph import Graph


def per_output(model: str, what: str, value: Any, names: Sequence[str], broadcast: bool) -> list:
    """A value per output from a single value (``broadcast``), a list or a dict by output name."""
    if isinstance(value, dict):
        unknown = sorted(set(value) - set(names))
        if unknown:
            raise ValueError(f"Model {model!r}: {what} names unknown outputs {unknown}; outputs: {list(names)}")
        return [value.get(n) for n in names]
    if isinstance(value, (list, tuple)) and not (len(names) == 1 and what == "metrics"):
        if len(value) != len(names):
            raise ValueError(f"Model {model!r} has {len(names)} outputs {list(names)}; {what} has "
                             f"{len(value)} entries")
        return list(value)
    if len(names) == 1 or broadcast:
        return [value] * len(names)
    raise ValueError(f"Model {model!r} has {len(names)} outputs {list(names)}: give {what} as a list or a dict")


def _finite_number(w: Any) -> bool:
    """A real, finite number (not a bool, not a string that float() would read)."""
    if isinstance(w, np.ndarray) and w.ndim == 0 and w.dtype.kind in "iuf":
        w = w.item()
    if isinstance(w, (bool, np.bool_)) or not isinstance(w, (int, float, np.integer, np.floating)):
        return False
    return bool(np.isfinite(float(w)))


class CompiledLoss:
    """The losses of every output, their weights and the fold decision."""

    def __init__(self, model: str, loss: Any, loss_weights: Any, graph: Graph, names: Sequence[str]):
        if loss is None:
            raise ValueError(f"Model {model!r}: compile needs a loss, e.g. loss='mse'")
        self.names = list(names)
        self.losses = [None if l is None else losses_module.get(l)
                       for l in per_output(model, "loss", loss, names, broadcast=True)]
        if all(l is None for l in self.losses):
            raise ValueError(f"Model {model!r}: every output's loss is None; give at least one loss")
        weights = per_output(model, "loss_weights", 1.0 if loss_weights is None else loss_weights, names,
                             broadcast=True)
        for n, w in zip(names, weights):
            if w is not None and not _finite_number(w):
                raise ValueError(f"Model {model!r}: loss_weights for output {n!r} must be a finite number "
                                 f"(or None), got {w!r}")
        self.weights = [1.0 if w is None else float(w) for w in weights]
        self.fold = frozenset(i for i, l in enumerate(self.losses)
                              if l is not None and not getattr(l, "from_logits", True)
                              and graph.foldable(i, l.logits_activation))
        self.step_losses = [l.as_logits() if i in self.fold else l for i, l in enumerate(self.losses)]

    def keeps_integer_targets(self) -> list[bool]:
        return [isinstance(l, losses_module.SparseCategoricalCrossentropy) for l in self.losses]

    def __call__(self, ys, outs, sample_weights=None, with_grads: bool = True):
        """(total weighted loss, per-output values, per-output gradients or None)."""
        total, values, grads = 0.0, [], []
        for i, (loss, weight, y, out) in enumerate(zip(self.step_losses, self.weights, ys, outs)):
            if loss is None or y is None:
                values.append(None)
                grads.append(None)
                continue
            sw = None if sample_weights is None else sample_weights[i]
            if with_grads:
                value, grad = loss.value_and_grad(y, out, sw)
                grads.append(grad if weight == 1.0 else grad * np.asarray(weight, dtype=grad.dtype))
            else:
                value = loss(y, out, sw)
                grads.append(None)
            values.append(value)
            total += weight * value
        return total, values, grads


class CompiledMetrics:
    """The loss tracker(s) and the metrics of every output, Keras's names and order."""

    def __init__(self, model: str, metrics: Any, names: Sequence[str], losses: Sequence):
        if metrics is not None and not isinstance(metrics, (list, tuple, dict)):
            raise TypeError(f"Model {model!r}: metrics must be a list or a dict, got {type(metrics).__name__}")
        self.names = list(names)
        self.requested = per_output(model, "metrics", metrics or [], names, broadcast=True) if metrics else \
            [[] for _ in names]
        self.requested = [[] if r is None else (list(r) if isinstance(r, (list, tuple)) else [r])
                          for r in self.requested]
        self.losses = list(losses)
        for n, r in zip(names, self.requested):  # resolve names now so typos fail at compile time
            for m in r:
                if not isinstance(m, (str, metrics_module.Metric)) and not callable(m):
                    raise TypeError(f"Model {model!r}: each metric of output {n!r} must be a name, a "
                                    f"minidl.metrics.Metric or a function f(y_true, y_pred), got {m!r}")
                if isinstance(m, str) and m.lower() not in ("accuracy", "acc"):
                    metrics_module.get(m, (None, 1), (None, 1))
        self.model = model
        self.loss_tracker = metrics_module.Mean(name="loss")
        multi = sum(l is not None for l in losses) > 1
        self.output_loss_trackers = [metrics_module.Mean(name=f"{n}_loss") if multi and l is not None else None
                                     for n, l in zip(names, losses)]
        self.metrics: list[list] | None = None

    def build(self, ys: Sequence[np.ndarray | None], output_shapes: Sequence[tuple]) -> None:
        """Resolve "accuracy" and friends from the targets' and outputs' shapes (once)."""
        if self.metrics is not None:
            return
        built = []  # assigned once every metric has resolved and run: a refused build is redone
        for i, (req, y, shape, loss) in enumerate(zip(self.requested, ys, output_shapes, self.losses)):
            y_shape = shape if y is None else y.shape
            resolved = [metrics_module.get(m, y_shape, shape, loss=loss) for m in req]
            if y is not None:
                self._try(resolved, y, shape)
            if len(self.names) > 1:
                for m in resolved:
                    m.name = f"{self.names[i]}_{m.name}"
            built.append(resolved)
        self.metrics = built

    def _try(self, metrics: list, y: np.ndarray, shape: tuple) -> None:
        """Each metric once on two targets and zero predictions, then reset: a metric that
        raises is named before the first update changes any weight."""
        if any(d is None for d in shape[1:]):
            return
        pred = np.zeros((min(2, len(y)), *shape[1:]), dtype=y.dtype if y.dtype.kind == "f" else np.float32)
        self.update_metrics(metrics, y[:2], pred)
        for m in metrics:
            m.reset_state()

    def update_metrics(self, metrics: list, y, p) -> None:
        for m in metrics:
            try:
                m.update_state(y, p)
            except Exception as exc:  # a user's metric: say which one failed, on what
                raise RuntimeError(f"Model {self.model!r}: metric {m.name!r} failed on targets of shape "
                                   f"{np.shape(y)} and predictions of shape {np.shape(p)}: "
                                   f"{type(exc).__name__}: {exc}") from exc

    def all(self) -> list:
        trackers = [t for t in self.output_loss_trackers if t is not None]
        return [self.loss_tracker, *trackers, *(m for ms in (self.metrics or []) for m in ms)]

    def reset(self) -> None:
        for m in self.all():
            m.reset_state()

    def update(self, total: float, values, ys, preds, n: int) -> None:
        """One batch of ``n`` samples. As in Keras, ``metrics`` ignore sample weights
        (only the loss uses them)."""
        self.loss_tracker.update_state(total, sample_weight=n)
        for tracker, value in zip(self.output_loss_trackers, values):
            if tracker is not None:
                tracker.update_state(value, sample_weight=n)
        for ms, y, p in zip(self.metrics or [], ys, preds):
            self.update_metrics(ms, y, p)

    def results(self) -> dict[str, float]:
        return {m.name: float(m.result()) for m in self.all()}
