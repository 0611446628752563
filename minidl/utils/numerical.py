"""``to_categorical`` and ``pad_sequences`` with Keras 3's behaviour."""
from __future__ import annotations

import numpy as np


def to_categorical(x, num_classes: int | None = None) -> np.ndarray:
    """One-hot encode integer labels: shape ``(*x.shape, num_classes)``, float64 as
    Keras's NumPy path, a trailing axis of size 1 dropped first (``(n, 1) -> (n, C)``).
    ``num_classes`` defaults to ``max(x) + 1``."""
    x = np.asarray(x)
    labels = x.astype(np.int64)
    if labels.size and not np.array_equal(labels, x):
        raise ValueError("to_categorical: labels must be integers, got non-integral values")
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    labels = labels.reshape(-1)
    if not num_classes:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes):
        raise ValueError(f"to_categorical: labels must lie in [0, {num_classes}), got range "
                         f"[{labels.min()}, {labels.max()}]")
    out = np.zeros((labels.shape[0], num_classes))
    out[np.arange(labels.shape[0]), labels] = 1
    return out.reshape(shape + (num_classes,))


def pad_sequences(sequences, maxlen: int | None = None, dtype="int32", padding: str = "pre",
                  truncating: str = "pre", value=0.0) -> np.ndarray:
    """Pad (or cut) each sequence to ``maxlen`` (default: the longest): shape
    ``(len(sequences), maxlen, *item_shape)``. ``padding``/``truncating``:
    ``"pre"`` (Keras's default) works at the start, ``"post"`` at the end."""
    if not hasattr(sequences, "__len__"):
        raise ValueError("pad_sequences: sequences must be a list of sequences")
    if padding not in ("pre", "post"):
        raise ValueError(f'pad_sequences: padding must be "pre" or "post", got {padding!r}')
    if truncating not in ("pre", "post"):
        raise ValueError(f'pad_sequences: truncating must be "pre" or "post", got {truncating!r}')
    lengths, sample_shape = [], None
    for x in sequences:
        try:
            lengths.append(len(x))
        except TypeError:
            raise ValueError(f"pad_sequences: sequences must be a list of iterables, found {x!r}") from None
        if sample_shape is None and len(x):
            sample_shape = np.asarray(x).shape[1:]
    sample_shape = sample_shape or ()
    if maxlen is None:
        maxlen = max(lengths) if lengths else 0
    out = np.full((len(sequences), maxlen) + sample_shape, value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s) or maxlen == 0:
            continue
        trunc = np.asarray(s[-maxlen:] if truncating == "pre" else s[:maxlen], dtype=dtype)
        if trunc.shape[1:] != sample_shape:
            raise ValueError(f"pad_sequences: items of sequence {i} have shape {trunc.shape[1:]}, "
                             f"expected {sample_shape}")
        if padding == "post":
            out[i, :len(trunc)] = trunc
        else:
            out[i, -len(trunc):] = trunc
    return out
