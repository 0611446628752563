"""Training helper shared by the exercises.

:func:`fit` wraps ``model.fit`` so that every exercise gets the same
behaviour: the history is written into the run's results JSON after every
epoch (so a run that is interrupted still leaves what it reached), and an
optional wall-clock budget (``--time-limit``) stops training cleanly at an
epoch boundary and says so in the results.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import keras

from .common import RunRecord, history_dict, write_results

_DEADLINE: float | None = None
WRITE_EVERY_S = 10.0
"""Partial results are written at most this often during training."""


def set_time_limit(seconds: float | None) -> None:
    """Stop every later :func:`fit` once ``seconds`` of wall time have passed (None: no limit)."""
    global _DEADLINE
    _DEADLINE = None if seconds is None else time.monotonic() + float(seconds)


def time_left() -> float | None:
    """Seconds left before the time limit, or None when there is none."""
    return None if _DEADLINE is None else _DEADLINE - time.monotonic()


class _Progress(keras.callbacks.Callback):
    """Writes the partial history after each epoch; enforces the time limit."""

    def __init__(self, record: RunRecord, key: str, epochs: int, out: Path | None) -> None:
        super().__init__()
        self.record, self.key, self.epochs, self.out = record, key, epochs, out
        self.hist: dict[str, list[float]] = {}
        self.stopped_by_time = False
        self._last_write = time.monotonic()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        for name, value in (logs or {}).items():
            self.hist.setdefault(name, []).append(float(value))
        self.record.add_history(self.key, self.hist, self.epochs)
        left = time_left()
        if left is not None and left <= 0 and epoch + 1 < self.epochs:
            self.stopped_by_time = True
            self.model.stop_training = True
        now = time.monotonic()
        if self.out is not None and now - self._last_write >= WRITE_EVERY_S:
            write_results(self.record, self.out)
            self._last_write = now


def fit(model: keras.Model, x: Any, y: Any = None, *, record: RunRecord, key: str,
        epochs: int, batch_size: int | None = None, validation_data: Any = None,
        out: str | Path | None = None, verbose: int = 0, **kwargs: Any) -> dict[str, list[float]]:
    """Train ``model`` and store its history in ``record`` under ``key``.

    Returns the history as ``{metric: [value per epoch]}``.  When the time
    limit stops training early, a note with the epochs reached is added.
    """
    left = time_left()
    if left is not None and left <= 0:
        record.notes.append(f"{key}: not trained, the time limit was already spent")
        record.add_history(key, {}, epochs)
        return {}
    progress = _Progress(record, key, epochs, Path(out) if out is not None else None)
    callbacks = list(kwargs.pop("callbacks", [])) + [progress]
    if not hasattr(x, "shape"):  # tf.data / PyDataset: they shuffle themselves
        kwargs.setdefault("shuffle", False)
    t0 = time.perf_counter()
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size,
                        validation_data=validation_data, verbose=verbose,
                        callbacks=callbacks, **kwargs)
    record.train_seconds[key] = time.perf_counter() - t0
    hist = history_dict(history)
    record.add_history(key, hist, epochs)
    if progress.stopped_by_time:
        reached = record.epochs_reached[key]
        record.notes.append(f"{key}: stopped by the time limit after {reached}/{epochs} epochs")
    return hist
