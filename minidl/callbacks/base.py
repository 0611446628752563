"""Callback base, CallbackList, History and the progress bar.

Hooks and ``logs`` dicts as Keras 3: ``on_epoch_end(epoch, logs)`` gets the
epoch's means (``loss``, metrics, ``val_*``); batch hooks get the running
means so far. ``logs`` is always a dict (never None) when CallbackList calls.
"""
from __future__ import annotations

import sys
from typing import Iterable

_BATCH_HOOKS = ("on_batch_begin", "on_batch_end", "on_train_batch_begin", "on_train_batch_end",
                "on_test_batch_begin", "on_test_batch_end", "on_predict_batch_begin", "on_predict_batch_end")


class Callback:
    """Every hook Keras 3 has, doing nothing. ``self.model`` and ``self.params``
    (``{"verbose", "epochs", "steps"}``) are set by the trainer."""

    def __init__(self):
        self.params: dict = {}
        self._model = None

    @property
    def model(self):
        return getattr(self, "_model", None)

    @model.setter
    def model(self, model) -> None:
        self._model = model

    def set_params(self, params: dict) -> None:
        self.params = params

    def set_model(self, model) -> None:
        self.model = model

    def on_batch_begin(self, batch: int, logs=None): ...
    def on_batch_end(self, batch: int, logs=None): ...
    def on_epoch_begin(self, epoch: int, logs=None): ...
    def on_epoch_end(self, epoch: int, logs=None): ...

    # as Keras: the train-batch hooks forward to the legacy on_batch_* names
    def on_train_batch_begin(self, batch: int, logs=None):
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs=None):
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs=None): ...
    def on_test_batch_end(self, batch: int, logs=None): ...
    def on_predict_batch_begin(self, batch: int, logs=None): ...
    def on_predict_batch_end(self, batch: int, logs=None): ...
    def on_train_begin(self, logs=None): ...
    def on_train_end(self, logs=None): ...
    def on_test_begin(self, logs=None): ...
    def on_test_end(self, logs=None): ...
    def on_predict_begin(self, logs=None): ...
    def on_predict_end(self, logs=None): ...

    def _uses(self, hook: str) -> bool:
        """Whether this callback overrides ``hook`` (or a legacy alias it forwards to)."""
        mine = getattr(type(self), hook)
        if mine is not getattr(Callback, hook):
            return True
        alias = {"on_train_batch_begin": "on_batch_begin", "on_train_batch_end": "on_batch_end"}.get(hook)
        return alias is not None and getattr(type(self), alias) is not getattr(Callback, alias)


class History(Callback):
    """``history[key]`` is the list of per-epoch values, as Keras's History.

    ``stop_reason`` is None, or why training stopped early (a non-finite loss,
    early stopping); ``epoch`` lists the epochs recorded. ``model.history`` is
    set to this object when the model is set."""

    def __init__(self):
        super().__init__()
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.stop_reason: str | None = None

    def set_model(self, model) -> None:
        super().set_model(model)
        if model is not None:
            model.history = self

    def on_train_begin(self, logs=None):
        self.epoch = []

    def on_epoch_end(self, epoch, logs=None):
        self.epoch.append(epoch)
        self._epoch_keys = set(logs or {})
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(float(value))
        if self.model is not None:
            self.model.history = self

    def record_late(self, logs: dict) -> None:
        """Record the keys that callbacks after this one added to the epoch's logs (Keras's
        History runs last and sees them, e.g. ReduceLROnPlateau's ``learning_rate``)."""
        for key, value in logs.items():
            if key not in getattr(self, "_epoch_keys", ()):
                self.history.setdefault(key, []).append(float(value))
        self._epoch_keys = set(logs)


class ProgressBar(Callback):
    """A tqdm bar per epoch (verbose=1) or one summary line per epoch (verbose=2).
    ``epochs`` and ``steps`` may come later through ``set_params``."""

    def __init__(self, verbose: int = 1, epochs: int | None = None, steps: int | None = None):
        super().__init__()
        self.verbose, self.epochs, self.steps = verbose, epochs, steps
        self._bar = None

    def set_params(self, params):
        super().set_params(params)
        self.epochs = params.get("epochs", self.epochs)
        self.steps = params.get("steps", self.steps)
        self.verbose = params.get("verbose", self.verbose)

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


class CallbackList(Callback):
    """Calls every hook on each callback in order, as Keras's CallbackList.

    ``CallbackList(callbacks, model, add_history=True, add_progbar=verbose > 0,
    verbose=..., epochs=..., steps=...)`` appends a :class:`History` (unless
    one was given) and, with ``add_progbar``, a :class:`ProgressBar`; calls
    ``set_model(model)`` and ``set_params({"verbose", "epochs", "steps"})`` on
    each. ``history`` is the History; ``needs_batch_logs`` says whether any
    callback overrides a train-batch hook (the trainer may skip computing
    per-batch running means otherwise)."""

    def __init__(self, callbacks: Iterable[Callback] | None = None, model=None, add_history: bool = False,
                 add_progbar: bool = False, **params):
        super().__init__()
        self.callbacks: list[Callback] = list(callbacks or [])
        for cb in self.callbacks:
            if not isinstance(cb, Callback):
                raise TypeError(f"callbacks must be minidl.callbacks.Callback instances, got {cb!r}")
        self.history = next((cb for cb in self.callbacks if isinstance(cb, History)), None)
        if self.history is None and add_history:
            # first, where Keras appends it: an interrupt raised by a later callback
            # still finds the epoch recorded
            self.history = History()
            self.callbacks.insert(0, self.history)
        if add_progbar and not any(isinstance(cb, ProgressBar) for cb in self.callbacks):
            self.callbacks.append(ProgressBar(params.get("verbose", 1), params.get("epochs"), params.get("steps")))
        self.set_model(model)
        self.set_params(params)

    def set_model(self, model) -> None:
        super().set_model(model)
        for cb in self.callbacks:
            cb.set_model(model)

    def set_params(self, params: dict) -> None:
        super().set_params(params)
        if params:
            for cb in self.callbacks:
                cb.set_params(params)

    @property
    def needs_batch_logs(self) -> bool:
        return any(cb._uses("on_train_batch_end") or cb._uses("on_train_batch_begin") for cb in self.callbacks)

    def append(self, callback: Callback) -> None:
        self.callbacks.append(callback)

    def __iter__(self):
        return iter(self.callbacks)

    def _call(self, hook: str, *args, logs=None) -> None:
        logs = {} if logs is None else logs
        for cb in self.callbacks:
            getattr(cb, hook)(*args, logs=logs)

    def on_batch_begin(self, batch, logs=None): self._call("on_train_batch_begin", batch, logs=logs)
    def on_batch_end(self, batch, logs=None): self._call("on_train_batch_end", batch, logs=logs)
    def on_epoch_begin(self, epoch, logs=None): self._call("on_epoch_begin", epoch, logs=logs)
    def on_epoch_end(self, epoch, logs=None):
        logs = {} if logs is None else logs
        self._call("on_epoch_end", epoch, logs=logs)
        if self.history is not None:
            self.history.record_late(logs)

    def on_train_batch_begin(self, batch, logs=None): self._call("on_train_batch_begin", batch, logs=logs)
    def on_train_batch_end(self, batch, logs=None): self._call("on_train_batch_end", batch, logs=logs)
    def on_test_batch_begin(self, batch, logs=None): self._call("on_test_batch_begin", batch, logs=logs)
    def on_test_batch_end(self, batch, logs=None): self._call("on_test_batch_end", batch, logs=logs)
    def on_predict_batch_begin(self, batch, logs=None): self._call("on_predict_batch_begin", batch, logs=logs)
    def on_predict_batch_end(self, batch, logs=None): self._call("on_predict_batch_end", batch, logs=logs)
    def on_train_begin(self, logs=None): self._call("on_train_begin", logs=logs)
    def on_train_end(self, logs=None): self._call("on_train_end", logs=logs)
    def on_test_begin(self, logs=None): self._call("on_test_begin", logs=logs)
    def on_test_end(self, logs=None): self._call("on_test_end", logs=logs)
    def on_predict_begin(self, logs=None): self._call("on_predict_begin", logs=logs)
    def on_predict_end(self, logs=None): self._call("on_predict_end", logs=logs)
