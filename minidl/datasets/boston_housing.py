"""Boston housing prices, as ``keras.datasets.boston_housing``.

Looked up as ``boston_housing.npz`` in the data directory, else Keras's cached
``boston_housing.npz``, else downloaded. Both files hold the 506 rows in the
original order as ``x`` (506, 13) and ``y`` (506,); the train/test split is
made here exactly as Keras makes it, so any ``test_split`` and ``seed`` work.
"""
from __future__ import annotations

import os

import numpy as np

from . import _files

NAME = "boston_housing"
DATA_FILE = "boston_housing.npz"
KERAS_FNAME = "boston_housing.npz"
URL = f"{_files.KERAS_ORIGIN}boston_housing.npz"
FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"  # sha256, from keras


def locate(data_dir: str | os.PathLike | None = None) -> _files.Source:
    """Where the Boston housing file comes from (may download it into the Keras cache)."""
    return _files.resolve_npz(NAME, data_dir, DATA_FILE, KERAS_FNAME, URL, FILE_HASH)


def split(x: np.ndarray, y: np.ndarray, test_split: float = 0.2, seed: int = 113
          ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Keras's split: shuffle row indices with ``RandomState(seed)``, the first ``int(n*(1-test_split))`` train."""
    if not 0 <= test_split < 1:
        raise ValueError(f"test_split={test_split!r} must be in [0, 1)")
    indices = np.arange(len(x))
    np.random.RandomState(seed).shuffle(indices)
    x, y = x[indices], y[indices]
    n_train = int(len(x) * (1 - test_split))
    return (x[:n_train].copy(), y[:n_train].copy()), (x[n_train:].copy(), y[n_train:].copy())


def load_data(test_split: float = 0.2, seed: int = 113, data_dir: str | os.PathLike | None = None
              ) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load Boston housing: ``(x_train, y_train), (x_test, y_test)``.

    x: float64 (n, 13), the 13 StatLib features; y: float64 (n,), median price in k$.
    With the defaults n_train = 404 and n_test = 102, the rows Keras gives.
    """
    if not 0 <= test_split < 1:  # checked before any lookup or download
        raise ValueError(f"test_split={test_split!r} must be in [0, 1)")
    path = locate(data_dir).path
    with np.load(path, allow_pickle=False) as f:
        _files.require_keys(f.files, ("x", "y"), path)
        x, y = f["x"], f["y"]
    return split(x, y, test_split, seed)
