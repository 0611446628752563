"""IMDB preprocessing in NumPy: padding and count vectors.

* :func:`pad_sequences` follows ``keras.utils.pad_sequences``: sequences
  longer than ``maxlen`` are truncated and shorter ones padded with
  ``value``, both at the start ('pre') by default.
* :func:`count_vectors` turns each review into a ``num_words``-long vector
  whose component *i* counts the occurrences of word index *i* (exercise 3).
* :class:`CountVectorBatches` builds those vectors batch by batch, so the
  25,000 x 10,000 matrix never has to sit in memory.
"""
from __future__ import annotations

import math
from typing import Sequence

import keras
import numpy as np


def pad_sequences(sequences: Sequence[Sequence[int]], maxlen: int | None = None,
                  dtype: str = "int32", padding: str = "pre", truncating: str = "pre",
                  value: int | float = 0) -> np.ndarray:
    """Pad/truncate integer sequences to a ``(n, maxlen)`` array.

    ``maxlen=None`` uses the longest sequence.  ``padding`` and ``truncating``
    are 'pre' (at the start) or 'post' (at the end), as in Keras.
    """
    if padding not in ("pre", "post"):
        raise ValueError(f"padding must be 'pre' or 'post', got {padding!r}")
    if truncating not in ("pre", "post"):
        raise ValueError(f"truncating must be 'pre' or 'post', got {truncating!r}")
    lengths = [len(s) for s in sequences]
    if maxlen is None:
        maxlen = max(lengths, default=0)
    if maxlen < 0:
        raise ValueError(f"maxlen must be >= 0, got {maxlen}")
    out = np.full((len(sequences), maxlen), value, dtype=dtype)
    if maxlen == 0:
        return out
    for i, seq in enumerate(sequences):
        if len(seq) == 0:
            continue
        seq = np.asarray(seq)
        trunc = seq[-maxlen:] if truncating == "pre" else seq[:maxlen]
        if padding == "pre":
            out[i, maxlen - len(trunc):] = trunc
        else:
            out[i, :len(trunc)] = trunc
    return out


def count_vectors(sequences: Sequence[Sequence[int]], num_words: int,
                  dtype: str = "float32") -> np.ndarray:
    """``(n, num_words)`` matrix of word counts; indices >= num_words are an error."""
    out = np.zeros((len(sequences), num_words), dtype=dtype)
    for i, seq in enumerate(sequences):
        if len(seq) == 0:
            continue
        idx = np.asarray(seq, dtype=np.int64)
        if idx.min() < 0 or idx.max() >= num_words:
            raise ValueError(f"review {i} has word index outside [0, {num_words})")
        out[i] = np.bincount(idx, minlength=num_words)
    return out


class CountVectorBatches(keras.utils.PyDataset):
    """Batches of count vectors built on the fly from word-index sequences.

    Shuffles the example order every epoch with its own seeded generator when
    ``shuffle`` is true (training), keeps it fixed otherwise (validation).
    """

    def __init__(self, sequences: Sequence[Sequence[int]], labels: np.ndarray, num_words: int,
                 batch_size: int, shuffle: bool = False, seed: int = 0) -> None:
        super().__init__()
        if len(sequences) != len(labels):
            raise ValueError("sequences and labels differ in length")
        self.sequences = list(sequences)
        self.labels = np.asarray(labels, dtype="float32")
        self.num_words = int(num_words)
        self.batch_size = int(batch_size)
        self.shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        self._order = np.arange(len(self.sequences))
        if shuffle:
            self._rng.shuffle(self._order)

    def __len__(self) -> int:
        return math.ceil(len(self.sequences) / self.batch_size)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        rows = self._order[index * self.batch_size:(index + 1) * self.batch_size]
        x = count_vectors([self.sequences[r] for r in rows], self.num_words)
        return x, self.labels[rows]

    def on_epoch_end(self) -> None:
        if self.shuffle:
            self._rng.shuffle(self._order)
