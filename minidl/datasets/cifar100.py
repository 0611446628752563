"""CIFAR-100 small images, as ``keras.datasets.cifar100`` (channels last).

Looked up as ``cifar100.npz`` in the data directory (keys ``x_train``, ``x_test``,
``y_train_fine``, ``y_test_fine``, ``y_train_coarse``, ``y_test_coarse``, optional
``lossy``; ``shared/data/prepare.py`` does not make one), else the Keras cache,
else downloaded from the URL Keras uses.
"""
from __future__ import annotations

import os

import numpy as np

from . import _cifar, _files

NAME = "cifar100"
DATA_FILE = "cifar100.npz"
DIRNAME = "cifar-100-python"
URL = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"  # sha256, from keras
BATCHES = ("train", "test")
LABEL_MODES = ("fine", "coarse")


def locate(data_dir: str | os.PathLike | None = None) -> _files.Source:
    """Where CIFAR-100 comes from; for the Keras cache ``path`` is the batches folder."""
    path = _files.data_dir_file(data_dir, DATA_FILE)
    if path is not None:
        return _files.Source(NAME, "data-dir", path, lossy=_cifar.npz_is_lossy(path))
    return _cifar.find_batches(NAME, DIRNAME, URL, FILE_HASH, BATCHES, DATA_FILE)


def load_data(label_mode: str = "fine", data_dir: str | os.PathLike | None = None
              ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load CIFAR-100: ``(x_train, y_train), (x_test, y_test)``.

    x: uint8 (50000, 32, 32, 3) and (10000, 32, 32, 3), channels last;
    y: int64 (50000, 1) and (10000, 1) (Keras returns int64 here, unlike CIFAR-10's uint8),
    classes 0..99 for ``label_mode="fine"``, the 20 superclasses 0..19 for ``"coarse"``.
    """
    if label_mode not in LABEL_MODES:
        raise ValueError(f"label_mode={label_mode!r} must be one of {LABEL_MODES}")
    src = locate(data_dir)
    if src.source == "data-dir":
        train, test, _ = _cifar.load_npz_split(src.path, (f"y_train_{label_mode}", f"y_test_{label_mode}"))
        return (train[0], train[1].astype(np.int64)), (test[0], test[1].astype(np.int64))
    out = []
    for batch in BATCHES:
        x, y = _cifar.load_batch(os.path.join(src.path, batch), label_key=f"{label_mode}_labels")
        out.append((x, np.asarray(y, dtype=np.int64).reshape(-1, 1)))
    return out[0], out[1]
