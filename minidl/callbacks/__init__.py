"""Callbacks with Keras 3's hooks and ``logs`` dicts (see ``base.CallbackList`` for
how the trainer drives them)."""
from .base import Callback, CallbackList, History, ProgressBar
from .misc import BackupAndRestore, CSVLogger, LambdaCallback, LearningRateScheduler, TerminateOnNaN
from .monitor import EarlyStopping, ModelCheckpoint, MonitorCallback, ReduceLROnPlateau

__all__ = ["Callback", "CallbackList", "History", "ProgressBar", "EarlyStopping", "ModelCheckpoint",
           "ReduceLROnPlateau", "LearningRateScheduler", "CSVLogger", "TerminateOnNaN", "LambdaCallback",
           "BackupAndRestore", "MonitorCallback"]
