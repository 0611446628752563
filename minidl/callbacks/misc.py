"""LearningRateScheduler, CSVLogger, TerminateOnNaN, LambdaCallback, BackupAndRestore."""
from __future__ import annotations

import csv
import json
import math
import os
import pickle
import shutil
from typing import Callable

import numpy as np

from ..io import write_bytes, write_text
from .base import Callback


class LearningRateScheduler(Callback):
    """At each epoch's start set ``optimizer.learning_rate = schedule(epoch, lr)``
    (or ``schedule(epoch)`` for a one-argument function); logs ``learning_rate``."""

    def __init__(self, schedule: Callable, verbose: int = 0):
        super().__init__()
        if not callable(schedule):
            raise TypeError(f"LearningRateScheduler: schedule must be a function f(epoch, lr) -> lr, got {schedule!r}")
        self.schedule, self.verbose = schedule, verbose

    def on_epoch_begin(self, epoch, logs=None):
        optimizer = self.model.optimizer
        try:
            lr = self.schedule(epoch, float(optimizer.learning_rate))
        except TypeError:  # Keras's fallback for the old one-argument form
            lr = self.schedule(epoch)
        if not isinstance(lr, (float, np.floating)):
            raise ValueError(f"LearningRateScheduler: the schedule must return a float, got {lr!r}")
        optimizer.learning_rate = float(lr)
        if self.verbose > 0:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.")

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["learning_rate"] = float(self.model.optimizer.learning_rate)


class CSVLogger(Callback):
    """One CSV row per epoch: ``epoch`` then the logs keys sorted (``val_*`` columns
    added when the first epoch had none), as Keras writes it."""

    def __init__(self, filename, separator: str = ",", append: bool = False):
        super().__init__()
        self.filename, self.sep, self.append = os.fspath(filename), separator, append
        self.keys, self.writer, self.csv_file, self.append_header = None, None, None, True

    def on_train_begin(self, logs=None):
        if self.append:
            if os.path.exists(self.filename):
                with open(self.filename) as f:
                    self.append_header = not bool(len(f.readline()))
            mode = "a"
        else:
            mode = "w"
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        self.csv_file = open(self.filename, mode, newline="")
        self.writer, self.keys = None, None

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        if self.keys is None:
            self.keys = sorted(logs)
            if self.keys and not any(k.startswith("val_") for k in self.keys):
                self.keys.extend([f"val_{k}" for k in self.keys])
        if self.writer is None:
            dialect = type("Dialect", (csv.excel,), {"delimiter": self.sep})
            self.writer = csv.DictWriter(self.csv_file, fieldnames=["epoch", *self.keys], dialect=dialect)
            if self.append_header:
                self.writer.writeheader()
        self.writer.writerow({"epoch": epoch, **{k: logs.get(k, "NA") for k in self.keys}})
        self.csv_file.flush()

    def on_train_end(self, logs=None):
        if self.csv_file and not self.csv_file.closed:
            self.csv_file.close()
        self.writer = None


class TerminateOnNaN(Callback):
    """Stop training (or raise, with ``raise_error``) when a batch's loss is NaN or inf."""

    def __init__(self, raise_error: bool = False):
        super().__init__()
        self.raise_error = raise_error

    def on_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and not math.isfinite(loss):
            if self.raise_error:
                raise RuntimeError(f"NaN or Inf loss encountered at batch {batch}. Loss value: {loss}. "
                                   "Terminating training immediately.")
            print(f"Batch {batch}: Invalid loss, terminating training")
            self.model.stop_training = True
            history = getattr(self.model, "history", None)
            if history is not None and hasattr(history, "stop_reason"):
                history.stop_reason = f"TerminateOnNaN: loss {loss} at batch {batch}"


class LambdaCallback(Callback):
    """Hooks given as functions: ``on_epoch_end=lambda epoch, logs: ...``; any hook
    name (``on_test_begin=...``) is accepted, as Keras."""

    _HOOKS = ("on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end", "on_train_batch_begin",
              "on_train_batch_end")

    def __init__(self, on_epoch_begin=None, on_epoch_end=None, on_train_begin=None, on_train_end=None,
                 on_train_batch_begin=None, on_train_batch_end=None, **kwargs):
        super().__init__()
        given = dict(zip(self._HOOKS, (on_epoch_begin, on_epoch_end, on_train_begin, on_train_end,
                                       on_train_batch_begin, on_train_batch_end)))
        for name, fn in {**given, **kwargs}.items():
            if not hasattr(Callback, name):
                raise ValueError(f"LambdaCallback: unknown hook {name!r}")
            if fn is not None:
                setattr(self, name, _as_hook(name, fn))


def _as_hook(name: str, fn: Callable) -> Callable:
    if name.endswith(("_train_begin", "_train_end", "_test_begin", "_test_end", "_predict_begin", "_predict_end")):
        return lambda logs=None: fn(logs)
    return lambda index, logs=None: fn(index, logs)


class BackupAndRestore(Callback):
    """Fault tolerance: after each epoch, write the model weights, the optimizer
    state and the number of finished epochs to ``backup_dir/backup.pkl``
    atomically (temporary file + rename: a crash leaves the previous backup).

    Protocol with the trainer (Keras 3 does the same with ``_initial_epoch``):
    ``on_train_begin`` restores weights (``model.set_weights``) and optimizer
    state (``model.optimizer.set_state``) from an existing backup and sets
    ``model._initial_epoch`` (and ``self.restored_epoch``) to the saved number
    of finished epochs. The trainer calls ``callbacks.on_train_begin()`` and
    then starts its epoch loop at ``model._initial_epoch`` when that attribute
    is not None (and resets it to None after reading it). With
    ``delete_checkpoint`` (the default) the backup is removed when training
    ends normally (``on_train_end``); an interrupted run keeps it."""

    def __init__(self, backup_dir, save_freq="epoch", delete_checkpoint: bool = True):
        super().__init__()
        if not backup_dir:
            raise ValueError("BackupAndRestore: backup_dir must be a non-empty path")
        if save_freq != "epoch":
            raise ValueError(f"BackupAndRestore: only save_freq='epoch' is supported, got {save_freq!r}")
        self.backup_dir, self.save_freq, self.delete_checkpoint = os.fspath(backup_dir), save_freq, delete_checkpoint
        self.path = os.path.join(self.backup_dir, "backup.pkl")
        self.restored_epoch: int | None = None

    def on_train_begin(self, logs=None):
        self.restored_epoch = None
        if not os.path.exists(self.path):
            return
        with open(self.path, "rb") as f:
            backup = pickle.load(f)
        self.model.set_weights(backup["weights"])
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and backup.get("optimizer") is not None:
            optimizer.set_state(backup["optimizer"])
        self.restored_epoch = int(backup["epoch"])
        self.model._initial_epoch = self.restored_epoch

    def on_epoch_end(self, epoch, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        backup = {"weights": [np.array(w) for w in self.model.get_weights()],
                  "optimizer": optimizer.get_state() if optimizer is not None else None,
                  "epoch": epoch + 1}
        os.makedirs(self.backup_dir, exist_ok=True)
        write_bytes(self.path, pickle.dumps(backup, protocol=pickle.HIGHEST_PROTOCOL))
        write_text(os.path.join(self.backup_dir, "training_metadata.json"), json.dumps({"epoch": epoch + 1}))

    def on_train_end(self, logs=None):
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)
