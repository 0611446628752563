"""CIFAR-10 small images, as ``keras.datasets.cifar10`` (channels last).

Looked up as ``cifar10.npz`` in the data directory (keys ``x_train``, ``y_train``,
``x_test``, ``y_test`` and, optionally, ``lossy``: the copy that
``shared/data/prepare.py`` writes is decoded from JPEG and says ``lossy=True``,
which :func:`minidl.datasets.describe` reports), else the Keras cache, else
downloaded from the URL Keras uses.
"""
from __future__ import annotations

import os

import numpy as np

from . import _cifar, _files

NAME = "cifar10"
DATA_FILE = "cifar10.npz"
DIRNAME = "cifar-10-batches-py"
URL = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"  # sha256, from keras
BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",)
CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")


def locate(data_dir: str | os.PathLike | None = None) -> _files.Source:
    """Where CIFAR-10 comes from; for the Keras cache ``path`` is the batches folder."""
    path = _files.data_dir_file(data_dir, DATA_FILE)
    if path is not None:
        return _files.Source(NAME, "data-dir", path, lossy=_cifar.npz_is_lossy(path))
    return _cifar.find_batches(NAME, DIRNAME, URL, FILE_HASH, BATCHES, DATA_FILE)


def load_data(data_dir: str | os.PathLike | None = None
              ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load CIFAR-10: ``(x_train, y_train), (x_test, y_test)``.

    x: uint8 (50000, 32, 32, 3) and (10000, 32, 32, 3), channels last, 0..255;
    y: uint8 (50000, 1) and (10000, 1), classes 0..9 (see ``CLASS_NAMES``).
    """
    src = locate(data_dir)
    if src.source == "data-dir":
        train, test, _ = _cifar.load_npz_split(src.path, ("y_train", "y_test"))
        return train, test
    parts = [_cifar.load_batch(os.path.join(src.path, b)) for b in BATCHES]
    x_train = np.concatenate([x for x, _ in parts[:-1]])
    y_train = np.concatenate([np.asarray(y, dtype=np.uint8) for _, y in parts[:-1]]).reshape(-1, 1)
    x_test, y_test = parts[-1]
    return (x_train, y_train), (x_test, np.asarray(y_test, dtype=np.uint8).reshape(-1, 1))
