"""The epoch and batch loops of fit, evaluate and predict, with Keras's callback hooks."""
from __future__ import annotations

import math
import warnings
from typing import Sequence

import numpy as np

from .. import callbacks as callbacks_module
from .. import config
from . import data


def _no_unknown(model: str, call: str, kwargs: dict) -> None:
    if kwargs:
        raise TypeError(f"Model {model!r}: {call} got unexpected argument(s) {sorted(kwargs)}")


def _verbosity(verbose) -> int:
    if verbose == "auto":
        return 1
    if verbose not in (0, 1, 2) or isinstance(verbose, bool):
        raise ValueError(f"verbose must be 'auto', 0, 1 or 2, got {verbose!r}")
    return int(verbose)


def _epoch_count(what: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{what} must be a non-negative integer, got {value!r}")
    return int(value)


def _positive(what: str, value) -> int:
    if _epoch_count(what, value) == 0:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def _callback_list(callbacks) -> list | None:
    """One callback or a list of them (Keras takes both), checked before any work is done."""
    if isinstance(callbacks, callbacks_module.Callback):
        return [callbacks]
    if callbacks is not None and (not isinstance(callbacks, (list, tuple))
                                  or not all(isinstance(c, callbacks_module.Callback) for c in callbacks)):
        raise TypeError(f"callbacks must be a list of minidl.callbacks.Callback instances, got {callbacks!r}")
    return callbacks


def _check_class_weight(class_weight) -> None:
    if isinstance(class_weight, dict) and not all(
            isinstance(k, (int, np.integer)) and not isinstance(k, bool) and k >= 0
            and isinstance(w, (int, float, np.number)) and not isinstance(w, bool) for k, w in class_weight.items()):
        raise TypeError(f"class_weight must map class indices (non-negative integers) to numbers, got {class_weight!r}")


class Loops:
    """fit / evaluate / predict; the model's Trainer supplies ``_batches`` and ``_step``."""

    def fit(self, x=None, y=None, batch_size: int | None = None, epochs: int = 1, verbose="auto",
            callbacks: Sequence | None = None, validation_split: float = 0.0, validation_data=None,
            shuffle: bool = True, class_weight=None, sample_weight=None, initial_epoch: int = 0,
            steps_per_epoch: int | None = None, validation_freq: int = 1, seed: int | None = None,
            validation_batch_size: int | None = None, **kwargs):
        """Train for ``epochs`` epochs of mini-batches; returns the History.

        Each epoch visits the samples in a fresh permutation drawn from a
        generator seeded by ``seed`` (the global one when None), unless
        ``shuffle=False``. Logged values are sample-weighted means over the
        epoch; ``val_*`` come from ``evaluate`` at the end of the epoch. A
        non-finite loss stops training before its update is applied, with a
        warning; ``history.stop_reason`` says why.
        """
        if kwargs:
            raise TypeError(f"Model {self.name!r}: fit got unexpected argument(s) {sorted(kwargs)}")
        self._require_compiled("fit")
        verbose = _verbosity(verbose)
        epochs, initial_epoch = _epoch_count("epochs", epochs), _epoch_count("initial_epoch", initial_epoch)
        validation_freq = _positive("validation_freq", validation_freq)
        callbacks = _callback_list(callbacks)
        _check_class_weight(class_weight)
        if steps_per_epoch is not None:
            steps_per_epoch = _epoch_count("steps_per_epoch", steps_per_epoch)
        if validation_batch_size is not None:
            validation_batch_size = _positive("validation_batch_size", validation_batch_size)
        config.check_seed("fit", "seed", seed)  # all checked before the data can build a Sequential
        train, val = self._fit_data(x, y, batch_size, validation_split, validation_data, sample_weight,
                                    class_weight, validation_batch_size)
        steps = min(steps_per_epoch, train.steps) if steps_per_epoch else train.steps
        rng = config.make_rng(seed)
        cbs = callbacks_module.CallbackList(callbacks, model=self, add_history=True, add_progbar=verbose != 0,
                                            verbose=verbose, epochs=epochs, steps=steps)
        self.history = cbs.history
        self.stop_training = False
        self._initial_epoch = None
        cbs.on_train_begin({})
        if self._initial_epoch is not None:  # BackupAndRestore restored a run: go on from there
            initial_epoch, self._initial_epoch = max(initial_epoch, self._initial_epoch), None
        logs: dict = {}
        # As Keras: with steps_per_epoch below the batches in the data, an epoch goes on where the
        # last one stopped, and the epoch that reaches the end of the data stops there (fewer steps).
        start, order = 0, None
        for epoch in range(initial_epoch, epochs):
            cbs.on_epoch_begin(epoch, {})
            if start == 0:
                order = rng.permutation(train.count) if shuffle else None
            n_steps = min(steps, train.steps - start)
            logs = self._train_epoch(train, order, n_steps, cbs, cbs.needs_batch_logs, epoch, start)
            start = (start + n_steps) % train.steps
            if val is not None and not self.history.stop_reason and (epoch + 1) % validation_freq == 0:
                logs.update({f"val_{k}": v for k, v in self._evaluate_batches(val, cbs).items()})
            cbs.on_epoch_end(epoch, logs)
            if self.stop_training:
                break
        cbs.on_train_end(logs)
        return self.history

    def _fit_data(self, x, y, batch_size, validation_split, validation_data, sample_weight, class_weight,
                  validation_batch_size):
        if validation_data is not None and validation_split:
            raise ValueError("give validation_data or validation_split, not both")
        if isinstance(validation_split, bool) or not isinstance(validation_split, (int, float)):
            raise TypeError(f"validation_split must be a number in [0, 1), got {validation_split!r}")
        if not 0 <= validation_split < 1:
            raise ValueError(f"validation_split must be in (0, 1) (or 0 for none), got {validation_split}")
        train = self._batches(x, y, batch_size, sample_weight, class_weight)
        val = None
        if validation_split:
            cut = int(train.count * (1 - validation_split))  # the last samples, as Keras
            if cut == 0 or cut == train.count:
                raise ValueError(f"validation_split={validation_split} of {train.count} samples leaves "
                                 f"{cut} for training and {train.count - cut} for validation; both need one")
            sl_train, sl_val = slice(0, cut), slice(cut, None)
            sw = train.sample_weights
            val = type(train)(data.take(train.xs, sl_val), data.take(train.ys, sl_val),
                              None if sw is None else data.take(sw, sl_val),
                              validation_batch_size or train.batch_size)
            train = type(train)(data.take(train.xs, sl_train), data.take(train.ys, sl_train),
                                None if sw is None else data.take(sw, sl_train), train.batch_size)
        elif validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) not in (2, 3):
                raise ValueError("validation_data must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight_val)")
            val_sw = validation_data[2] if len(validation_data) == 3 else None
            val = self._batches(validation_data[0], validation_data[1], validation_batch_size or train.batch_size,
                                val_sw, what=("x_val", "y_val"))
        return train, val

    def _train_epoch(self, train, order, steps: int, cbs, batch_logs: bool, epoch: int, start: int = 0) -> dict:
        metrics = self.compiled_metrics
        metrics.reset()
        for step in range(steps):
            if batch_logs:
                cbs.on_train_batch_begin(step, {})
            xs, ys, sw = train.batch(start + step, order)
            total, values, preds = self._step(xs, ys, sw, training=True, update=True)
            metrics.update(total, values, ys, preds, xs[0].shape[0])
            if not math.isfinite(total) or self._undone_update:
                self.history.stop_reason = (
                    f"non-finite loss ({total}) at epoch {epoch + 1}, batch {step + 1}; stopped before applying "
                    "that update" if not math.isfinite(total) else
                    f"the update at epoch {epoch + 1}, batch {step + 1} made {self._undone_update} NaN or "
                    "infinite; that update was undone (weights and optimizer state) and training stopped")
                warnings.warn(f"Model {self.name!r}: {self.history.stop_reason}", RuntimeWarning, stacklevel=3)
                self.stop_training = True
                break
            if batch_logs:
                cbs.on_train_batch_end(step, metrics.results())
        return metrics.results()

    # ---- evaluate / predict ------------------------------------------------------------
    def evaluate(self, x=None, y=None, batch_size: int | None = None, verbose="auto", sample_weight=None,
                 steps: int | None = None, callbacks: Sequence | None = None, return_dict: bool = False,
                 **kwargs):
        """Loss (data loss + penalties) and metrics in inference mode, sample-weighted
        over batches. Returns the loss alone, or [loss, *metrics], or a dict."""
        _no_unknown(self.name, "evaluate", kwargs)
        self._require_compiled("evaluate")
        steps = None if steps is None else _positive("steps", steps)
        loud = verbose != "auto" and _verbosity(verbose) > 0  # Keras's "auto" bar: minidl stays quiet
        callbacks = _callback_list(callbacks)
        batches = self._batches(x, y, batch_size, sample_weight)
        cbs = callbacks_module.CallbackList(callbacks, model=self, add_history=False, add_progbar=False)
        logs = self._evaluate_batches(batches, cbs, steps)
        if loud:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in logs.items()))
        if return_dict:
            return logs
        return list(logs.values()) if len(logs) > 1 else logs["loss"]

    def _evaluate_batches(self, batches, cbs, steps: int | None = None) -> dict:
        metrics = self.compiled_metrics
        metrics.reset()
        cbs.on_test_begin({})
        for step in range(batches.steps if steps is None else min(steps, batches.steps)):
            cbs.on_test_batch_begin(step, {})
            xs, ys, sw = batches.batch(step)
            total, values, preds = self._step(xs, ys, sw, training=False, update=False)
            metrics.update(total, values, ys, preds, xs[0].shape[0])
            cbs.on_test_batch_end(step, metrics.results())  # Keras: the running loss and metrics
        logs = metrics.results()
        cbs.on_test_end(logs)
        return logs

    def predict(self, x, batch_size: int | None = None, verbose="auto", steps: int | None = None,
                callbacks: Sequence | None = None, **kwargs):
        """Outputs in inference mode, batch by batch: one array per output."""
        _no_unknown(self.name, "predict", kwargs)
        from .trainer import _positive_int
        _verbosity(verbose)
        batch_size = _positive_int("batch_size", batch_size, default=32)
        steps = None if steps is None else _positive("steps", steps)
        callbacks = _callback_list(callbacks)
        xs = self._inputs(x)
        cbs = callbacks_module.CallbackList(callbacks, model=self, add_history=False, add_progbar=False)
        cbs.on_predict_begin({})
        parts = []
        n_steps = -(-xs[0].shape[0] // batch_size)
        for step in range(n_steps if steps is None else min(steps, n_steps)):
            cbs.on_predict_batch_begin(step, {})
            batch = [a[step * batch_size:(step + 1) * batch_size] for a in xs]
            outs = self.graph.forward(batch, training=False).outputs
            parts.append(outs)
            cbs.on_predict_batch_end(step, {"outputs": self._pack_outputs(outs)})
        cbs.on_predict_end({})
        return self._pack_outputs([np.concatenate(p) for p in zip(*parts)])
