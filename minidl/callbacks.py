"""Callbacks: hooks called by ``Model.fit`` at the start and end of epochs and batches.

``logs`` are dicts of floats with the keys of ``History.history``.
"""
from __future__ import annotations

import math
import sys


class Callback:
    model = None

    def set_model(self, model) -> None:
        self.model = model

    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_epoch_begin(self, epoch: int, logs=None): ...
    def on_epoch_end(self, epoch: int, logs=None): ...
    def on_train_batch_begin(self, batch: int, logs=None): ...
    def on_train_batch_end(self, batch: int, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_test_batch_begin(self, batch: int, logs=None): ...
    def on_test_batch_end(self, batch: int, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...
    def on_predict_batch_begin(self, batch: int, logs=None): ...
    def on_predict_batch_end(self, batch: int, logs=None): ...


class CallbackList:
    """TEMPORARY (replaced by the compat branch): calls every hook of every callback."""

    def __init__(self, callbacks=None, model=None, add_history=False, add_progbar=False, verbose=1,
                 epochs=None, steps=None):
        self.callbacks = list(callbacks or [])
        if add_history:
            self.callbacks.insert(0, History())
        if add_progbar:
            self.callbacks.append(ProgressBar(verbose, epochs, steps))
        for cb in self.callbacks:
            cb.set_model(model)

    def __getattr__(self, hook):
        if not hook.startswith("on_"):
            raise AttributeError(hook)

        def call(*args):
            for cb in self.callbacks:
                getattr(cb, hook)(*args)
        return call


class History(Callback):
    """``history[key]`` is the list of per-epoch values, as Keras's History.

    ``stop_reason`` is None, or why training stopped early (a non-finite loss,
    early stopping); ``epoch`` lists the epochs recorded.
    """

    def __init__(self):
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.stop_reason: str | None = None

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))


class ProgressBar(Callback):
    """A tqdm bar per epoch (verbose=1) or one summary line per epoch (verbose=2)."""

    def __init__(self, verbose: int, epochs: int, steps: int):
        self.verbose, self.epochs, self.steps = verbose, epochs, steps
        self._bar = None

    def on_epoch_begin(self, epoch, logs=None):
        if self.verbose == 1:
            from tqdm.auto import tqdm
            self._bar = tqdm(total=self.steps, desc=f"Epoch {epoch + 1}/{self.epochs}", unit="step",
                             leave=True, file=sys.stdout, dynamic_ncols=True)

    def on_train_batch_end(self, batch, logs=None):
        if self._bar is not None:
            self._bar.update(1)
            self._bar.set_postfix({k: f"{v:.4g}" for k, v in (logs or {}).items()}, refresh=False)

    def on_epoch_end(self, epoch, logs=None):
        text = " - ".join(f"{k}: {v:.4f}" for k, v in (logs or {}).items())
        if self._bar is not None:
            self._bar.set_postfix_str(text)
            self._bar.close()
            self._bar = None
        elif self.verbose == 2:
            print(f"Epoch {epoch + 1}/{self.epochs} - {text}", flush=True)


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs."""

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0,
                 mode: str = "auto", restore_best_weights: bool = False):
        self.monitor, self.min_delta, self.patience = monitor, abs(min_delta), patience
        if mode == "auto":
            mode = "max" if "acc" in monitor else "min"
        if mode not in ("min", "max"):
            raise ValueError(f"EarlyStopping: mode must be 'auto', 'min' or 'max', got {mode!r}")
        self.sign = 1.0 if mode == "min" else -1.0
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, logs=None):
        self.best, self.wait, self.best_weights = math.inf, 0, None

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor not in (logs or {}):
            raise KeyError(f"EarlyStopping monitors {self.monitor!r}, but the logs have {sorted(logs or {})}")
        value = self.sign * logs[self.monitor]
        if value < self.best - self.min_delta:
            self.best, self.wait = value, 0
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            return
        self.wait += 1
        if self.wait > self.patience:
            self.model.stop_training = True
            self.model.history.stop_reason = f"early stopping: {self.monitor} did not improve for {self.wait} epochs"
            if self.best_weights is not None:
                self.model.set_weights(self.best_weights)
