"""The trainer: compile, fit, evaluate, predict and their one-batch forms.

``Model`` mixes this in (as Keras's Model mixes in its Trainer); it relies on
the model's ``graph`` (``models.graph.Graph``). One training step reads:
graph forward (``training=True``) → each output's loss, value and gradient →
graph backward → weight penalties' gradients → optimizer update. An L2 penalty's
gradient is handed to an optimizer that folds it into its update (``optimizer.folds_l2()``:
SGD, Adam) instead of being added to the weight's gradient first.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import config, regularizers
from .. import optimizers as optimizers_module
from ..optimizers.base import copy_into
from . import data
from .compiled import CompiledLoss, CompiledMetrics
from .loops import Loops


def _positive_int(what: str, value, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


@dataclass
class Batches:
    """The checked arrays of one fit / evaluate call and how to cut them."""
    xs: list[np.ndarray]
    ys: list[np.ndarray | None]
    sample_weights: list[np.ndarray | None] | None
    batch_size: int

    @property
    def count(self) -> int:
        return self.xs[0].shape[0]

    @property
    def steps(self) -> int:
        return -(-self.count // self.batch_size)

    def batch(self, step: int, order: np.ndarray | None = None):
        sl = slice(step * self.batch_size, (step + 1) * self.batch_size)
        index = sl if order is None else order[sl]
        sw = None if self.sample_weights is None else data.take(self.sample_weights, index)
        return data.take(self.xs, index), data.take(self.ys, index), sw


class Trainer(Loops):
    """compile / fit / evaluate / predict over the model's graph."""

    optimizer = None
    compiled_loss: CompiledLoss | None = None
    compiled_metrics: CompiledMetrics | None = None
    stop_training = False
    history = None

    # ---- compile ---------------------------------------------------------------------
    def compile(self, optimizer: Any = "rmsprop", loss: Any = None, loss_weights: Any = None,
                metrics: Any = None, **kwargs) -> None:
        """Choose the optimizer, one loss per output (or one for all), the loss weights
        and the metrics, by Keras name or as objects."""
        ignored = {"run_eagerly", "jit_compile", "steps_per_execution", "auto_scale_loss"}
        unknown = sorted(set(kwargs) - ignored)
        if unknown:
            raise TypeError(f"Model {self.name!r}: compile got unexpected argument(s) {unknown}")
        if loss is None:
            raise ValueError(f"Model {self.name!r}: compile needs a loss, e.g. loss='mse'")
        optimizer = optimizers_module.get(optimizer)
        # resolve everything before assigning anything: a refused compile keeps the previous one
        resolved = self._resolve_compile((loss, loss_weights, metrics), assign=False) \
            if self.graph is not None else (None, None)  # else once the first data builds the graph (Sequential)
        self.optimizer, self.loss = optimizer, loss
        self._compile_args = (loss, loss_weights, metrics)
        self.compiled_loss, self.compiled_metrics = resolved

    def _resolve_compile(self, args=None, assign: bool = True):
        loss, loss_weights, metrics = args or self._compile_args
        compiled_loss = CompiledLoss(self.name, loss, loss_weights, self.graph, self.output_names)
        compiled_metrics = CompiledMetrics(self.name, metrics, self.output_names, compiled_loss.losses)
        if not assign:
            return compiled_loss, compiled_metrics
        self.compiled_loss, self.compiled_metrics = compiled_loss, compiled_metrics

    def _require_compiled(self, what: str) -> None:
        if getattr(self, "_compile_args", None) is None:
            raise RuntimeError(f"Model {self.name!r} must be compiled before {what}: "
                               "call model.compile(optimizer, loss, metrics)")

    @property
    def metrics_names(self) -> list[str]:
        return [m.name for m in self.compiled_metrics.all()] if self.compiled_metrics else []

    # ---- one step ----------------------------------------------------------------------
    def _step(self, xs, ys, sample_weights, training: bool, update: bool):
        """(total loss, per-output losses, predictions) of one batch; with ``update``
        the gradients are computed and, when the loss is finite, applied. An update
        that leaves a weight non-finite is undone; ``_undone_update`` then names it."""
        saved = self._save_layer_state() if update and training else None
        total, values, preds = self._loss_and_gradients(xs, ys, sample_weights, training, gradients=update,
                                                        fold_l2=update)
        self._undone_update = None
        if update and math.isfinite(total):  # a non-finite step would ruin the weights
            self._undone_update = self._apply_or_undo()
        if saved and (self._undone_update or not math.isfinite(total)):
            for array, copy in saved:  # the step is not applied: neither are the moving statistics
                np.copyto(array, copy)
        return total, values, preds

    def _save_layer_state(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Copies of every non-trainable weight the forward pass updates (BatchNormalization's
        moving mean and variance), into buffers kept from step to step; [] for most models.
        The list of layers with state is found once per graph."""
        cached = getattr(self, "_state_layers", None)
        if cached is None or cached[0] is not self.graph:
            cached = self._state_layers = (self.graph, [l for l in self._leaf_layers() if l.state])
        arrays = [a for layer in cached[1] for a in layer.state.values()]
        if not arrays:
            return []
        buffers = getattr(self, "_state_copies", None)
        buffers = buffers if buffers and len(buffers) == len(arrays) else [None] * len(arrays)
        self._state_copies = [copy_into(b, a) for b, a in zip(buffers, arrays)]
        return list(zip(arrays, self._state_copies))

    def _apply_or_undo(self) -> str | None:
        """Apply the optimizer's update; if a weight comes out NaN or infinite, every weight
        and the optimizer's state are put back as they were and that weight is named
        (``Optimizer.apply_guarded``: SGD and Adam save the old values inside their update
        kernels, in the same pass; other optimizers copy first)."""
        slots = [((layer.name, key), param, layer.grads[key])
                 for layer in self._trainable_layers() for key, param in layer.params.items()]
        step = self.optimizer.iterations + 1
        bad = self.optimizer.apply_guarded(slots, getattr(self, "_folded_l2", None) or None)
        if bad is None:
            return None
        return f"layer {bad[0]!r} weight {bad[1]!r} (optimizer step {step})"

    def _loss_and_gradients(self, xs, ys, sample_weights, training: bool, gradients: bool,
                            fold_l2: bool = False):
        """Forward, the loss (data loss + activity and weight penalties) and, with
        ``gradients`` and a finite loss, every trainable weight's gradient in ``layer.grads``,
        penalties included. With ``fold_l2`` (a training step) plain L2 penalties are left out
        of ``grads`` when the optimizer adds them inside its update (``self._folded_l2``)."""
        graph = self.graph
        run = graph.forward(xs, training=training, logits_outputs=self.compiled_loss.fold)
        data_loss, values, douts = self.compiled_loss(ys, run.outputs, sample_weights, with_grads=gradients)
        layers = self._trainable_layers()
        penalties = [l.weight_penalty() for l in layers if l.regularizers]  # summed as before: same bits
        total = data_loss + run.activity_penalty + (sum(penalties) if penalties else 0)
        self._folded_l2 = {}
        if gradients and math.isfinite(total):
            for layer in layers:
                layer.grads = {}
            graph.backward(run, douts)
            self._add_penalty_gradients(layers, fold_l2)
        preds = ([run.activated.get(i, out) for i, out in enumerate(run.outputs)] if run.activated
                 else list(run.outputs))  # no folded output (most models): the outputs themselves
        return float(total), values, preds

    def _add_penalty_gradients(self, layers, fold_l2: bool) -> None:
        fold = None  # whether the optimizer folds L2 in: asked once, and only if a weight has a penalty
        for layer in layers:
            grads, regs = layer.grads, layer.regularizers
            for key, param in layer.params.items():
                if key not in grads:  # the weight reached no loss this step
                    grads[key] = np.zeros_like(param)
                if regs and key in regs:
                    if fold is None:
                        fold = bool(fold_l2 and hasattr(self.optimizer, "folds_l2") and self.optimizer.folds_l2())
                    l2 = regularizers.l2_factor(regs[key]) if fold else None
                    if l2 is None:
                        regs[key].add_gradient(param, grads[key])
                    else:  # the optimizer adds 2·l2·w inside its update: one pass per weight
                        self._folded_l2[(layer.name, key)] = l2

    # ---- data ---------------------------------------------------------------------------
    def _inputs(self, x, what: str = "x") -> list[np.ndarray]:
        self._build_from_data(x)
        graph = self._require_graph("running it")
        return data.prepare_inputs(self.name, what, x, graph.inputs, self.input_names)

    def _batches(self, x, y, batch_size, sample_weight=None, class_weight=None, what=("x", "y")) -> Batches:
        self._require_compiled("training or evaluating")
        batch_size = _positive_int("batch_size", batch_size, default=32)
        if y is None:
            raise ValueError(f"Model {self.name!r}: {what[1]} (the targets) is missing")
        if self.graph is None:  # an unbuilt Sequential builds from x: refuse bad data before that
            data.check_before_build(self.name, what, x, y, sample_weight)
        xs = self._inputs(x, what[0])
        if self.compiled_loss is None:
            self._resolve_compile()
        ys = data.prepare_targets(self.name, what[1], y, self.graph.outputs, self.output_names,
                                  self.compiled_loss.keeps_integer_targets(), config.floatx())
        n_x, n_y = xs[0].shape[0], data.same_count(self.name, what[1], [a for a in ys if a is not None])
        if n_y and n_y != n_x:
            raise ValueError(f"Model {self.name!r}: {what[0]} has {n_x} samples but {what[1]} has {n_y}")
        weights = sample_weights_for(self.name, ys, sample_weight, class_weight, n_x)
        self.compiled_metrics.build(ys, [t.shape for t in self.graph.outputs])
        return Batches(xs, ys, weights, batch_size)

    # ---- one batch ----------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict: bool = False):
        """One optimizer step. Returns the loss, or [loss, *metrics] (a dict with
        ``return_dict``), all measured before the update, as Keras."""
        batches = self._batches(x, y, 1 << 62, sample_weight, class_weight)
        result = self._one_batch(batches, training=True, update=True, return_dict=return_dict)
        if self._undone_update:
            warnings.warn(f"Model {self.name!r}: train_on_batch's update made {self._undone_update} "
                          "non-finite; it was undone (weights and optimizer state unchanged)", RuntimeWarning,
                          stacklevel=2)
        return result

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict: bool = False):
        batches = self._batches(x, y, 1 << 62, sample_weight)
        return self._one_batch(batches, training=False, update=False, return_dict=return_dict)

    def predict_on_batch(self, x):
        return self._pack_outputs(self.graph.forward(self._inputs(x), training=False).outputs)

    def _one_batch(self, batches: Batches, training: bool, update: bool, return_dict: bool):
        self.compiled_metrics.reset()
        xs, ys, sw = batches.batch(0)
        total, values, preds = self._step(xs, ys, sw, training=training, update=update)
        self.compiled_metrics.update(total, values, ys, preds, xs[0].shape[0])
        logs = self.compiled_metrics.results()
        if return_dict:
            return logs
        return list(logs.values()) if len(logs) > 1 else logs["loss"]

    def _pack_outputs(self, outputs: list[np.ndarray]):
        return outputs[0] if len(outputs) == 1 else outputs


def sample_weights_for(model: str, ys, sample_weight, class_weight, n: int):
    """Per-output sample weights from ``sample_weight`` and/or ``class_weight``, or None."""
    if sample_weight is None and class_weight is None:
        return None
    if class_weight is not None and sum(y is not None for y in ys) != 1:
        raise ValueError(f"Model {model!r}: class_weight needs a model with one output")
    weights = [None] * len(ys)
    if sample_weight is not None:
        given = sample_weight if isinstance(sample_weight, (list, tuple)) and len(ys) > 1 else [sample_weight] * len(ys)
        for i, w in enumerate(given):
            if w is not None:
                w = data.check_array("sample_weight", w).astype(np.float64)
                if w.shape[0] != n:
                    raise ValueError(f"Model {model!r}: sample_weight has {w.shape[0]} entries for {n} samples")
                weights[i] = w
    if class_weight is not None:
        i = next(i for i, y in enumerate(ys) if y is not None)
        weights[i] = _class_weights(model, ys[i], class_weight) * (1.0 if weights[i] is None else weights[i])
    return weights


def _class_weights(model: str, y: np.ndarray, class_weight: dict) -> np.ndarray:
    if not isinstance(class_weight, dict):
        raise TypeError(f"Model {model!r}: class_weight must be a dict {{class index: weight}}, "
                        f"got {type(class_weight).__name__}")
    labels = y.argmax(axis=-1) if y.ndim > 1 and y.shape[-1] > 1 else np.round(y.reshape(y.shape[0], -1)[:, 0])
    table = np.ones(int(max(max(class_weight), labels.max())) + 1)
    for k, w in class_weight.items():
        table[int(k)] = float(w)
    return table[labels.astype(np.int64)]
