"""IMDB loading shared by exercises 3 and 4 (10,000 most frequent words)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .common import describe_source, load_real

NUM_WORDS = 10_000


@dataclass
class ImdbSplit:
    """Word-index reviews and 0/1 labels for training and validation."""

    x_train: list[np.ndarray]
    y_train: np.ndarray
    x_val: list[np.ndarray]
    y_val: np.ndarray
    source: dict[str, Any]


def _shuffled_slice(x: Any, y: np.ndarray, n: int | None, seed: int) -> tuple[list, np.ndarray]:
    """All rows, or ``n`` rows drawn without replacement (both classes kept)."""
    if n is None or n >= len(y):
        return list(x), np.asarray(y)
    rows = np.random.default_rng(seed).permutation(len(y))[:n]
    return [x[i] for i in rows], np.asarray(y)[rows]


def load(data_dir: str | None, n_train: int | None = None, n_val: int | None = None,
         seed: int = 0) -> ImdbSplit:
    """IMDB with ``num_words=10000`` via :mod:`minidl.datasets.imdb`.

    The 25,000 test reviews are the validation set, as in the report.
    ``n_train``/``n_val`` take random slices (quick mode and tests).
    """
    (x_tr, y_tr), (x_va, y_va) = load_real("imdb", data_dir, num_words=NUM_WORDS)
    source = describe_source("imdb", data_dir)
    x_tr, y_tr = _shuffled_slice(x_tr, y_tr, n_train, seed)
    x_va, y_va = _shuffled_slice(x_va, y_va, n_val, seed + 1)
    return ImdbSplit(x_tr, y_tr.astype("float32"), x_va, y_va.astype("float32"), source)
