"""MNIST handwritten digits, as ``keras.datasets.mnist``.

Looked up as ``mnist.npz`` in the data directory (keys ``x_train``, ``y_train``,
``x_test``, ``y_test``), else Keras's cached ``mnist.npz`` (same keys), else
downloaded from Keras's URL. See :mod:`minidl.datasets._files` for the order.
"""
from __future__ import annotations

import os

import numpy as np

from . import _files

NAME = "mnist"
DATA_FILE = "mnist.npz"
KERAS_FNAME = "mnist.npz"
URL = f"{_files.KERAS_ORIGIN}mnist.npz"
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"  # sha256, from keras
KEYS = ("x_train", "y_train", "x_test", "y_test")


def locate(data_dir: str | os.PathLike | None = None) -> _files.Source:
    """Where the MNIST file comes from (may download it into the Keras cache)."""
    return _files.resolve_npz(NAME, data_dir, DATA_FILE, KERAS_FNAME, URL, FILE_HASH)


def load_data(data_dir: str | os.PathLike | None = None
              ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST: ``(x_train, y_train), (x_test, y_test)``.

    x: uint8 (60000, 28, 28) and (10000, 28, 28), pixels 0..255;
    y: uint8 (60000,) and (10000,), digits 0..9; the original order.
    Raises :class:`~minidl.datasets.DatasetNotFoundError` when no copy is found.
    """
    path = locate(data_dir).path
    with np.load(path, allow_pickle=False) as f:
        _files.require_keys(f.files, KEYS, path)
        x_train, y_train, x_test, y_test = (f[k] for k in KEYS)
    return (x_train, y_train), (x_test, y_test)
