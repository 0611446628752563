"""Embedding lookup kernels; backend switch point.

Numba path: a (parallel) row gather, and a scatter-add partitioned by
vocabulary rows so that it is race-free and sums repeated ids in the
reference's order. Ids outside [0, input_dim) take the reference path, which
raises (the compiled code does not check bounds).
"""
from __future__ import annotations

from functools import partial

import numpy as np

from . import reference
from ._dispatch import nb, use_numba
from ._threads import GRAIN, run, split


def _flat_ids(indices: np.ndarray, input_dim: int) -> np.ndarray | None:
    """indices as a contiguous 1-D intp array, or None when they are not all valid ids."""
    if indices.dtype.kind not in "iu":
        return None
    ids = np.ascontiguousarray(indices, dtype=np.intp).reshape(-1)
    if ids.size and (ids.min() < 0 or ids.max() >= input_dim):
        return None
    return ids


def forward(indices: np.ndarray, embeddings: np.ndarray) -> np.ndarray:
    """indices (...) integer, embeddings (input_dim, d) -> (..., d)."""
    ids = _flat_ids(indices, embeddings.shape[0]) if use_numba(embeddings) else None
    if ids is None:
        return reference.embedding_forward(indices, embeddings)
    table = np.ascontiguousarray(embeddings)
    out = np.empty((ids.size, table.shape[1]), dtype=table.dtype)
    k = nb("embedding")
    blocks = split(ids.size, GRAIN // max(table.shape[1], 1))
    run([partial(k.gather_rows, ids, table, out, lo, hi) for lo, hi in blocks])
    return out.reshape(*indices.shape, table.shape[1])


def backward(indices: np.ndarray, dy: np.ndarray, input_dim: int) -> np.ndarray:
    """dy (..., d) -> dembeddings (input_dim, d), repeated indices accumulated."""
    ids = _flat_ids(indices, input_dim) if use_numba(dy) else None
    if ids is None or dy.shape[:-1] != indices.shape:
        return reference.embedding_backward(indices, dy, input_dim)
    d = dy.shape[-1]
    dy2 = np.ascontiguousarray(dy).reshape(-1, d)
    grad = np.empty((input_dim, d), dtype=dy.dtype)
    k = nb("embedding")
    # vocabulary blocks: each scans every id, so a few blocks only (at most 4)
    blocks = split(input_dim, GRAIN // max(d, 1), most=4)
    run([partial(k.scatter_add_vocab, ids, dy2, grad, lo, hi) for lo, hi in blocks])
    return grad
